/**
 * A host route the lab did not make is a conflict whatever the apply creates around it (a new
 * bridge it would sit on, by device or through a gateway; IPv4 and IPv6), on the real kernel.
 */
import { applyLab, destroyLab, planLab } from '../../src/engine/lab.js';
import { loadPlan } from '../../src/plan/validate.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { describeKernel, hostLinksWith, ip, kernelFixture } from '../support/kernel.js';
import { intactProblems } from '../support/intact.js';

describeKernel('a host route the lab does not own', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const n = (s: string) => `${P}${s}`;
  const routesTo = (dest: string) => ip(dest.includes(':') ? '-6' : '-4', 'route', 'show', dest).trim();

  /** A new host bridge with addresses and one route. */
  const lab = (route?: Record<string, unknown>): PlanDocument => loadPlan({
    version: 1, lab: 'hr', prefix: P,
    resources: {
      br: { type: 'bridge', path: 'hr/br', name: n('br') },
      'br-ip': { type: 'address', path: 'hr/br-ip', device: n('br'), address: '10.89.0.1/24' },
      'br-ip6': { type: 'address', path: 'hr/br-ip6', device: n('br'), address: 'fd89::1/64' },
      ...(route ? { r: { type: 'route', path: 'hr/r', ...route } } : {}),
    },
  });

  beforeAll(() => {
    ip('link', 'add', n('fx'), 'type', 'bridge');
    ip('link', 'set', n('fx'), 'up');
    ip('route', 'add', '10.88.0.0/24', 'dev', n('fx'));
    ip('-6', 'route', 'add', 'fd88::/64', 'dev', n('fx'));
  });

  it.each([
    ['by device, created with the route', { destination: '10.88.0.0/24', device: 'BR' }, '10.88.0.0/24'],
    ['via a gateway on the created bridge', { destination: '10.88.0.0/24', via: '10.89.0.2' }, '10.88.0.0/24'],
    ['IPv6, by device', { destination: 'fd88::/64', device: 'BR' }, 'fd88::/64'],
    ['IPv6, via a gateway', { destination: 'fd88::/64', via: 'fd89::2' }, 'fd88::/64'],
  ])('refuses a route %s, naming it, and changes nothing', async (_what, route, dest) => {
    const plan = lab({ ...route, ...('device' in route ? { device: n('br') } : {}) });
    const before = routesTo(dest);
    expect(before).toContain(`dev ${n('fx')}`);
    const { conflicts } = (await planLab(plan, opts)).result;
    expect(conflicts).toEqual([{ path: 'hr/r', message: `route to ${dest} already exists in the host and is not owned by lab "${P}hr"; nslab leaves it alone` }]);
    await expect(applyLab(plan, opts)).rejects.toThrow(`[hr/r] route to ${dest} already exists in the host`);
    expect(routesTo(dest)).toBe(before);
    expect(hostLinksWith(P)).toEqual([n('fx')]);
    expect(await destroyLab(`${P}hr`, opts)).toBeUndefined();
    expect(routesTo(dest)).toBe(before);
  });

  it('applies the lab without the route, then still refuses it; destroy leaves the foreign routes', async () => {
    await applyLab(lab(), opts);
    expect((await planLab(lab(), opts)).result).toEqual({ changes: [], conflicts: [] });
    expect(intactProblems(lab(), fx.stateDir)).toEqual([]);
    const plan = lab({ destination: '10.88.0.0/24', device: n('br') });
    await expect(applyLab(plan, opts)).rejects.toThrow('[hr/r] route to 10.88.0.0/24 already exists in the host');
    expect(routesTo('10.88.0.0/24')).toContain(`dev ${n('fx')}`);
    await destroyLab(`${P}hr`, opts);
    expect(routesTo('10.88.0.0/24')).toContain(`dev ${n('fx')}`);
    expect(routesTo('fd88::/64')).toContain(`dev ${n('fx')}`);
    expect(hostLinksWith(P)).toEqual([n('fx')]);
    ip('link', 'del', n('fx'));
  });
});
