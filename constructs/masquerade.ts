import { Construct } from 'constructs';
import { RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import { isDevice, type IDevice } from './device.js';
import { NetNamespace } from './net-namespace.js';
import { defined, deviceProblems, ruleTag, sameLabProblem } from './private/checks.js';

const MASQUERADE_BRAND = Symbol.for('nslab.Masquerade');

export interface MasqueradeProps {
  /**
   * The namespace that translates (the router); it must forward
   * (`sysctls: { 'net.ipv4.ip_forward': '1' }`).
   * @default - the host namespace (the lab then declares `new Sysctl(lab, 'ip-forward', { key: 'net.ipv4.ip_forward', value: '1' })`)
   */
  readonly namespace?: NetNamespace;
  /**
   * The IPv4 prefix whose connections are translated, e.g. `10.77.0.0/24`.
   * @default - every IPv4 source
   */
  readonly source?: string;
  /** The device the translated packets leave by; it must live in `namespace`. Their source becomes its address. */
  readonly outInterface: IDevice;
}

/**
 * Source NAT to the outgoing device's address, as Docker does for its bridge: a rule in the
 * lab's own nftables table of the namespace.
 *
 * Equivalent to: `nft add rule inet nslab_<lab> postrouting oifname OUT ip saddr SRC masquerade`.
 */
export class Masquerade extends Construct implements IResourceSource {
  /** True when `x` is a Masquerade. */
  static isMasquerade(x: unknown): x is Masquerade {
    return hasBrand(x, MASQUERADE_BRAND);
  }

  private readonly props: MasqueradeProps;

  constructor(scope: Construct, id: string, props: MasqueradeProps) {
    super(scope, id);
    this.props = props ?? ({} as MasqueradeProps);
    this.node.addValidation({ validate: () => this.problems() });
  }

  /** The namespace that translates; undefined for the host. */
  get namespace(): NetNamespace | undefined {
    return NetNamespace.isNetNamespace(this.props.namespace) ? this.props.namespace : undefined;
  }

  /** The masquerade resource of the plan. */
  toResource(): ResourceBody {
    const { source, outInterface } = this.props;
    return { type: 'masquerade', namespace: this.namespace?.name, name: ruleTag(this), source, outInterface: isDevice(outInterface) ? outInterface.deviceName : (undefined as unknown as string) };
  }

  private problems(): string[] {
    const { namespace, outInterface } = this.props;
    if (namespace !== undefined && !NetNamespace.isNetNamespace(namespace)) return ['"namespace" must be a NetNamespace'];
    if (outInterface === undefined) return ['"outInterface" is required: the device the translated packets leave by'];
    return [...defined(namespace && sameLabProblem(this, namespace, 'namespace')), ...deviceProblems(this, outInterface, 'outInterface', this.namespace, isDevice)];
  }
}
brand(Masquerade, MASQUERADE_BRAND);
brand(Masquerade, RESOURCE_BRAND);
