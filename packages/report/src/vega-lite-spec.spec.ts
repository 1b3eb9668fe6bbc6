import { describe, expect, it } from 'vitest';
import { ChartError } from './errors.js';
import { chartGridVegaLite, lineChartVegaLite } from './vega-lite-spec.js';
import type { LineChartSpec } from './types.js';

const spec: LineChartSpec = {
  title: 'loss',
  x: { label: 'epoch' },
  y: { label: 'loss', zero: true },
  series: [
    { name: 'batch', mark: 'points', opacity: 0.3, points: [{ x: 0.5, y: 1 }] },
    { name: 'train', mark: 'line+points', points: [{ x: 1, y: 1, lo: 0.5, hi: 1.5 }, { x: 2, y: 0.5, lo: 0.4, hi: 0.6 }] },
    { name: 'val', points: [{ x: 1, y: 1.2 }] },
  ],
};

/** [mark type, series name] of every layer, in drawing order. */
function layers(vl: ReturnType<typeof lineChartVegaLite>): [string, string][] {
  const json = JSON.parse(JSON.stringify(vl)) as { layer: { mark: { type: string }; data: { values: { series: string }[] } }[] };
  return json.layer.map((l) => [l.mark.type, l.data.values[0].series]);
}

describe('lineChartVegaLite', () => {
  it('draws bands first, then scatter-only series, then lines and their points', () => {
    expect(layers(lineChartVegaLite(spec))).toEqual([
      ['area', 'train'],
      ['point', 'batch'],
      ['line', 'train'],
      ['point', 'train'],
      ['line', 'val'],
    ]);
  });

  it('keys colours by series name in series order and fits the requested outer size', () => {
    const vl = lineChartVegaLite(spec) as { width: number; height: number; autosize: unknown; layer: { encoding: { color: { scale: { domain: string[] } } } }[] };
    expect(vl.layer[0].encoding.color.scale.domain).toEqual(['batch', 'train', 'val']);
    expect([vl.width, vl.height]).toEqual([640, 360]);
    expect(vl.autosize).toEqual({ type: 'fit', contains: 'padding' });
  });

  it('maps log axes to log scales and y.zero to a zero-including linear scale', () => {
    const lin = lineChartVegaLite(spec) as { layer: { encoding: { x: { scale: unknown }; y: { scale: unknown } } }[] };
    expect(lin.layer[1].encoding.y.scale).toEqual({ type: 'linear', zero: true });
    expect(lin.layer[1].encoding.x.scale).toEqual({ type: 'linear', zero: false });
    const log = lineChartVegaLite({ ...spec, x: { label: 'step', log: true }, y: { label: 'lr', log: true } }) as typeof lin;
    expect(log.layer[1].encoding.y.scale).toEqual({ type: 'log' });
    expect(log.layer[1].encoding.x.scale).toEqual({ type: 'log' });
  });

  it('fixes an axis to a given domain, without nice rounding past it', () => {
    const vl = lineChartVegaLite({ ...spec, x: { label: 'epoch', domain: [0, 5] } }) as { layer: { encoding: { x: { scale: unknown } } }[] };
    for (const l of vl.layer) expect(l.encoding.x.scale).toEqual({ type: 'linear', zero: false, domain: [0, 5], nice: false });
  });

  it('is plain JSON (what an HTML report embeds)', () => {
    const vl = lineChartVegaLite(spec);
    expect(JSON.parse(JSON.stringify(vl))).toEqual(vl);
  });
});

describe('chartGridVegaLite', () => {
  it('concatenates charts with independent scales and legends', () => {
    const vl = chartGridVegaLite({ title: 'run', charts: [spec, { ...spec, title: 'other' }], columns: 1 }) as {
      columns: number; concat: { title: string }[]; resolve: unknown;
    };
    expect(vl.columns).toBe(1);
    expect(vl.concat.map((c) => c.title)).toEqual(['loss', 'other']);
    expect(vl.resolve).toEqual({ scale: { x: 'independent', y: 'independent', color: 'independent' }, legend: { color: 'independent' } });
  });

  it('refuses an empty grid and a bad column count', () => {
    expect(() => chartGridVegaLite({ title: 'run', charts: [] })).toThrow(ChartError);
    expect(() => chartGridVegaLite({ title: 'run', charts: [spec], columns: 0 })).toThrow(/columns must be an integer >= 1, got 0/);
  });
});
