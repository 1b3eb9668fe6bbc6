import { DataType, tensorToValue, valueToTensor, type ModelProto } from '@anneal/onnx';
import { EnsembleError } from './errors';

/**
 * The (weighted) average of same-architecture models' float initializers, as one normal model
 * (uniform by default: the SWA average of exported snapshots). Integer initializers (shapes,
 * indices) must be equal and are kept.
 *
 * @throws EnsembleError naming the first initializer that differs in name, shape or type.
 * @example saveModel('swa.onnx', averageWeights([snap3, snap4, snap5]));
 */
export function averageWeights(members: readonly ModelProto[], weights?: readonly number[]): ModelProto {
  if (members.length < 1) throw new EnsembleError('members', 'nothing to average');
  const w = weights ?? members.map(() => 1);
  if (w.length !== members.length || w.some((x) => !(x > 0))) throw new EnsembleError('weights', `need ${members.length} positive weights, got [${w.join(', ')}]`);
  const total = w.reduce((a, b) => a + b, 0);
  const out = structuredClone(members[0]!);
  out.graph.initializer = out.graph.initializer.map((t0) => {
    const values = members.map((m, i) => {
      const t = m.graph.initializer.find((x) => x.name === t0.name);
      if (!t) throw new EnsembleError(`members[${i}]`, `has no initializer '${t0.name}'; the members must share one architecture`);
      if (t.dataType !== t0.dataType || t.dims.join('x') !== t0.dims.join('x')) throw new EnsembleError(`members[${i}]`, `initializer '${t0.name}' is ${DataType[t.dataType]} [${t.dims.join(', ')}], members[0] has ${DataType[t0.dataType]} [${t0.dims.join(', ')}]`);
      return tensorToValue(t);
    });
    const first = values[0]!;
    if (first.dataType !== DataType.FLOAT && first.dataType !== DataType.DOUBLE) {
      values.forEach((v, i) => {
        if (v.data.some((x, k) => x !== first.data[k])) throw new EnsembleError(`members[${i}]`, `integer initializer '${t0.name}' differs from members[0]'s; only float weights can be averaged`);
      });
      return t0;
    }
    const acc = new Float64Array(first.data.length);
    values.forEach((v, i) => {
      const d = v.data as Float32Array;
      for (let k = 0; k < acc.length; k++) acc[k]! += (w[i]! / total) * d[k]!;
    });
    return valueToTensor(t0.name ?? '', { dataType: first.dataType, dims: [...first.dims], data: first.dataType === DataType.FLOAT ? Float32Array.from(acc) : acc });
  });
  return out;
}
