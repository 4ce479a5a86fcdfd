/**
 * Masquerade, port forward and firewall on the real kernel, between the lab's own namespaces: a
 * client behind a router, an "internet" namespace on 203.0.113.0/24.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { applyLab, destroyLab, planLab } from '../../src/engine/lab.js';
import { loadPlan } from '../../src/plan/validate.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { tableName } from '../../src/plan/nft-rules.js';
import { ownerKey } from '../../src/engine/state/state.js';
import { describeKernel, kernelFixture, namespacesWith } from '../support/kernel.js';
import { ask, startServer } from '../support/traffic.js';

const nft = (ns: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'nft', ...args], { encoding: 'utf8' });

describeKernel('NAT and firewall on the real kernel', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const key = `${P}nat`;
  const n = (s: string) => `${P}${s}`;
  const table = () => tableName(ownerKey(fx.stateDir, key));
  const servers: ChildProcess[] = [];
  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await destroyLab(key, opts).catch(() => undefined);
  });

  const lab = (over: { input?: string; extraRule?: object } = {}): PlanDocument => loadPlan({
    version: 1, lab: 'nat', prefix: P,
    resources: {
      c1: { type: 'namespace', path: 'nat/c1', name: n('c1') },
      r: { type: 'namespace', path: 'nat/r', name: n('r'), sysctls: { 'net.ipv4.ip_forward': '1' } },
      inet: { type: 'namespace', path: 'nat/inet', name: n('inet') },
      lan: { type: 'veth', path: 'nat/lan', a: { namespace: n('c1'), name: 'eth0' }, b: { namespace: n('r'), name: 'lan0' } },
      wan: { type: 'veth', path: 'nat/wan', a: { namespace: n('r'), name: 'wan0' }, b: { namespace: n('inet'), name: 'eth0' } },
      'c1-ip': { type: 'address', path: 'nat/c1-ip', namespace: n('c1'), device: 'eth0', address: '10.77.0.2/24' },
      'r-lan': { type: 'address', path: 'nat/r-lan', namespace: n('r'), device: 'lan0', address: '10.77.0.1/24' },
      'r-wan': { type: 'address', path: 'nat/r-wan', namespace: n('r'), device: 'wan0', address: '203.0.113.1/24' },
      'inet-ip': { type: 'address', path: 'nat/inet-ip', namespace: n('inet'), device: 'eth0', address: '203.0.113.2/24' },
      'c1-default': { type: 'route', path: 'nat/c1-default', namespace: n('c1'), destination: 'default', via: '10.77.0.1' },
      masq: { type: 'masquerade', path: 'nat/masq', name: 'masq', namespace: n('r'), source: '10.77.0.0/24', outInterface: 'wan0' },
      web: { type: 'port-forward', path: 'nat/web', name: 'web', namespace: n('r'), inInterface: 'wan0', protocol: 'tcp', port: 8080, to: '10.77.0.2:80' },
      fw: {
        type: 'firewall', path: 'nat/fw', name: 'fw', namespace: n('r'), input: over.input ?? 'drop', forward: 'drop',
        rules: [
          { hook: 'forward', action: 'reject', protocol: 'tcp', port: 9001 },
          { hook: 'forward', action: 'accept', inInterface: 'lan0', outInterface: 'wan0' },
          { hook: 'input', action: 'accept', inInterface: 'lan0', protocol: 'tcp', port: 7000 },
          ...(over.extraRule ? [over.extraRule] : []),
        ],
      },
    },
  });
  const changes = async (plan: PlanDocument) => (await planLab(plan, opts)).result.changes.map((c) => `${c.action} ${c.id}${c.fields.length ? ` ${c.fields.map((f) => f.field).join(',')}` : ''}`).sort();

  it('masquerades, publishes a port and filters; the next plan is empty', async () => {
    await applyLab(lab(), opts);
    expect(await changes(lab())).toEqual([]);
    servers.push(await startServer(n('inet'), 9000), await startServer(n('inet'), 9001), await startServer(n('c1'), 80), await startServer(n('r'), 7000));
    // From behind the masquerade, the internet sees the router's outside address.
    expect(ask(n('c1'), '203.0.113.2', 9000)).toBe('203.0.113.1');
    // The published port reaches the server inside, which sees the internet's address.
    expect(ask(n('inet'), '203.0.113.1', 8080)).toBe('203.0.113.2');
    // The firewall: port 9001 rejected on the way out, the router's port 7000 only from the LAN.
    expect(ask(n('c1'), '203.0.113.2', 9001)).toBeUndefined();
    expect(ask(n('c1'), '10.77.0.1', 7000)).toBe('10.77.0.2');
    expect(ask(n('inet'), '203.0.113.1', 7000)).toBeUndefined();
  });

  it('changes a policy and adds a rule in place', async () => {
    const changed = lab({ input: 'accept', extraRule: { hook: 'input', action: 'drop', source: '203.0.113.0/24', protocol: 'tcp', port: 7000 } });
    expect(await changes(changed)).toEqual(['update fw input,rules']);
    await applyLab(changed, opts);
    expect(await changes(changed)).toEqual([]);
    expect(ask(n('inet'), '203.0.113.1', 7000)).toBeUndefined();
    await applyLab(lab(), opts);
  });

  it('shows and repairs a flushed table and a deleted rule', async () => {
    nft(n('r'), 'flush', 'table', 'inet', table());
    expect(await changes(lab())).toEqual(['create masq', 'create web', 'update fw allowEstablished,allowLoopback,allowPortForwards,rules']);
    await applyLab(lab(), opts);
    expect(await changes(lab())).toEqual([]);
    const listing = JSON.parse(nft(n('r'), '-a', '-j', 'list', 'chain', 'inet', table(), 'postrouting')) as { nftables: Array<{ rule?: { handle: number } }> };
    const handle = listing.nftables.find((x) => x.rule)!.rule!.handle;
    nft(n('r'), 'delete', 'rule', 'inet', table(), 'postrouting', 'handle', String(handle));
    expect(await changes(lab())).toEqual(['create masq']);
    await applyLab(lab(), opts);
    expect(ask(n('c1'), '203.0.113.2', 9000)).toBe('203.0.113.1');
  });

  it('removes a masquerade no longer declared, and destroy leaves no table', async () => {
    const { masq: _m, ...rest } = lab().resources;
    const without = { ...lab(), resources: rest };
    expect(await changes(without)).toEqual(['delete masq']);
    await applyLab(without, opts);
    expect(nft(n('r'), 'list', 'table', 'inet', table())).not.toContain('masquerade');
    await destroyLab(key, opts);
    expect(namespacesWith(P)).toEqual([]);
  });
});
