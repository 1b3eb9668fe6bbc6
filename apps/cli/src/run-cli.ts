import { main } from './main.js';

/**
 * Runs the CLI in-process with captured output (for specs): the exit code and everything printed
 * to `out` and `err`, lines joined with newlines.
 *
 * @example const r = await runCli(['fit', 'cfg.yaml']); expect(r.code, r.err).toBe(0);
 */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
