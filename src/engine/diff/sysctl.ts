/**
 * The diff of host sysctls (plan resources of type `sysctl`). Pure.
 *
 * - A declared key is set when the kernel's value differs (an update: the kernel's value is the
 *   `from`, so a rollback puts it back), or created with its device when the key belongs to a
 *   host device this plan creates (`net.ipv4.conf.<device>.forwarding`).
 * - A declared key the kernel lacks is a conflict, so nothing changes.
 * - A key another lab of the store declares is a conflict naming that lab: each lab puts back
 *   the value it found, so two owners of one key would fight.
 * - A key the lab no longer declares goes back to the value found before nslab first set it
 *   (recorded in the state); when its device is gone or goes in the same apply, there is nothing
 *   to put back.
 */
import { HOST, type SysctlResource } from '../../plan/types.js';
import { sysctlDevice } from '../../plan/validate.js';
import type { LiveState } from '../live/read.js';
import type { Change, Conflict } from './change.js';


/** The file the kernel serves a key from, for messages. */
export const sysctlFile = (key: string) => `/proc/sys/${key.replace(/\./gu, '/')}`;

export interface SysctlContext {
  readonly live: LiveState;
  /** Host sysctl key -> the other lab (of the same store) whose state declares it. */
  readonly owners?: ReadonlyMap<string, string>;
  /** Whether the lab's state already declares this resource. */
  readonly known: boolean;
  /** Whether this plan creates (or re-creates) the host device of that name. */
  readonly deviceCreated: (name: string) => boolean;
}

export const liveHostSysctl = (live: LiveState, key: string): string | undefined => live.locations.get(HOST)?.sysctls[key];

/** A host sysctl that lab `other` of the same store declares too. */
export function ownerConflict(r: SysctlResource, other: string): Conflict {
  return { path: r.path, message: `sysctl "${r.key}" in the host is declared by lab "${other}" too; nslab leaves it to that lab (each lab puts back the value it found, so two would fight)` };
}

/** The change (or conflict) for a declared host sysctl. */
export function sysctlChange(id: string, r: SysctlResource, ctx: SysctlContext): { change?: Change; conflict?: Conflict } {
  const other = ctx.owners?.get(r.key);
  if (other !== undefined) return { conflict: ownerConflict(r, other) };
  const base = { id, type: 'sysctl' as const, path: r.path, desired: r };
  const device = sysctlDevice(r.key);
  if (device !== undefined && ctx.deviceCreated(device)) {
    return { change: { ...base, action: 'create', fields: [{ field: 'value', to: r.value }], reason: `its device "${device}" is created` } };
  }
  const live = liveHostSysctl(ctx.live, r.key);
  if (live === undefined) {
    return { conflict: { path: r.path, message: `sysctl "${r.key}" does not exist in this kernel (no ${sysctlFile(r.key)}); nothing was changed` } };
  }
  if (live === r.value) return {};
  const reason = ctx.known ? 'differs from the kernel (changed out of band)' : `declared in the lab; the kernel has ${live}`;
  return { change: { ...base, action: 'update', fields: [{ field: 'value', from: live, to: r.value }], reason } };
}

/**
 * The change that puts back a key the lab no longer declares, when nslab recorded the value it
 * found. `deviceGoes`: whether this plan deletes the host device the key belongs to (the key
 * goes with it: nothing to put back).
 */
export function sysctlRestore(id: string, p: SysctlResource, found: string | undefined, live: LiveState, deviceGoes: (name: string) => boolean): Change | undefined {
  const now = liveHostSysctl(live, p.key);
  const device = sysctlDevice(p.key);
  if (found === undefined || now === undefined || now === found || (device !== undefined && deviceGoes(device))) return undefined;
  return {
    id, type: 'sysctl', action: 'update', path: p.path, desired: { ...p, value: found }, prior: p,
    fields: [{ field: 'value', from: now, to: found }], reason: `no longer declared: ${p.key} back to the value found before nslab set it`,
  };
}
