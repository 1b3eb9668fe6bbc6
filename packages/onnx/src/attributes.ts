import { AttributeType, type AttributeProto, type GraphProto, type SparseTensorProto, type TensorProto, type TypeProto } from './types.js';

/** An explicitly typed attribute value, for the cases plain JS values leave ambiguous. */
export type TypedAttr =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensors'; value: TensorProto[] }
  | { kind: 'graphs'; value: GraphProto[] }
  | { kind: 'sparse_tensor'; value: SparseTensorProto }
  | { kind: 'sparse_tensors'; value: SparseTensorProto[] }
  | { kind: 'type_proto'; value: TypeProto }
  | { kind: 'type_protos'; value: TypeProto[] };

/**
 * Attribute values accepted by the graph builder. A plain number is an INT when it is an integer
 * and the attribute name is not a known float attribute, otherwise a FLOAT; number arrays likewise.
 * Use {@link attr} to force a kind.
 */
export type AttrValue = number | string | number[] | string[] | TensorProto | GraphProto | TypedAttr;

/** Forces an attribute's kind: `attr.float(1)` writes 1.0 as FLOAT, `attr.ints([])` an empty INTS. */
export const attr = {
  float: (value: number): TypedAttr => ({ kind: 'float', value }),
  int: (value: number): TypedAttr => ({ kind: 'int', value }),
  floats: (value: number[]): TypedAttr => ({ kind: 'floats', value }),
  ints: (value: number[]): TypedAttr => ({ kind: 'ints', value }),
  string: (value: string): TypedAttr => ({ kind: 'string', value }),
  strings: (value: string[]): TypedAttr => ({ kind: 'strings', value }),
  tensors: (value: TensorProto[]): TypedAttr => ({ kind: 'tensors', value }),
  graphs: (value: GraphProto[]): TypedAttr => ({ kind: 'graphs', value }),
  sparseTensor: (value: SparseTensorProto): TypedAttr => ({ kind: 'sparse_tensor', value }),
  sparseTensors: (value: SparseTensorProto[]): TypedAttr => ({ kind: 'sparse_tensors', value }),
  typeProto: (value: TypeProto): TypedAttr => ({ kind: 'type_proto', value }),
  typeProtos: (value: TypeProto[]): TypedAttr => ({ kind: 'type_protos', value }),
};

const floatNames = new Set([
  'alpha', 'beta', 'gamma', 'epsilon', 'momentum', 'ratio', 'min', 'max', 'lambd', 'bias',
  'value_float', 'value_floats', 'scale', 'scales', 'seed', 'threshold', 'mean', 'high', 'low',
  'spatial_scale', 'cubic_coeff_a', 'extrapolation_value', 'fmod_float',
]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function emptyAttribute(name: string, type: AttributeType): AttributeProto {
  return { name, type, floats: [], ints: [], strings: [], tensors: [], graphs: [], sparseTensors: [], typeProtos: [] };
}

function isTyped(v: AttrValue): v is TypedAttr {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'kind' in v;
}

/** Builds an AttributeProto from a JS value. */
export function makeAttribute(name: string, value: AttrValue): AttributeProto {
  const isFloatName = floatNames.has(name);
  if (isTyped(value)) {
    switch (value.kind) {
      case 'float':
        return { ...emptyAttribute(name, AttributeType.FLOAT), f: value.value };
      case 'int':
        return { ...emptyAttribute(name, AttributeType.INT), i: value.value };
      case 'floats':
        return { ...emptyAttribute(name, AttributeType.FLOATS), floats: value.value };
      case 'ints':
        return { ...emptyAttribute(name, AttributeType.INTS), ints: value.value };
      case 'string':
        return { ...emptyAttribute(name, AttributeType.STRING), s: encoder.encode(value.value) };
      case 'strings':
        return { ...emptyAttribute(name, AttributeType.STRINGS), strings: value.value.map((s) => encoder.encode(s)) };
      case 'tensors':
        return { ...emptyAttribute(name, AttributeType.TENSORS), tensors: value.value };
      case 'graphs':
        return { ...emptyAttribute(name, AttributeType.GRAPHS), graphs: value.value };
      case 'sparse_tensor':
        return { ...emptyAttribute(name, AttributeType.SPARSE_TENSOR), sparseTensor: value.value };
      case 'sparse_tensors':
        return { ...emptyAttribute(name, AttributeType.SPARSE_TENSORS), sparseTensors: value.value };
      case 'type_proto':
        return { ...emptyAttribute(name, AttributeType.TYPE_PROTO), tp: value.value };
      case 'type_protos':
        return { ...emptyAttribute(name, AttributeType.TYPE_PROTOS), typeProtos: value.value };
    }
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) && !isFloatName
      ? { ...emptyAttribute(name, AttributeType.INT), i: value }
      : { ...emptyAttribute(name, AttributeType.FLOAT), f: value };
  }
  if (typeof value === 'string') return { ...emptyAttribute(name, AttributeType.STRING), s: encoder.encode(value) };
  if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === 'string') {
      return { ...emptyAttribute(name, AttributeType.STRINGS), strings: (value as string[]).map((s) => encoder.encode(s)) };
    }
    const nums = value as number[];
    return nums.every(Number.isInteger) && !isFloatName
      ? { ...emptyAttribute(name, AttributeType.INTS), ints: nums }
      : { ...emptyAttribute(name, AttributeType.FLOATS), floats: nums };
  }
  if ('node' in value) return { ...emptyAttribute(name, AttributeType.GRAPH), g: value as GraphProto };
  return { ...emptyAttribute(name, AttributeType.TENSOR), t: value as TensorProto };
}

/** Reads an attribute of a node as a JS value (undefined when absent). */
export function readAttribute(a: AttributeProto | undefined): number | string | number[] | string[] | TensorProto | GraphProto | TensorProto[] | GraphProto[] | undefined {
  if (!a) return undefined;
  switch (a.type) {
    case AttributeType.FLOAT:
      return a.f ?? 0;
    case AttributeType.INT:
      return a.i ?? 0;
    case AttributeType.STRING:
      return a.s ? decoder.decode(a.s) : '';
    case AttributeType.FLOATS:
      return a.floats;
    case AttributeType.INTS:
      return a.ints;
    case AttributeType.STRINGS:
      return a.strings.map((s) => decoder.decode(s));
    case AttributeType.TENSOR:
      return a.t;
    case AttributeType.GRAPH:
      return a.g;
    case AttributeType.TENSORS:
      return a.tensors;
    case AttributeType.GRAPHS:
      return a.graphs;
    default:
      return undefined;
  }
}

/** Typed accessors of a node's attributes with defaults. */
export function attrs(node: { attribute: AttributeProto[] }) {
  const find = (name: string) => node.attribute.find((a) => a.name === name);
  return {
    has: (name: string) => find(name) !== undefined,
    // a present attribute without a value field holds the proto default 0 (some writers omit zeros)
    int: (name: string, dflt: number) => {
      const a = find(name);
      return a ? Number(a.i ?? 0) : dflt;
    },
    float: (name: string, dflt: number) => {
      const a = find(name);
      return a ? Number(a.f ?? 0) : dflt;
    },
    ints: (name: string, dflt: number[]) => {
      const a = find(name);
      return a ? a.ints : dflt;
    },
    floats: (name: string, dflt: number[]) => {
      const a = find(name);
      return a ? a.floats : dflt;
    },
    string: (name: string, dflt: string) => {
      const a = find(name);
      return a?.s ? decoder.decode(a.s) : dflt;
    },
    tensor: (name: string) => find(name)?.t,
  };
}
