/**
 * The nslab command's help, version and mistakes in how it is called: no root, no kernel.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest } from '../../../src/cli/help.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const nslab = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('nslab help', () => {
  it('prints a command\'s own help for COMMAND --help, -h and help COMMAND, and exits 0', () => {
    const a = nslab('apply', '--help');
    expect(a).toMatchObject({ code: 0, stderr: '' });
    expect(a.stdout).toMatch(/^usage: nslab apply FILE\|PLANFILE \[--lab NAME\] \[--auto-approve\] \[--no-rollback\]\n/u);
    expect(a.stdout).toContain('--no-rollback');
    expect(a.stdout).not.toContain('--detailed-exitcode');
    expect(nslab('apply', '-h').stdout).toBe(a.stdout);
    expect(nslab('help', 'apply').stdout).toBe(a.stdout);
    expect(nslab('gc', '--help').stdout).toMatch(/^usage: nslab gc /u);
    expect(nslab('exec', '--help').stdout).toMatch(/^usage: nslab exec FILE\|--lab NAME NAMESPACE -- CMD/u);
  });

  it('prints the global usage for help, --help and no command (which exits 1)', () => {
    const h = nslab('help');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^usage: nslab <command> \[options\]\n/u);
    for (const cmd of ['synth', 'plan', 'apply', 'destroy', 'show', 'gc', 'graph', 'exec', 'provider', 'help']) expect(h.stdout).toContain(`\n  ${cmd} `);
    expect(nslab('--help').stdout).toBe(h.stdout);
    expect(nslab()).toMatchObject({ code: 1, stdout: h.stdout });
  });

  it('prints the package version for --version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(nslab('--version')).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('names every environment variable the command reads', () => {
    const files = (dir: string): string[] => readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === 'testing' ? [] : files(join(dir, e.name))) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
    const read = new Set([...files('src'), ...files('constructs')].flatMap((f) => readFileSync(join(ROOT, f), 'utf8').match(/\bNSLAB_[A-Z_]+[A-Z]\b/gu) ?? []));
    expect([...read].sort()).toEqual(['NSLAB_CACHE_DIR', 'NSLAB_CDK', 'NSLAB_DASH', 'NSLAB_LAUNCHER', 'NSLAB_NSENTER_FROM', 'NSLAB_OUTDIR', 'NSLAB_PARALLEL', 'NSLAB_PIN_DIR', 'NSLAB_PREFIX', 'NSLAB_SSH_CONFIG', 'NSLAB_SSH_DIR', 'NSLAB_STATE_DIR', 'NSLAB_TIMEOUT']);
    const env = nslab('help').stdout.split('\nenvironment: ')[1]!.split('\nexit codes')[0]!;
    for (const v of read) expect(env).toContain(v);
    expect(nslab('plan', '--help').stdout).toContain('NSLAB_CACHE_DIR');
  });
});

describe('mistakes in how nslab is called', () => {
  it('names a mistyped option in one error line, suggests the option meant, and exits 1', () => {
    expect(nslab('apply', 'lab.ts', '--auto-aprove')).toEqual({
      code: 1, stdout: '', stderr: 'error: unknown option --auto-aprove; did you mean "--auto-approve"? (nslab apply --help lists the options)\n',
    });
    expect(nslab('plan', 'lab.ts', '--bogus')).toEqual({ code: 1, stdout: '', stderr: 'error: unknown option --bogus (nslab plan --help lists the options)\n' });
    expect(nslab('plan', 'lab.ts', '--lab').stderr).toBe('error: --lab needs a value\n');
    expect(nslab('plan', 'lab.ts', '--json=yes').stderr).toBe('error: --json takes no value\n');
  });

  it('tells exec that the command\'s own options go after --', () => {
    const r = nslab('exec', '--lab', 'x', 'red', 'ls', '-la');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: unknown option -l: the command\'s own options go after --, as in: nslab exec FILE NAMESPACE -- CMD -l\n');
  });

  it('suggests the command meant for a mistyped one', () => {
    expect(nslab('aply')).toEqual({ code: 1, stdout: '', stderr: 'error: unknown command "aply"; did you mean "apply"? (nslab help lists the commands)\n' });
    expect(nslab('help', 'destory').stderr).toBe('error: unknown command "destory"; did you mean "destroy"? (nslab help lists the commands)\n');
    expect(nslab('frobnicate').stderr).toBe('error: unknown command "frobnicate" (nslab help lists the commands)\n');
  });

  it('suggests only what is close', () => {
    expect(closest('pln', ['plan', 'apply'])).toBe('plan');
    expect(closest('grpah', ['graph', 'gc'])).toBe('graph');
    expect(closest('x', ['gc', 'plan'])).toBeUndefined();
    expect(closest('--dryrun', ['--dry-run', '--debug'])).toBe('--dry-run');
  });
});
