/**
 * The pure half of vxlan devices: the diff against a modelled kernel, the apply scripts it gives,
 * the rollback target, and how changes, graphs, `nslab show` and `nslab import` describe them.
 */
import { diff, type PriorResource } from '../../../src/engine/diff/diff.js';
import { buildScripts } from '../../../src/engine/apply/batches.js';
import { rollbackTarget } from '../../../src/engine/apply/rollback.js';
import { revertFields } from '../../../src/engine/diff/fields.js';
import { renderChange } from '../../../src/engine/diff/render.js';
import { renderGraph } from '../../../src/engine/graph.js';
import { undeclaredLive } from '../../../src/cli/show.js';
import { render as renderImport } from '../../../src/cli/import.js';
import { loadPlan } from '../../../src/plan/validate.js';
import type { LiveLink } from '../../../src/engine/live/parse.js';
import type { LiveState } from '../../../src/engine/live/read.js';
import type { PlanDocument, VxlanResource } from '../../../src/plan/types.js';

const KEY = 'vx';
const MARK = `nslab:${KEY}`;
const plan = (tun: Partial<VxlanResource> = {}, extra: Record<string, unknown> = {}): PlanDocument => loadPlan({
  version: 1, lab: 'vx', prefix: '',
  resources: {
    red: { type: 'namespace', path: 'vx/red', name: 'red' },
    tun: { type: 'vxlan', path: 'vx/tun', namespace: 'red', name: 'vx0', vni: 42, local: '127.0.0.1', remote: '127.0.0.2', port: 4789, mtu: 1450, ...tun },
    ip: { type: 'address', path: 'vx/ip', namespace: 'red', device: 'vx0', address: '10.40.0.1/24' },
    ...extra,
  },
});
const priorOf = (p: PlanDocument): PriorResource[] => Object.entries(p.resources).map(([id, resource]) => ({ id, resource }));

/** The kernel after `p` was applied, with the vxlan's live link patched by `patch` (null: deleted). */
function kernel(p: PlanDocument, patch: Partial<LiveLink> | null = {}): LiveState {
  const lo: LiveLink = { ifindex: 1, name: 'lo', mtu: 65536, up: true, alias: MARK, addresses: [{ address: '127.0.0.1/8', family: 4, scope: 'host' }] };
  const t = p.resources.tun as VxlanResource;
  const vx: LiveLink = {
    ifindex: 2, name: 'vx0', kind: 'vxlan', mtu: t.mtu ?? 1450, up: t.up, alias: MARK, mac: '02:00:00:00:00:09', peerIfindex: 2, peerNetnsid: 0,
    vxlan: { vni: 42, local: '127.0.0.1', remote: '127.0.0.2', port: 4789 },
    addresses: [{ address: '10.40.0.1/24', family: 4, scope: 'global' }, { address: 'fe80::9/64', family: 6, scope: 'link' }],
    ...patch,
  };
  const links = new Map<string, LiveLink>([['lo', lo]]);
  if (patch) links.set('vx0', vx);
  return { namespaces: new Set(['red']), locations: new Map([['', { links: new Map(), routes: [], sysctls: {} }], ['red', { links, routes: [], sysctls: {} }]]) };
}
const empty = (): LiveState => ({ namespaces: new Set(), locations: new Map([['', { links: new Map(), routes: [], sysctls: {} }]]) });
const run = (p: PlanDocument, live: LiveState, prior = priorOf(p)) => diff({ key: KEY, desired: p.resources, live, prior });
const summary = (r: ReturnType<typeof run>) => r.changes.map((c) => `${c.action} ${c.id}`);

describe('diff of a vxlan', () => {
  it('GIVEN an empty kernel THEN creates it after its namespace and before its address', () => {
    const r = run(plan(), empty(), []);
    expect(r.conflicts).toEqual([]);
    expect(summary(r)).toEqual(['create red', 'create tun', 'create ip']);
  });

  it('GIVEN the kernel as declared THEN there is nothing to do', () => {
    expect(run(plan(), kernel(plan()))).toEqual({ changes: [], conflicts: [] });
  });

  it('updates an MTU changed out of band in place', () => {
    const r = run(plan(), kernel(plan(), { mtu: 1400 }));
    expect(summary(r)).toEqual(['update tun']);
    expect(r.changes[0]!.fields).toEqual([{ field: 'mtu', from: 1400, to: 1450 }]);
  });

  it('leaves an undeclared MTU to the kernel', () => {
    const p = plan({ mtu: undefined });
    expect(run(p, kernel(p, { mtu: 1400 })).changes).toEqual([]);
  });

  it('updates a device set down, or one whose marker is gone while the state claims it', () => {
    expect(run(plan(), kernel(plan(), { up: false })).changes.map((c) => c.fields)).toEqual([[{ field: 'up', from: false, to: true }]]);
    expect(run(plan(), kernel(plan(), { alias: undefined })).changes.map((c) => c.fields)).toEqual([[{ field: 'marker', from: null, to: MARK }]]);
  });

  it('re-creates a device deleted out of band, and its address with it', () => {
    const r = run(plan(), kernel(plan(), null));
    expect(summary(r)).toEqual(['create tun', 'create ip']);
    expect(r.changes[0]!.reason).toBe('missing from the kernel (removed out of band)');
  });

  it('replaces it when the VNI changes in the code: one replacement naming the field; its address is added again', () => {
    const before = plan();
    const after = plan({ vni: 43 });
    const r = run(after, kernel(before), priorOf(before));
    expect(summary(r)).toEqual(['replace tun', 'update ip']);
    expect(r.changes[0]).toMatchObject({ reason: 'its tunnel differs from the kernel; cannot change in place', fields: [{ field: 'vni', from: 42, to: 43 }] });
    expect(r.changes[0]!.prior).toMatchObject({ vni: 42, name: 'vx0', namespace: 'red' });
    expect(r.changes[1]!.reason).toBe('re-added: its device "vx0" is re-created');
  });

  it('replaces it when local, remote or port differ in the kernel', () => {
    const r = run(plan(), kernel(plan(), { vxlan: { vni: 42, local: '127.0.0.9', remote: '127.0.0.8', port: 8472 } }));
    expect(r.changes[0]!.action).toBe('replace');
    expect(r.changes[0]!.fields.map((f) => f.field)).toEqual(['local', 'remote', 'port']);
  });

  it('replaces a link of another kind that the lab owns under the name', () => {
    const r = run(plan(), kernel(plan(), { kind: 'dummy', vxlan: undefined }));
    expect(r.changes[0]).toMatchObject({ action: 'replace', reason: '"vx0" is a dummy in the kernel, not a vxlan', fields: [{ field: 'kind', from: 'dummy', to: 'vxlan' }] });
  });

  it('is a conflict with a foreign link of the same name, and plans nothing for it', () => {
    for (const patch of [{ alias: undefined, kind: 'dummy', vxlan: undefined }, { alias: 'nslab:other' }]) {
      const r = run(plan(), kernel(plan(), patch), []);
      expect(r.conflicts).toEqual([{ path: 'vx/tun', message: `interface "vx0" already exists in namespace "red" and is ${patch.alias ? 'owned by nslab lab "other"' : 'not managed by nslab'}; nslab leaves it alone` }]);
      expect(r.changes.filter((c) => c.id === 'tun')).toEqual([]);
    }
  });

  it('deletes it with "link del" in its namespace when no longer declared', () => {
    const before = plan();
    const after = loadPlan({ ...before, resources: { red: before.resources.red! } });
    const r = run(after, kernel(before), priorOf(before));
    expect(summary(r)).toEqual(['delete ip', 'delete tun']);
    const s = buildScripts(KEY, r.changes, kernel(before));
    // The address goes with its device: no `addr del`.
    expect(s.deletes).toEqual([{ location: 'red', lines: ['link del dev vx0'] }]);
  });

  it('is not deleted by itself when its namespace is deleted too', () => {
    const before = plan();
    const r = run(loadPlan({ ...before, resources: {} }), kernel(before), priorOf(before));
    expect(summary(r)).toEqual(['delete ip', 'delete tun', 'delete red']);
    const s = buildScripts(KEY, r.changes, kernel(before));
    expect(s.deletes).toEqual([]);
    expect(s.host).toEqual(['netns del red']);
  });

  it('renamed in the code: the old device is deleted, the new one created, as one replacement', () => {
    const before = plan();
    const after = plan({ name: 'vx1' }, { ip: { type: 'address', path: 'vx/ip', namespace: 'red', device: 'vx1', address: '10.40.0.1/24' } });
    const r = run(after, kernel(before), priorOf(before));
    const tun = r.changes.find((c) => c.id === 'tun')!;
    expect(tun).toMatchObject({ action: 'replace', fields: [{ field: 'name', from: 'vx0', to: 'vx1' }] });
    const s = buildScripts(KEY, r.changes, kernel(before));
    expect(s.deletes).toEqual([{ location: 'red', lines: ['link del dev vx0'] }]);
    expect(s.host).toEqual(['link add name vx1 netns red type vxlan id 42 local 127.0.0.1 remote 127.0.0.2 dstport 4789']);
  });
});

describe('apply scripts of a vxlan', () => {
  it('creates it from the host straight into its namespace, then marks it, sets MTU and up inside, before its address', () => {
    const p = plan({ local: 'fd00::1', remote: 'fd00::2', port: 8472 });
    const s = buildScripts(KEY, run(p, empty(), []).changes, empty());
    expect(s.host).toEqual(['netns add red', 'link add name vx0 netns red type vxlan id 42 local fd00::1 remote fd00::2 dstport 8472']);
    expect(s.hostSteps[1]!.namespaces).toEqual(['red']);
    expect(s.configure).toEqual([{ location: 'red', lines: ['link set dev lo alias nslab:vx up', 'link set dev vx0 alias nslab:vx mtu 1450 up', 'addr add 10.40.0.1/24 dev vx0'] }]);
  });

  it('changes MTU and state in place: no host line', () => {
    const live = kernel(plan(), { mtu: 1400, up: false });
    const s = buildScripts(KEY, run(plan(), live).changes, live);
    expect(s.host).toEqual([]);
    expect(s.configure).toEqual([{ location: 'red', lines: ['link set dev vx0 alias nslab:vx mtu 1450 up'] }]);
  });

  it('replaces it: deleted first, then made anew and configured', () => {
    const live = kernel(plan(), { vxlan: { vni: 7, local: '127.0.0.1', remote: '127.0.0.2', port: 4789 } });
    const s = buildScripts(KEY, run(plan(), live).changes, live);
    expect(s.deletes).toEqual([{ location: 'red', lines: ['link del dev vx0'] }]);
    expect(s.host).toEqual(['link add name vx0 netns red type vxlan id 42 local 127.0.0.1 remote 127.0.0.2 dstport 4789']);
    expect(s.configure[0]!.lines).toEqual(['link set dev vx0 alias nslab:vx mtu 1450 up', 'addr add 10.40.0.1/24 dev vx0']);
  });
});

describe('undoing vxlan changes', () => {
  it('a rollback of a tunnel replacement restores the old tunnel', () => {
    const live = kernel(plan(), { vxlan: { vni: 7, local: '127.0.0.1', remote: '127.0.0.2', port: 4789 }, mtu: 1400 });
    const target = rollbackTarget(plan().resources, run(plan(), live).changes);
    expect(target.tun).toMatchObject({ vni: 7, mtu: 1400, up: true });
  });

  it('a rollback of an in-place update restores MTU and state', () => {
    const live = kernel(plan(), { mtu: 1400, up: false });
    const c = run(plan(), live).changes[0]!;
    expect(revertFields(c.desired!, c)).toMatchObject({ mtu: 1400, up: false, vni: 42 });
  });
});

describe('how a vxlan is shown', () => {
  it('in a plan: name, namespace, VNI and both ends', () => {
    const c = run(plan({ local: 'fd00::1', remote: 'fd00::2' }), empty(), []).changes.find((x) => x.id === 'tun')!;
    expect(renderChange(c).split('\n')[0]).toBe('  +   vxlan vx0 (red, vni 42, fd00::1 -> [fd00::2]:4789)  [vx/tun]');
  });

  it('in a graph: a device of its namespace with its tunnel', () => {
    expect(renderGraph(plan())).toContain('ns_red__vx0["vx0<br/>vxlan 42 to 127.0.0.2<br/>10.40.0.1/24"]');
  });

  it('in nslab show: the live MTU when it is not declared', () => {
    const p = plan({ mtu: undefined });
    expect(undeclaredLive(p.resources.tun!, kernel(p, { mtu: 1410 }))).toEqual({ mtu: 1410 });
    expect(undeclaredLive(plan().resources.tun!, kernel(plan()))).toBeNull();
  });

  it('by nslab import: listed as not imported, next to what is', () => {
    const text = renderImport(kernel(plan()), ['red'], new Map(), 'vx');
    expect(text).toContain('// - vxlan vx0 in red: nslab has no construct for it; not imported');
    expect(text).toContain('// - address 10.40.0.1/24 on vx0 (red): its device is not imported');
  });
});
