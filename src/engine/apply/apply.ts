import { HOST, type Location } from '../../plan/types.js';
import type { Change } from '../diff/diff.js';
import type { LiveState } from '../live/read.js';
import { CommandFailedError, inLocation, mapLimit, mountTableSize, type Runner } from '../runner.js';
import { buildScripts, type HostStep } from './batches.js';
import { applyExtras } from './extras.js';
import { parseLinks, parseRoutes, parseSysctls, splitBatchOutput, type LiveLocation } from '../live/parse.js';

/** Writes in flight: the launcher runs them one at a time (NSLAB_PARALLEL); the kernel serializes them anyway. */
const WRITE_CONCURRENCY = 8;

/** Apply stopped at a safe point because it was asked to (SIGINT, SIGTERM). */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

export interface ApplyReport {
  /** Number of ip (and sysctl) processes run. */
  readonly processes: number;
  /** Number of batch lines sent. */
  readonly commands: number;
  /**
   * What each configured location looked like right after its batch: every configure batch ends
   * with `addr show` and `route show table all` (run with `-d -j`), so the verification read of
   * that location costs no extra process. Sysctl values are those the assignments reported.
   */
  readonly observed: Map<Location, LiveLocation>;
  /** Locations whose links, addresses, routes or sysctls the apply wrote to. */
  readonly touched: Set<Location>;
  /** Namespace -> the value each sysctl had right before the apply set it. */
  readonly sysctlsBefore?: Map<Location, Record<string, string>>;
}

/**
 * `sysctl K1 K1=V1 K2 K2=V2` prints each key's value before and after: pairs of lines in order.
 * Returns the values before.
 */
export function sysctlsBefore(keys: readonly string[], stdout: string): Record<string, string> {
  const lines = stdout.split('\n').map((l) => /^([^=\s]+)\s*=\s?(.*)$/u.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  const out: Record<string, string> = {};
  let i = 0;
  for (const k of keys) {
    // A key the kernel lacks prints nothing for its read: then there is no value before.
    if (lines[i]?.[1] === k && lines[i + 1]?.[1] === k) {
      out[k] = lines[i]![2]!.trim().replace(/\s+/gu, ' ');
      i += 2;
    } else if (lines[i]?.[1] === k) i += 1;
  }
  return out;
}

/** How far an apply has come: called between batches (phase `deleting`, `creating`, `configuring`, `sysctls`: done of total namespaces). */
export interface ApplyProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}

/** Appended to every configure batch: the location's state after the batch, in the same process. */
const READBACK = 'addr show\nroute show table all\n';

const readbackArgv = (l: Location, n: number) => inLocation(l, ['ip', '-d', '-j', '-batch', '-'], n);

const batchArgv = (l: Location, n: number, force = false) =>
  inLocation(l, ['ip', ...(force ? ['-force'] : []), '-batch', '-'], n);

/** Namespaces per chunk of the host batch (at most MAX_CHUNKS chunks). */
const CHUNK_NAMESPACES = 25;
const MAX_CHUNKS = 8;

/**
 * Splits the host batch into chunks, in order: the namespaces it creates are cut into runs of
 * about CHUNK_NAMESPACES; each line goes to the chunk of the last namespace it needs (`netns del`
 * and host bridges to the first). `completes`: the namespaces whose every line is in that chunk
 * or an earlier one, so that they can be configured once it is done.
 */
export function hostChunks(steps: readonly HostStep[]): Array<{ lines: string[]; completes: string[] }> {
  if (steps.length === 0) return [];
  const added = steps.filter((x) => x.line.startsWith('netns add ')).map((x) => x.namespaces[0]!);
  const count = Math.max(1, Math.min(MAX_CHUNKS, Math.ceil(added.length / CHUNK_NAMESPACES)));
  // The first chunk is half the size of the others: configuring starts sooner.
  const first = count > 1 ? Math.ceil(added.length / (2 * count - 1)) : added.length;
  const chunkAt = (i: number) => (i < first ? 0 : 1 + Math.floor(((i - first) * (count - 1)) / (added.length - first)));
  const order = new Map(added.map((ns, i) => [ns, chunkAt(i)]));
  const chunks = Array.from({ length: count }, () => ({ lines: [] as string[], completes: [] as string[] }));
  const last = new Map<string, number>();
  for (const x of steps) {
    const k = Math.max(0, ...x.namespaces.map((ns) => order.get(ns) ?? 0));
    chunks[k]!.lines.push(x.line);
    for (const ns of x.namespaces) last.set(ns, Math.max(k, last.get(ns) ?? 0));
  }
  for (const [ns, k] of last) chunks[k]!.completes.push(ns);
  return chunks.filter((c) => c.lines.length > 0 || c.completes.length > 0);
}

/**
 * Runs tasks as they are added, at most `limit` at once. After the first failure no new task
 * starts; those running finish; drain() then throws the first error.
 */
class Pool {
  failed: { error: unknown } | undefined;
  private running = 0;
  private readonly queue: Array<() => Promise<void>> = [];
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  add(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  fail(error: unknown): void {
    this.failed ??= { error };
  }

  async drain(): Promise<void> {
    while (this.running > 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failed) throw this.failed.error;
  }

  private pump(): void {
    while (!this.failed && this.running < this.limit && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.running++;
      task()
        .catch((e: unknown) => this.fail(e))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0) for (const w of this.waiters.splice(0)) w();
        });
    }
  }
}

/** Lines ip reports for objects that are already gone: a delete that found nothing to delete. */
const ALREADY_GONE = /Cannot find device|No such process|No such file or directory|Cannot assign requested address|does not exist/u;

/**
 * Applies changes to the kernel in stages (see batches.ts): deletes per location, one host batch
 * (namespaces and veths), configuration per location, then sysctls.
 * Throws CommandFailedError at the first stage that fails.
 */
export async function applyChanges(runner: Runner, key: string, changes: readonly Change[], live: LiveState, signal?: AbortSignal, onProgress?: (p: ApplyProgress) => void): Promise<ApplyReport> {
  const s = buildScripts(key, changes, live);
  /** Reports `phase` at 0 of `total`, and returns what counts one batch of it done. */
  const phase = (name: string, total: number) => {
    let done = 0;
    if (total) onProgress?.({ phase: name, done, total });
    return () => onProgress?.({ phase: name, done: ++done, total });
  };
  let processes = 0;
  let commands = 0;
  // Safe points: between batches. A batch that started runs to its end.
  const checkpoint = () => {
    if (signal?.aborted) throw new InterruptedError('interrupted');
  };
  const observed = new Map<Location, LiveLocation>();
  const run = async (argv: string[], lines: string[], tolerateGone = false, readback?: Location) => {
    checkpoint();
    processes++;
    commands += lines.length;
    const input = `${lines.join('\n')}\n${readback === undefined ? '' : READBACK}`;
    const r = await runner.run(argv, input);
    if (r.code === 0) {
      if (readback !== undefined) {
        const [addrs, routes] = splitBatchOutput(r.stdout, 2);
        observed.set(readback, { links: parseLinks(addrs), routes: parseRoutes(routes), sysctls: {} });
      }
      return;
    }
    if (tolerateGone) {
      const errors = r.stderr.split('\n').filter((l) => l.trim() && !/^Command failed -:\d+$/u.test(l.trim()));
      if (errors.every((l) => ALREADY_GONE.test(l))) return;
    }
    throw new CommandFailedError(argv, r.code, r.stderr, input);
  };
  // Deletes run with -force so that one object already gone does not stop the rest; anything
  // else that fails is an error, and the verification read catches what remains.
  // The mount table's size while each stage runs (it picks how to enter namespaces): every
  // namespace added is one more line.
  const before = mountTableSize();
  const during = before + s.hostSteps.filter((x) => x.line.startsWith('netns add ')).length;
  const deleted = phase('deleting', s.deletes.length);
  await mapLimit(s.deletes, WRITE_CONCURRENCY, async (x) => { await run(batchArgv(x.location, before, true), x.lines, true); deleted(); });
  // The host batch runs in chunks, one after another; a namespace is configured as soon as the
  // chunk that completes it (its `netns add`, its veths) is done, while the next chunk runs.
  const chunks = hostChunks(s.hostSteps);
  const created = phase('creating', chunks.length);
  const configured = phase('configuring', s.configure.length);
  const byLocation = new Map(s.configure.map((x) => [x.location, x]));
  const pool = new Pool(WRITE_CONCURRENCY);
  const configure = (locations: Iterable<Location>) => {
    for (const l of locations) {
      const x = byLocation.get(l);
      if (!x) continue;
      byLocation.delete(l);
      pool.add(async () => { await run(readbackArgv(x.location, during), x.lines, false, x.location); configured(); });
    }
  };
  const waiting = new Set(chunks.flatMap((c) => c.completes));
  configure([...byLocation.keys()].filter((l) => l !== HOST && !waiting.has(l)));
  try {
    for (const c of chunks) {
      if (pool.failed) break;
      await run(batchArgv(HOST, before), c.lines);
      created();
      configure(c.completes);
    }
  } catch (e) {
    pool.fail(e);
  }
  if (!pool.failed) configure([...byLocation.keys()]);
  await pool.drain();
  const setSysctls = phase('sysctls', s.sysctls.size);
  const found = new Map<Location, Record<string, string>>();
  await mapLimit([...s.sysctls], WRITE_CONCURRENCY, async ([ns, kv]) => {
    checkpoint();
    processes++;
    commands += kv.length;
    // Equivalent to: `sysctl K K=V …`: reads each value, then sets it, in one process.
    const keys = kv.map((x) => x.slice(0, x.indexOf('=')));
    const argv = inLocation(ns, ['sysctl', ...kv.flatMap((x, i) => [keys[i]!, x])]);
    const r = await runner.run(argv);
    if (r.code !== 0) throw new CommandFailedError(argv, r.code, r.stderr);
    found.set(ns, sysctlsBefore(keys, r.stdout));
    const o = observed.get(ns);
    if (o) Object.assign(o.sysctls, parseSysctls(r.stdout));
    setSysctls();
  });
  const extra = await applyExtras(runner, key, changes, live, checkpoint);
  processes += extra.processes;
  commands += extra.commands;
  const touched = new Set<Location>([...s.deletes, ...s.configure].map((x) => x.location));
  if (s.host.some((l) => l.startsWith('link '))) touched.add(HOST);
  for (const l of extra.touched) touched.add(l);
  for (const l of s.sysctls.keys()) touched.add(l);
  return { processes, commands, observed, touched, sysctlsBefore: found };
}
