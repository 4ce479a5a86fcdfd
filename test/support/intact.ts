/**
 * Checks on the real kernel that a lab's own objects are there as declared, read with `ip -j`
 * independently of nslab's reader: links with the lab's marker, veth ends that are peers,
 * addresses on their devices, routes with nslab's protocol; and that a namespace holds no link
 * beyond those declared.
 */
import { ROUTE_PROTO, ownerMarker, type PlanDocument, type Resource } from '../../src/plan/types.js';
import { ownerKey } from '../../src/engine/state/state.js';
import { ip } from './kernel.js';

type J = Record<string, unknown>;
const at = (ns: string | undefined) => (ns === undefined ? [] : ['-n', ns]);
const links = (ns: string | undefined): J[] => JSON.parse(ip(...at(ns), '-d', '-j', 'addr', 'show')) as J[];
const link = (ns: string | undefined, name: string) => links(ns).find((l) => l.ifname === name);
const locals = (l: J | undefined) => ((l?.addr_info as J[] | undefined) ?? []).map((a) => `${String(a.local)}/${String(a.prefixlen)}`);

function problemsOf(key: string, r: Resource): string[] {
  const marker = ownerMarker(key);
  const out: string[] = [];
  const markedLink = (ns: string | undefined, name: string) => {
    const l = link(ns, name);
    if (!l) out.push(`${r.path}: no link ${name} in ${ns ?? 'host'}`);
    else if (l.ifalias !== marker) out.push(`${r.path}: link ${name} in ${ns ?? 'host'} lacks the marker`);
    return l;
  };
  switch (r.type) {
    case 'namespace':
      if (link(r.name, 'lo')?.ifalias !== marker) out.push(`${r.path}: lo of ${r.name} lacks the marker`);
      break;
    case 'bridge':
      markedLink(r.namespace, r.name);
      break;
    case 'veth': {
      const a = markedLink(r.a.namespace, r.a.name);
      const b = markedLink(r.b.namespace, r.b.name);
      if (a && b && (a.link_index ?? b.ifindex) !== b.ifindex) out.push(`${r.path}: ends are not peers`);
      for (const [e, l] of [[r.a, a], [r.b, b]] as const) {
        if (l && e.master !== undefined && l.master !== e.master) out.push(`${r.path}: ${e.name} is not a port of ${e.master}`);
      }
      break;
    }
    case 'address':
      if (!locals(link(r.namespace, r.device)).includes(r.address)) out.push(`${r.path}: ${r.address} not on ${r.device}`);
      break;
    case 'route': {
      const dest = r.destination === 'default' ? 'default' : r.destination;
      const fam = r.family === 6 ? '-6' : '-4';
      const rs = JSON.parse(ip(fam, ...at(r.namespace), '-j', 'route', 'show', dest)) as J[];
      const hit = rs.find((x) => String(x.protocol) === String(ROUTE_PROTO)
        && (r.via === undefined || x.gateway === r.via) && (r.device === undefined || x.dev === r.device));
      if (!hit) out.push(`${r.path}: no route ${r.destination} (${JSON.stringify(rs)})`);
      break;
    }
  }
  return out;
}

/** Everything the plan declares, as found in the kernel: an empty list when all is intact. */
export function intactProblems(plan: PlanDocument, stateDir: string): string[] {
  return Object.values(plan.resources).flatMap((r) => problemsOf(ownerKey(stateDir, `${plan.prefix}${plan.lab}`), r));
}

/** Names of the links in a namespace, sorted. */
export function linkNames(ns: string): string[] {
  return links(ns).map((l) => String(l.ifname)).sort();
}

/** Whether an address (CIDR) is on a link in a location. */
export function hasAddress(ns: string | undefined, device: string, cidr: string): boolean {
  return locals(link(ns, device)).includes(cidr);
}
