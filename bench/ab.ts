/**
 * Interleaved A/B of two nslab builds on one scenario: apply from empty, no-op plan and destroy
 * of the same synthesized plan, A and B alternating (ABBA…), waiting for the kernel to settle
 * between phases. For decisions on a shared machine, where absolute figures drift.
 *
 *   npm run build && tsx bench/ab.ts --a /tmp/before/dist/src/cli/main.js --scenario chain-300 --runs 5
 *
 * B defaults to this worktree's dist/. Everything carries a random prefix `bXXX`, removed at the
 * end, on failure and on SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hostLinksWith, measure, namespacesWith, settle, sweep } from './measure.js';
import { spread } from './report.js';
import * as topo from './topology.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, scenario: { type: 'string' }, runs: { type: 'string' } } });
if (!values.a) throw new Error('usage: tsx bench/ab.ts --a CLI [--b CLI] [--scenario chain-300] [--runs 5]');
const CLIS = { A: resolve(values.a), B: resolve(values.b ?? join(ROOT, 'dist', 'src', 'cli', 'main.js')) };
const scenario = values.scenario ?? 'chain-300';
const runs = Number(values.runs ?? 5);

let prefix = '';
do prefix = `b${randomBytes(2).toString('hex').slice(0, 3)}`;
while (namespacesWith(prefix).length || hostLinksWith(prefix).length);
// Inside the repository, so that the lab file's `import … from 'nslab'` resolves.
mkdirSync(join(ROOT, 'bench', '.work'), { recursive: true });
const work = mkdtempSync(join(ROOT, 'bench', '.work', 'ab-'));
const cleanup = () => {
  sweep(prefix);
  rmSync(work, { recursive: true, force: true });
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => (cleanup(), process.exit(130)));

type Phase = 'apply' | 'plan' | 'destroy';
const figures: Record<'A' | 'B', Record<Phase, { ms: number[]; cpuMs: number[] }>> = {
  A: { apply: { ms: [], cpuMs: [] }, plan: { ms: [], cpuMs: [] }, destroy: { ms: [], cpuMs: [] } },
  B: { apply: { ms: [], cpuMs: [] }, plan: { ms: [], cpuMs: [] }, destroy: { ms: [], cpuMs: [] } },
};

async function main(): Promise<void> {
  const t = topo.topology(scenario);
  writeFileSync(join(work, 'lab.ts'), topo.labFile(t, false));
  const env = { NSLAB_PREFIX: prefix, NSLAB_STATE_DIR: join(work, 'state') };
  mkdirSync(env.NSLAB_STATE_DIR, { mode: 0o700 });
  const synth = await measure(['node', CLIS.B, 'synth', join(work, 'lab.ts'), '--out', join(work, 'plan')], { cwd: ROOT, env });
  if (synth.code !== 0) throw new Error(`synth failed: ${synth.stderr}`);
  const plan = join(work, 'plan', readdirSync(join(work, 'plan')).find((f) => f.endsWith('.json'))!);
  const args: Record<Phase, string[]> = { apply: ['apply', plan, '--auto-approve'], plan: ['plan', plan, '--detailed-exitcode'], destroy: ['destroy', plan, '--auto-approve'] };
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
    for (const who of order) {
      for (const ph of ['apply', 'plan', 'destroy'] as const) {
        await settle(prefix);
        const m = await measure(['node', CLIS[who], ...args[ph]], { cwd: ROOT, env, timeoutMs: 600_000 });
        if (m.code !== 0) throw new Error(`${who} ${ph}: exit ${m.code}: ${m.stderr.slice(0, 500)}`);
        figures[who][ph].ms.push(m.ms);
        if (m.cpuMs !== undefined) figures[who][ph].cpuMs.push(m.cpuMs);
        process.stdout.write(`  run ${r + 1} ${who} ${ph}: ${(m.ms / 1000).toFixed(2)} s wall, ${((m.cpuMs ?? NaN) / 1000).toFixed(2)} s CPU\n`);
      }
    }
  }
  process.stdout.write(`\n${scenario}, ${runs} interleaved runs; A = ${CLIS.A}; B = ${CLIS.B}; s as min / median / max\n\n`);
  process.stdout.write('| phase | A wall | B wall | A CPU | B CPU | B ÷ A wall (medians) | B ÷ A CPU |\n| --- | --- | --- | --- | --- | ---: | ---: |\n');
  for (const ph of ['apply', 'plan', 'destroy'] as const) {
    const [a, b] = [figures.A[ph], figures.B[ph]];
    const ratio = (x: number[], y: number[]) => `${(spread(y).median / spread(x).median).toFixed(2)}x`;
    const s = (xs: number[]) => { const v = spread(xs); return `${(v.min / 1000).toFixed(2)} / ${(v.median / 1000).toFixed(2)} / ${(v.max / 1000).toFixed(2)}`; };
    process.stdout.write(`| ${ph} | ${s(a.ms)} | ${s(b.ms)} | ${s(a.cpuMs)} | ${s(b.cpuMs)} | ${ratio(a.ms, b.ms)} | ${ratio(a.cpuMs, b.cpuMs)} |\n`);
  }
}

main().then(cleanup, (e: unknown) => {
  cleanup();
  process.stderr.write(`ab: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
