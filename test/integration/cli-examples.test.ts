/**
 * The two seed labs through the nslab command, on the real kernel: apply, reach, no-op plan,
 * drift shown and repaired, destroy leaving nothing. NSLAB_PREFIX keeps the names unique.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describeKernel, hostLinksWith, ip, kernelFixture, namespacesWith, ping } from '../support/kernel.js';

const exec = promisify(execFile);
const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

describeKernel('nslab on the seed labs', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const nslab = async (...args: string[]) => {
    try {
      const r = await exec('node', [CLI, ...args], { env: { ...process.env, NSLAB_PREFIX: P, NSLAB_STATE_DIR: fx.stateDir } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };
  const planExit = async (file: string) => (await nslab('plan', file, '--detailed-exitcode')).code;

  describe('red-blue', () => {
    const file = 'examples/red-blue.ts';

    it('applies, and red reaches blue over the cable', async () => {
      const r = await nslab('apply', file, '--auto-approve');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/apply complete: 5 created, 0 updated, 0 replaced, 0 deleted/);
      expect(namespacesWith(P).sort()).toEqual([`${P}blue`, `${P}red`]);
      expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    });

    it('has nothing more to do: plan exits 0 and a second apply changes nothing', async () => {
      expect(await planExit(file)).toBe(0);
      expect((await nslab('apply', file, '--auto-approve')).stdout).toMatch(/no changes/);
    });

    it('shows a flushed address as drift (exit 2) and apply repairs it', async () => {
      ip('-n', `${P}red`, 'addr', 'flush', 'dev', 'veth-red');
      const plan = await nslab('plan', file, '--detailed-exitcode');
      expect(plan.code).toBe(2);
      expect(plan.stdout).toMatch(/\+ +address 10\.10\.0\.1\/24 on veth-red/);
      expect(plan.stdout).toMatch(/removed out of band/);
      expect((await nslab('apply', file, '--auto-approve')).code).toBe(0);
      expect(await planExit(file)).toBe(0);
      expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    });

    it('repairs a link set down in place, without recreating it', async () => {
      const before = JSON.parse(ip('-n', `${P}blue`, '-j', 'link', 'show', 'veth-blue'))[0].ifindex;
      ip('-n', `${P}blue`, 'link', 'set', 'veth-blue', 'down');
      const plan = await nslab('plan', file);
      expect(plan.stdout).toMatch(/~ +veth veth-red/);
      expect(plan.stdout).toMatch(/b\.up: false -> true/);
      expect((await nslab('apply', file, '--auto-approve')).code).toBe(0);
      expect(JSON.parse(ip('-n', `${P}blue`, '-j', 'link', 'show', 'veth-blue'))[0].ifindex).toBe(before);
      expect(await planExit(file)).toBe(0);
    });

    it('removes a foreign address added to a managed link', async () => {
      ip('-n', `${P}red`, 'addr', 'add', '192.0.2.77/24', 'dev', 'veth-red');
      const plan = await nslab('plan', file, '--detailed-exitcode');
      expect(plan.code).toBe(2);
      expect(plan.stdout).toMatch(/- +address 192\.0\.2\.77\/24 on veth-red/);
      expect((await nslab('apply', file, '--auto-approve')).code).toBe(0);
      expect(ip('-n', `${P}red`, 'addr', 'show', 'dev', 'veth-red')).not.toContain('192.0.2.77');
      expect(await planExit(file)).toBe(0);
    });

    it('recreates a namespace deleted out of band', async () => {
      ip('netns', 'del', `${P}blue`);
      expect(await planExit(file)).toBe(2);
      expect((await nslab('apply', file, '--auto-approve')).code).toBe(0);
      expect(await planExit(file)).toBe(0);
      expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    });

    it('runs a command in a lab namespace with the prefix resolved', async () => {
      const r = await nslab('exec', file, 'red', '--', 'ip', '-j', 'addr', 'show', 'dev', 'veth-red');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)[0].addr_info.map((a: { local: string }) => a.local)).toContain('10.10.0.1');
      expect((await nslab('exec', '--lab', `${P}red-blue`, 'blue', '--', 'false')).code).toBe(1);
      expect((await nslab('exec', file, 'green', '--', 'true')).stderr).toMatch(/no namespace "green"/);
    });

    it('shows what it owns with show --json, drift marked', async () => {
      ip('-n', `${P}red`, 'link', 'set', 'lo', 'down');
      const show = JSON.parse((await nslab('show', '--lab', `${P}red-blue`, '--json')).stdout);
      const red = show[0].resources.find((r: { id: string }) => r.id === 'red');
      expect(red.drift.fields).toEqual([{ field: 'loopbackUp', from: false, to: true }]);
      expect(show[0].resources.find((r: { id: string }) => r.id === 'blue').drift).toBeNull();
      expect((await nslab('apply', file, '--auto-approve')).code).toBe(0);
    });

    it('destroys everything and leaves no namespace behind', async () => {
      const r = await nslab('destroy', file, '--auto-approve');
      expect(r.code).toBe(0);
      expect(namespacesWith(P)).toEqual([]);
      expect((await nslab('destroy', file, '--auto-approve')).stdout).toMatch(/nothing to destroy/);
    });
  });

  describe('a file with two labs', () => {
    const file = 'examples/side-by-side.ts';

    it('acts on every lab of the file, or on the one named with --lab', async () => {
      const all = JSON.parse((await nslab('plan', file, '--json')).stdout);
      expect(all.map((p: { key: string }) => p.key)).toEqual([`${P}a-copy-a`, `${P}b-copy-b`]);
      expect((await nslab('apply', file, '--lab', 'copy-b', '--auto-approve')).code).toBe(0);
      expect(namespacesWith(P).sort()).toEqual([`${P}b-blue`, `${P}b-red`]);
      expect(ping(`${P}b-red`, '10.10.0.2')).toBe(true);
      expect((await nslab('apply', file, '--auto-approve')).code).toBe(0);
      expect(namespacesWith(P)).toHaveLength(4);
      expect((await nslab('plan', file, '--detailed-exitcode')).code).toBe(0);
      expect((await nslab('destroy', file, '--auto-approve')).code).toBe(0);
      expect(namespacesWith(P)).toEqual([]);
    });
  });

  describe('bridge', () => {
    const file = 'examples/bridge.ts';
    const names = ['red', 'blue', 'green', 'yellow'];

    it('draws the topology as a mermaid graph naming the four namespaces and br0', async () => {
      const g = (await nslab('graph', file, '--format', 'mermaid')).stdout;
      for (const n of names) expect(g).toContain(`subgraph ns_${P}${n}["namespace ${P}${n}`);
      expect(g).toContain(`host__${P}br0["${P}br0<br/>bridge`);
    });

    it('applies; the host reaches every namespace and the namespaces reach each other', async () => {
      const r = await nslab('apply', file, '--auto-approve');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(hostLinksWith(P).sort()).toEqual([`${P}br0`, ...names.map((n) => `${P}br0-${n}`)].sort());
      names.forEach((_, i) => expect(ping(undefined, `10.20.0.${i + 1}`)).toBe(true));
      expect(ping(`${P}red`, '10.20.0.4')).toBe(true);
      expect(ping(`${P}yellow`, '10.20.0.2')).toBe(true);
      expect(ping(`${P}green`, '10.20.0.254')).toBe(true);
      expect(await planExit(file)).toBe(0);
    });

    it('puts a port taken off the bridge back, in place', async () => {
      ip('link', 'set', 'dev', `${P}br0-green`, 'nomaster');
      const plan = await nslab('plan', file);
      expect(plan.stdout).toMatch(/b\.master: \(none\) -> t\w+br0/);
      expect((await nslab('apply', file, '--auto-approve')).code).toBe(0);
      expect(await planExit(file)).toBe(0);
      expect(ping(`${P}green`, '10.20.0.1')).toBe(true);
    });

    it('destroys everything: no namespace, no host link', async () => {
      expect((await nslab('destroy', file, '--auto-approve')).code).toBe(0);
      expect(namespacesWith(P)).toEqual([]);
      expect(hostLinksWith(P)).toEqual([]);
    });
  });
});
