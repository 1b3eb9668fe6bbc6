import { describe, expect, it } from 'vitest';
import { accuracyChart } from './accuracy-chart.js';
import { ChartError } from './errors.js';

describe('accuracyChart', () => {
  it('plots train and validation accuracy per epoch where present', () => {
    const spec = accuracyChart([
      { epoch: 1, trainAccuracy: 0.6, valAccuracy: 0.55 },
      { epoch: 2, trainAccuracy: 0.8 },
      { epoch: 3, trainAccuracy: 0.9, valAccuracy: 0.85 },
    ]);
    expect(spec).toMatchObject({ title: 'Accuracy', x: { label: 'epoch' }, y: { label: 'accuracy' } });
    expect(spec.series.map((s) => [s.name, s.points])).toEqual([
      ['train accuracy', [{ x: 1, y: 0.6 }, { x: 2, y: 0.8 }, { x: 3, y: 0.9 }]],
      ['val accuracy', [{ x: 1, y: 0.55 }, { x: 3, y: 0.85 }]],
    ]);
  });

  it('leaves out a series no epoch has', () => {
    expect(accuracyChart([{ epoch: 1, valAccuracy: 0.5 }]).series.map((s) => s.name)).toEqual(['val accuracy']);
  });

  it('refuses epochs without any accuracy', () => {
    expect(() => accuracyChart([{ epoch: 1 }])).toThrow(ChartError);
    expect(() => accuracyChart([])).toThrow(/no epoch has trainAccuracy or valAccuracy \(0 epochs given\)/);
  });
});
