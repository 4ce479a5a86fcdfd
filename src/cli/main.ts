#!/usr/bin/env node
/**
 * The nslab command. Thin: argument parsing, prompts and printing; the work is in the engine.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { labKey, stableStringify, type PlanDocument } from '../plan/types.js';
import type { PlanError } from '../plan/validate.js';
import { applyLab, destroyLab, planLab, type LabPlan } from '../engine.js';
import { planJson, renderPlan } from '../diff/render.js';
import { listStates, readState, stateDir } from '../state/state.js';
import { loadLabFile, readSavedPlan, type SavedPlan } from './load.js';
import { renderGraph } from '../graph.js';
import { resolveLab, selectLabs, stateLabs } from './labs.js';
import { showLabs } from './show.js';
import { findOrphans, removeOrphans, removeStalePins } from '../gc.js';
import { processRunner, withRunOptions } from '../runner.js';

const USAGE = `usage: nslab <command> [options]

commands:
  synth FILE [--out DIR]                      write the plan(s) a lab file defines (default DIR: nslab.out)
  plan FILE [--json] [--detailed-exitcode] [--out PLANFILE]
                                              show what apply would change (--out: save it for review)
  apply FILE|PLANFILE [--auto-approve] [--no-rollback]
                                              make the kernel match the lab (a PLANFILE: exactly
                                              the saved changes, refused if the kernel moved since)
  destroy FILE | --lab NAME [--auto-approve]  remove everything the lab owns
  show [--lab NAME] [--json]                  what the labs own now, with drift marked
  gc [--dry-run] [--prefix P] [--auto-approve] remove orphans: objects marked for a lab of this state
                                              store that its state does not claim (--prefix: only
                                              names starting with P)
  graph FILE [--format mermaid|dot]           the topology as a diagram
  exec FILE|--lab NAME NAMESPACE -- CMD [ARG…] run a command inside one of the lab's namespaces
  provider install [--dir DIR]                install the Terraform provider nslab/netns (default: ~/.terraform.d/plugins)

FILE is a TypeScript or JavaScript lab file, or a synthesized plan JSON.
common options:
  --lab NAME          act on one lab: of FILE, or without FILE of those with a state file (its
                      name, or prefix+name; with NSLAB_PREFIX set, NSLAB_PREFIX+NAME first)
  --no-rollback       keep a failed apply's partial result (default: restore the kernel as it was)
  --lock-timeout SEC  wait this long for a lab locked by another nslab (default 0)
  --timeout SEC       deadline of every ip/sysctl process nslab runs (default 120, env NSLAB_TIMEOUT)
  --debug             print stack traces
environment: NSLAB_STATE_DIR (default /var/lib/nslab), NSLAB_TIMEOUT, NSLAB_PREFIX
exit codes: 0 done, 1 error, 2 plan --detailed-exitcode with changes; exec: the command's code,
128+N when signal N killed it, 127 when it is not found`;

class UsageError extends Error {}

/** An error with an exit code of its own (a command nslab exec cannot run: 126, 127). */
class ExitCodeError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

interface Flags {
  json?: boolean;
  'detailed-exitcode'?: boolean;
  'auto-approve'?: boolean;
  lab?: string;
  out?: string;
  'lock-timeout'?: string;
  timeout?: string;
  debug?: boolean;
  help?: boolean;
  format?: string;
  'no-rollback'?: boolean;
  'dry-run'?: boolean;
  prefix?: string;
}

/**
 * Output that fails must never interrupt kernel work: when the reader goes away
 * (`nslab apply … | head`), the rest of the output is dropped and the command runs to its end.
 */
let stdoutGone = false;
process.stdout.on('error', () => {
  stdoutGone = true;
});
process.stderr.on('error', () => {});

function write(text: string): void {
  if (!stdoutGone) process.stdout.write(text);
}

function out(text: string): void {
  write(`${text}\n`);
}

function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new UsageError('nslab must run as root: it reads and changes network namespaces (CAP_SYS_ADMIN, CAP_NET_ADMIN)');
  }
}

async function plansOf(file: string | undefined, flags: Flags): Promise<PlanDocument[]> {
  if (!file) throw new UsageError('missing FILE (a lab .ts/.js file or a plan .json)');
  return selectLabs(flags.lab, await loadLabFile(file), file);
}

/** The key of the lab with a state file that `name` means (see resolveLab). */
const stateLab = (name: string): string => resolveLab(name, stateLabs(stateDir()), stateDir()).key;

async function confirm(question: string, autoApprove: boolean | undefined): Promise<boolean> {
  if (autoApprove) return true;
  if (!process.stdin.isTTY) throw new UsageError('not a terminal: pass --auto-approve to apply without confirmation');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes)$/iu.test((await rl.question(`${question} Only "yes" will be accepted: `)).trim());
  } finally {
    rl.close();
  }
}

const timeoutMs = (flags: Flags) => (flags.timeout ? Number(flags.timeout) * 1000 : undefined);
const engineOpts = (flags: Flags) => ({ lockTimeoutMs: flags['lock-timeout'] ? Number(flags['lock-timeout']) * 1000 : 0, timeoutMs: timeoutMs(flags) });
const engineRunner = (flags: Flags) => (timeoutMs(flags) ? withRunOptions(processRunner, { timeoutMs: timeoutMs(flags) }) : processRunner);
const done = (changes: readonly { action: string }[]) =>
  (['create', 'update', 'replace', 'delete'] as const).map((a) => `${changes.filter((c) => c.action === a).length} ${a === 'create' ? 'created' : `${a}d`}`).join(', ');
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function cmdSynth(file: string | undefined, flags: Flags): Promise<number> {
  const plans = await plansOf(file, flags);
  const dir = flags.out ?? 'nslab.out';
  mkdirSync(dir, { recursive: true });
  for (const p of plans) {
    const path = join(dir, `${labKey(p)}.plan.json`);
    writeFileSync(path, stableStringify(p));
    out(`wrote ${path}`);
  }
  return 0;
}

async function cmdPlan(file: string | undefined, flags: Flags): Promise<number> {
  const plans = await plansOf(file, flags);
  requireRoot();
  const results: LabPlan[] = [];
  for (const p of plans) results.push(await planLab(p, engineOpts(flags)));
  if (flags.json) out(JSON.stringify(results.map((r) => planJson(r.lab, r.key, r.result)), null, 2));
  else {
    for (const r of results) {
      // Objects in the way are errors, and only errors: not also "no changes" beside them.
      if (r.result.changes.length || !r.result.conflicts.length) out(renderPlan(r.key, r.result));
      for (const c of r.result.conflicts) process.stderr.write(`error: [${c.path}] ${c.message}\n`);
    }
  }
  if (results.some((r) => r.result.conflicts.length)) return 1;
  if (flags.out) {
    const saved: SavedPlan = { kind: 'nslab-saved-plan', version: 1, labs: results.map((r) => ({ plan: r.plan, changes: r.result.changes })) };
    writeFileSync(flags.out, stableStringify(saved));
    if (!flags.json) out(`saved the plan to ${flags.out}; apply exactly these changes with: nslab apply ${flags.out}`);
  }
  const changed = results.some((r) => r.result.changes.length);
  return flags['detailed-exitcode'] && changed ? 2 : 0;
}

/** SIGINT/SIGTERM while `fn` runs abort it at the next safe point; a second signal exits at once. */
async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write(`nslab: ${sig}: stopping at the next safe point (again to exit now)\n`);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function cmdApply(file: string | undefined, flags: Flags): Promise<number> {
  const saved = file ? readSavedPlan(file) : undefined;
  const labs = saved
    ? selectLabs(flags.lab, saved.labs.map((l) => ({ ...l, lab: l.plan.lab, prefix: l.plan.prefix })), file!)
    : (await plansOf(file, flags)).map((plan) => ({ plan, changes: undefined }));
  requireRoot();
  for (const { plan: p, changes: expected } of labs) {
    const res = await interruptible((signal) => applyLab(p, {
      ...engineOpts(flags),
      signal,
      expected,
      rollback: !flags['no-rollback'],
      confirm: async (lp) => {
        out(renderPlan(lp.key, lp.result));
        return confirm(`Apply these changes to lab ${lp.key}?`, flags['auto-approve']);
      },
    }));
    if (!res) {
      out(`lab ${labKey(p)}: apply cancelled; nothing changed.`);
      return 1;
    }
    out(res.changes.length === 0
      ? `lab ${labKey(p)}: no changes; the kernel matches the lab (${seconds(res.ms)}).`
      : `lab ${labKey(p)}: apply complete: ${done(res.changes)} in ${seconds(res.ms)} (${plural(res.report.processes, 'process', 'processes')}).`);
  }
  return 0;
}

async function cmdDestroy(file: string | undefined, flags: Flags): Promise<number> {
  const keys = file ? (await plansOf(file, flags)).map(labKey) : flags.lab ? [stateLab(flags.lab)] : [];
  if (keys.length === 0) throw new UsageError('destroy needs FILE or --lab NAME');
  requireRoot();
  for (const key of keys) {
    const res = await destroyLab(key, {
      ...engineOpts(flags),
      confirm: async (lp) => {
        out(renderPlan(lp.key, lp.result));
        return confirm(`Destroy lab ${key}?`, flags['auto-approve']);
      },
    });
    if (!res) {
      out(readState(stateDir(), key) ? `lab ${key}: destroy cancelled; nothing changed.` : `lab ${key}: nothing to destroy (no state in ${stateDir()}).`);
      continue;
    }
    out(`lab ${key}: destroyed: ${plural(res.changes.length, 'object', 'objects')} removed in ${seconds(res.ms)} (${plural(res.report.processes, 'process', 'processes')}).`);
    for (const line of res.leftAlone ?? []) out(`lab ${key}: not the lab's, left alone: ${line}`);
  }
  return 0;
}

async function cmdGc(flags: Flags): Promise<number> {
  requireRoot();
  const dir = stateDir();
  const runner = engineRunner(flags);
  if (!flags['dry-run']) await removeStalePins(runner, dir);
  const orphans = (await findOrphans(runner, dir)).filter((o) => !flags.prefix || o.name.startsWith(flags.prefix));
  if (orphans.length === 0) {
    out(`no orphans: every object marked for a lab of ${dir} is claimed by it.`);
    return 0;
  }
  for (const o of orphans) out(`${flags['dry-run'] ? 'would remove' : 'orphan:'} ${o.kind} ${o.name} (marked for lab ${o.lab}, which does not claim it)`);
  if (flags['dry-run']) return 0;
  if (!(await confirm(`Remove ${plural(orphans.length, 'orphan', 'orphans')}?`, flags['auto-approve']))) {
    out('gc cancelled; nothing changed.');
    return 1;
  }
  const removed = await removeOrphans(runner, dir, orphans);
  out(`removed ${plural(removed.length, 'orphan', 'orphans')}${removed.length < orphans.length ? ` (${orphans.length - removed.length} skipped: their lab was locked or claims them now)` : ''}.`);
  return 0;
}

async function cmdGraph(file: string | undefined, flags: Flags): Promise<number> {
  const format = flags.format ?? 'mermaid';
  if (format !== 'mermaid' && format !== 'dot') throw new UsageError(`--format must be mermaid or dot, not "${format}"`);
  for (const p of await plansOf(file, flags)) write(renderGraph(p, format));
  return 0;
}

/** `nslab exec FILE NS -- CMD…` or `nslab exec --lab NAME NS -- CMD…`: the prefix is resolved here. */
async function cmdExec(args: string[], flags: Flags): Promise<number> {
  const [file, ns, ...argv] = flags.lab && !/\.(ts|js|mts|mjs|json)$/u.test(args[0] ?? '') ? [undefined, ...args] : args;
  if (!ns || argv.length === 0) throw new UsageError('usage: nslab exec FILE|--lab NAME NAMESPACE -- CMD [ARGS…]');
  requireRoot();
  let resources: PlanDocument['resources'];
  if (file) {
    const plans = await plansOf(file, flags);
    if (plans.length > 1) throw new UsageError(`${file} defines several labs (${plans.map((p) => p.lab).join(', ')}): choose one with --lab`);
    resources = plans[0]!.resources;
  } else {
    const key = stateLab(flags.lab!);
    const state = readState(stateDir(), key);
    if (!state) throw new UsageError(`no lab "${key}" in ${stateDir()}`);
    resources = state.resources;
  }
  const namespaces = Object.entries(resources).flatMap(([id, r]) => (r.type === 'namespace' ? [{ id, name: r.name }] : []));
  const hit = namespaces.find((n) => n.id === ns || n.name === ns || n.id.endsWith(`/${ns}`));
  if (!hit) throw new UsageError(`the lab has no namespace "${ns}" (it has: ${namespaces.map((n) => n.id).join(', ')})`);
  checkCommand(argv[0]!);
  const child = spawn('ip', ['netns', 'exec', hit.name, ...(argv as string[])], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // As a shell reports it: a command killed by signal N exits 128 + N (SIGTERM 143, SIGKILL 137).
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] ?? 0 : 0)));
  });
}

/** A command exec cannot run is an error naming it, with the shell's codes: 127 not found, 126 not executable. */
function checkCommand(cmd: string): void {
  const runnable = (path: string) => {
    try {
      accessSync(path, fsConstants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) {
    if (runnable(cmd)) return;
    let exists = true;
    try {
      statSync(cmd);
    } catch {
      exists = false;
    }
    throw exists ? new ExitCodeError(`cannot run "${cmd}": not an executable file`, 126) : new ExitCodeError(`command not found: "${cmd}" (no such file)`, 127);
  }
  const dirs = (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter);
  if (!dirs.some((d) => runnable(join(d || '.', cmd)))) throw new ExitCodeError(`command not found: "${cmd}" (not in PATH)`, 127);
}

async function cmdShow(flags: Flags): Promise<number> {
  requireRoot();
  return showLabs(flags.lab ? [stateLab(flags.lab)] : listStates(stateDir()), engineOpts(flags), flags.json, out);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' }, 'detailed-exitcode': { type: 'boolean' }, 'auto-approve': { type: 'boolean' },
        lab: { type: 'string' }, out: { type: 'string' }, 'lock-timeout': { type: 'string' }, timeout: { type: 'string' },
        debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, format: { type: 'string' }, 'no-rollback': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, prefix: { type: 'string' }, dir: { type: 'string' },
      },
    });
  } catch (e) {
    process.stderr.write(`nslab: ${(e as Error).message}\n${USAGE}\n`);
    return 1;
  }
  const flags = parsed.values as Flags;
  const [cmd, file, ...rest] = parsed.positionals;
  if (cmd === 'exec') return runCatching(flags, () => cmdExec(parsed.positionals.slice(1), flags));
  return runCatching(flags, async () => {
    if (flags.help || !cmd) {
      out(USAGE);
      return cmd || flags.help ? 0 : 1;
    }
    if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    if (flags['lock-timeout'] !== undefined && !(Number(flags['lock-timeout']) >= 0)) throw new UsageError('--lock-timeout takes a number of seconds');
    if (flags.timeout !== undefined && !(Number(flags.timeout) > 0)) throw new UsageError('--timeout takes a number of seconds greater than 0');
    switch (cmd) {
      case 'synth': return cmdSynth(file, flags);
      case 'plan': return cmdPlan(file, flags);
      case 'apply': return cmdApply(file, flags);
      case 'destroy': return cmdDestroy(file, flags);
      case 'show': return cmdShow(flags);
      case 'graph': return cmdGraph(file, flags);
      case 'gc': return cmdGc(flags);
      case 'provider': return (await import('../terraform/install.js')).providerCommand(file, (flags as { dir?: string }).dir, out);
      default: throw new UsageError(`unknown command "${cmd}"\n${USAGE}`);
    }
  });
}

async function runCatching(flags: Flags, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (flags.debug) process.stderr.write(`${(e as Error).stack}\n`);
    // A PlanError thrown inside a lab file may come from another module instance: match by shape.
    const problems = (e as PlanError).problems;
    // One `error:` per line, whatever the error: a message of several lines (conflicts) included.
    const lines = Array.isArray(problems) ? problems : (e as Error).message.split('\n').filter((l) => l.trim());
    for (const l of lines) process.stderr.write(`error: ${l}\n`);
    return e instanceof ExitCodeError ? e.exitCode : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
