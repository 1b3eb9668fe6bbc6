import { AttributeType, type GraphBuilder, type GraphProto, type TensorProto } from '@anneal/onnx';
import { tensorValueInfo } from '@anneal/onnx';
import { BackwardError } from './errors.js';

/**
 * How BatchNormalization nodes behave in a train step:
 * - `as-exported`: as the model says (inference mode uses running statistics, training mode batch statistics);
 * - `train`: batch statistics, running statistics updated every step (PyTorch's `model.train()`);
 * - `frozen`: running statistics, never updated (PyTorch's `bn.eval()` while fine-tuning).
 */
export type BatchNormMode = 'as-exported' | 'train' | 'frozen';

/** A running statistic carried between steps: fed as `input`, its next value is the output `output`. */
export interface RunningStatistic {
  input: string;
  output: string;
  initial: TensorProto;
}

/**
 * Puts the graph's BatchNormalization nodes in the requested mode. Nodes that end up in training
 * mode get their running mean/var outputs declared, and running statistics stored as initializers
 * become graph inputs whose next values are graph outputs, so they are carried as state (ORT would
 * otherwise update the initializers in place, invisibly).
 */
export function applyBatchNormMode(b: GraphBuilder, graph: GraphProto, mode: BatchNormMode): RunningStatistic[] {
  const stats: RunningStatistic[] = [];
  for (const node of graph.node) {
    if (node.opType !== 'BatchNormalization') continue;
    const training = node.attribute.find((a) => a.name === 'training_mode');
    if (mode !== 'as-exported' && b.opset < 14) {
      throw new BackwardError(`BatchNormalization node '${node.name}': switching train/eval mode needs opset 14+ (the model has ${b.opset}); upgrade it with upgradeOpset(model, 17)`);
    }
    if (mode === 'frozen') {
      node.attribute = node.attribute.filter((a) => a.name !== 'training_mode');
      node.output = node.output.slice(0, 1);
      continue;
    }
    if (mode === 'train') {
      if (training) training.i = 1;
      else node.attribute.push({ name: 'training_mode', type: AttributeType.INT, i: 1, floats: [], ints: [], strings: [], tensors: [], graphs: [], sparseTensors: [], typeProtos: [] });
    }
    const isTraining = (node.attribute.find((a) => a.name === 'training_mode')?.i ?? 0) === 1;
    if (!isTraining) continue;
    for (const [k, what] of [[1, 'running_mean'], [2, 'running_var']] as const) {
      while (node.output.length <= k) node.output.push('');
      if (!node.output[k]) node.output[k] = b.uniqueName(`${node.name || 'bn'}_${what}`);
      const input = node.input[k + 2]!;
      const init = graph.initializer.find((t) => t.name === input);
      if (!init) continue;
      graph.initializer = graph.initializer.filter((t) => t !== init);
      graph.input.push(tensorValueInfo(input, init.dataType, init.dims));
      stats.push({ input, output: node.output[k]!, initial: init });
    }
  }
  return stats;
}
