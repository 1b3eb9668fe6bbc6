import { describe, expect, it } from 'vitest';
import { ChartError } from './errors.js';
import { lineChartSvg } from './render-svg.js';
import { scheduleChart } from './schedule-chart.js';
import { markPaths } from './test-helpers.js';

describe('scheduleChart', () => {
  it('plots values[i] at step firstStep + i, one line per schedule', () => {
    const spec = scheduleChart([{ name: 'lr', values: [0.1, 0.05, 0.025] }, { name: 'head lr', values: [1, 0.5, 0.25] }], { firstStep: 10 });
    expect(spec).toMatchObject({ title: 'Schedule', x: { label: 'step' }, y: { label: 'value' } });
    expect(spec.series[0]).toEqual({ name: 'lr', mark: 'line', points: [{ x: 10, y: 0.1 }, { x: 11, y: 0.05 }, { x: 12, y: 0.025 }] });
    expect(spec.series[1].name).toBe('head lr');
  });

  it('passes labels, title and a log y axis through', () => {
    const spec = scheduleChart([{ name: 'lr', values: [1] }], { title: 'cosine', xLabel: 'iteration', yLabel: 'learning rate', logY: true });
    expect(spec).toMatchObject({ title: 'cosine', x: { label: 'iteration' }, y: { label: 'learning rate', log: true } });
  });

  it('renders one line per schedule with the schedule names in the legend', async () => {
    const cosine = Array.from({ length: 50 }, (_, i) => 0.5 * (1 + Math.cos((Math.PI * i) / 49)));
    const svg = await lineChartSvg(scheduleChart([{ name: 'cosine', values: cosine }, { name: 'constant', values: cosine.map(() => 0.3) }]));
    const lines = markPaths(svg, 'line');
    expect(lines).toHaveLength(2);
    expect(lines[0].match(/[ML]/g)).toHaveLength(50);
    expect(svg).toContain('>cosine</text>');
    expect(svg).toContain('>constant</text>');
  });

  it('refuses no schedules and an empty schedule, naming the chart', () => {
    expect(() => scheduleChart([], { title: 'plot' })).toThrow("chart 'plot': no schedules to plot");
    return expect(lineChartSvg(scheduleChart([{ name: 'lr', values: [] }], { title: 'plot' }))).rejects.toThrow(ChartError);
  });
});
