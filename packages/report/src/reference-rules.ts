import type { LayerEntry } from './vega-lite-base.js';

/** A labelled reference line across the plot. */
export interface ReferenceRule {
  value: number;
  label: string;
  color: string;
  dash?: number[];
}

/**
 * Two layers that draw reference rules (horizontal for axis `'y'`, vertical for `'x'`) and their
 * labels, on the field `field` of the chart's shared scale. Vertical labels sit at the top,
 * stacked 13 px apart so neighbouring rules stay readable; horizontal ones at the right end.
 */
export function referenceRuleLayers(axis: 'x' | 'y', field: string, rules: readonly ReferenceRule[]): LayerEntry[] {
  const values = rules.map((r, i) => ({ [field]: r.value, label: r.label, color: r.color, dash: r.dash ?? [], row: i }));
  const position = { field, type: 'quantitative' } as const;
  const color = { field: 'color', type: 'nominal', scale: null } as const;
  const rule: LayerEntry = {
    data: { values },
    mark: { type: 'rule', strokeWidth: 1.5, aria: false },
    encoding: { [axis]: position, color, strokeDash: { field: 'dash', type: 'nominal', scale: null, legend: null } },
  };
  const text: LayerEntry =
    axis === 'x'
      ? {
          data: { values },
          transform: [{ calculate: '6 + 13 * datum.row', as: 'labelY' }],
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, fontSize: 11 },
          encoding: { x: position, y: { field: 'labelY', type: 'quantitative', scale: null }, text: { field: 'label' }, color },
        }
      : {
          data: { values },
          mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 11 },
          encoding: { y: position, x: { value: 'width' }, text: { field: 'label' }, color },
        };
  return [rule, text];
}
