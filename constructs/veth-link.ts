import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { Host } from './host.js';
import type { Impair, VethEnd as PlanVethEnd } from '../src/plan/types.js';
import { DEVICE_BRAND, RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import { deriveInterfaceName } from '../src/synth/naming.js';
import { Bridge } from './bridge.js';
import type { IDevice } from './device.js';
import { Lab } from './lab.js';
import { NetNamespace } from './net-namespace.js';
import { defined, nameTypeProblem, sameLabProblem } from './private/checks.js';

const VETH_BRAND = Symbol.for('nslab.VethLink');

/** Props every veth end has, wherever it lives. */
export interface VethEndCommonProps {
  /**
   * The end's interface name (at most 15 bytes; the lab prefix is put in front when the end is
   * in the host). Never shortened: a name that is too long is a validation error.
   * @default - `<id>-a` / `<id>-b` (prefixed in the host), shortened with a stable hash of the
   * construct path when longer than 15 bytes
   */
  readonly name?: string;
  /**
   * The end's MAC address, `aa:bb:cc:dd:ee:ff`.
   * @default - chosen by the kernel
   */
  readonly mac?: string;
  /**
   * Impairs what leaves this end (its egress): delay, jitter, loss, duplicate, corrupt, reorder
   * (netem), rate, burst, limit. A rate alone (with burst and limit) uses tbf; anything else needs
   * the kernel's netem. Units are explicit: `20ms`, `1%`, `8mbit`, `32kb`.
   * @default - none: the kernel's default qdisc
   */
  readonly impair?: Impair;
}

/** A veth end inside a namespace of the lab. */
export interface VethEndInNamespaceProps extends VethEndCommonProps {
  /** The namespace the end lives in. */
  readonly namespace: NetNamespace;
  /** Not allowed with `namespace`. */
  readonly bridge?: never;
  /** Not allowed with `namespace`. */
  readonly host?: never;
}

/** A veth end that is a port of a bridge; it lives where the bridge lives. */
export interface VethEndOnBridgeProps extends VethEndCommonProps {
  /** The bridge the end is a port of (`ip link set <end> master <bridge>`). */
  readonly bridge: Bridge;
  /** Not allowed with `bridge`: the end lives where the bridge lives. */
  readonly namespace?: never;
  /** Not allowed with `bridge`. */
  readonly host?: never;
}

/** A veth end in the host namespace. */
export interface VethEndInHostProps extends VethEndCommonProps {
  /**
   * The end lives in a host's root namespace: `true` for the local machine's, a Host for that
   * machine's (a lab with hosts).
   */
  readonly host: true | Host;
  /** Not allowed with `host`. */
  readonly namespace?: never;
  /** Not allowed with `host`. */
  readonly bridge?: never;
}

/** Where a veth end lives: exactly one of `namespace`, `bridge` or `host: true`. */
export type VethEndProps = VethEndInNamespaceProps | VethEndOnBridgeProps | VethEndInHostProps;

export interface VethLinkProps {
  /** End `a` of the pair. */
  readonly a: VethEndProps;
  /** End `b` of the pair. */
  readonly b: VethEndProps;
  /**
   * MTU of both ends; must equal the MTU of a bridge an end is plugged into.
   * @default - the kernel default
   */
  readonly mtu?: number;
  /**
   * Whether both ends are up.
   * @default true
   */
  readonly up?: boolean;
  /**
   * The VXLAN network identifier of a link whose ends are on different hosts (see Host).
   * @default - derived from the lab's key and the link's path
   */
  readonly vni?: number;
}

/** UDP port of links across hosts (IANA's VXLAN port). */
export const VXLAN_PORT = 4789;
/** MTU of links across hosts by default: 1500 less VXLAN's 50 bytes over IPv4. */
export const VXLAN_MTU = 1450;

/**
 * A veth pair: a virtual cable whose two ends live in namespaces, on bridges or in the host.
 * The ends, `link.a` and `link.b`, are devices. Between namespaces on different hosts (see Host)
 * the link is a VXLAN tunnel over the hosts' own network: on each side a vxlan device created in
 * that host's root namespace and moved into the end's namespace under the end's name (UDP 4789,
 * MTU 1450 unless `mtu` says otherwise).
 *
 * Equivalent to: `ip link add <a> netns <nsA> type veth peer name <b> netns <nsB> [mtu M]`,
 * then `ip link set <end> master <bridge>` for bridge ports and `ip link set <end> up`.
 */
export class VethLink extends Construct implements IResourceSource {
  /** True when `x` is a VethLink. */
  static isVethLink(x: unknown): x is VethLink {
    return hasBrand(x, VETH_BRAND);
  }

  /** End `a`. */
  readonly a: VethEnd;
  /** End `b`. */
  readonly b: VethEnd;
  private readonly props: VethLinkProps;

  constructor(scope: Construct, id: string, props: VethLinkProps) {
    super(scope, id);
    this.props = props ?? ({} as VethLinkProps);
    this.a = new VethEnd(this, 'a', this.props.a);
    this.b = new VethEnd(this, 'b', this.props.b);
    this.node.addValidation({ validate: () => [...this.a.problems(), ...this.b.problems(), ...this.acrossProblems()] });
  }

  /** Whether the ends are on different hosts: the link is then a VXLAN tunnel (two vxlan devices). */
  get acrossHosts(): boolean {
    const [x, y] = [this.a.host, this.b.host];
    return x !== undefined && y !== undefined && x !== y;
  }

  /** The VXLAN network identifier of a link across hosts. */
  get vni(): number {
    if (this.props.vni !== undefined) return this.props.vni;
    const lab = Lab.of(this);
    const h = createHash('sha256').update(`${lab.prefix}${lab.name}/${this.node.path}`).digest().readUInt32BE(0);
    return 1 + (h % 0xfffffe);
  }

  /** A link across hosts: on each side a vxlan device in the end's namespace, created from that host's root namespace. */
  toResources(): Record<string, ResourceBody> | undefined {
    if (!this.acrossHosts) return undefined;
    const side = (me: VethEnd, peer: VethEnd): ResourceBody => ({
      type: 'vxlan', host: me.host!.hostId, namespace: me.namespace!.name, name: me.deviceName, vni: this.vni,
      local: me.host!.underlay, remote: peer.host!.underlay, port: VXLAN_PORT, mtu: this.props.mtu ?? VXLAN_MTU, up: this.props.up ?? true,
    }) as ResourceBody;
    return { a: side(this.a, this.b), b: side(this.b, this.a) };
  }

  private acrossProblems(): string[] {
    const vni = this.props.vni;
    const out: string[] = [];
    if (vni !== undefined && (!Number.isInteger(vni) || vni < 1 || vni > 0xffffff)) out.push(`"vni" must be an integer from 1 to 16777215 (it is ${JSON.stringify(vni)})`);
    if (!this.acrossHosts) return out;
    for (const e of [this.a, this.b]) {
      if (!e.namespace || e.bridge) out.push(`end ${e.end} is on host "${e.host!.hostId}" and the other end on another: a link across hosts needs both ends directly in namespaces`);
      if (e.mac !== undefined || e.impair !== undefined) out.push(`end ${e.end}: "mac" and "impair" are not taken on a link across hosts`);
    }
    return out;
  }

  /** The veth resource of the plan. */
  toResource(): ResourceBody {
    return { type: 'veth', host: this.a.host?.hostId ?? this.b.host?.hostId, a: this.a.toPlanEnd(), b: this.b.toPlanEnd(), mtu: this.props.mtu, up: this.props.up ?? true };
  }
}
brand(VethLink, VETH_BRAND);
brand(VethLink, RESOURCE_BRAND);

/** One end of a VethLink: a device. Created by VethLink; not a construct of its own. */
export class VethEnd implements IDevice {
  private readonly props: Partial<Record<'namespace' | 'bridge' | 'host' | 'name' | 'mac' | 'impair', unknown>>;

  constructor(
    /** The link this end belongs to. */
    readonly link: VethLink,
    /** Which end this is. */
    readonly end: 'a' | 'b',
    props: VethEndProps | undefined,
  ) {
    this.props = (props ?? {}) as VethEnd['props'];
  }

  /** The bridge this end is a port of, if any. */
  get bridge(): Bridge | undefined {
    return Bridge.isBridge(this.props.bridge) ? this.props.bridge : undefined;
  }

  /** The namespace the end lives in (a bridge port lives in its bridge's); undefined for the host. */
  get namespace(): NetNamespace | undefined {
    if (NetNamespace.isNetNamespace(this.props.namespace)) return this.props.namespace;
    return this.bridge?.namespace;
  }

  /** The end's kernel name. */
  get deviceName(): string {
    const prefix = this.namespace ? '' : Lab.of(this.link).prefix;
    const name = this.props.name;
    if (name !== undefined) return `${prefix}${String(name)}`;
    return deriveInterfaceName(`${prefix}${this.link.node.id}`, `-${this.end}`, `${this.link.node.path}/${this.end}`);
  }

  /** The VethLink that declares the end. */
  /** The machine this end is on (a lab with hosts), or undefined. */
  get host(): Host | undefined {
    if (Host.isHost(this.props.host)) return this.props.host;
    return this.namespace?.host ?? this.bridge?.host;
  }

  /** The end's `mac` prop as given. */
  get mac(): unknown {
    return this.props.mac;
  }

  /** The end's `impair` prop as given. */
  get impair(): unknown {
    return this.props.impair;
  }

  get owner(): VethLink {
    return this.link;
  }

  /** @internal The end as the plan states it. */
  toPlanEnd(): PlanVethEnd {
    return {
      namespace: this.namespace?.name,
      name: this.deviceName,
      master: this.bridge?.deviceName,
      mac: this.props.mac as string | undefined,
      impair: this.props.impair as Impair | undefined,
    };
  }

  /** @internal Construct-level problems of this end, reported by the link. */
  problems(): string[] {
    const { namespace, bridge, host } = this.props;
    const at = `end ${this.end}`;
    const set = [namespace !== undefined && '"namespace"', bridge !== undefined && '"bridge"', host !== undefined && host !== false && '"host"']
      .filter((x): x is string => x !== false);
    if (set.length !== 1) {
      const which = set.length === 0 ? 'none' : set.join(' and ');
      return [`${at} must set exactly one of "namespace", "bridge" or "host: true" (it sets ${which})`];
    }
    if (namespace !== undefined && !NetNamespace.isNetNamespace(namespace)) return [`${at}: "namespace" must be a NetNamespace`];
    if (bridge !== undefined && !Bridge.isBridge(bridge)) return [`${at}: "bridge" must be a Bridge`];
    if (host !== undefined && host !== true && !Host.isHost(host)) return [`${at}: "host" must be true or a Host`];
    return defined(
      nameTypeProblem(this.props.name, `${at}: "name"`),
      this.bridge ? sameLabProblem(this.link, this.bridge, `${at}: bridge`) : undefined,
      this.namespace && !this.bridge ? sameLabProblem(this.link, this.namespace, `${at}: namespace`) : undefined,
      Host.isHost(host) ? sameLabProblem(this.link, host, `${at}: host`) : undefined,
    );
  }
}
brand(VethEnd, DEVICE_BRAND);
