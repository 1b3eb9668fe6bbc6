import { attrs } from '../attributes.js';
import { tensorToNumbers } from '../tensor.js';
import { DataType, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../types.js';
import { describeValueInfo, type Dim } from '../value-info.js';
import { constantNodeTensor } from './constant-values.js';

/** What is statically known about one tensor; unknown dims are `'?'`, symbolic ones keep their name. */
export interface TensorFact {
  elemType?: DataType;
  dims?: Dim[];
  /** Values of small integer tensors (shapes, axes); symbolic entries for dims only known by name. */
  values?: Dim[];
}

type Facts = Map<string, TensorFact>;

const SAME_AS_INPUT = new Set([
  'Abs', 'Acos', 'Asin', 'Atan', 'Ceil', 'Celu', 'Clip', 'Cos', 'Cosh', 'Elu', 'Erf', 'Exp', 'Floor', 'Gelu', 'HardSigmoid',
  'HardSwish', 'Hardmax', 'Identity', 'InstanceNormalization', 'LRN', 'LayerNormalization', 'LeakyRelu', 'Log', 'LogSoftmax',
  'LpNormalization', 'MeanVarianceNormalization', 'Mish', 'Neg', 'Reciprocal', 'Relu', 'Round', 'Selu', 'Shrink', 'Sigmoid', 'Sign',
  'Sin', 'Sinh', 'Softmax', 'Softplus', 'Softsign', 'Sqrt', 'Tan', 'Tanh', 'ThresholdedRelu', 'BatchNormalization', 'Dropout',
  'CumSum', 'GroupNormalization', 'Trilu', 'ReverseSequence',
]);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'Mod', 'BitShift', 'Where']);
const COMPARE = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);
const BOOL_UNARY = new Set(['Not', 'IsNaN', 'IsInf']);
const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare', 'ArgMax', 'ArgMin']);

function fromValueInfo(v: ValueInfoProto): TensorFact {
  const d = describeValueInfo(v);
  return { elemType: d.elemType || undefined, dims: d.dims };
}

function fromTensor(t: TensorProto): TensorFact {
  const dims = t.dims.map(Number);
  const fact: TensorFact = { elemType: t.dataType, dims };
  const isInt = t.dataType === DataType.INT64 || t.dataType === DataType.INT32;
  if (isInt && dims.length <= 1 && (dims[0] ?? 1) <= 64) {
    try {
      fact.values = tensorToNumbers(t);
    } catch {
      // external or unreadable data: values stay unknown
    }
  }
  return fact;
}

function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1 || a === b) return a;
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return '?';
}

/** Numpy-style broadcast of shapes; undefined when a rank is unknown. */
export function broadcastDims(shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => !s)) return undefined;
  const rank = Math.max(0, ...shapes.map((s) => s!.length));
  return Array.from({ length: rank }, (_, i) =>
    shapes.reduce<Dim>((acc, s) => {
      const k = i - (rank - s!.length);
      return k < 0 ? acc : broadcastDim(acc, s![k]!);
    }, 1),
  );
}

const product = (dims: Dim[]): Dim => (dims.every((d) => typeof d === 'number') ? (dims as number[]).reduce((a, b) => a * b, 1) : '?');
const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

function poolDims(node: NodeProto, x: Dim[], channels: Dim, kernel: number[]): Dim[] {
  const a = attrs(node);
  const n = x.length - 2;
  const strides = a.ints('strides', Array(n).fill(1));
  const dil = a.ints('dilations', Array(n).fill(1));
  const pads = a.ints('pads', Array(2 * n).fill(0));
  const autoPad = a.string('auto_pad', 'NOTSET');
  const ceil = a.int('ceil_mode', 0) === 1;
  const spatial = x.slice(2).map((d, i): Dim => {
    if (typeof d !== 'number' || kernel[i] === undefined) return '?';
    const s = strides[i] ?? 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(d / s);
    const span = (dil[i] ?? 1) * (kernel[i]! - 1) + 1;
    const padded = autoPad === 'VALID' ? d : d + (pads[i] ?? 0) + (pads[i + n] ?? 0);
    return (ceil ? Math.ceil : Math.floor)((padded - span) / s) + 1;
  });
  return [x[0]!, channels, ...spatial];
}

/** Axes of Squeeze/Unsqueeze/Reduce*: the attribute (old opsets) or the constant second input. */
function axesOf(node: NodeProto, facts: Facts): number[] | undefined {
  const a = attrs(node);
  if (a.has('axes')) return a.ints('axes', []);
  if (node.opType === 'ArgMax' || node.opType === 'ArgMin') return [a.int('axis', 0)];
  const values = node.input[1] ? facts.get(node.input[1])?.values : undefined;
  return values && values.every((v) => typeof v === 'number') ? (values as number[]) : node.input[1] ? undefined : [];
}

function infer(node: NodeProto, facts: Facts): TensorFact[] {
  const get = (i: number): TensorFact => (node.input[i] ? facts.get(node.input[i]!) ?? {} : {});
  const x = get(0);
  const a = attrs(node);
  const op = node.opType;
  const same = (): TensorFact => ({ elemType: x.elemType, dims: x.dims });
  if (op === 'Constant') {
    const t = constantNodeTensor(node);
    return t ? [fromTensor(t)] : [];
  }
  if (op === 'Dropout') return [same(), { elemType: DataType.BOOL, dims: x.dims }];
  if (SAME_AS_INPUT.has(op)) return [same()];
  if (BOOL_UNARY.has(op)) return [{ elemType: DataType.BOOL, dims: x.dims }];
  if (BROADCAST.has(op) || COMPARE.has(op)) {
    const dims = broadcastDims(node.input.map((_, i) => get(i).dims));
    const elemType = COMPARE.has(op) ? DataType.BOOL : op === 'Where' ? get(1).elemType : x.elemType;
    const vals = node.input.map((_, i) => get(i).values);
    let values: Dim[] | undefined;
    if (['Add', 'Sub', 'Mul', 'Div'].includes(op) && vals.length === 2 && vals.every((v) => v && v.every((e) => typeof e === 'number'))) {
      const [p, q] = vals as number[][];
      const len = Math.max(p!.length, q!.length);
      const f = { Add: (m: number, n: number) => m + n, Sub: (m: number, n: number) => m - n, Mul: (m: number, n: number) => m * n, Div: (m: number, n: number) => Math.trunc(m / n) }[op as 'Add'];
      values = Array.from({ length: len }, (_, i) => f(p![p!.length === 1 ? 0 : i]!, q![q!.length === 1 ? 0 : i]!));
    }
    return [{ elemType, dims, values }];
  }
  switch (op) {
    case 'Cast':
      return [{ elemType: a.int('to', 0), dims: x.dims, values: x.values }];
    case 'CastLike':
      return [{ elemType: get(1).elemType, dims: x.dims, values: x.values }];
    case 'Shape': {
      if (!x.dims) return [{ elemType: DataType.INT64 }];
      const r = x.dims.length;
      const start = Math.max(0, Math.min(r, norm(a.int('start', 0), r)));
      const end = Math.max(0, Math.min(r, a.has('end') ? norm(a.int('end', r), r) : r));
      const values = x.dims.slice(start, end);
      return [{ elemType: DataType.INT64, dims: [values.length], values }];
    }
    case 'Size':
      return [{ elemType: DataType.INT64, dims: [], values: x.dims ? [product(x.dims)] : undefined }];
    case 'Reshape': {
      const shape = get(1);
      const allowZero = a.int('allowzero', 0) === 1;
      if (!shape.values) return [{ elemType: x.elemType, dims: typeof shape.dims?.[0] === 'number' ? Array(shape.dims[0]).fill('?') : undefined }];
      const dims = shape.values.map((v, i): Dim => (v === 0 && !allowZero ? x.dims?.[i] ?? '?' : v === -1 ? '?' : v));
      const known = x.dims ? product(x.dims) : '?';
      const rest = product(dims.filter((_, i) => shape.values![i] !== -1));
      const minus = shape.values.indexOf(-1);
      if (minus >= 0 && typeof known === 'number' && typeof rest === 'number' && rest > 0) dims[minus] = known / rest;
      return [{ elemType: x.elemType, dims, values: x.values && dims.length === 1 ? x.values : undefined }];
    }
    case 'Flatten': {
      if (!x.dims) return [{ elemType: x.elemType, dims: ['?', '?'] }];
      const axis = norm(a.int('axis', 1), x.dims.length);
      return [{ elemType: x.elemType, dims: [product(x.dims.slice(0, axis)), product(x.dims.slice(axis))] }];
    }
    case 'Conv':
    case 'ConvTranspose': {
      const w = get(1).dims;
      if (!x.dims) return [{ elemType: x.elemType }];
      const channels = !w ? '?' : op === 'Conv' ? w[0]! : typeof w[1] === 'number' ? w[1] * a.int('group', 1) : '?';
      if (op === 'ConvTranspose') return [{ elemType: x.elemType, dims: [x.dims[0]!, channels, ...x.dims.slice(2).map((): Dim => '?')] }];
      const kernel = a.ints('kernel_shape', (w?.slice(2) ?? []).map((d) => (typeof d === 'number' ? d : NaN)));
      return [{ elemType: x.elemType, dims: poolDims(node, x.dims, channels, kernel) }];
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool':
      return [{ elemType: x.elemType, dims: x.dims ? poolDims(node, x.dims, x.dims[1]!, a.ints('kernel_shape', [])) : undefined }, { elemType: DataType.INT64 }];
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      return [{ elemType: x.elemType, dims: x.dims ? [x.dims[0]!, x.dims[1]!, ...x.dims.slice(2).map(() => 1)] : undefined }];
    case 'MatMul': {
      const p = x.dims;
      const q = get(1).dims;
      if (!p || !q) return [{ elemType: x.elemType }];
      const pp = p.length === 1 ? [1, p[0]!] : p;
      const qq = q.length === 1 ? [q[0]!, 1] : q;
      const batch = broadcastDims([pp.slice(0, -2), qq.slice(0, -2)])!;
      const dims = [...batch, ...(p.length === 1 ? [] : [pp[pp.length - 2]!]), ...(q.length === 1 ? [] : [qq[qq.length - 1]!])];
      return [{ elemType: x.elemType, dims }];
    }
    case 'Gemm': {
      const p = x.dims;
      const q = get(1).dims;
      const m = p ? p[a.int('transA', 0) ? 1 : 0]! : '?';
      const n = q ? q[a.int('transB', 0) ? 0 : 1]! : '?';
      return [{ elemType: x.elemType, dims: [m, n] }];
    }
    case 'Transpose': {
      if (!x.dims) return [{ elemType: x.elemType }];
      const perm = a.ints('perm', x.dims.map((_, i) => x.dims!.length - 1 - i));
      return [{ elemType: x.elemType, dims: perm.map((p) => x.dims![p] ?? '?') }];
    }
    case 'Squeeze': {
      const axes = axesOf(node, facts);
      if (!x.dims || !axes) return [{ elemType: x.elemType }];
      const r = x.dims.length;
      const drop = axes.length ? new Set(axes.map((v) => norm(v, r))) : new Set(x.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
      const values = x.values && x.values.length === 1 && r === 1 ? x.values : undefined;
      return [{ elemType: x.elemType, dims: x.dims.filter((_, i) => !drop.has(i)), values }];
    }
    case 'Unsqueeze': {
      const axes = axesOf(node, facts);
      if (!x.dims || !axes) return [{ elemType: x.elemType }];
      const r = x.dims.length + axes.length;
      const add = new Set(axes.map((v) => norm(v, r)));
      const rest = [...x.dims];
      const dims = Array.from({ length: r }, (_, i): Dim => (add.has(i) ? 1 : rest.shift() ?? '?'));
      return [{ elemType: x.elemType, dims, values: x.values && x.dims.length === 0 ? x.values : undefined }];
    }
    case 'Concat': {
      const parts = node.input.map((_, i) => get(i));
      const first = parts.find((p) => p.dims)?.dims;
      const elemType = parts.find((p) => p.elemType)?.elemType;
      if (!first) return [{ elemType }];
      const axis = norm(a.int('axis', 0), first.length);
      const dims = [...first];
      dims[axis] = product(parts.map((p) => p.dims?.[axis] ?? '?')) === '?' ? '?' : parts.reduce((s, p) => s + (p.dims![axis] as number), 0);
      const values = parts.every((p) => p.values) && first.length === 1 ? parts.flatMap((p) => p.values!) : undefined;
      return [{ elemType, dims, values }];
    }
    case 'Gather': {
      const idx = get(1);
      if (!x.dims || !idx.dims) return [{ elemType: x.elemType }];
      const axis = norm(a.int('axis', 0), x.dims.length);
      const dims = [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)];
      let values: Dim[] | undefined;
      if (x.values && axis === 0 && idx.values) values = idx.values.map((i) => (typeof i === 'number' ? x.values![norm(i, x.values!.length)] ?? '?' : '?'));
      return [{ elemType: x.elemType, dims, values }];
    }
    case 'Slice': {
      if (!x.dims) return [{ elemType: x.elemType }];
      const r = x.dims.length;
      const nums = (i: number, attr: string) => (a.has(attr) ? a.ints(attr, []) : (get(i).values?.every((v) => typeof v === 'number') ? (get(i).values as number[]) : undefined));
      const starts = nums(1, 'starts');
      const ends = nums(2, 'ends');
      const axes = nums(3, 'axes') ?? (starts ? starts.map((_, i) => i) : undefined);
      const steps = node.input[4] ? nums(4, 'steps') : starts?.map(() => 1);
      if (!starts || !ends || !axes || !steps) return [{ elemType: x.elemType, dims: x.dims.map(() => '?') }];
      const dims = [...x.dims];
      let values = x.values ? [...x.values] : undefined;
      axes.forEach((ax, k) => {
        const axis = norm(ax, r);
        const d = x.dims![axis];
        if (typeof d !== 'number' || steps[k] !== 1) {
          dims[axis] = '?';
          values = undefined;
          return;
        }
        const clamp = (v: number) => Math.max(0, Math.min(d, v < 0 ? v + d : v));
        const [s, e] = [clamp(starts[k]!), clamp(ends[k]!)];
        dims[axis] = Math.max(0, e - s);
        if (values && r === 1) values = values.slice(s, e);
      });
      return [{ elemType: x.elemType, dims, values }];
    }
    case 'Split': {
      if (!x.dims) return node.output.map(() => ({ elemType: x.elemType }));
      const axis = norm(a.int('axis', 0), x.dims.length);
      const sizes = a.has('split') ? a.ints('split', []) : (get(1).values as number[] | undefined);
      return node.output.map((_, k) => {
        const dims = [...x.dims!];
        const d = dims[axis];
        dims[axis] = sizes?.[k] ?? (typeof d === 'number' ? Math.ceil(d / node.output.length) : '?');
        return { elemType: x.elemType, dims };
      });
    }
    case 'ConstantOfShape': {
      const t = a.tensor('value');
      const s = get(0);
      return [{ elemType: t?.dataType ?? DataType.FLOAT, dims: s.values ?? (typeof s.dims?.[0] === 'number' ? Array(s.dims[0]).fill('?') : undefined) }];
    }
    case 'Expand':
      return [{ elemType: x.elemType, dims: get(1).values ? broadcastDims([x.dims, get(1).values]) : undefined }];
    case 'Tile': {
      const reps = get(1).values;
      if (!x.dims || !reps) return [{ elemType: x.elemType, dims: x.dims?.map(() => '?') }];
      return [{ elemType: x.elemType, dims: x.dims.map((d, i) => (typeof d === 'number' && typeof reps[i] === 'number' ? d * reps[i] : '?')) }];
    }
    case 'TopK':
      return [{ elemType: x.elemType, dims: x.dims?.map(() => '?') }, { elemType: DataType.INT64, dims: x.dims?.map(() => '?') }];
    case 'Resize':
    case 'Upsample':
    case 'Pad':
      return [{ elemType: x.elemType, dims: x.dims ? [x.dims[0]!, ...x.dims.slice(1).map((): Dim => '?')] : undefined }];
    case 'NonZero':
      return [{ elemType: DataType.INT64, dims: x.dims ? [x.dims.length, '?'] : undefined }];
    case 'Range':
      return [{ elemType: x.elemType, dims: ['?'] }];
  }
  if (REDUCE.has(op)) {
    const elemType = op === 'ArgMax' || op === 'ArgMin' ? DataType.INT64 : x.elemType;
    const axes = axesOf(node, facts);
    if (!x.dims || !axes) return [{ elemType }];
    const r = x.dims.length;
    const set = new Set(axes.length ? axes.map((v) => norm(v, r)) : x.dims.map((_, i) => i));
    const keep = a.int('keepdims', 1) === 1;
    const dims = x.dims.flatMap((d, i): Dim[] => (set.has(i) ? (keep ? [1] : []) : [d]));
    return [{ elemType, dims }];
  }
  return [];
}

/**
 * Propagates element types, static dims and small integer values (shape tensors) through a graph,
 * as far as simple rules allow; declared value_info wins over inferred facts. Unknown ops leave
 * their outputs unknown. `outer` supplies facts of an enclosing graph (for subgraphs).
 *
 * @example
 * const facts = inferTensorFacts(model.graph);
 * facts.get('reshape2_0.tmp_0'); // { elemType: DataType.FLOAT, dims: ['N', 200] }
 */
export function inferTensorFacts(graph: GraphProto, outer?: ReadonlyMap<string, TensorFact>): Map<string, TensorFact> {
  const facts: Facts = new Map(outer);
  const declared = new Map<string, TensorFact>();
  for (const v of [...graph.input, ...graph.valueInfo, ...graph.output]) declared.set(v.name, fromValueInfo(v));
  for (const v of graph.input) facts.set(v.name, declared.get(v.name)!);
  for (const t of graph.initializer) if (t.name) facts.set(t.name, fromTensor(t));
  for (const node of graph.node) {
    let inferred: TensorFact[] = [];
    try {
      inferred = infer(node, facts);
    } catch {
      inferred = [];
    }
    node.output.forEach((name, k) => {
      if (!name) return;
      const d = declared.get(name);
      const f = inferred[k] ?? {};
      facts.set(name, {
        elemType: d?.elemType || f.elemType,
        dims: d?.dims && (!f.dims || d.dims.length === f.dims.length) ? d.dims.map((v, i) => (v === '?' && f.dims ? f.dims[i]! : v)) : f.dims ?? d?.dims,
        values: f.values,
      });
    });
  }
  return facts;
}
