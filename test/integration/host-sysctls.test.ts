/**
 * Host sysctls (the Sysctl construct, plan resources of type `sysctl`) on the real kernel. Only
 * per-interface keys of host devices this file makes (named with its random prefix) are
 * changed, so nothing global on the machine moves; the devices go with the fixture's sweep.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplyFailedError, applyLab, destroyLab, planLab } from '../../src/engine/lab.js';
import { processRunner, type Runner } from '../../src/engine/runner.js';
import { loadPlan } from '../../src/plan/validate.js';
import { readState, removeState, writeState } from '../../src/engine/state/state.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { describeKernel, hostLinksWith, ip, kernelFixture, namespacesWith } from '../support/kernel.js';
import { runCli } from '../support/cli.js';

describeKernel('host sysctls', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const key = (dev: string) => `net.ipv4.conf.${dev}.forwarding`;
  const value = (dev: string) => readFileSync(`/proc/sys/net/ipv4/conf/${dev}/forwarding`, 'utf8').trim();
  const set = (dev: string, v: string) => writeFileSync(`/proc/sys/net/ipv4/conf/${dev}/forwarding`, v);
  const lab = (name: string, resources: Record<string, unknown>): PlanDocument => loadPlan({ version: 1, lab: name, prefix: P, resources });
  const fwd = (dev: string, v = '1') => ({ type: 'sysctl', path: 'x/fwd', key: key(dev), value: v });
  const labs: string[] = [];
  afterAll(async () => {
    for (const l of labs) await destroyLab(`${P}${l}`, opts).catch(() => undefined);
  });

  it('sets a key of a host bridge the lab creates; drift shown and repaired; removing the Sysctl puts back the value found; plan empty after each apply', async () => {
    labs.push('own');
    const br = `${P}br`;
    const bridge = { type: 'bridge', path: 'own/br', name: br };
    const withSysctl = lab('own', { br: bridge, fwd: fwd(br) });
    await applyLab(withSysctl, opts);
    expect(value(br)).toBe('1');
    expect((await planLab(withSysctl, opts)).result.changes).toEqual([]);
    expect(readState(fx.stateDir, `${P}own`)?.sysctlsFound).toEqual({ '': { [key(br)]: '0' } });

    set(br, '0'); // drift, out of band
    const drift = await planLab(withSysctl, opts);
    expect(drift.result.changes).toMatchObject([{ id: 'fwd', action: 'update', reason: 'differs from the kernel (changed out of band)', fields: [{ field: 'value', from: '0', to: '1' }] }]);
    await applyLab(withSysctl, opts);
    expect(value(br)).toBe('1');
    expect((await planLab(withSysctl, opts)).result.changes).toEqual([]);

    const without = lab('own', { br: bridge });
    const p = await planLab(without, opts);
    expect(p.result.changes).toMatchObject([{ id: 'fwd', action: 'update', reason: `no longer declared: ${key(br)} back to the value found before nslab set it` }]);
    await applyLab(without, opts);
    expect(value(br)).toBe('0');
    expect((await planLab(without, opts)).result.changes).toEqual([]);
    expect(readState(fx.stateDir, `${P}own`)?.sysctlsFound).toBeUndefined();

    // Declared again, then destroyed: the key goes with the bridge, and destroy still succeeds.
    await applyLab(withSysctl, opts);
    expect(value(br)).toBe('1');
    await destroyLab(`${P}own`, opts);
    expect(hostLinksWith(br)).toEqual([]);
  });

  describe('on a host device the lab does not own', () => {
    const dev = `${P}h0`;
    beforeAll(() => {
      ip('link', 'add', dev, 'type', 'veth', 'peer', 'name', `${P}h1`);
    });

    it('destroy puts back the value found and leaves the device alone', async () => {
      labs.push('one');
      expect(value(dev)).toBe('0');
      const one = lab('one', { fwd: fwd(dev) });
      const r = await applyLab(one, opts);
      expect(r?.changes).toMatchObject([{ id: 'fwd', action: 'update', reason: 'declared in the lab; the kernel has 0' }]);
      expect(value(dev)).toBe('1');
      expect((await planLab(one, opts)).result.changes).toEqual([]);
      const d = await destroyLab(`${P}one`, opts);
      expect(d?.changes).toMatchObject([{ id: 'fwd', action: 'update', reason: `the lab is destroyed: ${key(dev)} back to the value found before nslab set it` }]);
      expect(value(dev)).toBe('0');
      expect(hostLinksWith(dev)).toEqual([dev]);
    });

    it('refuses a second lab declaring the same key, naming the first, with no kernel change', async () => {
      labs.push('first', 'second');
      await applyLab(lab('first', { fwd: fwd(dev) }), opts);
      expect(value(dev)).toBe('1');
      const second = lab('second', { ns: { type: 'namespace', path: 'second/ns', name: `${P}s` }, fwd: fwd(dev, '0') });
      const message = `[x/fwd] sysctl "${key(dev)}" in the host is declared by lab "${P}first" too; nslab leaves it to that lab (each lab puts back the value it found, so two would fight)`;
      expect((await planLab(second, opts)).result.conflicts).toEqual([{ path: 'x/fwd', message: message.slice('[x/fwd] '.length) }]);
      await expect(applyLab(second, opts)).rejects.toThrow(message);
      expect(value(dev)).toBe('1');
      expect(namespacesWith(`${P}s`)).toEqual([]);
      expect(readState(fx.stateDir, `${P}second`)).toBeUndefined();
      await destroyLab(`${P}first`, opts);
      expect(value(dev)).toBe('0');
    });

    it('a failed apply puts back the host sysctl it had set (rollback)', async () => {
      labs.push('rb');
      expect(value(dev)).toBe('0');
      const rb = lab('rb', { ns: { type: 'namespace', path: 'rb/ns', name: `${P}r`, sysctls: { 'net.ipv4.ip_default_ttl': '33' } }, fwd: fwd(dev) });
      let hostSet!: () => void;
      const hostDone = new Promise<void>((res) => { hostSet = res; });
      // The namespace's sysctl process fails once the host's has set its key.
      const runner: Runner = {
        async run(argv, input) {
          const assigns = argv.some((a) => a.includes('='));
          if (argv[0] === 'sysctl' && assigns) return processRunner.run(argv, input).finally(hostSet);
          if (argv[0] !== 'sysctl' && argv.includes('sysctl') && assigns) {
            await hostDone;
            return { stdout: '', stderr: 'injected failure', code: 1 };
          }
          return processRunner.run(argv, input);
        },
      };
      const err = await applyLab(rb, { ...opts, runner }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplyFailedError);
      expect((err as ApplyFailedError).rolledBack).toBe(true);
      expect(value(dev)).toBe('0');
      expect(namespacesWith(`${P}r`)).toEqual([]);
    });

    it('records the value found before the first change, so an apply stopped after setting the key still puts it back', async () => {
      labs.push('cut');
      expect(value(dev)).toBe('0');
      const cut = lab('cut', { ns: { type: 'namespace', path: 'cut/ns', name: `${P}c`, sysctls: { 'net.ipv4.ip_default_ttl': '33' } }, fwd: fwd(dev) });
      let hostSet!: () => void;
      const hostDone = new Promise<void>((res) => { hostSet = res; });
      // The apply stops (its namespace's sysctl process fails) once the host key is set; no rollback.
      const runner: Runner = {
        async run(argv, input) {
          const assigns = argv.some((a) => a.includes('='));
          if (argv[0] === 'sysctl' && assigns) return processRunner.run(argv, input).finally(hostSet);
          if (argv[0] !== 'sysctl' && argv.includes('sysctl') && assigns) {
            await hostDone;
            return { stdout: '', stderr: 'injected failure', code: 1 };
          }
          return processRunner.run(argv, input);
        },
      };
      await expect(applyLab(cut, { ...opts, runner, rollback: false })).rejects.toThrow('--no-rollback');
      expect(value(dev)).toBe('1');
      expect(readState(fx.stateDir, `${P}cut`)?.sysctlsFound).toEqual({ '': { [key(dev)]: '0' } });
      await destroyLab(`${P}cut`, opts);
      expect(value(dev)).toBe('0');
    });

    it('refuses the key when another lab claims it between the plan and the first change (its apply under way)', async () => {
      labs.push('late');
      const late = lab('late', { ns: { type: 'namespace', path: 'late/ns', name: `${P}l` }, fwd: fwd(dev) });
      const claim = lab('racer', { fwd: fwd(dev) });
      const confirm = () => {
        // What another lab's apply records before its first change.
        writeState(fx.stateDir, { version: 1, lab: 'racer', prefix: P, key: `${P}racer`, resources: {}, pending: claim.resources });
        return true;
      };
      try {
        await expect(applyLab(late, { ...opts, confirm })).rejects.toThrow(`[x/fwd] sysctl "${key(dev)}" in the host is declared by lab "${P}racer" too`);
      } finally {
        removeState(fx.stateDir, `${P}racer`);
      }
      expect(value(dev)).toBe('0');
      expect(namespacesWith(`${P}l`)).toEqual([]);
      expect(readState(fx.stateDir, `${P}late`)).toBeUndefined();
    });
  });

  it('a key the kernel lacks is one error at plan time, through the CLI too, and nothing changes', async () => {
    const missing = lab('miss', { ns: { type: 'namespace', path: 'miss/ns', name: `${P}m` }, fwd: { ...fwd(`${P}nodev`), path: 'miss/fwd' } });
    const message = `sysctl "${key(`${P}nodev`)}" does not exist in this kernel (no /proc/sys/net/ipv4/conf/${P}nodev/forwarding); nothing was changed`;
    await expect(applyLab(missing, opts)).rejects.toThrow(`[miss/fwd] ${message}`);
    const dir = mkdtempSync(join(tmpdir(), 'nslab-plan-'));
    try {
      const file = join(dir, 'miss.plan.json');
      writeFileSync(file, JSON.stringify(missing));
      const r = await runCli({ ...process.env, NSLAB_STATE_DIR: fx.stateDir }, 'apply', file, '--auto-approve');
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`error: [miss/fwd] ${message}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(namespacesWith(`${P}m`)).toEqual([]);
    expect(execFileSync('ls', [fx.stateDir], { encoding: 'utf8' })).not.toContain(`${P}miss.state`);
  });
});
