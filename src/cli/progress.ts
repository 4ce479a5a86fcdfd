import { type ApplyProgress } from '../engine/index.js';
/**
 * Progress of a long apply on a terminal, in the manner of Terraform's "Still creating..." lines:
 * the phase and count, at most once a second, nothing in an apply's first second.
 */

export interface ProgressPrinter {
  /** The engine's callback (ApplyOptions.onProgress). */
  readonly update: (p: ApplyProgress) => void;
  /** Stops printing until the next update (before a prompt, and when the apply is over). */
  pause(): void;
}

/** The line for one progress report. */
export function describeProgress(p: ApplyProgress): string {
  const count = `${p.done}/${p.total}`;
  switch (p.phase) {
    case 'reading': return `reading the kernel (${p.total} namespace${p.total === 1 ? '' : 's'})…`;
    case 'deleting': return `deleting in ${count} namespaces…`;
    case 'creating': return 'creating namespaces and veths…';
    case 'configuring': return `configuring ${count} namespaces…`;
    case 'sysctls': return `setting sysctls in ${count} namespaces…`;
    case 'verifying': return 'verifying: reading the kernel again…';
    default: return `${p.phase} ${count}…`;
  }
}

/** Prints `lab KEY: <phase and count>… [Ns elapsed]` every `everyMs` while updates come. */
export function progressPrinter(key: string, print: (line: string) => void, everyMs = 1000): ProgressPrinter {
  let current: ApplyProgress | undefined;
  let timer: NodeJS.Timeout | undefined;
  let started = 0;
  const tick = () => {
    if (current) print(`lab ${key}: ${describeProgress(current)} [${Math.round((Date.now() - started) / 1000)}s elapsed]`);
  };
  return {
    update(p) {
      current = p;
      if (timer) return;
      started = Date.now();
      timer = setInterval(tick, everyMs);
      timer.unref();
    },
    pause() {
      clearInterval(timer);
      timer = undefined;
      current = undefined;
    },
  };
}
