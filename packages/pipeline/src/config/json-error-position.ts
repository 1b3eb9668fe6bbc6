// Where a JSON text stops being JSON: Node's JSON.parse messages do not always say (Node 20:
// `Unexpected token '}', ..."seed": }" is not valid JSON`), and a config's error should name the
// line. One pass, no recursion, so a deeply nested text costs no stack.

type Expect = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'commaOrEnd' | 'done';

const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

class Stop {
  constructor(readonly at: number) {}
}

/**
 * The offset of the first character at which `text` is not valid JSON, or undefined when it is.
 * @example jsonErrorOffset('{"a": }'); // 6
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const stack: string[] = [];
  let expect: Expect = 'value';
  const after = (): Expect => (stack.length ? 'commaOrEnd' : 'done');
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) throw new Stop(i);
      if (c === 0x5c) {
        const next = text[i + 1] ?? '';
        if ('"\\/bfnrt'.includes(next) && next) i += 2;
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else throw new Stop(i);
      } else i++;
    }
    throw new Stop(i);
  };
  try {
    for (;;) {
      while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
      if (i >= text.length) return expect === 'done' ? undefined : i;
      const c = text[i]!;
      if (expect === 'value' || expect === 'valueOrEnd') {
        if (expect === 'valueOrEnd' && c === ']') {
          stack.pop();
          i++;
          expect = after();
        } else if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
        } else if (c === '"') {
          string();
          expect = after();
        } else {
          LITERAL.lastIndex = i;
          if (!LITERAL.test(text)) throw new Stop(i);
          i = LITERAL.lastIndex;
          expect = after();
        }
      } else if (expect === 'key' || expect === 'keyOrEnd') {
        if (expect === 'keyOrEnd' && c === '}') {
          stack.pop();
          i++;
          expect = after();
        } else if (c === '"') {
          string();
          expect = 'colon';
        } else throw new Stop(i);
      } else if (expect === 'colon') {
        if (c !== ':') throw new Stop(i);
        i++;
        expect = 'value';
      } else if (expect === 'commaOrEnd') {
        const top = stack.at(-1);
        if (c === ',') {
          i++;
          expect = top === '{' ? 'key' : 'value';
        } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
          stack.pop();
          i++;
          expect = after();
        } else throw new Stop(i);
      } else throw new Stop(i);
    }
  } catch (e) {
    if (e instanceof Stop) return e.at;
    throw e;
  }
}

/**
 * ` (line L, column C)` of the first character at which `text` is not JSON ('' when it is).
 * @example jsonErrorLine('{\n  "a": }'); // ' (line 2, column 8)'
 */
export function jsonErrorLine(text: string): string {
  const at = jsonErrorOffset(text);
  if (at === undefined) return '';
  const before = text.slice(0, at).split('\n');
  return ` (line ${before.length}, column ${before.at(-1)!.length + 1})`;
}
