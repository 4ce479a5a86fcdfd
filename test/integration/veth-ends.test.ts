/**
 * A veth whose one end changes (in the code, or out of band) is one replacement, and everything
 * the kernel drops with it (addresses and routes on both ends, routes through its gateway, in
 * namespaces and in the host, IPv4 and IPv6) is planned again; rollback of such an apply converges.
 */
import { applyLab, ApplyFailedError, planLab } from '../../src/engine/lab.js';
import { buildScripts } from '../../src/engine/apply/batches.js';
import { loadPlan } from '../../src/plan/validate.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { describeKernel, hostLinksWith, ip, kernelFixture, ping } from '../support/kernel.js';
import { intactProblems, linkNames } from '../support/intact.js';
import { faultRunner } from '../support/fault.js';
import { snapshot } from '../support/snapshot.js';

describeKernel('changing one end of a veth', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const n = (s: string) => `${P}${s}`;

  interface End { ns: string; name: string }
  /** m1, m2, m3; one veth with addresses and routes (via gateway and via device, v4 and v6) on each end. */
  const lab = (a: End, b: End, names: Record<string, string> = {}): PlanDocument => {
    const nsName = (id: string) => names[id] ?? n(id);
    const A = nsName(a.ns);
    const B = nsName(b.ns);
    return loadPlan({
      version: 1, lab: 'ends', prefix: P,
      resources: {
        m1: { type: 'namespace', path: 'ends/m1', name: nsName('m1') },
        m2: { type: 'namespace', path: 'ends/m2', name: nsName('m2') },
        m3: { type: 'namespace', path: 'ends/m3', name: nsName('m3') },
        cable: { type: 'veth', path: 'ends/cable', a: { namespace: A, name: a.name }, b: { namespace: B, name: b.name } },
        'a-ip': { type: 'address', path: 'ends/a-ip', namespace: A, device: a.name, address: '10.31.0.1/24' },
        'a-ip6': { type: 'address', path: 'ends/a-ip6', namespace: A, device: a.name, address: 'fd31::1/64' },
        'b-ip': { type: 'address', path: 'ends/b-ip', namespace: B, device: b.name, address: '10.31.0.2/24' },
        'b-ip6': { type: 'address', path: 'ends/b-ip6', namespace: B, device: b.name, address: 'fd31::2/64' },
        'a-via': { type: 'route', path: 'ends/a-via', namespace: A, destination: '10.32.0.0/24', via: '10.31.0.2' },
        'a-via6': { type: 'route', path: 'ends/a-via6', namespace: A, destination: 'fd32::/64', via: 'fd31::2' },
        'b-dev': { type: 'route', path: 'ends/b-dev', namespace: B, destination: '10.33.0.0/24', device: b.name },
        'b-dev6': { type: 'route', path: 'ends/b-dev6', namespace: B, destination: 'fd33::/64', device: b.name },
        'b-default': { type: 'route', path: 'ends/b-default', namespace: B, destination: 'default', via: '10.31.0.1' },
      },
    });
  };
  const DEPENDENTS = ['a-ip', 'a-ip6', 'a-via', 'a-via6', 'b-default', 'b-dev', 'b-dev6', 'b-ip', 'b-ip6'];

  /** The plan after apply is empty, the lab is intact, no stray link is left, and traffic flows. */
  const converged = async (plan: PlanDocument, a: string, b: string, expectLinks: Record<string, string[]>) => {
    expect((await planLab(plan, opts)).result).toEqual({ changes: [], conflicts: [] });
    expect(intactProblems(plan, fx.stateDir)).toEqual([]);
    for (const [ns, names] of Object.entries(expectLinks)) expect(linkNames(ns)).toEqual([...names, 'lo'].sort());
    expect(ping(a, '10.31.0.2')).toBe(true);
    expect(ping(b, 'fd31::1')).toBe(true);
  };

  /** One replacement of the veth, with a reason that is not "missing", and every dependent planned again. */
  const oneReplacement = async (plan: PlanDocument, field: string) => {
    const { changes, conflicts } = (await planLab(plan, opts)).result;
    expect(conflicts).toEqual([]);
    const cable = changes.filter((c) => c.id === 'cable');
    expect(cable.map((c) => c.action)).toEqual(['replace']);
    expect(cable[0]!.reason).not.toMatch(/missing/);
    expect(cable[0]!.fields.map((f) => f.field)).toContain(field);
    expect(changes.filter((c) => c.type !== 'veth' && c.type !== 'namespace').map((c) => c.id).sort()).toEqual(DEPENDENTS);
  };

  it('applies the lab', async () => {
    const plan = lab({ ns: 'm1', name: 'va' }, { ns: 'm2', name: 'vb' });
    await applyLab(plan, opts);
    await converged(plan, n('m1'), n('m2'), { [n('m1')]: ['va'], [n('m2')]: ['vb'], [n('m3')]: [] });
  });

  it('moves end b to another namespace: one replacement; rollback at any step restores the kernel exactly', async () => {
    const plan = lab({ ns: 'm1', name: 'va' }, { ns: 'm3', name: 'vb' });
    await oneReplacement(plan, 'b.namespace');
    const before = snapshot(P);
    const p = await planLab(plan, opts);
    const s = buildScripts(p.key, p.result.changes, p.live);
    const steps = [...s.deletes, ...s.configure].reduce((k, x) => k + x.lines.length, 0) + s.host.length;
    for (let k = 0; k < steps; k++) {
      const err = await applyLab(plan, { ...opts, runner: faultRunner(k) }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApplyFailedError);
      expect((err as Error).message).not.toMatch(/rollback failed/);
      expect(snapshot(P)).toEqual(before);
    }
    await applyLab(plan, opts);
    await converged(plan, n('m1'), n('m3'), { [n('m1')]: ['va'], [n('m2')]: [], [n('m3')]: ['vb'] });
  });

  it('renames end a only', async () => {
    await applyLab(lab({ ns: 'm1', name: 'va' }, { ns: 'm3', name: 'vb' }), opts);
    const plan = lab({ ns: 'm1', name: 'va2' }, { ns: 'm3', name: 'vb' });
    await oneReplacement(plan, 'a.name');
    await applyLab(plan, opts);
    await converged(plan, n('m1'), n('m3'), { [n('m1')]: ['va2'], [n('m2')]: [], [n('m3')]: ['vb'] });
  });

  it('moves end a the other way, into the namespace b left', async () => {
    await applyLab(lab({ ns: 'm1', name: 'va2' }, { ns: 'm3', name: 'vb' }), opts);
    const plan = lab({ ns: 'm2', name: 'va2' }, { ns: 'm3', name: 'vb' });
    await oneReplacement(plan, 'a.namespace');
    await applyLab(plan, opts);
    await converged(plan, n('m2'), n('m3'), { [n('m1')]: [], [n('m2')]: ['va2'], [n('m3')]: ['vb'] });
  });

  it('renames the namespace one end sits in', async () => {
    await applyLab(lab({ ns: 'm2', name: 'va2' }, { ns: 'm3', name: 'vb' }), opts);
    const plan = lab({ ns: 'm2', name: 'va2' }, { ns: 'm3', name: 'vb' }, { m3: n('m3x') });
    const { changes } = (await planLab(plan, opts)).result;
    expect(changes.filter((c) => c.id === 'cable').map((c) => c.action)).toEqual(['replace']);
    expect(changes.find((c) => c.id === 'm3')).toMatchObject({ action: 'replace' });
    await applyLab(plan, opts);
    await converged(plan, n('m2'), n('m3x'), { [n('m1')]: [], [n('m2')]: ['va2'], [n('m3x')]: ['vb'] });
  });
});

describeKernel('repairing a veth end renamed out of band', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const n = (s: string) => `${P}${s}`;
  /** p and q on veth y; p routes by default through q; q routes via device and via gateway; a host end with a host route. */
  const plan = (): PlanDocument => loadPlan({
    version: 1, lab: 'ren', prefix: P,
    resources: {
      p: { type: 'namespace', path: 'ren/p', name: n('p') },
      q: { type: 'namespace', path: 'ren/q', name: n('q'), sysctls: { 'net.ipv4.ip_forward': '1' } },
      y: { type: 'veth', path: 'ren/y', a: { namespace: n('p'), name: 'y1' }, b: { namespace: n('q'), name: 'y2' } },
      up: { type: 'veth', path: 'ren/up', a: { namespace: n('q'), name: 'up0' }, b: { name: n('up') } },
      'p-ip': { type: 'address', path: 'ren/p-ip', namespace: n('p'), device: 'y1', address: '10.41.0.1/24' },
      'p-ip6': { type: 'address', path: 'ren/p-ip6', namespace: n('p'), device: 'y1', address: 'fd41::1/64' },
      'q-ip': { type: 'address', path: 'ren/q-ip', namespace: n('q'), device: 'y2', address: '10.41.0.2/24' },
      'q-ip6': { type: 'address', path: 'ren/q-ip6', namespace: n('q'), device: 'y2', address: 'fd41::2/64' },
      'q-up': { type: 'address', path: 'ren/q-up', namespace: n('q'), device: 'up0', address: '10.45.0.1/30' },
      'host-up': { type: 'address', path: 'ren/host-up', device: n('up'), address: '10.45.0.2/30' },
      'p-default': { type: 'route', path: 'ren/p-default', namespace: n('p'), destination: 'default', via: '10.41.0.2' },
      'p-default6': { type: 'route', path: 'ren/p-default6', namespace: n('p'), destination: '::/0', via: 'fd41::2' },
      'q-dev': { type: 'route', path: 'ren/q-dev', namespace: n('q'), destination: '10.42.0.0/24', device: 'y2' },
      'q-via': { type: 'route', path: 'ren/q-via', namespace: n('q'), destination: '10.43.0.0/24', via: '10.41.0.1' },
      'q-via6': { type: 'route', path: 'ren/q-via6', namespace: n('q'), destination: 'fd43::/64', via: 'fd41::1' },
      'host-route': { type: 'route', path: 'ren/host-route', destination: '10.41.0.0/24', via: '10.45.0.1' },
    },
  });
  const Y_DEPENDENTS = ['p-default', 'p-default6', 'p-ip', 'p-ip6', 'q-dev', 'q-ip', 'q-ip6', 'q-via', 'q-via6'];
  const UP_DEPENDENTS = ['host-route', 'host-up', 'q-up'];

  const converged = async () => {
    expect((await planLab(plan(), opts)).result).toEqual({ changes: [], conflicts: [] });
    expect(intactProblems(plan(), fx.stateDir)).toEqual([]);
    expect(linkNames(n('p'))).toEqual(['lo', 'y1']);
    expect(linkNames(n('q'))).toEqual(['lo', 'up0', 'y2']);
    expect(hostLinksWith(n('upx'))).toEqual([]);
    expect(ping(n('p'), '10.45.0.2')).toBe(true);
    expect(ping(undefined, '10.41.0.1')).toBe(true);
    expect(ping(n('q'), 'fd41::1')).toBe(true);
  };
  /** The veth is replaced once and exactly its dependents are planned again. */
  const repairs = async (veth: string, dependents: string[]) => {
    const { changes, conflicts } = (await planLab(plan(), opts)).result;
    expect(conflicts).toEqual([]);
    expect(changes.filter((c) => c.type === 'veth').map((c) => `${c.action} ${c.id}`)).toEqual([`replace ${veth}`]);
    expect(changes.filter((c) => c.type !== 'veth').map((c) => c.id).sort()).toEqual(dependents);
  };

  it('applies the lab', async () => {
    await applyLab(plan(), opts);
    await converged();
  });

  it('replans addresses and routes of both ends when the end with the gateway is renamed', async () => {
    ip('-n', n('q'), 'link', 'set', 'y2', 'name', 'y2x');
    await repairs('y', Y_DEPENDENTS);
    await applyLab(plan(), opts);
    await converged();
  });

  it('does the same for the other end', async () => {
    ip('-n', n('p'), 'link', 'set', 'y1', 'name', 'y1x');
    await repairs('y', Y_DEPENDENTS);
    await applyLab(plan(), opts);
    await converged();
  });

  it('does the same for a host end, host route included', async () => {
    ip('link', 'set', n('up'), 'name', n('upx'));
    await repairs('up', UP_DEPENDENTS);
    await applyLab(plan(), opts);
    await converged();
  });

  it('rolls back a failed repair at any step, and the next apply converges', async () => {
    ip('-n', n('q'), 'link', 'set', 'y2', 'name', 'y2x');
    const p = await planLab(plan(), opts);
    const s = buildScripts(p.key, p.result.changes, p.live);
    const steps = [...s.deletes, ...s.configure].reduce((k, x) => k + x.lines.length, 0) + s.host.length;
    expect(steps).toBeGreaterThan(8);
    for (let k = 0; k < steps; k++) {
      const err = await applyLab(plan(), { ...opts, runner: faultRunner(k) }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApplyFailedError);
      expect((err as Error).message).not.toMatch(/rollback failed/);
      expect((err as ApplyFailedError).rolledBack).toBe(true);
      // The end cannot be renamed back by nslab: rollback restores the declared veth and all it carries.
      await converged();
      ip('-n', n('q'), 'link', 'set', 'y2', 'name', 'y2x');
    }
    await applyLab(plan(), opts);
    await converged();
  });
});
