import type { Loss, TrainStep } from '@anneal/autograd';
import { applyBatchNormMode } from '@anneal/autograd';
import { DataType, describeValueInfo, GraphBuilder, tensorValueInfo, type ModelProto, cloneModel } from '@anneal/onnx';
import { resolveLoss, type LossSpec } from './loss-spec.js';

export function opsetOf(model: ModelProto): number {
  return Number(model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 17);
}

/** The forward graph with trainable tensors and carried running statistics as inputs, BatchNormalization in inference mode. */
function forwardWithFedParameters(source: ModelProto, step: TrainStep): { model: ModelProto; b: GraphBuilder } {
  const model = cloneModel(source);
  const g = model.graph;
  const b = new GraphBuilder({ graph: g, opset: opsetOf(model) });
  applyBatchNormMode(b, g, 'frozen');
  const fed = new Map<string, { dataType: DataType; dims: number[] }>();
  for (const p of step.params) fed.set(p, step.initialParams[p]!);
  for (const r of step.runningStats) fed.set(r.input, r.initial);
  g.initializer = g.initializer.filter((t) => !fed.has(t.name ?? ''));
  for (const [name, t] of fed) g.input.push(tensorValueInfo(name, t.dataType, t.dims));
  return { model, b };
}

/**
 * Forward graph + loss + argmax prediction (`eval.loss`, `eval.prediction` for class labels) and
 * the logits, with trainable tensors and carried BatchNormalization running statistics as
 * inputs (fed from the state store); BatchNormalization in inference mode.
 */
export function buildEvalModel(source: ModelProto, step: TrainStep, lossSpec: LossSpec | Loss): ModelProto {
  const { model, b } = forwardWithFedParameters(source, step);
  const g = model.graph;
  const loss = resolveLoss(lossSpec);
  // the labels as the step declares them ([N] class ids, [N, K] targets) when the evaluation loss takes the same kind; else class ids [N]
  const stepLabels = step.model.graph.input.find((i) => i.name === 'labels');
  const declared = stepLabels ? describeValueInfo(stepLabels) : undefined;
  const labels = b.input('labels', loss.labels, (declared?.elemType === loss.labels ? declared.dims : undefined) ?? ['N']);
  const lossName = loss.emit(b, step.logits, labels);
  b.op('Identity', [lossName], {}, { output: 'eval.loss' });
  const logitsInfo = g.output.find((o) => o.name === step.logits) ?? tensorValueInfo(step.logits, DataType.FLOAT, undefined);
  g.output = [tensorValueInfo('eval.loss', DataType.FLOAT, []), logitsInfo];
  if (loss.classification) {
    b.op('ArgMax', [step.logits], { axis: 1, keepdims: 0 }, { output: 'eval.prediction' });
    g.output.push(tensorValueInfo('eval.prediction', DataType.INT64, ['N']));
  }
  return model;
}

/** The forward graph alone (logits out), parameters fed as inputs: for predictions without labels. */
export function buildPredictModel(source: ModelProto, step: TrainStep): ModelProto {
  const { model } = forwardWithFedParameters(source, step);
  const g = model.graph;
  g.output = [g.output.find((o) => o.name === step.logits) ?? tensorValueInfo(step.logits, DataType.FLOAT, undefined)];
  return model;
}
