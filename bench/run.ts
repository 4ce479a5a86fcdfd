/**
 * nslab's benchmark: nslab next to a naive script, the hand-batched `ip -batch` floor,
 * the read floor and Mininet, on the same topologies, in one invocation.
 *
 *   npm run bench                                   # the default set
 *   npm run bench -- --scenarios chain-100 --runs 1
 *
 * Everything it creates carries a random prefix `bXXX` and is removed at the end, on failure and
 * on SIGINT/SIGTERM. Needs root, a built dist/ (`npm run build`; the npm script does it).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IP, Shim, census, currentChild, haveGnuTime, stopStarting, hostLinksWith, measure, namespacesWith, settle, settledMs, sweep, type Measured } from './measure.js';
import { mininetUnavailable, mininetVersion, runMininet } from './mininet.js';
import { scenarioTable, targetTable, targets, type Phase, type PhaseResult, type ScenarioResult, type System } from './report.js';
import * as topo from './topology.js';
import { seedTable } from './seed.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const DEFAULT_SCENARIOS = ['chain-100', 'chain-1000', 'linear-100', 'star-100'];

const USAGE = `usage: npm run bench -- [--scenarios LIST] [--runs N] [--naive-max N] [--no-mininet] [--keep]

  --scenarios LIST  comma-separated chain-N, linear-N, star-N (default: ${DEFAULT_SCENARIOS.join(',')})
  --runs N          timed runs per system and phase, after one counting run (default 3)
  --naive-max N     run the naive script only up to N namespaces (default 200; it is slow)
  --no-mininet      skip Mininet even when it is installed
  --keep            keep the generated lab files and scripts in bench/.work/PREFIX/
  --cli FILE        the nslab CLI to measure (default dist/src/cli/main.js; e.g. another build, for A/B)`;

class PhaseError extends Error {}

interface Options {
  scenarios: string[];
  runs: number;
  naiveMax: number;
  mininet: boolean;
  keep: boolean;
  cli?: string;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenarios: { type: 'string' }, runs: { type: 'string' }, 'naive-max': { type: 'string' },
      'no-mininet': { type: 'boolean' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, cli: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const scenarios = values.scenarios ? values.scenarios.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULT_SCENARIOS;
  for (const s of scenarios) topo.parseScenario(s);
  const runs = Number(values.runs ?? 3);
  const naiveMax = Number(values['naive-max'] ?? 200);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  if (!Number.isInteger(naiveMax) || naiveMax < 0) throw new Error('--naive-max takes a non-negative integer');
  return { scenarios, runs, naiveMax, mininet: !values['no-mininet'], keep: values.keep ?? false, cli: values.cli };
}

const sh = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], cwd: ROOT }).trim();
  } catch {
    return '';
  }
};

function machine(): string[] {
  const cpu = cpus();
  const dirty = sh('git', ['status', '--porcelain', '--', 'src', 'constructs']).split('\n').filter(Boolean).length;
  return [
    `- date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`,
    `- kernel ${release()}; node ${process.version}; ${sh(IP, ['-V'])}; Mininet ${mininetVersion() ?? 'not installed'}`,
    `- nslab at ${sh('git', ['rev-parse', '--short', 'HEAD']) || '?'}${dirty ? ` with ${dirty} uncommitted files in src/ and constructs/` : ''}; CLI measured: ${relative(ROOT, CLI)}`,
  ];
}

// ---- state of the run (for the cleanup and the signal handler) ----------------------------------

let PREFIX = '';
let WORK = '';
let STATE = '';
let KEEP = false;

function newPrefix(): string {
  for (;;) {
    const p = `b${randomBytes(2).toString('hex').slice(0, 3)}`;
    if (namespacesWith(p).length === 0 && hostLinksWith(p).length === 0) return p;
  }
}

/** Kills a child we started and its descendants, by pid (deepest first). */
function killTree(pid: number): void {
  const kids = (p: number): number[] => {
    try {
      return readdirSync(`/proc/${p}/task`).flatMap((t) => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/u).filter(Boolean).map(Number));
    } catch {
      return [];
    }
  };
  const order: number[] = [];
  const walk = (p: number) => {
    for (const k of kids(p)) walk(k);
    order.push(p);
  };
  walk(pid);
  for (const p of order) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

function cleanup(): string {
  if (!PREFIX) return '';
  const removed = sweep(PREFIX);
  const left = [...namespacesWith(PREFIX), ...hostLinksWith(PREFIX)];
  if (STATE) rmSync(STATE, { recursive: true, force: true });
  if (WORK && !KEEP) rmSync(WORK, { recursive: true, force: true });
  const msg = left.length
    ? `cleanup: ${left.length} objects with prefix ${PREFIX} are still being dismantled by the kernel (${left.slice(0, 5).join(', ')})`
    : `cleanup: nothing with prefix ${PREFIX} is left (${removed} objects swept at the end)`;
  PREFIX = '';
  return msg;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}: stopping and removing everything with prefix ${PREFIX}\n`);
    stopStarting();
    const child = currentChild();
    if (child?.pid) killTree(child.pid);
    setTimeout(() => {
      process.stderr.write(`${cleanup()}\n`);
      process.exit(130);
    }, 300);
  });
}

// ---- one scenario --------------------------------------------------------------------------------

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** What one logged ip process did: "argv<TAB>write lines<TAB>show lines" (see the shim). */
function classify(entry: string): string {
  const [args = '', w = '0', r = '0'] = entry.split('\t');
  if (/netns list/u.test(args)) return 'netns list';
  if (/-batch/u.test(args)) {
    if (Number(w) > 0 && Number(r) > 0) return 'batched writes with read-back';
    if (Number(w) > 0) return 'batched writes';
    return 'batched reads';
  }
  if (/netns exec/u.test(args)) return 'netns exec';
  return 'other';
}

async function runScenario(id: string, o: Options, shim: Shim): Promise<ScenarioResult> {
  const t = topo.topology(id);
  const dir = join(WORK, id);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    'lab.ts': topo.labFile(t, false),
    'lab-changed.ts': topo.labFile(t, true),
    'naive-apply.sh': topo.naiveApply(t, PREFIX),
    'naive-destroy.sh': topo.naiveDestroy(t, PREFIX),
    'floor-apply.sh': topo.batchedApply(t, PREFIX),
    'floor2-apply.sh': topo.batchedApply(t, PREFIX, 2),
    'floor-destroy.sh': topo.batchedDestroy(t, PREFIX),
    'read.sh': topo.readFloor(t, PREFIX),
    'read2.sh': topo.readFloor(t, PREFIX, 2),
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  const res: ScenarioResult = { id, description: topo.describeTopology(t), n: t.n, systems: {}, notes: [], errors: [] };
  const expected = topo.expectedCounts(t);
  const lab = relative(ROOT, join(dir, 'lab.ts'));
  const changed = relative(ROOT, join(dir, 'lab-changed.ts'));
  const env = { NSLAB_STATE_DIR: STATE, NSLAB_PREFIX: PREFIX };
  const nslab = (...args: string[]) => ['node', CLI, ...args];

  const record = (sys: System, ph: Phase, m: Measured, counting: boolean) => {
    const phases = (res.systems[sys] ??= {});
    const r: PhaseResult = (phases[ph] ??= { ms: [], rssKb: [], cpuMs: [] });
    if (counting) {
      r.ipProcs = m.ipCalls?.length;
      r.counted = 'shim';
      if (sys === 'nslab') {
        r.ipKinds = {};
        for (const c of m.ipCalls ?? []) r.ipKinds[classify(c)] = (r.ipKinds[classify(c)] ?? 0) + 1;
      }
    } else {
      r.ms.push(m.ms);
      if (m.rssKb !== undefined) r.rssKb.push(m.rssKb);
      if (m.cpuMs !== undefined) r.cpuMs.push(m.cpuMs);
    }
  };
  /** Runs one phase; throws PhaseError when the exit code is not the expected one. */
  const phase = async (sys: System, ph: Phase, argv: string[], counting: boolean, cwd = ROOT, okCodes = [0]) => {
    const m = await measure(argv, { cwd, env, shim: counting ? shim : undefined, timeoutMs: 600_000 });
    if (!okCodes.includes(m.code)) {
      const what = sys === 'nslab' && ph === 'plan' && m.code === 2 ? 'the plan after apply is not empty' : `exit ${m.code}`;
      const lines = (m.stderr || m.stdout).trim().split('\n').map((l) => l.trim()).filter(Boolean);
      const excerpt = lines.length > 6 ? [...lines.slice(0, 3), '…', ...lines.slice(-3)] : lines;
      throw new PhaseError(`${sys} ${ph}: ${what}: ${excerpt.join(' | ').slice(0, 900)}`);
    }
    record(sys, ph, m, counting);
    process.stdout.write(`  ${id} ${sys} ${ph}${counting ? ' (counting ip processes)' : ''}: ${secs(m.ms)}${m.ipCalls ? `, ${m.ipCalls.length} ip processes` : ''}\n`);
    return m;
  };
  const check = (sys: System) => {
    const got = census(PREFIX);
    if (got.namespaces !== expected.namespaces || got.hostLinks !== expected.hostLinks || got.addresses !== expected.addresses) {
      res.notes.push(`${sys} built ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    }
  };
  const clean = async (sys: System) => {
    if (namespacesWith(PREFIX).length || hostLinksWith(PREFIX).length) {
      res.notes.push(`objects with the prefix were left before a ${sys} run and were swept`);
      sweep(PREFIX);
      await settle(PREFIX);
    }
  };
  const scriptPhase = (sys: System, ph: Phase, file: string, counting: boolean) => phase(sys, ph, ['bash', join(dir, file)], counting, dir);

  const cycles: Partial<Record<System, (counting: boolean, first: boolean) => Promise<void>>> = {
    nslab: async (counting) => {
      await phase('nslab', 'startup', nslab('--help'), counting);
      await phase('nslab', 'synth', nslab('synth', lab, '--out', join(dir, 'synth')), counting);
      await phase('nslab', 'apply', nslab('apply', lab, '--auto-approve'), counting);
      if (counting) check('nslab');
      await phase('nslab', 'plan', nslab('plan', lab, '--detailed-exitcode'), counting);
      await phase('nslab', 'change', nslab('apply', changed, '--auto-approve'), counting);
      await phase('nslab', 'destroy', nslab('destroy', changed, '--auto-approve'), counting);
      if (namespacesWith(PREFIX).length) throw new PhaseError(`nslab destroy left namespaces: ${namespacesWith(PREFIX).slice(0, 5).join(', ')}`);
    },
    floor: async (counting) => {
      await scriptPhase('floor', 'apply', 'floor-apply.sh', counting);
      if (counting) check('floor');
      await scriptPhase('floor', 'read', 'read.sh', counting);
      await scriptPhase('floor', 'destroy', 'floor-destroy.sh', counting);
    },
    // The same processes as the floor, split over two shells: not counted again.
    floor2: async (_counting, first) => {
      await scriptPhase('floor2', 'apply', 'floor2-apply.sh', false);
      if (first) check('floor2');
      await scriptPhase('floor2', 'read', 'read2.sh', false);
      await measure(['bash', join(dir, 'floor-destroy.sh')], { cwd: dir });
    },
    naive: async (_counting, first) => {
      await scriptPhase('naive', 'apply', 'naive-apply.sh', false);
      if (first) check('naive');
      await scriptPhase('naive', 'destroy', 'naive-destroy.sh', false);
      for (const [ph, f] of [['apply', 'naive-apply.sh'], ['destroy', 'naive-destroy.sh']] as const) {
        const r = res.systems.naive![ph]!;
        r.ipProcs = files[f]!.split('\n').filter((l) => l.startsWith('ip ')).length;
        r.counted = 'script lines';
      }
    },
  };
  if (t.n > o.naiveMax) {
    delete cycles.naive;
    res.notes.push(`the naive script was not run (N = ${t.n} > --naive-max ${o.naiveMax}; one \`ip\` process per step takes about a minute per run at 1000)`);
  }
  if (t.kind === 'linear' && o.mininet) {
    const why = mininetUnavailable();
    if (why) res.notes.push(`Mininet skipped: ${why}`);
    else {
      cycles.mininet = async () => {
        const m = await runMininet(t.n, dir);
        if (m.code !== 0) throw new PhaseError(`mininet: ${m.stderr.trim().split('\n').slice(-4).join(' | ').slice(0, 600)}`);
        record('mininet', 'startstop', m, false);
        process.stdout.write(`  ${id} mininet start+stop: ${secs(m.ms)}\n`);
      };
    }
  }

  const failed = new Set<System>();
  const cycle = async (sys: System, counting: boolean, first: boolean) => {
    if (failed.has(sys)) return;
    await clean(sys);
    try {
      await cycles[sys]!(counting, first);
    } catch (e) {
      if (!(e instanceof PhaseError)) throw e;
      failed.add(sys);
      res.errors.push(e.message);
      process.stdout.write(`  ${id} ${sys}: FAILED: ${e.message}\n`);
      sweep(PREFIX);
      // A failed apply leaves a state file claiming what it may have made: start the next one afresh.
      for (const f of readdirSync(STATE)) rmSync(join(STATE, f), { force: true });
    }
    await settle(PREFIX);
  };
  const systems = Object.keys(cycles) as System[];
  // One counting run (ip processes through the shim; also warms tsx's cache), then timed runs,
  // interleaved across systems so that drift of the machine affects all of them alike.
  for (const sys of systems) if (sys === 'nslab' || sys === 'floor') await cycle(sys, true, true);
  // Odd runs go in reverse order, so that no system always runs first (or right after another).
  for (let r = 0; r < o.runs; r++) for (const sys of r % 2 ? [...systems].reverse() : systems) await cycle(sys, false, r === 0);
  return res;
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  if (o.cli) CLI = resolve(o.cli);
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench: must run as root (it creates network namespaces)\n');
    return 1;
  }
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${relative(ROOT, CLI)} is missing: run \`npm run build\` first\n`);
    return 1;
  }
  PREFIX = newPrefix();
  WORK = join(ROOT, 'bench', '.work', PREFIX);
  STATE = mkdtempSync(join(tmpdir(), 'nslab-bench-state-'));
  KEEP = o.keep;
  mkdirSync(WORK, { recursive: true });
  const shim = new Shim(WORK);
  const info = machine();
  process.stdout.write(`nslab benchmark: ${o.scenarios.join(', ')}; ${o.runs} timed run(s) each; prefix ${PREFIX}\n${info.join('\n')}\n`);
  if (!haveGnuTime) process.stdout.write('note: /usr/bin/time not found: peak memory is not measured\n');
  const results = new Map<string, ScenarioResult>();
  let cleaned = '';
  let seed = '';
  const started = Date.now();
  try {
    for (const id of o.scenarios) {
      process.stdout.write(`\n${id}: ${topo.describeTopology(topo.topology(id))}\n`);
      results.set(id, await runScenario(id, o, shim));
    }
    process.stdout.write('\nseed labs\n');
    seed = await seedTable(ROOT, CLI, { NSLAB_STATE_DIR: STATE, NSLAB_PREFIX: PREFIX }, PREFIX, o.runs);
  } finally {
    cleaned = cleanup();
  }
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const md = [
    '## nslab benchmark',
    '',
    `Made with \`${command}\` (${o.runs} timed run(s) per phase after one counting run, systems alternating in order; median and min–max; ${((Date.now() - started) / 60000).toFixed(1)} min in all, ${(settledMs / 60000).toFixed(1)} min of it waiting between runs until no kernel netns worker is busy and the number of namespaces is steady).`,
    '',
    ...info,
    '',
    ...[...results.values()].flatMap((r) => [scenarioTable(r), '']),
    seed,
    '',
    `Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}. CPU s: user + system time of the command and the processes it waited for (\`ip\` included); on a shared machine it moves less than wall time.`,
    '',
    '### Targets',
    '',
    targetTable(targets(results)),
    '',
  ].join('\n');
  process.stdout.write(`\n${cleaned}\n\n${md}`);
  const outDir = join(ROOT, 'bench', '.work');
  writeFileSync(join(outDir, 'last-results.md'), md);
  writeFileSync(join(outDir, 'last-results.json'), `${JSON.stringify({ command, machine: info, results: [...results.values()], targets: targets(results) }, null, 2)}\n`);
  process.stdout.write(`\n(written to bench/.work/last-results.md and .json)\n`);
  return [...results.values()].some((r) => r.errors.length) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof Error && e.message.startsWith('stopping')) return; // the signal handler exits
    process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    const msg = cleanup();
    if (msg) process.stderr.write(`${msg}\n`);
    process.exitCode = 1;
  },
);
