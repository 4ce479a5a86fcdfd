/**
 * A namespace of the lab's name whose lo lacks the lab's marker is foreign to plan, apply and
 * destroy, except an empty one an interrupted apply of the lab left behind; on the real kernel.
 */
import { applyLab, destroyLab, planLab } from '../../src/engine/lab.js';
import { loadPlan } from '../../src/plan/validate.js';
import { ownerKey, readState, removeState, writeState } from '../../src/engine/state/state.js';
import { ownerMarker, type PlanDocument } from '../../src/plan/types.js';
import { describeKernel, ip, kernelFixture, namespacesWith, ping, sweep } from '../support/kernel.js';
import { hasAddress, intactProblems, linkNames } from '../support/intact.js';

describeKernel('a namespace of the lab\'s name that the lab did not make', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const n = (s: string) => `${P}${s}`;
  const key = `${P}own`;
  const plan = (): PlanDocument => loadPlan({
    version: 1, lab: 'own', prefix: P,
    resources: {
      d1: { type: 'namespace', path: 'own/d1', name: n('d1') },
      d2: { type: 'namespace', path: 'own/d2', name: n('d2') },
      l: { type: 'veth', path: 'own/l', a: { namespace: n('d1'), name: 'e0' }, b: { namespace: n('d2'), name: 'e0' } },
      'd1-ip': { type: 'address', path: 'own/d1-ip', namespace: n('d1'), device: 'e0', address: '10.47.0.1/24' },
      'd2-ip': { type: 'address', path: 'own/d2-ip', namespace: n('d2'), device: 'e0', address: '10.47.0.2/24' },
      'd2-route': { type: 'route', path: 'own/d2-route', namespace: n('d2'), destination: '10.48.0.0/24', via: '10.47.0.1' },
    },
  });
  // Each test starts from nothing, whatever the one before left.
  afterEach(() => {
    sweep(P);
    removeState(fx.stateDir, key);
  });
  const CONFLICT = `namespace "${n('d1')}" already exists and is not managed by nslab; nslab leaves it alone`;
  const converged = async () => {
    expect((await planLab(plan(), opts)).result).toEqual({ changes: [], conflicts: [] });
    expect(intactProblems(plan(), fx.stateDir)).toEqual([]);
    expect(ping(n('d1'), '10.47.0.2')).toBe(true);
  };
  /** Out of band: the lab's d1 deleted, and one of the same name made by hand. */
  const remake = (content: boolean) => {
    ip('netns', 'del', n('d1'));
    ip('netns', 'add', n('d1'));
    if (content) {
      ip('-n', n('d1'), 'link', 'add', 'e0', 'type', 'bridge');
      ip('-n', n('d1'), 'addr', 'add', '10.47.0.1/24', 'dev', 'e0');
    }
  };

  it.each([
    ['with foreign content', true],
    ['empty', false],
  ])('treats one made by hand %s as foreign: plan and apply refuse, destroy leaves it and says so', async (_what, content) => {
    await applyLab(plan(), opts);
    await converged();
    remake(content);
    const { conflicts, changes } = (await planLab(plan(), opts)).result;
    expect(conflicts[0]).toEqual({ path: 'own/d1', message: CONFLICT });
    // The foreign bridge takes the name of the lab's veth end: named too.
    expect(conflicts.slice(1)).toEqual(content ? [{ path: 'own/l', message: `interface "e0" already exists in namespace "${n('d1')}" and is not managed by nslab; nslab leaves it alone` }] : []);
    expect(changes.filter((c) => c.id === 'd1')).toEqual([]);
    await expect(applyLab(plan(), opts)).rejects.toThrow(`[own/d1] ${CONFLICT}`);
    const res = await destroyLab(key, opts);
    expect(res!.leftAlone).toEqual([`[own/d1] namespace "${n('d1')}" is in the lab's state but its lo lacks the lab's marker (made outside nslab); left alone`]);
    expect(namespacesWith(P)).toEqual([n('d1')]);
    expect(readState(fx.stateDir, key)).toBeUndefined();
    expect(linkNames(n('d1'))).toEqual(content ? ['e0', 'lo'] : ['lo']);
    if (content) expect(hasAddress(n('d1'), 'e0', '10.47.0.1/24')).toBe(true);
    expect(JSON.parse(ip('-n', n('d1'), '-j', '-d', 'link', 'show', 'lo'))[0].ifalias).toBeUndefined();
    ip('netns', 'del', n('d1'));
  });

  it('takes over an empty one an interrupted apply of the lab left (pending in its state), and converges', async () => {
    writeState(fx.stateDir, { version: 1, lab: 'own', prefix: P, key, resources: {}, pending: plan().resources });
    ip('netns', 'add', n('d1'));
    const { conflicts, changes } = (await planLab(plan(), opts)).result;
    expect(conflicts).toEqual([]);
    expect(changes.find((c) => c.id === 'd1')).toMatchObject({ action: 'update', fields: expect.arrayContaining([{ field: 'marker', from: null, to: ownerMarker(ownerKey(fx.stateDir, key)) }]) });
    await applyLab(plan(), opts);
    await converged();
    await destroyLab(key, opts);
    expect(namespacesWith(P)).toEqual([]);
  });

  it('refuses one with foreign content even when an interrupted apply left the name pending', async () => {
    writeState(fx.stateDir, { version: 1, lab: 'own', prefix: P, key, resources: {}, pending: plan().resources });
    ip('netns', 'add', n('d1'));
    ip('-n', n('d1'), 'link', 'add', 'fbr', 'type', 'bridge');
    await expect(applyLab(plan(), opts)).rejects.toThrow(`[own/d1] ${CONFLICT}`);
    const res = await destroyLab(key, opts);
    expect(res!.leftAlone).toHaveLength(1);
    expect(linkNames(n('d1'))).toEqual(['fbr', 'lo']);
    ip('netns', 'del', n('d1'));
    expect(namespacesWith(P)).toEqual([]);
  });
});
