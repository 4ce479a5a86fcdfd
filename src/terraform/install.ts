/**
 * `nslab provider install`: puts the provider into a Terraform filesystem mirror, by default the
 * implied local mirror `~/.terraform.d/plugins`, which `terraform init` searches with no CLI
 * configuration. What lands in the mirror's version folder is self-contained: the provider and
 * its dependencies bundled by esbuild into one file, and a wrapper script that execs node on it.
 * Nothing points back into the project it was installed from, so installs from several projects
 * (one nslab version, one folder) all keep working, and removing a project breaks none of them.
 */
import { buildSync } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  /** The provider entry point bundled. Default: `main.js` (or `main.ts`) next to this module. */
  readonly entry?: string;
  /**
   * The node binary the wrapper runs. Default: the one running now, or `node` on PATH when that
   * one lives in a project's node_modules (it would go with the project).
   */
  readonly node?: string;
}

export interface Installed {
  /** The wrapper written. */
  readonly executable: string;
  /** The bundled provider the wrapper runs, next to it. */
  readonly bundle: string;
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

/** The bundle's file name: not `terraform-provider-*`, which Terraform takes for the executable. */
export const BUNDLE_NAME = 'nslab-provider.mjs';

/** The default entry: the provider's main module next to this one (built `.js`, or `.ts` in a checkout run by tsx). */
function defaultEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'main.js'), join(here, 'main.ts')].find((f) => existsSync(f)) ?? join(here, 'main.js');
}

/**
 * The provider and its dependencies in one ES module. Deterministic: esbuild's comments naming
 * the input files (which depend on where the project is) are dropped, so the same nslab version
 * gives the same bytes from any project, and Terraform's recorded package checksums still match.
 */
export function bundleProvider(entry: string): string {
  const r = buildSync({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false,
    outfile: BUNDLE_NAME, legalComments: 'eof', logLevel: 'error', absWorkingDir: dirname(entry),
    banner: {
      js: [
        "import { createRequire as __nslabRequire } from 'node:module';",
        "import { fileURLToPath as __nslabPath } from 'node:url';",
        'const require = __nslabRequire(import.meta.url);',
        'const __filename = __nslabPath(import.meta.url);',
        "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
      ].join(' '),
    },
  });
  return r.outputFiles[0]!.text.replace(/^[ \t]*\/\/ \S+\.(?:[cm]?js|ts|json)\n/gmu, '').replace(/^#!.*\n/u, '');
}

/** Writes `text` to `file` unless it holds exactly that already; atomically (a provider running from it reads it whole). */
function writeIfChanged(file: string, text: string, mode: number): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

const defaultNode = () => (process.execPath.split('/').includes('node_modules') ? 'node' : process.execPath);

/**
 * Writes, in `DIR/registry.terraform.io/nslab/netns/VERSION/PLATFORM/`, the bundled provider
 * `nslab-provider.mjs` and the wrapper `terraform-provider-netns_vVERSION`. Equivalent to: a
 * `#!/bin/sh` script, `exec node "$(dirname "$0")/nslab-provider.mjs" "$@"` (exec: Terraform
 * kills its direct child, which must be the provider itself), mode 0755.
 * @throws Error when the provider's entry point is missing (run `npm run build`)
 */
export function installProvider(opts: InstallOptions = {}): Installed {
  const version = providerVersion();
  const entry = resolve(opts.entry ?? defaultEntry());
  if (!existsSync(entry)) throw new Error(`the provider is not built: ${entry} is missing (run \`npm run build\`)`);
  const dir = resolve(opts.dir ?? join(homedir(), '.terraform.d', 'plugins'));
  const target = join(dir, PROVIDER_ADDRESS, version, terraformPlatform());
  mkdirSync(target, { recursive: true });
  const bundle = join(target, BUNDLE_NAME);
  writeIfChanged(bundle, bundleProvider(entry), 0o644);
  const executable = join(target, `terraform-provider-${PROVIDER_NAME}_v${version}`);
  const node = opts.node ?? defaultNode();
  writeIfChanged(executable, [
    '#!/bin/sh',
    `# ${PROVIDER_ADDRESS} ${version}: nslab's Terraform provider, installed by \`nslab provider install\`.`,
    `exec ${node === 'node' ? 'node' : shellQuote(node)} "$(dirname "$0")/${BUNDLE_NAME}" "$@"`,
    '',
  ].join('\n'), 0o755);
  return { executable, bundle, version, dir, cliConfig: cliConfigFor(dir) };
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
