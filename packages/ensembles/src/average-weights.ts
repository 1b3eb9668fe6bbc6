import { DataType, tensorToValue, valueToTensor, type ModelProto, type TensorProto } from '@anneal/onnx';
import { EnsembleError } from './errors.js';
import { checkWeights } from './weights.js';

const FLOAT_TYPES = new Set([DataType.FLOAT, DataType.DOUBLE]);
const typeName = (t: TensorProto) => DataType[t.dataType] ?? String(t.dataType);
const shape = (t: TensorProto) => `${typeName(t)} [${t.dims.join(', ')}]`;

/** Same node list (op types, in order) as members[0]: the cheap half of "same architecture". */
function checkNodes(first: ModelProto, m: ModelProto, i: number): void {
  const [a, b] = [first.graph.node, m.graph.node];
  const at = a.findIndex((n, k) => n.opType !== b[k]?.opType);
  if (at >= 0 || a.length !== b.length) {
    const k = at >= 0 ? at : Math.min(a.length, b.length);
    throw new EnsembleError(`members[${i}]`, `its graph differs from members[0]'s at node ${k} (${b[k]?.opType ?? 'none'} vs ${a[k]?.opType ?? 'none'}); only models of one architecture can be averaged`);
  }
}

function average(name: string, values: readonly TensorProto[], scale: readonly number[]): TensorProto {
  const decoded = values.map((t) => tensorToValue(t));
  const first = decoded[0]!;
  const acc = new Float64Array(first.data.length);
  decoded.forEach((v, i) => {
    const d = v.data as Float32Array | Float64Array;
    for (let k = 0; k < acc.length; k++) acc[k]! += scale[i]! * d[k]!;
  });
  return valueToTensor(name, { dataType: first.dataType, dims: [...first.dims], data: first.dataType === DataType.FLOAT ? Float32Array.from(acc) : acc });
}

function sameValues(a: TensorProto, b: TensorProto): boolean {
  const [x, y] = [tensorToValue(a).data, tensorToValue(b).data];
  return x.length === y.length && x.every((v, k) => v === y[k]);
}

/**
 * The (weighted) average of same-architecture models' FLOAT/DOUBLE initializers, as one normal
 * model (uniform by default: the SWA average of exported snapshots). Every other initializer
 * (shapes, indices, float16) must be equal across members and is copied from members[0], as is
 * everything that is not an initializer. BatchNormalization statistics are averaged like the
 * weights; recompute them on training data when that matters.
 *
 * @throws EnsembleError naming the member and the first initializer that is missing, extra, or
 *   differs in element type, shape or (for non-float tensors) value; or the first differing node.
 * @example
 * saveModel('swa.onnx', averageWeights([snap3, snap4, snap5]));
 * const skewed = averageWeights([a, b], [3, 1]); // 0.75 a + 0.25 b
 */
export function averageWeights(members: readonly ModelProto[], weights?: readonly number[]): ModelProto {
  if (members.length < 1) throw new EnsembleError('members', 'nothing to average; pass at least one model');
  const { weights: w, total } = checkWeights(weights, members.length);
  const scale = w.map((x) => x / total);
  const first = members[0]!;
  const byName = members.map((m) => new Map(m.graph.initializer.map((t) => [t.name ?? '', t])));
  members.forEach((m, i) => {
    if (i === 0) return;
    checkNodes(first, m, i);
    const extra = m.graph.initializer.find((t) => !byName[0]!.has(t.name ?? ''));
    if (extra) throw new EnsembleError(`members[${i}]`, `has initializer '${extra.name}' that members[0] lacks; the members must share one architecture`);
  });
  const out = structuredClone(first);
  out.graph.initializer = first.graph.initializer.map((t0) => {
    const name = t0.name ?? '';
    const values = members.map((_, i) => {
      const t = byName[i]!.get(name);
      if (!t) throw new EnsembleError(`members[${i}]`, `has no initializer '${name}'; the members must share one architecture`);
      if (t.dataType !== t0.dataType || t.dims.join(',') !== t0.dims.join(',')) {
        throw new EnsembleError(`members[${i}]`, `initializer '${name}' is ${shape(t)}, members[0] has ${shape(t0)}; the members must share one architecture`);
      }
      if (!FLOAT_TYPES.has(t0.dataType) && i > 0 && !sameValues(t, t0)) {
        throw new EnsembleError(`members[${i}]`, `${typeName(t)} initializer '${name}' differs from members[0]'s; only FLOAT and DOUBLE initializers are averaged, the others must be equal`);
      }
      return t;
    });
    return FLOAT_TYPES.has(t0.dataType) ? average(name, values, scale) : structuredClone(t0);
  });
  return out;
}
