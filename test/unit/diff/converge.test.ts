import { diff, type PriorResource } from '../../../src/engine/diff/diff.js';
import { buildScripts } from '../../../src/engine/apply/batches.js';
import { loadPlan } from '../../../src/plan/validate.js';
import type { LiveLink } from '../../../src/engine/live/parse.js';
import type { LiveState } from '../../../src/engine/live/read.js';
import type { PlanDocument } from '../../../src/plan/types.js';
import { simulate } from '../../support/simulate.js';
import { redBluePlan } from '../../support/plans.js';

const priorOf = (plan: PlanDocument, pending = false): PriorResource[] =>
  Object.entries(plan.resources).map(([id, resource]) => ({ id, resource, ...(pending ? { pending } : {}) }));
const run = (plan: PlanDocument, live: LiveState, prior: PriorResource[]) => diff({ key: 'rb', desired: plan.resources, live, prior });
const summary = (r: ReturnType<typeof run>) => r.changes.map((c) => `${c.action} ${c.id}`);
const links = (live: LiveState, l: string) => live.locations.get(l)!.links as Map<string, LiveLink>;
const withResources = (base: PlanDocument, patch: Record<string, unknown>) => loadPlan({ ...base, resources: { ...base.resources, ...patch } });

describe('diff: a veth whose one end changes', () => {
  const base = redBluePlan();
  const green = { type: 'namespace', path: 'rb/green', name: 'green' };
  const withGreen = withResources(base, { green });
  const moved = withResources(base, {
    green,
    cable: { ...base.resources.cable!, b: { namespace: 'green', name: 'veth-blue' } },
    'blue-ip': { ...base.resources['blue-ip']!, namespace: 'green' },
  });

  it('is one replacement with the end\'s field, and the addresses of both ends are planned again', () => {
    const r = run(moved, simulate(withGreen), priorOf(withGreen));
    expect(r.conflicts).toEqual([]);
    expect(summary(r)).toEqual(['replace cable', 'replace blue-ip', 'update red-ip']);
    const cable = r.changes[0]!;
    expect(cable.reason).toBe('changed in the lab; cannot change in place');
    expect(cable.fields).toEqual([{ field: 'b.namespace', from: 'blue', to: 'green' }]);
    expect(r.changes.find((c) => c.id === 'red-ip')!.reason).toBe('re-added: its device "veth-red" is re-created');
  });

  it('plans a route through the kept end again when the kernel names its device', () => {
    const live = simulate(withGreen);
    const red = live.locations.get('red')!;
    red.routes.splice(0, red.routes.length, { family: 4, destination: 'default', via: '10.10.0.2', device: 'veth-red', protocol: '213' });
    const r = run(moved, live, priorOf(withGreen));
    expect(r.changes.find((c) => c.id === 'red-default')).toMatchObject({ action: 'update', reason: 're-added: the kernel drops it with "veth-red"' });
  });
});

describe('diff: an end renamed out of band', () => {
  it('plans the routes on its renamed peer again', () => {
    const plan = withResources(redBluePlan(), {
      'blue-net': { type: 'route', path: 'rb/blue-net', namespace: 'blue', destination: '10.30.0.0/24', via: '10.10.0.1' },
    });
    const live = simulate(plan);
    const blue = links(live, 'blue');
    const peer = blue.get('veth-blue')!;
    blue.delete('veth-blue');
    blue.set('veth-x', { ...peer, name: 'veth-x' });
    const routes = live.locations.get('blue')!.routes;
    routes.splice(0, routes.length, { family: 4, destination: '10.30.0.0/24', via: '10.10.0.1', device: 'veth-x', protocol: '213' });
    const r = run(plan, live, priorOf(plan));
    expect(r.changes.find((c) => c.id === 'cable')).toMatchObject({ action: 'replace', reason: 'end "veth-blue" is missing from the kernel' });
    expect(r.changes.find((c) => c.id === 'blue-net')).toMatchObject({ action: 'update', reason: 're-added: the kernel drops it with "veth-x"' });
    expect(r.changes.find((c) => c.id === 'blue-ip')).toMatchObject({ action: 'update', reason: 're-added: its device "veth-blue" is re-created' });
  });

  it('attaches the ports of a re-created bridge again', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    links(live, '').set('br0', { ...links(live, '').get('br0')!, kind: 'dummy' });
    const r = run(plan, live, priorOf(plan));
    expect(r.changes.find((c) => c.id === 'br')).toMatchObject({ action: 'replace' });
    expect(r.changes.find((c) => c.id === 'uplink')).toMatchObject({ action: 'update', reason: 're-added as a port of "br0": the bridge is re-created' });
    expect(r.changes.find((c) => c.id === 'br-ip')).toMatchObject({ action: 'update' });
  });
});

describe('diff: ownership', () => {
  it('refuses a host route the lab does not own even when its device is created', () => {
    const base = redBluePlan();
    const plan = withResources(base, { hr: { type: 'route', path: 'rb/hr', destination: '10.88.0.0/24', device: 'br0' } });
    const live = simulate(base);
    links(live, '').delete('br0');
    live.locations.get('')!.routes.push({ family: 4, destination: '10.88.0.0/24', device: 'fx', protocol: 'boot' });
    const r = run(plan, live, priorOf(base));
    expect(r.conflicts).toEqual([{ path: 'rb/hr', message: 'route to 10.88.0.0/24 already exists in the host and is not owned by lab "rb"; nslab leaves it alone' }]);
    expect(r.changes.some((c) => c.id === 'hr')).toBe(false);
  });

  const unmarked = (extra?: (live: LiveState) => void) => {
    const plan = redBluePlan();
    const live = simulate(plan);
    const red = links(live, 'red');
    for (const [name, l] of red) red.set(name, { ...l, alias: undefined, addresses: [] });
    live.locations.get('red')!.routes.length = 0;
    extra?.(live);
    return { plan, live };
  };

  it('treats a namespace without the marker as foreign, even when the state lists it as applied', () => {
    const { plan, live } = unmarked();
    const r = run(plan, live, priorOf(plan));
    expect(r.conflicts).toContainEqual({ path: 'rb/red', message: 'namespace "red" already exists and is not managed by nslab; nslab leaves it alone' });
  });

  it('takes over one an interrupted apply left: pending, holding only lo and unmarked links the state names', () => {
    const { plan, live } = unmarked();
    const r = run(plan, live, priorOf(plan, true));
    expect(r.conflicts).toEqual([]);
    expect(r.changes.find((c) => c.id === 'red')).toMatchObject({ action: 'update' });
  });

  it('refuses one that is pending but holds a link the state does not name, or an address', () => {
    const extraLink = unmarked((live) => links(live, 'red').set('fbr', { ifindex: 90, name: 'fbr', kind: 'bridge', mtu: 1500, up: false, addresses: [] }));
    expect(run(extraLink.plan, extraLink.live, priorOf(extraLink.plan, true)).conflicts.map((c) => c.path)).toContain('rb/red');
    const withAddr = unmarked((live) => links(live, 'red').get('veth-red')!.addresses.push({ address: '10.10.0.1/24', family: 4, scope: 'global' }));
    expect(run(withAddr.plan, withAddr.live, priorOf(withAddr.plan, true)).conflicts.map((c) => c.path)).toContain('rb/red');
  });

  it('GIVEN destroy THEN leaves a foreign namespace of the lab\'s name and everything in it alone, and says so', () => {
    const { plan, live } = unmarked();
    const r = diff({ key: 'rb', desired: {}, live, prior: priorOf(plan) });
    expect(r.changes.some((c) => c.prior && 'namespace' in c.prior && c.prior.namespace === 'red')).toBe(false);
    expect(r.changes.some((c) => c.id === 'red')).toBe(false);
    // The veth between them goes through the end the lab still owns, in blue.
    const cable = r.changes.find((c) => c.id === 'cable')!;
    expect(cable.liveEnds).toEqual(['b']);
    expect(buildScripts('rb', r.changes, live).deletes.find((x) => x.location === 'red')?.lines.filter((l) => l.startsWith('link del')) ?? []).toEqual([]);
    expect(r.leftAlone).toEqual([{ path: 'rb/red', message: 'namespace "red" is in the lab\'s state but its lo lacks the lab\'s marker (made outside nslab); left alone' }]);
  });
});
