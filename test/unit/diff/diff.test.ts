import fc from 'fast-check';
import { diff, type DiffInput, type PriorResource } from '../../../src/engine/diff/diff.js';
import { loadPlan } from '../../../src/plan/validate.js';
import type { LiveLink } from '../../../src/engine/live/parse.js';
import type { LiveState } from '../../../src/engine/live/read.js';
import { TYPE_ORDER, type PlanDocument } from '../../../src/plan/types.js';
import { simulate } from '../../support/simulate.js';
import { redBluePlan } from '../../support/plans.js';

const priorOf = (plan: PlanDocument): PriorResource[] => Object.entries(plan.resources).map(([id, resource]) => ({ id, resource }));
const run = (plan: PlanDocument, live: LiveState, prior: PriorResource[] = priorOf(plan)) =>
  diff({ key: 'rb', desired: plan.resources, live, prior } satisfies DiffInput);
const emptyLive = (): LiveState => ({ namespaces: new Set(), locations: new Map([['', { links: new Map(), routes: [], sysctls: {} }]]) });
const mutate = (live: LiveState, l: string, name: string, patch: Partial<LiveLink>) => {
  const links = live.locations.get(l)!.links as Map<string, LiveLink>;
  links.set(name, { ...links.get(name)!, ...patch });
};
const summary = (r: ReturnType<typeof run>) => r.changes.map((c) => `${c.action} ${c.id}`);

describe('diff', () => {
  it('GIVEN an empty kernel THEN creates everything, namespaces first and routes last', () => {
    const r = run(redBluePlan(), emptyLive(), []);
    expect(r.conflicts).toEqual([]);
    expect(r.changes.every((c) => c.action === 'create')).toBe(true);
    expect(r.changes.map((c) => c.type)).toEqual(['namespace', 'namespace', 'bridge', 'veth', 'veth', 'address', 'address', 'address', 'address', 'route']);
  });

  it('GIVEN the kernel as the plan describes it THEN there is nothing to do', () => {
    const plan = redBluePlan();
    expect(run(plan, simulate(plan))).toEqual({ changes: [], conflicts: [] });
  });

  it('ignores kernel-made routes and link-local IPv6 addresses', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    live.locations.get('red')!.routes.push({ family: 4, destination: '10.10.0.0/24', device: 'veth-red', protocol: 'kernel' });
    live.locations.get('blue')!.links.get('eth1')!.addresses.push({ address: 'fe80::abcd/64', family: 6, scope: 'link' });
    expect(run(plan, live).changes).toEqual([]);
  });

  it('shows an address flushed out of band as a create with the reason', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    mutate(live, 'red', 'veth-red', { addresses: [] });
    const [c, ...rest] = run(plan, live).changes;
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ id: 'red-ip', action: 'create', reason: 'missing from the kernel (removed out of band)' });
  });

  it('shows a link set down as an in-place update of that field only', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    mutate(live, 'blue', 'veth-blue', { up: false });
    const r = run(plan, live);
    expect(summary(r)).toEqual(['update cable']);
    expect(r.changes[0]!.fields).toEqual([{ field: 'b.up', from: false, to: true }]);
  });

  it('shows an MTU and a bridge port change as updates, not replacements', () => {
    const base = redBluePlan();
    const plan = loadPlan({ ...base, resources: { ...base.resources, cable: { ...base.resources.cable!, mtu: 9000 } } });
    const live = simulate(base);
    mutate(live, '', 'up1', { master: undefined });
    const r = run(plan, live);
    expect(summary(r)).toEqual(['update cable', 'update uplink']);
    expect(r.changes[0]!.fields.map((f) => f.field)).toEqual(['a.mtu', 'b.mtu']);
    expect(r.changes[1]!.fields).toEqual([{ field: 'b.master', from: null, to: 'br0' }]);
  });

  it('deletes an address added out of band to a managed link', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    live.locations.get('red')!.links.get('veth-red')!.addresses.push({ address: '192.0.2.9/24', family: 4, scope: 'global' });
    const r = run(plan, live);
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]).toMatchObject({ action: 'delete', type: 'address', prior: { address: '192.0.2.9/24', device: 'veth-red' } });
  });

  it('deletes a route added out of band in an owned namespace but never a host route it does not own', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    live.locations.get('red')!.routes.push({ family: 4, destination: '10.77.0.0/16', device: 'veth-red', protocol: 'boot' });
    live.locations.get('')!.routes.push({ family: 4, destination: 'default', via: '192.0.2.1', device: 'eth0', protocol: 'dhcp' });
    expect(summary(run(plan, live))).toEqual(['delete drift:route red/4/10.77.0.0/16']);
  });

  it('recreates a namespace deleted out of band together with everything in it', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    live.namespaces.delete('red');
    live.locations.delete('red');
    const r = run(plan, live);
    // blue-ip was on the end that is still there: the replacement drops it, so it is added again.
    expect(summary(r)).toEqual(['create red', 'replace cable', 'update blue-ip', 'create red-ip', 'create red-default']);
    expect(r.changes.find((c) => c.id === 'blue-ip')!.reason).toBe('re-added: its device "veth-blue" is re-created');
    expect(r.changes.find((c) => c.id === 'cable')!.reason).toMatch(/"veth-red" is missing/);
  });

  it('GIVEN a foreign namespace with the same name THEN reports a conflict naming it and plans nothing for it', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    mutate(live, 'red', 'lo', { alias: undefined });
    const r = run(plan, live, []);
    expect(r.conflicts).toContainEqual({ path: 'rb/red', message: 'namespace "red" already exists and is not managed by nslab; nslab leaves it alone' });
  });

  it('GIVEN an interface of another lab with the same name THEN the conflict names that lab', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    mutate(live, '', 'br0', { alias: 'nslab:other' });
    const r = run(plan, live);
    expect(r.conflicts).toEqual([{ path: 'rb/br', message: 'interface "br0" already exists in the host and is owned by nslab lab "other"; nslab leaves it alone' }]);
    expect(r.changes.some((c) => c.id === 'br')).toBe(false);
  });

  it('shows an address changed in the code as one replacement with the differing field', () => {
    const base = redBluePlan();
    const plan = loadPlan({ ...base, resources: { ...base.resources, 'red-ip': { ...base.resources['red-ip']!, address: '10.10.0.9/24' } } });
    const r = run(plan, simulate(base), priorOf(base));
    expect(summary(r)).toEqual(['replace red-ip', 'update red-default']);
    expect(r.changes[0]!.fields).toEqual([{ field: 'address', from: '10.10.0.1/24', to: '10.10.0.9/24' }]);
    // The kernel drops routes through the old address's subnet; the diff plans them again.
    expect(r.changes[1]!.reason).toBe('re-added: the kernel drops it when 10.10.0.1/24 is removed');
  });

  it('deletes what the lab no longer declares, most dependent first', () => {
    const base = redBluePlan();
    const keep = ['red', 'br', 'br-ip'];
    const plan = loadPlan({ ...base, resources: Object.fromEntries(Object.entries(base.resources).filter(([id]) => keep.includes(id))) });
    expect(summary(run(plan, simulate(base), priorOf(base)))).toEqual([
      'delete red-default', 'delete blue-ip', 'delete blue-up', 'delete red-ip', 'delete cable', 'delete uplink', 'delete blue',
    ]);
  });

  it('replaces a veth whose ends are no longer peers', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    mutate(live, 'red', 'veth-red', { peerIfindex: 9999 });
    expect(summary(run(plan, live))).toEqual(['replace cable', 'update blue-ip', 'update red-ip']);
  });

  it('GIVEN a sysctl changed out of band THEN updates just that sysctl', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    live.locations.get('red')!.sysctls['net.ipv4.ip_forward'] = '0';
    const r = run(plan, live);
    expect(r.changes[0]).toMatchObject({ id: 'red', action: 'update', fields: [{ field: 'sysctls.net.ipv4.ip_forward', from: '0', to: '1' }] });
  });

  it('treats a host route as the lab\'s only with nslab\'s protocol and a state record', () => {
    const base = redBluePlan();
    const plan = loadPlan({ ...base, resources: { ...base.resources, hr: { type: 'route', path: 'rb/hr', destination: '10.10.0.0/24', via: '10.20.0.1' } } });
    const live = simulate(plan);
    expect(run(plan, live).changes).toEqual([]);
    expect(run(plan, live, priorOf(base)).conflicts).toEqual([expect.objectContaining({ path: 'rb/hr' })]);
  });
});

describe('diff properties', () => {
  const chain = fc.record({
    n: fc.integer({ min: 1, max: 6 }),
    mtu: fc.option(fc.integer({ min: 1280, max: 9000 }), { nil: undefined }),
    v6: fc.boolean(),
    up: fc.boolean(),
    hostBridge: fc.boolean(),
  }).map(({ n, mtu, v6, up, hostBridge }) => {
    const resources: Record<string, unknown> = {};
    for (let i = 0; i <= n; i++) resources[`n${i}`] = { type: 'namespace', path: `c/n${i}`, name: `n${i}`, loopbackUp: up };
    if (hostBridge) resources.br = { type: 'bridge', path: 'c/br', name: 'br0', up };
    for (let i = 0; i < n; i++) {
      resources[`l${i}`] = { type: 'veth', path: `c/l${i}`, mtu, up, a: { namespace: `n${i}`, name: 'right' }, b: { namespace: `n${i + 1}`, name: 'left' } };
      const addr = (k: number) => (v6 ? `fd00:${i}::${k}/64` : `10.${i}.0.${k}/30`);
      resources[`a${i}`] = { type: 'address', path: `c/a${i}`, namespace: `n${i}`, device: 'right', address: addr(1) };
      resources[`b${i}`] = { type: 'address', path: `c/b${i}`, namespace: `n${i + 1}`, device: 'left', address: addr(2) };
      // A route over a link declared down is a validation error (the kernel refuses it).
      if (up) resources[`r${i}`] = { type: 'route', path: `c/r${i}`, namespace: `n${i + 1}`, destination: 'default', via: v6 ? `fd00:${i}::1` : `10.${i}.0.1` };
    }
    return loadPlan({ version: 1, lab: 'c', prefix: '', resources });
  });

  it('diff(x, x) is empty for any chain lab', () => {
    fc.assert(fc.property(chain, (plan) => {
      expect(diff({ key: 'c', desired: plan.resources, live: simulate(plan, 'c'), prior: priorOf(plan) })).toEqual({ changes: [], conflicts: [] });
    }));
  });

  it('destroying any lab deletes every resource it owns, namespaces last', () => {
    fc.assert(fc.property(chain, (plan) => {
      const r = diff({ key: 'c', desired: {}, live: simulate(plan, 'c'), prior: priorOf(plan) });
      expect(r.changes.map((c) => c.id).sort()).toEqual(Object.keys(plan.resources).sort());
      expect(r.changes.every((c) => c.action === 'delete')).toBe(true);
      // Most dependent first: routes, addresses, veths, bridges, namespaces, never out of that order.
      const ranks = r.changes.map((c) => TYPE_ORDER.indexOf(c.type));
      expect(ranks).toEqual([...ranks].sort((x, y) => y - x));
    }));
  });

  /** One field of drift each, and the resource whose single change must repair it. */
  type Drift = (live: LiveState, plan: PlanDocument, i: number) => string | undefined;
  const links = (live: LiveState, ns: string) => live.locations.get(ns)!.links as Map<string, LiveLink>;
  const setLink = (live: LiveState, ns: string, name: string, patch: Partial<LiveLink>) => {
    const m = links(live, ns);
    m.set(name, { ...m.get(name)!, ...patch });
  };
  const drifts: Record<string, Drift> = {
    'lo up/down': (live, _p, i) => (setLink(live, `n${i}`, 'lo', { up: !links(live, `n${i}`).get('lo')!.up }), `n${i}`),
    'a veth end up/down': (live, p, i) => (i < count(p) ? (setLink(live, `n${i}`, 'right', { up: !links(live, `n${i}`).get('right')!.up }), `l${i}`) : undefined),
    'a veth end MTU (declared)': (live, p, i) => (i < count(p) && (p.resources[`l${i}`] as { mtu?: number }).mtu ? (setLink(live, `n${i + 1}`, 'left', { mtu: 1234 }), `l${i}`) : undefined),
    'a veth end marker removed': (live, p, i) => (i < count(p) ? (setLink(live, `n${i}`, 'right', { alias: undefined }), `l${i}`) : undefined),
    'an address flushed': (live, p, i) => {
      if (i >= count(p)) return undefined;
      const l = links(live, `n${i + 1}`).get('left')!;
      setLink(live, `n${i + 1}`, 'left', { addresses: l.addresses.filter((a) => a.scope !== 'global') });
      return `b${i}`;
    },
    'a route deleted': (live, p, i) => {
      if (i >= count(p) || !p.resources[`r${i}`]) return undefined;
      (live.locations.get(`n${i + 1}`)! as { routes: unknown[] }).routes = [];
      return `r${i}`;
    },
    'the host bridge up/down': (live, p) => (p.resources.br ? (setLink(live, '', 'br0', { up: !links(live, '').get('br0')!.up }), 'br') : undefined),
  };
  const count = (p: PlanDocument) => Object.values(p.resources).filter((r) => r.type === 'veth').length;

  it('any single field of drift yields exactly one change, on the drifted resource', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(chain, fc.constantFrom(...Object.keys(drifts)), fc.nat(), (plan, kind, pick) => {
      const live = simulate(plan, 'c');
      const id = drifts[kind]!(live, plan, pick % (count(plan) + 1));
      fc.pre(id !== undefined);
      seen.add(kind);
      const changes = diff({ key: 'c', desired: plan.resources, live, prior: priorOf(plan) }).changes;
      expect(changes.map((c) => c.id)).toEqual([id]);
    }), { numRuns: 300 });
    expect([...seen].sort()).toEqual(Object.keys(drifts).sort());
  });
});
