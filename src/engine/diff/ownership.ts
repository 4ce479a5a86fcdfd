/**
 * What in the live kernel is the lab's. Pure: derived from the live state, the lab's key and
 * what its state file claims.
 *
 * - A namespace is the lab's when its `lo` carries the lab's marker. Without any marker it is the
 *   lab's only when an interrupted apply of the lab left it (the state lists it as pending) and
 *   it holds nothing but `lo` and unmarked links the state names, without addresses or routes
 *   (what `netns add` and the veth creation of one host batch leave before the marker is set).
 * - A link is the lab's when it carries the lab's marker, or, without any marker, when the state
 *   claims it and it is not inside a namespace that is foreign.
 * - A veth the state claims is live when its ends are peers, or for each end that is live and
 *   not an end of a declared veth that is intact.
 */
import { HOST, describeLocation, identity, loc, markerOwner, ownerMarker, ownerText, type Location, type Resource, type VethResource } from '../../plan/types.js';
import type { LiveLink } from '../live/parse.js';
import type { LiveState } from '../live/read.js';
import { liveNetfilter } from './nft.js';

export interface PriorResource {
  readonly id: string;
  readonly resource: Resource;
  /** Recorded by an apply that may not have finished (the state's `pending`). */
  readonly pending?: boolean;
}

export const isLinkLocal = (a: string) => /^fe[89ab][0-9a-f]:/u.test(a);
export const LOOPBACK_ADDRESSES = new Set(['127.0.0.1/8', '::1/128']);
export const linkKey = (l: Location, name: string) => `${l}|${name}`;

export const arePeers = (x: LiveLink, y: LiveLink) => x.kind === 'veth' && y.kind === 'veth' && x.peerIfindex === y.ifindex && y.peerIfindex === x.ifindex;

export class Ownership {
  private readonly marker: string;
  private readonly pendingNamespaces = new Set<string>();
  private readonly nsCache = new Map<string, boolean>();
  /** Ends (`loc|name`) of declared veths whose two ends are live peers the lab owns. */
  private readonly intactEnds = new Set<string>();

  /** With adopt: declared namespaces and links (`loc|name`) that may be taken over when unmarked. */
  private readonly adoptable = new Set<string>();

  constructor(private readonly key: string, private readonly live: LiveState, private readonly prior: readonly PriorResource[], desired: Iterable<Resource>, adopt = false) {
    this.marker = ownerMarker(key);
    for (const p of prior) if (p.pending && p.resource.type === 'namespace') this.pendingNamespaces.add(p.resource.name);
    const declared = [...desired];
    if (adopt) {
      for (const r of declared) {
        if (r.type === 'namespace') this.adoptable.add(`namespace ${r.name}`);
        if (r.type === 'bridge' || r.type === 'vxlan') this.adoptable.add(linkKey(loc(r.namespace), r.name));
        if (r.type === 'veth') for (const e of [r.a, r.b]) this.adoptable.add(linkKey(loc(e.namespace), e.name));
      }
    }
    for (const r of declared) {
      if (r.type !== 'veth') continue;
      const [a, b] = [this.ownedVethEnd(loc(r.a.namespace), r.a.name), this.ownedVethEnd(loc(r.b.namespace), r.b.name)];
      if (a && b && arePeers(a, b)) for (const e of [r.a, r.b]) this.intactEnds.add(linkKey(loc(e.namespace), e.name));
    }
  }

  link(l: Location, name: string): LiveLink | undefined {
    return this.live.locations.get(l)?.links.get(name);
  }

  /** Whether a namespace that exists in the kernel is the lab's (see the module comment). */
  namespaceOwned(name: string): boolean {
    const known = this.nsCache.get(name);
    if (known !== undefined) return known;
    const owned = this.computeNamespaceOwned(name);
    this.nsCache.set(name, owned);
    return owned;
  }

  private computeNamespaceOwned(name: string): boolean {
    const where = this.live.locations.get(name);
    const lo = where?.links.get('lo');
    const owner = markerOwner(lo?.alias);
    if (owner !== undefined) return owner === this.key;
    if (lo && lo.alias === undefined && this.adoptable.has(`namespace ${name}`)) return true;
    if (!this.pendingNamespaces.has(name) || !where) return false;
    for (const link of where.links.values()) {
      const own = link.name === 'lo' || ((link.alias === undefined || link.alias === this.marker) && this.priorClaimsLink(name, link.name));
      if (!own) return false;
      if (link.addresses.some((a) => !isLinkLocal(a.address) && !(link.name === 'lo' && LOOPBACK_ADDRESSES.has(a.address)))) return false;
    }
    return where.routes.every((r) => r.protocol === 'kernel');
  }

  priorClaimsLink(l: Location, name: string): boolean {
    return this.prior.some(({ resource: r }) =>
      ((r.type === 'bridge' || r.type === 'vxlan') && loc(r.namespace) === l && r.name === name) ||
      (r.type === 'veth' && [r.a, r.b].some((e) => loc(e.namespace) === l && e.name === name)));
  }

  /** undefined when the lab owns the live link; otherwise the conflict message. */
  linkConflict(l: Location, link: LiveLink): string | undefined {
    const owner = markerOwner(link.alias);
    if (owner === this.key) return undefined;
    const inForeign = l !== HOST && this.live.namespaces.has(l) && !this.namespaceOwned(l);
    if (owner === undefined && link.alias === undefined && !inForeign && (this.priorClaimsLink(l, link.name) || this.adoptable.has(linkKey(l, link.name)))) return undefined;
    const whose = owner === undefined ? 'not managed by nslab' : `owned by nslab ${ownerText(owner)}`;
    return `interface "${link.name}" already exists in ${describeLocation(l)} and is ${whose}; nslab leaves it alone`;
  }

  /** The live link at an end when it is a veth the lab owns. */
  ownedVethEnd(l: Location, name: string): LiveLink | undefined {
    const live = this.link(l, name);
    return live?.kind === 'veth' && this.linkConflict(l, live) === undefined ? live : undefined;
  }

  /** The live links (`loc|name`) that belong to a veth the state claims. */
  priorVethEnds(p: VethResource): string[] {
    const ends = [p.a, p.b].map((e) => ({ key: linkKey(loc(e.namespace), e.name), live: this.ownedVethEnd(loc(e.namespace), e.name) }));
    const [a, b] = ends as [typeof ends[0], typeof ends[0]];
    if (a.live && b.live && arePeers(a.live, b.live)) return [a.key, b.key];
    return ends.filter((e) => e.live && !this.intactEnds.has(e.key)).map((e) => e.key);
  }

  /** Whether a formerly owned object is still in the kernel and still the lab's. */
  priorIsLive(p: Resource, liveRoute: (l: Location, family: number, destination: string) => { protocol: string } | undefined, routeProto: string): boolean {
    switch (p.type) {
      case 'namespace':
        if (this.live.broken?.has(p.name)) return true;
        return this.live.namespaces.has(p.name) && this.namespaceOwned(p.name);
      case 'bridge':
      case 'vxlan': {
        const live = this.link(loc(p.namespace), p.name);
        return live !== undefined && this.linkConflict(loc(p.namespace), live) === undefined;
      }
      case 'veth':
        return this.priorVethEnds(p).length > 0;
      case 'address': {
        const l = loc(p.namespace);
        const live = this.link(l, p.device);
        if (!live?.addresses.some((a) => a.address === p.address)) return false;
        return l === HOST ? this.linkConflict(l, live) === undefined : this.namespaceOwned(l);
      }
      case 'route': {
        const l = loc(p.namespace);
        const live = liveRoute(l, p.family, p.destination);
        if (!live) return false;
        return l === HOST ? live.protocol === routeProto : this.namespaceOwned(l);
      }
      case 'sysctl':
        // A sysctl is never deleted: a key no longer declared is put back (see sysctl.ts).
        return false;
      default:
        return liveNetfilter(this.key, p, this.live).state !== 'absent';
    }
  }

  /** Why a formerly owned namespace or link that is in the kernel is not the lab's any more. */
  notOwnedAnyMore(p: Resource): string | undefined {
    if (p.type === 'namespace' && this.live.namespaces.has(p.name) && !this.namespaceOwned(p.name)) {
      const owner = markerOwner(this.link(p.name, 'lo')?.alias);
      const why = owner === undefined ? 'its lo lacks the lab\'s marker (made outside nslab)' : `its lo carries the marker of ${ownerText(owner)}`;
      return `namespace "${p.name}" is in the lab's state but ${why}; left alone`;
    }
    if (p.type === 'bridge' || p.type === 'vxlan') {
      const live = this.link(loc(p.namespace), p.name);
      if (live && this.linkConflict(loc(p.namespace), live)) return `interface "${p.name}" in ${describeLocation(loc(p.namespace))} is in the lab's state but is not the lab's now; left alone`;
    }
    return undefined;
  }

  identities(): Set<string> {
    return new Set(this.prior.map((p) => identity(p.resource)));
  }
}
