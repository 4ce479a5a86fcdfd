/**
 * A sysctl the lab stops declaring goes back to the value nslab found before it first set it.
 */
import { applyLab, destroyLab, planLab } from '../../src/engine/lab.js';
import { loadPlan } from '../../src/plan/validate.js';
import { readState } from '../../src/engine/state/state.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { describeKernel, ip, kernelFixture, namespacesWith } from '../support/kernel.js';

describeKernel('sysctls no longer declared', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const key = `${P}sys`;
  const lab = (sysctls: Record<string, string>): PlanDocument => loadPlan({
    version: 1, lab: 'sys', prefix: P,
    resources: { r: { type: 'namespace', path: 'sys/r', name: `${P}r`, sysctls } },
  });
  const value = (k: string) => ip('netns', 'exec', `${P}r`, 'sysctl', '-n', k).trim();
  afterAll(async () => {
    await destroyLab(key, opts).catch(() => undefined);
  });

  it('restores values found when set on a created namespace and when added later, in one apply, then plans nothing', async () => {
    await applyLab(lab({ 'net.ipv4.ip_forward': '1' }), opts);
    expect(value('net.ipv4.ip_forward')).toBe('1');
    const ttl = value('net.ipv4.ip_default_ttl');
    expect(ttl).not.toBe('17');
    await applyLab(lab({ 'net.ipv4.ip_forward': '1', 'net.ipv4.ip_default_ttl': '17' }), opts);
    expect(readState(fx.stateDir, key)?.sysctlsFound).toEqual({ [`${P}r`]: { 'net.ipv4.ip_forward': '0', 'net.ipv4.ip_default_ttl': ttl } });

    const p = await planLab(lab({}), opts);
    expect(p.result.changes).toHaveLength(1);
    expect(p.result.changes[0]).toMatchObject({
      action: 'update', id: 'r',
      reason: 'no longer declared: net.ipv4.ip_forward, net.ipv4.ip_default_ttl back to the value found before nslab set it',
    });
    await applyLab(lab({}), opts);
    expect(value('net.ipv4.ip_forward')).toBe('0');
    expect(value('net.ipv4.ip_default_ttl')).toBe(ttl);
    expect((await planLab(lab({}), opts)).result.changes).toEqual([]);
    expect(readState(fx.stateDir, key)?.sysctlsFound).toBeUndefined();
    // Declared again later: recorded again, from the value found then.
    await applyLab(lab({ 'net.ipv4.ip_forward': '1' }), opts);
    expect(readState(fx.stateDir, key)?.sysctlsFound).toEqual({ [`${P}r`]: { 'net.ipv4.ip_forward': '0' } });
    await destroyLab(key, opts);
    expect(namespacesWith(P)).toEqual([]);
  });
});
