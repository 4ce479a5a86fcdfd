/**
 * Without a terminal, destroy and gc ask for --auto-approve in words about what they would do,
 * and change nothing.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeKernel, kernelFixture, namespacesWith } from '../support/kernel.js';

const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

describeKernel('nslab without a terminal to confirm on', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const nslab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NSLAB_PREFIX: P, NSLAB_STATE_DIR: fx.stateDir } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('refuses a destroy and a gc without --auto-approve, naming what it would do', () => {
    expect(nslab('apply', 'examples/red-blue.ts', '--auto-approve').code).toBe(0);
    const d = nslab('destroy', 'examples/red-blue.ts');
    expect(d.code).toBe(1);
    expect(d.stderr).toBe('error: not a terminal: pass --auto-approve to destroy without confirmation\n');
    expect(namespacesWith(P)).toHaveLength(2);

    // Forget the lab's state: its namespaces become orphans of this state store.
    rmSync(join(fx.stateDir, `${P}red-blue.state.json`));
    const g = nslab('gc', '--prefix', P);
    expect(g.code).toBe(1);
    expect(g.stderr).toBe('error: not a terminal: pass --auto-approve to remove orphans without confirmation\n');
    expect(namespacesWith(P)).toHaveLength(2);
    expect(nslab('gc', '--prefix', P, '--auto-approve').stdout).toMatch(/removed 2 orphans/u);
    expect(namespacesWith(P)).toEqual([]);
  });
});
