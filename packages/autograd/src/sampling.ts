/** `count` distinct indices in [0, n) from a seeded generator (all of them when n <= count), sorted. */
export function seededIndices(n: number, count: number, seed: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  let a = seed >>> 0 || 1;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(next() * n));
  return [...picked].sort((x, y) => x - y);
}
