/**
 * `nslab show`: what the labs own now, drift marked, and the live values of the fields a lab
 * leaves undeclared (nslab manages those only when declared, so changes to them are not drift).
 */
import { loc, type PlanDocument, type Resource } from '../plan/types.js';
import { describe, planLab, readState, stateDir, type EngineOptions, type LiveState } from '../engine/index.js';

/** Live values of the fields `r` leaves undeclared: `mtu` and `mac` of links, `device` and `metric` of routes. */
export function undeclaredLive(r: Resource, live: LiveState): Record<string, string | number> | null {
  const link = (ns: string | undefined, name: string) => live.locations.get(loc(ns))?.links.get(name);
  const out: Record<string, string | number> = {};
  const linkFields = (ns: string | undefined, name: string, mtu: number | undefined, mac: string | undefined, prefix = '') => {
    const l = link(ns, name);
    if (!l) return;
    if (mtu === undefined) out[`${prefix}mtu`] = l.mtu;
    if (mac === undefined && l.mac !== undefined) out[`${prefix}mac`] = l.mac;
  };
  if (r.type === 'bridge') linkFields(r.namespace, r.name, r.mtu, r.mac);
  // A vxlan declares no MAC (the kernel picks one): only its MTU is a field it may leave undeclared.
  if (r.type === 'vxlan' && r.mtu === undefined && link(r.namespace, r.name)) out.mtu = link(r.namespace, r.name)!.mtu;
  if (r.type === 'veth') {
    linkFields(r.a.namespace, r.a.name, r.mtu, r.a.mac, 'a.');
    linkFields(r.b.namespace, r.b.name, r.mtu, r.b.mac, 'b.');
    // One MTU for the pair unless the ends differ.
    if (out['a.mtu'] !== undefined && out['a.mtu'] === out['b.mtu']) {
      out.mtu = out['a.mtu']!;
      delete out['a.mtu'];
      delete out['b.mtu'];
    }
  }
  if (r.type === 'route') {
    const route = live.locations.get(loc(r.namespace))?.routes.find((x) => x.family === r.family && x.destination === r.destination && x.protocol !== 'kernel');
    if (r.device === undefined && route?.device !== undefined) out.device = route.device;
    if (r.metric === undefined && route?.metric !== undefined) out.metric = route.metric;
  }
  return Object.keys(out).length ? out : null;
}

const fieldsText = (f: Record<string, string | number>) => Object.entries(f).map(([k, v]) => `${k} ${v}`).join(', ');

/** Prints the labs with these keys (as text, or JSON with `json`). */
export async function showLabs(keys: readonly string[], opts: EngineOptions, json: boolean | undefined, out: (text: string) => void): Promise<number> {
  const report = [];
  for (const key of keys) {
    const state = readState(stateDir(), key);
    if (!state) throw new Error(`no lab "${key}" in ${stateDir()}`);
    const plan: PlanDocument = { version: 1, lab: state.lab, prefix: state.prefix, resources: state.resources };
    const r = await planLab(plan, opts);
    const drift = new Map(r.result.changes.map((c) => [c.id, c]));
    report.push({
      lab: state.lab, key, managedBy: state.managedBy ?? 'nslab',
      resources: Object.entries(state.resources).sort(([a], [b]) => a.localeCompare(b)).map(([id, res]) => {
        const d = drift.get(id);
        return { id, path: res.path, what: describe(res), drift: d ? { action: d.action, reason: d.reason, fields: d.fields } : null, live: undeclaredLive(res, r.live) };
      }),
      undeclared: r.result.changes.filter((c) => c.id.startsWith('drift:')).map((c) => ({ path: c.path, what: describe(c.prior!) })),
    });
  }
  if (json) {
    out(JSON.stringify(report, null, 2));
    return 0;
  }
  if (report.length === 0) out(`no labs in ${stateDir()}`);
  for (const lab of report) {
    out(`lab ${lab.key}${lab.managedBy === 'terraform' ? ' (managed by Terraform, provider nslab/netns)' : ''}:`);
    for (const r of lab.resources) {
      const drift = r.drift ? `  drift: ${r.drift.reason}${r.drift.fields.map((f) => `; ${f.field}`).join('')}` : '';
      const live = r.live ? `  (not declared; live: ${fieldsText(r.live)})` : '';
      out(`  ${r.drift ? '!' : ' '} ${r.what}  [${r.path}]${drift}${live}`);
    }
    for (const u of lab.undeclared) out(`  ! ${u.what}  [${u.path}]  drift: not declared in the lab`);
  }
  return 0;
}
