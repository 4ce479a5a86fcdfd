/**
 * `nslab exec FILE|--lab NAME NAMESPACE -- CMD…`: a command inside one of a lab's namespaces,
 * exiting as a shell would report it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import type { PlanDocument } from '../plan/types.js';
import { ExitCodeError, plansOf, requireRoot, stateLab, UsageError, type Flags } from './common.js';
import { readState, stateDir } from '../engine/index.js';

/** `nslab exec FILE NS -- CMD…` or `nslab exec --lab NAME NS -- CMD…`: the prefix is resolved here. */
export async function cmdExec(args: string[], flags: Flags): Promise<number> {
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
