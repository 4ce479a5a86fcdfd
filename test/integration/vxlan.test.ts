/**
 * A vxlan device on the real kernel, through the engine's public API: created from the host
 * straight into a lab namespace with its tunnel, MTU and marker; drift (MTU, down, deleted)
 * planned and repaired; a tunnel changed in the code is one replacement; a foreign link of the
 * same name is a conflict that changes nothing; a VNI taken on the machine fails and rolls back;
 * destroy leaves nothing. No traffic is sent: the
 * tunnel's ends are loopback addresses.
 */
import { randomInt } from 'node:crypto';
import { ApplyFailedError, applyLab, destroyLab, planLab } from '../../src/engine/index.js';
import { ownerKey } from '../../src/engine/state/state.js';
import { loadPlan } from '../../src/plan/validate.js';
import { buildScripts } from '../../src/engine/apply/batches.js';
import { faultRunner } from '../support/fault.js';
import { ownerMarker, type PlanDocument } from '../../src/plan/types.js';
import { describeKernel, ip, kernelFixture, namespacesWith, tryIp } from '../support/kernel.js';

type J = Record<string, unknown>;

describeKernel('a vxlan device on the kernel', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const NS = `${P}a`;
  const KEY = `${P}vx`;
  const MARKER = ownerMarker(ownerKey(fx.stateDir, KEY));
  // VNIs are per machine (the kernel refuses a second device with the VNI and port in the host's
  // network): random ones, so that tests running side by side do not collide.
  const VNI = randomInt(100_000, 8_000_000);

  const plan = (over: { vni?: number; port?: number; extra?: Record<string, unknown> } = {}): PlanDocument => loadPlan({
    version: 1, lab: 'vx', prefix: P,
    resources: {
      a: { type: 'namespace', path: 'vx/a', name: NS },
      tun: {
        type: 'vxlan', path: 'vx/tun', namespace: NS, name: 'vx0', vni: over.vni ?? VNI, local: '127.0.0.1', remote: '127.0.0.2', port: over.port ?? 4789, mtu: 1450,
      },
      ip: { type: 'address', path: 'vx/ip', namespace: NS, device: 'vx0', address: '10.77.0.1/24' },
      ...over.extra,
    },
  });
  const live = (name = 'vx0'): J | undefined => {
    const r = tryIp('-n', NS, '-d', '-j', 'link', 'show', 'dev', name);
    return r.ok ? (JSON.parse(r.out) as J[])[0] : undefined;
  };
  const tunnel = (l: J | undefined) => ((l?.linkinfo as J | undefined)?.info_data ?? {}) as J;
  const changes = async (p: PlanDocument) => (await planLab(p, opts)).result;
  const summary = async (p: PlanDocument) => (await changes(p)).changes.map((c) => `${c.action} ${c.id} ${c.fields.map((f) => f.field).join(',')}`.trim());

  it('applies: the device is in the namespace with its tunnel, MTU, marker and address, and the plan after is empty', async () => {
    const res = await applyLab(plan(), opts);
    expect(res!.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['create a', 'create tun', 'create ip']);
    const l = live();
    expect((l?.linkinfo as J | undefined)?.info_kind).toBe('vxlan');
    expect(tunnel(l)).toMatchObject({ id: VNI, local: '127.0.0.1', remote: '127.0.0.2', port: 4789 });
    expect(l).toMatchObject({ mtu: 1450, ifalias: MARKER });
    expect(l!.flags).toContain('UP');
    // Its socket is the host's: the kernel reports the host's network as the link's netns.
    expect(typeof l!.link_netnsid).toBe('number');
    expect(ip('-n', NS, 'addr', 'show', 'dev', 'vx0')).toContain('10.77.0.1/24');
    expect(await changes(plan())).toEqual({ changes: [], conflicts: [] });
  });

  it('plans and repairs an MTU changed out of band, in place', async () => {
    const ifindex = live()!.ifindex;
    ip('-n', NS, 'link', 'set', 'dev', 'vx0', 'mtu', '1400');
    expect(await summary(plan())).toEqual(['update tun mtu']);
    await applyLab(plan(), opts);
    expect(live()).toMatchObject({ mtu: 1450, ifindex });
    expect(await changes(plan())).toEqual({ changes: [], conflicts: [] });
  });

  it('plans and repairs a device set down', async () => {
    ip('-n', NS, 'link', 'set', 'dev', 'vx0', 'down');
    expect(await summary(plan())).toEqual(['update tun up']);
    await applyLab(plan(), opts);
    expect(live()!.flags).toContain('UP');
    expect(await changes(plan())).toEqual({ changes: [], conflicts: [] });
  });

  it('plans and repairs a device deleted out of band, with its address', async () => {
    ip('-n', NS, 'link', 'del', 'dev', 'vx0');
    expect(await summary(plan())).toEqual(['create tun', 'create ip']);
    await applyLab(plan(), opts);
    expect(tunnel(live())).toMatchObject({ id: VNI, port: 4789 });
    expect(live()!.ifalias).toBe(MARKER);
    expect(ip('-n', NS, 'addr', 'show', 'dev', 'vx0')).toContain('10.77.0.1/24');
    expect(await changes(plan())).toEqual({ changes: [], conflicts: [] });
  });

  it('replaces the device when its VNI or port changes in the code', async () => {
    const changed = plan({ vni: VNI + 1, port: 4790 });
    const r = await changes(changed);
    expect(r.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['replace tun', 'update ip']);
    expect(r.changes[0]!.fields).toEqual([{ field: 'vni', from: VNI, to: VNI + 1 }, { field: 'port', from: 4789, to: 4790 }]);
    await applyLab(changed, opts);
    expect(tunnel(live())).toMatchObject({ id: VNI + 1, port: 4790 });
    expect(await changes(changed)).toEqual({ changes: [], conflicts: [] });
    await applyLab(plan(), opts);
    expect(tunnel(live())).toMatchObject({ id: VNI, port: 4789 });
  });

  it('rolls a failed VNI change back to the old tunnel, whichever step fails', async () => {
    const changed = plan({ vni: VNI + 1 });
    const p = await planLab(changed, opts);
    const s = buildScripts(p.key, p.result.changes, p.live);
    const lines = [...s.deletes, ...s.configure].reduce((k, x) => k + x.lines.length, 0) + s.host.length;
    expect(lines).toBeGreaterThanOrEqual(3);
    for (let k = 0; k < lines; k++) {
      const err = await applyLab(changed, { ...opts, runner: faultRunner(k) }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApplyFailedError);
      expect((err as Error).message).not.toMatch(/rollback failed/);
      expect(tunnel(live())).toMatchObject({ id: VNI, port: 4789 });
      expect(live()).toMatchObject({ mtu: 1450, ifalias: MARKER });
      expect(await changes(plan())).toEqual({ changes: [], conflicts: [] });
    }
  });

  it('refuses a foreign link of the same name as a conflict, and changes nothing', async () => {
    // A second vxlan the lab adds, whose name a hand-made link in the namespace already has: a
    // vxlan with the very tunnel declared, and a bridge.
    ip('link', 'add', 'name', 'vx9', 'netns', NS, 'type', 'vxlan', 'id', String(VNI + 2), 'local', '127.0.0.1', 'remote', '127.0.0.3', 'dstport', '4789');
    ip('-n', NS, 'link', 'add', 'vx8', 'type', 'bridge');
    const tun = (name: string, vni: number) => ({ type: 'vxlan', path: `vx/${name}`, namespace: NS, name, vni, local: '127.0.0.1', remote: '127.0.0.3', port: 4789 });
    const more = plan({ extra: { vx9: tun('vx9', VNI + 2), vx8: tun('vx8', VNI + 3) } });
    expect((await changes(more)).conflicts).toEqual(['vx9', 'vx8'].map((name) => ({ path: `vx/${name}`, message: `interface "${name}" already exists in namespace "${NS}" and is not managed by nslab; nslab leaves it alone` })));
    const before = ip('-n', NS, '-d', '-j', 'addr', 'show');
    await expect(applyLab(more, opts)).rejects.toThrow('interface "vx9" already exists');
    expect(ip('-n', NS, '-d', '-j', 'addr', 'show')).toBe(before);
    expect(live('vx9')!.ifalias).toBeUndefined();
    expect(live('vx8')).toMatchObject({ linkinfo: { info_kind: 'bridge' } });
    ip('-n', NS, 'link', 'del', 'dev', 'vx9');
    ip('-n', NS, 'link', 'del', 'dev', 'vx8');
    expect(await changes(plan())).toEqual({ changes: [], conflicts: [] });
  });

  it('fails on a VNI another device of the machine has (whatever its local address), naming the kernel\'s reason, and rolls back', async () => {
    // The kernel allows one device per VNI, port and address family among those whose socket is
    // in the host's network, wherever the device itself lives: here a hand-made one in another namespace.
    const other = `${P}f`;
    ip('netns', 'add', other);
    ip('link', 'add', 'name', 'vxf', 'netns', other, 'type', 'vxlan', 'id', String(VNI + 5), 'local', '127.0.0.9', 'remote', '127.0.0.8', 'dstport', '4789');
    const taken = plan({ extra: { vx5: { type: 'vxlan', path: 'vx/vx5', namespace: NS, name: 'vx5', vni: VNI + 5, local: '127.0.0.1', remote: '127.0.0.3', port: 4789 } } });
    expect((await changes(taken)).conflicts).toEqual([]);
    const before = ip('-n', NS, '-d', '-j', 'addr', 'show');
    const err = await applyLab(taken, opts).then(() => undefined, (e: unknown) => e as ApplyFailedError);
    expect(err).toBeInstanceOf(ApplyFailedError);
    expect(err!.message).toMatch(/A VXLAN device with the specified VNI already exists/);
    expect(err!.rolledBack).toBe(true);
    expect(live('vx5')).toBeUndefined();
    expect(ip('-n', NS, '-d', '-j', 'addr', 'show')).toBe(before);
    expect(await changes(plan())).toEqual({ changes: [], conflicts: [] });
    ip('netns', 'del', other);
  });

  it('destroys: no namespace of the lab, and no vxlan device left anywhere', async () => {
    await destroyLab(KEY, opts);
    expect(namespacesWith(P)).toEqual([]);
    const hostVxlans = JSON.parse(ip('-d', '-j', 'link', 'show', 'type', 'vxlan') || '[]') as J[];
    expect(hostVxlans.filter((l) => l.ifalias === MARKER || [VNI, VNI + 1, VNI + 2, VNI + 5].includes(tunnel(l).id as number))).toEqual([]);
  });
});
