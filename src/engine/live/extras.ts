/**
 * Reads beyond `ip`: the lab's nftables tables and the devices' root qdiscs, only in locations
 * whose resources need them (one `nft` and one `tc` process per such location), and the kernel
 * feature check a plan needs before any change (netem).
 */
import { loc, type Location, type Resource } from '../../plan/types.js';
import { isNetfilter } from '../../plan/netfilter.js';
import { describeImpair, needsNetem, NETEM_FIELDS } from '../../plan/impair.js';
import { PlanError } from '../../plan/validate.js';
import { inLocation, shown, type Runner } from '../runner.js';
import type { LiveLocation } from './parse.js';
import { parseRuleset } from './nft.js';
import { parseQdiscs } from './tc.js';

export interface ExtrasRequest {
  /** Locations whose nftables tables are read. */
  readonly nft: ReadonlySet<Location>;
  /** Locations whose root qdiscs are read. */
  readonly tc: ReadonlySet<Location>;
  /** `[path] impair …` of desired resources that need the netem qdisc. */
  readonly netem: readonly string[];
}

/** What to read for these resources: desired ones (checked against the kernel's features) and prior ones. */
export function extrasFor(desired: Iterable<Resource>, prior: Iterable<Resource> = []): ExtrasRequest {
  const nft = new Set<Location>();
  const tc = new Set<Location>();
  const netem: string[] = [];
  const visit = (r: Resource, isDesired: boolean) => {
    if (isNetfilter(r)) nft.add(loc(r.namespace));
    const ends = r.type === 'veth' ? [r.a, r.b] : r.type === 'bridge' ? [r] : [];
    for (const e of ends) {
      if (!e.impair) continue;
      tc.add(loc(e.namespace));
      if (isDesired && needsNetem(e.impair)) netem.push(`[${r.path}] impair on "${e.name}" (${describeImpair(e.impair)})`);
    }
  };
  for (const r of desired) visit(r, true);
  for (const r of prior) visit(r, false);
  return { nft, tc, netem };
}

let netemPresent: Promise<boolean> | undefined;

/** Forgets what the kernel check found (tests). */
export function resetKernelChecks(): void {
  netemPresent = undefined;
}

/**
 * Whether the kernel has the netem qdisc: tried once per process on `lo` of a throwaway
 * namespace. Equivalent to: `unshare --net tc qdisc add dev lo root netem delay 1ms`.
 */
export function hasNetem(runner: Runner): Promise<boolean> {
  netemPresent ??= runner.run(['unshare', '--net', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])
    .then((r) => r.code === 0 || !/unknown|not supported/iu.test(r.stderr.trim()))
    .catch(() => true);
  return netemPresent;
}

/** Fails, before any change, when the plan needs a kernel feature this kernel lacks. One line per resource. */
export async function checkKernel(runner: Runner, req: ExtrasRequest): Promise<void> {
  if (req.netem.length === 0 || (await hasNetem(runner))) return;
  throw new PlanError(req.netem.map((what) =>
    `${what} needs the kernel's netem qdisc (CONFIG_NET_SCH_NETEM, module sch_netem), which this kernel lacks: ${NETEM_FIELDS.join(', ')} need it; a rate alone (tbf) does not`));
}

const missing = (what: string, e: unknown) =>
  /could not run (nft|tc)/u.test(String(e)) ? new Error(`${what} is not installed (Debian package ${what === 'nft' ? 'nftables' : 'iproute2'}); the lab needs it`, { cause: e }) : e;

/** Adds the nftables tables and root qdiscs asked for in `l` that `where` lacks. */
export async function addExtras(runner: Runner, l: Location, where: LiveLocation, req: ExtrasRequest): Promise<LiveLocation> {
  let out = where;
  if (req.nft.has(l) && !where.nft) {
    // Equivalent to: `nsenter --net=/run/netns/NS nft -j list ruleset`.
    const argv = inLocation(l, ['nft', '-j', 'list', 'ruleset']);
    const r = await runner.run(argv).catch((e: unknown) => Promise.reject(missing('nft', e)));
    if (r.code !== 0) throw new Error(`${shown(argv)} failed (exit ${r.code}): ${r.stderr.trim()}`);
    out = { ...out, nft: parseRuleset(r.stdout) };
  }
  if (req.tc.has(l) && !where.qdiscs) {
    // Equivalent to: `nsenter --net=/run/netns/NS tc -j -raw qdisc show`.
    const argv = inLocation(l, ['tc', '-j', '-raw', 'qdisc', 'show']);
    const r = await runner.run(argv).catch((e: unknown) => Promise.reject(missing('tc', e)));
    if (r.code !== 0) throw new Error(`${shown(argv)} failed (exit ${r.code}): ${r.stderr.trim()}`);
    out = { ...out, qdiscs: parseQdiscs(r.stdout) };
  }
  return out;
}
