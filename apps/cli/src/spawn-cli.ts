import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAINER_STATE_KEY, type TrainerState } from '@anneal/core';
import { loadCheckpoint } from '@anneal/runtime';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repo, 'apps', 'cli', 'bin', 'anneal.mjs');

/** A CLI process started by {@link spawnCli}. */
export interface SpawnedCli {
  /** Resolves with the exit code (null when a signal ended it). */
  done: Promise<number | null>;
  kill: () => void;
  stderr: () => string;
}

/** Spawns the real `anneal` binary from the repository root (for specs that kill a run). */
export function spawnCli(args: string[]): SpawnedCli {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ANNEAL_SOURCE: '1' } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.resume();
  return { done: new Promise((resolve) => child.on('exit', (code) => resolve(code))), kill: () => child.kill('SIGKILL'), stderr: () => err };
}

/**
 * Polls the checkpoint `last` every 20 ms and SIGKILLs `cli` as soon as the trainer state saved in
 * it satisfies `when`; returns that state, or undefined when the run ended first (or after 30 s).
 * Also returns every state seen, for the failure message.
 */
export async function killAtCheckpoint(cli: SpawnedCli, last: string, when: (s: TrainerState) => boolean): Promise<{ state?: TrainerState; seen: string[] }> {
  const seen: string[] = [];
  let exited = false;
  void cli.done.then(() => (exited = true));
  for (let i = 0; i < 1500 && !exited; i++) {
    await new Promise((r) => setTimeout(r, 20));
    if (!existsSync(last)) continue;
    try {
      const state = JSON.parse(loadCheckpoint(last).metadata[TRAINER_STATE_KEY]!) as TrainerState;
      seen.push(`${state.epoch}:${state.batch}`);
      if (when(state)) {
        cli.kill();
        return { state, seen };
      }
    } catch {
      // the file is replaced atomically, but may vanish between exists and read on rename: poll again
    }
  }
  return { seen };
}
