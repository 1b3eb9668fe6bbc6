import { describe, expect, it } from 'vitest';
import type { RunIo } from '@anneal/core';
import { compileBar, describeCompile } from './compile-bar.js';

describe('compileBar', () => {
  it('draws one bar per compile phase, moves it node by node, and times each phase', () => {
    const drawn: string[] = [];
    const io: RunIo = {
      out: () => {},
      err: () => {},
      bar: (label, total, done = 0) => {
        drawn.push(`start ${label} ${done}/${total}`);
        return { update: (d) => drawn.push(`${label} ${d}`), stop: () => drawn.push(`stop ${label}`) };
      },
    };
    let t = 0;
    const bar = compileBar(io, () => t);
    bar.onProgress('probe', 0, 1);
    t += 500;
    bar.onProgress('probe', 1, 1);
    bar.onProgress('backward', 0, 3);
    for (let i = 1; i <= 3; i++) {
      t += 1000;
      bar.onProgress('backward', i, 3);
    }
    bar.onProgress('update', 0, 1);
    t += 250;
    bar.onProgress('session', 0, 2);
    t += 2000;
    bar.onProgress('session', 2, 2);
    const times = bar.finish();
    expect(drawn).toEqual([
      'start compiling: shape probe 0/1', 'compiling: shape probe 0', 'compiling: shape probe 1', 'stop compiling: shape probe',
      'start compiling: backward 0/3', 'compiling: backward 0', 'compiling: backward 1', 'compiling: backward 2', 'compiling: backward 3', 'stop compiling: backward',
      'start compiling: optimizer update 0/1', 'compiling: optimizer update 0', 'stop compiling: optimizer update',
      'start compiling: ONNX Runtime sessions 0/2', 'compiling: ONNX Runtime sessions 0', 'compiling: ONNX Runtime sessions 2', 'stop compiling: ONNX Runtime sessions',
    ]);
    expect(times).toEqual({ seconds: 5.75, phases: { probe: 0.5, backward: 3, update: 0.25, session: 2 }, backwardNodes: 3 });
    expect(describeCompile(times)).toBe('train step compiled in 5.8 s (shape probe 0.5 s, backward 3.0 s over 3 nodes, update 0.3 s, sessions 2.0 s)');
  });

  it('draws nothing without a terminal and stops a bar a failed compile left open', () => {
    const bar = compileBar({ out: () => {}, err: () => {} });
    bar.onProgress('backward', 1, 10);
    bar.stop();
    bar.stop();
    expect(bar.finish().phases.backward).toBeGreaterThanOrEqual(0);
  });
});
