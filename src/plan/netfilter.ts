/**
 * Plan resources that live in the lab's nftables table: masquerades, port forwards and
 * firewalls. Their types, checks and canonical forms. Pure.
 */
import { canonicalIp, formatCidr, hasHostBits, networkOf, parseCidr, parseIp } from './net.js';
import { describeLocation, loc, type Location, type PlanDocument, type Resource } from './types.js';

export type NetfilterType = 'masquerade' | 'port-forward' | 'firewall';
export const NETFILTER_TYPES: readonly NetfilterType[] = ['masquerade', 'port-forward', 'firewall'];
export const isNetfilter = (r: { type: string }): r is NetfilterResource => (NETFILTER_TYPES as readonly string[]).includes(r.type);

interface NfBase {
  readonly path: string;
  /** The machine it lives on (see types.ts, Base). */
  readonly host?: string;
  /** The namespace whose nftables table holds the rules; absent for the host. */
  readonly namespace?: string;
  /** The rules' tag (their nftables comment): unique per type and location. */
  readonly name: string;
}

/** Source NAT to the outgoing interface's address: `oifname OUT ip saddr SRC masquerade`. */
export interface MasqueradeResource extends NfBase {
  readonly type: 'masquerade';
  /** Canonical IPv4 prefix; absent: every source. */
  readonly source?: string;
  readonly outInterface: string;
}

/** Destination NAT of one port: `iifname IN tcp dport PORT dnat ip to ADDR[:PORT]`. */
export interface PortForwardResource extends NfBase {
  readonly type: 'port-forward';
  readonly inInterface?: string;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  /** `ADDR:PORT` or `ADDR` (the same port). */
  readonly to: string;
}

export type Hook = 'input' | 'forward' | 'output';
export type Verdict = 'accept' | 'drop' | 'reject';
export const HOOKS: readonly Hook[] = ['input', 'forward', 'output'];

/** One ordered firewall rule: every match given must hold. */
export interface FirewallRule {
  readonly hook: Hook;
  readonly action: Verdict;
  /** Canonical prefix (IPv4 or IPv6); a host prefix (/32, /128) is the bare address. */
  readonly source?: string;
  readonly destination?: string;
  readonly inInterface?: string;
  readonly outInterface?: string;
  readonly protocol?: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  /** Destination port: a number, or a range `"8000-8100"`. Needs protocol tcp or udp. */
  readonly port?: number | string;
}

/** A namespace's packet filter: a policy per hook and ordered rules. */
export interface FirewallResource extends NfBase {
  readonly type: 'firewall';
  readonly input: 'accept' | 'drop';
  readonly forward: 'accept' | 'drop';
  readonly output: 'accept' | 'drop';
  /** `ct state established,related accept` first in every chain. */
  readonly allowEstablished: boolean;
  /** `iifname "lo" accept` in the input chain. */
  readonly allowLoopback: boolean;
  /** `ct status dnat accept` in the forward chain: connections to ports a PortForward publishes. */
  readonly allowPortForwards: boolean;
  readonly rules: FirewallRule[];
}

export type NetfilterResource = MasqueradeResource | PortForwardResource | FirewallResource;

const NAME = /^[A-Za-z0-9_.:/@-]{1,100}$/u;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A prefix in nft's canonical form: network address, bare address for a host prefix. */
export function canonicalPrefix(text: string): string | undefined {
  const c = parseCidr(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`);
  if (!c || hasHostBits(c)) return undefined;
  const s = formatCidr(c);
  return c.prefixlen === (c.family === 4 ? 32 : 128) ? s.replace(/\/\d+$/u, '') : s;
}

/**
 * One netfilter resource, checked and canonical; undefined (with `problems` added) when invalid.
 * `ifname(v, what)` checks an interface name the way the other resources do.
 */
export function normalizeNetfilter(raw: Obj, path: string, problems: string[], ifname: (v: unknown, what: string) => string): Resource | undefined {
  const at = `[${path}]`;
  const before = problems.length;
  const namespace = raw.namespace === undefined || raw.namespace === null ? undefined : typeof raw.namespace === 'string' ? raw.namespace : (problems.push(`${at} namespace must be a string`), undefined);
  const name = typeof raw.name === 'string' ? raw.name : '';
  if (!NAME.test(name)) problems.push(`${at} name ${JSON.stringify(raw.name)} must be 1-100 letters, digits or "_.:/@-" (it tags the nftables rules)`);
  const optIf = (v: unknown, what: string) => (v === undefined ? undefined : ifname(v, what));
  const base = { path, namespace, name };
  let r: Resource | undefined;
  switch (raw.type) {
    case 'masquerade': {
      let source: string | undefined;
      if (raw.source !== undefined) {
        const c = typeof raw.source === 'string' ? parseCidr(raw.source) : undefined;
        if (!c || c.family !== 4) problems.push(`${at} source ${JSON.stringify(raw.source)} is not an IPv4 prefix (e.g. 10.77.0.0/24)`);
        else if (hasHostBits(c)) problems.push(`${at} source "${raw.source}" has host bits set (did you mean ${formatCidr(networkOf(c))}?)`);
        else source = canonicalPrefix(raw.source as string);
      }
      if (raw.outInterface === undefined) problems.push(`${at} a masquerade needs an outInterface`);
      r = { type: 'masquerade', ...base, source, outInterface: ifname(raw.outInterface, 'device name') };
      break;
    }
    case 'port-forward': {
      const protocol = raw.protocol === 'tcp' || raw.protocol === 'udp' ? raw.protocol : (problems.push(`${at} protocol ${JSON.stringify(raw.protocol)} must be "tcp" or "udp"`), 'tcp' as const);
      const port = portNumber(raw.port);
      if (port === undefined) problems.push(`${at} port ${JSON.stringify(raw.port)} is not a port number from 1 to 65535`);
      const to = canonicalTarget(raw.to);
      if (to === undefined) problems.push(`${at} to ${JSON.stringify(raw.to)} must be "ADDR:PORT" or "ADDR" with an IPv4 address (e.g. "10.77.0.2:80")`);
      r = { type: 'port-forward', ...base, inInterface: optIf(raw.inInterface, 'device name'), protocol, port: port ?? 0, to: to ?? '' };
      break;
    }
    case 'firewall': {
      const policy = (h: Hook) => {
        const v = raw[h] ?? 'accept';
        if (v !== 'accept' && v !== 'drop') problems.push(`${at} ${h} policy ${JSON.stringify(v)} must be "accept" or "drop"`);
        return v === 'drop' ? 'drop' : 'accept';
      };
      const flag = (k: string) => {
        if (raw[k] !== undefined && typeof raw[k] !== 'boolean') problems.push(`${at} ${k} must be true or false`);
        return raw[k] !== false;
      };
      if (raw.rules !== undefined && !Array.isArray(raw.rules)) problems.push(`${at} rules must be a list`);
      const rules = (Array.isArray(raw.rules) ? raw.rules : []).map((x, i) => normalizeRule(x, `${at} rule ${i + 1}`, problems, optIf));
      r = {
        type: 'firewall', ...base, input: policy('input'), forward: policy('forward'), output: policy('output'),
        allowEstablished: flag('allowEstablished'), allowLoopback: flag('allowLoopback'), allowPortForwards: flag('allowPortForwards'),
        rules: rules.filter((x): x is FirewallRule => x !== undefined),
      };
      break;
    }
  }
  return problems.length === before ? r : undefined;
}

function portNumber(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/u.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** `ADDR:PORT` or `ADDR`, IPv4, canonical. */
function canonicalTarget(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^([^:]+)(?::(\d+))?$/u.exec(v);
  const addr = m && canonicalIp(m[1]!);
  if (!addr || parseIp(addr)?.family !== 4) return undefined;
  if (m![2] === undefined) return addr;
  const port = portNumber(m![2]);
  return port === undefined ? undefined : `${addr}:${port}`;
}

function normalizeRule(x: unknown, at: string, problems: string[], optIf: (v: unknown, what: string) => string | undefined): FirewallRule | undefined {
  if (!isObj(x)) {
    problems.push(`${at} is not an object`);
    return undefined;
  }
  const before = problems.length;
  const known = ['hook', 'action', 'source', 'destination', 'inInterface', 'outInterface', 'protocol', 'port'];
  for (const k of Object.keys(x)) if (!known.includes(k)) problems.push(`${at}: unknown field "${k}" (known: ${known.join(', ')})`);
  const hook = HOOKS.includes(x.hook as Hook) ? (x.hook as Hook) : (problems.push(`${at}: hook ${JSON.stringify(x.hook)} must be "input", "forward" or "output"`), 'input' as const);
  const action = ['accept', 'drop', 'reject'].includes(x.action as string) ? (x.action as Verdict) : (problems.push(`${at}: action ${JSON.stringify(x.action)} must be "accept", "drop" or "reject"`), 'drop' as const);
  const prefix = (k: 'source' | 'destination') => {
    if (x[k] === undefined) return undefined;
    const p = typeof x[k] === 'string' ? canonicalPrefix(x[k] as string) : undefined;
    if (!p) problems.push(`${at}: ${k} ${JSON.stringify(x[k])} is not an address or a prefix without host bits (e.g. 10.0.0.0/8)`);
    return p;
  };
  const source = prefix('source');
  const destination = prefix('destination');
  if (source && destination && source.includes(':') !== destination.includes(':')) problems.push(`${at}: source and destination are of different address families`);
  const protocol = x.protocol === undefined ? undefined : ['tcp', 'udp', 'icmp', 'icmpv6'].includes(x.protocol as string) ? (x.protocol as FirewallRule['protocol']) : (problems.push(`${at}: protocol ${JSON.stringify(x.protocol)} must be "tcp", "udp", "icmp" or "icmpv6"`), undefined);
  let port: number | string | undefined;
  if (x.port !== undefined) {
    const range = typeof x.port === 'string' ? /^(\d+)-(\d+)$/u.exec(x.port) : null;
    const [lo, hi] = range ? [portNumber(range[1]), portNumber(range[2])] : [portNumber(x.port), undefined];
    if (lo === undefined || (range && (hi === undefined || hi <= lo))) problems.push(`${at}: port ${JSON.stringify(x.port)} is not a port (1-65535) or a range "LOW-HIGH"`);
    else port = range ? `${lo}-${hi}` : lo;
    if (protocol !== 'tcp' && protocol !== 'udp') problems.push(`${at}: a port needs protocol "tcp" or "udp"`);
  }
  const fam = (source ?? destination)?.includes(':') ? 6 : (source ?? destination) ? 4 : undefined;
  if ((protocol === 'icmp' && fam === 6) || (protocol === 'icmpv6' && fam === 4)) problems.push(`${at}: protocol ${protocol} does not match the address family of its prefixes`);
  const inInterface = optIf(x.inInterface, 'device name');
  const outInterface = optIf(x.outInterface, 'device name');
  if (hook === 'input' && outInterface !== undefined) problems.push(`${at}: an input rule has no outInterface (packets for this namespace have not left yet)`);
  if (hook === 'output' && inInterface !== undefined) problems.push(`${at}: an output rule has no inInterface`);
  if (problems.length > before) return undefined;
  return Object.fromEntries(Object.entries({ hook, action, source, destination, inInterface, outInterface, protocol, port }).filter(([, v]) => v !== undefined)) as unknown as FirewallRule;
}

/**
 * Cross-resource checks: interfaces declared where the rules are, forwarding turned on where a
 * masquerade or port forward needs it (a namespace's sysctls; in the host, a sysctl resource),
 * one firewall per namespace, unique names and ports.
 */
export function checkNetfilter(plan: PlanDocument, hasDevice: (l: Location, name: string) => boolean, inLab: (ns: string | undefined, path: string) => boolean): string[] {
  const problems: string[] = [];
  const forwarding = new Map<string, boolean>();
  for (const r of Object.values(plan.resources)) if (r.type === 'namespace') forwarding.set(r.name, r.sysctls['net.ipv4.ip_forward'] === '1');
  const hostForwards = Object.values(plan.resources).some((r) => r.type === 'sysctl' && r.key === 'net.ipv4.ip_forward' && r.value === '1');
  const seen = new Map<string, string>();
  const once = (key: string, path: string, what: string) => {
    const prior = seen.get(key);
    if (prior) problems.push(`[${path}] ${what} is also declared by ${prior}`);
    else seen.set(key, path);
  };
  for (const r of Object.values(plan.resources)) {
    if (!isNetfilter(r) || !inLab(r.namespace, r.path)) continue;
    const l = loc(r.namespace);
    const where = describeLocation(l);
    const dev = (name: string | undefined, what: string) => {
      if (name !== undefined && !hasDevice(l, name)) problems.push(`[${r.path}] ${what} "${name}" is not a device declared in ${where}`);
    };
    once(`${r.type} ${l} ${r.name}`, r.path, `${r.type} name "${r.name}" in ${where}`);
    if (r.type === 'firewall') {
      once(`firewall ${l}`, r.path, `a firewall for ${where}`);
      r.rules.forEach((x) => {
        dev(x.inInterface, 'inInterface');
        dev(x.outInterface, 'outInterface');
      });
      continue;
    }
    if (r.type === 'masquerade') dev(r.outInterface, 'outInterface');
    else {
      dev(r.inInterface, 'inInterface');
      once(`port ${l} ${r.inInterface ?? '*'} ${r.protocol} ${r.port}`, r.path, `${r.protocol} port ${r.port}${r.inInterface ? ` on "${r.inInterface}"` : ''} in ${where}`);
    }
    if (r.namespace !== undefined && forwarding.get(r.namespace) === false) {
      const what = r.type === 'masquerade' ? 'a masquerade' : 'a port forward';
      problems.push(`[${r.path}] ${what} in ${where}, which does not forward: set sysctls: { 'net.ipv4.ip_forward': '1' } on that namespace`);
    }
    if (r.namespace === undefined && !hostForwards) {
      const what = r.type === 'masquerade' ? 'a masquerade' : 'a port forward';
      problems.push(`[${r.path}] ${what} in the host, which the lab does not make forward: add new Sysctl(lab, 'ip-forward', { key: 'net.ipv4.ip_forward', value: '1' }) (nslab puts back the value it found once the lab no longer declares it)`);
    }
  }
  return problems;
}

/** For messages: `masquerade 10.77.0.0/24 out wan0`. */
export function describeNetfilter(r: NetfilterResource): string {
  const where = r.namespace ?? 'host';
  switch (r.type) {
    case 'masquerade':
      return `masquerade ${r.source ?? 'any'} out ${r.outInterface} (${where})`;
    case 'port-forward':
      return `port forward ${r.protocol} ${r.inInterface ?? '*'}:${r.port} -> ${r.to} (${where})`;
    case 'firewall':
      return `firewall ${r.name} (${where}): input ${r.input}, forward ${r.forward}, output ${r.output}, ${r.rules.length} rule${r.rules.length === 1 ? '' : 's'}`;
  }
}
