import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A packed workspace package: its tarball and what it depends on among the workspace's. */
export interface Packed {
  name: string;
  dir: string;
  tarball: string;
  /** Bytes of the .tgz. */
  size: number;
  /** Bytes unpacked. */
  unpacked: number;
  anneal: string[];
}

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

/** The publishable workspace packages (not private), by name. */
export function publishable(): Map<string, { dir: string; manifest: Manifest }> {
  const out = new Map<string, { dir: string; manifest: Manifest }>();
  for (const top of ['packages', 'apps']) {
    for (const name of readdirSync(join(repo, top))) {
      const dir = join(repo, top, name);
      const file = join(dir, 'package.json');
      if (!statSync(dir).isDirectory()) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      if (!manifest.private) out.set(manifest.name, { dir, manifest });
    }
  }
  return out;
}

/** `npm pack` of every publishable package into `dest`, in one npm run (they must be built: dist/ is what ships). */
export function packAll(dest: string): Map<string, Packed> {
  const packages = publishable();
  const workspaces = [...packages.values()].flatMap(({ dir }) => ['--workspace', dir]);
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', dest, ...workspaces], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const infos = JSON.parse(json) as { name: string; filename: string; size: number; unpackedSize: number }[];
  const out = new Map<string, Packed>();
  for (const info of infos) {
    const { dir, manifest } = packages.get(info.name)!;
    const anneal = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@anneal/'));
    out.set(info.name, { name: info.name, dir, tarball: join(dest, info.filename), size: info.size, unpacked: info.unpackedSize, anneal });
  }
  return out;
}

/** The tarballs `names` need: them and every workspace package they depend on, transitively. */
export function closure(packed: Map<string, Packed>, names: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    const p = packed.get(n);
    if (!p) throw new Error(`${n} is not a packed workspace package`);
    seen.add(n);
    p.anneal.forEach(visit);
  };
  names.forEach(visit);
  return [...seen].map((n) => packed.get(n)!.tarball);
}

/** A fresh project folder outside the repository, with the package.json a user would write. */
export function freshProject(label: string, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `anneal-consumer-${label}-`));
  // npm 11 blocks dependency install scripts unless allowed: onnxruntime-node's would download CUDA
  // libraries (the CPU provider ships in the package), protobufjs's only checks its version
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${label}`, private: true, type: 'module', allowScripts: { 'onnxruntime-node': false, protobufjs: false }, ...extra }, null, 2) + '\n');
  return dir;
}

/**
 * The environment of a user's shell for the consumer projects: this process's, without the
 * `npm_config_onnxruntime_node_install` the repository's .npmrc puts there when the tests run
 * under `npm test` (npm would warn "Unknown env config" in every consumer project), plus `extra`.
 */
export function consumerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ...extra };
  delete env.npm_config_onnxruntime_node_install;
  return env;
}

/** Runs npm in `dir`; returns its output. Throws with the output on a non-zero exit. */
export function npm(dir: string, args: readonly string[]): { stdout: string; stderr: string } {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', env: consumerEnv() });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${dir}:\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** Bytes under a folder (`du -sb`). */
export function diskUsage(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** Writes files under `dir` (creating folders). */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}
