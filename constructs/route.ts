import { Construct } from 'constructs';
import { canonicalDestination, parseIp } from '../src/plan/net.js';
import { RESOURCE_BRAND, brand, hasBrand, type IResourceSource, type ResourceBody } from '../src/synth/contract.js';
import { isDevice, type IDevice } from './device.js';
import { NetNamespace } from './net-namespace.js';
import { defined, deviceLabel, hostPropProblem, sameLabProblem, whereIs } from './private/checks.js';
import { Host } from './host.js';

const ROUTE_BRAND = Symbol.for('nslab.Route');

export interface RouteProps {
  /**
   * The namespace whose routing table gets the route.
   * @default - the host namespace (a host default route is not allowed)
   */
  readonly namespace?: NetNamespace;
  /** The destination prefix (`10.20.0.0/24`, `fd00:2::/64`) or `default` (`::/0` for an IPv6 default). */
  readonly destination: string;
  /**
   * The gateway; must lie on a subnet connected in the route's namespace.
   * @default - none: the destination is directly reachable through `device`
   */
  readonly via?: string;
  /**
   * The outgoing device; must live in the route's namespace.
   * @default - none: the kernel picks the device from `via`
   */
  readonly device?: IDevice;
  /**
   * The route's metric (priority).
   * @default - the kernel default
   */
  readonly metric?: number;
  /**
   * The machine a route of a host's root namespace is on (one in a namespace is on the namespace's), in a lab that spans several (see Host).
   * @default - the local machine (in a lab without hosts)
   */
  readonly host?: Host;
}

/**
 * A route in a namespace's (or the host's) main routing table. nslab marks its routes with
 * protocol 213 so it only ever touches its own.
 *
 * Equivalent to: `ip -n <ns> route add <destination> [via <gw>] [dev <device>] [metric M] proto 213`.
 */
export class Route extends Construct implements IResourceSource {
  /** True when `x` is a Route. */
  static isRoute(x: unknown): x is Route {
    return hasBrand(x, ROUTE_BRAND);
  }

  private readonly props: RouteProps;

  constructor(scope: Construct, id: string, props: RouteProps) {
    super(scope, id);
    this.props = props ?? ({} as RouteProps);
    this.node.addValidation({ validate: () => this.problems() });
  }

  /** The namespace of the route; undefined for the host. */
  get namespace(): NetNamespace | undefined {
    return NetNamespace.isNetNamespace(this.props.namespace) ? this.props.namespace : undefined;
  }

  /** The route resource of the plan. The family follows the destination, else the gateway, else IPv4. */
  toResource(): ResourceBody {
    const { destination, via, device, metric } = this.props;
    const family = canonicalDestination(destination)?.family ?? (typeof via === 'string' ? parseIp(via)?.family : undefined) ?? 4;
    return {
      type: 'route', host: Host.isHost(this.props.host) ? this.props.host.hostId : undefined, namespace: this.namespace?.name, family, destination, via,
      device: isDevice(device) ? device.deviceName : undefined, metric,
    };
  }

  private problems(): string[] {
    const { namespace, device } = this.props;
    if (namespace !== undefined && !NetNamespace.isNetNamespace(namespace)) return ['"namespace" must be a NetNamespace'];
    if (device !== undefined && !isDevice(device)) return ['"device" must be a device (a veth end, a namespace\'s loopback or a Bridge)'];
    const problems = defined(
      namespace && sameLabProblem(this, namespace, 'namespace'),
      device && sameLabProblem(this, device.owner, deviceLabel(device)),
      hostPropProblem(this, this.props.host),
    );
    if (device && device.namespace !== namespace) {
      problems.push(`route is in ${whereIs(namespace)} but its ${deviceLabel(device)} "${device.owner.node.path}" is in ${whereIs(device.namespace)}`);
    }
    return problems;
  }
}
brand(Route, ROUTE_BRAND);
brand(Route, RESOURCE_BRAND);
