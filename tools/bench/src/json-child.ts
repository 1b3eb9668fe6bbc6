import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A child process answering one JSON line per stdin command (the bench's per-side processes). */
export class JsonChild {
  private readonly lines: AsyncIterator<string>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly label: string,
  ) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** Starts `command args` and waits for its first JSON line (the ready line), returned with the handle. */
  static async start<T>(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: JsonChild; ready: T }> {
    const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    proc.stderr.on('data', (d: Buffer) => process.stderr.write(`[${label}] ${d}`));
    const child = new JsonChild(proc, label);
    return { child, ready: await child.next<T>() };
  }

  /** The next JSON line (non-JSON lines, e.g. library logs, are skipped). */
  async next<T>(): Promise<T> {
    for (;;) {
      const r = await this.lines.next();
      if (r.done) throw new Error(`the ${this.label} process exited early (see [${this.label}] lines above)`);
      if (r.value.startsWith('{')) return JSON.parse(r.value) as T;
    }
  }

  /** Sends one command line and returns the answer. */
  async ask<T>(command: string): Promise<T> {
    this.child.stdin.write(`${command}\n`);
    return this.next<T>();
  }

  /** Sends `quit`, returns its answer and closes stdin. */
  async quit<T>(): Promise<T> {
    const answer = await this.ask<T>('quit');
    this.child.stdin.end();
    return answer;
  }
}
