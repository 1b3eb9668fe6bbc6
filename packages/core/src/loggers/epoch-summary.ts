import type { EventOf } from '../events.js';

/** `epoch 3/12  loss 0.1234 ± 0.0456  accuracy 96.10%  val loss 0.1100 accuracy 96.85%  4.2 s`. */
export function epochSummary(e: EventOf<'epoch:end'>, epochs: number): string {
  const fmt = (name: string, v: number) => (name.startsWith('top') || name === 'accuracy' ? `${name} ${(v * 100).toFixed(2)}%` : `${name} ${v.toFixed(4)}`);
  const parts = [`epoch ${e.epoch}/${epochs}`, `loss ${e.train.loss.mean.toFixed(4)} ± ${e.train.loss.std.toFixed(4)}`];
  for (const [k, v] of Object.entries(e.train.metrics)) if (Number.isFinite(v)) parts.push(fmt(k, v));
  if (e.val) parts.push(`val loss ${e.val.loss.mean.toFixed(4)}`, ...Object.entries(e.val.metrics).map(([k, v]) => fmt(k, v)));
  parts.push(`${(e.durationMs / 1000).toFixed(1)} s`);
  return parts.join('  ');
}
