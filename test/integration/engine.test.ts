/**
 * The engine on the real kernel, through plan documents: in-place updates, replacements,
 * IPv6, sysctls, bridges in namespaces, host routes, and the safety rules around foreign objects.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLab, destroyLab, planLab } from '../../src/engine/lab.js';
import { loadPlan } from '../../src/plan/validate.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { describeKernel, hostLinksWith, ip, kernelFixture, namespacesWith, ping, tryIp } from '../support/kernel.js';

const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

describeKernel('engine on the real kernel', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const n = (s: string) => `${P}${s}`;

  /** Two namespaces routed through a third, with IPv6, a bridge inside a namespace and a host route. */
  const lab = (over: { aAddr?: string; mtu?: number; gw?: string } = {}): PlanDocument => loadPlan({
    version: 1, lab: 'eng', prefix: P,
    resources: {
      a: { type: 'namespace', path: 'eng/a', name: n('a') },
      r: { type: 'namespace', path: 'eng/r', name: n('r'), sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' } },
      b: { type: 'namespace', path: 'eng/b', name: n('b') },
      lan: { type: 'bridge', path: 'eng/lan', namespace: n('r'), name: 'lan' },
      ar: { type: 'veth', path: 'eng/ar', mtu: over.mtu, a: { namespace: n('a'), name: 'eth0' }, b: { namespace: n('r'), name: 'to-a', master: 'lan' } },
      rb: { type: 'veth', path: 'eng/rb', a: { namespace: n('r'), name: 'to-b' }, b: { namespace: n('b'), name: 'eth0' } },
      up: { type: 'veth', path: 'eng/up', a: { namespace: n('r'), name: 'up' }, b: { name: n('up') } },
      loop: { type: 'veth', path: 'eng/loop', a: { namespace: n('b'), name: 'lp0' }, b: { namespace: n('b'), name: 'lp1' } },
      hloop: { type: 'veth', path: 'eng/hloop', a: { name: n('h0') }, b: { name: n('h1') } },
      'a-ip': { type: 'address', path: 'eng/a-ip', namespace: n('a'), device: 'eth0', address: over.aAddr ?? '10.1.0.1/24' },
      'a-ip6': { type: 'address', path: 'eng/a-ip6', namespace: n('a'), device: 'eth0', address: 'fd10::1/64' },
      'r-lan': { type: 'address', path: 'eng/r-lan', namespace: n('r'), device: 'lan', address: '10.1.0.254/24' },
      'r-lan6': { type: 'address', path: 'eng/r-lan6', namespace: n('r'), device: 'lan', address: 'fd10::fe/64' },
      'r-b': { type: 'address', path: 'eng/r-b', namespace: n('r'), device: 'to-b', address: '10.2.0.254/24' },
      'r-up': { type: 'address', path: 'eng/r-up', namespace: n('r'), device: 'up', address: '10.3.0.1/30' },
      'host-up': { type: 'address', path: 'eng/host-up', device: n('up'), address: '10.3.0.2/30' },
      'b-ip': { type: 'address', path: 'eng/b-ip', namespace: n('b'), device: 'eth0', address: '10.2.0.1/24' },
      'a-default': { type: 'route', path: 'eng/a-default', namespace: n('a'), destination: 'default', via: over.gw ?? '10.1.0.254' },
      'a-default6': { type: 'route', path: 'eng/a-default6', namespace: n('a'), destination: '::/0', via: 'fd10::fe' },
      'b-default': { type: 'route', path: 'eng/b-default', namespace: n('b'), destination: 'default', via: '10.2.0.254' },
      'host-route': { type: 'route', path: 'eng/host-route', destination: '10.2.0.0/24', via: '10.3.0.1' },
    },
  });
  const changesOf = async (plan: PlanDocument) => (await planLab(plan, opts)).result;

  it('applies a routed lab with IPv6, sysctls, a namespaced bridge and a host route; traffic flows', async () => {
    const res = await applyLab(lab(), opts);
    expect(res!.changes.length).toBe(Object.keys(lab().resources).length);
    expect((await changesOf(lab())).changes).toEqual([]);
    expect(ping(n('a'), '10.2.0.1')).toBe(true);
    expect(ping(n('a'), 'fd10::fe')).toBe(true);
    expect(ping(undefined, '10.2.0.1')).toBe(true);
    expect(ip('-n', n('r'), '-j', 'link', 'show', 'to-a')).toContain('"master":"lan"');
  });

  it('changes an MTU and a gateway in place: same ifindex, plan empty after', async () => {
    const ifindex = () => JSON.parse(ip('-n', n('a'), '-j', 'link', 'show', 'eth0'))[0].ifindex;
    const before = ifindex();
    const changed = lab({ mtu: 1400, gw: '10.1.0.254' });
    const plan = await changesOf(changed);
    expect(plan.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['update ar']);
    await applyLab(changed, opts);
    expect(ifindex()).toBe(before);
    expect(JSON.parse(ip('-n', n('r'), '-j', 'link', 'show', 'to-a'))[0].mtu).toBe(1400);
    expect((await changesOf(changed)).changes).toEqual([]);
  });

  it('replaces an address changed in the code, and the old one is gone', async () => {
    const changed = lab({ mtu: 1400, aAddr: '10.1.0.7/24' });
    const plan = await changesOf(changed);
    // The kernel flushes the default route with the old address: it is planned again.
    expect(plan.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['replace a-ip', 'update a-default']);
    await applyLab(changed, opts);
    const addrs = ip('-n', n('a'), 'addr', 'show', 'dev', 'eth0');
    expect(addrs).toContain('10.1.0.7/24');
    expect(addrs).not.toContain('10.1.0.1/24');
    expect((await changesOf(changed)).changes).toEqual([]);
  });

  it('repairs a sysctl and a route changed out of band', async () => {
    const plan = lab({ mtu: 1400, aAddr: '10.1.0.7/24' });
    ip('netns', 'exec', n('r'), 'sysctl', '-qw', 'net.ipv4.ip_forward=0');
    ip('-n', n('b'), 'route', 'replace', 'default', 'via', '10.2.0.99');
    const drift = await changesOf(plan);
    expect(drift.changes.map((c) => `${c.action} ${c.id} ${c.fields.map((f) => f.field).join(',')}`).sort()).toEqual([
      'update b-default via,protocol', 'update r sysctls.net.ipv4.ip_forward',
    ]);
    await applyLab(plan, opts);
    expect((await changesOf(plan)).changes).toEqual([]);
    expect(ping(n('a'), '10.2.0.1')).toBe(true);
  });

  it('destroys from the state file alone and leaves no namespace, host link or host route', async () => {
    await destroyLab(`${P}eng`, opts);
    expect(namespacesWith(P)).toEqual([]);
    expect(hostLinksWith(P)).toEqual([]);
    expect(ip('route', 'show', '10.2.0.0/24')).toBe('');
  });
});

describeKernel('safety around foreign objects', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const plan = () => loadPlan({
    version: 1, lab: 'safe', prefix: P,
    resources: {
      x: { type: 'namespace', path: 'safe/x', name: `${P}x` },
      y: { type: 'namespace', path: 'safe/y', name: `${P}y` },
      br: { type: 'bridge', path: 'safe/br', name: `${P}br` },
      l: { type: 'veth', path: 'safe/l', a: { namespace: `${P}x`, name: 'eth0' }, b: { name: `${P}x0`, master: `${P}br` } },
    },
  });

  it('refuses to apply over a foreign namespace of the same name, naming it, and changes nothing', async () => {
    ip('netns', 'add', `${P}x`);
    ip('-n', `${P}x`, 'addr', 'add', '192.0.2.1/32', 'dev', 'lo');
    await expect(applyLab(plan(), opts)).rejects.toThrow(`[safe/x] namespace "${P}x" already exists and is not managed by nslab; nslab leaves it alone`);
    expect(namespacesWith(P)).toEqual([`${P}x`]);
    expect(hostLinksWith(P)).toEqual([]);
    expect(ip('-n', `${P}x`, 'addr', 'show', 'dev', 'lo')).toContain('192.0.2.1/32');
    ip('netns', 'del', `${P}x`);
  });

  it('refuses a foreign host interface of the same name and leaves it and its neighbours alone', async () => {
    ip('link', 'add', `${P}br`, 'type', 'bridge');
    ip('link', 'add', `${P}br1`, 'type', 'bridge');
    await expect(applyLab(plan(), opts)).rejects.toThrow(`interface "${P}br" already exists in the host and is not managed by nslab`);
    expect(JSON.parse(ip('-d', '-j', 'link', 'show', `${P}br`))[0].ifalias).toBeUndefined();
    expect(namespacesWith(P)).toEqual([]);
    ip('link', 'del', `${P}br`);
  });

  it('applies next to a neighbouring foreign interface and destroys without touching it', async () => {
    await applyLab(plan(), opts);
    expect((await planLab(plan(), opts)).result.changes).toEqual([]);
    await destroyLab(`${P}safe`, opts);
    expect(hostLinksWith(P)).toEqual([`${P}br1`]);
    expect(tryIp('link', 'show', `${P}br1`).ok).toBe(true);
    expect(namespacesWith(P)).toEqual([]);
  });

  it('makes no kernel change for an invalid plan: nslab apply stops before the valid parts too', async () => {
    const bad = { ...plan(), resources: { ...plan().resources, bad: { type: 'address', path: 'safe/bad', namespace: `${P}x`, device: 'eth0', address: '10.0.0.300/24' } } };
    const dir = mkdtempSync(join(tmpdir(), 'nslab-bad-'));
    try {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify(bad));
      const before = hostLinksWith(P);
      const r = spawnSync('node', [CLI, 'apply', file, '--auto-approve'], { env: { ...process.env, NSLAB_STATE_DIR: fx.stateDir }, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('error: [safe/bad] address "10.0.0.300/24" is not an IPv4 or IPv6 CIDR (e.g. 10.0.0.1/24)\n');
      // The plan's valid namespaces and host bridge were not made, and the host's links are as they were.
      expect(namespacesWith(P)).toEqual([]);
      expect(hostLinksWith(P)).toEqual(before);
      expect(existsSync(join(fx.stateDir, `${P}safe.state.json`))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
