import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'python', 'torch_side.py');
/** Debian's torch imports only under the system python, not a pyenv one earlier on PATH. */
const python = '/usr/bin/python3';

/** Why the PyTorch side can't run here, or undefined when it can. */
export function torchUnavailable(): string | undefined {
  const r = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.error) return `${python} not found`;
  if (r.status !== 0) return 'python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread)';
  return undefined;
}

/** A long-running PyTorch process answering one workload per request, so runs can alternate. */
export class TorchSide {
  private readonly lines: AsyncIterator<string>;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    rl: Interface,
  ) {
    this.lines = rl[Symbol.asyncIterator]();
  }

  static async start(dataDir: string): Promise<{ side: TorchSide; info: { torch: string; threads: number } }> {
    // PyTorch parallelizes with its own 2 intra-op threads; OpenBLAS's own pthreads on top of them
    // oversubscribe 2 cores and made small matrix products 3-8x slower here, so it gets one thread.
    const env = { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const child = spawn(python, [script, dataDir], { stdio: ['pipe', 'pipe', 'pipe'], env });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(`[torch] ${d}`));
    const side = new TorchSide(child, createInterface({ input: child.stdout }));
    const info = JSON.parse(await side.next()) as { torch: string; threads: number };
    return { side, info };
  }

  private async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error('the PyTorch side exited early (see [torch] lines above)');
    return r.value;
  }

  async run(workload: string): Promise<number> {
    this.child.stdin.write(`${workload}\n`);
    return (JSON.parse(await this.next()) as { seconds: number }).seconds;
  }

  stop(): void {
    this.child.stdin.write('quit\n');
    this.child.stdin.end();
  }
}
