/**
 * The nslab command's help: the global usage, one page per command, the version, and
 * "did you mean" for mistyped commands and options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Option = readonly [flag: string, text: string];

interface CommandHelp {
  readonly usage: string;
  readonly about: string;
  readonly options: readonly Option[];
}

const LAB: Option = ['--lab NAME', 'act on one lab: of FILE, or without FILE of those with a state file (its name, or prefix+name; with NSLAB_PREFIX set, NSLAB_PREFIX+NAME first)'];
const LOCK: Option = ['--lock-timeout SEC', 'wait this long for a lab locked by another nslab (default 0)'];
const ADOPT: Option = ['--adopt', 'take over unmarked objects the lab declares that already match it exactly (nothing is recreated); objects that differ stay errors'];
const TIMEOUT: Option = ['--timeout SEC', 'deadline of every ip/sysctl process nslab runs (default 120, env NSLAB_TIMEOUT)'];
const APPROVE = (what: string): Option => ['--auto-approve', `${what} without asking (needed without a terminal)`];
const DEBUG: Option = ['--debug', 'print stack traces'];

/** Every variable the nslab command reads (a test checks this against the sources). */
export const ENVIRONMENT = [
  'NSLAB_STATE_DIR (default /var/lib/nslab)',
  'NSLAB_PREFIX (put in front of every lab\'s prefix)',
  'NSLAB_TIMEOUT (seconds, default 120)',
  'NSLAB_CACHE_DIR (lab file bundles, default ~/.cache/nslab)',
  'NSLAB_OUTDIR (synth\'s default DIR, else nslab.out)',
  'NSLAB_NSENTER_FROM (enter namespaces with nsenter from this many lines of the mount table on, default 1200 with the launcher\'s dash, else 600)',
  'NSLAB_LAUNCHER (0: start processes directly, without the launcher)',
  'NSLAB_DASH (0: the launcher starts processes itself, not through dash)',
  'NSLAB_PARALLEL (how many processes the launcher runs at once, default 1; 0: no limit)',
  'NSLAB_PIN_DIR (where namespaces are pinned, default /run/nslab/pins)',
  'NSLAB_SSH_CONFIG (an ssh_config file for connections to a lab\'s hosts, instead of the user\'s)',
  'NSLAB_SSH_DIR (ssh control sockets of those connections, default /run/nslab/ssh)',
  'NSLAB_CDK (cdktf or cdktn: which CDK library nslab/cdktf loads when both are installed)',
];

export const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  synth: { usage: 'synth FILE [--lab NAME] [--out DIR]', about: 'write the plan(s) a lab file defines, one DIR/<prefix><lab>.plan.json per lab', options: [['--out DIR', 'where to write (default $NSLAB_OUTDIR, else nslab.out)'], LAB] },
  plan: {
    usage: 'plan FILE [--lab NAME] [--json] [--detailed-exitcode] [--out PLANFILE]',
    about: 'show what apply would change, against the live kernel; changes nothing',
    options: [['--json', 'the changes as JSON'], ['--detailed-exitcode', 'exit 2 when there are changes, 0 when none'], ['--out PLANFILE', 'save the plan and its exact changes, for review and `nslab apply PLANFILE`'], ADOPT, LAB, LOCK, TIMEOUT],
  },
  apply: {
    usage: 'apply FILE|PLANFILE [--lab NAME] [--auto-approve] [--no-rollback]',
    about: 'make the kernel match the lab (a PLANFILE: exactly the saved changes, refused if the kernel moved since); on a terminal, a long apply shows its progress',
    options: [APPROVE('apply'), ['--no-rollback', 'keep a failed apply\'s partial result (default: restore the kernel as it was)'], ADOPT, LAB, LOCK, TIMEOUT],
  },
  destroy: { usage: 'destroy FILE | --lab NAME [--auto-approve]', about: 'remove everything the lab owns (from its state file: the lab\'s code is not needed)', options: [APPROVE('destroy'), LAB, LOCK, TIMEOUT] },
  show: { usage: 'show [--lab NAME] [--json]', about: 'what the labs own now, with drift marked', options: [['--json', 'as JSON'], LAB, TIMEOUT] },
  gc: {
    usage: 'gc [--dry-run] [--prefix P] [--auto-approve]',
    about: 'remove orphans: objects marked for a lab of this state store that its state does not claim',
    options: [['--dry-run', 'only list them'], ['--prefix P', 'only names starting with P'], APPROVE('remove them'), TIMEOUT],
  },
  graph: { usage: 'graph FILE [--lab NAME] [--format mermaid|dot]', about: 'the topology as a diagram', options: [['--format F', 'mermaid (default) or dot'], LAB] },
  exec: {
    usage: 'exec FILE|--lab NAME NAMESPACE -- CMD [ARG…]',
    about: 'run a command inside one of the lab\'s namespaces; exits with its code, 128+N when signal N killed it, 127 when it is not found',
    options: [LAB, ['--', 'everything after it is the command and its own options']],
  },
  import: {
    usage: 'import NAMESPACE… [--lab NAME] [--out FILE]',
    about: 'write a lab file declaring namespaces built by hand (their veths, host bridges, addresses, routes, MTUs, sysctls); take them over with: nslab apply FILE --adopt',
    options: [['--lab NAME', 'the lab\'s name in the file (default: imported)'], ['--out FILE', 'write the file (default: print it)'], TIMEOUT],
  },
  provider: { usage: 'provider install [--dir DIR]', about: 'install the Terraform provider nslab/netns', options: [['--dir DIR', 'the plugin mirror (default: ~/.terraform.d/plugins)']] },
  help: { usage: 'help [COMMAND]', about: 'this help, or one command\'s', options: [] },
};

const wrap = (text: string, width: number, indent: string): string => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
};

const optionLines = (options: readonly Option[]) => options.map(([flag, text]) => `  ${flag.padEnd(21)}${wrap(text, 77, ' '.repeat(23))}`).join('\n');
const environment = () => wrap(`environment: ${ENVIRONMENT.join(', ')}`, 100, '  ');

export const USAGE = `usage: nslab <command> [options]

commands:
${Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${wrap(c.about, 92, '      ')}`).join('\n')}

FILE is a TypeScript or JavaScript lab file, or a synthesized plan JSON.
common options:
${optionLines([LAB, LOCK, TIMEOUT, DEBUG, ['--help, -h', 'help (nslab COMMAND --help: that command\'s)'], ['--version', 'print nslab\'s version']])}
${environment()}
exit codes: 0 done, 1 error, 2 plan --detailed-exitcode with changes; exec: the command's code,
128+N when signal N killed it, 127 when it is not found`;

/** The help page of one command. */
export function commandHelp(cmd: string): string {
  const c = COMMANDS[cmd]!;
  return `usage: nslab ${c.usage}\n\n${wrap(c.about, 96, '')}\n\noptions:\n${optionLines([...c.options, DEBUG, ['--help, -h', 'this help']])}\n\n${environment()}`;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate `word` was most likely meant to be, if one is close enough. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const scored = candidates.map((c) => ({ c, d: c.startsWith(word) && word.length >= 3 ? 0.5 : distance(word, c) }));
  const best = scored.sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.min(2, Math.max(1, Math.floor(word.length / 3))) ? best.c : undefined;
}

/** The `; did you mean "X"?` tail of an error, or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const hit = closest(word, candidates);
  return hit ? `; did you mean "${hit}"?` : '';
}

/** nslab's version, from its package.json (found upwards of this module: src/ or dist/src/). */
export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nslab' && pkg.version) return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}
