/**
 * The nslab command on the real kernel: lab names resolved alike in every command, exit codes of
 * exec, and output that fails (a reader that goes away) never interrupting kernel work.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeKernel, kernelFixture, namespacesWith } from '../support/kernel.js';

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

    it('destroy --lab takes the bare name and removes the lab', async () => {
      const r = await nslab('destroy', '--lab', 'red-blue', '--auto-approve');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/destroyed: 5 objects removed/u);
      expect(namespacesWith(P)).toEqual([]);
    });
  });
});
