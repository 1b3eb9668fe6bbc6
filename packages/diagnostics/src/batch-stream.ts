import type { Batch } from '@anneal/core';
import type { ProbeTarget } from './target.js';

/** `count` training batches, epoch after epoch (each epoch in its own fixed order). */
export function* batchStream(target: ProbeTarget, count: number): Generator<Batch> {
  let given = 0;
  for (let epoch = 0; given < count; epoch++) {
    let any = false;
    for (const b of target.trainBatches(epoch)) {
      any = true;
      yield b;
      if (++given >= count) return;
    }
    if (!any) return;
  }
}
