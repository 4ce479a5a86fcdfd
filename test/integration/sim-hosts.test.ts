/**
 * test/support/sim-hosts.ts: namespaces with their own sshd stand in for remote machines. Commands
 * over SSH run in the host's network namespace but see the shared /run/netns; host keys are
 * checked; stop() leaves no namespace, link, process or directory behind.
 */
import { jest } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Host, IpAddress, Lab, NetNamespace, VethLink } from '../../constructs/index.js';
import { synthesize } from '../../src/synth/synth.js';
import { stableStringify } from '../../src/plan/types.js';
import { hostParts } from '../../src/plan/hosts.js';
import { SshRunner } from '../../src/engine/remote/ssh.js';
import { sshStore } from '../../src/engine/remote/store.js';
import { applyResource, planResource, readResource } from '../../src/engine/per-resource.js';
import { runCli } from '../support/cli.js';
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

  describe('nslab on the simulated hosts', () => {
    const L = randomPrefix();
    const lab = () => {
      const app = new App();
      const l = new Lab(app, 'two-hosts', { prefix: L });
      const h1 = new Host(l, 'h1', { ssh: 'root@198.51.100.1', stateDir: join(sim!.dir, 'state') });
      const h2 = new Host(l, 'h2', { ssh: 'root@198.51.100.2', stateDir: join(sim!.dir, 'state') });
      const cable = new VethLink(l, 'cable', { a: { namespace: new NetNamespace(l, 'red', { host: h1 }), name: 'eth0' }, b: { namespace: new NetNamespace(l, 'blue', { host: h2 }), name: 'eth0' } });
      new IpAddress(l, 'red-ip', { device: cable.a, address: '10.99.0.1/24' });
      new IpAddress(l, 'blue-ip', { device: cable.b, address: '10.99.0.2/24' });
      return synthesize(app)[0]!;
    };
    const env = () => ({ ...process.env, NSLAB_PREFIX: '', NSLAB_SSH_CONFIG: sim!.sshConfig, NSLAB_SSH_DIR: join(sim!.dir, 'ssh'), NSLAB_STATE_DIR: join(sim!.dir, 'local-state') });
    afterAll(() => sweep(L));

    it('plans each host\'s part of a lab across hosts over ssh; apply and destroy say to deploy it with Terraform, changing nothing', async () => {
      const file = join(sim!.dir, 'two-hosts.plan.json');
      writeFileSync(file, stableStringify(lab()));
      const plan = await runCli(env(), 'plan', file);
      expect(plan.stderr).toBe('');
      expect(plan.code).toBe(0);
      for (const h of ['h1', 'h2']) expect(plan.stdout).toContain(`lab ${L}two-hosts.${h}`);
      expect(plan.stdout.match(/Plan: 3 to create, 0 to update, 0 to replace, 0 to delete\./gu)).toHaveLength(2);
      for (const cmd of ['apply', 'destroy']) {
        const r = await runCli(env(), cmd, file, '--auto-approve');
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(`error: lab ${L}two-hosts spans hosts (h1, h2): ${cmd} it with cdktf or Terraform (nslab/cdktf's LabStack makes one provider per host); nslab plan shows each host's part\n`);
      }
      expect(namespacesWith(L)).toEqual([]);
    }, 60_000);

    it('makes, reads and deletes one host\'s resources over ssh, its records and lock on that host; drift there is seen', async () => {
      process.env.NSLAB_SSH_CONFIG = sim!.sshConfig;
      process.env.NSLAB_SSH_DIR = join(sim!.dir, 'ssh');
      try {
        const part = hostParts(lab())!.find((p) => p.host === 'h1')!;
        const ssh = new SshRunner({ user: 'root', address: '198.51.100.1' });
        const opts = { runner: ssh, store: sshStore(ssh, join(sim!.dir, 'state')) };
        const key = `${L}two-hosts.h1`;
        const rs = ['red', 'cable/a', 'red-ip'].map((id) => part.plan.resources[id]!);
        for (const r of rs) await applyResource(key, undefined, r, opts);
        // Made from host 1: the vxlan's UDP socket is in h1's namespace, where 198.51.100.1 is.
        const dev = JSON.parse(ssh1(['ip', '-n', `${L}red`, '-d', '-j', 'link', 'show', 'eth0']))[0];
        expect(dev).toMatchObject({ ifalias: expect.stringMatching(new RegExp(`^nslab:${key}@[0-9a-f]{8}$`, 'u')), linkinfo: { info_kind: 'vxlan', info_data: { local: '198.51.100.1', remote: '198.51.100.2' } } });
        const state = await opts.store.read(key);
        expect(Object.keys(state!.resources).sort()).toEqual([`terraform:address ${L}red/eth0/10.99.0.1/24`, `terraform:link ${L}red/eth0`, `terraform:namespace ${L}red`]);
        for (const r of rs) expect((await planResource(key, r, r, opts)).changes).toEqual([]);
        ssh1(['ip', '-n', `${L}red`, 'link', 'set', 'eth0', 'mtu', '1400']);
        expect(await readResource(key, rs[1]!, opts)).toMatchObject({ mtu: 1400 });
        await applyResource(key, { ...rs[1]!, mtu: 1400 } as typeof rs[1], rs[1], opts);
        expect((await planResource(key, rs[1], rs[1], opts)).changes).toEqual([]);
        for (const r of [...rs].reverse()) await applyResource(key, r, undefined, opts);
        expect(await opts.store.read(key)).toBeUndefined();
        expect(namespacesWith(L)).toEqual([]);
      } finally {
        delete process.env.NSLAB_SSH_CONFIG;
        delete process.env.NSLAB_SSH_DIR;
      }
    }, 60_000);

    it('the remote store reads the state in the lock\'s session, sees another writer\'s state at the next lock, refuses a corrupt state (letting the lock go) and a directory others can write', async () => {
      process.env.NSLAB_SSH_CONFIG = sim!.sshConfig;
      process.env.NSLAB_SSH_DIR = join(sim!.dir, 'ssh');
      try {
        const ssh = new SshRunner({ user: 'root', address: '198.51.100.2' });
        const dir = join(sim!.dir, 'store-check');
        const store = sshStore(ssh, dir);
        const other = sshStore(ssh, dir); // another process's view: no shared cache
        const key = `${L}store`;
        const state = (resources: Record<string, never>, pending?: Record<string, never>) => ({ version: 1 as const, lab: key, prefix: '', key, resources, managedBy: 'terraform' as const, ...(pending ? { pending } : {}) });
        let lock = await store.lock(key, 5000, ssh);
        expect(await store.read(key)).toBeUndefined();
        await store.write(state({}, {}));
        expect(await store.read(key)).toMatchObject({ pending: {} });
        await lock.release();
        await other.write(state({}));
        lock = await store.lock(key, 5000, ssh);
        expect(await store.read(key)).not.toHaveProperty('pending');
        await store.remove(key);
        expect(await store.read(key)).toBeUndefined();
        await lock.release();
        expect(existsSync(join(dir, `${key}.state.json`))).toBe(false);

        writeFileSync(join(dir, `${key}.state.json`), '{ not json');
        await expect(store.lock(key, 5000, ssh)).rejects.toThrow(`the state file of lab "${key}" (root@198.51.100.2:${dir}/${key}.state.json) is corrupt`);
        rmSync(join(dir, `${key}.state.json`));
        await expect(other.lock(key, 1000, ssh).then((l) => l.release())).resolves.toBeUndefined(); // the lock was let go

        chmodSync(dir, 0o777);
        await expect(store.read(key)).rejects.toThrow(/refusing the state directory .*: others can write it/u);
        await expect(store.lock(key, 1000, ssh)).rejects.toThrow(/refusing the state directory .*: others can write it/u);
        chmodSync(dir, 0o700);
        await expect(store.read(key)).resolves.toBeUndefined();
      } finally {
        delete process.env.NSLAB_SSH_CONFIG;
        delete process.env.NSLAB_SSH_DIR;
      }
    }, 60_000);

    const ssh1 = (argv: string[]) => execFileSync('ssh', ['-F', sim!.sshConfig, 'root@198.51.100.1', ...argv], { encoding: 'utf8' });
  });

  describe('commands and locks over ssh', () => {
    const h1 = { user: 'root', address: '198.51.100.1' };
    beforeAll(() => {
      process.env.NSLAB_SSH_CONFIG = sim!.sshConfig;
      process.env.NSLAB_SSH_DIR = join(sim!.dir, 'ssh');
    });
    afterAll(() => {
      delete process.env.NSLAB_SSH_CONFIG;
      delete process.env.NSLAB_SSH_DIR;
      delete process.env.NSLAB_LAUNCHER;
    });
    /** The parent of a command run there, and that parent's name. */
    const parentOf = async (r: SshRunner) => (await r.run(['sh', '-c', 'echo $PPID; cat /proc/$PPID/comm'])).stdout.trim().split('\n');

    it('runs all of a runner\'s commands through one launcher there; with NSLAB_LAUNCHER=0 each is a session of sshd\'s', async () => {
      const a = new SshRunner(h1);
      const [p1, name] = await parentOf(a);
      const [p2] = await parentOf(a);
      expect(name).toBe('perl');
      expect(p2).toBe(p1);
      process.env.NSLAB_LAUNCHER = '0';
      try {
        const b = new SshRunner(h1);
        const [, other] = await parentOf(b);
        expect(other).toBe('sshd'); // the session's own process on the host
        expect((await b.run(['ip', '-j', 'netns', 'list'])).code).toBe(0);
      } finally {
        delete process.env.NSLAB_LAUNCHER;
      }
    }, 30_000);

    it('kills a command there at its deadline; a launcher that dies fails what was in flight, and the next command starts another', async () => {
      const a = new SshRunner(h1);
      await expect(a.run(['sleep', '31.5'], undefined, { timeoutMs: 300 })).rejects.toThrow('did not finish within 0.3 s; it was killed');
      for (let i = 0; i < 20 && processesMentioning('sleep 31.5').length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(processesMentioning('sleep 31.5')).toEqual([]);
      const [pid] = await parentOf(a);
      const slow = a.run(['sleep', '4.5']);
      await new Promise((r) => setTimeout(r, 200));
      process.kill(Number(pid), 'SIGKILL'); // the launcher on h1 (the simulated hosts share this machine's processes)
      await expect(slow).rejects.toThrow(/sleep on root@198\.51\.100\.1: nslab's launcher ended/u);
      const [again, name] = await parentOf(a);
      expect(name).toBe('perl');
      expect(again).not.toBe(pid);
    }, 30_000);

    it('passes a lab\'s lock session from one change to the next in the same process, and lets it go after a while for another process waiting', async () => {
      const a = new SshRunner(h1);
      const dir = join(sim!.dir, 'handover');
      const store = sshStore(a, dir);
      const sessions = jest.spyOn(a, 'sshArgv');
      const lockSessions = () => sessions.mock.calls.filter(([argv]) => argv.some((w) => w.includes('echo locked'))).length;
      const change = async () => {
        const l = await store.lock('lab', 5000, a);
        await store.write({ version: 1, lab: 'lab', prefix: '', key: 'lab', resources: {}, managedBy: 'terraform' });
        await l.release();
      };
      await Promise.all([change(), change(), change(), change()]);
      expect(lockSessions()).toBe(1);
      // Two streams of changes in this process keep a waiter queued at every release; another
      // process (its own store) still gets the lock within its wait.
      let go = true;
      const stream = async () => {
        while (go) await change();
      };
      const streams = [stream(), stream()];
      await new Promise((r) => setTimeout(r, 300));
      const b = new SshRunner(h1);
      try {
        const lock = await sshStore(b, dir).lock('lab', 12_000, b);
        await lock.release();
      } finally {
        go = false;
        await Promise.all(streams);
      }
      expect(lockSessions()).toBeGreaterThan(1);
    }, 60_000);
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
