/**
 * Sysctls a lab stops declaring go back to the value nslab found before it first set them.
 * The state records those values (`sysctlsFound`: location -> key -> value, where the location
 * `''` is the host); a plan adds each recorded key that a namespace no longer declares back to
 * the namespace, with the recorded value, so the diff shows and the apply makes the change like
 * any other. Host sysctls (resources of type `sysctl`) are put back by the diff itself when the
 * lab no longer declares them (see diff/sysctl.ts), on destroy too.
 *
 * A host sysctl has one owner among the labs of a store: hostSysctlClaims finds the other labs
 * whose state (applied or pending) declares a key, and the diff makes that a conflict.
 */
import { HOST, type NamespaceResource, type Resource } from '../../plan/types.js';
import { listStates, priorOf, readState, type LabState } from './state.js';
import type { Change } from '../diff/change.js';

export type SysctlsFound = Record<string, Record<string, string>>;

/** `desired`, with each recorded sysctl that a declared namespace no longer declares set back to its recorded value. */
export function withRestores(desired: Record<string, Resource>, state: LabState | undefined): Record<string, Resource> {
  const found = state?.sysctlsFound;
  if (!found) return desired;
  const out: Record<string, Resource> = {};
  for (const [id, r] of Object.entries(desired)) {
    const back = r.type === 'namespace' ? Object.entries(found[r.name] ?? {}).filter(([k]) => !(k in r.sysctls)) : [];
    out[id] = back.length ? ({ ...(r as NamespaceResource), sysctls: { ...(r as NamespaceResource).sysctls, ...Object.fromEntries(back) } }) : r;
  }
  return out;
}

/**
 * The record after a successful apply of `declared`: values seen before this apply's writes are
 * kept for keys not yet recorded; keys no longer declared (now restored) and namespaces no
 * longer declared are dropped. Host keys are those of the `sysctl` resources, under `''`.
 * Undefined when nothing is recorded.
 */
export function foundAfter(previous: SysctlsFound | undefined, before: Map<string, Record<string, string>> | undefined, declared: Record<string, Resource>): SysctlsFound | undefined {
  const out: SysctlsFound = {};
  const host: Record<string, string> = {};
  for (const r of Object.values(declared)) {
    if (r.type !== 'sysctl') continue;
    const v = previous?.[HOST]?.[r.key] ?? before?.get(HOST)?.[r.key];
    if (v !== undefined) host[r.key] = v;
  }
  if (Object.keys(host).length) out[HOST] = host;
  for (const r of Object.values(declared)) {
    if (r.type !== 'namespace') continue;
    const rec: Record<string, string> = {};
    for (const k of Object.keys(r.sysctls)) {
      const v = previous?.[r.name]?.[k] ?? before?.get(r.name)?.[k];
      if (v !== undefined) rec[k] = v;
    }
    if (Object.keys(rec).length) out[r.name] = rec;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The host sysctls recorded as found before nslab set them (key -> value). */
export const hostFound = (state: LabState | undefined): Record<string, string> | undefined => state?.sysctlsFound?.[HOST];

/**
 * Host sysctl key -> the key of another lab in store `dir` whose state (applied or pending)
 * declares it, for the host sysctls among `resources`. Reads the other labs' state files only
 * when `resources` declare any.
 */
export function hostSysctlClaims(dir: string, key: string, resources: Iterable<Resource>): Map<string, string> {
  return claimsAmong(key, resources, listStates(dir), (other) => readState(dir, other));
}

/**
 * Host sysctl key -> the first of `others` (lab keys, not `key`) whose state declares it, for the
 * host sysctls among `resources`; `read` gives a lab's state (nothing is read when they declare none).
 */
export function claimsAmong(key: string, resources: Iterable<Resource>, others: readonly string[], read: (other: string) => LabState | undefined): Map<string, string> {
  const wanted = new Set<string>();
  for (const r of resources) if (r.type === 'sysctl') wanted.add(r.key);
  const out = new Map<string, string>();
  if (wanted.size === 0) return out;
  for (const other of others) {
    if (other === key) continue;
    for (const { resource: r } of priorOf(read(other))) {
      if (r.type === 'sysctl' && wanted.has(r.key) && !out.has(r.key)) out.set(r.key, other);
    }
  }
  return out;
}

/**
 * The record before an apply's first change: `previous`, plus the kernel's value of each host
 * key the changes set for the lab that nothing is recorded for yet (the `from` of the change).
 * Written with the apply's `pending`, so an apply killed after a host sysctl was set still puts
 * the value found back later.
 */
export function foundBeforeApply(previous: SysctlsFound | undefined, changes: readonly Change[]): SysctlsFound | undefined {
  const host = { ...(previous?.[HOST] ?? {}) };
  for (const c of changes) {
    // Updates of declared keys; a put-back (it has a `prior`) records nothing.
    if (c.type !== 'sysctl' || c.action !== 'update' || c.prior || c.desired?.type !== 'sysctl') continue;
    const from = c.fields.find((f) => f.field === 'value')?.from;
    if (typeof from === 'string' && host[c.desired.key] === undefined) host[c.desired.key] = from;
  }
  const out: SysctlsFound = { ...(previous ?? {}) };
  if (Object.keys(host).length) out[HOST] = host;
  return Object.keys(out).length ? out : undefined;
}
