/**
 * All kernel I/O goes through a Runner: argv arrays, never a shell string. Tests may swap in a
 * recorder or a replayer; the default runs real processes through execa.
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface Runner {
  /** Runs `argv` with optional stdin; never throws for a non-zero exit (the caller decides). */
  run(argv: readonly string[], input?: string): Promise<RunResult>;
}

/** A command that exited non-zero, with everything needed to tell the user why. */
export class CommandFailedError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly code: number,
    readonly stderr: string,
    readonly input?: string,
  ) {
    super(`${argv.join(' ')} failed (exit ${code}): ${firstErrorLine(stderr, input)}`);
    this.name = 'CommandFailedError';
  }
}

/** For `ip -batch` failures ("Command failed -:3") names the failing input line too. */
function firstErrorLine(stderr: string, input?: string): string {
  const text = stderr.trim().split('\n').filter(Boolean);
  const msg = text.filter((l) => !/^Command failed -:\d+$/u.test(l)).join('; ') || text.join('; ') || 'no error output';
  const m = /Command failed -:(\d+)/u.exec(stderr);
  if (m && input) {
    const line = input.split('\n')[Number(m[1]) - 1];
    if (line) return `${msg} (at "${line}")`;
  }
  return msg;
}

/**
 * Children must not outlive a killed nslab (an orphaned `ip -batch` would race the next apply),
 * and must not take the terminal's Ctrl-C themselves (nslab stops at a safe point instead).
 * So each runs in its own process group, under `setpriv --pdeathsig KILL` where util-linux has it.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export const execaRunner: Runner = {
  async run(argv, input) {
    const [file, ...args] = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...argv] : argv;
    const r = await execa(file!, args, { input: input ?? '', reject: false, stripFinalNewline: false, detached: true });
    if (r.failed && typeof r.exitCode !== 'number') {
      throw new Error(`could not run ${file}: ${r.shortMessage}`, { cause: r });
    }
    return { stdout: String(r.stdout), stderr: String(r.stderr), code: r.exitCode ?? 1 };
  },
};

/** Runs and throws CommandFailedError on a non-zero exit. */
export async function runChecked(runner: Runner, argv: readonly string[], input?: string): Promise<RunResult> {
  const r = await runner.run(argv, input);
  if (r.code !== 0) throw new CommandFailedError(argv, r.code, r.stderr, input);
  return r;
}

/** Runs `jobs` with at most `limit` in flight at once; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
