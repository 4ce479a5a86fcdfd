/**
 * Pins (src/engine/state/pins.ts): destroy proves a namespace the lab's by its pin without reading it,
 * never deletes one made by hand under the same name, and gc removes pins a lost state left.
 * On the real kernel.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { applyLab, destroyLab } from '../../src/engine/lab.js';
import { removeStalePins } from '../../src/engine/gc.js';
import { loadPlan } from '../../src/plan/validate.js';
import { processRunner, type Runner } from '../../src/engine/runner.js';
import { pinDir, pinnedSame } from '../../src/engine/state/pins.js';
import { removeState } from '../../src/engine/state/state.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { describeKernel, ip, kernelFixture, namespacesWith } from '../support/kernel.js';
import { linkNames } from '../support/intact.js';

describeKernel('pins', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const n = (s: string) => `${P}${s}`;
  const plan = (lab: string): PlanDocument => loadPlan({
    version: 1, lab, prefix: P,
    resources: {
      d1: { type: 'namespace', path: `${lab}/d1`, name: n(`${lab}1`) },
      d2: { type: 'namespace', path: `${lab}/d2`, name: n(`${lab}2`) },
      l: { type: 'veth', path: `${lab}/l`, a: { namespace: n(`${lab}1`), name: 'e0' }, b: { namespace: n(`${lab}2`), name: 'e0' } },
      a1: { type: 'address', path: `${lab}/a1`, namespace: n(`${lab}1`), device: 'e0', address: '10.51.0.1/24' },
    },
  });
  /** The process runner, recording every argv. */
  const recording = () => {
    const calls: string[][] = [];
    const runner: Runner = { run: (argv, input, o) => (calls.push([...argv]), processRunner.run(argv, input, o)) };
    return { calls, runner };
  };


  it('pins the namespaces an apply verified; destroy deletes them without entering them, and drops the pins', async () => {
    const p = plan('pa');
    await applyLab(p, { stateDir: fx.stateDir });
    expect(pinnedSame(fx.stateDir, `${P}pa`, n('pa1'))).toBe(true);
    expect(pinnedSame(fx.stateDir, `${P}pa`, n('pa2'))).toBe(true);
    const { calls, runner } = recording();
    const res = await destroyLab(`${P}pa`, { stateDir: fx.stateDir, runner });
    expect(res!.changes.map((c) => c.id).sort()).toEqual(['a1', 'd1', 'd2', 'l']);
    expect(calls.filter((a) => a.includes('-n') || a.some((w) => w.startsWith('--net=')))).toEqual([]);
    expect(namespacesWith(n('pa'))).toEqual([]);
    expect(existsSync(pinDir(fx.stateDir, `${P}pa`))).toBe(false);
  });

  it('never deletes a namespace deleted and made again by hand under the same name while pinned', async () => {
    const p = plan('pb');
    await applyLab(p, { stateDir: fx.stateDir });
    expect(pinnedSame(fx.stateDir, `${P}pb`, n('pb1'))).toBe(true);
    ip('netns', 'del', n('pb1'));
    ip('netns', 'add', n('pb1'));
    ip('-n', n('pb1'), 'link', 'add', 'mine', 'type', 'bridge');
    // The old namespace lives on in its pin: the new one cannot have its inode.
    expect(pinnedSame(fx.stateDir, `${P}pb`, n('pb1'))).toBe(false);
    const res = await destroyLab(`${P}pb`, { stateDir: fx.stateDir });
    expect(res!.leftAlone).toEqual([`[pb/d1] namespace "${n('pb1')}" is in the lab's state but its lo lacks the lab's marker (made outside nslab); left alone`]);
    expect(namespacesWith(n('pb'))).toEqual([n('pb1')]);
    expect(linkNames(n('pb1'))).toEqual(['lo', 'mine']);
    expect(existsSync(pinDir(fx.stateDir, `${P}pb`))).toBe(false);
    ip('netns', 'del', n('pb1'));
  });

  it('gc removes the pins of a lab whose state is lost, and the namespaces they held go', async () => {
    await applyLab(plan('pc'), { stateDir: fx.stateDir });
    const dir = pinDir(fx.stateDir, `${P}pc`);
    expect(readdirSync(dir).sort()).toEqual([n('pc1'), n('pc2')]);
    removeState(fx.stateDir, `${P}pc`);
    ip('netns', 'del', n('pc1'));
    ip('netns', 'del', n('pc2'));
    expect(await removeStalePins(processRunner, fx.stateDir)).toEqual([`${P}pc`]);
    expect(existsSync(dir)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
