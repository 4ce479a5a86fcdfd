/**
 * Mininet as a baseline for linear-N: `mn --topo linear,N --switch lxbr --controller none --test none`.
 *
 * Mininet's names (bridges s1…sN and ports sI-ethJ in the host) cannot carry the benchmark's
 * prefix, so it only runs when no host interface has a Mininet-style name before it starts, and
 * after each run removes exactly the Mininet-style host interfaces that run left behind.
 */
import { execFileSync } from 'node:child_process';
import { IP, allHostLinks, measure, type Measured } from './measure.js';

const MININET_NAME = /^(s\d+(-eth\d+)?|h\d+-eth\d+)$/u;

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function mininetVersion(): string | undefined {
  if (!which('mn')) return undefined;
  try {
    return execFileSync('sh', ['-c', 'mn --version 2>&1'], { encoding: 'utf8' }).trim().split('\n').pop();
  } catch {
    return undefined;
  }
}

/** Why Mininet cannot run here, or undefined when it can. */
export function mininetUnavailable(): string | undefined {
  if (!which('mn')) return 'Mininet is not installed (`apt-get install -y mininet bridge-utils`)';
  if (!which('brctl')) return 'bridge-utils (brctl) is not installed, and `--switch lxbr` needs it';
  const clash = allHostLinks().filter((n) => MININET_NAME.test(n));
  if (clash.length) return `host interfaces with Mininet-style names already exist (${clash.slice(0, 5).join(', ')}); not running Mininet next to them`;
  return undefined;
}

/** Removes the Mininet-style host interfaces that were not there before (`before`). */
export function mininetLeftovers(before: ReadonlySet<string>): string[] {
  const left = allHostLinks().filter((n) => MININET_NAME.test(n) && !before.has(n));
  for (const l of left) {
    try {
      execFileSync(IP, ['link', 'del', 'dev', l], { stdio: 'ignore' });
    } catch {
      // a veth whose peer was deleted first is already gone
    }
  }
  return left;
}

/** One Mininet start+stop of linear,N. Fails (code != 0) when mn printed an exception. */
export async function runMininet(n: number, cwd: string): Promise<Measured> {
  const before = new Set(allHostLinks());
  const r = await measure(['mn', '--topo', `linear,${n}`, '--switch', 'lxbr', '--controller', 'none', '--test', 'none'], { cwd, timeoutMs: 600_000 });
  const left = mininetLeftovers(before);
  const broken = /Traceback|Exception|\*\*\* Error/u.test(r.stderr) || !/\*\*\* Done/u.test(r.stderr);
  const extra = left.length ? `\nbench: removed ${left.length} interfaces Mininet left behind` : '';
  return { ...r, code: r.code !== 0 ? r.code : broken ? 1 : 0, stderr: r.stderr + extra };
}
