import type { GradientRegistry, Loss, LossContext, LossDescriptor } from '@anneal/autograd';
import { DataType, GraphBuilder, type ModelProto, type TensorValue } from '@anneal/onnx';
import { expect } from 'vitest';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';
import { randn } from './fixtures.js';

/** Inputs of {@link describeLossConformance}. */
export interface LossConformanceCases {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /** Classes of the task: the context's `classes` and the width of the logits (default 4). */
  readonly classes?: number;
  /** Examples of the batch (default 5). */
  readonly batch?: number;
  /**
   * Labels for a batch (default: int64 class ids [n] for INT64 losses, float targets in (0, 1)
   * of the logits' shape [n, classes] for FLOAT ones).
   */
  readonly labels?: (loss: Loss, n: number, classes: number) => TensorValue;
  /** Gradient rules the loss's ops need besides the built-in ones. */
  readonly registry?: () => GradientRegistry;
  /** Bound on the relative error of the gradient against central differences in float64 (default 1e-6; 2e-2 when ORT has no float64 kernel). */
  readonly tolerance?: number;
}

function defaultLabels(loss: Loss, n: number, classes: number): TensorValue {
  if (loss.labels === DataType.INT64) return { dataType: DataType.INT64, dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7 + 1) % classes)) };
  return { dataType: DataType.FLOAT, dims: [n, classes], data: Float32Array.from(randn(n * classes, 23), (v) => 1 / (1 + Math.exp(-2 * v))) };
}

/** logits (input [N, classes]) -> loss -> the scalar output `loss`. */
function lossModel(loss: Loss, labels: TensorValue, classes: number): { model: ModelProto; output: string } {
  const b = new GraphBuilder({ opset: 17, name: 'loss_conformance' });
  b.input('logits', DataType.FLOAT, ['N', classes]);
  b.input('labels', labels.dataType, labels.dims.map((d, i) => (i === 0 ? 'N' : d)));
  const output = loss.emit(b, 'logits', 'labels');
  b.output(output, DataType.FLOAT, []);
  return { model: b.build(), output };
}

/** The checks {@link describeLossConformance} runs (ONNX Runtime and the gradient registry load when a check runs). */
export function lossConformanceChecks<O>(descriptor: LossDescriptor<O>, cases: LossConformanceCases): ConformanceCheck[] {
  const classes = cases.classes ?? 4;
  const n = cases.batch ?? 5;
  const context: LossContext = { path: 'loss', build: noNestedSpecs('loss'), classes };
  const create = (options: unknown): Loss => descriptor.create(parseOptions(descriptor, options), context);
  const labelsOf = cases.labels ?? defaultLabels;
  const logits = (rows: number): TensorValue => ({ dataType: DataType.FLOAT, dims: [rows, classes], data: randn(rows * classes, 31, 1.5) });
  /** The batch followed by itself (rows along axis 0). */
  const twice = (t: TensorValue): TensorValue => {
    const data = t.data instanceof BigInt64Array ? new BigInt64Array(t.data.length * 2) : new Float32Array(t.data.length * 2);
    for (const offset of [0, t.data.length]) (data as { set(values: ArrayLike<unknown>, offset: number): void }).set(t.data, offset);
    return { dataType: t.dataType, dims: [t.dims[0]! * 2, ...t.dims.slice(1)], data };
  };
  const forward = async (loss: Loss, feeds: { logits: TensorValue; labels: TensorValue }): Promise<TensorValue> => {
    const { ortExecutor } = await import('@anneal/runtime');
    const executor = ortExecutor({ intraOpThreads: 1 });
    try {
      const { model, output } = lossModel(loss, feeds.labels, classes);
      return (await executor.run(model, feeds, [output]))[output]!;
    } finally {
      await executor.release();
    }
  };

  const checks = descriptorContractChecks<Loss>(descriptor, {
    kind: 'loss',
    valid: cases.valid,
    invalid: cases.invalid,
    create: (options) => descriptor.create(options as O, context),
    independence: {
      use: (loss) => loss.emit(new GraphBuilder({ opset: 17 }), 'logits', 'labels'),
      observe: (loss) => lossModel(loss, labelsOf(loss, n, classes), classes).model,
    },
  });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push(
      {
        title: `${label}: declares int64 class ids or float targets and emits a finite scalar`,
        async run() {
          const loss = create(options);
          expect([DataType.INT64, DataType.FLOAT], 'labels must be DataType.INT64 (class ids) or DataType.FLOAT (targets)').toContain(loss.labels);
          expect(typeof loss.classification).toBe('boolean');
          const value = await forward(loss, { logits: logits(n), labels: labelsOf(loss, n, classes) });
          expect(value.dims, 'the loss must be a scalar (dims [])').toEqual([]);
          expect(Number.isFinite(Number(value.data[0])), `loss ${value.data[0]}`).toBe(true);
        },
      },
      {
        title: `${label}: is a mean over the batch (the batch repeated twice gives the same loss)`,
        async run() {
          const loss = create(options);
          const feeds = { logits: logits(n), labels: labelsOf(loss, n, classes) };
          const once = Number((await forward(loss, feeds)).data[0]);
          const doubled = Number((await forward(loss, { logits: twice(feeds.logits), labels: twice(feeds.labels) })).data[0]);
          expect(Math.abs(doubled - once), `loss ${once} for the batch, ${doubled} for it twice: a sum, not a mean (the train step and micro-batching assume the mean loss of a batch)`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(once)));
        },
      },
      {
        title: `${label}: d loss / d logits matches central finite differences (checkGradients, float64 where ORT has the kernels)`,
        async run() {
          const [{ checkGradients, defaultGradientRegistry }, { ortExecutor }] = await Promise.all([import('@anneal/autograd'), import('@anneal/runtime')]);
          const loss = create(options);
          const labels = labelsOf(loss, n, classes);
          const { model, output } = lossModel(loss, labels, classes);
          const executor = ortExecutor({ intraOpThreads: 1 });
          try {
            const r = await checkGradients({ model, loss: output, wrt: ['logits'], feeds: { logits: logits(n), labels }, executor, registry: cases.registry?.() ?? defaultGradientRegistry(), samplesPerTensor: n * classes });
            const g = Array.from(r.gradients.logits!.data as Float64Array, Number);
            expect(g.some((v) => v !== 0), 'the gradient is zero everywhere: the check proves nothing; change the labels or the options').toBe(true);
            const tolerance = cases.tolerance ?? (r.precision === 'double' ? 1e-6 : 2e-2);
            expect(r.maxRelError, `worst relative error ${r.maxRelError.toExponential(2)} (${r.precision}) over ${r.tensors[0]!.checked} coordinates`).toBeLessThan(tolerance);
          } finally {
            await executor.release();
          }
        },
      },
    );
  });
  return checks;
}

/**
 * Declares vitest blocks that check a loss descriptor against the plugin contract and, for every
 * valid option set: its labels are int64 class ids or float targets; it emits a finite scalar
 * (run in onnxruntime-node); it is a mean over the batch (a repeated batch gives the same
 * value); and the gradient the registry builds for it w.r.t. the logits matches central finite
 * differences (`checkGradients`, float64; relative error below 1e-6).
 *
 * @example
 * ```ts
 * // my-loss.spec.ts
 * import { describeLossConformance } from '@anneal/testing';
 * describeLossConformance(focalLoss, { valid: [{}, { gamma: 2 }], invalid: [{ gamma: -1 }] });
 * ```
 */
export function describeLossConformance<O>(descriptor: LossDescriptor<O>, cases: LossConformanceCases): void {
  describeChecks(`loss conformance: ${descriptor.id}`, lossConformanceChecks(descriptor, cases));
}
