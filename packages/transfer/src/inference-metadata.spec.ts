import { describe, expect, it } from 'vitest';
import { DataType, decodeModel, encodeModel, GraphBuilder, type ModelProto } from '@anneal/onnx';
import { explicitPreprocess, INFERENCE_METADATA_KEY, inferenceMetadata, InferenceMetadataError, setInferenceMetadata } from './inference-metadata.js';

function tiny(): ModelProto {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 2]);
  b.output(b.op('Identity', ['x'], {}, { output: 'logits' }), DataType.FLOAT, ['N', 2]);
  return b.build();
}

function withEntry(key: string, value: string): ModelProto {
  const m = tiny();
  m.metadataProps = [{ key, value }];
  return m;
}

describe('inference metadata', () => {
  it('round-trips classes, explicit preprocessing and the input name through the ONNX bytes; a second write replaces the first', () => {
    const preprocess = explicitPreprocess({ size: [32, 32], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(preprocess).toEqual({ size: [32, 32], channels: 3, fit: 'fill', position: 'centre', background: 0, invert: false, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW' });
    const m = setInferenceMetadata(setInferenceMetadata(tiny(), { classes: ['old'] }), { classes: ['cool', 'warm'], preprocess, input: 'x' });
    const back = decodeModel(encodeModel(m));
    expect(back.metadataProps.filter((p) => p.key === INFERENCE_METADATA_KEY)).toHaveLength(1);
    expect(inferenceMetadata(back)).toEqual({ classes: ['cool', 'warm'], preprocess, input: 'x' });
    expect(inferenceMetadata(tiny())).toBeUndefined();
  });

  it("reads an Anneal Studio export's 'anneal.studio' entry (extra fields ignored)", () => {
    const m = withEntry('anneal.studio', JSON.stringify({ classes: ['a', 'b'], preprocess: { size: [8, 8] }, input: 'x', backbone: 'mobilenet' }));
    expect(inferenceMetadata(m)).toEqual({ classes: ['a', 'b'], preprocess: { size: [8, 8] }, input: 'x' });
  });

  it('damaged entries are InferenceMetadataErrors naming the file, the key and the field', () => {
    const cases: [string, RegExp][] = [
      ['{"classes": [', /m\.onnx: model metadata 'anneal\.inference': not JSON/],
      ['[1, 2]', /not a JSON object/],
      ['{"classes": [1, 2]}', /classes must be a list of class names/],
      ['{"input": 3}', /input must be the name of the model input/],
      ['{"preprocess": {"size": [0, 4]}}', /preprocess: .*size.*positive integers/],
      ['{"preprocess": {"size": [4, 4], "std": [0]}}', /preprocess: .*std\[0\]/],
    ];
    for (const [value, message] of cases) {
      const e = (() => {
        try {
          inferenceMetadata(withEntry(INFERENCE_METADATA_KEY, value), 'm.onnx');
        } catch (err) {
          return err;
        }
        throw new Error(`accepted ${value}`);
      })();
      expect(e).toBeInstanceOf(InferenceMetadataError);
      expect((e as InferenceMetadataError).code).toBe('INFERENCE_METADATA');
      expect((e as Error).message, value).toMatch(message);
    }
  });
});
