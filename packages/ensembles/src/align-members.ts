import {
  DataType,
  defaultOpset,
  describeValueInfo,
  OnnxError,
  renameGraph,
  upgradeOpset,
  type Dim,
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type OperatorSetId,
  type ValueInfoProto,
} from '@anneal/onnx';
import { EnsembleError } from './errors.js';

/** Members made ready to sit side by side in one graph. */
export interface AlignedMembers {
  /** The shared data input (members[0]'s declaration). */
  readonly input: ValueInfoProto;
  /** Each member's graph, renamed under its prefix, without the shared input, outputs dropped. */
  readonly graphs: GraphProto[];
  /** Each member's (renamed) logits tensor. */
  readonly logits: string[];
  /** Class count when some member declares it, else the symbolic `'C'`. */
  readonly classes: Dim;
  /** Batch dimension of the shared input (`'N'` when unknown). */
  readonly batch: Dim;
  readonly opset: number;
  readonly opsetImport: OperatorSetId[];
  readonly irVersion: number;
  readonly functions: FunctionProto[];
}

const isDefaultDomain = (d: string | undefined) => !d || d === 'ai.onnx';
const describeInput = (v: ValueInfoProto) => {
  const d = describeValueInfo(v);
  return `'${v.name}' ${DataType[d.elemType] ?? d.elemType} [${d.dims?.join(', ') ?? 'unknown rank'}]`;
};

/** The one graph input that is not an initializer. */
function dataInput(m: ModelProto, where: string): ValueInfoProto {
  const inits = new Set(m.graph.initializer.map((t) => t.name));
  const inputs = m.graph.input.filter((v) => !inits.has(v.name));
  if (inputs.length !== 1) {
    throw new EnsembleError(where, `a member needs exactly one data input, found ${inputs.length} (${inputs.map((v) => v.name).join(', ') || 'none'}); cut or wrap the model so it reads one tensor`);
  }
  return inputs[0]!;
}

/** The output holding the logits: the one named `logits`, else the first. */
function logitsOutput(m: ModelProto, where: string): ValueInfoProto {
  const out = m.graph.output.find((o) => o.name === 'logits') ?? m.graph.output[0];
  if (!out) throw new EnsembleError(where, 'the model has no output; a member must output its logits [N, C]');
  const d = describeValueInfo(out);
  if (d.elemType !== DataType.FLOAT) throw new EnsembleError(where, `its output '${out.name}' is ${DataType[d.elemType] ?? d.elemType}, but members must output FLOAT logits [N, C]; add a Cast to FLOAT`);
  if (d.dims && d.dims.length !== 2) throw new EnsembleError(where, `its output '${out.name}' has shape [${d.dims.join(', ')}], but members must output logits [N, C]`);
  return out;
}

function sameInput(a: ValueInfoProto, b: ValueInfoProto): boolean {
  const [da, db] = [describeValueInfo(a), describeValueInfo(b)];
  if (a.name !== b.name || da.elemType !== db.elemType) return false;
  if (!da.dims || !db.dims) return true;
  if (da.dims.length !== db.dims.length) return false;
  return da.dims.every((d, k) => k === 0 || typeof d !== 'number' || typeof db.dims![k] !== 'number' || d === db.dims![k]);
}

function mergeOpsets(models: readonly ModelProto[], opset: number): OperatorSetId[] {
  const out = new Map<string, { version: number; from: number }>();
  models.forEach((m, i) => {
    for (const o of m.opsetImport) {
      if (isDefaultDomain(o.domain)) continue;
      const seen = out.get(o.domain!);
      if (seen && seen.version !== Number(o.version)) {
        throw new EnsembleError(`members[${i}]`, `imports domain '${o.domain}' version ${o.version}, members[${seen.from}] version ${seen.version}; export the members with the same version of that domain`);
      }
      if (!seen) out.set(o.domain!, { version: Number(o.version), from: i });
    }
  });
  return [{ domain: '', version: opset }, ...[...out].map(([domain, { version }]) => ({ domain, version }))];
}

function mergeFunctions(models: readonly ModelProto[]): FunctionProto[] {
  const out = new Map<string, { f: FunctionProto; json: string; from: number }>();
  const json = (f: FunctionProto) => JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));
  models.forEach((m, i) => {
    for (const f of m.functions) {
      const key = `${f.domain ?? ''}:${f.name}:${f.overload ?? ''}`;
      const seen = out.get(key);
      if (!seen) out.set(key, { f, json: json(f), from: i });
      else if (seen.json !== json(f)) throw new EnsembleError(`members[${i}]`, `defines model function '${f.domain ?? ''}.${f.name}' differently from members[${seen.from}]; inline the functions or give them distinct names`);
    }
  });
  return [...out.values()].map((e) => e.f);
}

function checkPrefixes(names: readonly string[] | undefined, count: number): string[] {
  if (!names) return Array.from({ length: count }, (_, i) => `m${i}/`);
  if (names.length !== count) throw new EnsembleError('options.names', `${names.length} names given for ${count} members; pass one name per member`);
  names.forEach((n, i) => {
    if (!n || n.includes('/')) throw new EnsembleError(`options.names[${i}]`, `'${n}' cannot prefix tensor names; use a non-empty name without '/'`);
    if (names.indexOf(n) !== i) throw new EnsembleError(`options.names[${i}]`, `'${n}' is used twice; member names must be unique`);
  });
  return names.map((n) => `${n}/`);
}

/**
 * Upgrades every member to the highest default-domain opset among them (at least 13), checks
 * that they read the same data input and predict the same number of classes, and renames each
 * member's names under its prefix (`m<i>/` or `names[i]/`), keeping the shared input's name.
 */
export function alignMembers(members: readonly ModelProto[], names?: readonly string[]): AlignedMembers {
  const prefixes = checkPrefixes(names, members.length);
  const opset = Math.max(13, ...members.map(defaultOpset));
  const models = members.map((m, i) => {
    try {
      return upgradeOpset(m, opset);
    } catch (e) {
      if (!(e instanceof OnnxError)) throw e;
      throw new EnsembleError(`members[${i}]`, `cannot be brought to opset ${opset} (the highest among the members): ${e.message}`);
    }
  });
  const input = dataInput(models[0]!, 'members[0]');
  let classes: { value: number; from: number } | undefined;
  const graphs: GraphProto[] = [];
  const logits: string[] = [];
  models.forEach((m, i) => {
    const where = `members[${i}]`;
    const own = dataInput(m, where);
    if (!sameInput(own, input)) throw new EnsembleError(where, `its data input ${describeInput(own)} differs from members[0]'s ${describeInput(input)}; every member must read the same input (same name, element type and feature dims)`);
    const out = logitsOutput(m, where);
    const c = describeValueInfo(out).dims?.[1];
    if (typeof c === 'number') {
      if (classes && c !== classes.value) throw new EnsembleError(where, `it predicts ${c} classes, members[${classes.from}] ${classes.value}; all members must share one label set`);
      classes ??= { value: c, from: i };
    }
    const g = m.graph;
    const outName = out.name;
    const rename = (name: string) => (name === input.name ? name : prefixes[i] + name);
    renameGraph(g, rename);
    for (const s of g.sparseInitializer) for (const t of [s.values, s.indices]) if (t?.name) t.name = rename(t.name);
    g.input = g.input.filter((v) => v.name !== input.name);
    logits.push(rename(outName));
    g.output = [];
    graphs.push(g);
  });
  const batch = describeValueInfo(input).dims?.[0];
  return {
    input,
    graphs,
    logits,
    classes: classes?.value ?? 'C',
    batch: batch === undefined || batch === '?' ? 'N' : batch,
    opset,
    opsetImport: mergeOpsets(models, opset),
    irVersion: Math.max(...models.map((m) => Number(m.irVersion ?? 0))),
    functions: mergeFunctions(models),
  };
}
