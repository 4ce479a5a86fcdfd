import { hostProblems, normalizeHosts, withHost } from './hosts.js';
import {
  PLAN_VERSION,
  describeLocation,
  loc,
  type AddressResource,
  type Location,
  type PlanDocument,
  type Resource,
  type RouteResource,
  type VxlanResource,
} from './types.js';
import {
  canonicalAddress,
  canonicalDestination,
  canonicalIp,
  canonicalMac,
  contains,
  formatCidr,
  hasHostBits,
  networkOf,
  nameProblem,
  namespaceNameProblem,
  parseCidr,
  parseIp,
} from './net.js';
import { normalizeImpair } from './impair.js';
import { NETFILTER_TYPES, checkNetfilter, normalizeNetfilter } from './netfilter.js';

/** A plan that cannot be applied: every problem found, each naming its construct path. */
export class PlanError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    // One line per problem, whatever a name contained: control characters are shown escaped.
    problems = problems.map((p) => p.replace(/[\u0000-\u001f\u007f]/gu, (c) => JSON.stringify(c).slice(1, -1)));
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'PlanError';
    this.problems = problems;
  }
}

const MTU_MIN = 68;
const MTU_MAX = 65535;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a plan document (from synth or from a JSON file) and returns it in canonical form.
 * All problems are collected; if there is any, a PlanError lists them all.
 */
/**
 * Plans that synth built and checked in this very module instance (so the same nslab): the CLI
 * takes them as they are instead of checking them a second time. A plan from another copy of
 * nslab (a lab's own node_modules) is not in the set and is checked.
 */
const checked = new WeakSet<object>();

/** Marks a plan that loadPlan produced (see `checked`). */
export function markChecked(plan: PlanDocument): PlanDocument {
  checked.add(plan);
  return plan;
}

/** loadPlan, unless `input` is a plan this module already checked (markChecked). */
export function loadCheckedPlan(input: unknown): PlanDocument {
  return typeof input === 'object' && input !== null && checked.has(input) ? (input as PlanDocument) : loadPlan(input);
}

export function loadPlan(input: unknown): PlanDocument {
  const problems: string[] = [];
  if (!isObj(input)) throw new PlanError(['plan: not a JSON object']);
  if (input.version !== PLAN_VERSION) {
    throw new PlanError([`plan: unsupported version ${JSON.stringify(input.version)} (this nslab reads version ${PLAN_VERSION})`]);
  }
  const lab = input.lab;
  const prefix = input.prefix ?? '';
  if (typeof lab !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/u.test(lab)) {
    problems.push(`plan: lab name ${JSON.stringify(lab)} must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit`);
  }
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.-]{0,12}$/u.test(prefix)) {
    problems.push(`plan: prefix ${JSON.stringify(prefix)} must be at most 12 letters, digits, "_", "." or "-"`);
  }
  if (!isObj(input.resources)) problems.push('plan: "resources" must be an object');
  if (problems.length) throw new PlanError(problems);

  const resources: Record<string, Resource> = {};
  const bad = badDeviceNames(Object.values(input.resources as Obj));
  for (const [id, raw] of Object.entries(input.resources as Obj)) {
    const r = normalizeResource(id, raw, problems, bad);
    if (r) resources[id] = withHost(r, raw, problems);
  }
  const hosts = input.hosts === undefined ? undefined : normalizeHosts(input.hosts, problems);
  const plan: PlanDocument = { version: PLAN_VERSION, lab: lab as string, prefix: prefix as string, resources, ...(hosts ? { hosts } : {}) };
  problems.push(...checkReferences(plan, bad), ...hostProblems(plan));
  if (problems.length) throw new PlanError(problems);
  return plan;
}

/** `location/name` of a device in a plan. */
const deviceKey = (ns: unknown, name: string) => `${typeof ns === 'string' ? ns : ''}/${name}`;

/**
 * Devices whose own declaration has a bad name: that is reported once, on the device; references
 * to it (bridge ports, addresses, routes) are not reported again.
 */
function badDeviceNames(raws: unknown[]): Set<string> {
  const bad = new Set<string>();
  const check = (ns: unknown, name: unknown) => {
    if (typeof name === 'string' && nameProblem(name, 'interface name')) bad.add(deviceKey(ns, name));
  };
  for (const raw of raws) {
    if (!isObj(raw)) continue;
    if (raw.type === 'bridge' || raw.type === 'vxlan') check(raw.namespace, raw.name);
    if (raw.type === 'veth') for (const end of [raw.a, raw.b]) if (isObj(end)) check(end.namespace, end.name);
  }
  return bad;
}

/**
 * One resource, checked and in canonical form; undefined (and `problems` added to) when it is
 * not valid. A reference to a device in `badDevices` is not reported (its declaration is).
 */
export function normalizeResource(id: string, raw: unknown, problems: string[], badDevices: ReadonlySet<string> = new Set()): Resource | undefined {
  if (!isObj(raw)) {
    problems.push(`[${id || '(resource with an empty id)'}] resource is not an object`);
    return undefined;
  }
  const path = typeof raw.path === 'string' && raw.path ? raw.path : id || '(resource with an empty id)';
  const at = `[${path}]`;
  const before = problems.length;
  const str = (v: unknown, what: string, required = true): string | undefined => {
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string') {
      problems.push(`${at} ${what} must be a string`);
      return undefined;
    }
    return v;
  };
  const ifname = (v: unknown, what: string): string => {
    const s = str(v, what);
    if (s === undefined) return '';
    if (what === 'device name' && badDevices.has(deviceKey(raw.namespace, s))) return s;
    const p = nameProblem(s, what);
    if (p) problems.push(`${at} ${p}`);
    return s;
  };
  const nsRef = (v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined;
    return str(v, 'namespace');
  };
  const mtu = (v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < MTU_MIN || v > MTU_MAX) {
      problems.push(`${at} MTU ${JSON.stringify(v)} is not an integer from ${MTU_MIN} to ${MTU_MAX}`);
      return undefined;
    }
    return v;
  };
  const mac = (v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    const m = typeof v === 'string' ? canonicalMac(v) : undefined;
    if (!m) problems.push(`${at} MAC address ${JSON.stringify(v)} is not of the form aa:bb:cc:dd:ee:ff`);
    else if (parseInt(m.slice(0, 2), 16) & 1) problems.push(`${at} MAC address "${m}" is a multicast address`);
    return m;
  };
  const bool = (v: unknown, what: string, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') problems.push(`${at} ${what} must be true or false`);
    return v === true;
  };

  let r: Resource | undefined;
  switch (raw.type) {
    case 'namespace': {
      const name = str(raw.name, 'namespace name') ?? '';
      const p = namespaceNameProblem(name);
      if (p) problems.push(`${at} ${p}`);
      const sysctls: Record<string, string> = {};
      if (raw.sysctls !== undefined && !isObj(raw.sysctls)) problems.push(`${at} sysctls must be an object`);
      for (const [k, v] of Object.entries(isObj(raw.sysctls) ? raw.sysctls : {})) {
        const p = sysctlProblem(k, v, 'a per-namespace sysctl');
        if (p) problems.push(`${at} ${p}`);
        else sysctls[k] = String(v);
      }
      r = { type: 'namespace', path, name, loopbackUp: bool(raw.loopbackUp, 'loopbackUp', true), sysctls };
      break;
    }
    case 'bridge':
      r = {
        type: 'bridge', path, namespace: nsRef(raw.namespace), name: ifname(raw.name, 'interface name'),
        mtu: mtu(raw.mtu), mac: mac(raw.mac), up: bool(raw.up, 'up', true), impair: normalizeImpair(raw.impair, `${at} impair`, problems),
      };
      break;
    case 'veth': {
      const end = (v: unknown, which: string) => {
        if (!isObj(v)) {
          problems.push(`${at} end ${which} must be an object`);
          return { name: '' };
        }
        return {
          namespace: nsRef(v.namespace), name: ifname(v.name, 'interface name'),
          master: str(v.master, `end ${which} master`, false), mac: mac(v.mac),
          impair: normalizeImpair(v.impair, `${at} end ${which} impair`, problems),
        };
      };
      r = { type: 'veth', path, a: end(raw.a, 'a'), b: end(raw.b, 'b'), mtu: mtu(raw.mtu), up: bool(raw.up, 'up', true) };
      break;
    }
    case 'vxlan':
      r = normalizeVxlan(raw, path, problems, { str, ifname, mtu, bool });
      break;
    case 'address': {
      const text = str(raw.address, 'address') ?? '';
      const address = canonicalAddress(text);
      if (text && !address) problems.push(`${at} address "${text}" is not an IPv4 or IPv6 CIDR (e.g. 10.0.0.1/24)`);
      r = { type: 'address', path, namespace: nsRef(raw.namespace), device: ifname(raw.device, 'device name'), address: address ?? text };
      break;
    }
    case 'route': {
      const text = str(raw.destination, 'destination') ?? '';
      const dest = canonicalDestination(text);
      if (text && !dest) problems.push(`${at} destination "${text}" is not a CIDR or "default"`);
      else if (dest && dest.destination !== 'default' && hasHostBits(parseCidr(text)!)) {
        problems.push(`${at} destination "${text}" has host bits set (did you mean ${formatCidr(networkOf(parseCidr(text)!))}?)`);
      }
      const viaText = str(raw.via, 'via', false);
      const via = viaText === undefined ? undefined : canonicalIp(viaText);
      if (viaText !== undefined && !via) problems.push(`${at} gateway "${viaText}" is not an IP address`);
      const device = raw.device === undefined ? undefined : ifname(raw.device, 'device name');
      const family = (dest?.family ?? (via ? parseIp(via)!.family : undefined) ?? (raw.family === 6 ? 6 : 4)) as 4 | 6;
      if (via && parseIp(via)!.family !== family) problems.push(`${at} gateway ${via} is not of the destination's address family`);
      if (!via && !device) problems.push(`${at} route to ${text} needs a gateway (via) or a device`);
      let metric: number | undefined;
      if (raw.metric !== undefined) {
        if (typeof raw.metric !== 'number' || !Number.isInteger(raw.metric) || raw.metric < 0 || raw.metric > 0xffffffff) {
          problems.push(`${at} metric ${JSON.stringify(raw.metric)} is not an integer from 0 to 4294967295`);
        } else metric = raw.metric;
      }
      r = { type: 'route', path, namespace: nsRef(raw.namespace), family, destination: dest?.destination ?? text, via, device, metric };
      break;
    }
    case 'sysctl': {
      if (raw.namespace !== undefined && raw.namespace !== null) {
        problems.push(`${at} a sysctl resource is the host's; a namespace's sysctls are the "sysctls" of its namespace resource`);
      }
      const p = typeof raw.key === 'string' ? sysctlProblem(raw.key, raw.value, 'a host sysctl') : 'key must be a string (a sysctl such as "net.ipv4.ip_forward")';
      if (p) problems.push(`${at} ${p}`);
      r = { type: 'sysctl', path, key: String(raw.key), value: String(raw.value) };
      break;
    }
    default:
      if ((NETFILTER_TYPES as readonly unknown[]).includes(raw.type)) r = normalizeNetfilter(raw, path, problems, ifname);
      else problems.push(`${at} unknown resource type ${JSON.stringify(raw.type)}`);
  }
  return problems.length === before ? r : undefined;
}

const VNI_MAX = 0xffffff;

/** The helpers of normalizeResource that a vxlan uses (they add to its problems). */
interface Checks {
  str(v: unknown, what: string, required?: boolean): string | undefined;
  ifname(v: unknown, what: string): string;
  mtu(v: unknown): number | undefined;
  bool(v: unknown, what: string, dflt: boolean): boolean;
}

/** Why `ip` is not a VXLAN underlay address: multicast (a group, not a peer) or unspecified. */
function underlayProblem(ip: { family: 4 | 6; bytes: number[] }): string | undefined {
  const [first = 0] = ip.bytes;
  if (ip.bytes.every((b) => b === 0)) return 'is unspecified';
  if (ip.family === 4 ? first >= 224 : first === 0xff) return 'is a multicast address (nslab makes point-to-point tunnels)';
  return undefined;
}

/** A `vxlan` resource, checked and in canonical form (addresses compressed and lowercase). */
function normalizeVxlan(raw: Obj, path: string, problems: string[], c: Checks): VxlanResource {
  const at = `[${path}]`;
  let namespace = '';
  if (raw.namespace === undefined || raw.namespace === null) {
    problems.push(`${at} a vxlan device lives in a lab namespace: "namespace" is required (the host cannot hold one)`);
  } else namespace = c.str(raw.namespace, 'namespace') ?? '';
  const name = c.ifname(raw.name, 'interface name');
  const vni = raw.vni;
  if (typeof vni !== 'number' || !Number.isInteger(vni) || vni < 1 || vni > VNI_MAX) {
    problems.push(`${at} VNI ${JSON.stringify(vni)} is not an integer from 1 to ${VNI_MAX}`);
  }
  const port = raw.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`${at} port ${JSON.stringify(port)} is not an integer from 1 to 65535 (the UDP destination port, usually 4789)`);
  }
  const address = (v: unknown, what: 'local' | 'remote') => {
    const text = c.str(v, `${what} address`);
    if (text === undefined) return { text: '' };
    const ip = parseIp(text);
    if (!ip) {
      problems.push(`${at} ${what} address "${text}" is not an IPv4 or IPv6 address`);
      return { text };
    }
    const p = underlayProblem(ip);
    if (p) problems.push(`${at} ${what} address "${text}" ${p}`);
    return { text: canonicalIp(text)!, family: ip.family };
  };
  const local = address(raw.local, 'local');
  const remote = address(raw.remote, 'remote');
  if (local.family && remote.family && local.family !== remote.family) {
    problems.push(`${at} remote address ${remote.text} is IPv${remote.family} but local address ${local.text} is IPv${local.family}: both ends of a tunnel use one family`);
  }
  return {
    type: 'vxlan', path, namespace, name, vni: vni as number, local: local.text, remote: remote.text, port: port as number,
    mtu: c.mtu(raw.mtu), up: c.bool(raw.up, 'up', true),
  };
}

/**
 * Why `k = v` cannot be a sysctl nslab sets, or undefined: only `net.*` keys (dotted, lowercase),
 * and a value that is a non-empty string or number without line breaks or "=".
 * `what` names the kind in the message (`a per-namespace sysctl`, `a host sysctl`).
 */
export function sysctlProblem(k: string, v: unknown, what: string): string | undefined {
  if (!/^net\.[a-z0-9_-]+(\.[a-z0-9_-]+)+$/u.test(k)) return `sysctl "${k}" is not ${what} (net.*, dotted, lowercase)`;
  if (typeof v !== 'string' && typeof v !== 'number') return `sysctl "${k}" must have a string value`;
  if (/[\n\r=]/u.test(String(v)) || String(v).length === 0) return `sysctl "${k}" has an invalid value ${JSON.stringify(v)}`;
  return undefined;
}

/** The interface a per-device key belongs to (`net.ipv4.conf.br0.forwarding` -> `br0`), if any. */
export function sysctlDevice(key: string): string | undefined {
  const m = /^net\.(?:ipv4|ipv6|mpls)\.(?:conf|neigh)\.([^.]+)\./u.exec(key);
  return m && m[1] !== 'all' && m[1] !== 'default' ? m[1] : undefined;
}

/** Cross-resource checks: references, duplicates, MTU agreement, gateways on connected subnets. */
export function checkReferences(plan: PlanDocument, badDevices: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = [];
  const namespaces = new Map<string, string>();
  const loopbackUp = new Map<string, boolean>();
  for (const r of Object.values(plan.resources)) {
    if (r.type !== 'namespace') continue;
    const prior = namespaces.get(r.name);
    if (prior) problems.push(`[${r.path}] namespace name "${r.name}" is also used by ${prior}`);
    else {
      namespaces.set(r.name, r.path);
      loopbackUp.set(r.name, r.loopbackUp);
    }
  }
  const bad = (ns: string | undefined, name: string) => badDevices.has(deviceKey(ns, name));
  const inLab = (ns: string | undefined, path: string) => {
    if (ns !== undefined && !namespaces.has(ns)) {
      problems.push(`[${path}] namespace "${ns}" is not declared in lab "${plan.lab}"`);
      return false;
    }
    return true;
  };

  // Devices per location: name -> { path, kind, mtu, up }.
  const devices = new Map<Location, Map<string, Dev>>();
  const devsAt = (l: Location) => devices.get(l) ?? devices.set(l, new Map()).get(l)!;
  for (const name of namespaces.keys()) devsAt(name).set('lo', { path: namespaces.get(name)!, kind: 'loopback', up: loopbackUp.get(name)! });
  const addDevice = (ns: string | undefined, name: string, dev: Dev) => {
    if (!inLab(ns, dev.path)) return;
    const at = devsAt(loc(ns));
    const prior = at.get(name);
    if (prior) {
      const what = prior.kind === 'loopback' ? 'the loopback device' : prior.path;
      problems.push(`[${dev.path}] interface name "${name}" in ${describeLocation(loc(ns))} is also used by ${what}`);
    } else at.set(name, dev);
  };
  for (const r of Object.values(plan.resources)) {
    if (r.type === 'bridge') addDevice(r.namespace, r.name, { path: r.path, kind: 'bridge', mtu: r.mtu, up: r.up });
    if (r.type === 'vxlan') addDevice(r.namespace, r.name, { path: r.path, kind: 'vxlan', mtu: r.mtu, up: r.up });
    if (r.type === 'veth') {
      addDevice(r.a.namespace, r.a.name, { path: r.path, kind: 'veth', mtu: r.mtu, up: r.up });
      addDevice(r.b.namespace, r.b.name, { path: r.path, kind: 'veth', mtu: r.mtu, up: r.up });
    }
  }
  problems.push(...checkVnis(plan));
  // Link segments: the two ends of a veth, and a bridge with its ports, are one segment.
  const segment = new Segments();
  for (const r of Object.values(plan.resources)) {
    if (r.type !== 'veth') continue;
    segment.join(deviceKey(r.a.namespace, r.a.name), deviceKey(r.b.namespace, r.b.name));
    for (const end of [r.a, r.b]) if (end.master !== undefined) segment.join(deviceKey(end.namespace, end.name), deviceKey(end.namespace, end.master));
  }
  for (const r of Object.values(plan.resources)) {
    if (r.type !== 'veth') continue;
    for (const end of [r.a, r.b]) {
      if (end.master === undefined) continue;
      const br = devices.get(loc(end.namespace))?.get(end.master);
      if (bad(end.namespace, end.master)) continue;
      if (!br || br.kind !== 'bridge') {
        problems.push(`[${r.path}] end "${end.name}" is a port of "${end.master}", which is not a bridge declared in ${describeLocation(loc(end.namespace))}`);
      } else if (br.mtu !== undefined && r.mtu !== undefined && br.mtu !== r.mtu) {
        problems.push(`[${r.path}] MTU mismatch: link MTU ${r.mtu} but bridge "${end.master}" (${br.path}) has MTU ${br.mtu}`);
      }
    }
  }

  const addresses = Object.values(plan.resources).filter((r): r is AddressResource => r.type === 'address');
  const seen = new Map<string, string>();
  const onSegment = new Map<string, AddressResource>();
  for (const a of addresses) {
    if (!inLab(a.namespace, a.path)) continue;
    if (!devices.get(loc(a.namespace))?.has(a.device) && !bad(a.namespace, a.device)) {
      problems.push(`[${a.path}] address ${a.address} is on device "${a.device}", which is not declared in ${describeLocation(loc(a.namespace))}`);
    }
    const ip = a.address.replace(/\/.*$/u, '');
    const key = `${loc(a.namespace)} ${ip}`;
    const prior = seen.get(key);
    if (prior) {
      problems.push(`[${a.path}] address ${ip} is also assigned by ${prior} in ${describeLocation(loc(a.namespace))}`);
      continue;
    }
    seen.set(key, a.path);
    const segKey = `${segment.of(deviceKey(a.namespace, a.device))} ${ip}`;
    const other = onSegment.get(segKey);
    if (other) {
      problems.push(`[${a.path}] address ${ip} is also assigned by ${other.path} on the same link (${other.device} in ${describeLocation(loc(other.namespace))}): one segment, one owner per address`);
    } else onSegment.set(segKey, a);
  }

  const routes = new Map<string, string>();
  for (const r of Object.values(plan.resources)) {
    if (r.type !== 'route') continue;
    if (!inLab(r.namespace, r.path)) continue;
    checkRoute(r, addresses, devices.get(loc(r.namespace)), problems, badDevices);
    const key = `${loc(r.namespace)} ${r.family} ${r.destination}`;
    const prior = routes.get(key);
    if (prior) problems.push(`[${r.path}] route to ${r.destination} in ${describeLocation(loc(r.namespace))} is also declared by ${prior}`);
    else routes.set(key, r.path);
  }
  const hostSysctls = new Map<string, string>();
  for (const r of Object.values(plan.resources)) {
    if (r.type !== 'sysctl') continue;
    const prior = hostSysctls.get(r.key);
    if (prior) problems.push(`[${r.path}] sysctl "${r.key}" in the host is also declared by ${prior}`);
    else hostSysctls.set(r.key, r.path);
  }
  problems.push(...checkNetfilter(plan, (l, name) => devices.get(l)?.has(name) === true || bad(l === '' ? undefined : l, name), inLab));
  return problems;
}

interface Dev { path: string; kind: 'bridge' | 'veth' | 'vxlan' | 'loopback'; mtu?: number; up: boolean }

/**
 * Two vxlan devices with the same VNI, port and local address: the receiving machine could not
 * tell their packets apart (and its kernel refuses the second one).
 */
function checkVnis(plan: PlanDocument): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const r of Object.values(plan.resources)) {
    if (r.type !== 'vxlan') continue;
    const key = `${r.vni} ${r.port} ${r.local}`;
    const prior = seen.get(key);
    if (prior) problems.push(`[${r.path}] VNI ${r.vni} is also used by ${prior} with the same port ${r.port} and local address ${r.local}`);
    else seen.set(key, r.path);
  }
  return problems;
}

/** Union-find over device keys: which devices share one link segment. */
class Segments {
  private readonly parent = new Map<string, string>();
  of(x: string): string {
    let p = this.parent.get(x) ?? x;
    while (p !== (this.parent.get(p) ?? p)) p = this.parent.get(p)!;
    if (p !== x) this.parent.set(x, p);
    return p;
  }
  join(x: string, y: string): void {
    const [a, b] = [this.of(x), this.of(y)];
    if (a !== b) this.parent.set(a, b);
  }
}

const DOWN = 'the kernel refuses a route over a link that is down';

function checkRoute(r: RouteResource, addresses: AddressResource[], devs: Map<string, Dev> | undefined, problems: string[], bad: ReadonlySet<string>): void {
  const at = `[${r.path}]`;
  if (r.namespace === undefined && r.destination === 'default') {
    problems.push(`${at} a default route in the host namespace is not allowed: nslab never touches the host's default route`);
  }
  if (r.device !== undefined && bad.has(deviceKey(r.namespace, r.device))) return;
  if (r.device !== undefined && !devs?.has(r.device)) {
    problems.push(`${at} route device "${r.device}" is not declared in ${describeLocation(loc(r.namespace))}`);
  } else if (r.device !== undefined && !devs!.get(r.device)!.up) {
    problems.push(`${at} route device "${r.device}" is declared down (up: false): ${DOWN}`);
    return;
  }
  if (r.via === undefined) return;
  const gw = parseIp(r.via)!;
  const connected = addresses.filter((a) => {
    if (loc(a.namespace) !== loc(r.namespace)) return false;
    if (r.device !== undefined && a.device !== r.device) return false;
    const c = parseCidr(a.address);
    return c !== undefined && contains(c, gw);
  });
  if (r.namespace === undefined) return;
  if (connected.length === 0) {
    const where = r.device ? `device "${r.device}"` : describeLocation(loc(r.namespace));
    problems.push(`${at} gateway ${r.via} is on no subnet connected to ${where}`);
  } else if (connected.every((a) => devs?.get(a.device)?.up === false)) {
    const names = [...new Set(connected.map((a) => `"${a.device}"`))];
    problems.push(`${at} gateway ${r.via} is reachable only over ${names.join(' and ')}, which ${names.length > 1 ? 'are' : 'is'} declared down (up: false): ${DOWN}`);
  }
}
