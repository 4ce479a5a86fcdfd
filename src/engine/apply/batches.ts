/**
 * Changes -> `ip -batch` scripts. Pure: it only builds text; apply.ts runs it.
 *
 * Stages, each a set of batches that may run in parallel across locations:
 *  0. per location: deletes (routes, addresses, links), skipping what a namespace deletion removes;
 *  1. host: `netns del`, `netns add`, host bridges, every veth created straight into its namespaces,
 *     and every vxlan created here (its UDP socket is the host's) straight into its namespace;
 *  2. per location: namespace-local bridges, link settings (marker, mtu, mac, master, up; a vxlan's
 *     marker too, since `alias` on `link add` is not applied), `lo`,
 *     address adds, route replaces;
 *  3. sysctls, one `sysctl K K=V …` per namespace (and one for the host) that needs any (it prints
 *     each value before and after).
 */
import {
  HOST,
  ROUTE_PROTO,
  loc,
  ownerMarker,
  type AddressResource,
  type Location,
  type NamespaceResource,
  type RouteResource,
  type VethResource,
  type VxlanResource,
} from '../../plan/types.js';
import type { Change } from '../diff/diff.js';
import type { LiveState } from '../live/read.js';

export interface Script {
  readonly location: Location;
  readonly lines: string[];
}

/** A line of the host batch, with the namespaces it creates or puts a link into. */
export interface HostStep {
  readonly line: string;
  readonly namespaces: readonly string[];
}

export interface ApplyScripts {
  readonly deletes: Script[];
  readonly host: string[];
  /** `host`, line by line, with the namespaces each line needs (see apply.ts hostChunks). */
  readonly hostSteps: HostStep[];
  readonly configure: Script[];
  /** Namespace (`''`: the host) -> `key=value` assignments. */
  readonly sysctls: Map<string, string[]>;
}

class Scripts {
  private readonly byLoc = new Map<Location, string[]>();
  at(l: Location): string[] {
    return this.byLoc.get(l) ?? this.byLoc.set(l, []).get(l)!;
  }
  list(): Script[] {
    return [...this.byLoc].filter(([, lines]) => lines.length > 0).map(([location, lines]) => ({ location, lines }));
  }
}

/** `default` is spelled as an explicit zero prefix so the family is never guessed by ip. */
const routeDest = (r: RouteResource) => (r.destination === 'default' ? (r.family === 6 ? '::/0' : '0.0.0.0/0') : r.destination);

function routeArgs(r: RouteResource): string {
  const parts = [routeDest(r)];
  if (r.via) parts.push('via', r.via);
  if (r.device) parts.push('dev', r.device);
  if (r.metric !== undefined) parts.push('metric', String(r.metric));
  return parts.join(' ');
}

export function buildScripts(key: string, changes: readonly Change[], live: LiveState): ApplyScripts {
  const marker = ownerMarker(key);
  const deletes = new Scripts();
  const configure = new Scripts();
  const hostSteps: HostStep[] = [];
  const sysctls = new Map<string, string[]>();

  const removed = (c: Change) => (c.action === 'delete' || c.action === 'replace' ? c.prior : undefined);
  const added = (c: Change) => (c.action !== 'delete' ? c.desired : undefined);

  const goneNamespaces = new Set(changes.filter((c) => c.type === 'namespace' && c.action === 'delete').map((c) => (c.prior as NamespaceResource).name));
  const liveLink = (l: Location, name: string) => live.locations.get(l)?.links.get(name);
  const survives = (l: Location) => l === HOST || !goneNamespaces.has(l);

  // Stage 0: deletes, most dependent first (the diff already orders them routes -> namespaces).
  const goneDevices = new Set<string>();
  for (const c of changes) {
    const p = removed(c);
    if (!p) continue;
    switch (p.type) {
      case 'route':
        if (survives(loc(p.namespace))) {
          deletes.at(loc(p.namespace)).push(`route del ${routeDest(p)}${p.namespace === undefined ? ` proto ${ROUTE_PROTO}` : ''}`);
        }
        break;
      case 'address':
        if (survives(loc(p.namespace)) && !goneDevices.has(`${loc(p.namespace)}|${p.device}`)) {
          deletes.at(loc(p.namespace)).push(`addr del ${p.address} dev ${p.device}`);
        }
        break;
      case 'bridge':
      case 'vxlan':
        if (survives(loc(p.namespace)) && liveLink(loc(p.namespace), p.name)) deletes.at(loc(p.namespace)).push(`link del dev ${p.name}`);
        break;
      case 'veth': {
        // Deleting one end removes its peer; pick an end the lab owns that is live and not going
        // with its namespace.
        const ends = c.liveEnds ? c.liveEnds.map((w) => p[w]) : [p.a, p.b];
        const end = ends.find((e) => survives(loc(e.namespace)) && liveLink(loc(e.namespace), e.name));
        if (end) deletes.at(loc(end.namespace)).push(`link del dev ${end.name}`);
        break;
      }
      case 'namespace':
        hostSteps.push({ line: `netns del ${p.name}`, namespaces: [] });
        break;
    }
  }
  // Addresses of links deleted in the same stage go with them; drop their now-useless dels.
  for (const c of changes) {
    const p = removed(c);
    if (p?.type === 'bridge' || p?.type === 'vxlan') goneDevices.add(`${loc(p.namespace)}|${p.name}`);
    if (p?.type === 'veth') for (const e of [p.a, p.b]) goneDevices.add(`${loc(e.namespace)}|${e.name}`);
  }
  const deleteScripts = deletes.list().map((s) => ({
    location: s.location,
    lines: s.lines.filter((line) => {
      const m = /^addr del \S+ dev (\S+)$/u.exec(line);
      return !m || !goneDevices.has(`${s.location}|${m[1]}`);
    }),
  })).filter((s) => s.lines.length > 0);

  // Stage 1 (host) and stage 2 (per location).
  const setLink = (l: Location, name: string, opts: { mtu?: number; mac?: string; master?: string | null; up: boolean }) => {
    const parts = [`link set dev ${name} alias ${marker}`];
    if (opts.mtu !== undefined) parts.push(`mtu ${opts.mtu}`);
    if (opts.mac !== undefined) parts.push(`address ${opts.mac}`);
    if (opts.master !== undefined) parts.push(opts.master === null ? 'nomaster' : `master ${opts.master}`);
    parts.push(opts.up ? 'up' : 'down');
    configure.at(l).push(parts.join(' '));
  };
  const bridgeAdds = new Scripts();
  const addrs: AddressResource[] = [];
  const routes: RouteResource[] = [];
  for (const c of changes) {
    const d = added(c);
    if (!d) continue;
    const creating = c.action === 'create' || c.action === 'replace';
    switch (d.type) {
      case 'namespace': {
        if (creating) hostSteps.push({ line: `netns add ${d.name}`, namespaces: [d.name] });
        configure.at(d.name).push(`link set dev lo alias ${marker} ${d.loopbackUp ? 'up' : 'down'}`);
        const want = Object.entries(d.sysctls).filter(([k]) => creating || c.fields.some((f) => f.field === `sysctls.${k}`));
        if (want.length) sysctls.set(d.name, want.map(([k, v]) => `${k}=${v}`));
        break;
      }
      case 'bridge':
        if (creating && d.namespace === undefined) hostSteps.push({ line: `link add name ${d.name} type bridge`, namespaces: [] });
        else if (creating) bridgeAdds.at(d.namespace!).push(`link add name ${d.name} type bridge`);
        setLink(loc(d.namespace), d.name, { mtu: d.mtu, mac: d.mac, up: d.up });
        break;
      case 'veth':
        if (creating) hostSteps.push({ line: vethAdd(d), namespaces: [d.a.namespace, d.b.namespace].filter((n): n is string => n !== undefined) });
        for (const e of [d.a, d.b]) setLink(loc(e.namespace), e.name, { mtu: d.mtu, mac: e.mac, master: e.master ?? (creating ? undefined : null), up: d.up });
        break;
      case 'vxlan':
        if (creating) hostSteps.push({ line: vxlanAdd(d), namespaces: [d.namespace] });
        setLink(d.namespace, d.name, { mtu: d.mtu, up: d.up });
        break;
      case 'address':
        addrs.push(d);
        break;
      case 'route':
        routes.push(d);
        break;
      case 'sysctl':
        // Host sysctls, in the same `sysctl K K=V …` process as namespaces' (location '': the host).
        sysctls.set(HOST, [...(sysctls.get(HOST) ?? []), `${d.key}=${d.value}`]);
        break;
    }
  }
  for (const a of addrs) configure.at(loc(a.namespace)).push(`addr add ${a.address} dev ${a.device}${a.address.includes(':') ? ' nodad' : ''}`);
  for (const r of routes) configure.at(loc(r.namespace)).push(`route replace ${routeArgs(r)} proto ${ROUTE_PROTO}`);
  const configureScripts = configure.list().map((s) => ({ location: s.location, lines: [...bridgeAdds.at(s.location), ...s.lines] }));
  return { deletes: deleteScripts, host: hostSteps.map((x) => x.line), hostSteps, configure: configureScripts, sysctls };
}

/** Equivalent to: `ip link add A netns X type veth peer name B netns Y` (host ends omit netns). */
function vethAdd(v: VethResource): string {
  const end = (e: VethResource['a']) => (e.namespace === undefined ? e.name : `${e.name} netns ${e.namespace}`);
  return `link add name ${end(v.a)} type veth peer name ${end(v.b)}`;
}

/**
 * Equivalent to: `ip link add name VX netns NS type vxlan id VNI local L remote R dstport P`, run in
 * the host: the device's UDP socket stays in the host's network, the device lands in NS (its name
 * need not be free in the host). Marker, MTU and up are set inside NS afterwards.
 */
function vxlanAdd(v: VxlanResource): string {
  return `link add name ${v.name} netns ${v.namespace} type vxlan id ${v.vni} local ${v.local} remote ${v.remote} dstport ${v.port}`;
}
