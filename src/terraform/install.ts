/**
 * `nslab provider install`: puts a `terraform-provider-netns` wrapper (a shell script that execs
 * node on the built provider) into a Terraform filesystem mirror, by default the implied local
 * mirror `~/.terraform.d/plugins`, which `terraform init` searches with no CLI configuration.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVIDER_ADDRESS, PROVIDER_NAME } from './schema.js';

/** The package root (the folder of nslab's package.json). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'nslab') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the nslab package root');
    dir = up;
  }
}

/** The provider's version: nslab's package version. */
export function providerVersion(): string {
  return String(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version);
}

/** Terraform's name for this machine's platform, e.g. `linux_amd64`. */
export function terraformPlatform(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
  return `${process.platform}_${arch}`;
}

export interface InstallOptions {
  /** A filesystem mirror directory. Default: `~/.terraform.d/plugins` (Terraform's implied local mirror). */
  readonly dir?: string;
  /** The provider entry point the wrapper runs. Default: the built `dist/src/terraform/main.js`. */
  readonly entry?: string;
  /** The node binary. Default: the one running now. */
  readonly node?: string;
}

export interface Installed {
  /** The wrapper written. */
  readonly executable: string;
  readonly version: string;
  /** The mirror directory. */
  readonly dir: string;
  /** A Terraform CLI configuration that uses the mirror for nslab/netns (needed only with `dir`). */
  readonly cliConfig: string;
}

const shellQuote = (s: string) => `'${s.replace(/'/gu, `'\\''`)}'`;

/** The CLI configuration (`TF_CLI_CONFIG_FILE` or `~/.terraformrc`) that makes Terraform use `dir` for nslab/netns. */
export function cliConfigFor(dir: string): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(resolve(dir))}`,
    `    include = [${JSON.stringify(PROVIDER_ADDRESS)}]`,
    '  }',
    '  direct {',
    `    exclude = [${JSON.stringify(PROVIDER_ADDRESS)}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Writes `DIR/registry.terraform.io/nslab/netns/VERSION/PLATFORM/terraform-provider-netns_vVERSION`.
 * Equivalent to: a two-line `#!/bin/sh` script, `exec node …/main.js "$@"` (exec: Terraform
 * kills its direct child, which must be the provider itself), mode 0755.
 * @throws Error when the provider is not built (run `npm run build`)
 */
export function installProvider(opts: InstallOptions = {}): Installed {
  const version = providerVersion();
  const entry = resolve(opts.entry ?? join(packageRoot(), 'dist', 'src', 'terraform', 'main.js'));
  if (!existsSync(entry)) throw new Error(`the provider is not built: ${entry} is missing (run \`npm run build\`)`);
  const dir = resolve(opts.dir ?? join(homedir(), '.terraform.d', 'plugins'));
  const target = join(dir, PROVIDER_ADDRESS, version, terraformPlatform());
  mkdirSync(target, { recursive: true });
  const executable = join(target, `terraform-provider-${PROVIDER_NAME}_v${version}`);
  writeFileSync(executable, [
    '#!/bin/sh',
    `# ${PROVIDER_ADDRESS} ${version}: nslab's Terraform provider, installed by \`nslab provider install\`.`,
    `exec ${shellQuote(opts.node ?? process.execPath)} ${shellQuote(entry)} "$@"`,
    '',
  ].join('\n'));
  chmodSync(executable, 0o755);
  return { executable, version, dir, cliConfig: cliConfigFor(dir) };
}

/** `nslab provider install [--dir DIR]`: installs and prints what was done (and the CLI config for DIR). */
export function providerInstallCommand(dir: string | undefined, out: (text: string) => void): number {
  const r = installProvider({ dir });
  out(`installed ${PROVIDER_ADDRESS} ${r.version} at ${r.executable}`);
  if (dir) {
    out('\nTerraform finds it there with this CLI configuration (in ~/.terraformrc, or a file named by TF_CLI_CONFIG_FILE):\n');
    out(r.cliConfig);
  } else {
    out('terraform init finds it there with no further configuration (the implied local mirror).');
  }
  return 0;
}

/** `nslab provider SUBCOMMAND`: only `install` so far. */
export function providerCommand(sub: string | undefined, dir: string | undefined, out: (text: string) => void): number {
  if (sub !== 'install') throw new Error(`usage: nslab provider install [--dir DIR]${sub ? ` (unknown subcommand "${sub}")` : ''}`);
  return providerInstallCommand(dir, out);
}
