/**
 * examples/docker-bridge.ts through the nslab command on the real kernel: containers behind a
 * masquerade reach the "internet" as the docker host, the published port reaches web, the
 * firewall stops what it does not allow; an empty plan; destroy leaves nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { describeKernel, kernelFixture, namespacesWith, ping } from '../support/kernel.js';
import { ask, startServer } from '../support/traffic.js';

const exec = promisify(execFile);
const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const FILE = 'examples/docker-bridge.ts';

describeKernel('examples/docker-bridge.ts', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const servers: ChildProcess[] = [];
  const nslab = async (...args: string[]) => {
    try {
      const r = await exec('node', [CLI, ...args], { env: { ...process.env, NSLAB_PREFIX: P, NSLAB_STATE_DIR: fx.stateDir } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };
  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await nslab('destroy', FILE, '--auto-approve');
  });

  it('shows the NAT and firewall resources in the plan, with their fields', async () => {
    const r = await nslab('plan', FILE);
    expect(r.stdout).toContain('+   masquerade 172.17.0.0/16 out eth0');
    expect(r.stdout).toContain('+   port forward tcp eth0:8080 -> 172.17.0.2:80');
    expect(r.stdout).toContain('+   firewall fw');
  });

  it('applies; containers go out as the docker host, the published port comes in, the rest is stopped', async () => {
    const r = await nslab('apply', FILE, '--auto-approve');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await nslab('plan', FILE, '--detailed-exitcode')).code).toBe(0);
    servers.push(
      await startServer(`${P}internet`, 9000), await startServer(`${P}internet`, 25),
      await startServer(`${P}web`, 80), await startServer(`${P}docker`, 22),
    );
    expect(ask(`${P}db`, '203.0.113.2', 9000)).toBe('203.0.113.1');
    expect(ask(`${P}web`, '203.0.113.2', 9000)).toBe('203.0.113.1');
    expect(ask(`${P}internet`, '203.0.113.1', 8080)).toBe('203.0.113.2');
    expect(ask(`${P}db`, '203.0.113.2', 25)).toBeUndefined();
    expect(ask(`${P}internet`, '203.0.113.1', 22)).toBeUndefined();
    expect(ask(`${P}web`, '172.17.0.1', 22)).toBe('172.17.0.2');
    expect(ping(`${P}internet`, '203.0.113.1')).toBe(true);
  });

  it('destroys everything', async () => {
    for (const s of servers.splice(0)) s.kill('SIGKILL');
    expect((await nslab('destroy', FILE, '--auto-approve')).code).toBe(0);
    expect(namespacesWith(P)).toEqual([]);
  });
});
