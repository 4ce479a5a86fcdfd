/**
 * test/support/sim-hosts.ts: namespaces with their own sshd stand in for remote machines. Commands
 * over SSH run in the host's network namespace but see the shared /run/netns; host keys are
 * checked; stop() leaves no namespace, link, process or directory behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describeKernel, hostLinksWith, namespacesWith, onKernel, randomPrefix, sweep } from '../support/kernel.js';
import { sshdMissing, startSimHosts, type SimHosts } from '../support/sim-hosts.js';

const missing = onKernel ? sshdMissing() : undefined;
if (missing) {
  // eslint-disable-next-line no-console
  console.log(`skipping "simulated hosts over ssh": ${missing}`);
}
const describeSim = missing ? describe.skip : describeKernel;

/** Processes (not zombies) whose command line contains `text`, from `ps`. */
function processesMentioning(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(text) && !/^\s*\d+\s+Z/u.test(l));
}

describeSim('simulated hosts over ssh', () => {
  const P = randomPrefix();
  let sim: SimHosts | undefined;

  const ssh = (target: string, args: string[], extra: string[] = []) =>
    spawnSync('ssh', ['-F', sim!.sshConfig, ...extra, target, ...args], { encoding: 'utf8', timeout: 20_000 });

  beforeAll(() => {
    sim = startSimHosts({ prefix: P, count: 2 });
  });

  afterAll(() => {
    sim?.stop();
    sweep(P);
  });

  it('starts two hosts in their own namespaces on the underlay', () => {
    expect(sim!.hosts.map((h) => [h.ns, h.address, h.ssh])).toEqual([
      [`${P}h1`, '198.51.100.1', 'root@198.51.100.1'],
      [`${P}h2`, '198.51.100.2', 'root@198.51.100.2'],
    ]);
    expect(sim!.bridge).toBe(`${P}ul`);
    expect(namespacesWith(P).sort()).toEqual([`${P}h1`, `${P}h2`]);
    expect(hostLinksWith(P).sort()).toEqual([`${P}h1u`, `${P}h2u`, `${P}ul`]);
  });

  it('runs commands on host 1 over ssh, in its network namespace', () => {
    const r = ssh('root@198.51.100.1', ['ip', '-j', 'netns', 'list']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const names = (JSON.parse(r.stdout) as Array<{ name: string }>).map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining([`${P}h1`, `${P}h2`]));

    const a = ssh('root@198.51.100.1', ['ip', '-j', '-4', 'addr', 'show', 'dev', 'eth0']);
    expect(a.status).toBe(0);
    expect((JSON.parse(a.stdout) as Array<{ addr_info: Array<{ local: string }> }>)[0]!.addr_info.map((x) => x.local)).toEqual(['198.51.100.1']);
  });

  it('a namespace made over ssh on host 1 is in the local /run/netns', () => {
    expect(ssh('root@198.51.100.1', ['ip', 'netns', 'add', `${P}x`]).status).toBe(0);
    try {
      expect(namespacesWith(P)).toContain(`${P}x`);
    } finally {
      expect(ssh('root@198.51.100.1', ['ip', 'netns', 'del', `${P}x`]).status).toBe(0);
    }
    expect(namespacesWith(P)).not.toContain(`${P}x`);
  });

  it('reaches host 2 too', () => {
    const r = ssh('root@198.51.100.2', ['ip', '-br', '-4', 'addr', 'show', 'dev', 'eth0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/198\.51\.100\.2\/24/u);
  });

  it('refuses a host whose key is not in known_hosts', () => {
    const r = ssh('root@198.51.100.1', ['true'], ['-o', 'UserKnownHostsFile=/dev/null']);
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/Host key verification failed/u);
  });

  it('stop() removes namespaces, links, sshds, ControlMasters and the directory; twice is harmless', () => {
    const s = sim!;
    // A ControlMaster left running in the background by a client, with its socket in the directory.
    const cm = ssh('root@198.51.100.2', ['true'], ['-o', 'ControlMaster=yes', '-o', 'ControlPersist=60', '-o', `ControlPath=${s.dir}/cm-%C`]);
    expect(cm.status).toBe(0);
    expect(processesMentioning(s.dir).some((l) => l.includes('[mux]'))).toBe(true);
    expect(processesMentioning(s.dir).filter((l) => l.includes('sshd'))).toHaveLength(2);

    s.stop();
    expect(namespacesWith(P)).toEqual([]);
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(P);
    expect(processesMentioning(s.dir)).toEqual([]);
    expect(existsSync(s.dir)).toBe(false);
    expect(() => s.stop()).not.toThrow();
  });
});
