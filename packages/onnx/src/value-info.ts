import { DataType, type GraphProto, type ModelProto, type ValueInfoProto } from './types.js';

/** A dimension: a fixed size, or a symbolic name such as 'batch'. */
export type Dim = number | string;

/** Builds a tensor ValueInfoProto; `dims` undefined means unknown rank. */
export function tensorValueInfo(name: string, elemType: DataType, dims?: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: dims ? { dim: dims.map((d) => (typeof d === 'number' && d >= 0 ? { dimValue: d } : { dimParam: typeof d === 'string' ? d : '?' })) } : undefined,
      },
    },
    metadataProps: [],
  };
}

/** Element type and dims (symbolic dims as strings, unknown as '?') of a tensor ValueInfoProto. */
export function describeValueInfo(v: ValueInfoProto): { elemType: DataType; dims?: Dim[] } {
  const t = v.type?.tensorType;
  return {
    elemType: t?.elemType ?? DataType.UNDEFINED,
    dims: t?.shape ? t.shape.dim.map((d) => (d.dimValue !== undefined ? d.dimValue : d.dimParam ?? '?')) : undefined,
  };
}

/** An empty graph. */
export function emptyGraph(name = 'graph'): GraphProto {
  return { name, node: [], initializer: [], sparseInitializer: [], input: [], output: [], valueInfo: [], quantizationAnnotation: [], metadataProps: [] };
}

/** Wraps a graph into a model importing the default domain at `opset` (plus extra domains). */
export function makeModel(graph: GraphProto, opset = 17, extra: { domain: string; version: number }[] = []): ModelProto {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }, ...extra],
    producerName: 'anneal',
    producerVersion: '0.1.0',
    graph,
    metadataProps: [],
    trainingInfo: [],
    functions: [],
  };
}

/** The default-domain opset a model imports (0 when none). */
export function defaultOpset(model: ModelProto): number {
  const imp = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  return imp ? Number(imp.version) : 0;
}
