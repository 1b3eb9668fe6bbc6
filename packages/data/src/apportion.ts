/**
 * Splits `total` into whole parts proportional to `weights`, each at most its `cap`
 * (largest-remainder method; ties go to the lower index). Requires total <= sum(caps).
 */
export function apportion(total: number, weights: readonly number[], caps: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (sum === 0 ? 0 : (total * w) / sum));
  const parts = quotas.map((q, i) => Math.min(Math.floor(q), caps[i]!));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, i) => i).sort((a, b) => quotas[b]! - Math.floor(quotas[b]!) - (quotas[a]! - Math.floor(quotas[a]!)) || a - b);
  while (left > 0) {
    let gave = false;
    for (const i of byRemainder) {
      if (left === 0) break;
      if (parts[i]! < caps[i]!) {
        parts[i]!++;
        left--;
        gave = true;
      }
    }
    if (!gave) throw new RangeError(`cannot apportion ${total} within caps ${caps.join(', ')}`);
  }
  return parts;
}
