/**
 * Who should reach whom, derived from a plan alone (pure: no kernel I/O), and the matrix text
 * that `checkReachability()` prints.
 *
 * The model is deliberately small. It knows:
 * - segments: the two ends of an up veth are one segment; a veth end that is a port of an up
 *   bridge joins the bridge's segment (so every port, every peer and the bridge itself share it);
 * - per namespace, a longest-prefix route lookup over its connected subnets (each address on an
 *   up device) and its declared routes (`via` and/or `device`; `default` is a zero-length prefix;
 *   ties go to the lower metric, then to the connected route);
 * - a next hop is whoever holds the next-hop address on the egress device's segment;
 * - a namespace forwards only when its declared sysctls turn forwarding on
 *   (`net.ipv4.ip_forward` or `net.ipv4.conf.all.forwarding` for IPv4,
 *   `net.ipv6.conf.all.forwarding` for IPv6);
 * - a ping needs the way there and the way back: the reply goes from the target to the source
 *   address the sender uses (the first address of the family on its egress device, else any).
 *
 * It does not model: the host as a transit hop (its forwarding settings are not the lab's; such a
 * pair is `unknown` and not checked), firewalls, policy routing, rp_filter, or anything outside
 * the lab. Addresses on `lo` are local only.
 */
import { contains, formatIp, networkOf, parseCidr, parseIp, type Cidr, type Family } from '../plan/net.js';
import { HOST, loc, type Location, type PlanDocument } from '../plan/types.js';

/** What the topology predicts for one ordered pair (or one address). */
export type Expectation = 'reachable' | 'unreachable' | 'unknown';

export interface Prediction {
  readonly expect: Expectation;
  /** Why, in words: the path taken, or where packets get lost. */
  readonly reason: string;
}

/** The prediction for one ordered pair of lab namespaces. */
export interface PairPrediction extends Prediction {
  /** Namespace id (construct path below the lab) that pings. */
  readonly from: string;
  /** Namespace id that is pinged. */
  readonly to: string;
  /** The address the check pings: the first reachable one, else the first one. */
  readonly address: string;
  /** Every address declared in `to`, in plan order (the ones an unreachable check pings). */
  readonly addresses: readonly string[];
}

interface Ip {
  readonly family: Family;
  readonly bytes: number[];
  readonly text: string;
}

interface Addr {
  readonly at: Location;
  readonly device: string;
  readonly cidr: Cidr;
  readonly ip: Ip;
}

interface Rt {
  readonly family: Family;
  readonly dest: Cidr;
  readonly via?: Ip;
  readonly device?: string;
  readonly metric: number;
  readonly connected: boolean;
}

type Delivery =
  | { ok: true; at: Location; egress?: string; hops: Location[] }
  | { ok: false; unknown: boolean; why: string; hops: Location[] };

const MAX_HOPS = 16;
const toIp = (text: string): Ip | undefined => {
  const p = parseIp(text);
  return p && { ...p, text: formatIp(p.family, p.bytes) };
};
const devKey = (at: Location, name: string) => `${at}\u0000${name}`;

/** The plan as a small routing model. */
export class Topology {
  /** Namespace kernel name -> namespace id. */
  readonly ids = new Map<Location, string>();
  private readonly up = new Set<string>();
  private readonly parent = new Map<string, string>();
  /** Addresses on up devices: the ones routing uses. */
  private readonly addrs: Addr[] = [];
  /** Every declared address, by location, in plan order. */
  private readonly declared = new Map<Location, string[]>();
  private readonly routes = new Map<Location, Rt[]>();
  private readonly forwards = new Map<Location, Set<Family>>();

  constructor(readonly plan: PlanDocument) {
    const entries = Object.entries(plan.resources);
    for (const [id, r] of entries) {
      if (r.type !== 'namespace') continue;
      this.ids.set(r.name, id);
      if (r.loopbackUp) this.up.add(devKey(r.name, 'lo'));
      const on = (k: string) => r.sysctls[k] === '1';
      const fams = new Set<Family>();
      if (on('net.ipv4.ip_forward') || on('net.ipv4.conf.all.forwarding')) fams.add(4);
      if (on('net.ipv6.conf.all.forwarding')) fams.add(6);
      this.forwards.set(r.name, fams);
    }
    for (const [, r] of entries) if (r.type === 'bridge' && r.up) this.up.add(devKey(loc(r.namespace), r.name));
    for (const [, r] of entries) {
      if (r.type !== 'veth' || !r.up) continue;
      const a = devKey(loc(r.a.namespace), r.a.name);
      const b = devKey(loc(r.b.namespace), r.b.name);
      this.up.add(a).add(b);
      this.join(a, b);
      for (const [e, k] of [[r.a, a], [r.b, b]] as const) {
        const master = e.master && devKey(loc(e.namespace), e.master);
        if (master && this.up.has(master)) this.join(k, master);
      }
    }
    for (const [, r] of entries) {
      if (r.type !== 'address') continue;
      const cidr = parseCidr(r.address);
      const at = loc(r.namespace);
      if (cidr) (this.declared.get(at) ?? this.declared.set(at, []).get(at)!).push(formatIp(cidr.family, cidr.bytes));
      if (cidr && this.up.has(devKey(at, r.device))) {
        this.addrs.push({ at, device: r.device, cidr, ip: { family: cidr.family, bytes: cidr.bytes, text: formatIp(cidr.family, cidr.bytes) } });
      }
    }
    for (const a of this.addrs) {
      if (a.device === 'lo') continue;
      this.routesOf(a.at).push({ family: a.cidr.family, dest: networkOf(a.cidr), device: a.device, metric: a.cidr.family === 4 ? 0 : 256, connected: true });
    }
    for (const [, r] of entries) {
      if (r.type !== 'route') continue;
      const at = loc(r.namespace);
      if (r.device && !this.up.has(devKey(at, r.device))) continue;
      const dest = r.destination === 'default' ? zero(r.family) : parseCidr(r.destination);
      if (!dest) continue;
      const via = r.via === undefined ? undefined : toIp(r.via);
      this.routesOf(at).push({ family: r.family, dest, via, device: r.device, metric: r.metric ?? (r.family === 4 ? 0 : 1024), connected: false });
    }
  }

  /** A location as the user names it: the namespace id, or `host`. */
  label(at: Location): string {
    return at === HOST ? 'host' : (this.ids.get(at) ?? at);
  }

  /** Addresses declared in a location (on any device, `lo` included), in plan order. */
  addressesOf(at: Location): string[] {
    return [...(this.declared.get(at) ?? [])];
  }

  /** Whether a ping from namespace `from` (kernel name) to `address` should get a reply. */
  predict(from: Location, address: string): Prediction {
    const dst = toIp(address.replace(/\/\d+$/u, ''));
    if (!dst) return { expect: 'unknown', reason: `"${address}" is not an IP address` };
    const there = this.deliver(from, dst);
    if (!there.ok) return { expect: there.unknown ? 'unknown' : 'unreachable', reason: there.why };
    if (there.at === from) return { expect: 'reachable', reason: `${address} is ${this.label(from)}'s own address` };
    const src = this.sourceFor(from, there.egress, dst.family);
    if (!src) return { expect: 'unreachable', reason: `${this.label(from)} has no IPv${dst.family} address to send from` };
    const back = this.deliver(there.at, src);
    const path = there.hops.map((h) => this.label(h)).join(' -> ');
    if (!back.ok) {
      const why = `the reply from ${this.label(there.at)} to ${src.text} is lost: ${back.why}`;
      return { expect: back.unknown ? 'unknown' : 'unreachable', reason: why };
    }
    if (back.at !== from) return { expect: 'unreachable', reason: `the reply to ${src.text} goes to ${this.label(back.at)}, not ${this.label(from)}` };
    return { expect: 'reachable', reason: there.hops.length > 2 ? `routed: ${path}` : `same segment: ${path}` };
  }

  /** Predictions for every ordered pair of distinct lab namespaces whose target has an address. */
  pairs(): PairPrediction[] {
    const names = [...this.ids.keys()].sort((a, b) => this.label(a).localeCompare(this.label(b)));
    const out: PairPrediction[] = [];
    for (const from of names) {
      for (const to of names) {
        if (from === to) continue;
        const addresses = this.addressesOf(to);
        if (addresses.length === 0) continue;
        const preds = addresses.map((a) => ({ a, p: this.predict(from, a) }));
        const pick = preds.find((x) => x.p.expect === 'reachable') ?? preds.find((x) => x.p.expect === 'unknown') ?? preds[0]!;
        out.push({ from: this.label(from), to: this.label(to), address: pick.a, addresses, ...pick.p });
      }
    }
    return out;
  }

  // ---- the model -----------------------------------------------------------------------------

  private routesOf(at: Location): Rt[] {
    return this.routes.get(at) ?? this.routes.set(at, []).get(at)!;
  }

  private find(k: string): string {
    let r = k;
    while (this.parent.has(r)) r = this.parent.get(r)!;
    return r;
  }

  private join(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }

  private isLocal(at: Location, ip: Ip): boolean {
    return this.addrs.some((a) => a.at === at && a.ip.text === ip.text);
  }

  /** Longest-prefix match; ties: lower metric, then the connected route. */
  private lookup(at: Location, dst: Ip): Rt | undefined {
    let best: Rt | undefined;
    for (const r of this.routes.get(at) ?? []) {
      if (r.family !== dst.family || !contains(r.dest, dst)) continue;
      if (!best || r.dest.prefixlen > best.dest.prefixlen
        || (r.dest.prefixlen === best.dest.prefixlen && (r.metric < best.metric || (r.metric === best.metric && r.connected && !best.connected)))) best = r;
    }
    return best;
  }

  /** Follows the packet hop by hop until it is delivered, lost, or leaves what the model knows. */
  private deliver(from: Location, dst: Ip): Delivery {
    const hops: Location[] = [from];
    let at = from;
    let egress: string | undefined;
    for (let n = 0; n < MAX_HOPS; n++) {
      if (this.isLocal(at, dst)) return { ok: true, at, egress, hops };
      const me = this.label(at);
      if (n > 0) {
        if (at === HOST) return { ok: false, unknown: true, why: `${dst.text} is beyond the host, whose forwarding is not part of the lab`, hops };
        if (!this.forwards.get(at)?.has(dst.family)) {
          const knob = dst.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
          return { ok: false, unknown: false, why: `${me} does not forward IPv${dst.family} (${knob} is not "1" in its sysctls)`, hops };
        }
      }
      const r = this.lookup(at, dst);
      if (!r) return { ok: false, unknown: false, why: `${me} has no route to ${dst.text}`, hops };
      const next = r.via ?? dst;
      const dev = r.device ?? (r.via ? this.lookupConnected(at, r.via)?.device : undefined);
      if (!dev) return { ok: false, unknown: false, why: `${me}'s gateway ${next.text} is on no connected subnet`, hops };
      if (n === 0) egress = dev;
      const seg = this.find(devKey(at, dev));
      const holder = this.addrs.find((a) => a.at !== at && a.ip.text === next.text && this.find(devKey(a.at, a.device)) === seg);
      if (!holder) return { ok: false, unknown: false, why: `no one holds ${next.text} on the segment of ${me}'s ${dev}`, hops };
      at = holder.at;
      hops.push(at);
    }
    return { ok: false, unknown: false, why: `more than ${MAX_HOPS} hops (a routing loop?)`, hops };
  }

  /** The connected subnet a gateway lies on (longest prefix). */
  private lookupConnected(at: Location, ip: Ip): Rt | undefined {
    let best: Rt | undefined;
    for (const r of this.routes.get(at) ?? []) {
      if (r.connected && r.family === ip.family && contains(r.dest, ip) && (!best || r.dest.prefixlen > best.dest.prefixlen)) best = r;
    }
    return best;
  }

  private sourceFor(at: Location, egress: string | undefined, family: Family): Ip | undefined {
    const mine = this.addrs.filter((a) => a.at === at && a.ip.family === family);
    return (mine.find((a) => a.device === egress) ?? mine[0])?.ip;
  }
}

const zero = (family: Family): Cidr => ({ family, bytes: new Array<number>(family === 4 ? 4 : 16).fill(0), prefixlen: 0 });

/** The result of pinging one pair, as `checkReachability` saw it. */
export interface PairResult extends PairPrediction {
  /** Whether any ping got a reply; undefined when the pair was not checked (`unknown`). */
  readonly replied?: boolean;
  /** True when the ping outcome matches the prediction (or the pair was not checked). */
  readonly ok: boolean;
}

/**
 * The matrix as text: rows ping, columns are pinged. `yes`/`no` where the kernel agreed with the
 * topology, `YES!`/`NO!` where it did not (what the kernel did), `?` unknown, `-` itself or no address.
 * Mismatches are listed under the matrix with the address pinged and the predicted path.
 */
export function renderMatrix(results: readonly PairResult[], ids: readonly string[]): string {
  const cell = new Map(results.map((r) => [`${r.from}\u0000${r.to}`, r]));
  const text = (from: string, to: string): string => {
    const r = cell.get(`${from}\u0000${to}`);
    if (!r) return '-';
    if (r.replied === undefined) return '?';
    const word = r.replied ? 'yes' : 'no';
    return r.ok ? word : `${word.toUpperCase()}!`;
  };
  const corner = 'from \\ to';
  const w = Math.max(4, ...ids.map((i) => i.length)) + 2;
  const first = (s: string) => s.padEnd(Math.max(corner.length, ...ids.map((i) => i.length)) + 2);
  const pad = (s: string) => s.padEnd(w);
  const lines = [`${first(corner)}${ids.map(pad).join('')}`.trimEnd()];
  for (const from of ids) lines.push(`${first(from)}${ids.map((to) => pad(text(from, to))).join('')}`.trimEnd());
  const bad = results.filter((r) => !r.ok);
  if (bad.length) {
    lines.push('', 'mismatches (kernel vs topology):');
    for (const r of bad) {
      const expected = r.expect === 'reachable' ? 'should reach' : 'should not reach';
      lines.push(`  ${r.from} ${expected} ${r.to} (pinged ${r.expect === 'reachable' ? r.address : r.addresses.join(', ')}), ` +
        `but ${r.replied ? 'got a reply' : 'got no reply'}; topology: ${r.reason}`);
    }
  }
  return lines.join('\n');
}
