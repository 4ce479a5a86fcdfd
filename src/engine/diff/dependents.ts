/**
 * What the kernel drops along with what a plan removes, planned again. Pure.
 *
 * - Deleting a link (a bridge, a vxlan, or a veth and with it its peer, wherever that peer now is or is
 *   called) drops the routes whose next hop is on it, by device or through a gateway.
 * - Removing an address drops the routes whose gateway was reachable through its subnet.
 * - Re-creating a bridge detaches its ports.
 * Each such route or port is planned again as an update (`route replace` and `master` are
 * idempotent), so apply leaves the kernel matching the plan and rollback restores it too.
 */
import { HOST, loc, type Location, type Resource } from '../../plan/types.js';
import type { LiveLink } from '../live/parse.js';
import type { LiveState } from '../live/read.js';
import { contains, parseCidr, parseIp } from '../../plan/net.js';
import type { Change } from './change.js';
import { arePeers, linkKey } from './ownership.js';

/** Live links (`loc|name`) that the changes delete: removed bridges, vxlans and veth ends, and the live peers of those ends. */
export function goneLinks(changes: readonly Change[], live: LiveState): Set<string> {
  const gone = new Set<string>();
  const removed = changes.flatMap((c) => (c.prior && (c.action === 'delete' || c.action === 'replace') ? [c.prior] : []));
  for (const p of removed) {
    if ((p.type === 'bridge' || p.type === 'vxlan') && live.locations.get(loc(p.namespace))?.links.has(p.name)) gone.add(linkKey(loc(p.namespace), p.name));
    if (p.type !== 'veth') continue;
    for (const e of [p.a, p.b]) {
      const end = live.locations.get(loc(e.namespace))?.links.get(e.name);
      if (end?.kind !== 'veth') continue;
      gone.add(linkKey(loc(e.namespace), e.name));
      for (const [l, where] of live.locations) {
        for (const link of where.links.values()) if (peerOf(end, link)) gone.add(linkKey(l, link.name));
      }
    }
  }
  return gone;
}

const peerOf = (end: LiveLink, link: LiveLink) => link !== end && arePeers(end, link);

/** Routes the kernel drops because the link their next hop is on goes away. */
export function routesOnGoneLinks(changes: readonly Change[], desired: Record<string, Resource>, live: LiveState, newLocations: ReadonlySet<Location>): Change[] {
  const gone = goneLinks(changes, live);
  if (gone.size === 0) return [];
  const planned = new Set(changes.filter((c) => c.desired).map((c) => c.id));
  const out: Change[] = [];
  for (const [id, r] of Object.entries(desired)) {
    if (r.type !== 'route' || planned.has(id)) continue;
    const l = loc(r.namespace);
    if (l !== HOST && newLocations.has(l)) continue;
    const liveRoute = live.locations.get(l)?.routes.find((x) => x.family === r.family && x.destination === r.destination && x.protocol !== 'kernel');
    if (liveRoute?.device === undefined || !gone.has(linkKey(l, liveRoute.device))) continue;
    out.push({ id, type: 'route', action: 'update', path: r.path, desired: r, fields: [], reason: `re-added: the kernel drops it with "${liveRoute.device}"` });
  }
  return out;
}

/**
 * Removing an address makes the kernel flush routes whose gateway was reachable through its
 * subnet. Such routes are planned again (route replace is idempotent).
 */
export function routesThroughRemoved(changes: readonly Change[], desired: Record<string, Resource>): Change[] {
  const removed = changes.flatMap((c) => (c.prior?.type === 'address' && c.action !== 'update' ? [c.prior] : []));
  if (removed.length === 0) return [];
  const planned = new Set(changes.filter((c) => c.desired).map((c) => c.id));
  const out: Change[] = [];
  for (const [id, r] of Object.entries(desired)) {
    if (r.type !== 'route' || r.via === undefined || planned.has(id)) continue;
    const gw = parseIp(r.via)!;
    const hit = removed.find((a) => loc(a.namespace) === loc(r.namespace) && contains(parseCidr(a.address)!, gw));
    if (hit) out.push({ id, type: 'route', action: 'update', path: r.path, desired: r, fields: [], reason: `re-added: the kernel drops it when ${hit.address} is removed` });
  }
  return out;
}

/** Veths kept as they are whose ends are ports of a bridge that is re-created: attached again. */
export function portsOfRecreatedBridges(changes: readonly Change[], desired: Record<string, Resource>, recreated: ReadonlySet<string>): Change[] {
  const planned = new Set(changes.filter((c) => c.desired).map((c) => c.id));
  const out: Change[] = [];
  for (const [id, r] of Object.entries(desired)) {
    if (r.type !== 'veth' || planned.has(id)) continue;
    const hit = [r.a, r.b].find((e) => e.master !== undefined && recreated.has(linkKey(loc(e.namespace), e.master)));
    if (hit) out.push({ id, type: 'veth', action: 'update', path: r.path, desired: r, fields: [], reason: `re-added as a port of "${hit.master}": the bridge is re-created` });
  }
  return out;
}
