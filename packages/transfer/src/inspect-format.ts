import type { ModelReport, TensorSummary } from './inspect.js';

const dimsText = (dims: readonly (number | string)[] | undefined) => (dims ? `[${dims.join(', ')}]` : '?');

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function countText(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** Left-aligned columns separated by two spaces; rows are indented by two. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  return rows.map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`.trimEnd());
}

const tensorRows = (list: readonly TensorSummary[]) => (list.length ? table(list.map((t) => [t.name, t.elemType, dimsText(t.dims)])) : ['  (none)']);

/**
 * Renders a {@link ModelReport} as text for a terminal: header, inputs and outputs, the op table
 * with gradient coverage, parameters, feature candidates and the ops that block fine-tuning.
 *
 * @example
 * console.log(formatModelReport(await inspectModel('backbone.onnx', { probeInput: [1, 3, 224, 224] })));
 */
export function formatModelReport(r: ModelReport): string {
  const blocking = new Set(r.unsupported.map((u) => u.op));
  const opsets = r.opsets.map((o) => `${o.domain} ${o.version}`).join(', ');
  const from = r.opsets.find((o) => o.domain === 'ai.onnx')?.version;
  const lines: string[] = [
    `${r.file} (${sizeText(r.bytes)})`,
    `  IR ${r.irVersion}, producer ${r.producer || '(none)'}, opsets ${opsets || '(none)'}`,
    `  prepared: opset ${from !== undefined && from !== r.prepared.opset ? `${from} -> ` : ''}${r.prepared.opset}, ${r.prepared.promotedConstants} Constant-node weights promoted to initializers`,
    '',
    `Inputs (${r.inputs.length})`,
    ...tensorRows(r.inputs),
    `Outputs (${r.outputs.length})`,
    ...tensorRows(r.outputs),
    '',
    `Ops (${r.nodes} nodes, ${r.ops.length} types)`,
    ...table([
      ['op', 'count', 'gradient'],
      ...r.ops.map((o) => [
        o.domain === 'ai.onnx' ? o.op : `${o.domain}.${o.op}`,
        String(o.count),
        o.gradient ? '✓' : blocking.has(o.domain === 'ai.onnx' ? o.op : `${o.domain}.${o.op}`) ? '✗ blocks fine-tuning' : '✗ (not on a trainable path)',
      ]),
    ]),
    '',
    `Parameters: ${r.parameters.tensors} tensors, ${countText(r.parameters.elements)} elements, ${sizeText(r.parameters.bytes)}; BatchNormalization nodes: ${r.batchNorms}`,
    ...r.parameters.largest.map((p) => `  ${p.name} ${dimsText(p.dims)}`),
    '',
  ];
  if (r.candidates.length === 0) {
    lines.push('Feature candidates: none found (no global pooling, flatten or linear layer with constant weights).');
  } else {
    lines.push('Feature candidates (where to cut; closest to the output first)');
    lines.push(
      ...table([
        ['#', 'tensor', 'producer', 'dims', 'to output', 'why'],
        ...r.candidates.map((c, k) => [String(k + 1), c.name, c.producer, dimsText(c.dims), String(c.distanceToOutput), c.reasons.join(', ')]),
      ]),
    );
  }
  lines.push('');
  if (r.blocks.length) {
    const shown = r.blocks.length > 16 ? [...r.blocks.slice(0, 4), undefined, ...r.blocks.slice(-10)] : r.blocks;
    lines.push(`Blocks (${r.blocks.length}, input side first; unfreezeTop / freezeBelow / layerDecay count these)`);
    lines.push(...shown.map((b) => (b ? `  ${String(b.index).padStart(3)} ${b.name} (${b.tensors} tensors, ${countText(b.elements)} elements)` : '  ...')));
    lines.push('');
  }
  if (r.unsupported.length === 0) {
    lines.push('Fine-tuning: every op between a parameter and an output has a gradient rule; all parameters can train.');
  } else {
    lines.push('Fine-tuning is blocked by ops without a gradient rule between a parameter and an output (feature extraction still works):');
    for (const u of r.unsupported) {
      const more = u.count > u.nodes.length ? `, … (${u.count} in all)` : '';
      lines.push(`  ${u.op} ×${u.count}: ${u.nodes.join(', ')}${more}`);
      const cut = u.featureCut ? `, or extract features at '${u.featureCut}' and train a new head` : '';
      lines.push(`    hint: freeze the ${u.parametersAbove} parameter tensors above these nodes${cut}; or add a gradient rule for ${u.op} to the registry.`);
    }
  }
  return lines.join('\n');
}
