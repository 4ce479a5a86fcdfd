#!/usr/bin/env node
/**
 * The nslab command. Thin: argument parsing, prompts and printing; the work is in the engine.
 * Help texts are in help.ts, `nslab exec` in exec.ts, what commands share in common.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { labKey, stableStringify } from '../plan/types.js';
import type { PlanError } from '../plan/validate.js';
import { readSavedPlan, type SavedPlan } from './load.js';
import { selectLabs } from './labs.js';
import { showLabs } from './show.js';
import { COMMANDS, USAGE, commandHelp, didYouMean, version } from './help.js';
import { cmdExec } from './exec.js';
import { progressPrinter } from './progress.js';
import { confirm, ExitCodeError, out, plansOf, requireRoot, stateLab, UsageError, write, type Flags } from './common.js';
import { EngineError, hostParts, remoteEngine, type HostPart, type PlanDocument } from '../engine/index.js';
import { applyLab, destroyLab, findOrphans, listStates, planJson, planLab, prestartLauncher, processRunner, readState, removeOrphans, removeStalePins, renderGraph, renderPlan, stateDir, withRunOptions, type LabPlan } from '../engine/index.js';

const timeoutMs = (flags: Flags) => (flags.timeout ? Number(flags.timeout) * 1000 : undefined);
/** A host's part of a lab: its runner and its records, over ssh. */
function overSsh(part: HostPart) {
  try {
    return remoteEngine(part.spec.ssh, part.spec.identityFile, part.spec.stateDir);
  } catch (e) {
    throw new EngineError(`host ${part.host}: ${(e as Error).message}`);
  }
}

/** Labs across machines are deployed by Terraform, one provider per host (nslab/cdktf's LabStack). */
function refuseHosts(p: PlanDocument, what: string): void {
  if (p.hosts) throw new EngineError(`lab ${labKey(p)} spans hosts (${Object.keys(p.hosts).sort().join(', ')}): ${what} it with cdktf or Terraform (nslab/cdktf's LabStack makes one provider per host); nslab plan shows each host's part`);
}

const engineOpts = (flags: Flags) => ({ lockTimeoutMs: flags['lock-timeout'] ? Number(flags['lock-timeout']) * 1000 : 0, timeoutMs: timeoutMs(flags), adopt: flags.adopt });
const engineRunner = (flags: Flags) => (timeoutMs(flags) ? withRunOptions(processRunner, { timeoutMs: timeoutMs(flags) }) : processRunner);
const done = (changes: readonly { action: string }[]) =>
  (['create', 'update', 'replace', 'delete'] as const).map((a) => `${changes.filter((c) => c.action === a).length} ${a === 'create' ? 'created' : `${a}d`}`).join(', ');
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function cmdSynth(file: string | undefined, flags: Flags): Promise<number> {
  const plans = await plansOf(file, flags);
  const dir = flags.out ?? (process.env.NSLAB_OUTDIR || 'nslab.out');
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
  for (const p of plans) {
    const parts = hostParts(p);
    if (!parts) results.push(await planLab(p, engineOpts(flags)));
    // A lab across machines: each host's part against that host's kernel and records, over ssh.
    else for (const part of parts) results.push(await planLab(part.plan, { ...engineOpts(flags), ...overSsh(part) }));
  }
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
  for (const { plan: p } of labs) refuseHosts(p, 'apply');
  for (const { plan: p, changes: expected } of labs) {
    // On a terminal only: piped output and --json stay as they are.
    const progress = process.stdout.isTTY && !flags.json ? progressPrinter(labKey(p), out) : undefined;
    const res = await interruptible((signal) => applyLab(p, {
      ...engineOpts(flags),
      signal,
      expected,
      rollback: !flags['no-rollback'],
      onProgress: progress?.update,
      confirm: async (lp) => {
        progress?.pause();
        out(renderPlan(lp.key, lp.result));
        return confirm(`Apply these changes to lab ${lp.key}?`, flags['auto-approve'], 'apply');
      },
    })).finally(() => progress?.pause());
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
  const plans = file ? await plansOf(file, flags) : [];
  for (const p of plans) refuseHosts(p, 'destroy');
  const keys = file ? plans.map(labKey) : flags.lab ? [stateLab(flags.lab)] : [];
  if (keys.length === 0) throw new UsageError('destroy needs FILE or --lab NAME');
  requireRoot();
  for (const key of keys) {
    const res = await destroyLab(key, {
      ...engineOpts(flags),
      confirm: async (lp) => {
        out(renderPlan(lp.key, lp.result));
        return confirm(`Destroy lab ${key}?`, flags['auto-approve'], 'destroy');
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
  if (!(await confirm(`Remove ${plural(orphans.length, 'orphan', 'orphans')}?`, flags['auto-approve'], 'remove orphans'))) {
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

async function cmdImport(namespaces: string[], flags: Flags): Promise<number> {
  if (namespaces.length === 0) throw new UsageError('usage: nslab import NAMESPACE… [--lab NAME] [--out FILE]');
  requireRoot();
  const { importLab } = await import('./import.js');
  const text = await importLab(engineRunner(flags), namespaces, flags.lab ?? 'imported');
  if (flags.out) {
    writeFileSync(flags.out, text);
    out(`wrote ${flags.out}; take the objects over with: nslab apply ${flags.out} --adopt`);
  } else write(text);
  return 0;
}

async function cmdShow(flags: Flags): Promise<number> {
  requireRoot();
  return showLabs(flags.lab ? [stateLab(flags.lab)] : listStates(stateDir()), engineOpts(flags), flags.json, out);
}

const OPTIONS = {
  json: { type: 'boolean' }, 'detailed-exitcode': { type: 'boolean' }, 'auto-approve': { type: 'boolean' },
  lab: { type: 'string' }, out: { type: 'string' }, 'lock-timeout': { type: 'string' }, timeout: { type: 'string' }, adopt: { type: 'boolean' },
  debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' }, format: { type: 'string' },
  'no-rollback': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, prefix: { type: 'string' }, dir: { type: 'string' },
} as const;
const FLAG_NAMES = Object.keys(OPTIONS).map((o) => `--${o}`);

/** A parse error of node:util's parseArgs as one line naming the option (`cmd`: the command, if known). */
function argumentError(e: Error & { code?: string }, cmd: string | undefined): string {
  const msg = e.message;
  const unknown = /^Unknown option '([^']+)'/u.exec(msg)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    if (cmd === 'exec') return `unknown option ${unknown}: the command's own options go after --, as in: nslab exec FILE NAMESPACE -- CMD ${unknown}`;
    const help = cmd && COMMANDS[cmd] ? `nslab ${cmd} --help` : 'nslab --help';
    return `unknown option ${unknown}${didYouMean(unknown, FLAG_NAMES)} (${help} lists the options)`;
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/u.exec(msg)?.[1];
  if (missing) return `${missing} needs a value`;
  const noValue = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/u.exec(msg)?.[1];
  if (noValue) return `${noValue} takes no value`;
  return msg.split('\n')[0]!.split('. ')[0]!;
}

/** The command `cmd` names, or a UsageError saying which one was probably meant. */
function knownCommand(cmd: string): string {
  if (COMMANDS[cmd]) return cmd;
  throw new UsageError(`unknown command "${cmd}"${didYouMean(cmd, Object.keys(COMMANDS))} (nslab help lists the commands)`);
}

export async function main(argv: string[]): Promise<number> {
  return runCatching(argv.includes('--debug'), async () => {
    // The command, for the error message of a mistyped option: the first word a lenient parse finds.
    const cmd = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false }).positionals[0];
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
    } catch (e) {
      throw new UsageError(argumentError(e as Error, typeof cmd === 'string' ? cmd : undefined));
    }
    const flags = parsed.values as Flags;
    const [, file, ...rest] = parsed.positionals;
    if (flags.version) {
      out(version());
      return 0;
    }
    if (cmd === 'help') {
      if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
      out(file ? commandHelp(knownCommand(file)) : USAGE);
      return 0;
    }
    if (!cmd) {
      out(USAGE);
      return flags.help ? 0 : 1;
    }
    knownCommand(cmd);
    if (flags.help) {
      out(commandHelp(cmd));
      return 0;
    }
    if (cmd === 'exec') return cmdExec(parsed.positionals.slice(1), flags);
    if (rest.length && cmd !== 'import') throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    if (flags['lock-timeout'] !== undefined && !(Number(flags['lock-timeout']) >= 0)) throw new UsageError('--lock-timeout takes a number of seconds');
    if (flags.timeout !== undefined && !(Number(flags.timeout) > 0)) throw new UsageError('--timeout takes a number of seconds greater than 0');
    // Commands that run processes start their launcher now, while the lab file loads.
    if (['plan', 'apply', 'destroy', 'show', 'gc', 'import'].includes(cmd)) prestartLauncher();
    switch (cmd) {
      case 'synth': return cmdSynth(file, flags);
      case 'plan': return cmdPlan(file, flags);
      case 'apply': return cmdApply(file, flags);
      case 'destroy': return cmdDestroy(file, flags);
      case 'show': return cmdShow(flags);
      case 'graph': return cmdGraph(file, flags);
      case 'gc': return cmdGc(flags);
      case 'import': return cmdImport([file, ...rest].filter((x): x is string => x !== undefined), flags);
      default: return (await import('../terraform/install.js')).providerCommand(file, flags.dir, out);
    }
  });
}

async function runCatching(debug: boolean, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (debug) process.stderr.write(`${(e as Error).stack}\n`);
    // A PlanError thrown inside a lab file may come from another module instance: match by shape.
    const problems = (e as PlanError).problems;
    // One `error:` per line, whatever the error: a message of several lines (conflicts) included.
    const lines = Array.isArray(problems) ? problems : (e as Error).message.split('\n').filter((l) => l.trim());
    for (const l of lines) process.stderr.write(`error: ${l}\n`);
    return e instanceof ExitCodeError ? e.exitCode : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
