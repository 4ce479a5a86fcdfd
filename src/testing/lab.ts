/**
 * A deployed test lab: live handles to its namespaces and devices, reachability checks, teardown.
 */
import { parseIp } from '../plan/net.js';
import { HOST, labKey, type PlanDocument } from '../plan/types.js';
import { readDevices, LabNamespace, type LiveDevice, type PingOptions } from './namespace.js';
import type { LabProcess } from './process.js';
import { Topology, renderMatrix, type PairPrediction, type PairResult } from './reachability.js';
import { killNamespaceProcesses, ownedNames, releaseRun, teardownSync } from './runs.js';
import { destroyLab, mapLimit } from '../engine/index.js';

export interface CheckReachabilityOptions {
  /**
   * How long a pair predicted reachable may take to answer.
   * @default 3
   */
  readonly timeoutSec?: number;
  /**
   * How long to wait for a reply from a pair predicted unreachable.
   * @default 1
   */
  readonly unreachableTimeoutSec?: number;
  /**
   * Pings in flight at once.
   * @default 16
   */
  readonly concurrency?: number;
}

/** What `checkReachability()` found. */
export interface ReachabilityReport {
  /** True when the kernel agreed with the topology on every checked pair. */
  readonly ok: boolean;
  readonly results: PairResult[];
  /** The matrix as text, mismatches listed under it. */
  readonly text: string;
}

/** Thrown by `checkReachability()` when the kernel disagrees with the topology. */
export class ReachabilityError extends Error {
  override name = 'ReachabilityError';
  constructor(readonly report: ReachabilityReport) {
    super(`reachability differs from the topology (rows ping columns):\n${report.text}`);
  }
}

/** Hooks the deployment machinery gives a lab: how to forget it once it is gone. */
export interface LabLifecycle {
  onGone(lab: DeployedLab): void;
}

/**
 * A lab deployed by `deployLab` / `withLab`: live until `destroy()`.
 * Namespace references are construct ids (`'red'`), unprefixed names, or kernel names.
 */
export class DeployedLab {
  /** The lab's name. */
  readonly name: string;
  /** The unique prefix of this deployment (in front of namespace and host-side link names). */
  readonly prefix: string;
  /** prefix + name: the lab's key in state files and ownership markers (`nslab:<key>`). */
  readonly key: string;
  private readonly topology: Topology;
  private readonly processes = new Set<LabProcess>();
  private readonly handles = new Map<string, LabNamespace>();
  private gone?: Promise<void>;

  /** @internal Use `deployLab`. */
  constructor(
    /** The plan that was applied. */
    readonly plan: PlanDocument,
    /** The engine state directory of this deployment. */
    readonly stateDir: string,
    private readonly lifecycle: LabLifecycle,
  ) {
    this.name = plan.lab;
    this.prefix = plan.prefix;
    this.key = labKey(plan);
    this.topology = new Topology(plan);
    const registry = {
      adopt: (p: LabProcess) => {
        this.processes.add(p);
        void p.whenEnded().then(() => this.processes.delete(p));
      },
      assertLive: () => {
        if (this.gone) throw new Error(`lab ${this.key} is destroyed`);
      },
    };
    for (const [id, r] of Object.entries(plan.resources)) {
      if (r.type === 'namespace') this.handles.set(id, new LabNamespace(id, r.name, registry));
    }
  }

  /** Whether `destroy()` has been called. */
  get destroyed(): boolean {
    return this.gone !== undefined;
  }

  /**
   * The namespace `ref`: its construct id (`'red'`), its name without the prefix, or its kernel name.
   * @throws Error listing the lab's namespaces when there is none such
   */
  namespace(ref: string): LabNamespace {
    const all = [...this.handles.values()];
    const hit = this.handles.get(ref) ?? all.find((n) => n.name === ref || n.name === `${this.prefix}${ref}`) ?? all.find((n) => n.id.endsWith(`/${ref}`));
    if (!hit) throw new Error(`lab ${this.name} has no namespace "${ref}" (it has: ${all.map((n) => n.id).join(', ') || 'none'})`);
    return hit;
  }

  /** Every namespace of the lab, by construct id. */
  namespaces(): LabNamespace[] {
    return [...this.handles.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * A device the lab made in the host namespace (a bridge, a host-side veth end), by its name
   * with or without the lab prefix, read from the kernel now.
   */
  async hostDevice(name: string): Promise<LiveDevice> {
    const mine = ownedNames(Object.values(this.plan.resources)).hostLinks;
    const kernelName = mine.includes(name) ? name : `${this.prefix}${name}`;
    if (!mine.includes(kernelName)) throw new Error(`lab ${this.name} has no host device "${name}" (it has: ${mine.join(', ') || 'none'})`);
    const d = (await readDevices(HOST)).find((x) => x.name === kernelName);
    if (!d) throw new Error(`host device ${kernelName} of lab ${this.key} is not in the kernel`);
    return d;
  }

  /**
   * Throws unless `from` (a namespace) gets a ping reply from `to`: an IP address, or a namespace
   * (then any of its addresses will do; the ones the topology predicts reachable are tried first).
   */
  async expectReachable(from: string, to: string, opts: PingOptions = {}): Promise<void> {
    const { src, targets, label } = this.resolvePair(from, to);
    const tried: string[] = [];
    for (const address of targets) {
      const r = await src.pingDetails(address, opts);
      if (r.ok) return;
      tried.push(`${address}: ${lastLine(r.last.stdout, r.last.stderr)}`);
    }
    const why = targets.length === 0 ? 'it has no address' : tried.join('; ');
    const predicted = targets.map((a) => `${a}: ${this.topology.predict(src.name, a).reason}`).join('; ');
    throw new Error(`expected ${from} to reach ${label}, but no ping got a reply within ${opts.timeoutSec ?? 3} s (${why}); topology: ${predicted}`);
  }

  /** Throws if `from` (a namespace) gets a ping reply from `to` (an IP address, or any address of a namespace). */
  async expectUnreachable(from: string, to: string, opts: PingOptions = {}): Promise<void> {
    const { src, targets, label } = this.resolvePair(from, to);
    await this.settled();
    const settings = { timeoutSec: opts.timeoutSec ?? 1, count: opts.count, retry: false };
    const replies = await Promise.all(targets.map(async (a) => ((await src.pingDetails(a, settings)).ok ? a : undefined)));
    const address = replies.find((a) => a !== undefined);
    if (address) throw new Error(`expected ${from} not to reach ${label}, but ${address} replied; topology: ${this.topology.predict(src.name, address).reason}`);
  }

  /** Waits until no address of the lab is tentative (IPv6 DAD), so that "no reply" means no way. */
  private async settled(): Promise<void> {
    const v6 = Object.values(this.plan.resources).some((r) => r.type === 'address' && r.address.includes(':'));
    if (v6) await Promise.all(this.namespaces().map((n) => n.settled()));
  }

  /** What the topology predicts for every ordered pair of namespaces (see `reachability.ts`). */
  predictReachability(): PairPrediction[] {
    return this.topology.pairs();
  }

  /**
   * Pings every ordered pair of namespaces and compares with what the topology predicts: pairs
   * predicted reachable must answer (their first reachable address), pairs predicted unreachable
   * must not (none of the target's addresses). Pairs the model cannot predict are shown `?`.
   * Returns the report when everything matches.
   * @throws ReachabilityError whose message is the matrix, mismatches listed under it
   */
  async checkReachability(opts: CheckReachabilityOptions = {}): Promise<ReachabilityReport> {
    const pairs = this.topology.pairs();
    await this.settled();
    // One job per ping: a pair predicted unreachable pings every address of its target.
    const jobs = pairs.flatMap((p, i) => {
      if (p.expect === 'unknown') return [];
      return (p.expect === 'reachable' ? [p.address] : p.addresses).map((address) => ({ i, p, address }));
    });
    const replies = await mapLimit(jobs, opts.concurrency ?? 16, async ({ p, address }) => {
      const src = this.namespace(p.from);
      if (p.expect === 'reachable') return (await src.pingDetails(address, { timeoutSec: opts.timeoutSec ?? 3 })).ok;
      return (await src.pingDetails(address, { timeoutSec: opts.unreachableTimeoutSec ?? 1, retry: false })).ok;
    });
    const results = pairs.map((p, i): PairResult => {
      if (p.expect === 'unknown') return { ...p, ok: true };
      const replied = jobs.some((j, k) => j.i === i && replies[k]);
      return { ...p, replied, ok: replied === (p.expect === 'reachable') };
    });
    const ids = this.namespaces().map((n) => n.id);
    const report: ReachabilityReport = { ok: results.every((r) => r.ok), results, text: renderMatrix(results, ids) };
    if (!report.ok) throw new ReachabilityError(report);
    return report;
  }

  /**
   * Stops the processes started with `spawn`, kills anything else still running in the lab's
   * namespaces, and destroys the lab through the engine (only what its state file says it owns).
   * Idempotent; safe to call from afterEach/afterAll whether or not the test passed.
   */
  destroy(): Promise<void> {
    this.gone ??= this.teardown();
    return this.gone;
  }

  /** @internal The synchronous last resort for process exit (see `teardownSync`). */
  destroySync(): void {
    this.gone ??= Promise.resolve();
    teardownSync(this.key, Object.values(this.plan.resources), this.stateDir);
    this.lifecycle.onGone(this);
  }

  private async teardown(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.kill('SIGTERM', 1000)));
    for (const ns of ownedNames(Object.values(this.plan.resources)).namespaces) await killNamespaceProcesses(ns, this.key, this.stateDir);
    await destroyLab(this.key, { stateDir: this.stateDir, lockTimeoutMs: 10_000 });
    releaseRun(this.stateDir);
    this.lifecycle.onGone(this);
  }

  private resolvePair(from: string, to: string): { src: LabNamespace; targets: string[]; label: string } {
    const src = this.namespace(from);
    const isNamespace = this.namespaces().some((n) => n.id === to || n.name === to || n.name === `${this.prefix}${to}`);
    if (!isNamespace && parseIp(to.replace(/\/\d+$/u, ''))) return { src, targets: [to.replace(/\/\d+$/u, '')], label: to };
    const dst = this.namespace(to);
    const addrs = this.topology.addressesOf(dst.name);
    const rank = (a: string) => ({ reachable: 0, unknown: 1, unreachable: 2 })[this.topology.predict(src.name, a).expect];
    return { src, targets: [...addrs].sort((a, b) => rank(a) - rank(b)), label: `${to} (${addrs.join(', ') || 'no address'})` };
  }
}

const lastLine = (stdout: string, stderr: string) => {
  const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /packet loss|unreachable|Cannot|invalid|unknown/iu.test(l)) ?? lines.at(-1) ?? 'no output';
};
