/**
 * Helpers for the packed-package tests: commands run to their end with a time limit, projects made
 * from the files in test/package/project, and the environment a user's shell would give them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PROJECT_FILES = fileURLToPath(new URL('./project', import.meta.url));

/** Versions of this repository's package-lock, so installs come from the local npm cache. */
export function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  const v = lock.packages[`node_modules/${name}`]?.version;
  if (!v) throw new Error(`${name} is not in package-lock.json`);
  return v;
}

export interface Run { code: number | null; out: string }

/** Runs argv to its end (killed after `timeoutMs`); stdout and stderr together, colours stripped. */
export function run(argv: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Run {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: opts.cwd, env: opts.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 180_000, maxBuffer: 64 << 20,
  });
  // eslint-disable-next-line no-control-regex
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`.replace(/\u001b\[[0-9;]*m/gu, '');
  return { code: r.status, out };
}

/** Like run, but throws with the output when the command fails. */
export function must(argv: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): string {
  const r = run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code} in ${opts.cwd}:\n${r.out.slice(-4000)}`);
  return r.out;
}

/** `npm install` into `dir`, from the local cache where it can. */
export function npmInstall(dir: string, env: NodeJS.ProcessEnv, specs: string[]): string {
  return must(['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd: dir, env, timeoutMs: 600_000 });
}

/**
 * A user's project in `dir`: package.json (an ES module project) and the files of
 * test/package/project; with `cdk: 'cdktn'`, main.ts and lab.test.ts import cdktn instead of cdktf.
 */
export function makeProject(dir: string, cdk: 'cdktf' | 'cdktn'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `my-lab-${cdk}`, private: true, type: 'module' }, null, 2)}\n`);
  cpSync(PROJECT_FILES, dir, { recursive: true });
  if (cdk === 'cdktn') {
    for (const f of ['main.ts', 'lab.test.ts']) {
      writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace(/from 'cdktf'/gu, "from 'cdktn'"));
    }
  }
}

/** Every file under `dir`, relative to it. */
export function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), base) : [join(dir, e.name).slice(base.length + 1)]);
}

/** The environment without variables of this shell that would change what nslab or cdktf do. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(NSLAB_|CDKTF_|TF_|JEST_|npm_)/u.test(k) || k === 'NODE_OPTIONS') delete env[k];
  }
  return { ...env, CHECKPOINT_DISABLE: '1', CI: '1', FORCE_COLOR: '0', NO_COLOR: '1', ...extra };
}
