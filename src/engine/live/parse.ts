/**
 * Pure parsers: `ip -j` output in, typed live state out. No I/O here; the reader feeds these.
 */
import { canonicalAddress, canonicalDestination, canonicalIp, type Family } from '../../plan/net.js';
import type { LiveQdisc } from '../../plan/impair.js';
import type { LiveTable } from './nft.js';

export interface LiveAddress {
  /** Canonical CIDR. */
  readonly address: string;
  readonly family: Family;
  readonly scope: string;
}

export interface LiveLink {
  readonly ifindex: number;
  readonly name: string;
  /** `linkinfo.info_kind` (veth, bridge, …); undefined for loopback and kinds without one. */
  readonly kind?: string;
  readonly mtu: number;
  readonly mac?: string;
  /** Administratively up (the UP flag). */
  readonly up: boolean;
  readonly master?: string;
  readonly alias?: string;
  /** For a veth: the peer's ifindex (in its own namespace). */
  readonly peerIfindex?: number;
  /** For a veth whose peer is in another namespace: that namespace's id as seen from here. */
  readonly peerNetnsid?: number;
  /** For a vxlan device (`linkinfo.info_data`, shown with `-d`): its tunnel. */
  readonly vxlan?: LiveVxlan;
  readonly addresses: LiveAddress[];
}

/** A vxlan device's tunnel as the kernel reports it; addresses canonical, absent when unset. */
export interface LiveVxlan {
  readonly vni?: number;
  readonly local?: string;
  readonly remote?: string;
  /** The UDP destination port. */
  readonly port?: number;
}

export interface LiveRoute {
  readonly family: Family;
  /** Canonical prefix, or `default`. */
  readonly destination: string;
  readonly via?: string;
  readonly device?: string;
  /** The protocol as ip prints it: `kernel`, `boot`, `static`, or a number such as `213`. */
  readonly protocol: string;
  readonly metric?: number;
}

export interface LiveLocation {
  readonly links: Map<string, LiveLink>;
  /** Main-table routes, kernel-made ones included. */
  readonly routes: LiveRoute[];
  /** Values of the sysctls that were asked for. */
  readonly sysctls: Record<string, string>;
  /** nslab's nftables tables (`nslab_*`), keyed `family name`; absent when not read (see extras.ts). */
  readonly nft?: Map<string, LiveTable>;
  /** Root qdiscs by device; absent when not read (see extras.ts). */
  readonly qdiscs?: Map<string, LiveQdisc>;
}

type Json = Record<string, unknown>;
const asArray = (v: unknown, what: string): Json[] => {
  if (!Array.isArray(v)) throw new Error(`unexpected ip output for ${what}: not a JSON array`);
  return v as Json[];
};

/** Parses `ip -j netns list`: the names of all named namespaces. Empty output means none. */
export function parseNetnsList(text: string): string[] {
  if (text.trim() === '') return [];
  return asArray(JSON.parse(text), 'netns list').map((e) => String(e.name));
}

/** Parses the addr_info entries of one link. */
function parseAddrInfo(info: unknown): LiveAddress[] {
  if (!Array.isArray(info)) return [];
  const out: LiveAddress[] = [];
  for (const a of info as Json[]) {
    const family = a.family === 'inet6' ? 6 : a.family === 'inet' ? 4 : undefined;
    if (!family || typeof a.local !== 'string') continue;
    const address = canonicalAddress(`${a.local}/${String(a.prefixlen)}`);
    if (address) out.push({ address, family, scope: String(a.scope ?? 'global') });
  }
  return out;
}

/**
 * A vxlan's `info_data`: `id`, `local`/`remote` (IPv4) or `local6`/`remote6` (IPv6), `port`.
 * Equivalent to reading `ip -d -j link show dev VX`.
 */
function parseVxlan(info: unknown): LiveVxlan {
  const d = (info ?? {}) as Json;
  const ip = (v: unknown) => (typeof v === 'string' ? canonicalIp(v) : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return { vni: num(d.id), local: ip(d.local ?? d.local6), remote: ip(d.remote ?? d.remote6), port: num(d.port) };
}

/**
 * Parses `ip -d -j link show` and `ip -j addr show` of one namespace into links by name.
 * `addrJson` may be omitted when the link listing already carries addr_info.
 */
export function parseLinks(linkJson: unknown, addrJson?: unknown): Map<string, LiveLink> {
  const addrs = new Map<string, LiveAddress[]>();
  if (addrJson !== undefined) {
    for (const e of asArray(addrJson, 'addr show')) addrs.set(String(e.ifname), parseAddrInfo(e.addr_info));
  }
  const links = new Map<string, LiveLink>();
  const peerNames = new Map<string, string>();
  for (const e of asArray(linkJson, 'link show')) {
    const name = String(e.ifname);
    const flags = Array.isArray(e.flags) ? (e.flags as string[]) : [];
    const linkinfo = (e.linkinfo ?? {}) as Json;
    links.set(name, {
      ifindex: Number(e.ifindex),
      name,
      kind: typeof linkinfo.info_kind === 'string' ? linkinfo.info_kind : undefined,
      mtu: Number(e.mtu),
      mac: e.link_type === 'ether' && typeof e.address === 'string' ? e.address.toLowerCase() : undefined,
      up: flags.includes('UP'),
      master: typeof e.master === 'string' ? e.master : undefined,
      alias: typeof e.ifalias === 'string' ? e.ifalias : undefined,
      peerIfindex: typeof e.link_index === 'number' ? e.link_index : undefined,
      peerNetnsid: typeof e.link_netnsid === 'number' ? e.link_netnsid : undefined,
      ...(linkinfo.info_kind === 'vxlan' ? { vxlan: parseVxlan(linkinfo.info_data) } : {}),
      addresses: addrs.get(name) ?? parseAddrInfo(e.addr_info),
    });
    // A veth whose peer is in the same namespace shows the peer's name (`link`), not its index.
    if (typeof e.link === 'string' && typeof e.link_index !== 'number') peerNames.set(name, e.link);
  }
  for (const [name, peer] of peerNames) {
    const ifindex = links.get(peer)?.ifindex;
    if (ifindex !== undefined) links.set(name, { ...links.get(name)!, peerIfindex: ifindex });
  }
  return links;
}

/**
 * Parses `ip -j route show table all` (both families in one listing) and keeps the main table.
 * Entries of other tables carry a `table` field; main-table entries do not.
 */
export function parseRoutes(routeJson: unknown): LiveRoute[] {
  const out: LiveRoute[] = [];
  for (const e of asArray(routeJson, 'route show')) {
    if (e.table !== undefined && e.table !== 'main') continue;
    if (e.type !== undefined && e.type !== 'unicast') continue;
    const dst = String(e.dst);
    const gateway = typeof e.gateway === 'string' ? e.gateway : undefined;
    const v6 = dst.includes(':') || (gateway?.includes(':') ?? false) || 'pref' in e;
    const family: Family = v6 ? 6 : 4;
    const canonical = canonicalDestination(dst === 'default' || dst.includes('/') ? dst : `${dst}/${family === 4 ? 32 : 128}`);
    if (!canonical) continue;
    out.push({
      family,
      destination: canonical.destination,
      via: gateway ? canonicalIp(gateway) : undefined,
      device: typeof e.dev === 'string' ? e.dev : undefined,
      protocol: e.protocol === undefined ? 'boot' : String(e.protocol),
      metric: typeof e.metric === 'number' ? e.metric : undefined,
    });
  }
  return out;
}

/** Parses `sysctl KEY…` output (`key = value` lines); keys the kernel does not know are absent. */
export function parseSysctls(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([^=\s]+)\s*=\s?(.*)$/u.exec(line);
    if (m) out[m[1]!] = m[2]!.trim().replace(/\s+/gu, ' ');
  }
  return out;
}

/**
 * Splits `ip -j -batch` output (one JSON document per command, each on its own line) into
 * parsed documents. A command that printed nothing counts as an empty list.
 */
export function splitBatchOutput(text: string, expected: number): unknown[] {
  const docs = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
  if (docs.length !== expected) {
    throw new Error(`unexpected ip -batch output: ${docs.length} JSON documents, expected ${expected}`);
  }
  return docs;
}
