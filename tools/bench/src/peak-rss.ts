import { readFileSync } from 'node:fs';

/** Peak resident set size of this process in MB (VmHWM from /proc/self/status; NaN where there is none). */
export function peakRssMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
