/**
 * Running and measuring commands: wall time (hrtime around the child), peak RSS (GNU time's %M:
 * the largest resident set of the process tree's biggest process, here node itself), and, in
 * counting runs, every `ip` process started (a PATH shim that logs its argv, then execs ip).
 * Also the kernel-side helpers: what carries the prefix, the sweep, and waiting for quiet.
 */
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';
const TIME = '/usr/bin/time';
export const haveGnuTime = existsSync(TIME);

export interface Measured {
  readonly ms: number;
  readonly code: number;
  /** Peak RSS in KiB (GNU time %M), when GNU time is installed. */
  readonly rssKb?: number;
  /** CPU time (user + system) of the process and its waited-for children, ms (GNU time %U + %S). */
  readonly cpuMs?: number;
  /** argv (without "ip") of each ip process started, in counting runs. */
  readonly ipCalls?: string[];
  readonly stdout: string;
  readonly stderr: string;
}

/** The child running now (so a signal handler can stop it; only ever our own child). */
let current: ReturnType<typeof spawn> | undefined;
export const currentChild = () => current;
/** Set by the signal handler: no new command starts after it. */
let stopping = false;
export const stopStarting = () => {
  stopping = true;
};

export class Shim {
  readonly dir: string;
  private n = 0;
  constructor(work: string) {
    this.dir = join(work, 'shim');
    mkdirSync(this.dir, { recursive: true });
    // Logs "argv<TAB>write lines<TAB>show lines" (a batch's stdin is copied to a file to count its
    // lines), then execs the real ip. Only used in counting runs: it costs a few ms per process.
    const script = [
      '#!/bin/sh',
      'w=0; r=0',
      'case " $* " in',
      '  *" -batch - "*)',
      '    t="$BENCH_IP_LOG.$$"; cat > "$t"',
      "    r=$(grep -cE '^[a-z]+ show' \"$t\"); w=$(grep -cvE '^[a-z]+ show|^\\s*$' \"$t\")",
      '    printf "%s\\t%s\\t%s\\n" "$*" "$w" "$r" >> "$BENCH_IP_LOG"',
      `    exec ${IP} "$@" < "$t" ;;`,
      'esac',
      'printf "%s\\t0\\t0\\n" "$*" >> "$BENCH_IP_LOG"',
      `exec ${IP} "$@"`,
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'ip'), script);
    chmodSync(join(this.dir, 'ip'), 0o755);
  }
  /** A fresh log file for one command. */
  log(): string {
    const f = join(this.dir, `calls-${this.n++}.log`);
    writeFileSync(f, '');
    return f;
  }
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  /** When set, ip processes are counted through this shim (slower: not used for timing). */
  readonly shim?: Shim;
  readonly timeoutMs?: number;
}

/** Runs argv to completion; never throws for a non-zero exit. */
export async function measure(argv: string[], opts: RunOptions): Promise<Measured> {
  if (stopping) throw new Error('stopping: no new commands');
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...opts.env };
  let log: string | undefined;
  if (opts.shim) {
    log = opts.shim.log();
    env.PATH = `${opts.shim.dir}:${env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;
    env.BENCH_IP_LOG = log;
  }
  const rssFile = haveGnuTime ? join(opts.shim?.dir ?? opts.cwd, `rss-${process.pid}.txt`) : undefined;
  const full = rssFile ? [TIME, '-f', '%M %U %S', '-o', rssFile, ...argv] : argv;
  const started = process.hrtime.bigint();
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(full[0]!, full.slice(1), { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (c, signal) => {
      if (timer) clearTimeout(timer);
      current = undefined;
      resolve({ code: c ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  let rssKb: number | undefined;
  let cpuMs: number | undefined;
  if (rssFile && existsSync(rssFile)) {
    // The last line; GNU time puts "Command exited with non-zero status" lines before it.
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    const [rss, user, sys] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
    rssKb = Number.isFinite(rss) ? rss : undefined;
    cpuMs = Number.isFinite(user) && Number.isFinite(sys) ? (user! + sys!) * 1000 : undefined;
    rmSync(rssFile, { force: true });
  }
  const ipCalls = log ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : undefined;
  if (log) rmSync(log, { force: true });
  return { ms, code, rssKb, cpuMs, ipCalls, stdout, stderr };
}

// ---- the kernel: what carries the prefix, sweeping it, waiting for quiet ------------------------

export function ipJson<T>(...args: string[]): T {
  const text = execFileSync(IP, ['-j', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 }).trim();
  return (text ? JSON.parse(text) : []) as T;
}

export const allNamespaces = (): string[] => ipJson<Array<{ name: string }>>('netns', 'list').map((n) => n.name);
export const allHostLinks = (): string[] => ipJson<Array<{ ifname: string }>>('link', 'show').map((l) => l.ifname);
export const namespacesWith = (prefix: string) => allNamespaces().filter((n) => n.startsWith(prefix));
export const hostLinksWith = (prefix: string) => allHostLinks().filter((n) => n.startsWith(prefix));

/**
 * Removes every host link and namespace whose name starts with `prefix` (and nothing else), in
 * two forced batches. Returns how many objects it removed.
 */
export function sweep(prefix: string): number {
  if (!/^b[0-9a-f]{3}$/u.test(prefix)) throw new Error(`refusing to sweep with prefix "${prefix}"`);
  unpin(prefix);
  const links = hostLinksWith(prefix);
  const namespaces = namespacesWith(prefix);
  const batch = (lines: string[]) => {
    if (lines.length === 0) return;
    try {
      execFileSync(IP, ['-force', '-batch', '-'], { input: `${lines.join('\n')}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
    } catch {
      // -force keeps going; objects already gone (a veth whose peer went first) are fine
    }
  };
  batch(links.map((l) => `link del dev ${l}`));
  batch(namespaces.map((n) => `netns del ${n}`));
  return links.length + namespaces.length;
}

/** Removes nslab's pins (src/engine/state/pins.ts) of namespaces named with `prefix`: a failed run may leave them. */
function unpin(prefix: string): void {
  const root = process.env.NSLAB_PIN_DIR ?? '/run/nslab/pins';
  if (!existsSync(root)) return;
  for (const store of readdirSync(root)) {
    for (const lab of readdirSync(join(root, store)).filter((l) => l.startsWith(prefix))) {
      try {
        execFileSync('umount', ['-l', join(root, store, lab)], { stdio: 'ignore' });
      } catch {
        // not mounted
      }
      rmSync(join(root, store, lab), { recursive: true, force: true });
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kernel threads busy dismantling network namespaces: a worker names the workqueue it works
 * for (`kworker/u8:3-netns`) while it works; `kworker/R-netns`, the rescuer, is always there.
 */
export function netnsWorkers(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/u.test(pid)) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (/^kworker\/.*-netns$/u.test(comm) && comm !== 'kworker/R-netns') out.push(comm);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** How many named namespaces there are. */
const namespaceCount = () => (existsSync('/run/netns') ? readdirSync('/run/netns').length : 0);

/**
 * Waits until the kernel has settled after a phase: nothing with `prefix` left among the host's
 * links, no netns worker busy in three samples 100 ms apart, and the number of named
 * namespaces unchanged over those samples (another user's run would change it). At most
 * `maxMs`. Returns the ms waited.
 */
export let settledMs = 0;
export async function settle(prefix: string, maxMs = 30000): Promise<number> {
  const start = Date.now();
  try {
    while (Date.now() - start < maxMs && hostLinksWith(prefix).length > 0) await sleep(100);
    let quiet = 0;
    let count = namespaceCount();
    while (quiet < 3 && Date.now() - start < maxMs) {
      await sleep(100);
      const now = namespaceCount();
      quiet = netnsWorkers().length === 0 && now === count ? quiet + 1 : 0;
      count = now;
    }
    return Date.now() - start;
  } finally {
    settledMs += Date.now() - start;
  }
}

/** Global IPv4 addresses, links and namespaces that carry `prefix` (to check each system built the same). */
export function census(prefix: string): { namespaces: number; hostLinks: number; addresses: number } {
  const namespaces = namespacesWith(prefix);
  let addresses = 0;
  for (const ns of namespaces) {
    const addrs = ipJson<Array<{ addr_info?: Array<{ family: string; scope: string }> }>>('-n', ns, 'addr', 'show');
    for (const l of addrs) addresses += (l.addr_info ?? []).filter((a) => a.family === 'inet' && a.scope === 'global').length;
  }
  return { namespaces: namespaces.length, hostLinks: hostLinksWith(prefix).length, addresses };
}
