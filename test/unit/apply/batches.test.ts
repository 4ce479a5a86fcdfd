import { buildScripts } from '../../../src/engine/apply/batches.js';
import { diff, type PriorResource } from '../../../src/engine/diff/diff.js';
import type { LiveState } from '../../../src/engine/live/read.js';
import type { PlanDocument } from '../../../src/plan/types.js';
import { simulate } from '../../support/simulate.js';
import { redBluePlan } from '../../support/plans.js';

const emptyLive = (): LiveState => ({ namespaces: new Set(), locations: new Map([['', { links: new Map(), routes: [], sysctls: {} }]]) });
const priorOf = (plan: PlanDocument): PriorResource[] => Object.entries(plan.resources).map(([id, resource]) => ({ id, resource }));

describe('apply scripts', () => {
  it('GIVEN an empty kernel THEN one host batch creates namespaces, the host bridge and veths straight into their namespaces', () => {
    const plan = redBluePlan();
    const live = emptyLive();
    const s = buildScripts('rb', diff({ key: 'rb', desired: plan.resources, live, prior: [] }).changes, live);
    expect(s.deletes).toEqual([]);
    expect(s.host).toEqual([
      'netns add blue',
      'netns add red',
      'link add name br0 type bridge',
      'link add name veth-red netns red type veth peer name veth-blue netns blue',
      'link add name eth1 netns blue type veth peer name up1',
    ]);
    const red = s.configure.find((x) => x.location === 'red')!.lines;
    expect(red).toEqual([
      'link set dev lo alias nslab:rb up',
      'link set dev veth-red alias nslab:rb up',
      'addr add 10.10.0.1/24 dev veth-red',
      'route replace 0.0.0.0/0 via 10.10.0.2 proto 213',
    ]);
    expect(s.configure.find((x) => x.location === '')!.lines).toContain('link set dev up1 alias nslab:rb master br0 up');
    expect(s.configure.find((x) => x.location === 'blue')!.lines).toContain('addr add fd00::2/64 dev eth1 nodad');
    expect(s.sysctls).toEqual(new Map([['red', ['net.ipv4.ip_forward=1']]]));
  });

  it('runs exactly one batch per location that has work, and none for the rest', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    (live.locations.get('red')!.links.get('veth-red')!.addresses as unknown[]).length = 0;
    const s = buildScripts('rb', diff({ key: 'rb', desired: plan.resources, live, prior: priorOf(plan) }).changes, live);
    expect(s.host).toEqual([]);
    expect(s.configure).toEqual([{ location: 'red', lines: ['addr add 10.10.0.1/24 dev veth-red'] }]);
    expect(s.sysctls.size).toBe(0);
  });

  it('GIVEN a destroy THEN deletes host links first and leaves what goes with a namespace to the namespace deletion', () => {
    const plan = redBluePlan();
    const live = simulate(plan);
    const s = buildScripts('rb', diff({ key: 'rb', desired: {}, live, prior: priorOf(plan) }).changes, live);
    // The uplink's host end is deleted from the host (its peer would otherwise vanish asynchronously);
    // the red-blue cable goes with its namespaces; the host bridge address goes with the bridge.
    expect(s.deletes).toEqual([{ location: '', lines: ['link del dev up1', 'link del dev br0'] }]);
    expect(s.host).toEqual(['netns del blue', 'netns del red']);
    expect(s.configure).toEqual([]);
  });

  it('never deletes a host route without nslab\'s protocol marker', () => {
    const base = redBluePlan();
    const prior = [...priorOf(base), { id: 'hr', resource: { type: 'route' as const, path: 'rb/hr', family: 4 as const, destination: '10.30.0.0/24', via: '10.20.0.1' } }];
    const live = simulate(base);
    live.locations.get('')!.routes.push({ family: 4, destination: '10.30.0.0/24', via: '10.20.0.1', device: 'br0', protocol: '213' });
    const s = buildScripts('rb', diff({ key: 'rb', desired: base.resources, live, prior }).changes, live);
    expect(s.deletes).toEqual([{ location: '', lines: ['route del 10.30.0.0/24 proto 213'] }]);
  });
});

describe('sysctl values before an apply', () => {
  it('reads the value before each assignment from `sysctl K K=V` output, skipping keys the kernel lacks', async () => {
    const { sysctlsBefore } = await import('../../../src/engine/apply/apply.js');
    const out = 'net.ipv4.ip_forward = 0\nnet.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\nnet.ipv6.conf.all.forwarding = 1\n';
    expect(sysctlsBefore(['net.ipv4.ip_forward', 'nope.key', 'net.ipv6.conf.all.forwarding'], out)).toEqual({ 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '1' });
  });
});
