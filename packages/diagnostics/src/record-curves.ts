import { first, type Observable, type Subscription } from 'rxjs';
import { ofType, type AnnealEvent, type EventOf } from '@anneal/core';
import type { BatchPoint, Divergence, EpochPoint, RatioPoint, RunCurves } from './curves.js';

/**
 * Collects a Trainer's learning curves from its events: batch losses and learning rates, the
 * per-epoch loss mean/std and metrics, update/weight ratios on steps that computed norms, and a
 * non-finite loss. Epochs are the events' 1-based epoch numbers, steps their 0-based steps.
 *
 * @example
 * const recorder = new CurveRecorder(trainer.events$, { plannedEpochs: 10, classes: 10 });
 * await trainer.fit();
 * diagnose(recorder.curves());
 */
export class CurveRecorder {
  private readonly epochs: EpochPoint[] = [];
  private readonly batches: BatchPoint[] = [];
  private readonly ratios: RatioPoint[] = [];
  private divergence: Divergence | undefined;
  private ended = false;
  private readonly subscription: Subscription;

  constructor(events$: Observable<AnnealEvent>, private readonly info: { plannedEpochs?: number; classes?: number } = {}) {
    this.subscription = events$.pipe(ofType('batch:end')).subscribe((e) => this.batch(e));
    this.subscription.add(events$.pipe(ofType('epoch:end')).subscribe((e) => this.epoch(e)));
    // the first non-finite loss is the divergence
    this.subscription.add(events$.pipe(ofType('error'), first()).subscribe((e) => (this.divergence = { step: e.step ?? this.batches.length, epoch: e.epoch, message: e.message, tensor: e.tensor })));
    this.subscription.add(events$.pipe(ofType('run:end')).subscribe(() => (this.ended = true)));
  }

  private batch(e: EventOf<'batch:end'>): void {
    this.batches.push({ step: e.step, epoch: e.epoch, loss: e.loss, lr: e.lr });
    if (e.norms) {
      const ratios: Record<string, number> = {};
      for (const [name, n] of Object.entries(e.norms)) if (n.weight > 0) ratios[name] = n.update / n.weight;
      this.ratios.push({ step: e.step, ratios });
    }
  }

  private epoch(e: EventOf<'epoch:end'>): void {
    const last = this.batches.at(-1);
    this.epochs.push({
      epoch: e.epoch,
      step: e.step,
      trainLoss: e.train.loss.mean,
      trainLossStd: e.train.loss.std,
      valLoss: e.val?.loss.mean,
      trainAccuracy: e.train.metrics.accuracy,
      valAccuracy: e.val?.metrics.accuracy,
      lr: last?.epoch === e.epoch ? last.lr : undefined,
    });
  }

  /** The curves so far (`finished` once the run ended or diverged). */
  curves(): RunCurves {
    return {
      epochs: [...this.epochs],
      batches: [...this.batches],
      ratios: [...this.ratios],
      divergence: this.divergence,
      plannedEpochs: this.info.plannedEpochs,
      classes: this.info.classes,
      finished: this.ended || !!this.divergence,
    };
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}
