import { Construct } from 'constructs';
import { RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import { isDevice, type IDevice } from './device.js';
import { NetNamespace } from './net-namespace.js';
import { defined, deviceProblems, ruleTag, sameLabProblem } from './private/checks.js';

const FIREWALL_BRAND = Symbol.for('nslab.Firewall');

/** What a firewall does with a packet: let it through, drop it silently, or refuse it (ICMP port unreachable / TCP reset). */
export type FirewallAction = 'accept' | 'drop' | 'reject';

/** Where in the namespace a rule looks at packets: addressed to it, passing through it, or sent by it. */
export type FirewallHook = 'input' | 'forward' | 'output';

/** One rule. Every match given must hold; a rule without matches matches every packet of its hook. */
export interface FirewallRule {
  /** `input` (to this namespace), `forward` (through it) or `output` (from it). */
  readonly hook: FirewallHook;
  /** What happens to a matching packet. */
  readonly action: FirewallAction;
  /**
   * Source address or prefix, IPv4 or IPv6 (`10.77.0.0/24`, `203.0.113.2`).
   * @default - any source
   */
  readonly source?: string;
  /**
   * Destination address or prefix, of the same family as `source`.
   * @default - any destination
   */
  readonly destination?: string;
  /**
   * The device the packet came in by (not for `output`).
   * @default - any device
   */
  readonly inInterface?: IDevice;
  /**
   * The device the packet leaves by (not for `input`).
   * @default - any device
   */
  readonly outInterface?: IDevice;
  /**
   * `tcp`, `udp`, `icmp` or `icmpv6`.
   * @default - any protocol
   */
  readonly protocol?: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  /**
   * Destination port, a number or a range `'8000-8100'`; needs protocol `tcp` or `udp`.
   * @default - any port
   */
  readonly port?: number | string;
}

export interface FirewallProps {
  /**
   * The namespace whose traffic is filtered.
   * @default - the host namespace (nslab changes only its own table there)
   */
  readonly namespace?: NetNamespace;
  /**
   * What happens to packets addressed to the namespace that no rule accepts or drops.
   * @default 'accept'
   */
  readonly input?: 'accept' | 'drop';
  /**
   * What happens to packets routed through the namespace that no rule decides.
   * @default 'accept'
   */
  readonly forward?: 'accept' | 'drop';
  /**
   * What happens to packets the namespace sends that no rule decides.
   * @default 'accept'
   */
  readonly output?: 'accept' | 'drop';
  /**
   * Let replies through: `ct state established,related accept` comes first in every hook, so a
   * rule only has to allow the first packet of a connection (as security groups are stateful).
   * @default true
   */
  readonly allowEstablished?: boolean;
  /**
   * Accept everything that comes in by `lo`, so a namespace with `input: 'drop'` still talks to itself.
   * @default true
   */
  readonly allowLoopback?: boolean;
  /**
   * Let connections to ports a PortForward publishes through the forward hook (`ct status dnat accept`), as Docker does.
   * @default true
   */
  readonly allowPortForwards?: boolean;
  /**
   * The rules, in order; the first that matches decides. More can be added with `addRule`.
   * @default - none
   */
  readonly rules?: FirewallRule[];
}

/**
 * A namespace's packet filter: a default policy per hook and ordered rules, in the lab's own
 * nftables table of the namespace (chains `input`, `forward` and `output`). One per namespace.
 *
 * ```ts
 * const fw = new Firewall(lab, 'fw', { namespace: router, input: 'drop', forward: 'drop' });
 * fw.addRule({ hook: 'forward', action: 'accept', inInterface: lan.b, outInterface: wan.a });
 * fw.addRule({ hook: 'input', action: 'accept', protocol: 'tcp', port: 22, source: '10.77.0.0/24' });
 * ```
 *
 * Equivalent to: `nft add chain inet nslab_<lab> input '{ type filter hook input priority filter; policy drop; }'`
 * and `nft add rule inet nslab_<lab> input ct state established,related accept`, … for each rule.
 */
export class Firewall extends Construct implements IResourceSource {
  /** True when `x` is a Firewall. */
  static isFirewall(x: unknown): x is Firewall {
    return hasBrand(x, FIREWALL_BRAND);
  }

  private readonly props: FirewallProps;
  private readonly rules: FirewallRule[];

  constructor(scope: Construct, id: string, props: FirewallProps = {}) {
    super(scope, id);
    this.props = props ?? {};
    this.rules = Array.isArray(this.props.rules) ? [...this.props.rules] : [];
    this.node.addValidation({ validate: () => this.problems() });
  }

  /** Appends a rule (after those already declared). Returns the firewall, for chaining. */
  addRule(rule: FirewallRule): this {
    this.rules.push(rule);
    return this;
  }

  /** The namespace filtered; undefined for the host. */
  get namespace(): NetNamespace | undefined {
    return NetNamespace.isNetNamespace(this.props.namespace) ? this.props.namespace : undefined;
  }

  /** The firewall resource of the plan. */
  toResource(): ResourceBody {
    const { input, forward, output, allowEstablished, allowLoopback, allowPortForwards } = this.props;
    const dev = (d: IDevice | undefined) => (isDevice(d) ? d.deviceName : undefined);
    return {
      type: 'firewall', namespace: this.namespace?.name, name: ruleTag(this),
      input: input ?? 'accept', forward: forward ?? 'accept', output: output ?? 'accept',
      allowEstablished: allowEstablished ?? true, allowLoopback: allowLoopback ?? true, allowPortForwards: allowPortForwards ?? true,
      rules: this.rules.map((r) => ({ ...r, inInterface: dev(r.inInterface), outInterface: dev(r.outInterface) })),
    } as ResourceBody;
  }

  private problems(): string[] {
    const { namespace } = this.props;
    if (namespace !== undefined && !NetNamespace.isNetNamespace(namespace)) return ['"namespace" must be a NetNamespace'];
    if (this.props.rules !== undefined && !Array.isArray(this.props.rules)) return ['"rules" must be a list'];
    const problems = defined(namespace && sameLabProblem(this, namespace, 'namespace'));
    this.rules.forEach((r, i) => {
      for (const k of ['inInterface', 'outInterface'] as const) {
        problems.push(...deviceProblems(this, r?.[k], k, this.namespace, isDevice).map((p) => `rule ${i + 1}: ${p}`));
      }
    });
    return problems;
  }
}
brand(Firewall, FIREWALL_BRAND);
brand(Firewall, RESOURCE_BRAND);
