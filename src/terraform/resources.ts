/**
 * Terraform objects <-> plan resources. A `netns_*` object is turned into a raw plan resource and
 * normalized by the plan's own `normalizeResource` (the checks and canonical forms `nslab apply`
 * uses); a plan resource read back from the kernel is turned into an object again, keeping the
 * user's spelling where it means the same (`AA:BB:…` vs `aa:bb:…`, `0.0.0.0/0` vs `default`).
 */
import { normalizeResource } from '../plan/validate.js';
import type { Resource } from '../plan/types.js';
import { canonicalAddress, canonicalDestination, canonicalIp, canonicalMac } from '../plan/net.js';
import { IMPORT_IDS, RESOURCES, type ResourceTypeName } from './schema.js';
import { isUnknown, type ObjectValue, type Value } from './values.js';
import type { LiveLink } from '../engine/index.js';
import { impairFromMap, impairToMap, netfilterToObject, netfilterToRaw } from './netfilter.js';

/** A problem with a resource's configuration, naming the attribute when one is to blame. */
export interface Problem {
  readonly message: string;
  readonly attribute?: string;
}

type Raw = Record<string, unknown>;

const opt = <T>(v: Value): T | undefined => (v === null || isUnknown(v) ? undefined : (v as T));

/** The raw plan resource (before normalization) of a fully known object. */
export function toRaw(type: ResourceTypeName, o: ObjectValue): Raw {
  const s = (k: string) => opt<string>(o[k]!);
  switch (type) {
    case 'netns_namespace':
      return { type: 'namespace', name: s('name'), loopbackUp: opt<boolean>(o.loopback_up!) ?? true, sysctls: opt<Raw>(o.sysctls!) ?? {} };
    case 'netns_bridge':
      return { type: 'bridge', namespace: s('namespace'), name: s('name'), mtu: opt<number>(o.mtu!), mac: s('mac'), up: opt<boolean>(o.up!) ?? true, impair: impairFromMap(o.impair) };
    case 'netns_veth_link': {
      const end = (p: 'a' | 'b') => ({ namespace: s(`${p}_namespace`), name: s(`${p}_name`), master: s(`${p}_master`), mac: s(`${p}_mac`), impair: impairFromMap(o[`${p}_impair`]) });
      return { type: 'veth', a: end('a'), b: end('b'), mtu: opt<number>(o.mtu!), up: opt<boolean>(o.up!) ?? true };
    }
    case 'netns_vxlan':
      return {
        type: 'vxlan', namespace: s('namespace'), name: s('name'), vni: opt<number>(o.vni!), local: s('local'), remote: s('remote'),
        port: opt<number>(o.port!) ?? 4789, mtu: opt<number>(o.mtu!), up: opt<boolean>(o.up!) ?? true,
      };
    case 'netns_ip_address':
      return { type: 'address', namespace: s('namespace'), device: s('device'), address: s('address') };
    case 'netns_route':
      return { type: 'route', namespace: s('namespace'), destination: s('destination'), via: s('via'), device: s('device'), metric: opt<number>(o.metric!) };
    case 'netns_sysctl':
      return { type: 'sysctl', key: s('key'), value: s('value') };
    default:
      return netfilterToRaw(type, o)!;
  }
}

/** Which attribute a normalizeResource message is about: keywords first, then the quoted value. */
function blame(message: string, o: ObjectValue, type: ResourceTypeName): string | undefined {
  const keywords: Array<[RegExp, string]> = [
    [/^MTU /u, 'mtu'], [/^VNI /u, 'vni'], [/^local address/u, 'local'], [/^remote address/u, 'remote'], [/^a vxlan device lives/u, 'namespace'], [/^metric /u, 'metric'], [/^gateway /u, 'via'], [/^sysctl/u, 'sysctls'], [/^destination /u, 'destination'],
    [/^route to .* needs a gateway/u, 'via'], [/^end a impair/u, 'a_impair'], [/^end b impair/u, 'b_impair'], [/^impair/u, 'impair'],
    [/^sysctl "[^"]*" (must have|has an invalid) /u, 'value'], [/^sysctl /u, 'key'], [/^key /u, 'key'], [/^rule \d+/u, 'rules'], [/^(input|forward|output) policy/u, 'rules'], [/^source /u, 'source'], [/^to /u, 'to'], [/^port /u, 'port'], [/^protocol /u, 'protocol'],
  ];
  if (type === 'netns_ip_address') keywords.push([/^address /u, 'address']);
  for (const [re, attr] of keywords) if (re.test(message) && attr in o) return attr;
  for (const [attr, v] of Object.entries(o)) {
    if (typeof v === 'string' && v !== '' && message.includes(`"${v}"`)) return attr;
  }
  return undefined;
}

export interface Normalized {
  readonly resource?: Resource;
  readonly problems: Problem[];
}

/** Placeholders for unknown values during validation: valid, so only known values are judged. */
function placeholders(type: ResourceTypeName, o: ObjectValue): { filled: ObjectValue; unknown: Set<string> } {
  const unknown = new Set<string>();
  const filled: ObjectValue = { ...o };
  const v6 = (k: string) => typeof o[k] === 'string' && (o[k] as string).includes(':');
  for (const [k, v] of Object.entries(o)) {
    if (!isUnknown(v) && !(v && typeof v === 'object' && Object.values(v).some(isUnknown))) continue;
    unknown.add(k);
    const spec = RESOURCES[type].attributes[k]!;
    if (Array.isArray(spec.type)) filled[k] = spec.type[0] === 'list' ? [] : {};
    else if (spec.type === 'bool') filled[k] = true;
    else if (k === 'mtu') filled[k] = 1500;
    else if (k === 'vni') filled[k] = 1;
    else if (type === 'netns_vxlan' && k === 'port') filled[k] = 4789;
    else if (k === 'local' || k === 'remote') filled[k] = v6(k === 'local' ? 'remote' : 'local') ? 'fd00::1' : '192.0.2.1';
    else if (spec.type === 'number') filled[k] = 0;
    else if (k === 'address') filled[k] = '192.0.2.1/24';
    else if (k === 'destination') filled[k] = v6('via') ? 'fd00::/8' : '10.0.0.0/8';
    else if (k === 'via') filled[k] = v6('destination') ? 'fd00::1' : '10.0.0.1';
    else if (k.endsWith('mac')) filled[k] = '02:00:00:00:00:01';
    else filled[k] = 'tfunknown';
  }
  return { filled, unknown };
}

/**
 * Checks an object the way `nslab` checks a plan resource and returns the canonical resource.
 * Unknown values are not judged (the resource is then undefined).
 */
export function normalize(type: ResourceTypeName, o: ObjectValue): Normalized {
  const { filled, unknown } = placeholders(type, o);
  const messages: string[] = [];
  const r = normalizeResource(type, { ...toRaw(type, filled), path: type }, messages);
  const problems: Problem[] = [];
  for (const m of messages) {
    const message = m.replace(/^\[[^\]]*\] /u, '');
    const attribute = blame(message, filled, type);
    if (attribute && unknown.has(attribute)) continue;
    problems.push({ message, attribute });
  }
  if (r?.type === 'route' && r.namespace === undefined && r.destination === 'default') {
    problems.push({ message: 'a default route in the host namespace is not allowed: nslab never touches the host\'s default route', attribute: 'destination' });
  }
  if (r?.type === 'veth' && (r.a.namespace ?? '') === (r.b.namespace ?? '') && r.a.name === r.b.name) {
    problems.push({ message: `both ends are named "${r.a.name}" in the same namespace`, attribute: 'b_name' });
  }
  return { resource: unknown.size || problems.length ? undefined : r, problems };
}

// ---- plan resource -> Terraform object ---------------------------------------------------------

/** Canonical forms of the attributes the plan canonicalizes (for "same meaning" comparisons). */
const CANONICAL: Record<string, (s: string) => string | undefined> = {
  mac: canonicalMac, a_mac: canonicalMac, b_mac: canonicalMac,
  address: canonicalAddress,
  destination: (s) => canonicalDestination(s)?.destination,
  via: canonicalIp,
  local: canonicalIp, remote: canonicalIp,
};

function sameMeaning(attr: string, base: Value | undefined, v: Value): boolean {
  if (base === undefined || isUnknown(base)) return false;
  if (JSON.stringify(base) === JSON.stringify(v)) return true;
  if (base === null || v === null) {
    // An empty map and null both mean "no sysctls".
    const empty = (x: Value) => x === null || (typeof x === 'object' && !Array.isArray(x) && Object.keys(x as object).length === 0);
    return attr === 'sysctls' && empty(base) && empty(v);
  }
  const canon = CANONICAL[attr];
  return canon !== undefined && typeof base === 'string' && typeof v === 'string' && canon(base) === v;
}

/** The id of a resource: also its import id (see IMPORT_IDS). */
export function idOf(r: Resource): string {
  const ns = (n: string | undefined) => n ?? '';
  switch (r.type) {
    case 'namespace': return r.name;
    case 'bridge': return `${ns(r.namespace)}|${r.name}`;
    case 'vxlan': return `${r.namespace}|${r.name}`;
    case 'veth': return `${ns(r.a.namespace)}|${r.a.name}|${ns(r.b.namespace)}|${r.b.name}`;
    case 'address': return `${ns(r.namespace)}|${r.device}|${r.address}`;
    case 'route': return `${ns(r.namespace)}|${r.destination === 'default' && r.family === 6 ? '::/0' : r.destination}`;
    case 'sysctl': return r.key;
    default: return `${ns(r.namespace)}|${r.name}`;
  }
}

/**
 * The Terraform object of a resource. Where `base` (the prior or planned object) says the same
 * thing in other words, its spelling is kept, so Terraform sees no spurious change.
 */
export function fromResource(type: ResourceTypeName, r: Resource, base: ObjectValue | null = null): ObjectValue {
  const n = <T>(v: T | undefined): Value => (v === undefined ? null : (v as Value));
  let o: ObjectValue;
  switch (r.type) {
    case 'namespace':
      o = { name: r.name, loopback_up: r.loopbackUp, sysctls: Object.keys(r.sysctls).length ? { ...r.sysctls } : null };
      break;
    case 'bridge':
      o = { namespace: n(r.namespace), name: r.name, mtu: n(r.mtu), mac: n(r.mac), up: r.up, impair: impairToMap(r.impair) };
      break;
    case 'veth':
      o = {
        a_namespace: n(r.a.namespace), a_name: r.a.name, a_master: n(r.a.master), a_mac: n(r.a.mac), a_impair: impairToMap(r.a.impair),
        b_namespace: n(r.b.namespace), b_name: r.b.name, b_master: n(r.b.master), b_mac: n(r.b.mac), b_impair: impairToMap(r.b.impair),
        mtu: n(r.mtu), up: r.up,
      };
      break;
    case 'address':
      o = { namespace: n(r.namespace), device: r.device, address: r.address };
      break;
    case 'route':
      o = { namespace: n(r.namespace), destination: r.destination, via: n(r.via), device: n(r.device), metric: n(r.metric) };
      break;
    case 'vxlan':
      o = { namespace: r.namespace, name: r.name, vni: r.vni, local: r.local, remote: r.remote, port: r.port, mtu: n(r.mtu), up: r.up };
      break;
    case 'sysctl':
      o = { key: r.key, value: r.value };
      break;
    default:
      o = netfilterToObject(r)!;
  }
  const out: ObjectValue = { id: idOf(r) };
  for (const attr of Object.keys(RESOURCES[type].attributes)) {
    if (attr === 'id') continue;
    const v = o[attr] ?? null;
    out[attr] = sameMeaning(attr, base?.[attr], v) ? base![attr]! : v;
  }
  return out;
}

// ---- import ids ------------------------------------------------------------------------------------

/** The object an import id names (identity attributes set, the rest null), or a problem. */
export function parseImportId(type: ResourceTypeName, id: string): ObjectValue | Problem {
  const parts = id.split('|');
  const want = IMPORT_IDS[type].split('|').length;
  if (parts.length !== want || parts.some((p, i) => p === '' && !IMPORT_IDS[type].split('|')[i]!.endsWith('NS'))) {
    return { message: `import id "${id}" is not of the form ${IMPORT_IDS[type]} (an empty NS is the host namespace)` };
  }
  const ns = (p: string): Value => (p === '' ? null : p);
  const base: ObjectValue = Object.fromEntries(Object.keys(RESOURCES[type].attributes).map((k) => [k, null]));
  switch (type) {
    case 'netns_namespace':
      return { ...base, name: parts[0]!, loopback_up: true };
    case 'netns_bridge':
      return { ...base, namespace: ns(parts[0]!), name: parts[1]!, up: true };
    case 'netns_vxlan':
      // The tunnel (vni, local, remote, port) is read from the kernel: see importedVxlan.
      return { ...base, namespace: ns(parts[0]!), name: parts[1]!, up: true };
    case 'netns_veth_link':
      return { ...base, a_namespace: ns(parts[0]!), a_name: parts[1]!, b_namespace: ns(parts[2]!), b_name: parts[3]!, up: true };
    case 'netns_ip_address':
      return { ...base, namespace: ns(parts[0]!), device: parts[1]!, address: parts[2]! };
    case 'netns_route':
      return { ...base, namespace: ns(parts[0]!), destination: parts[1]! };
    case 'netns_sysctl':
      return { ...base, key: parts[0]! };
    default:
      return { ...base, namespace: ns(parts[0]!), name: parts[1]! };
  }
}

/**
 * An imported `netns_vxlan` (namespace and name from the import id) completed with its tunnel as
 * the kernel has it: `link` is the live link of that name in that namespace.
 */
export function importedVxlan(o: ObjectValue, link: LiveLink | undefined): ObjectValue | Problem {
  const where = `"${String(o.name)}" in namespace "${String(o.namespace)}"`;
  if (!link) return { message: `there is no interface ${where}` };
  if (link.kind !== 'vxlan' || !link.vxlan) return { message: `interface ${where} is a ${link.kind ?? 'device'}, not a vxlan` };
  const { vni, local, remote, port } = link.vxlan;
  if (vni === undefined || local === undefined || remote === undefined || port === undefined) {
    return { message: `vxlan ${where} has no ${local === undefined ? 'local' : 'remote'} address: nslab manages point-to-point tunnels only` };
  }
  return { ...o, vni, local, remote, port };
}

/**
 * The resource to read for an imported object. A route is read with neither gateway nor device:
 * the read reports the live gateway (the device is left unmanaged until the configuration sets it);
 * a sysctl with a placeholder value (the read reports the live one).
 */
export function importedResource(type: ResourceTypeName, o: ObjectValue): Normalized {
  if (type === 'netns_sysctl') {
    // Read with a placeholder value: the read reports the live one.
    const n = normalize(type, { ...o, value: typeof o.value === 'string' ? o.value : '0' });
    return n.resource ? { problems: [], resource: n.resource } : n;
  }
  if (type !== 'netns_route') return normalize(type, o);
  const text = typeof o.destination === 'string' ? o.destination : '';
  const dest = canonicalDestination(text);
  if (!dest) return { problems: [{ message: `destination "${text}" is not a CIDR or "default"`, attribute: 'destination' }] };
  const namespace = typeof o.namespace === 'string' ? o.namespace : undefined;
  return { problems: [], resource: { type: 'route', path: type, namespace, family: dest.family ?? 4, destination: dest.destination } };
}
