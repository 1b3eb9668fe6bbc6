import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tuneOcrDigits } from './pipeline.js';

it("runs the README's custom pipeline: a TPE study over a PaddleOCR backbone with a new head, a plugin scheduler and a custom callback", async () => {
  const out = mkdtempSync(join(tmpdir(), 'custom-pipeline-'));
  try {
    const s = await tuneOcrDigits({ perDigit: 16, epochs: 3, trials: 3, out });
    expect(s.trials.complete + s.trials.pruned).toBe(3);
    expect(s.best!.params['schedules[0].schedule.max']).toBeGreaterThan(0.005);
    // ten digits from 80 training images through a frozen text-direction model: far above chance (10%)
    expect(s.best!.value).toBeGreaterThan(0.3);
    expect(s.best!.test!.count).toBe(40);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
