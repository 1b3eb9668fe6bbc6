import { describe, expect, it } from 'vitest';
import { attr, markElements, svgTexts, textElement, translate } from './chart-test-helpers.js';
import { ChartError } from './errors.js';
import { gridChart, type GridCell } from './grid-chart.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

const cells: GridCell[] = [];
for (const lr of [1e-2, 1e-3, 3e-3]) {
  for (const weightDecay of [1e-4, 0, 1e-3]) cells.push({ lr, weightDecay, state: 'complete', value: 0.8 + 10 * lr - 20 * weightDecay });
}
cells[0] = { ...cells[0], state: 'pruned', value: 0.5 }; // lr 1e-2, wd 1e-4
cells[2] = { lr: 1e-2, weightDecay: 1e-3, state: 'failed' };

/** The bounding box of a rect mark's path `M x,y h w v h ...`. */
const box = (path: string) => {
  const m = /d="M([-\d.]+),([-\d.]+)h([-\d.]+)v([-\d.]+)/.exec(path);
  if (!m) throw new Error(`not a rect path: ${path.slice(0, 80)}`);
  return { x: +m[1], y: +m[2], w: +m[3], h: +m[4] };
};

describe('gridChart', () => {
  it('lays learning rates across and weight decays up in numeric order with short labels', async () => {
    const svg = await vegaLiteSvg(gridChart(cells, { metric: 'val accuracy', direction: 'maximize' }), 'grid');
    const xs = ['1e-3', '3e-3', '1e-2'].map((t) => translate(textElement(svg, t)).x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    const ys = ['0', '1e-4', '1e-3'].map((t) => translate(textElement(svg, t)).y);
    expect(ys).toEqual([...ys].sort((a, b) => b - a)); // 0 at the bottom
    for (const t of ['Grid search: val accuracy', 'learning rate', 'weight decay', 'val accuracy (higher is better)']) {
      expect(svgTexts(svg)).toContain(t);
    }
  });

  it('colours complete cells, greys pruned and failed ones and labels every cell', async () => {
    const svg = await vegaLiteSvg(gridChart(cells, { metric: 'val accuracy', direction: 'maximize' }), 'grid');
    const rects = markElements(svg, 'rect');
    expect(rects).toHaveLength(2 + 7 + 1); // grey cells, coloured cells, best outline
    expect(rects.filter((r) => attr(r, 'fill') === '#e5e5e5')).toHaveLength(2);
    const labels = markElements(svg, 'text').map((t) => />([^<]*)<\/text>$/.exec(t)?.[1]);
    expect(labels).toHaveLength(9);
    expect(labels).toEqual(expect.arrayContaining(['pruned', 'failed', '0.9', '0.808', '0.828', '0.79']));
    expect(labels).not.toContain('0.5'); // a pruned trial's value is not shown
  });

  it('outlines the best complete cell in the metric direction', async () => {
    const best = { maximize: 'lr 1e-2, weight decay 0 → 0.9', minimize: 'lr 1e-3, weight decay 1e-3 → 0.79' };
    for (const direction of ['maximize', 'minimize'] as const) {
      const svg = await vegaLiteSvg(gridChart(cells, { metric: 'acc', direction }), 'grid');
      expect(svgTexts(svg)).toContain(`best (outlined): ${best[direction]}`);
      const outline = markElements(svg, 'rect').find((r) => attr(r, 'stroke') === 'black') ?? '';
      expect(attr(outline, 'stroke-width')).toBe('3');
      const value = best[direction].split('→ ')[1];
      const label = markElements(svg, 'text').find((t) => t.endsWith(`>${value}</text>`)) ?? '';
      const b = box(outline);
      const at = translate(label);
      expect(at.x).toBeGreaterThan(b.x);
      expect(at.x).toBeLessThan(b.x + b.w);
      expect(at.y).toBeGreaterThan(b.y);
      expect(at.y).toBeLessThan(b.y + b.h);
    }
  });

  it('says so when no cell is complete yet, and refuses duplicates and bad cells', async () => {
    const svg = await vegaLiteSvg(gridChart([{ lr: 1e-3, weightDecay: 0, state: 'pruned' }], { metric: 'acc', direction: 'maximize' }), 'grid');
    expect(svgTexts(svg)).toContain('no complete trial with a value yet');
    expect(() => gridChart([cells[1], cells[1]], { metric: 'acc', direction: 'maximize' })).toThrow(/appears twice/);
    expect(() => gridChart([{ lr: -1, weightDecay: 0, state: 'complete' }], { metric: 'acc', direction: 'maximize' })).toThrow(ChartError);
    expect(() => gridChart([], { metric: 'acc', direction: 'maximize' })).toThrow(/no cells to plot/);
  });
});
