/**
 * `nslab provider install`: the provider lands, bundled into one file with a wrapper script next
 * to it, where Terraform looks for local providers; it owes nothing to the project it came from.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProvider } from './support/plugin-client.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli/main.js');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const arch = process.arch === 'x64' ? 'amd64' : process.arch;
const folderIn = (dir: string) => join(dir, 'registry.terraform.io/nslab/netns', version, `linux_${arch}`);
const wrapperIn = (dir: string) => join(folderIn(dir), `terraform-provider-netns_v${version}`);

/** A project with nslab installed: its package.json and dist copied, its dependencies linked. */
function project(parent: string, name: string): string {
  const dir = join(parent, name);
  const pkg = join(dir, 'node_modules', 'nslab');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
  for (const dep of readdirSync(join(ROOT, 'node_modules'))) {
    if (!dep.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep));
  }
  return dir;
}

/** The provider answers the handshake and GetProviderSchema, started by its installed wrapper. */
async function schemaResources(wrapper: string): Promise<string[]> {
  const p = await startProvider({ executable: wrapper });
  try {
    const schema = await p.call('GetProviderSchema');
    return Object.keys(schema.resource_schemas as object).sort();
  } finally {
    await p.shutdown();
  }
}

describe('nslab provider install', () => {
  const home = mkdtempSync(join(tmpdir(), 'nslab-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('puts the bundled provider and an executable wrapper into ~/.terraform.d/plugins, the implied local mirror', () => {
    const out = execFileSync(process.execPath, [CLI, 'provider', 'install'], { env: { ...process.env, HOME: home }, encoding: 'utf8' });
    const wrapper = wrapperIn(join(home, '.terraform.d/plugins'));
    expect(out).toContain(wrapper);
    expect(statSync(wrapper).mode & 0o111).toBe(0o111);
    expect(readFileSync(wrapper, 'utf8')).toMatch(/^#!\/bin\/sh\n(#.*\n)?exec '.*node' "\$\(dirname "\$0"\)\/nslab-provider\.mjs" "\$@"\n$/u);
    expect(readdirSync(folderIn(join(home, '.terraform.d/plugins'))).sort()).toEqual(['nslab-provider.mjs', `terraform-provider-netns_v${version}`]);
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

  it('installs from two projects in turn the same files, which keep working when either project is removed', async () => {
    const projects = mkdtempSync(join(tmpdir(), 'nslab-projects-'));
    const mirror = join(home, 'shared-mirror');
    try {
      const [a, b] = [project(projects, 'a'), project(projects, 'b')];
      const install = (dir: string) => execFileSync(process.execPath, [join(dir, 'node_modules/nslab/dist/src/cli/main.js'), 'provider', 'install', '--dir', mirror], { cwd: dir, encoding: 'utf8' });
      const files = () => readdirSync(folderIn(mirror)).map((f) => `${f} ${readFileSync(join(folderIn(mirror), f), 'utf8')}`);
      install(a);
      const fromA = files();
      expect(fromA.join('\n')).not.toContain(projects);
      install(b);
      expect(files()).toEqual(fromA);
      rmSync(a, { recursive: true, force: true });
      expect(await schemaResources(wrapperIn(mirror))).toEqual(['netns_bridge', 'netns_firewall', 'netns_ip_address', 'netns_masquerade', 'netns_namespace', 'netns_port_forward', 'netns_route', 'netns_sysctl', 'netns_veth_link', 'netns_vxlan']);
      install(b);
      rmSync(b, { recursive: true, force: true });
      expect(await schemaResources(wrapperIn(mirror))).toHaveLength(10);
    } finally {
      rmSync(projects, { recursive: true, force: true });
    }
  }, 60_000);

  it('rejects an unknown subcommand with its usage', () => {
    const r = spawnSync(process.execPath, [CLI, 'provider', 'uninstall'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/usage: nslab provider install \[--dir DIR\]/);
  });
});
