/**
 * The nslab command on the real kernel: lab names resolved alike in every command, exit codes of
 * exec, and output that fails (a reader that goes away) never interrupting kernel work.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeKernel, ip, kernelFixture, namespacesWith } from '../support/kernel.js';

/** A plan of `n` namespaces with `k` addresses each on lo: a plan text of about 200 KB, more than a pipe and its reader's buffer hold. */
function bigPlan(prefix: string, n: number, k: number): unknown {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const ns = `${prefix}n${i}`;
    resources[`n${i}`] = { type: 'namespace', name: ns, loopbackUp: true, sysctls: {}, path: `big/n${i}` };
    for (let j = 0; j < k; j++) {
      resources[`n${i}-a${j}`] = { type: 'address', namespace: ns, device: 'lo', address: `10.77.${i}.${j + 1}/32`, path: `big/n${i}-a${j}` };
    }
  }
  return { version: 1, lab: 'big', prefix, resources };
}

const execP = promisify(execFile);
const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

describeKernel('nslab: lab names, exit codes, closed output', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const env = { ...process.env, NSLAB_PREFIX: P, NSLAB_STATE_DIR: fx.stateDir };
  const nslab = async (...args: string[]) => {
    try {
      const r = await execP('node', [CLI, ...args], { env });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };
  const file = 'examples/red-blue.ts';

  /**
   * `nslab ARGS | head -n 1` through a real pipe (the arguments passed as argv, never as shell
   * text): head exits after the first line and nslab's later writes fail. Returns head's output,
   * nslab's stderr and nslab's own exit code.
   */
  const headOne = async (...args: string[]) => {
    const script = '{ "$0" "$@"; echo "nslab-exit=$?" >&2; } | head -n 1';
    const r = await execP('sh', ['-c', script, 'node', CLI, ...args], { env, maxBuffer: 1 << 24 });
    const m = /nslab-exit=(\d+)\n$/u.exec(r.stderr);
    return { first: r.stdout, code: m ? Number(m[1]) : undefined, stderr: r.stderr.replace(/nslab-exit=\d+\n$/u, '') };
  };

  describe('GIVEN a lab of 30 namespaces with 1800 addresses, and a reader that goes away', () => {
    const big = () => join(fx.stateDir, 'big.plan.json');
    beforeAll(() => writeFileSync(big(), JSON.stringify(bigPlan(P, 30, 60))));
    afterAll(async () => {
      await nslab('destroy', big(), '--auto-approve');
    });

    it('plan exits quietly', async () => {
      const r = await headOne('plan', big());
      expect(r).toEqual({ first: `lab ${P}big:\n`, code: 0, stderr: '' });
    });

    it('apply finishes its work and exits cleanly: the plan after it is empty, the state records no pending apply', async () => {
      const r = await headOne('apply', big(), '--auto-approve');
      expect(r).toEqual({ first: `lab ${P}big:\n`, code: 0, stderr: '' });
      expect(namespacesWith(`${P}n`)).toHaveLength(30);
      expect((await nslab('plan', big(), '--detailed-exitcode')).code).toBe(0);
      const state = JSON.parse(readFileSync(join(fx.stateDir, `${P}big.state.json`), 'utf8'));
      expect(state.pending).toBeUndefined();
      expect(Object.keys(state.resources)).toHaveLength(30 * 61);
    });

    it('show exits quietly', async () => {
      const r = await headOne('show', '--lab', 'big');
      expect(r).toEqual({ first: `lab ${P}big:\n`, code: 0, stderr: '' });
    });
  });

  describe('GIVEN lab red-blue applied under NSLAB_PREFIX', () => {
    beforeAll(async () => {
      expect((await nslab('apply', file, '--auto-approve')).code).toBe(0);
    });

    it('show, exec and plan take the bare name, and the key', async () => {
      for (const name of ['red-blue', `${P}red-blue`]) {
        const show = await nslab('show', '--lab', name, '--json');
        expect(show.stderr).toBe('');
        expect(JSON.parse(show.stdout).map((l: { key: string }) => l.key)).toEqual([`${P}red-blue`]);
        expect((await nslab('exec', '--lab', name, 'red', '--', 'true')).code).toBe(0);
        expect((await nslab('plan', file, '--lab', name, '--detailed-exitcode')).code).toBe(0);
      }
    });

    it('a name that matches no lab is one error line and exit 1 in every command', async () => {
      for (const args of [['destroy', '--lab', 'nosuch', '--auto-approve'], ['show', '--lab', 'nosuch'], ['exec', '--lab', 'nosuch', 'red', '--', 'true'], ['plan', file, '--lab', 'nosuch'], ['apply', file, '--lab', 'nosuch', '--auto-approve']]) {
        const r = await nslab(...args);
        expect({ args, code: r.code }).toEqual({ args, code: 1 });
        expect(r.stderr).toMatch(/^error: no lab "nosuch" in [^\n]+ \(labs there: [^\n]*red-blue[^\n]*\)\n$/u);
        expect(r.stdout).toBe('');
      }
      expect(namespacesWith(P)).toHaveLength(2);
    });

    it('exec exits 128+N for a command killed by signal N, and 127 with an error naming a missing command', async () => {
      expect((await nslab('exec', '--lab', 'red-blue', 'red', '--', 'sh', '-c', 'kill -TERM $$')).code).toBe(143);
      expect((await nslab('exec', '--lab', 'red-blue', 'red', '--', 'sh', '-c', 'kill -KILL $$')).code).toBe(137);
      expect((await nslab('exec', '--lab', 'red-blue', 'red', '--', 'sh', '-c', 'exit 7')).code).toBe(7);
      const missing = await nslab('exec', file, 'red', '--', 'no-such-command-x1');
      expect(missing.code).toBe(127);
      expect(missing.stderr).toMatch(/^error: [^\n]*"no-such-command-x1"[^\n]*\n$/u);
    });

    it('show gives the live values of fields the lab leaves undeclared, so an MTU changed out of band is seen', async () => {
      ip('-n', `${P}red`, 'link', 'set', 'veth-red', 'mtu', '1400');
      const show = JSON.parse((await nslab('show', '--lab', 'red-blue', '--json')).stdout);
      const cable = show[0].resources.find((r: { id: string }) => r.id === 'cable');
      expect(cable.drift).toBeNull();
      expect(cable.live).toMatchObject({ 'a.mtu': 1400, 'b.mtu': 1500 });
      const text = (await nslab('show', '--lab', 'red-blue')).stdout;
      expect(text).toMatch(/veth veth-red .*\(not declared; live: a\.mtu 1400, a\.mac [0-9a-f:]{17}, b\.mtu 1500, b\.mac [0-9a-f:]{17}\)/u);
    });

    it('destroy --lab takes the bare name and removes the lab', async () => {
      const r = await nslab('destroy', '--lab', 'red-blue', '--auto-approve');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/destroyed: 5 objects removed/u);
      expect(namespacesWith(P)).toEqual([]);
    });
  });

  describe('GIVEN a lab whose every object is in the way, and plan files that say nothing', () => {
    const clash = () => join(fx.stateDir, 'clash.plan.json');
    beforeAll(() => {
      const resources: Record<string, unknown> = {};
      for (const n of ['c0', 'c1', 'c2']) {
        resources[n] = { type: 'namespace', name: `${P}${n}`, path: `clash/${n}` };
        ip('netns', 'add', `${P}${n}`);
      }
      writeFileSync(clash(), JSON.stringify({ version: 1, lab: 'clash', prefix: P, resources }));
    });
    const errors = (path: string) => `error: [clash/${path}] namespace "${P}${path}" already exists and is not managed by nslab; nslab leaves it alone\n`;

    it('plan says only the errors, one error: line each', async () => {
      const r = await nslab('plan', clash());
      expect(r).toEqual({ code: 1, stdout: '', stderr: ['c0', 'c1', 'c2'].map(errors).join('') });
    });

    it('apply says the same errors the same way, and changes nothing', async () => {
      const r = await nslab('apply', clash(), '--auto-approve');
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: ['c0', 'c1', 'c2'].map(errors).join('') });
      expect(namespacesWith(`${P}c`)).toHaveLength(3);
    });

    it('a plan file holding an empty list is an error, not an empty apply', async () => {
      const empty = join(fx.stateDir, 'empty.json');
      writeFileSync(empty, '[]');
      for (const cmd of ['plan', 'apply']) {
        const r = await nslab(cmd, empty, '--auto-approve');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^error: \S+empty\.json: an empty list: a plan file holds a plan or a list of plans\n$/u);
      }
    });
  });
});
