/**
 * The ONNX protobuf schema (onnx.proto, proto2) expressed as a protobufjs reflection descriptor.
 * Field numbers and types follow the published ONNX IR specification; messages not needed to
 * read or write models (e.g. quantization annotations) are still listed so round-trips keep them.
 */
import type { AnyNestedObject, INamespace } from 'protobufjs';

const entry = { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } };

export const onnxSchema: INamespace = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: entry,
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        TensorAnnotation: {
          fields: {
            tensorName: { type: 'string', id: 1 },
            quantParameterTensorNames: { rule: 'repeated', type: 'StringStringEntryProto', id: 2 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            refAttrName: { type: 'string', id: 21 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            sparseTensor: { type: 'SparseTensorProto', id: 22 },
            tp: { type: 'TypeProto', id: 14 },
            floats: { rule: 'repeated', type: 'float', id: 7, options: { packed: false } },
            ints: { rule: 'repeated', type: 'int64', id: 8, options: { packed: false } },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
            tensors: { rule: 'repeated', type: 'TensorProto', id: 10 },
            graphs: { rule: 'repeated', type: 'GraphProto', id: 11 },
            sparseTensors: { rule: 'repeated', type: 'SparseTensorProto', id: 23 },
            typeProtos: { rule: 'repeated', type: 'TypeProto', id: 15 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 4 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            overload: { type: 'string', id: 8 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 9 },
          },
        },
        TrainingInfoProto: {
          fields: {
            initialization: { type: 'GraphProto', id: 1 },
            algorithm: { type: 'GraphProto', id: 2 },
            initializationBinding: { rule: 'repeated', type: 'StringStringEntryProto', id: 3 },
            updateBinding: { rule: 'repeated', type: 'StringStringEntryProto', id: 4 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
            trainingInfo: { rule: 'repeated', type: 'TrainingInfoProto', id: 20 },
            functions: { rule: 'repeated', type: 'FunctionProto', id: 25 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            sparseInitializer: { rule: 'repeated', type: 'SparseTensorProto', id: 15 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
            quantizationAnnotation: { rule: 'repeated', type: 'TensorAnnotation', id: 14 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 16 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, options: { packed: false } },
            dataType: { type: 'int32', id: 2 },
            segment: {
              type: 'Segment',
              id: 3,
            },
            floatData: { rule: 'repeated', type: 'float', id: 4, options: { packed: true } },
            int32Data: { rule: 'repeated', type: 'int32', id: 5, options: { packed: true } },
            stringData: { rule: 'repeated', type: 'bytes', id: 6 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7, options: { packed: true } },
            name: { type: 'string', id: 8 },
            docString: { type: 'string', id: 12 },
            rawData: { type: 'bytes', id: 9 },
            externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 },
            doubleData: { rule: 'repeated', type: 'double', id: 10, options: { packed: true } },
            uint64Data: { rule: 'repeated', type: 'uint64', id: 11, options: { packed: true } },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 16 },
          },
          nested: {
            Segment: { fields: { begin: { type: 'int64', id: 1 }, end: { type: 'int64', id: 2 } } },
          },
        },
        SparseTensorProto: {
          fields: {
            values: { type: 'TensorProto', id: 1 },
            indices: { type: 'TensorProto', id: 2 },
            dims: { rule: 'repeated', type: 'int64', id: 3, options: { packed: false } },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: { type: 'int64', id: 1 },
                dimParam: { type: 'string', id: 2 },
                denotation: { type: 'string', id: 3 },
              },
            },
          },
        },
        TypeProto: {
          oneofs: {
            value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'optionalType', 'sparseTensorType'] },
          },
          fields: {
            tensorType: { type: 'Tensor', id: 1 },
            sequenceType: { type: 'Sequence', id: 4 },
            mapType: { type: 'Map', id: 5 },
            optionalType: { type: 'Optional', id: 9 },
            sparseTensorType: { type: 'SparseTensor', id: 8 },
            denotation: { type: 'string', id: 6 },
          },
          nested: {
            Tensor: {
              fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
            },
            Sequence: { fields: { elemType: { type: 'TypeProto', id: 1 } } },
            Map: { fields: { keyType: { type: 'int32', id: 1 }, valueType: { type: 'TypeProto', id: 2 } } },
            Optional: { fields: { elemType: { type: 'TypeProto', id: 1 } } },
            SparseTensor: {
              fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
            },
          },
        },
        FunctionProto: {
          fields: {
            name: { type: 'string', id: 1 },
            input: { rule: 'repeated', type: 'string', id: 4 },
            output: { rule: 'repeated', type: 'string', id: 5 },
            attribute: { rule: 'repeated', type: 'string', id: 6 },
            attributeProto: { rule: 'repeated', type: 'AttributeProto', id: 11 },
            node: { rule: 'repeated', type: 'NodeProto', id: 7 },
            docString: { type: 'string', id: 8 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 9 },
            domain: { type: 'string', id: 10 },
            overload: { type: 'string', id: 13 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
      },
    },
  },
};

/**
 * Marks every message as proto2 (onnx.proto's syntax): fields then have explicit presence, so
 * zero values such as keepdims=0, axis=0 or beta=0.0 are written instead of dropped as defaults.
 */
export function asProto2(ns: INamespace): INamespace {
  const nested: Record<string, AnyNestedObject> = {};
  for (const [name, value] of Object.entries(ns.nested ?? {})) {
    const v = value as AnyNestedObject & { fields?: unknown; nested?: INamespace['nested'] };
    const inner = v.nested ? asProto2({ nested: v.nested }).nested : undefined;
    nested[name] = { ...v, ...(v.fields ? { edition: 'proto2' } : {}), ...(inner ? { nested: inner } : {}) } as AnyNestedObject;
  }
  return { ...ns, nested };
}
