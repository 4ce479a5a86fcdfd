/**
 * Sysctls a lab stops declaring go back to the value nslab found before it first set them.
 * The state records those values (`sysctlsFound`: namespace -> key -> value); a plan adds each
 * recorded key that the lab no longer declares back to the namespace, with the recorded value,
 * so the diff shows and the apply makes the change like any other.
 */
import type { NamespaceResource, Resource } from '../../plan/types.js';
import type { LabState } from './state.js';

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
 * longer declared are dropped. Undefined when nothing is recorded.
 */
export function foundAfter(previous: SysctlsFound | undefined, before: Map<string, Record<string, string>> | undefined, declared: Record<string, Resource>): SysctlsFound | undefined {
  const out: SysctlsFound = {};
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
