/**
 * The pure diff: (desired, live, prior) -> changes. No I/O.
 *
 * - desired: the plan's resources.
 * - live: what the kernel has (from the reader).
 * - prior: what the lab's state file says it owns (last applied, plus anything an interrupted
 *   apply may have created).
 *
 * Ownership decides what may be touched (see ownership.ts): a link is the lab's when its ifalias
 * carries the lab's marker (or, without any marker, when the state file claims it); a namespace
 * when its `lo` carries the marker (or it is what an interrupted apply of the lab left, and holds
 * nothing else); a host route when it has nslab's route protocol and the state file claims it.
 * Anything else with a clashing name is a conflict, whatever else the plan creates.
 */
import {
  HOST,
  ROUTE_PROTO,
  TYPE_ORDER,
  identity,
  loc,
  markerOwner,
  ownerText,
  ownerMarker,
  type AddressResource,
  type BridgeResource,
  type Location,
  type NamespaceResource,
  type Resource,
  type ResourceType,
  type RouteResource,
  type SysctlResource,
  type VethEnd,
  type VethResource,
  type VxlanResource,
} from '../../plan/types.js';
import type { LiveLink, LiveRoute } from '../live/parse.js';
import { fieldDiff } from './fields.js';
import type { LiveState } from '../live/read.js';
import { LOOPBACK_ADDRESSES, Ownership, isLinkLocal, linkKey, type PriorResource } from './ownership.js';
import { portsOfRecreatedBridges, routesOnGoneLinks, routesThroughRemoved } from './dependents.js';
import { isNetfilter, type NetfilterResource } from '../../plan/netfilter.js';
import { netfilterChange } from './nft.js';
import { impairFields } from './impair.js';
import { sysctlChange, sysctlRestore } from './sysctl.js';

export type { PriorResource } from './ownership.js';
export type { Action, Change, Conflict, DiffResult, FieldChange } from './change.js';
import type { Action, Change, Conflict, DiffResult, FieldChange } from './change.js';

export interface DiffInput {
  /** The lab key (prefix + name): markers name it. */
  readonly key: string;
  readonly desired: Record<string, Resource>;
  readonly live: LiveState;
  readonly prior: readonly PriorResource[];
  /**
   * Whether undeclared addresses and routes found on what the lab owns are drift to delete.
   * True for whole labs; false when `desired` is only part of what owns those objects (one
   * Terraform resource at a time).
   * @default true
   */
  readonly pruneUndeclared?: boolean;
  /**
   * Take over unmarked namespaces and links that the lab declares (`nslab apply --adopt`): they
   * count as the lab's, so the diff shows what adopting them changes (see engine adoptProblems).
   * @default false
   */
  readonly adopt?: boolean;
  /** Host sysctl key -> the other lab of the store whose state declares it (a conflict). */
  readonly hostSysctlOwners?: ReadonlyMap<string, string>;
  /** Host sysctl key -> the value found before nslab first set it: put back when no longer declared. */
  readonly hostSysctlsFound?: Readonly<Record<string, string>>;
}

export function diff(input: DiffInput): DiffResult {
  return new Differ(input).run();
}

class Differ {
  private readonly marker: string;
  private readonly changes: Change[] = [];
  private readonly conflicts: Conflict[] = [];
  private readonly leftAlone: Conflict[] = [];
  private readonly own: Ownership;
  private readonly priorIdentities: Set<string>;
  /** Namespaces that will be created: everything inside them is created too. */
  private readonly newLocations = new Set<Location>();
  /** Devices (`loc|name`) created or re-created by this plan: their addresses and routes go with them. */
  private readonly newDevices = new Set<string>();
  /** Of those, devices that replace a live one (the kernel drops what was on it). */
  private readonly recreated = new Set<string>();
  /** Live links (`loc|name`) of objects the lab no longer declares, deleted before anything is created. */
  private readonly retiring = new Set<string>();
  /** Links (`loc|name`) that the lab owns in the kernel and keeps. */
  private readonly keptLinks = new Map<string, { path: string; link: LiveLink }>();

  constructor(private readonly input: DiffInput) {
    this.marker = ownerMarker(input.key);
    this.own = new Ownership(input.key, input.live, input.prior, Object.values(input.desired), input.adopt ?? false);
    this.priorIdentities = this.own.identities();
    const desiredIdentities = new Set(Object.values(input.desired).map(identity));
    for (const { resource: p } of input.prior) {
      if (desiredIdentities.has(identity(p))) continue;
      if (p.type === 'veth') for (const k of this.own.priorVethEnds(p)) this.retiring.add(k);
      if ((p.type === 'bridge' || p.type === 'vxlan') && this.priorIsLive(p)) this.retiring.add(linkKey(loc(p.namespace), p.name));
    }
  }

  run(): DiffResult {
    const desired = Object.entries(this.input.desired);
    const byType = (t: ResourceType) => desired.filter(([, r]) => r.type === t);
    for (const [id, r] of byType('namespace')) this.namespace(id, r as NamespaceResource);
    for (const [id, r] of byType('bridge')) this.bridge(id, r as BridgeResource);
    for (const [id, r] of byType('veth')) this.veth(id, r as VethResource);
    for (const [id, r] of byType('vxlan')) this.vxlan(id, r as VxlanResource);
    for (const [id, r] of byType('address')) this.address(id, r as AddressResource);
    for (const [id, r] of byType('route')) this.route(id, r as RouteResource);
    for (const [id, r] of desired) if (isNetfilter(r)) this.netfilter(id, r);
    for (const [id, r] of byType('sysctl')) this.sysctl(id, r as SysctlResource);
    this.retired();
    if (this.input.pruneUndeclared !== false) this.drift();
    this.dependents();
    const sorted = [...this.changes].sort((x, y) => {
      const dx = x.action === 'delete' ? 0 : 1;
      const dy = y.action === 'delete' ? 0 : 1;
      if (dx !== dy) return dx - dy;
      const rx = dx === 0 ? -TYPE_ORDER.indexOf(x.type) : TYPE_ORDER.indexOf(x.type);
      const ry = dy === 0 ? -TYPE_ORDER.indexOf(y.type) : TYPE_ORDER.indexOf(y.type);
      return rx - ry || x.path.localeCompare(y.path) || x.id.localeCompare(y.id);
    });
    return { changes: sorted, conflicts: this.conflicts, ...(this.leftAlone.length ? { leftAlone: this.leftAlone } : {}) };
  }

  // ---- helpers -------------------------------------------------------------------------------

  private link(l: Location, name: string): LiveLink | undefined {
    return this.input.live.locations.get(l)?.links.get(name);
  }

  private locationExists(l: Location): boolean {
    return l === HOST || (this.input.live.namespaces.has(l) && !this.newLocations.has(l));
  }

  private linkConflict(l: Location, link: LiveLink): string | undefined {
    return this.own.linkConflict(l, link);
  }

  /**
   * A change for an address or route on a device this plan creates: an update that adds it again
   * when the lab owned it and the device replaces a live one, otherwise a create.
   */
  private onNewDevice(id: string, r: AddressResource | RouteResource, device: string): Change {
    const k = linkKey(loc(r.namespace), device);
    if (this.recreated.has(k) && this.priorIdentities.has(identity(r))) {
      return { id, type: r.type, action: 'update', path: r.path, desired: r, fields: [], reason: `re-added: its device "${device}" is re-created` };
    }
    return { id, type: r.type, action: 'create', path: r.path, desired: r, fields: [], reason: 'its device is created' };
  }

  private add(c: Change): void {
    this.changes.push(c);
  }

  private reasonForMissing(r: Resource): string {
    return this.priorIdentities.has(identity(r)) ? 'missing from the kernel (removed out of band)' : 'declared in the lab, not in the kernel';
  }

  // ---- desired resources ---------------------------------------------------------------------

  private namespace(id: string, r: NamespaceResource): void {
    const lo = this.link(r.name, 'lo');
    if (this.input.live.broken?.has(r.name)) {
      if (!this.priorIdentities.has(identity(r))) {
        this.conflicts.push({ path: r.path, message: `namespace "${r.name}" exists under /run/netns but cannot be entered, and the lab does not own it; nslab leaves it alone` });
        return;
      }
      this.newLocations.add(r.name);
      this.add({ id, type: 'namespace', action: 'replace', path: r.path, desired: r, prior: r, fields: [], reason: 'its /run/netns file is not a namespace (an interrupted create)' });
      return;
    }
    if (!this.input.live.namespaces.has(r.name)) {
      this.newLocations.add(r.name);
      this.add({ id, type: 'namespace', action: 'create', path: r.path, desired: r, fields: [], reason: this.reasonForMissing(r) });
      return;
    }
    if (!this.own.namespaceOwned(r.name)) {
      const owner = markerOwner(lo?.alias);
      const whose = owner === undefined ? 'not managed by nslab' : `owned by nslab ${ownerText(owner)}`;
      this.conflicts.push({ path: r.path, message: `namespace "${r.name}" already exists and is ${whose}; nslab leaves it alone` });
      return;
    }
    const fields: FieldChange[] = [];
    if (lo && lo.up !== r.loopbackUp) fields.push({ field: 'loopbackUp', from: lo.up, to: r.loopbackUp });
    if (lo && lo.alias !== this.marker) fields.push({ field: 'marker', from: lo.alias ?? null, to: this.marker });
    const liveSysctls = this.input.live.locations.get(r.name)?.sysctls ?? {};
    for (const [k, v] of Object.entries(r.sysctls)) {
      if (liveSysctls[k] !== v) fields.push({ field: `sysctls.${k}`, from: liveSysctls[k] ?? null, to: v });
    }
    if (lo) this.keptLinks.set(`${r.name}|lo`, { path: r.path, link: lo });
    if (fields.length) this.add({ id, type: 'namespace', action: 'update', path: r.path, desired: r, fields, reason: 'differs from the kernel' });
  }

  /** Field differences of one live link against what is declared for it. */
  private linkFields(prefix: string, live: LiveLink, want: { mtu?: number; mac?: string; up: boolean; master?: string; bridgePort?: boolean }): FieldChange[] {
    const f: FieldChange[] = [];
    if (want.mtu !== undefined && live.mtu !== want.mtu) f.push({ field: `${prefix}mtu`, from: live.mtu, to: want.mtu });
    if (want.mac !== undefined && live.mac !== want.mac) f.push({ field: `${prefix}mac`, from: live.mac ?? null, to: want.mac });
    if (live.up !== want.up) f.push({ field: `${prefix}up`, from: live.up, to: want.up });
    if (want.bridgePort && live.master !== want.master) f.push({ field: `${prefix}master`, from: live.master ?? null, to: want.master ?? null });
    if (live.alias !== this.marker) f.push({ field: `${prefix}marker`, from: live.alias ?? null, to: this.marker });
    return f;
  }

  private bridge(id: string, r: BridgeResource): void {
    const l = loc(r.namespace);
    const k = linkKey(l, r.name);
    const retiring = this.retiring.has(k);
    const live = this.locationExists(l) && !retiring ? this.link(l, r.name) : undefined;
    const created = (action: Action, reason: string, fields: FieldChange[] = []) => {
      this.newDevices.add(k);
      if (action === 'replace' || retiring) this.recreated.add(k);
      this.add({ id, type: 'bridge', action, path: r.path, desired: r, prior: action === 'replace' ? r : undefined, fields, reason });
    };
    if (!live) return created('create', this.reasonForMissing(r));
    const conflict = this.linkConflict(l, live);
    if (conflict) return void this.conflicts.push({ path: r.path, message: conflict });
    if (live.kind !== 'bridge') return created('replace', `"${r.name}" is a ${live.kind ?? 'device'} in the kernel, not a bridge`, [{ field: 'kind', from: live.kind ?? null, to: 'bridge' }]);
    this.keptLinks.set(`${l}|${r.name}`, { path: r.path, link: live });
    const fields = [...this.linkFields('', live, r), ...impairFields('', r.impair, this.input.live, l, r.name, this.priorImpair(id, (p) => p.type === 'bridge' ? p.impair : undefined))];
    if (fields.length) this.add({ id, type: 'bridge', action: 'update', path: r.path, desired: r, fields, reason: 'differs from the kernel' });
  }

  private veth(id: string, r: VethResource): void {
    // An end whose live link belongs to a veth or bridge the lab no longer declares is deleted
    // with that object first: for this veth it is absent.
    const ends = [r.a, r.b].map((e) => {
      const l = loc(e.namespace);
      const retiring = this.retiring.has(linkKey(l, e.name));
      return { end: e, l, retiring, live: this.locationExists(l) && !retiring ? this.link(l, e.name) : undefined };
    });
    const created = (action: Action, reason: string) => {
      const again = action === 'replace' || ends.some((e) => e.retiring);
      for (const e of ends) {
        this.newDevices.add(linkKey(e.l, e.end.name));
        if (again) this.recreated.add(linkKey(e.l, e.end.name));
      }
      this.add({ id, type: 'veth', action, path: r.path, desired: r, prior: action === 'replace' ? r : undefined, fields: [], reason });
    };
    if (!ends[0]!.live && !ends[1]!.live) return created('create', this.reasonForMissing(r));
    let conflicted = false;
    for (const e of ends) {
      const msg = e.live && this.linkConflict(e.l, e.live);
      if (msg) {
        this.conflicts.push({ path: r.path, message: msg });
        conflicted = true;
      }
    }
    if (conflicted) return;
    const [a, b] = [ends[0]!.live, ends[1]!.live];
    if (!a || !b) return created('replace', `end "${(a ? r.b : r.a).name}" is missing from the kernel`);
    if (a.kind !== 'veth' || b.kind !== 'veth') return created('replace', 'an end is not a veth in the kernel');
    if (a.peerIfindex !== b.ifindex || b.peerIfindex !== a.ifindex) return created('replace', `"${r.a.name}" and "${r.b.name}" are not peers of one veth in the kernel`);
    const fields: FieldChange[] = [];
    for (const [which, e, live] of [['a', r.a, a], ['b', r.b, b]] as Array<[string, VethEnd, LiveLink]>) {
      this.keptLinks.set(`${loc(e.namespace)}|${e.name}`, { path: r.path, link: live });
      fields.push(...this.linkFields(`${which}.`, live, { mtu: r.mtu, mac: e.mac, up: r.up, master: e.master, bridgePort: true }));
      const had = this.priorImpair(id, (p) => (p.type === 'veth' && p[which as 'a'].name === e.name && p[which as 'a'].namespace === e.namespace ? p[which as 'a'].impair : undefined));
      fields.push(...impairFields(`${which}.`, e.impair, this.input.live, loc(e.namespace), e.name, had));
    }
    if (fields.length) this.add({ id, type: 'veth', action: 'update', path: r.path, desired: r, fields, reason: 'differs from the kernel' });
  }

  /**
   * A vxlan device: the live link of its name in its namespace. Its tunnel (VNI, addresses, port)
   * cannot change in place: a difference there is a replacement; MTU, up and marker are updates.
   */
  private vxlan(id: string, r: VxlanResource): void {
    const l = loc(r.namespace);
    const k = linkKey(l, r.name);
    const retiring = this.retiring.has(k);
    const live = this.locationExists(l) && !retiring ? this.link(l, r.name) : undefined;
    const created = (action: Action, reason: string, fields: FieldChange[] = [], prior: VxlanResource = r) => {
      this.newDevices.add(k);
      if (action === 'replace' || retiring) this.recreated.add(k);
      this.add({ id, type: 'vxlan', action, path: r.path, desired: r, prior: action === 'replace' ? prior : undefined, fields, reason });
    };
    if (!live) return created('create', this.reasonForMissing(r));
    const conflict = this.linkConflict(l, live);
    if (conflict) return void this.conflicts.push({ path: r.path, message: conflict });
    if (live.kind !== 'vxlan') return created('replace', `"${r.name}" is a ${live.kind ?? 'device'} in the kernel, not a vxlan`, [{ field: 'kind', from: live.kind ?? null, to: 'vxlan' }]);
    const tunnel = vxlanTunnelFields(live, r);
    if (tunnel.length) {
      // The old half is the device as the kernel has it (what a rollback makes again).
      const was = { ...r, ...Object.fromEntries(tunnel.map((f) => [f.field, f.from ?? undefined])), mtu: r.mtu === undefined ? undefined : live.mtu, up: live.up } as VxlanResource;
      return created('replace', 'its tunnel differs from the kernel; cannot change in place', tunnel, was);
    }
    this.keptLinks.set(k, { path: r.path, link: live });
    const fields = this.linkFields('', live, { mtu: r.mtu, up: r.up });
    if (fields.length) this.add({ id, type: 'vxlan', action: 'update', path: r.path, desired: r, fields, reason: 'differs from the kernel' });
  }

  private address(id: string, r: AddressResource): void {
    const l = loc(r.namespace);
    if (this.newLocations.has(l)) {
      this.add({ id, type: 'address', action: 'create', path: r.path, desired: r, fields: [], reason: 'its namespace is created' });
      return;
    }
    if (this.newDevices.has(linkKey(l, r.device))) return this.add(this.onNewDevice(id, r, r.device));
    const live = this.link(l, r.device);
    if (live?.addresses.some((a) => a.address === r.address)) return;
    this.add({ id, type: 'address', action: 'create', path: r.path, desired: r, fields: [], reason: this.reasonForMissing(r) });
  }

  private liveRoute(l: Location, family: number, destination: string): LiveRoute | undefined {
    return this.input.live.locations.get(l)?.routes.find((x) => x.family === family && x.destination === destination && x.protocol !== 'kernel');
  }

  private route(id: string, r: RouteResource): void {
    const l = loc(r.namespace);
    const live = this.newLocations.has(l) ? undefined : this.liveRoute(l, r.family, r.destination);
    // In the host, a route the lab did not make is foreign, whatever the plan creates around it.
    if (live && l === HOST && !(live.protocol === String(ROUTE_PROTO) && this.priorIdentities.has(identity(r)))) {
      this.conflicts.push({ path: r.path, message: `route to ${r.destination} already exists in the host and is not owned by lab "${this.input.key.replace(/@[0-9a-f]{8}$/u, '')}"; nslab leaves it alone` });
      return;
    }
    if (r.device !== undefined && this.newDevices.has(linkKey(l, r.device))) return this.add(this.onNewDevice(id, r, r.device));
    if (!live) {
      this.add({ id, type: 'route', action: 'create', path: r.path, desired: r, fields: [], reason: this.reasonForMissing(r) });
      return;
    }
    const fields: FieldChange[] = [];
    if ((live.via ?? null) !== (r.via ?? null)) fields.push({ field: 'via', from: live.via ?? null, to: r.via ?? null });
    if (r.device !== undefined && live.device !== r.device) fields.push({ field: 'device', from: live.device ?? null, to: r.device });
    if (r.metric !== undefined && live.metric !== r.metric) fields.push({ field: 'metric', from: live.metric ?? null, to: r.metric });
    if (live.protocol !== String(ROUTE_PROTO)) fields.push({ field: 'protocol', from: live.protocol, to: String(ROUTE_PROTO) });
    if (fields.length) this.add({ id, type: 'route', action: 'update', path: r.path, desired: r, fields, reason: 'differs from the kernel' });
  }

  /** Whether the state's record of resource `id` declared an impairment (picked by `get`). */
  private priorImpair(id: string, get: (p: Resource) => unknown): boolean {
    return (this.priorById().get(id) ?? []).some((r) => get(r) !== undefined);
  }

  private priorIndex: Map<string, Resource[]> | undefined;

  /** The state's records by resource id (built once: labs have thousands of them). */
  private priorById(): Map<string, Resource[]> {
    if (!this.priorIndex) {
      this.priorIndex = new Map();
      for (const p of this.input.prior) {
        const list = this.priorIndex.get(p.id);
        if (list) list.push(p.resource);
        else this.priorIndex.set(p.id, [p.resource]);
      }
    }
    return this.priorIndex;
  }

  private netfilter(id: string, r: NetfilterResource): void {
    const c = netfilterChange(id, r, this.input.key, this.input.live, this.newLocations.has(loc(r.namespace)), this.reasonForMissing(r));
    if (c) this.add(c);
  }

  private sysctl(id: string, r: SysctlResource): void {
    const { change, conflict } = sysctlChange(id, r, {
      live: this.input.live, owners: this.input.hostSysctlOwners, known: this.priorIdentities.has(identity(r)),
      // One resource at a time (Terraform), another resource may make the device first.
      deviceCreated: (name) => this.newDevices.has(linkKey(HOST, name)) || (this.input.pruneUndeclared === false && !this.link(HOST, name)),
    });
    if (conflict) this.conflicts.push(conflict);
    if (change) this.add(change);
  }

  // ---- what the lab owned and no longer declares -----------------------------------------------

  private retired(): void {
    const desiredIdentities = new Set(Object.values(this.input.desired).map(identity));
    const created = new Map<string, number>();
    this.changes.forEach((c, i) => c.action === 'create' && created.set(c.id, i));
    const seen = new Set<string>();
    for (const { id, resource: p } of this.input.prior) {
      const ident = identity(p);
      if (desiredIdentities.has(ident) || seen.has(ident)) continue;
      seen.add(ident);
      if (p.type === 'sysctl') {
        const back = sysctlRestore(id, p, this.input.hostSysctlsFound?.[p.key], this.input.live, (name) => this.retiring.has(linkKey(HOST, name)));
        if (back) this.add(back);
        continue;
      }
      if (!this.priorIsLive(p)) {
        const why = this.own.notOwnedAnyMore(p);
        if (why && !this.leftAlone.some((x) => x.message === why)) this.leftAlone.push({ path: p.path, message: why });
        continue;
      }
      // Same id with a new identity: show the pair as one replacement.
      const idx = created.get(id);
      if (idx !== undefined) {
        created.delete(id);
        const c = this.changes[idx]!;
        this.changes[idx] = { ...c, action: 'replace', prior: p, fields: fieldDiff(p, c.desired!), reason: 'changed in the lab; cannot change in place', ...this.liveEndsOf(p) };
      } else {
        this.add({ id, type: p.type, action: 'delete', path: p.path, prior: p, fields: [], reason: 'no longer declared in the lab', ...this.liveEndsOf(p) });
      }
    }
  }

  private liveEndsOf(p: Resource): { liveEnds?: Array<'a' | 'b'> } {
    if (p.type !== 'veth') return {};
    const keys = new Set(this.own.priorVethEnds(p));
    return { liveEnds: (['a', 'b'] as const).filter((w) => keys.has(linkKey(loc(p[w].namespace), p[w].name))) };
  }

  /** Whether a formerly owned object is still in the kernel and still the lab's. */
  private priorIsLive(p: Resource): boolean {
    return this.own.priorIsLive(p, (l, f, d) => this.liveRoute(l, f, d), String(ROUTE_PROTO));
  }

  /** What the kernel drops with what this plan removes, planned again (see dependents.ts). */
  private dependents(): void {
    const { desired, live } = this.input;
    for (const c of routesOnGoneLinks(this.changes, desired, live, this.newLocations)) this.add(c);
    for (const c of routesThroughRemoved(this.changes, desired)) this.add(c);
    for (const c of portsOfRecreatedBridges(this.changes, desired, this.recreated)) this.add(c);
  }

  // ---- undeclared objects on what the lab owns -------------------------------------------------

  private drift(): void {
    const claimed = new Set<string>([
      ...Object.values(this.input.desired).map(identity),
      ...this.changes.filter((c) => c.prior).map((c) => identity(c.prior!)),
    ]);
    for (const [key, { path, link }] of this.keptLinks) {
      const l = key.slice(0, key.lastIndexOf('|'));
      for (const a of link.addresses) {
        if (isLinkLocal(a.address) || (link.name === 'lo' && LOOPBACK_ADDRESSES.has(a.address))) continue;
        const r: AddressResource = { type: 'address', path, namespace: l === HOST ? undefined : l, device: link.name, address: a.address };
        if (claimed.has(identity(r))) continue;
        this.add({ id: `drift:${identity(r)}`, type: 'address', action: 'delete', path, prior: r, fields: [], reason: 'not declared in the lab (added out of band)' });
      }
    }
    const nsPaths = new Map<string, string>();
    for (const r of Object.values(this.input.desired)) if (r.type === 'namespace') nsPaths.set(r.name, r.path);
    for (const [name, path] of nsPaths) {
      if (this.newLocations.has(name)) continue;
      if (this.conflicts.some((c) => c.path === path)) continue;
      for (const rt of this.input.live.locations.get(name)?.routes ?? []) {
        if (rt.protocol === 'kernel') continue;
        const r: RouteResource = { type: 'route', path, namespace: name, family: rt.family, destination: rt.destination, via: rt.via, device: rt.device };
        if (claimed.has(identity(r))) continue;
        this.add({ id: `drift:${identity(r)}`, type: 'route', action: 'delete', path, prior: r, fields: [], reason: 'not declared in the lab (added out of band)' });
      }
    }
  }
}

/** The tunnel fields (vni, local, remote, port) of a live vxlan that differ from `r`'s. */
function vxlanTunnelFields(live: LiveLink, r: VxlanResource): FieldChange[] {
  const have = live.vxlan ?? {};
  const out: FieldChange[] = [];
  for (const k of ['vni', 'local', 'remote', 'port'] as const) {
    if (have[k] !== r[k]) out.push({ field: k, from: have[k] ?? null, to: r[k] });
  }
  return out;
}
