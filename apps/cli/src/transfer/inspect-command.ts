import { InvalidArgumentError } from 'commander';
import type { Executor } from '@anneal/onnx';
import type { GradientRegistry } from '@anneal/autograd';
import { formatModelReport, inspectModel } from '@anneal/transfer';

/** Options of `anneal inspect`. */
export interface InspectCommandOptions {
  /** Input dims for the probe run, batch first. */
  inputShape?: number[];
  /** Feature candidates to list. */
  limit?: number;
  /** Print the report as JSON instead of text. */
  json?: boolean;
}

/**
 * Parses `--input-shape`: positive integers joined by `x` (or commas), batch first.
 *
 * @example parseInputShape('1x3x48x192') // [1, 3, 48, 192]
 */
export function parseInputShape(value: string): number[] {
  const parts = value.trim().split(/[x,×]/i);
  const dims = parts.map((p) => Number(p.trim()));
  if (value.trim() === '' || parts.some((p) => p.trim() === '') || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(`--input-shape must be positive integers joined by 'x', batch first (e.g. 1x3x224x224), got '${value}'`);
  }
  return dims;
}

/**
 * `anneal inspect <model>`: what a downloaded backbone offers for transfer learning, as text
 * (or JSON): inputs/outputs, ops with gradient coverage, parameters, feature tensors to cut at
 * and the ops that would block fine-tuning.
 *
 * @example const text = await inspectCommand('backbone.onnx', { inputShape: [1, 3, 224, 224] });
 */
export async function inspectCommand(model: string, options: InspectCommandOptions, deps: { executor?: Executor; registry?: GradientRegistry } = {}): Promise<string> {
  const report = await inspectModel(model, { probeInput: options.inputShape, limit: options.limit, executor: deps.executor, registry: deps.registry });
  return options.json ? JSON.stringify(report, null, 2) : formatModelReport(report);
}
