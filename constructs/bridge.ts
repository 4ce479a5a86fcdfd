import { Construct } from 'constructs';
import { DEVICE_BRAND, RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import type { IDevice } from './device.js';
import type { Impair } from '../src/plan/impair.js';
import { deriveInterfaceName } from '../src/synth/naming.js';
import { Lab } from './lab.js';
import { NetNamespace } from './net-namespace.js';
import { defined, hostPropProblem, nameTypeProblem, sameLabProblem } from './private/checks.js';
import { Host } from './host.js';

const BRIDGE_BRAND = Symbol.for('nslab.Bridge');

export interface BridgeProps {
  /**
   * The namespace the bridge lives in.
   * @default - the host namespace (the bridge's name then gets the lab prefix)
   */
  readonly namespace?: NetNamespace;
  /**
   * The bridge's interface name (at most 15 bytes, lab prefix included when in the host).
   * Never shortened: a name that is too long is a validation error.
   * @default - the construct id (prefixed in the host), shortened with a stable hash of the
   * construct path when longer than 15 bytes, as veth end names are
   */
  readonly name?: string;
  /**
   * The bridge's MTU; must equal the MTU of the veth links plugged into it.
   * @default - the kernel default
   */
  readonly mtu?: number;
  /**
   * The bridge's MAC address, `aa:bb:cc:dd:ee:ff`.
   * @default - chosen by the kernel
   */
  readonly mac?: string;
  /**
   * Whether the bridge is up.
   * @default true
   */
  readonly up?: boolean;
  /**
   * Impairs what the bridge device itself sends (its egress: traffic the bridge's own address
   * sends into the bridge, not traffic between ports). Same fields as a veth end's `impair`.
   * @default - none: the kernel's default qdisc
   */
  readonly impair?: Impair;
  /**
   * The machine a bridge in the host's root namespace is on (one in a namespace is on the namespace's), in a lab that spans several (see Host).
   * @default - the local machine (in a lab without hosts)
   */
  readonly host?: Host;
}

/**
 * A Linux bridge. Veth ends declared with `{ bridge }` become its ports. It is a device, so it
 * can carry addresses and be a route's device.
 *
 * Equivalent to: `ip [-n <ns>] link add <name> type bridge [mtu M] [address MAC]; ip link set <name> up`.
 */
export class Bridge extends Construct implements IDevice, IResourceSource {
  /** True when `x` is a Bridge. */
  static isBridge(x: unknown): x is Bridge {
    return hasBrand(x, BRIDGE_BRAND);
  }

  private readonly props: BridgeProps;

  constructor(scope: Construct, id: string, props: BridgeProps = {}) {
    super(scope, id);
    this.props = props ?? {};
    this.node.addValidation({ validate: () => this.problems() });
  }

  /** The namespace the bridge lives in; undefined for the host. */
  get namespace(): NetNamespace | undefined {
    return NetNamespace.isNetNamespace(this.props.namespace) ? this.props.namespace : undefined;
  }

  /** The bridge's kernel name (lab prefix applied when it is in the host). */
  get deviceName(): string {
    const prefix = this.namespace ? '' : Lab.of(this).prefix;
    if (this.props.name !== undefined) return `${prefix}${String(this.props.name)}`;
    return deriveInterfaceName(`${prefix}${this.node.id}`, '', this.node.path);
  }

  /** Same as `deviceName`. */
  get name(): string {
    return this.deviceName;
  }

  /** The bridge itself. */
  get owner(): Bridge {
    return this;
  }

  /** The bridge resource of the plan. */
  /** The machine the bridge is on (a lab with hosts), or undefined. */
  get host(): Host | undefined {
    return this.namespace?.host ?? (Host.isHost(this.props.host) ? this.props.host : undefined);
  }

  toResource(): ResourceBody {
    const { mtu, mac, up, impair } = this.props;
    return { type: 'bridge', host: this.host?.hostId, namespace: this.namespace?.name, name: this.deviceName, mtu, mac, up: up ?? true, impair };
  }

  private problems(): string[] {
    const ns: unknown = this.props.namespace;
    if (ns !== undefined && !NetNamespace.isNetNamespace(ns)) return ['"namespace" must be a NetNamespace'];
    return defined(
      nameTypeProblem(this.props.name),
      this.namespace && sameLabProblem(this, this.namespace, 'namespace'),
      hostPropProblem(this, this.props.host),
      this.namespace && this.props.host !== undefined ? 'a bridge in a namespace is on the namespace\'s host: "host" is for one in a host\'s root namespace' : undefined,
    );
  }
}
brand(Bridge, BRIDGE_BRAND);
brand(Bridge, RESOURCE_BRAND);
brand(Bridge, DEVICE_BRAND);
