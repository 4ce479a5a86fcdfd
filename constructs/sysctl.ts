import { Construct } from 'constructs';
import { RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import { Host } from './host.js';
import { hostPropProblem } from './private/checks.js';

const SYSCTL_BRAND = Symbol.for('nslab.Sysctl');

export interface SysctlProps {
  /** The sysctl, a `net.*` key: `net.ipv4.ip_forward`, or per interface `net.ipv4.conf.<device>.forwarding`. */
  readonly key: string;
  /** The value nslab sets while the lab declares the sysctl, e.g. `'1'`. */
  readonly value: string;
  /**
   * Not taken: a Sysctl is always the host's. A namespace's sysctls are its `sysctls` prop
   * (`new NetNamespace(lab, 'router', { sysctls: { 'net.ipv4.ip_forward': '1' } })`).
   * @default - the host namespace
   */
  readonly namespace?: never;
  /**
   * The machine whose root namespace it is, in a lab that spans several (see Host).
   * @default - the local machine (in a lab without hosts)
   */
  readonly host?: Host;
}

/**
 * A sysctl of the host (root) namespace, set while the lab declares it. nslab records the value
 * it found before it first set the sysctl, and puts that value back when the lab no longer
 * declares it and when the lab is destroyed. It never changes a host sysctl the lab does not
 * declare, and two labs cannot declare the same one.
 *
 * Equivalent to: `sysctl -w <key>=<value>` in the host.
 */
export class Sysctl extends Construct implements IResourceSource {
  /** True when `x` is a Sysctl. */
  static isSysctl(x: unknown): x is Sysctl {
    return hasBrand(x, SYSCTL_BRAND);
  }

  private readonly props: SysctlProps;

  constructor(scope: Construct, id: string, props: SysctlProps) {
    super(scope, id);
    this.props = props ?? ({} as SysctlProps);
    this.node.addValidation({ validate: () => this.problems() });
  }

  /** The sysctl's key. */
  get key(): string {
    return this.props.key;
  }

  /** The sysctl resource of the plan. */
  toResource(): ResourceBody {
    return { type: 'sysctl', host: Host.isHost(this.props.host) ? this.props.host.hostId : undefined, key: this.props.key, value: this.props.value };
  }

  private problems(): string[] {
    const { key, value, namespace } = this.props as { key: unknown; value: unknown; namespace?: unknown };
    if (namespace !== undefined) {
      return ['a Sysctl is the host\'s and takes no "namespace": set a namespace\'s sysctls on it, new NetNamespace(lab, \'name\', { sysctls: { \'net.ipv4.ip_forward\': \'1\' } })'];
    }
    const problems: string[] = [];
    if (typeof key !== 'string') problems.push('"key" is required: a net.* sysctl such as "net.ipv4.ip_forward"');
    if (typeof value !== 'string') problems.push('"value" is required and must be a string, e.g. \'1\'');
    const host = hostPropProblem(this, this.props.host);
    if (host) problems.push(host);
    return problems;
  }
}
brand(Sysctl, SYSCTL_BRAND);
brand(Sysctl, RESOURCE_BRAND);
