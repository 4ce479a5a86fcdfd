/**
 * A runner that injects a failure at one write step: it counts the lines of every `ip -batch`
 * write (and each sysctl process as one line); the batch holding line `failAt` runs only the lines
 * before it and then reports a failure, like a kernel refusal in the middle of a batch.
 */
import { processRunner, type Runner } from '../../src/engine/runner.js';

/** The lines of a write: batch lines other than the read-back `… show` lines, or a sysctl assignment. */
export function writeLines(argv: readonly string[], input: string | undefined): string[] {
  if (argv.includes('-batch')) return (input ?? '').split('\n').filter((l) => l && !/^(addr|route|link) show\b/u.test(l));
  const sysctl = argv.indexOf('sysctl');
  return sysctl >= 0 && argv.slice(sysctl + 1).some((a) => a.includes('=')) ? [argv.join(' ')] : [];
}

export function faultRunner(failAt: number, inner: Runner = processRunner): Runner & { seen: () => number } {
  let seen = 0;
  return {
    seen: () => seen,
    async run(argv, input) {
      const lines = writeLines(argv, input);
      if (lines.length === 0) return inner.run(argv, input);
      const start = seen;
      seen += lines.length;
      if (failAt < start || failAt >= seen) return inner.run(argv, input);
      const before = lines.slice(0, failAt - start);
      if (before.length && argv.includes('-batch')) await inner.run(argv, `${before.join('\n')}\n`);
      return { stdout: '', stderr: `injected failure at write line ${failAt}\nCommand failed -:${before.length + 1}\n`, code: 1 };
    },
  };
}

/** Counts write lines without failing. */
export function countingRunner(inner: Runner = processRunner): Runner & { seen: () => number } {
  return faultRunner(Number.MAX_SAFE_INTEGER, inner);
}
