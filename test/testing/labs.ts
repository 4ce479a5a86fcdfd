/** Labs the nslab/testing tests deploy, as builder functions (what a user passes to withLab). */
import { Bridge, IpAddress, NetNamespace, Route, VethLink, type Lab } from '../../constructs/index.js';

/** The seed labs, from the examples: red and blue on one cable; four namespaces on a host bridge. */
export { buildRedBlue as redBlue, buildBridge as bridged } from '../../examples/topologies.js';

/**
 * a -- r -- b -- c, and iso alone. r forwards (IPv4 and IPv6); b does not, so c reaches only b.
 * iso has just an address on its loopback: nobody reaches it and it reaches nobody.
 *
 *   a 10.1.0.1 ---- 10.1.0.254 r 10.2.0.254 ---- 10.2.0.1 b 10.3.0.1 ---- 10.3.0.2 c
 *   (fd01::1)        (fd01::fe)                                                      iso 10.9.9.9/32 on lo
 */
export function routed(lab: Lab, opts: { rForwards?: boolean } = {}): void {
  const fwd = opts.rForwards ?? true;
  const a = new NetNamespace(lab, 'a');
  const r = new NetNamespace(lab, 'r', { sysctls: fwd ? { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' } : {} });
  const b = new NetNamespace(lab, 'b');
  const c = new NetNamespace(lab, 'c');
  const iso = new NetNamespace(lab, 'iso');
  const ar = new VethLink(lab, 'ar', { a: { namespace: a, name: 'eth0' }, b: { namespace: r, name: 'to-a' } });
  const rb = new VethLink(lab, 'rb', { a: { namespace: r, name: 'to-b' }, b: { namespace: b, name: 'eth0' } });
  const bc = new VethLink(lab, 'bc', { a: { namespace: b, name: 'eth1' }, b: { namespace: c, name: 'eth0' } });
  new IpAddress(lab, 'a-ip', { device: ar.a, address: '10.1.0.1/24' });
  new IpAddress(lab, 'a-ip6', { device: ar.a, address: 'fd01::1/64' });
  new IpAddress(lab, 'r-a', { device: ar.b, address: '10.1.0.254/24' });
  new IpAddress(lab, 'r-a6', { device: ar.b, address: 'fd01::fe/64' });
  new IpAddress(lab, 'r-b', { device: rb.a, address: '10.2.0.254/24' });
  new IpAddress(lab, 'b-ip', { device: rb.b, address: '10.2.0.1/24' });
  new IpAddress(lab, 'b-c', { device: bc.a, address: '10.3.0.1/24' });
  new IpAddress(lab, 'c-ip', { device: bc.b, address: '10.3.0.2/24' });
  new IpAddress(lab, 'iso-ip', { device: iso.loopback, address: '10.9.9.9/32' });
  new Route(lab, 'a-default', { namespace: a, destination: 'default', via: '10.1.0.254' });
  new Route(lab, 'a-default6', { namespace: a, destination: '::/0', via: 'fd01::fe' });
  new Route(lab, 'b-default', { namespace: b, destination: 'default', via: '10.2.0.254' });
  new Route(lab, 'c-default', { namespace: c, destination: 'default', via: '10.3.0.1' });
}
