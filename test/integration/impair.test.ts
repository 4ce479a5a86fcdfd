/**
 * Link impairments on the real kernel: a rate limit (tbf) timed with a bounded transfer between
 * two lab namespaces, changed in place, drift shown and repaired, removed; netem refused at plan
 * time on a kernel without it.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { applyLab, destroyLab, planLab } from '../../src/engine/lab.js';
import { loadPlan, PlanError } from '../../src/plan/validate.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { hasNetem } from '../../src/engine/live/extras.js';
import { processRunner } from '../../src/engine/runner.js';
import { describeKernel, kernelFixture, namespacesWith } from '../support/kernel.js';
import { startServer, timedSend } from '../support/traffic.js';

const tc = (ns: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'tc', ...args], { encoding: 'utf8' });
const root = (ns: string, dev: string) => (JSON.parse(tc(ns, '-j', 'qdisc', 'show', 'dev', dev)) as Array<{ kind: string; root?: boolean; options?: { rate?: number } }>).find((q) => q.root);

describeKernel('link impairments on the real kernel', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const key = `${P}imp`;
  const n = (s: string) => `${P}${s}`;
  let sink: ChildProcess | undefined;
  afterAll(async () => {
    sink?.kill('SIGKILL');
    await destroyLab(key, opts).catch(() => undefined);
  });

  const lab = (impair?: object, brImpair?: object): PlanDocument => loadPlan({
    version: 1, lab: 'imp', prefix: P,
    resources: {
      a: { type: 'namespace', path: 'imp/a', name: n('a') },
      b: { type: 'namespace', path: 'imp/b', name: n('b') },
      br: { type: 'bridge', path: 'imp/br', namespace: n('b'), name: 'br0', impair: brImpair },
      link: { type: 'veth', path: 'imp/link', a: { namespace: n('a'), name: 'eth0', impair }, b: { namespace: n('b'), name: 'eth0' } },
      'a-ip': { type: 'address', path: 'imp/a-ip', namespace: n('a'), device: 'eth0', address: '10.88.0.1/24' },
      'b-ip': { type: 'address', path: 'imp/b-ip', namespace: n('b'), device: 'eth0', address: '10.88.0.2/24' },
    },
  });
  const changes = async (plan: PlanDocument) => (await planLab(plan, opts)).result.changes.map((c) => `${c.action} ${c.id} ${c.fields.map((f) => `${f.field}:${JSON.stringify(f.from)}->${JSON.stringify(f.to)}`).join(',')}`.trim());

  it('limits a link to 8 Mbit/s: 2 MB take about 2 s; the next plan is empty', async () => {
    await applyLab(lab({ rate: '8mbit' }, { rate: '100mbit', burst: '64kb' }), opts);
    expect(await changes(lab({ rate: '8mbit' }, { rate: '100mbit', burst: '64kb' }))).toEqual([]);
    expect(root(n('a'), 'eth0')).toMatchObject({ kind: 'tbf', options: { rate: 1_000_000 } });
    expect(root(n('b'), 'br0')).toMatchObject({ kind: 'tbf', options: { rate: 12_500_000 } });
    sink = await startServer(n('b'), 5001, 'sink');
    const t = timedSend(n('a'), '10.88.0.2', 5001, 2_000_000);
    expect(t.received).toBe(2_000_000);
    expect(t.seconds).toBeGreaterThan(1.6);
    expect(t.seconds).toBeLessThan(3.5);
  });

  it('changes the rate in place and removes a bridge impairment, restoring the default qdisc', async () => {
    expect(await changes(lab({ rate: '16mbit' }))).toEqual([
      'update br impair:{"rate":"100000kbit","burst":"65525b"}->null',
      'update link a.impair:{"rate":"8000kbit","burst":"10000b"}->{"rate":"16mbit"}',
    ]);
    await applyLab(lab({ rate: '16mbit' }), opts);
    expect(root(n('a'), 'eth0')).toMatchObject({ kind: 'tbf', options: { rate: 2_000_000 } });
    expect(root(n('b'), 'br0')?.kind).toBe('noqueue');
    expect(await changes(lab({ rate: '16mbit' }))).toEqual([]);
  });

  it('shows and repairs a removed qdisc and a changed rate', async () => {
    tc(n('a'), 'qdisc', 'del', 'dev', 'eth0', 'root');
    expect(await changes(lab({ rate: '16mbit' }))).toEqual(['update link a.impair:null->{"rate":"16mbit"}']);
    await applyLab(lab({ rate: '16mbit' }), opts);
    tc(n('a'), 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', '4mbit', 'burst', '20000', 'latency', '50ms');
    expect(await changes(lab({ rate: '16mbit' }))).toEqual(['update link a.impair:{"rate":"4000kbit","burst":"20000b"}->{"rate":"16mbit"}']);
    await applyLab(lab({ rate: '16mbit' }), opts);
    expect(root(n('a'), 'eth0')).toMatchObject({ kind: 'tbf', options: { rate: 2_000_000 } });
    expect(await changes(lab({ rate: '16mbit' }))).toEqual([]);
  });

  it('removes an impairment no longer declared', async () => {
    await applyLab(lab(), opts);
    expect(root(n('a'), 'eth0')?.kind).toBe('noqueue');
    expect(await changes(lab())).toEqual([]);
  });

  it('refuses, before any change, a lab that needs netem on a kernel without it', async () => {
    if (await hasNetem(processRunner)) {
      // eslint-disable-next-line no-console
      console.log('this kernel has netem: the refusal cannot be seen here');
      return;
    }
    await destroyLab(key, opts);
    const err = await planLab(lab({ delay: '20ms', loss: '1%' }), opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanError);
    expect((err as PlanError).problems).toEqual([
      `[imp/link] impair on "eth0" (delay 20ms, loss 1%) needs the kernel's netem qdisc (CONFIG_NET_SCH_NETEM, module sch_netem), which this kernel lacks: delay, jitter, loss, duplicate, corrupt, reorder need it; a rate alone (tbf) does not`,
    ]);
    await expect(applyLab(lab({ delay: '20ms' }), opts)).rejects.toThrow(/netem qdisc/u);
    expect(namespacesWith(P)).toEqual([]);
  });
});
