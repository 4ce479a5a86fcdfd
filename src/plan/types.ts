/**
 * The plan document: the versioned JSON contract between the construct layer and the engine.
 * Every name in a plan is the kernel's name (lab prefix already applied). A location is a
 * namespace name, or absent for the host (root) namespace.
 */

export const PLAN_VERSION = 1;

/** Route protocol number nslab marks its routes with (`ip route add … proto 213`). */
export const ROUTE_PROTO = 213;

export type ResourceType = 'namespace' | 'bridge' | 'veth' | 'vxlan' | 'address' | 'route' | NetfilterType | 'sysctl';

interface Base {
  /** The construct path that declared the resource (for messages). */
  readonly path: string;
  /**
   * The machine the resource lives on: the id of one of the plan's `hosts`. Absent: the local
   * machine (a plan with `hosts` sets it on every resource). The engine works on one host's part
   * at a time, without this field (see src/plan/hosts.ts).
   */
  readonly host?: string;
}

export interface NamespaceResource extends Base {
  readonly type: 'namespace';
  readonly name: string;
  /** Whether `lo` is up. */
  readonly loopbackUp: boolean;
  /** Sysctls set inside the namespace, e.g. `{ "net.ipv4.ip_forward": "1" }`. */
  readonly sysctls: Record<string, string>;
}

export interface BridgeResource extends Base {
  readonly type: 'bridge';
  readonly namespace?: string;
  readonly name: string;
  readonly mtu?: number;
  readonly mac?: string;
  readonly up: boolean;
  /** Egress impairment of the bridge device (tc qdisc). */
  readonly impair?: Impair;
}

export interface VethEnd {
  readonly namespace?: string;
  readonly name: string;
  /** Name of the bridge (in the same location) this end is a port of. */
  readonly master?: string;
  readonly mac?: string;
  /** Egress impairment of this end (tc qdisc). */
  readonly impair?: Impair;
}

export interface VethResource extends Base {
  readonly type: 'veth';
  readonly a: VethEnd;
  readonly b: VethEnd;
  readonly mtu?: number;
  readonly up: boolean;
}

/**
 * A VXLAN device: created from the host (root) namespace, so that its UDP socket uses the
 * machine's own network, and moved into a lab namespace under `name`. One end of a link between
 * namespaces on different machines (the peer machine's plan has the other end).
 */
export interface VxlanResource extends Base {
  readonly type: 'vxlan';
  /** The lab namespace the device lives in (required; never the host). */
  readonly namespace: string;
  /** Its interface name there. */
  readonly name: string;
  /** The VXLAN network identifier, 1-16777215. */
  readonly vni: number;
  /** This machine's underlay address (IPv4 or IPv6), canonical form. */
  readonly local: string;
  /** The peer machine's underlay address, of the same family as `local`, canonical form. */
  readonly remote: string;
  /** The UDP destination port (the construct layer's default is 4789; a plan always carries it). */
  readonly port: number;
  readonly mtu?: number;
  readonly up: boolean;
}

export interface AddressResource extends Base {
  readonly type: 'address';
  readonly namespace?: string;
  readonly device: string;
  /** Canonical CIDR, e.g. `10.10.0.1/24` or `fd00::1/64`. */
  readonly address: string;
}

export interface RouteResource extends Base {
  readonly type: 'route';
  readonly namespace?: string;
  readonly family: 4 | 6;
  /** Canonical prefix, or `default`. */
  readonly destination: string;
  readonly via?: string;
  readonly device?: string;
  readonly metric?: number;
}

/**
 * A sysctl of the host (root) namespace, e.g. `net.ipv4.ip_forward`. nslab sets it while the lab
 * declares it and puts back the value it found once the lab no longer does (and on destroy).
 * A namespace's sysctls are `NamespaceResource.sysctls`, not resources of their own.
 */
export interface SysctlResource extends Base {
  readonly type: 'sysctl';
  /** Always absent: the host. */
  readonly namespace?: undefined;
  /** A `net.*` key, e.g. `net.ipv4.ip_forward` or `net.ipv4.conf.br0.forwarding`. */
  readonly key: string;
  readonly value: string;
}

export type Resource = NamespaceResource | BridgeResource | VethResource | VxlanResource | AddressResource | RouteResource | NetfilterResource | SysctlResource;

export type { Impair } from './impair.js';
export type { FirewallResource, FirewallRule, MasqueradeResource, NetfilterResource, NetfilterType, PortForwardResource } from './netfilter.js';
import type { Impair } from './impair.js';
import type { NetfilterResource, NetfilterType } from './netfilter.js';

export interface PlanDocument {
  readonly version: typeof PLAN_VERSION;
  /** The lab's name as declared. */
  readonly lab: string;
  /** Prefix put in front of every global name. */
  readonly prefix: string;
  /** Resources keyed by id (the construct path below the lab). */
  readonly resources: Record<string, Resource>;
  /** The machines of a lab that spans several, by id (absent: everything is local). */
  readonly hosts?: Record<string, HostSpec>;
}

/** A machine of a multi-host lab: reached over SSH, its part deployed by its own provider. */
export interface HostSpec {
  /** `user@address[:port]`. */
  readonly ssh: string;
  /** The address VXLAN tunnels use on this machine (default: the ssh address). */
  readonly underlay: string;
  /** The private key ssh uses (default: ssh's own choice). */
  readonly identityFile?: string;
  /** Where that machine keeps nslab's records (default: /var/lib/nslab there). */
  readonly stateDir?: string;
}

/** The identity of a lab on a machine: its state file, lock and kernel markers use this. */
export function labKey(plan: Pick<PlanDocument, 'lab' | 'prefix'>): string {
  return `${plan.prefix}${plan.lab}`;
}

/** The ifalias nslab sets on every link (and on `lo` of every namespace) a lab creates. */
export function ownerMarker(key: string): string {
  return `nslab:${key}`;
}

/** A marker's owner for messages: `lab "KEY"`, with the store's hash when it names one (`KEY@hash`). */
export function ownerText(owner: string): string {
  const m = /^(.*)@([0-9a-f]{8})$/u.exec(owner);
  return m ? `lab "${m[1]}" (of state store #${m[2]})` : `lab "${owner}"`;
}

/** The lab key a marker names, or undefined when `alias` is not an nslab marker. */
export function markerOwner(alias: string | undefined): string | undefined {
  return alias?.startsWith('nslab:') ? alias.slice('nslab:'.length) : undefined;
}

/** Where an object lives: `''` is the host namespace. */
export type Location = string;
export const HOST: Location = '';
export const loc = (namespace: string | undefined): Location => namespace ?? HOST;
export const describeLocation = (l: Location): string => (l === HOST ? 'the host' : `namespace "${l}"`);

/**
 * A stable identity per resource: two resources with the same identity are the same kernel
 * object. A change of identity under the same id is a replacement.
 */
export function identity(r: Resource): string {
  switch (r.type) {
    case 'namespace':
      return `namespace ${r.name}`;
    case 'bridge':
    case 'vxlan':
      // One kernel link per name and location, whatever its kind: a clash is a duplicate.
      return `link ${loc(r.namespace)}/${r.name}`;
    case 'veth':
      return `veth ${loc(r.a.namespace)}/${r.a.name} ${loc(r.b.namespace)}/${r.b.name}`;
    case 'address':
      return `address ${loc(r.namespace)}/${r.device}/${r.address}`;
    case 'route':
      return `route ${loc(r.namespace)}/${r.family}/${r.destination}`;
    case 'sysctl':
      return `sysctl ${r.key}`;
    default:
      return `${r.type} ${loc(r.namespace)}/${r.name}`;
  }
}

/** Order in which resource types are created; deletes run in the reverse order. */
export const TYPE_ORDER: ResourceType[] = ['namespace', 'bridge', 'veth', 'vxlan', 'address', 'route', 'masquerade', 'port-forward', 'firewall', 'sysctl'];

/** JSON with sorted keys and two-space indentation: the deterministic plan encoding. */
export function stableStringify(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sort(x);
      }
      return out;
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}
