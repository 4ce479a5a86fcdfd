/**
 * A model of what the kernel looks like after a plan was applied: the live state a reader would
 * return. Used by unit tests of the diff (no kernel needed).
 */
import { HOST, ROUTE_PROTO, loc, ownerMarker, type Location, type PlanDocument } from '../../src/plan/types.js';
import type { LiveLink, LiveLocation } from '../../src/engine/live/parse.js';
import type { LiveState } from '../../src/engine/live/read.js';

type MutableLink = { -readonly [K in keyof LiveLink]: LiveLink[K] };

export function simulate(plan: PlanDocument, key = `${plan.prefix}${plan.lab}`): LiveState {
  const marker = ownerMarker(key);
  const locations = new Map<Location, LiveLocation>();
  const namespaces = new Set<string>();
  let ifindex = 100;
  const at = (l: Location) => locations.get(l) ?? locations.set(l, { links: new Map(), routes: [], sysctls: {} }).get(l)!;
  const link = (l: Location, name: string, extra: Partial<MutableLink>): MutableLink => {
    const x: MutableLink = { ifindex: ifindex++, name, mtu: 1500, up: true, alias: marker, addresses: [], ...extra };
    at(l).links.set(name, x);
    return x;
  };
  at(HOST);
  for (const r of Object.values(plan.resources)) {
    if (r.type !== 'namespace') continue;
    namespaces.add(r.name);
    const lo = link(r.name, 'lo', { up: r.loopbackUp, mtu: 65536 });
    lo.addresses.push({ address: '127.0.0.1/8', family: 4, scope: 'host' }, { address: '::1/128', family: 6, scope: 'host' });
    Object.assign(at(r.name).sysctls, r.sysctls);
  }
  for (const r of Object.values(plan.resources)) {
    if (r.type === 'bridge') link(loc(r.namespace), r.name, { kind: 'bridge', mtu: r.mtu ?? 1500, mac: r.mac ?? '02:00:00:00:00:01', up: r.up });
    if (r.type === 'veth') {
      const a = link(loc(r.a.namespace), r.a.name, { kind: 'veth', mtu: r.mtu ?? 1500, up: r.up, master: r.a.master, mac: r.a.mac ?? '02:00:00:00:00:02' });
      const b = link(loc(r.b.namespace), r.b.name, { kind: 'veth', mtu: r.mtu ?? 1500, up: r.up, master: r.b.master, mac: r.b.mac ?? '02:00:00:00:00:03' });
      a.peerIfindex = b.ifindex;
      b.peerIfindex = a.ifindex;
      a.addresses.push({ address: 'fe80::1/64', family: 6, scope: 'link' });
    }
  }
  for (const r of Object.values(plan.resources)) {
    if (r.type === 'sysctl') at(HOST).sysctls[r.key] = r.value;
    if (r.type === 'address') at(loc(r.namespace)).links.get(r.device)!.addresses.push({ address: r.address, family: r.address.includes(':') ? 6 : 4, scope: 'global' });
    if (r.type === 'route') {
      at(loc(r.namespace)).routes.push({ family: r.family, destination: r.destination, via: r.via, device: r.device ?? 'x', protocol: String(ROUTE_PROTO), metric: r.metric });
    }
  }
  return { namespaces, locations };
}
