import { Construct } from 'constructs';
import { RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import { isDevice, type IDevice } from './device.js';
import { NetNamespace } from './net-namespace.js';
import { defined, deviceProblems, ruleTag, sameLabProblem } from './private/checks.js';

const PORT_FORWARD_BRAND = Symbol.for('nslab.PortForward');

export interface PortForwardProps {
  /**
   * The namespace that publishes the port (the router); it must forward
   * (`sysctls: { 'net.ipv4.ip_forward': '1' }`).
   * @default - the host namespace (the lab then declares `new Sysctl(lab, 'ip-forward', { key: 'net.ipv4.ip_forward', value: '1' })`)
   */
  readonly namespace?: NetNamespace;
  /**
   * The device the connections come in by; it must live in `namespace`.
   * @default - any device
   */
  readonly inInterface?: IDevice;
  /** `tcp` or `udp`. */
  readonly protocol: 'tcp' | 'udp';
  /** The published port (1-65535). */
  readonly port: number;
  /** Where the connections go: `ADDR:PORT`, or `ADDR` for the same port (IPv4). */
  readonly to: string;
}

/**
 * A published port: destination NAT of one port to an address behind the namespace, as
 * `docker run -p` does. A rule in the lab's own nftables table of the namespace. A Firewall in the
 * same namespace lets these connections through its forward chain unless `allowPortForwards: false`.
 *
 * Equivalent to: `nft add rule inet nslab_<lab> prerouting iifname IN tcp dport PORT dnat ip to ADDR:PORT`.
 */
export class PortForward extends Construct implements IResourceSource {
  /** True when `x` is a PortForward. */
  static isPortForward(x: unknown): x is PortForward {
    return hasBrand(x, PORT_FORWARD_BRAND);
  }

  private readonly props: PortForwardProps;

  constructor(scope: Construct, id: string, props: PortForwardProps) {
    super(scope, id);
    this.props = props ?? ({} as PortForwardProps);
    this.node.addValidation({ validate: () => this.problems() });
  }

  /** The namespace that publishes the port; undefined for the host. */
  get namespace(): NetNamespace | undefined {
    return NetNamespace.isNetNamespace(this.props.namespace) ? this.props.namespace : undefined;
  }

  /** The port-forward resource of the plan. */
  toResource(): ResourceBody {
    const { inInterface, protocol, port, to } = this.props;
    return {
      type: 'port-forward', namespace: this.namespace?.name, name: ruleTag(this),
      inInterface: isDevice(inInterface) ? inInterface.deviceName : undefined, protocol, port, to,
    };
  }

  private problems(): string[] {
    const { namespace, inInterface } = this.props;
    if (namespace !== undefined && !NetNamespace.isNetNamespace(namespace)) return ['"namespace" must be a NetNamespace'];
    return [...defined(namespace && sameLabProblem(this, namespace, 'namespace')), ...deviceProblems(this, inInterface, 'inInterface', this.namespace, isDevice)];
  }
}
brand(PortForward, PORT_FORWARD_BRAND);
brand(PortForward, RESOURCE_BRAND);
