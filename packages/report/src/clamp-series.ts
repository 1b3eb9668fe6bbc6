/**
 * Clamps a line's values to `cap` so it can be drawn on an axis that stops at `cap`: values
 * above become `cap` (the line runs along the top edge), and where the line crosses `cap` a point
 * is inserted at the crossing (linear in `scaleX(x)`, e.g. `Math.log10` on a log axis) so the
 * visible part keeps its true slope. Points are taken in the given order (sort by x first).
 * Done on the data rather than with Vega's `clip`, which resvg does not honour on faded marks.
 */
export function clampSeries<T extends { x: number; y: number }>(
  points: readonly T[],
  cap: number,
  scaleX: (x: number) => number = (x) => x,
  invert: (u: number) => number = (u) => u,
): T[] {
  const out: T[] = [];
  for (const [i, p] of points.entries()) {
    const prev = points[i - 1];
    if (prev !== undefined && (prev.y > cap) !== (p.y > cap)) {
      const t = (cap - prev.y) / (p.y - prev.y);
      const u = scaleX(prev.x) + t * (scaleX(p.x) - scaleX(prev.x));
      out.push({ ...p, x: invert(u), y: cap });
    }
    out.push(p.y > cap ? { ...p, y: cap } : p);
  }
  return out;
}
