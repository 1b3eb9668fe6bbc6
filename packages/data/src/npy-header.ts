import { DataError } from './errors.js';

// The header of a .npy file (NumPy format 1.0, 2.0 and 3.0), read strictly: the 6 magic bytes, a
// known version, a header length that fits the file, and a Python dict literal holding exactly
// 'descr' (a dtype string), 'fortran_order' (True/False) and 'shape' (a tuple of integers >= 0).
// Anything else is a DataError naming the file and the field, raised before the data is touched.

/** What a .npy header declares. */
export interface NpyHeader {
  /** Format version, e.g. [1, 0]. */
  version: [number, number];
  /** The dtype string, e.g. '<f4'. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data (magic + version + length field + header). */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** NumPy's own limit on the number of dims (numpy.MAXDIMS, 64 since NumPy 2). */
export const NPY_MAX_DIMS = 64;

type Value = string | boolean | number[];

/** A tiny reader of the one Python literal a .npy header holds. */
class Literal {
  private at = 0;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private fail(what: string): never {
    throw new DataError(this.file, `unreadable .npy header (${what} at character ${this.at}): ${JSON.stringify(this.text.trim().slice(0, 200))}; save arrays with numpy.save`);
  }

  private skip(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  private peek(): string {
    this.skip();
    return this.text[this.at] ?? '';
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.at++;
  }

  private string(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') this.fail('expected a quoted string');
    const end = this.text.indexOf(quote, this.at + 1);
    if (end < 0) this.fail('unterminated string');
    const s = this.text.slice(this.at + 1, end);
    if (s.includes('\\')) this.fail('escapes are not expected in a .npy header');
    this.at = end + 1;
    return s;
  }

  private word(): string {
    this.skip();
    const m = /^[A-Za-z0-9_+-]+/.exec(this.text.slice(this.at));
    if (!m) this.fail('expected a value');
    this.at += m[0].length;
    return m[0];
  }

  private tuple(): number[] {
    this.expect('(');
    const out: number[] = [];
    while (this.peek() !== ')') {
      const w = this.word();
      if (!/^-?\d+L?$/.test(w)) this.fail(`shape entry '${w}' is not an integer`);
      out.push(Number(w.replace(/L$/, '')));
      if (this.peek() === ',') this.at++;
      else if (this.peek() !== ')') this.fail("expected ',' or ')' in the shape");
    }
    this.at++;
    return out;
  }

  private value(): Value {
    const c = this.peek();
    if (c === "'" || c === '"') return this.string();
    if (c === '(') return this.tuple();
    if (c === '[') this.fail('a structured dtype (a list of fields); only plain numeric dtypes are supported');
    const w = this.word();
    if (w === 'True' || w === 'False') return w === 'True';
    return this.fail(`unexpected value '${w}'`);
  }

  /** The dict's entries, in order; duplicate keys are refused (which one would count is ambiguous). */
  dict(): Map<string, Value> {
    const out = new Map<string, Value>();
    this.expect('{');
    while (this.peek() !== '}') {
      const key = this.string();
      this.expect(':');
      if (out.has(key)) this.fail(`key '${key}' appears twice`);
      out.set(key, this.value());
      if (this.peek() === ',') this.at++;
      else if (this.peek() !== '}') this.fail("expected ',' or '}'");
    }
    this.at++;
    this.skip();
    if (this.at !== this.text.length) this.fail('unexpected text after the dict');
    return out;
  }
}

/**
 * Reads and checks the header of .npy bytes: magic, version (1.0, 2.0 or 3.0), header length,
 * and the dict's three keys with their types. Shape entries must be integers >= 0 (at most
 * {@link NPY_MAX_DIMS} of them).
 * @throws DataError naming `file` and the field
 * @example readNpyHeader(readFileSync('x.npy'), 'x.npy'); // { version: [1, 0], descr: '<f4', fortranOrder: false, shape: [6, 20], dataOffset: 128 }
 */
export function readNpyHeader(buf: Uint8Array, file: string): NpyHeader {
  if (buf.length < 10 || MAGIC.some((m, i) => buf[i] !== m)) throw new DataError(file, 'not a .npy file (bad magic bytes); save arrays with numpy.save');
  const [major, minor] = [buf[6]!, buf[7]!];
  if (![1, 2, 3].includes(major) || minor !== 0) throw new DataError(file, `.npy format version ${major}.${minor} is not supported; valid versions are 1.0, 2.0 and 3.0 (numpy.save writes them)`);
  if (major > 1 && buf.length < 12) throw new DataError(file, `truncated: format ${major}.0 needs 12 bytes before its header, the file has ${buf.length}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const dataOffset = start + headerLength;
  if (dataOffset > buf.length) throw new DataError(file, `truncated: the header length field says ${headerLength} bytes but only ${buf.length - start} follow it`);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(buf.subarray(start, dataOffset));
  } catch {
    throw new DataError(file, 'the .npy header (format 3.0) is not valid UTF-8');
  }
  const dict = new Literal(text, file).dict();
  const keys = [...dict.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') throw new DataError(file, `the .npy header has keys [${keys}]; it must have exactly 'descr', 'fortran_order' and 'shape'`);
  const descr = dict.get('descr');
  const fortranOrder = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') throw new DataError(file, `the .npy header's 'descr' must be a dtype string such as '<f4'`);
  if (typeof fortranOrder !== 'boolean') throw new DataError(file, `the .npy header's 'fortran_order' must be True or False`);
  if (!Array.isArray(shape)) throw new DataError(file, `the .npy header's 'shape' must be a tuple of integers`);
  if (shape.length > NPY_MAX_DIMS) throw new DataError(file, `the .npy header's shape has ${shape.length} dims; at most ${NPY_MAX_DIMS} are allowed`);
  const bad = shape.findIndex((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad >= 0) throw new DataError(file, `the .npy header's shape (${shape.join(', ')}) has ${shape[bad]} at axis ${bad}; dims are integers >= 0`);
  return { version: [major, minor], descr, fortranOrder, shape, dataOffset };
}
