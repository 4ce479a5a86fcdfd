import { Construct, type IConstruct } from 'constructs';
import { DEVICE_BRAND, RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import type { IDevice } from './device.js';
import { Lab } from './lab.js';
import { defined, hostPropProblem, nameTypeProblem } from './private/checks.js';
import { Host } from './host.js';

const NAMESPACE_BRAND = Symbol.for('nslab.NetNamespace');

export interface NetNamespaceProps {
  /**
   * The namespace's name, before the lab prefix.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Whether the namespace's loopback device `lo` is brought up.
   * @default true
   */
  readonly loopbackUp?: boolean;
  /**
   * Per-namespace sysctls (`net.*`) to set inside the namespace, e.g. `{ 'net.ipv4.ip_forward': '1' }`.
   * @default - none
   */
  readonly sysctls?: Record<string, string>;
  /**
   * The machine it lives on, in a lab that spans several (see Host).
   * @default - the local machine (in a lab without hosts)
   */
  readonly host?: Host;
}

/**
 * A named network namespace.
 *
 * Equivalent to: `ip netns add <prefix><name>`, then `ip -n <name> link set lo up`
 * and `ip netns exec <name> sysctl -w key=value` for each sysctl.
 */
export class NetNamespace extends Construct implements IResourceSource {
  /** True when `x` is a NetNamespace. */
  static isNetNamespace(x: unknown): x is NetNamespace {
    return hasBrand(x, NAMESPACE_BRAND);
  }

  /** The namespace's loopback device, `lo`. */
  readonly loopback: IDevice;
  private readonly props: NetNamespaceProps;

  constructor(scope: Construct, id: string, props: NetNamespaceProps = {}) {
    super(scope, id);
    this.props = props ?? {};
    this.loopback = new Loopback(this);
    this.node.addValidation({ validate: () => defined(nameTypeProblem(this.props.name), hostPropProblem(this, this.props.host)) });
  }

  /** The namespace's kernel name: the lab prefix, then `name` (default: the construct id). */
  get name(): string {
    return `${Lab.of(this).prefix}${this.props.name ?? this.node.id}`;
  }

  /** The namespace resource of the plan. */
  /** The machine the namespace is on (a lab with hosts), or undefined. */
  get host(): Host | undefined {
    return Host.isHost(this.props.host) ? this.props.host : undefined;
  }

  toResource(): ResourceBody {
    return {
      type: 'namespace',
      host: this.host?.hostId,
      name: this.name,
      loopbackUp: this.props.loopbackUp ?? true,
      sysctls: this.props.sysctls ?? {},
    };
  }
}
brand(NetNamespace, NAMESPACE_BRAND);
brand(NetNamespace, RESOURCE_BRAND);

/** The loopback device of a namespace. Created by NetNamespace; not a construct of its own. */
class Loopback implements IDevice {
  readonly deviceName = 'lo';
  constructor(readonly namespace: NetNamespace) {}
  get owner(): IConstruct {
    return this.namespace;
  }
}
brand(Loopback, DEVICE_BRAND);
