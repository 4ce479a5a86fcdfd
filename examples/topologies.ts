/**
 * The seed labs as topology functions: each declares its constructs in the Lab it is given, so the
 * same function serves a plain nslab App (`nslab apply`) and a cdktf stack (`cdktf deploy`).
 * examples/red-blue.ts and examples/bridge.ts are these functions in a plain nslab App; the tests,
 * the snapshot example and the cdktf example import them too.
 */
import { Bridge, IpAddress, NetNamespace, Route, VethLink, type Lab } from 'nslab';

/** Seed lab 1: two namespaces on a veth cable, 10.10.0.1/24 <-> 10.10.0.2/24 (`mtu`: the cable's). */
export function buildRedBlue(lab: Lab, opts: { readonly mtu?: number } = {}): void {
  const red = new NetNamespace(lab, 'red');    // the namespace's name defaults to its id
  const blue = new NetNamespace(lab, 'blue');
  const cable = new VethLink(lab, 'cable', {
    a: { namespace: red, name: 'veth-red' },
    b: { namespace: blue, name: 'veth-blue' },
    mtu: opts.mtu,
  });
  new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.10.0.1/24' });
  new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.10.0.2/24' });
}

/**
 * Seed lab 2: four namespaces on a host bridge br0 (10.20.0.254/24), each with a veth whose other
 * end is a port of br0, and a default route via br0's address.
 */
export function buildBridge(lab: Lab): void {
  const br0 = new Bridge(lab, 'br0');
  new IpAddress(lab, 'br0-ip', { device: br0, address: '10.20.0.254/24' });
  ['red', 'blue', 'green', 'yellow'].forEach((name, i) => {
    const ns = new NetNamespace(lab, name);
    const link = new VethLink(lab, `${name}-link`, {
      a: { namespace: ns, name: 'eth0' },
      b: { bridge: br0, name: `br0-${name}` },
    });
    new IpAddress(lab, `${name}-ip`, { device: link.a, address: `10.20.0.${i + 1}/24` });
    new Route(lab, `${name}-default`, { namespace: ns, destination: 'default', via: '10.20.0.254' });
  });
}
