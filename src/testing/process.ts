/**
 * Commands inside a lab's namespace: `ip netns exec NS argv…` as argv (never a shell string).
 * Each command runs in its own process group, so a timeout or a teardown stops it and everything
 * it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ExecOptions {
  /**
   * Written to the command's stdin, which is then closed.
   * @default - stdin is /dev/null
   */
  readonly input?: string;
  /**
   * The command (its whole process group) is killed with SIGKILL after this long, and exec throws.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Throw an ExecError when the command exits non-zero.
   * @default false
   */
  readonly check?: boolean;
  /**
   * The command's environment.
   * @default - this process's environment
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The command's working directory.
   * @default - this process's working directory
   */
  readonly cwd?: string;
}

export interface SpawnOptions {
  /** The process's environment. @default - this process's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** The process's working directory. @default - this process's working directory */
  readonly cwd?: string;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code; 128 + the signal number when a signal ended the command. */
  readonly code: number;
  /** The signal that ended the command, if one did. */
  readonly signal?: NodeJS.Signals;
}

/** A command that timed out, could not start, or (with `check`) exited non-zero. */
export class ExecError extends Error {
  override name = 'ExecError';
  constructor(
    message: string,
    /** The full argv run on the host (`ip netns exec NS …`). */
    readonly argv: readonly string[],
    /** What the command printed and how it ended, when it ended. */
    readonly result?: ExecResult,
  ) {
    super(message);
  }
}

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const DEFAULT_EXEC_TIMEOUT_MS = 30_000;

/** Sends `signal` to the process group led by `pid`; false when it is already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

const nsArgv = (namespace: string, argv: readonly string[]) => ['ip', 'netns', 'exec', namespace, ...argv];

function start(namespace: string, argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: boolean }): ChildProcess {
  if (argv.length === 0 || argv.some((a) => typeof a !== 'string')) throw new TypeError('argv must be a non-empty array of strings');
  const full = nsArgv(namespace, argv);
  return spawn(full[0]!, full.slice(1), {
    detached: true, // its own process group: a kill reaches everything it started
    stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
}

/** Collects output and resolves once the process has ended and its output is complete. */
function track(child: ChildProcess, out: { stdout: string; stderr: string }): Promise<ExecResult> {
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out.stdout += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { out.stderr += d; });
  return new Promise((resolve) => {
    let exit: { code: number; signal?: NodeJS.Signals } | undefined;
    const finish = () => resolve({ stdout: out.stdout, stderr: out.stderr, ...exit! });
    child.on('error', (e) => {
      out.stderr += `could not start: ${e.message}\n`;
      exit ??= { code: 127 };
      finish();
    });
    child.on('exit', (code, signal) => {
      exit = { code: code ?? 128 + (SIGNALS[signal as NodeJS.Signals] ?? 0), signal: signal ?? undefined };
      // Output may still be in flight; a grandchild that left the group may hold the pipe open.
      setTimeout(finish, 200).unref();
    });
    child.on('close', () => { if (exit) finish(); });
  });
}

/**
 * Runs `argv` inside `namespace` and waits for it.
 * Equivalent to: `ip netns exec <namespace> <argv…>`.
 */
export async function execIn(namespace: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const full = nsArgv(namespace, argv);
  const child = start(namespace, argv, { env: opts.env, cwd: opts.cwd, input: opts.input !== undefined });
  const done = track(child, { stdout: '', stderr: '' });
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
  const r = await Promise.race([done, timedOut]);
  clearTimeout(timer);
  if (r === 'timeout') {
    killGroup(child.pid, 'SIGKILL');
    const partial = await done;
    throw new ExecError(`${full.join(' ')} did not finish within ${timeoutMs} ms (killed); output so far: ${summary(partial)}`, full, partial);
  }
  if (r.code === 127 && child.pid === undefined) throw new ExecError(`${full.join(' ')}: ${r.stderr.trim()}`, full, r);
  if (opts.check && r.code !== 0) throw new ExecError(`${full.join(' ')} exited with code ${r.code}: ${summary(r)}`, full, r);
  return r;
}

const summary = (r: ExecResult) => (r.stderr.trim() || r.stdout.trim() || 'no output').slice(0, 2000);

/**
 * A long-running process inside a lab namespace (a server, a capture). The lab stops it at
 * teardown; `kill()` stops it earlier.
 */
export class LabProcess {
  /** The process id (the command itself: `ip netns exec` replaces itself with it). */
  readonly pid: number;
  private readonly exited: Promise<ExecResult>;
  private readonly child: ChildProcess;
  private readonly out = { stdout: '', stderr: '' };
  private ended = false;

  /** @internal Use `lab.namespace(id).spawn(argv)`. */
  constructor(
    /** The namespace's kernel name. */
    readonly namespace: string,
    /** The command, as run inside the namespace. */
    readonly argv: readonly string[],
    opts: SpawnOptions = {},
  ) {
    const child = start(namespace, argv, opts);
    this.child = child;
    this.exited = track(child, this.out).then((r) => {
      this.ended = true;
      return r;
    });
    this.pid = child.pid ?? -1;
    // The lab owns its lifetime: a forgotten server must not keep the test process alive
    // (the exit handler stops it with the lab). wait() holds the process alive while it waits.
    this.hold(false);
  }

  /** Resolves when the process has ended on its own, with everything it printed. Never rejects. */
  async wait(): Promise<ExecResult> {
    if (this.ended) return this.exited;
    this.hold(true);
    try {
      return await this.exited;
    } finally {
      this.hold(false);
    }
  }

  /** @internal Like wait(), without keeping this process alive meanwhile. */
  whenEnded(): Promise<ExecResult> {
    return this.exited;
  }

  private hold(ref: boolean): void {
    if (ref) this.child.ref();
    else this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr]) {
      const h = s as { ref?: () => void; unref?: () => void } | null;
      if (ref) h?.ref?.();
      else h?.unref?.();
    }
  }

  /** Everything printed on stdout so far. */
  get stdout(): string {
    return this.out.stdout;
  }

  /** Everything printed on stderr so far. */
  get stderr(): string {
    return this.out.stderr;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return !this.ended;
  }

  /**
   * Waits until the output matches `pattern` (e.g. a server's "listening" line) and returns the
   * matched text. Throws when the process ends first or `timeoutMs` passes.
   */
  async waitFor(pattern: string | RegExp, opts: { timeoutMs?: number; stream?: 'stdout' | 'stderr' } = {}): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const text = () => (opts.stream === 'stderr' ? this.out.stderr : this.out.stdout);
    const match = () => {
      const t = text();
      if (typeof pattern === 'string') return t.includes(pattern) ? pattern : undefined;
      return pattern.exec(t)?.[0];
    };
    for (;;) {
      const m = match();
      if (m !== undefined) return m;
      if (this.ended) {
        const r = await this.exited;
        throw new Error(`${this.describe()} ended (code ${r.code}) before printing ${String(pattern)}; stdout: ${r.stdout.trim() || '(none)'}; stderr: ${r.stderr.trim() || '(none)'}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.describe()} did not print ${String(pattern)} within ${timeoutMs} ms; stdout: ${this.out.stdout.trim() || '(none)'}; stderr: ${this.out.stderr.trim() || '(none)'}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Sends `signal` to the process and everything it started (its process group), and SIGKILL
   * after `graceMs` if it is still running. Resolves with its output once it has ended.
   */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 2000): Promise<ExecResult> {
    if (this.ended) return this.exited;
    killGroup(this.pid, signal);
    const timer = setTimeout(() => killGroup(this.pid, 'SIGKILL'), graceMs);
    try {
      return await this.wait();
    } finally {
      clearTimeout(timer);
    }
  }

  private describe(): string {
    return `process ${this.pid} (${this.argv.join(' ')}) in namespace ${this.namespace}`;
  }
}
