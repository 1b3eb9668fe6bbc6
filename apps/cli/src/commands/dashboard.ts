import { InvalidArgumentError, type Command } from 'commander';
import type { CommandContext } from '../context.js';

/** A TCP port, 0 meaning any free one. */
const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be an integer in 0..65535 (0: any free port), got '${v}'`);
  return n;
};

/** Resolves at the first SIGINT (Ctrl-C) or SIGTERM. */
const interrupted = () =>
  new Promise<string>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

/** `anneal dashboard [dir]`. */
export function dashboardCommand(program: Command, ctx: CommandContext): void {
  program
    .command('dashboard')
    .description('a local, read-only web page of the runs and studies under a folder, updated live while they train (loss with its ±std band, accuracy, lr and scheduled values, update/weight ratios, doctor findings, runs overlaid; studies: history, parallel coordinates, importance, per-trial curves)')
    .argument('[dir]', 'folder of runs and studies', 'runs')
    .option('--port <n>', 'port to listen on (0: any free port; default 6066 or the next free one)', port)
    .option('--host <host>', 'address to listen on; anything but loopback needs --allow-remote', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host: anyone who reaches the port can read the runs (there is no login)')
    .action(async (dir: string, o: { port?: number; host: string; allowRemote?: boolean }, command: Command) => {
      const { startDashboard, DashboardError } = await import('@anneal/dashboard');
      let dashboard;
      try {
        dashboard = await startDashboard({ dir, host: o.host, port: o.port, allowRemote: o.allowRemote, onWarning: (m) => ctx.io.err(`warning: ${m}`) });
      } catch (e) {
        if (e instanceof DashboardError) command.error(`anneal dashboard: ${e.message}`, { exitCode: 2 });
        throw e;
      }
      ctx.io.out(`anneal dashboard: ${dashboard.dir}`);
      ctx.io.out(`open ${dashboard.url}  (Ctrl-C stops it)`);
      await interrupted();
      await dashboard.close();
      ctx.io.err('anneal dashboard: stopped');
    });
}
