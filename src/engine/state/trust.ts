/**
 * Directories nslab writes to as root (the state store, the test fixtures' run directories, the
 * lab bundle cache) must be its own: a directory another user can write lets that user swap a
 * file for a symlink or plant a record. The rule is ssh's StrictModes: the directory is owned by
 * the user running nslab and writable by nobody else; every parent is owned by that user or root
 * and not writable by others unless sticky (as /tmp is); a symlink on the way is owned by that
 * user or root.
 */
import { lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A directory nslab refuses to use, with the reason in one line. */
export class UntrustedDirError extends Error {
  override name = 'UntrustedDirError';
}

const checked = new Set<string>();

const uid = () => process.getuid?.() ?? 0;
const mode = (st: Stats) => `0${(st.mode & 0o7777).toString(8)}`;

/** Why `dir` (which must exist) may not be trusted, or undefined when it may. */
export function distrust(dir: string): string | undefined {
  const me = uid();
  const byUs = (st: Stats) => st.uid === me || st.uid === 0;
  for (let p = resolve(dir); ; p = dirname(p)) {
    const l = lstatSync(p);
    if (l.isSymbolicLink() && !byUs(l)) return `${p} is a symlink owned by uid ${l.uid}`;
    if (p === '/') break;
  }
  const real = realpathSync(dir);
  const st = statSync(real);
  if (!st.isDirectory()) return `${real} is not a directory`;
  if (st.uid !== me) return `${real} is owned by uid ${st.uid}, not by uid ${me} who runs nslab`;
  if (st.mode & 0o022) return `${real} can be written by ${st.mode & 0o002 ? 'any user' : 'its group'} (mode ${mode(st)}); run chmod go-w on it`;
  for (let p = dirname(real); ; p = dirname(p)) {
    const ps = statSync(p);
    if (!byUs(ps)) return `its parent ${p} is owned by uid ${ps.uid}`;
    if (ps.mode & 0o022 && !(ps.mode & 0o1000)) return `its parent ${p} can be written by others (mode ${mode(ps)}) and is not sticky`;
    if (p === '/') break;
  }
  return undefined;
}

/**
 * Creates `dir` (mode 0700) when it is missing and checks that it may be trusted; throws
 * UntrustedDirError naming `what` and the reason otherwise. Checked once per process and path.
 */
export function trustedDir(dir: string, what: string): string {
  const abs = resolve(dir);
  if (checked.has(abs)) return abs;
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  const why = distrust(abs);
  if (why) throw new UntrustedDirError(`refusing the ${what} ${dir}: ${why}`);
  checked.add(abs);
  return abs;
}
