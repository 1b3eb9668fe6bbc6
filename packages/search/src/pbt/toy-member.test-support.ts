import { readFileSync, writeFileSync } from 'node:fs';
import type { ParamValue } from '../types.js';
import type { PbtMember } from './pbt-member.js';

/** How a {@link ToyMember}'s interval behaves besides training. */
export interface ToyMemberOptions {
  /** Milliseconds each interval takes (so that runners sharing a study interleave). */
  delayMs?: number;
  /** An interval of a generation this answers yes to never returns (a stopped process). */
  hang?: (generation: number) => boolean;
}

/**
 * The PBT specs' member: gradient descent on (w − 3)², 3 steps per interval, score −(w − 3)²; too
 * small an lr is slow, above 1 it diverges. `ToyMember.crash` makes one interval throw once.
 */
export class ToyMember implements PbtMember {
  w = 0;
  steps = 0;
  lr = 0;
  batch: ParamValue = 16;
  static crash: { member: number; generation: number } | undefined;

  constructor(
    readonly index: number,
    private readonly options: ToyMemberOptions = {},
  ) {}

  async train(): Promise<number> {
    const generation = this.steps / 3;
    if (ToyMember.crash?.member === this.index && ToyMember.crash.generation === generation) {
      ToyMember.crash = undefined;
      throw new Error('simulated crash');
    }
    if (this.options.hang?.(generation)) await new Promise(() => {});
    if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
    for (let k = 0; k < 3; k++, this.steps++) this.w -= this.lr * 2 * (this.w - 3);
    return -((this.w - 3) ** 2);
  }

  async save(path: string): Promise<void> {
    writeFileSync(path, JSON.stringify({ w: this.w, steps: this.steps }));
  }

  async load(path: string): Promise<void> {
    Object.assign(this, JSON.parse(readFileSync(path, 'utf8')) as { w: number; steps: number });
  }

  hyperparameters() {
    return { lr: this.lr, batch: this.batch };
  }

  setHyperparameters(h: Readonly<Record<string, ParamValue>>): void {
    this.lr = h.lr as number;
    this.batch = h.batch!;
  }
}
