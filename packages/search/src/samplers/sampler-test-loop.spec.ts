import { describe, expect, it } from 'vitest';
import { DistributionError, TrialStateError } from '../errors.js';
import type { Distribution, FrozenTrial, ParamValue, Sampler, StudyView } from '../types.js';
import { SamplerLoop, runSamplerLoop } from './sampler-test-loop.js';

const X: Distribution = { kind: 'float', low: 0, high: 1 };
const Y: Distribution = { kind: 'int', low: 0, high: 9 };

/** Records every call; relative space {x: X}, relative value x = 0.25, independent values 0.5 / 5. */
class Recorder implements Sampler {
  readonly name = 'recorder';
  readonly calls: string[] = [];
  readonly views: StudyView[] = [];
  inferRelativeSpace(study: StudyView, trial: FrozenTrial): Record<string, Distribution> {
    this.calls.push(`infer ${trial.number}`);
    this.views.push(study);
    return { x: X };
  }
  sampleRelative(_s: StudyView, trial: FrozenTrial): Record<string, ParamValue> {
    this.calls.push(`relative ${trial.number}`);
    return { x: 0.25 };
  }
  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, d: Distribution): ParamValue {
    this.calls.push(`independent ${trial.number} ${name} [${Object.keys(trial.params).join(',')}]`);
    this.views.push(study);
    return d.kind === 'int' ? 5 : 0.5;
  }
  afterTrial(study: StudyView, trial: FrozenTrial): void {
    this.calls.push(`after ${trial.number} ${trial.state} (${study.trials.length} trials)`);
  }
}

describe('SamplerLoop', () => {
  it('calls relative sampling once at the start, then independent sampling for what it does not cover, then afterTrial', () => {
    const sampler = new Recorder();
    const trials = runSamplerLoop(sampler, (t) => {
      t.suggest('x', X);
      t.suggest('y', Y);
      t.suggest('x', X); // asked again: the stored value, no sampler call
      return 1;
    }, 2);
    expect(sampler.calls).toEqual([
      'infer 0', 'relative 0', 'independent 0 y [x]', 'after 0 complete (1 trials)',
      'infer 1', 'relative 1', 'independent 1 y [x]', 'after 1 complete (2 trials)',
    ]);
    expect(trials.map((t) => t.params)).toEqual([{ x: 0.25, y: 5 }, { x: 0.25, y: 5 }]);
    // one snapshot per trial, taken at its start, with the trial itself running in it
    expect(sampler.views[2]).toBe(sampler.views[3]);
    expect(sampler.views[2]!.trials.map((t) => t.state)).toEqual(['complete', 'running']);
  });

  it('samples independently when the objective asks for a relative parameter with another distribution', () => {
    const sampler = new Recorder();
    runSamplerLoop(sampler, (t) => (t.suggest('x', { kind: 'float', low: 0, high: 2 }), 0), 1);
    expect(sampler.calls).toContain('independent 0 x []');
  });

  it('records pruned trials with their last intermediate value, failed ones without a value, and runs trials in parallel', () => {
    const loop = new SamplerLoop(new Recorder(), { direction: 'maximize' });
    const a = loop.start();
    const b = loop.start();
    a.report(0, 3);
    a.report(4, 1.5);
    expect(a.finish({ state: 'pruned' })).toMatchObject({ state: 'pruned', value: 1.5, number: 0 });
    expect(b.finish({ state: 'fail' }).value).toBeUndefined();
    expect(() => b.suggest('x', X)).toThrow(TrialStateError);
    expect(loop.view()).toMatchObject({ direction: 'maximize' });
  });

  it('rejects sampler values outside the distribution and relative parameters outside the relative space', () => {
    const bad: Sampler = { name: 'bad', sampleIndependent: () => 7 };
    expect(() => runSamplerLoop(bad, { x: X }, 1)).toThrow(DistributionError);
    expect(() => runSamplerLoop(bad, { x: X }, 1)).toThrow(/sampler 'bad' returned 7, outside float \[0, 1\]/);
    const stray: Sampler = { name: 'stray', inferRelativeSpace: () => ({ x: X }), sampleRelative: () => ({ z: 1 }), sampleIndependent: () => 0 };
    expect(() => new SamplerLoop(stray).start()).toThrow(/outside its relative space/);
  });

  it('continues the numbering of given trials and insists they are dense', () => {
    const first = runSamplerLoop(new Recorder(), { y: Y }, 2);
    const more = runSamplerLoop(new Recorder(), { y: Y }, 1, 'minimize', { trials: first });
    expect(more[0]!.number).toBe(2);
    expect(() => new SamplerLoop(new Recorder(), { trials: [first[1]!] })).toThrow(/number 1, expected 0/);
  });
});
