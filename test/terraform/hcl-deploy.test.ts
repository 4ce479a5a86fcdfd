/**
 * Plain Terraform, configuration written by hand in HCL (no cdktf): the provider installed with
 * `nslab provider install --dir` into a temporary filesystem mirror (TF_CLI_CONFIG_FILE and HOME
 * point into a temporary folder, so ~/.terraform.d is never touched), a lab of four namespaces on a
 * host bridge with addresses; init, apply, then what nslab's own commands see of it, a plan with
 * no changes, and destroy leaving nothing. Skipped, saying why, when terraform is not on PATH.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describeKernel, hostLinksWith, kernelFixture, namespacesWith, ping } from '../support/kernel.js';

const exec = promisify(execFile);
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const CLI = join(ROOT, 'dist/src/cli/main.js');

const terraform = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();
const describeTerraform = (name: string, fn: () => void) => {
  if (terraform) return describeKernel(name, fn);
  // eslint-disable-next-line no-console
  console.log(`skipping "${name}": terraform is not on PATH`);
  return describe.skip(name, fn);
};

const NAMES = ['n1', 'n2', 'n3', 'n4'];

/** The lab: a host bridge with the gateway address, and per namespace a veth into the bridge and an address. */
const mainTf = (P: string, lab: string) => `
terraform {
  required_providers {
    netns = {
      source = "nslab/netns"
    }
  }
}

provider "netns" {
  lab = "${lab}"
}

locals {
  names = ${JSON.stringify(NAMES)}
}

resource "netns_bridge" "br" {
  name = "${P}br"
}

resource "netns_ip_address" "gateway" {
  device  = netns_bridge.br.name
  address = "10.62.0.254/24"
}

resource "netns_namespace" "ns" {
  for_each = toset(local.names)
  name     = "${P}\${each.key}"
}

resource "netns_veth_link" "link" {
  for_each    = netns_namespace.ns
  a_namespace = each.value.name
  a_name      = "eth0"
  b_name      = "${P}v\${each.key}"
  b_master    = netns_bridge.br.name
}

resource "netns_ip_address" "ip" {
  for_each  = netns_veth_link.link
  namespace = each.value.a_namespace
  device    = each.value.a_name
  address   = "10.62.0.\${index(local.names, each.key) + 1}/24"
}
`;

describeTerraform('plain Terraform (hand-written HCL) with the netns provider', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const LAB = `${P}tf`;
  const stateFile = join(fx.stateDir, `${LAB}.state.json`);
  // Made in beforeAll, so that a skipped run leaves no folder behind.
  let work = '';
  let config = '';
  let env: NodeJS.ProcessEnv = {};
  const tf = async (...args: string[]) => {
    try {
      const r = await exec(terraform, args, { cwd: config, env, maxBuffer: 64 << 20 });
      return { code: 0, out: `${r.stdout}\n${r.stderr}` };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: `${x.stdout}\n${x.stderr}` };
    }
  };
  const nslab = async (...args: string[]) => {
    try {
      const r = await exec(process.execPath, [CLI, ...args], { env: { ...process.env, NSLAB_STATE_DIR: fx.stateDir } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nslab-hcl-'));
    config = join(work, 'config');
    env = {
      ...process.env,
      CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', NO_COLOR: '1',
      HOME: join(work, 'home'), TF_CLI_CONFIG_FILE: join(work, 'cli.tfrc'),
      NSLAB_STATE_DIR: fx.stateDir,
    };
    delete env.TF_PLUGIN_CACHE_DIR;
    delete env.TF_DATA_DIR;
    mkdirSync(config);
    mkdirSync(env.HOME!);
    const installed = execFileSync(process.execPath, [CLI, 'provider', 'install', '--dir', join(work, 'mirror')], { encoding: 'utf8', env });
    writeFileSync(env.TF_CLI_CONFIG_FILE!, installed.slice(installed.indexOf('provider_installation')));
    writeFileSync(join(config, 'main.tf'), mainTf(P, LAB));
  });
  afterAll(() => {
    // What a failed test leaves in the kernel and the state store, the fixture's sweep removes (it runs first).
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('init finds the provider in the filesystem mirror; apply creates the lab', async () => {
    const init = await tf('init', '-input=false', '-no-color');
    expect(init.out).toMatch(/Installing nslab\/netns v[0-9.]+/);
    expect(init.code).toBe(0);
    const apply = await tf('apply', '-auto-approve', '-input=false', '-no-color');
    expect(apply.out).toMatch(/Apply complete! Resources: 14 added, 0 changed, 0 destroyed/);
    expect(apply.code).toBe(0);
    expect(namespacesWith(P).sort()).toEqual(NAMES.map((n) => `${P}${n}`));
    expect(hostLinksWith(P).sort()).toEqual([`${P}br`, ...NAMES.map((n) => `${P}v${n}`)].sort());
    expect(ping(`${P}n1`, '10.62.0.4')).toBe(true);
    expect(ping(`${P}n3`, '10.62.0.254')).toBe(true);
    // Nothing of it in the real ~/.terraform.d: the mirror and the CLI configuration are the test's.
    expect(existsSync(join(env.HOME!, '.terraform.d'))).toBe(false);
  }, 180_000);

  it('is recorded in nslab\'s state store, one record per resource', () => {
    const s = JSON.parse(readFileSync(stateFile, 'utf8')) as { managedBy: string; resources: Record<string, unknown>; pending?: unknown };
    expect(s.managedBy).toBe('terraform');
    expect(s.pending).toBeUndefined();
    expect(Object.keys(s.resources)).toHaveLength(14);
    expect(Object.keys(s.resources)).toEqual(expect.arrayContaining([
      `terraform:namespace ${P}n1`, `terraform:link /${P}br`, `terraform:veth ${P}n4/eth0 /${P}vn4`,
      `terraform:address /${P}br/10.62.0.254/24`, `terraform:address ${P}n2/eth0/10.62.0.2/24`,
    ]));
  });

  it('nslab gc --dry-run lists none of it', async () => {
    const r = await nslab('gc', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no orphans/mu);
    expect(r.stdout).not.toContain(P);
  });

  it('nslab show lists the lab as managed by Terraform, without drift', async () => {
    const r = await nslab('show');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`lab ${LAB} (managed by Terraform, provider nslab/netns):`);
    const lab = r.stdout.split(/^(?=lab )/mu).find((block) => block.startsWith(`lab ${LAB} `))!;
    expect(lab.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(14);
    expect(lab).not.toMatch(/^ {2}!/mu);
  });

  it('terraform plan -detailed-exitcode finds no change (exit 0)', async () => {
    const plan = await tf('plan', '-detailed-exitcode', '-input=false', '-no-color');
    expect(plan.out).toMatch(/No changes\. Your infrastructure matches the configuration/);
    expect(plan.code).toBe(0);
  }, 120_000);

  it('terraform destroy leaves no namespace, no link and no state of the lab', async () => {
    const destroy = await tf('destroy', '-auto-approve', '-input=false', '-no-color');
    expect(destroy.out).toMatch(/Destroy complete! Resources: 14 destroyed/);
    expect(destroy.code).toBe(0);
    expect(namespacesWith(P)).toEqual([]);
    expect(hostLinksWith(P)).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);
    expect((await nslab('show')).stdout).not.toContain(LAB);
  }, 180_000);
});
