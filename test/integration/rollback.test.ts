/**
 * Rollback: a failure injected at every write step of a mid-size apply leaves the kernel exactly
 * as it was before that apply; foreign objects next to the lab are never touched.
 */
import { applyLab, destroyLab, planLab, ApplyFailedError } from '../../src/engine/lab.js';
import { buildScripts } from '../../src/engine/apply/batches.js';
import { loadPlan } from '../../src/plan/validate.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { describeKernel, ip, kernelFixture, namespacesWith } from '../support/kernel.js';
import { faultRunner } from '../support/fault.js';
import { snapshot } from '../support/snapshot.js';

/** Figures for the README's Guarantees section, printed at the end. */
export const figures = { injected: 0, restored: 0 };

describeKernel('rollback', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const n = (s: string) => `${P}${s}`;

  /** v1: a chain of three namespaces with a host bridge; v2 changes a bit of everything. */
  const lab = (v: 1 | 2): PlanDocument => {
    const r: Record<string, unknown> = {
      n0: { type: 'namespace', path: 'rb/n0', name: n('n0'), sysctls: { 'net.ipv4.ip_forward': v === 1 ? '0' : '1' } },
      n1: { type: 'namespace', path: 'rb/n1', name: n('n1') },
      n2: { type: 'namespace', path: 'rb/n2', name: n('n2') },
      br: { type: 'bridge', path: 'rb/br', name: n('br'), mtu: v === 1 ? 1500 : 1400 },
      l01: { type: 'veth', path: 'rb/l01', mtu: v === 1 ? 1500 : 1400, a: { namespace: n('n0'), name: 'e1' }, b: { namespace: n('n1'), name: 'e0' } },
      up: { type: 'veth', path: 'rb/up', mtu: v === 1 ? 1500 : 1400, a: { namespace: n('n0'), name: 'up' }, b: { name: n('up'), master: n('br') } },
      a01: { type: 'address', path: 'rb/a01', namespace: n('n0'), device: 'e1', address: v === 1 ? '10.0.1.1/24' : '10.0.1.5/24' },
      a10: { type: 'address', path: 'rb/a10', namespace: n('n1'), device: 'e0', address: '10.0.1.2/24' },
      brip: { type: 'address', path: 'rb/brip', device: n('br'), address: '10.0.9.254/24' },
      upip: { type: 'address', path: 'rb/upip', namespace: n('n0'), device: 'up', address: '10.0.9.1/24' },
      r1: { type: 'route', path: 'rb/r1', namespace: n('n1'), destination: 'default', via: v === 1 ? '10.0.1.1' : '10.0.1.5' },
    };
    if (v === 1) {
      r.l12 = { type: 'veth', path: 'rb/l12', a: { namespace: n('n1'), name: 'e2' }, b: { namespace: n('n2'), name: 'e1' } };
      r.a12 = { type: 'address', path: 'rb/a12', namespace: n('n1'), device: 'e2', address: '10.0.2.1/24' };
    } else {
      r.n3 = { type: 'namespace', path: 'rb/n3', name: n('n3') };
      r.l23 = { type: 'veth', path: 'rb/l23', a: { namespace: n('n2'), name: 'e3' }, b: { namespace: n('n3'), name: 'e2' } };
      r.a23 = { type: 'address', path: 'rb/a23', namespace: n('n2'), device: 'e3', address: 'fd00:23::1/64' };
      r.hr = { type: 'route', path: 'rb/hr', destination: '10.0.1.0/24', via: '10.0.9.1' };
    }
    return loadPlan({ version: 1, lab: 'rb', prefix: P, resources: r });
  };

  beforeAll(async () => {
    // Foreign neighbours: a namespace and a host bridge with names next to the lab's.
    ip('netns', 'add', n('n0x'));
    ip('link', 'add', n('brx'), 'type', 'bridge');
    ip('-n', n('n0x'), 'addr', 'add', '10.0.1.1/32', 'dev', 'lo');
    await applyLab(lab(1), opts);
  });

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`rollback: ${figures.injected} injected failures, ${figures.restored} restored exactly`);
  });

  it('restores the kernel exactly after a failure injected at each write step of the apply', async () => {
    const before = snapshot(P);
    const p = await planLab(lab(2), opts);
    const s = buildScripts(p.key, p.result.changes, p.live);
    const steps = [...s.deletes, ...s.configure].reduce((k, x) => k + x.lines.length, 0) + s.host.length + s.sysctls.size;
    expect(steps).toBeGreaterThan(15);
    for (let k = 0; k < steps; k++) {
      const runner = faultRunner(k);
      const err = await applyLab(lab(2), { ...opts, runner }).then(() => undefined, (e: unknown) => e);
      figures.injected++;
      expect(err).toBeInstanceOf(ApplyFailedError);
      expect((err as ApplyFailedError).message).toMatch(`injected failure at write line ${k}`);
      expect((err as ApplyFailedError).rolledBack).toBe(true);
      expect(snapshot(P)).toEqual(before);
      figures.restored++;
    }
    expect((await planLab(lab(1), opts)).result.changes).toEqual([]);
  });

  it('keeps the partial result with rollback off, and the next apply converges', async () => {
    const err = await applyLab(lab(2), { ...opts, runner: faultRunner(8), rollback: false }).then(() => undefined, (e: unknown) => e);
    expect((err as ApplyFailedError).rolledBack).toBe(false);
    expect((await planLab(lab(2), opts)).result.changes.length).toBeGreaterThan(0);
    await applyLab(lab(2), opts);
    expect((await planLab(lab(2), opts)).result.changes).toEqual([]);
  });

  it('never touched the foreign neighbours, and destroy removes the lab only', async () => {
    await destroyLab(`${P}rb`, opts);
    expect(namespacesWith(P)).toEqual([n('n0x')]);
    expect(ip('-n', n('n0x'), 'addr', 'show', 'dev', 'lo')).toContain('10.0.1.1/32');
    expect(JSON.parse(ip('-j', 'link', 'show', n('brx')))[0].ifname).toBe(n('brx'));
  });
});
