/**
 * The launcher: one small, long-lived Node process per nslab run (per lab lock) that starts
 * processes from argv arrays (no shell) and hands back their exit code, stdout and stderr.
 *
 * Why: node:child_process.spawn runs synchronously on the calling thread, and in nslab's
 * process (whose heap grows with the lab) each spawn blocks the event loop for milliseconds:
 * forking a big process copies its page tables, and spawn waits for the child's exec. The
 * launcher's heap stays small, so its forks are cheap, and nslab's main thread parses output
 * while the launcher starts the next `ip`.
 *
 * - Holding the lock: a launcher for a lab lock is started with the lock's descriptor as its
 *   fd 3 and passes it on (as their fd 3) to the children that ask for it, so an orphaned `ip`
 *   keeps the lab locked; closeLauncher() ends it before the lock is released.
 * - Deadlines: the launcher kills a child's process group when its deadline passes.
 * - Dying with nslab: the launcher reads requests from its stdin; at EOF (nslab ended, however:
 *   the kernel closes the pipe) it kills every running child's process group and exits. That is
 *   what `setpriv --pdeathsig KILL` around each write did before, without a wrapper process.
 * - Ctrl-C: the launcher and every child run in their own process groups, so the terminal's
 *   SIGINT reaches nslab only (which stops at a safe point).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** The launcher's own code (CommonJS, run with `node -e`: no file to find in dist/ or src/). */
const SCRIPT = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const running = new Map();
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const killGroup = (c) => { try { process.kill(-c.pid, 'SIGKILL'); } catch {} };
function start(req) {
  const stdio = ['pipe', 'pipe', 'pipe'];
  if (req.hold) stdio.push(3);
  let child;
  try {
    child = spawn(req.argv[0], req.argv.slice(1), { detached: true, stdio });
  } catch (e) {
    return send({ id: req.id, error: String(e && e.message || e) });
  }
  const out = [], err = [];
  let timedOut = false, done = false;
  const timer = setTimeout(() => { timedOut = true; killGroup(child); }, req.ms);
  const finish = (m) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    running.delete(req.id);
    send(m);
  };
  if (child.pid !== undefined) running.set(req.id, child);
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  child.stdin.on('error', () => {});
  child.on('error', (e) => { if (child.pid === undefined) finish({ id: req.id, error: e.message }); });
  child.on('close', (code, signal) => finish({ id: req.id, code, signal, timedOut,
    stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  child.stdin.end(req.input || '');
}
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  for (let n = buf.indexOf('\n'); n >= 0; n = buf.indexOf('\n')) {
    const line = buf.slice(0, n);
    buf = buf.slice(n + 1);
    if (line) start(JSON.parse(line));
  }
});
process.stdin.on('end', () => {
  for (const c of running.values()) killGroup(c);
  process.exit(0);
});
send({ ready: true });
`;

export interface LaunchRequest {
  readonly argv: readonly string[];
  readonly input?: string;
  /** Pass the launcher's fd 3 (the lock it was started with) to the child as its fd 3. */
  readonly hold?: boolean;
  readonly ms: number;
}

export interface LaunchResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

interface Reply extends Partial<LaunchResult> {
  readonly id?: number;
  readonly ready?: boolean;
  readonly error?: string;
}

type Pending = { resolve: (r: LaunchResult) => void; reject: (e: Error) => void };

/** One launcher process. `ready` settles when it can take requests (rejects if it cannot start). */
export class Launcher {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly exited: Promise<void>;
  private nextId = 1;
  private dead: Error | undefined;

  /** `holdFd`: a descriptor the launcher keeps as its fd 3 and lends to children (the lab lock). */
  constructor(readonly holdFd?: number) {
    const stdio: Array<'pipe' | 'ignore' | number> = ['pipe', 'pipe', 'ignore'];
    if (holdFd !== undefined) stdio.push(holdFd);
    this.child = spawn(process.execPath, ['-e', SCRIPT], { detached: true, stdio });
    let ready!: () => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      ready = res;
      failed = rej;
    });
    this.ready.catch(() => undefined);
    this.exited = new Promise<void>((res) => this.child.on('exit', () => res()));
    this.child.on('error', (e) => this.fail(new Error(`could not start nslab's launcher: ${e.message}`, { cause: e }), failed));
    this.child.on('exit', (code, signal) => this.fail(new Error(`nslab's launcher ended (${signal ?? `exit ${code}`})`), failed));
    this.stdin.on('error', () => undefined);
    let buf = '';
    this.stdout.setEncoding('utf8');
    this.stdout.on('data', (d: string) => {
      buf += d;
      for (let n = buf.indexOf('\n'); n >= 0; n = buf.indexOf('\n')) {
        const m = JSON.parse(buf.slice(0, n)) as Reply;
        buf = buf.slice(n + 1);
        if (m.ready) {
          // Until now it kept nslab's event loop alive: someone may be waiting for it to start.
          if (this.pending.size === 0) this.idle();
          ready();
        }
        else if (m.id !== undefined) this.settle(m.id, m);
      }
    });
  }

  private get stdin(): Writable {
    return this.child.stdin!;
  }

  private get stdout(): Readable {
    return this.child.stdout!;
  }

  /** The launcher's pid (for tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Runs one request; rejects only when the launcher itself fails. */
  run(req: LaunchRequest): Promise<LaunchResult> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    this.busy();
    return new Promise<LaunchResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.stdin.write(`${JSON.stringify({ id, argv: req.argv, input: req.input ?? '', hold: req.hold ?? false, ms: req.ms })}\n`);
    });
  }

  /** Ends the launcher (its children, if any still run, are killed) and waits until it is gone. */
  async close(): Promise<void> {
    if (this.dead) return;
    this.busy();
    this.end();
    // A ref'd timer keeps nslab waiting for the exit; a launcher that does not go is killed.
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Like close(), without waiting. */
  end(): void {
    this.stdin.end();
  }

  private settle(id: number, m: Reply): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.idle();
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve({ code: m.code ?? null, signal: m.signal ?? null, timedOut: m.timedOut ?? false, stdout: m.stdout ?? '', stderr: m.stderr ?? '' });
  }

  private fail(e: Error, failedToStart: (e: Error) => void): void {
    this.dead ??= e;
    failedToStart(e);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** While nothing is asked of it, the launcher does not keep nslab's event loop alive. */
  private idle(): void {
    this.child.unref();
    (this.stdout as unknown as { unref?: () => void }).unref?.();
    (this.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.stdout as unknown as { ref?: () => void }).ref?.();
    (this.stdin as unknown as { ref?: () => void }).ref?.();
  }
}
