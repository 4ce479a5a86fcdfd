/**
 * End to end with Terraform: `nslab provider install --dir` into a temporary filesystem mirror,
 * then `cdktf deploy / diff / destroy` of the red-blue stack of the root cdktf.json, under a
 * random NSLAB_PREFIX, with the CLI configuration, state and cdktf.out in a temporary folder.
 * Skipped, saying why, when terraform is not on PATH.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describeKernel, ip, kernelFixture, namespacesWith, ping } from '../support/kernel.js';
import { providerSchemaJson } from '../../src/terraform/schema.js';

const exec = promisify(execFile);
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const CLI = join(ROOT, 'dist/src/cli/main.js');
const CDKTF = join(ROOT, 'node_modules/.bin/cdktf');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

const terraform = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
const describeTerraform = (name: string, fn: () => void) => {
  if (terraform) return describeKernel(name, fn);
  // eslint-disable-next-line no-console
  console.log(`skipping "${name}": terraform is not on PATH`);
  return describe.skip(name, fn);
};

/** After the first deploy, the synthesized stack is reused (the app is unchanged). */
const FAST = ['--skip-provider-lock', '--skip-synth'];

/** Strips ANSI colours from cdktf's output. */
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/gu, '');

describeTerraform('cdktf deploy of the red-blue stack through the netns provider', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const work = mkdtempSync(join(tmpdir(), 'nslab-cdktf-'));
  const mirror = join(work, 'mirror');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: '1', CI: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', FORCE_COLOR: '0', NO_COLOR: '1',
    NSLAB_PREFIX: P, TF_CLI_CONFIG_FILE: join(work, 'cli.tfrc'), TF_IN_AUTOMATION: '1',
    // The provider records the lab in the fixture's state store, not in /var/lib/nslab.
    NSLAB_STATE_DIR: fx.stateDir,
  };
  const cdktf = async (...args: string[]) => {
    const r = await exec(CDKTF, args, { cwd: work, env, maxBuffer: 64 << 20 }).catch((e: { stdout: string; stderr: string; code: number }) => e);
    return { out: plain(`${r.stdout}\n${r.stderr}`), code: (r as { code?: number }).code ?? 0 };
  };
  afterAll(async () => {
    if (namespacesWith(P).length) await cdktf('destroy', 'red-blue', '--auto-approve', '--skip-provider-lock');
    rmSync(work, { recursive: true, force: true });
  });

  beforeAll(() => {
    // The root cdktf.json, with its app run from here so that state and cdktf.out stay in `work`.
    const config = JSON.parse(readFileSync(join(ROOT, 'cdktf.json'), 'utf8')) as { app: string };
    const app = config.app.replace(/^npx tsx /u, `${TSX} `).replace(/(\S+\.ts)$/u, (f) => join(ROOT, f));
    writeFileSync(join(work, 'cdktf.json'), JSON.stringify({ ...config, app }));
    const installed = execFileSync(process.execPath, [CLI, 'provider', 'install', '--dir', mirror], { encoding: 'utf8' });
    writeFileSync(env.TF_CLI_CONFIG_FILE!, installed.slice(installed.indexOf('provider_installation')));
  });

  it('deploys: the namespaces exist and red pings blue', async () => {
    const r = await cdktf('deploy', 'red-blue', '--auto-approve', '--skip-provider-lock');
    expect(r.out).toMatch(/Apply complete! Resources: 5 added, 0 changed, 0 destroyed/);
    expect(namespacesWith(P).sort()).toEqual([`${P}blue`, `${P}red`]);
    expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
    const recorded = JSON.parse(readFileSync(join(fx.stateDir, `${P}red-blue.state.json`), 'utf8')) as { managedBy: string; resources: object };
    expect(recorded.managedBy).toBe('terraform');
    expect(Object.keys(recorded.resources)).toHaveLength(5);
  }, 60_000);

  it('diffs with no changes right after the deploy', async () => {
    expect((await cdktf('diff', 'red-blue', ...FAST)).out).toMatch(/No changes\. Your infrastructure matches the configuration/);
  }, 60_000);

  it('shows a flushed address as one to create, and a second deploy repairs it', async () => {
    ip('-n', `${P}red`, 'addr', 'flush', 'dev', 'veth-red');
    const diff = (await cdktf('diff', 'red-blue', ...FAST)).out;
    expect(diff).toMatch(/netns_ip_address\.red-ip.* will be created/);
    expect(diff).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy/);
    expect((await cdktf('deploy', 'red-blue', '--auto-approve', ...FAST)).out).toMatch(/Resources: 1 added, 0 changed, 0 destroyed/);
    expect(ping(`${P}red`, '10.10.0.2')).toBe(true);
  }, 90_000);

  it('is described by `terraform providers schema -json` exactly as the schema module says', async () => {
    const { stdout } = await exec(terraform, ['providers', 'schema', '-json'], { cwd: join(work, 'cdktf.out/stacks/red-blue'), env, maxBuffer: 16 << 20 });
    expect(JSON.parse(stdout)).toEqual(providerSchemaJson());
  }, 30_000);

  it('destroys, leaving no namespace or link of the lab', async () => {
    expect((await cdktf('destroy', 'red-blue', '--auto-approve', ...FAST)).out).toMatch(/Destroy complete! Resources: 5 destroyed/);
    expect(namespacesWith(P)).toEqual([]);
    expect(existsSync(join(fx.stateDir, `${P}red-blue.state.json`))).toBe(false);
  }, 60_000);
});
