/**
 * max |a − r| / max(max |r|, floor): the error of `actual` relative to the reference tensor's
 * scale. The floor keeps tensors that are mathematically zero (~1e-17 in a float64 reference)
 * from dividing noise by noise.
 *
 * @example expect(maxRelativeError(grad, ref.gradients[name], 1e-4 * largest)).toBeLessThan(2e-4);
 */
export function maxRelativeError(actual: ArrayLike<number | bigint>, reference: ArrayLike<number>, floor = 0): number {
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(Number(actual[i]) - reference[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return maxDiff / Math.max(scale, floor);
}
