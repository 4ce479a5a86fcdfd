/**
 * `nslab provider install`: the wrapper lands where Terraform looks for local providers, and it
 * execs the provider (which, started by hand, says it is a plugin).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
const arch = process.arch === 'x64' ? 'amd64' : process.arch;
const wrapperIn = (dir: string) => join(dir, 'registry.terraform.io/nslab/netns', version, `linux_${arch}`, `terraform-provider-netns_v${version}`);

describe('nslab provider install', () => {
  const home = mkdtempSync(join(tmpdir(), 'nslab-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('puts an executable wrapper into ~/.terraform.d/plugins, the implied local mirror', () => {
    const out = execFileSync(process.execPath, [CLI, 'provider', 'install'], { env: { ...process.env, HOME: home }, encoding: 'utf8' });
    const wrapper = wrapperIn(join(home, '.terraform.d/plugins'));
    expect(out).toContain(wrapper);
    expect(statSync(wrapper).mode & 0o111).toBe(0o111);
    expect(readFileSync(wrapper, 'utf8')).toMatch(/^#!\/bin\/sh\n(#.*\n)?exec '.*node' '.*\/dist\/src\/terraform\/main\.js' "\$@"\n$/u);
  });

  it('with --dir, installs into that mirror and prints the CLI configuration that uses it', () => {
    const dir = join(home, 'mirror');
    const out = execFileSync(process.execPath, [CLI, 'provider', 'install', '--dir', dir], { encoding: 'utf8' });
    expect(statSync(wrapperIn(dir)).isFile()).toBe(true);
    expect(out).toContain(`filesystem_mirror {\n    path    = "${dir}"\n    include = ["registry.terraform.io/nslab/netns"]`);
  });

  it('installs a wrapper that runs the provider, which refuses to run outside Terraform', () => {
    const r = spawnSync(wrapperIn(join(home, 'mirror')), [], { encoding: 'utf8', env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: '' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/This binary is a plugin/);
  });

  it('rejects an unknown subcommand with its usage', () => {
    const r = spawnSync(process.execPath, [CLI, 'provider', 'uninstall'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/usage: nslab provider install \[--dir DIR\]/);
  });
});
