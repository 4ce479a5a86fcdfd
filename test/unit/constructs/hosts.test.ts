/**
 * Labs across machines, synthesized: Host, the placement of every resource on a host, links
 * across hosts as a pair of vxlan devices, the checks, and the split into one plan per host.
 */
import { App, Bridge, Host, IpAddress, Lab, NetNamespace, Route, Sysctl, VethLink } from '../../../constructs/index.js';
import { synthesize } from '../../../src/synth/synth.js';
import { hostParts, parseSsh } from '../../../src/plan/hosts.js';
import { labKey, type PlanDocument } from '../../../src/plan/types.js';
import { remoteArgv, shellQuote } from '../../../src/engine/remote/ssh.js';
import { problemsOf } from './helpers.js';

function twoHosts(opts: { vni?: number } = {}) {
  const app = new App();
  const lab = new Lab(app, 'two-hosts');
  const h1 = new Host(lab, 'h1', { ssh: 'root@198.51.100.1' });
  const h2 = new Host(lab, 'h2', { ssh: 'root@198.51.100.2:2222', underlay: '198.51.100.12' });
  const red = new NetNamespace(lab, 'red', { host: h1 });
  const blue = new NetNamespace(lab, 'blue', { host: h2 });
  const cable = new VethLink(lab, 'cable', { a: { namespace: red, name: 'eth0' }, b: { namespace: blue, name: 'eth0' }, vni: opts.vni });
  new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.99.0.1/24' });
  new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.99.0.2/24' });
  return { app, lab, h1, h2, red, blue, cable };
}

const only = (app: App): PlanDocument => {
  const plans = synthesize(app);
  expect(plans).toHaveLength(1);
  return plans[0]!;
};

describe('a lab across two hosts', () => {
  it('puts every resource on its host and makes the link across hosts a pair of vxlan devices with one VNI', () => {
    const plan = only(twoHosts().app);
    expect(plan.hosts).toEqual({ h1: { ssh: 'root@198.51.100.1', underlay: '198.51.100.1' }, h2: { ssh: 'root@198.51.100.2:2222', underlay: '198.51.100.12' } });
    const hostOf = Object.fromEntries(Object.entries(plan.resources).map(([id, r]) => [id, r.host]));
    expect(hostOf).toEqual({ red: 'h1', blue: 'h2', 'cable/a': 'h1', 'cable/b': 'h2', 'red-ip': 'h1', 'blue-ip': 'h2' });
    const [a, b] = [plan.resources['cable/a'], plan.resources['cable/b']];
    expect(a).toMatchObject({ type: 'vxlan', namespace: 'red', name: 'eth0', local: '198.51.100.1', remote: '198.51.100.12', port: 4789, mtu: 1450, up: true });
    expect(b).toMatchObject({ type: 'vxlan', namespace: 'blue', name: 'eth0', local: '198.51.100.12', remote: '198.51.100.1', port: 4789, mtu: 1450, up: true });
    expect(a!.type === 'vxlan' && b!.type === 'vxlan' && a.vni === b.vni && a.vni >= 1 && a.vni <= 0xffffff).toBe(true);
  });

  it('derives the VNI from the lab and the link (stable across runs), unless vni is given', () => {
    const vni = (p: PlanDocument) => (p.resources['cable/a'] as { vni: number }).vni;
    expect(vni(only(twoHosts().app))).toBe(vni(only(twoHosts().app)));
    expect(vni(only(twoHosts({ vni: 4242 }).app))).toBe(4242);
  });

  it('splits into one plan per host, keyed <lab key>.<host id>, without the host field', () => {
    const parts = hostParts(only(twoHosts().app))!;
    expect(parts.map((p) => [p.host, labKey(p.plan), Object.keys(p.plan.resources).sort()])).toEqual([
      ['h1', 'two-hosts.h1', ['cable/a', 'red', 'red-ip']],
      ['h2', 'two-hosts.h2', ['blue', 'blue-ip', 'cable/b']],
    ]);
    expect(Object.values(parts[0]!.plan.resources).some((r) => 'host' in r)).toBe(false);
  });

  it('keeps a link between namespaces of one host a veth, on that host', () => {
    const { app, lab, h1, red } = twoHosts();
    const green = new NetNamespace(lab, 'green', { host: h1 });
    new VethLink(lab, 'local', { a: { namespace: red }, b: { namespace: green } });
    expect(only(app).resources.local).toMatchObject({ type: 'veth', host: 'h1' });
  });

  it('places root-namespace objects on the host they name, and their addresses with them', () => {
    const { app, lab, h2 } = twoHosts();
    const br = new Bridge(lab, 'br', { host: h2 });
    new IpAddress(lab, 'br-ip', { device: br, address: '10.98.0.1/24' });
    new Route(lab, 'r', { host: h2, destination: '10.97.0.0/24', via: '10.98.0.2' });
    new Sysctl(lab, 'fwd', { host: h2, key: 'net.ipv4.ip_forward', value: '1' });
    const r = only(app).resources;
    expect([r.br?.host, r['br-ip']?.host, r.r?.host, r.fwd?.host]).toEqual(['h2', 'h2', 'h2', 'h2']);
  });
});

describe('checks of a lab across hosts', () => {
  it('names a host whose underlay is missing (ssh names a host name, not an address)', () => {
    const app = new App();
    const lab = new Lab(app, 'l');
    new NetNamespace(lab, 'red', { host: new Host(lab, 'h1', { ssh: 'root@lab-1.example' }) });
    expect(problemsOf(app)).toEqual(['[l/h1] the underlay address is missing: ssh names "lab-1.example", not an IP address; set "underlay" to this host\'s address for VXLAN']);
  });

  it('refuses a namespace without a host in a lab with hosts, and a link from a namespace of one host to the root namespace of another host', () => {
    const { app, lab, h1, blue } = twoHosts();
    new NetNamespace(lab, 'stray');
    new VethLink(lab, 'x', { a: { namespace: blue, name: 'x0' }, b: { host: h1, name: 'x1' } });
    expect(problemsOf(app)).toEqual(expect.arrayContaining([
      '[two-hosts/stray] in a lab with hosts, a namespace needs "host"',
      '[two-hosts/x] end b is on host "h1" and the other end on another: a link across hosts needs both ends directly in namespaces',
    ]));
  });

  it('catches two links across the same hosts with one VNI', () => {
    const { app, lab, h1, h2, red, blue } = twoHosts({ vni: 7 });
    void h1;
    void h2;
    new VethLink(lab, 'cable2', { a: { namespace: red, name: 'eth1' }, b: { namespace: blue, name: 'eth1' }, vni: 7 });
    expect(problemsOf(app).join('\n')).toMatch(/VNI 7/u);
  });

  it('refuses ssh strings that are not user@address[:port], and a VNI out of range', () => {
    for (const bad of ['-oProxyCommand=sh', 'root@host;reboot', 'root@[zz]', 'root@h:70000', '']) expect(typeof parseSsh(bad)).toBe('string');
    expect(parseSsh('ssh://root@[fd00::1]:2222')).toEqual({ user: 'root', address: 'fd00::1', port: 2222 });
    expect(problemsOf(twoHosts({ vni: 0 }).app).join('\n')).toMatch(/"vni" must be an integer from 1 to 16777215/u);
  });
});

describe('commands over ssh', () => {
  it('quotes every word for the remote shell and runs namespace commands with iproute2 alone', () => {
    expect(remoteArgv(['/usr/bin/nsenter', '--net=/run/netns/red', 'ip', '-j', 'addr'])).toEqual(['ip', '-n', 'red', '-j', 'addr']);
    expect(remoteArgv(['/usr/bin/nsenter', '--net=/run/netns/red', 'nft', '-j', 'list', 'ruleset'])).toEqual(['ip', 'netns', 'exec', 'red', 'nft', '-j', 'list', 'ruleset']);
    expect(['ip', 'x y', "it's", '$(reboot)', ''].map(shellQuote).join(' ')).toBe(`ip 'x y' 'it'\\''s' '$(reboot)' ''`);
  });
});
