import type { GraphProto, ModelProto, NodeProto } from '../types.js';

/** A node's name for messages: its name, or `<op> -> <first output>` when it has none. */
export function nodeLabel(node: NodeProto): string {
  return node.name || `${node.opType} -> ${node.output[0] ?? '?'}`;
}

/** Whether a node belongs to the default ONNX operator domain. */
export function isDefaultDomain(domain: string | undefined): boolean {
  return !domain || domain === 'ai.onnx';
}

/** A deep copy of a model (surgery never mutates its input). */
export function cloneModel(model: ModelProto): ModelProto {
  return structuredClone(model);
}

/** Every tensor and node name used in a graph, its subgraphs included. */
export function graphNames(graph: GraphProto, into = new Set<string>()): Set<string> {
  for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) into.add(v.name);
  for (const t of graph.initializer) if (t.name) into.add(t.name);
  for (const n of graph.node) {
    if (n.name) into.add(n.name);
    for (const x of [...n.input, ...n.output]) if (x) into.add(x);
    for (const a of n.attribute) for (const g of [a.g, ...a.graphs]) if (g) graphNames(g, into);
  }
  return into;
}

/** Hands out names that collide with nothing already taken. */
export class NameAllocator {
  private counter = 0;
  constructor(private readonly taken: Set<string>) {}

  /** `base` itself when free, else `base_1`, `base_2`... */
  fresh(base: string): string {
    let name = base;
    while (this.taken.has(name)) name = `${base}_${++this.counter}`;
    this.taken.add(name);
    return name;
  }

  /** Marks a name as used. */
  reserve(name: string): void {
    this.taken.add(name);
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The `limit` names most similar to `wanted` (substring matches first, then by edit distance). */
export function nearestNames(wanted: string, names: Iterable<string>, limit = 5): string[] {
  const w = wanted.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of names) {
    const n = name.toLowerCase();
    const contains = n.includes(w) || w.includes(n);
    scored.push({ name, score: (contains ? 0 : 1000) + editDistance(w, n) });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}
