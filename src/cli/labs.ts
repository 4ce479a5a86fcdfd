/**
 * Which lab `--lab NAME` means, the same way in every command: among the labs of a file, of a
 * saved plan, or with a state file.
 */
import { labKey } from '../plan/types.js';
import { listStates, readState } from '../engine/index.js';

/** A lab that `--lab NAME` may name. */
export interface LabCandidate {
  readonly lab: string;
  readonly prefix: string;
}

/** A name that matches no lab, or more than one. */
export class LabNameError extends Error {
  override name = 'LabNameError';
}

const keys = (labs: readonly LabCandidate[]) => labs.map(labKey).join(', ') || 'none';

/**
 * The one lab among `labs` that `name` means, trying in turn:
 *  1. with NSLAB_PREFIX set, the lab whose key (prefix + name) is NSLAB_PREFIX + `name`;
 *  2. the lab whose key is `name`;
 *  3. the lab whose name is `name`, whatever its prefix (two such labs: an error listing both).
 * `where` says where the labs come from, for the error when none matches.
 */
export function resolveLab<T extends LabCandidate>(name: string, labs: readonly T[], where: string, envPrefix = process.env.NSLAB_PREFIX ?? ''): T {
  const byKey = (k: string) => labs.find((l) => labKey(l) === k);
  const hit = (envPrefix ? byKey(`${envPrefix}${name}`) : undefined) ?? byKey(name);
  if (hit) return hit;
  const named = labs.filter((l) => l.lab === name);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new LabNameError(`lab name "${name}" is ambiguous in ${where}: it names ${keys(named)}; give the lab's key (prefix + name)`);
  throw new LabNameError(`no lab "${name}" in ${where} (labs there: ${keys(labs)})`);
}

/** All of `labs` without a name; otherwise the one `name` resolves to. */
export function selectLabs<T extends LabCandidate>(name: string | undefined, labs: readonly T[], where: string): T[] {
  return name === undefined ? [...labs] : [resolveLab(name, labs, where)];
}

/**
 * The labs with a state file in `dir`. A state file that cannot be read still names its key,
 * so that a command on that lab reports what is wrong with it.
 */
export function stateLabs(dir: string): Array<LabCandidate & { key: string }> {
  return listStates(dir).map((key) => {
    try {
      const s = readState(dir, key);
      if (s) return { lab: s.lab, prefix: s.prefix, key };
    } catch {
      // reported when the lab is acted on
    }
    return { lab: key, prefix: '', key };
  });
}
