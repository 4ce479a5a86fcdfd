/**
 * `nslab import` and `apply --adopt`: the seed's first lab built by hand with ip commands becomes
 * a lab file, is taken over without recreating anything, plans empty and is destroyed; a
 * namespace that was not named stays.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeKernel, ip, kernelFixture, namespacesWith, ping } from '../support/kernel.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli/main.js');

describeKernel('importing a lab built by hand', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const [red, blue, other] = [`${P}red`, `${P}blue`, `${P}other`];
  const work = mkdtempSync(join(tmpdir(), 'nslab-import-'));
  // The lab file imports 'nslab': resolve it to this package.
  mkdirSync(join(work, 'node_modules'));
  symlinkSync(ROOT, join(work, 'node_modules', 'nslab'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const env = { ...process.env, NSLAB_STATE_DIR: fx.stateDir, NSLAB_CACHE_DIR: join(work, 'cache') };
  const nslab = (...args: string[]) => spawnSync('node', [CLI, ...args], { env, encoding: 'utf8' });
  const ifindex = (ns: string, dev: string) => JSON.parse(ip('-n', ns, '-j', 'link', 'show', 'dev', dev))[0].ifindex as number;

  it('writes the lab, adopts it in place, plans empty, refuses what differs, and destroys only it', () => {
    // The seed's lab 1, by hand.
    ip('netns', 'add', red);
    ip('netns', 'add', blue);
    ip('netns', 'add', other);
    ip('link', 'add', 'veth-red', 'netns', red, 'type', 'veth', 'peer', 'name', 'veth-blue', 'netns', blue);
    ip('-n', red, 'addr', 'add', '10.10.0.1/24', 'dev', 'veth-red');
    ip('-n', blue, 'addr', 'add', '10.10.0.2/24', 'dev', 'veth-blue');
    ip('-n', red, 'link', 'set', 'veth-red', 'up');
    ip('-n', blue, 'link', 'set', 'veth-blue', 'up');
    ip('-n', red, 'link', 'set', 'lo', 'up');
    ip('-n', blue, 'route', 'add', '10.99.0.0/24', 'via', '10.10.0.1');
    ip('netns', 'exec', red, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    const file = join(work, 'seed.ts');
    const imp = nslab('import', red, blue, '--lab', 'seed', '--out', file);
    expect(imp.stderr).toBe('');
    expect(imp.status).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`new NetNamespace(lab, '${red}', { name: '${red}', sysctls: { 'net.ipv4.ip_forward': '1' } });`);
    expect(text).toContain(`new NetNamespace(lab, '${blue}', { name: '${blue}', loopbackUp: false });`);
    expect(text).toContain(`a: { namespace: ns_${red}, name: 'veth-red' }, b: { namespace: ns_${blue}, name: 'veth-blue' }`);
    expect(text).toContain(`destination: '10.99.0.0/24', via: '10.10.0.1'`);
    expect(text).not.toContain(other);

    // Without --adopt the hand-made objects are foreign.
    const plain = nslab('plan', file);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain(`namespace "${red}" already exists`);

    // Something that differs from the file is refused, one line each, and nothing changes.
    ip('-n', blue, 'addr', 'add', '10.10.0.9/24', 'dev', 'veth-blue');
    const differs = nslab('apply', file, '--adopt', '--auto-approve');
    expect(differs.status).toBe(1);
    expect(differs.stderr).toMatch(/cannot adopt.*10\.10\.0\.9\/24/);
    expect(JSON.parse(ip('-n', red, '-j', 'link', 'show', 'dev', 'lo'))[0].ifalias).toBeUndefined();
    ip('-n', blue, 'addr', 'del', '10.10.0.9/24', 'dev', 'veth-blue');

    const before = [ifindex(red, 'veth-red'), ifindex(blue, 'veth-blue')];
    const adopt = nslab('apply', file, '--adopt', '--auto-approve');
    expect(adopt.stderr).toBe('');
    expect(adopt.status).toBe(0);
    expect([ifindex(red, 'veth-red'), ifindex(blue, 'veth-blue')]).toEqual(before);
    expect(nslab('plan', file, '--detailed-exitcode').status).toBe(0);
    expect(ping(red, '10.10.0.2')).toBe(true);

    const gone = nslab('destroy', file, '--auto-approve');
    expect(gone.status).toBe(0);
    expect(namespacesWith(P)).toEqual([other]);
    ip('netns', 'del', other);
  });
});
