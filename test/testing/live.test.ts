/**
 * nslab/testing on the real kernel: deploy, live handles, exec and spawn, reachability, and
 * teardown when the test throws, times out or deploys twice at once.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpAddress, NetNamespace, type Lab } from '../../constructs/index.js';
import { PlanError } from '../../src/plan/validate.js';
import { ownerMarker } from '../../src/plan/types.js';
import { ownerKey } from '../../src/engine/state/state.js';
import { deployLab, ExecError, ReachabilityError, runStateDirs, withLab, type DeployedLab } from '../../src/testing/index.js';
import { describeKernel, hostLinksWith, ip, namespacesWith, sweep } from '../support/kernel.js';
import { bridged, redBlue, routed } from './labs.js';

/** Running, not a zombie waiting for its parent to reap it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) [ZX] /su.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const leftovers = (prefix: string) => [...namespacesWith(prefix), ...hostLinksWith(prefix)];

describeKernel('labs as test fixtures, on the real kernel', () => {
  // Belt and braces: whatever a failing test may leave is swept by prefix at the end.
  const prefixes = new Set<string>();
  const seen = (lab: DeployedLab) => (prefixes.add(lab.prefix), lab);
  afterAll(() => { for (const p of prefixes) sweep(p); });

  it('reports live ifindex, MAC, MTU and addresses that match ip -j output', () =>
    withLab((lab) => redBlue(lab, { mtu: 1400 }), async (lab) => {
      seen(lab);
      const ns = lab.namespace('red');
      expect(ns.name).toBe(`${lab.prefix}red`);
      const dev = await ns.device('veth-red');
      const [raw] = JSON.parse(ip('-n', ns.name, '-j', 'addr', 'show', 'dev', 'veth-red')) as Array<{
        ifindex: number; address: string; mtu: number; addr_info: Array<{ local: string; prefixlen: number }>;
      }>;
      expect(dev).toMatchObject({ name: 'veth-red', namespace: ns.name, ifindex: raw!.ifindex, mac: raw!.address, mtu: 1400, up: true, kind: 'veth' });
      expect(dev.addresses).toEqual(raw!.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
      expect(dev.addresses).toContain('10.10.0.1/24');
      // The deployment's own state store is not the default one: the marker names it (`nslab:KEY@<8 hex>`).
      expect(dev.alias).toBe(ownerMarker(ownerKey(lab.stateDir, lab.key)));
      expect(dev.alias).toMatch(new RegExp(`^nslab:${lab.key}@[0-9a-f]{8}$`, 'u'));
      expect((await ns.devices()).map((d) => d.name).sort()).toEqual(['lo', 'veth-red']);
      await expect(ns.device('eth9')).rejects.toThrow(`namespace red (${ns.name}) has no device "eth9" (it has: lo, veth-red)`);
    }));

  it('reads a host bridge of the lab, and its ports, as the kernel has them', () =>
    withLab(bridged, async (lab) => {
      seen(lab);
      const br = await lab.hostDevice('br0');
      const [raw] = JSON.parse(ip('-j', 'addr', 'show', 'dev', `${lab.prefix}br0`)) as Array<{ ifindex: number; address: string; mtu: number }>;
      expect(br).toMatchObject({ name: `${lab.prefix}br0`, namespace: undefined, kind: 'bridge', ifindex: raw!.ifindex, mac: raw!.address, mtu: raw!.mtu });
      expect(br.addresses).toContain('10.20.0.254/24');
      expect((await lab.hostDevice(`${lab.prefix}br0-red`)).master).toBe(`${lab.prefix}br0`);
      const report = await lab.checkReachability();
      expect(report.results).toHaveLength(12);
      expect(report.text.split('\n')[0]).toBe('from \\ to  blue    green   red     yellow');
    }));

  it('runs commands inside a namespace as argv and returns stdout, stderr and the exit code', () =>
    withLab(redBlue, async (lab) => {
      seen(lab);
      const red = lab.namespace('red');
      const addrs = await red.exec(['ip', '-j', 'addr']);
      expect(addrs.code).toBe(0);
      expect(JSON.parse(addrs.stdout).map((l: { ifname: string }) => l.ifname)).toEqual(['lo', 'veth-red']);
      const r = await red.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3, signal: undefined });
      expect((await red.exec(['cat'], { input: 'a; b $(c)' })).stdout).toBe('a; b $(c)');
      await expect(red.exec(['false'], { check: true })).rejects.toThrow(ExecError);
      await expect(red.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toThrow(/did not finish within 300 ms \(killed\)/);
    }));

  it('stops a spawned server at teardown, and everything it started', async () => {
    let pids: number[] = [];
    await withLab(redBlue, async (lab) => {
      seen(lab);
      const p = lab.namespace('blue').spawn(['sh', '-c', 'sleep 60 & echo child $!; wait']);
      const line = await p.waitFor(/child \d+/);
      pids = [p.pid, Number(line.split(' ')[1])];
      expect(pids.every(alive)).toBe(true);
      expect(p.running).toBe(true);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('leaves nothing in ip netns list when the test throws inside withLab', async () => {
    let lab: DeployedLab | undefined;
    let pid = 0;
    await expect(withLab(bridged, async (l) => {
      lab = seen(l);
      pid = l.namespace('red').spawn(['sleep', '60']).pid;
      expect(namespacesWith(l.prefix)).toHaveLength(4);
      throw new Error('the test failed');
    })).rejects.toThrow('the test failed');
    expect(lab!.destroyed).toBe(true);
    expect(leftovers(lab!.prefix)).toEqual([]);
    expect(existsSync(lab!.stateDir)).toBe(false);
    expect(alive(pid)).toBe(false);
  });

  it('gives up on a body that outlives timeoutMs, destroys the lab and says so', async () => {
    let lab: DeployedLab | undefined;
    await expect(withLab(redBlue, async (l) => {
      lab = seen(l);
      await new Promise(() => {}); // hangs
    }, { timeoutMs: 500 })).rejects.toThrow(/^withLab: the test did not finish within 500 ms; lab nt[0-9a-z]{2}lab is destroyed$/u);
    expect(leftovers(lab!.prefix)).toEqual([]);
  });

  it('deploys the same lab twice at once under two prefixes; both work and both are torn down', async () => {
    const live: string[][] = [];
    const run = () => withLab(redBlue, async (lab) => {
      seen(lab);
      await lab.expectReachable('red', 'blue');
      live.push(namespacesWith(lab.prefix).sort());
      await new Promise((r) => setTimeout(r, 300)); // overlap
      await lab.expectReachable('blue', '10.10.0.1');
      return lab.prefix;
    });
    const [p1, p2] = await Promise.all([run(), run()]);
    expect(p1).not.toBe(p2);
    expect(live.flat().sort()).toEqual([`${p1}blue`, `${p1}red`, `${p2}blue`, `${p2}red`].sort());
    expect([...leftovers(p1!), ...leftovers(p2!)]).toEqual([]);
  });

  it('checks a routed lab\'s whole reachability matrix in one call, unreachable pairs included', () =>
    withLab(routed, async (lab) => {
      seen(lab);
      const report = await lab.checkReachability();
      expect(report.ok).toBe(true);
      expect(report.text).toBe([
        'from \\ to  a     b     c     iso   r',
        'a          -     yes   no    no    yes',
        'b          yes   -     yes   no    yes',
        'c          no    yes   -     no    no',
        'iso        no    no    no    -     no',
        'r          yes   yes   no    no    -',
      ].join('\n'));
      await lab.expectReachable('a', '10.2.0.1');
      await lab.expectReachable('a', 'fd01::fe');
      await lab.expectUnreachable('a', 'c');
      await expect(lab.expectReachable('a', 'c', { timeoutSec: 1 })).rejects.toThrow(
        /^expected a to reach c \(10\.3\.0\.2\), but no ping got a reply within 1 s .*topology: 10\.3\.0\.2: r has no route to 10\.3\.0\.2$/u);
    }, { timeoutMs: 50_000 }), 60_000);

  it('gives up at once on an address no route leads to ("Network is unreachable"), not after the whole timeout', () =>
    withLab(redBlue, async (lab) => {
      seen(lab);
      const started = Date.now();
      await expect(lab.expectReachable('red', '10.99.0.1', { timeoutSec: 5 })).rejects.toThrow(/10\.99\.0\.1: ping: connect: Network is unreachable/u);
      expect(Date.now() - started).toBeLessThan(2000);
      await lab.expectReachable('red', 'blue', { timeoutSec: 5 }); // a reachable one still answers
    }));

  it('throws the matrix, mismatches spelled out, when the kernel disagrees with the topology', () =>
    withLab(routed, async (lab) => {
      seen(lab);
      ip('-n', lab.namespace('b').name, 'link', 'set', 'eth0', 'down'); // out of band
      const err = await lab.checkReachability({ timeoutSec: 1 }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ReachabilityError);
      const { report } = err as ReachabilityError;
      expect(report.ok).toBe(false);
      expect(report.text.split('\n')[2]).toBe('b          NO!   -     yes   no    NO!');
      expect(report.text).toContain('  a should reach b (pinged 10.2.0.1), but got no reply; topology: routed: a -> r -> b');
      expect((err as Error).message).toMatch(/^reachability differs from the topology \(rows ping columns\):\nfrom \\ to/u);
    }, { timeoutMs: 50_000 }), 60_000);

  it('refuses invalid constructs before touching the kernel and keeps no run directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nslab-testing-root-'));
    try {
      const bad = (lab: Lab) => {
        const red = new NetNamespace(lab, 'red');
        new IpAddress(lab, 'red-ip', { device: red.loopback, address: '10.0.0.300/24' });
      };
      await expect(deployLab(bad, { root })).rejects.toThrow(PlanError);
      expect(readdirSync(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('lets a fixture deployed in beforeAll be destroyed in afterAll, and destroy twice is harmless', async () => {
    const lab = seen(await deployLab(redBlue, { name: 'fixture' }));
    expect(lab.key).toBe(`${lab.prefix}fixture`);
    expect(lab.namespace(`${lab.prefix}blue`).id).toBe('blue');
    expect(() => lab.namespace('green')).toThrow('lab fixture has no namespace "green" (it has: blue, red)');
    expect(runStateDirs()).toContain(lab.stateDir); // what a garbage collector must count as claimed
    await lab.destroy();
    expect(runStateDirs()).not.toContain(lab.stateDir);
    await lab.destroy();
    expect(leftovers(lab.prefix)).toEqual([]);
    expect(() => lab.namespace('red').spawn(['true'])).toThrow(`lab ${lab.key} is destroyed`);
  });
});
