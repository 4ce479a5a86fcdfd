import { Construct } from 'constructs';
import type { HostSpec } from '../src/plan/types.js';
import { HOST_BRAND, brand, hasBrand, type IHostSource } from '../src/synth/contract.js';
import { hostIdProblem, parseSsh, sshProblem } from '../src/plan/hosts.js';
import { defined } from './private/checks.js';

export interface HostProps {
  /** How to reach the machine: `user@address[:port]` (an IPv6 address in brackets). Required. */
  readonly ssh: string;
  /**
   * The address VXLAN tunnels use on this machine (its end of links to other hosts).
   * @default - the address of `ssh`, which must then be an IP address
   */
  readonly underlay?: string;
  /**
   * The private key ssh uses for this machine.
   * @default - ssh's own choice (its configuration, agent and default keys)
   */
  readonly identityFile?: string;
  /**
   * Where that machine keeps nslab's records of the lab (`nslab show` and `nslab gc` there read them).
   * @default /var/lib/nslab
   */
  readonly stateDir?: string;
}

/**
 * A machine of a lab that spans several. Namespaces declare the host they live on
 * (`new NetNamespace(lab, 'red', { host: h1 })`); objects in a host's own root namespace
 * (bridges, host veth ends, routes, sysctls) too. A VethLink whose ends are on different hosts
 * becomes a VXLAN tunnel between them. Each host's part of the lab is deployed over SSH by its
 * own configuration of the Terraform provider (see nslab/cdktf, LabStack). Without any Host,
 * everything is on the local machine.
 *
 * ```ts
 * const h1 = new Host(lab, 'h1', { ssh: 'root@198.51.100.1' });
 * ```
 */
export class Host extends Construct implements IHostSource {
  static isHost(x: unknown): x is Host {
    return hasBrand(x, HOST_BRAND);
  }

  private readonly props: HostProps;

  constructor(scope: Construct, id: string, props: HostProps) {
    super(scope, id);
    this.props = props ?? ({} as HostProps);
    this.node.addValidation({ validate: () => defined(hostIdProblem(this.node.id), sshProblem(this.props)) });
  }

  /** The host's id in the plan: its construct id. */
  get hostId(): string {
    return this.node.id;
  }

  /** The address VXLAN tunnels use on this host. */
  get underlay(): string {
    return this.toHostSpec().underlay;
  }

  toHostSpec(): HostSpec {
    const { ssh, underlay, identityFile, stateDir } = this.props;
    const parsed = parseSsh(ssh);
    const address = typeof parsed === 'string' ? '' : parsed.address;
    return { ssh, underlay: underlay ?? address, identityFile, stateDir };
  }
}
brand(Host, HOST_BRAND);
