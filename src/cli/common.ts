/**
 * What the nslab command's modules share: flags, user errors, output that never interrupts
 * kernel work, the root check, lab selection and the confirmation prompt.
 */
import { createInterface } from 'node:readline/promises';
import type { PlanDocument } from '../plan/types.js';
import { loadLabFile } from './load.js';
import { resolveLab, selectLabs, stateLabs } from './labs.js';
import { stateDir } from '../engine/index.js';

export interface Flags {
  json?: boolean;
  'detailed-exitcode'?: boolean;
  'auto-approve'?: boolean;
  lab?: string;
  out?: string;
  'lock-timeout'?: string;
  timeout?: string;
  adopt?: boolean;
  debug?: boolean;
  help?: boolean;
  version?: boolean;
  format?: string;
  'no-rollback'?: boolean;
  'dry-run'?: boolean;
  prefix?: string;
  dir?: string;
}

/** A mistake in how nslab was called: one `error:` line, exit 1. */
export class UsageError extends Error {}

/** An error with an exit code of its own (a command nslab exec cannot run: 126, 127). */
export class ExitCodeError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
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

export function write(text: string): void {
  if (!stdoutGone) process.stdout.write(text);
}

export function out(text: string): void {
  write(`${text}\n`);
}

export function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new UsageError('nslab must run as root: it reads and changes network namespaces (CAP_SYS_ADMIN, CAP_NET_ADMIN)');
  }
}

export async function plansOf(file: string | undefined, flags: Flags): Promise<PlanDocument[]> {
  if (!file) throw new UsageError('missing FILE (a lab .ts/.js file or a plan .json)');
  return selectLabs(flags.lab, await loadLabFile(file), file);
}

/** The key of the lab with a state file that `name` means (see resolveLab). */
export const stateLab = (name: string): string => resolveLab(name, stateLabs(stateDir()), stateDir()).key;

/**
 * Asks `question` on the terminal; true for "yes". Without a terminal it refuses, naming what
 * `--auto-approve` would let happen (`to`: "apply", "destroy", "remove orphans").
 */
export async function confirm(question: string, autoApprove: boolean | undefined, to: string): Promise<boolean> {
  if (autoApprove) return true;
  if (!process.stdin.isTTY) throw new UsageError(`not a terminal: pass --auto-approve to ${to} without confirmation`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes)$/iu.test((await rl.question(`${question} Only "yes" will be accepted: `)).trim());
  } finally {
    rl.close();
  }
}
