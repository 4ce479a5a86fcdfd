/**
 * Labs that span machines. A plan with `hosts` names each machine (how to reach it over SSH, its
 * underlay address for VXLAN) and puts every resource on one of them (`host`). The engine works
 * on one host's part at a time (hostParts): a plan of its own, keyed `<lab key>.<host id>`, so
 * each machine's records, lock and kernel markers are its own, even where two simulated hosts
 * share a filesystem.
 */
import type { HostSpec, PlanDocument, Resource } from './types.js';
import { parseIp } from './net.js';

/** A host id: it ends the lab key of the host's part (`<key>.<id>`), so it stays short and plain. */
const HOST_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/u;

export function hostIdProblem(id: string): string | undefined {
  return HOST_ID_RE.test(id) ? undefined : `host id "${id}" must be 1-31 letters, digits, "_" or "-", starting with a letter or digit`;
}

/** Where to reach a machine over SSH. */
export interface SshAddress {
  readonly user?: string;
  readonly address: string;
  readonly port?: number;
}

const USER = '[A-Za-z_][A-Za-z0-9._-]{0,31}';
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?';
const SSH_RE = new RegExp(`^(?:ssh://)?(?:(${USER})@)?(${NAME}|\\[[0-9A-Fa-f:.]+\\])(?::([0-9]{1,5}))?$`, 'u');

/**
 * `user@address[:port]` or `ssh://user@address[:port]` (an IPv6 address in brackets); a message
 * saying what is wrong otherwise. Nothing else gets through: no option (`-o…`), no shell syntax.
 */
export function parseSsh(text: unknown): SshAddress | string {
  const m = typeof text === 'string' ? SSH_RE.exec(text) : null;
  const port = m?.[3] === undefined ? undefined : Number(m[3]);
  if (!m || (port !== undefined && (port < 1 || port > 65535))) {
    return `ssh ${JSON.stringify(text)} must be user@address[:port] (an IPv6 address in brackets)`;
  }
  return { ...(m[1] ? { user: m[1] } : {}), address: m[2]!.replace(/^\[|\]$/gu, ''), ...(port ? { port } : {}) };
}

/** The problem with a host's ssh, underlay, key or state directory, if any. */
export function sshProblem(spec: { readonly ssh?: unknown; readonly underlay?: unknown; readonly identityFile?: unknown; readonly stateDir?: unknown }): string | undefined {
  const ssh = parseSsh(spec.ssh);
  if (typeof ssh === 'string') return ssh;
  const underlay = spec.underlay ?? ssh.address;
  if (typeof underlay !== 'string' || !parseIp(underlay)) {
    return spec.underlay === undefined
      ? `the underlay address is missing: ssh names "${ssh.address}", not an IP address; set "underlay" to this host's address for VXLAN`
      : `underlay ${JSON.stringify(spec.underlay)} must be an IP address`;
  }
  for (const k of ['identityFile', 'stateDir'] as const) {
    const v = spec[k];
    if (v !== undefined && (typeof v !== 'string' || !v.startsWith('/') || v.includes('\n'))) return `"${k}" must be an absolute path`;
  }
  return undefined;
}

/** Plan-level checks of a plan's hosts (see loadPlan): every problem, as `[path] message`. */
export function hostProblems(plan: PlanDocument): string[] {
  const hosts = plan.hosts;
  const out: string[] = [];
  const resources = Object.values(plan.resources);
  if (hosts === undefined) {
    for (const r of resources) if (r.host !== undefined) out.push(`[${r.path}] is on host "${r.host}", but the lab declares no hosts`);
    return out;
  }
  const underlays = new Map<string, string>();
  for (const [id, spec] of Object.entries(hosts)) {
    const p = hostIdProblem(id) ?? sshProblem(spec);
    if (p) out.push(`[host ${id}] ${p}`);
    else {
      const prior = underlays.get(spec.underlay);
      if (prior) out.push(`[host ${id}] underlay ${spec.underlay} is also host "${prior}"'s`);
      underlays.set(spec.underlay, id);
    }
  }
  for (const r of resources) {
    if (r.host === undefined) out.push(`[${r.path}] in a lab with hosts, ${r.type === 'namespace' ? 'a namespace' : 'an object in a host\'s root namespace'} needs "host"`);
    else if (!hosts[r.host]) out.push(`[${r.path}] host "${r.host}" is not declared in the lab`);
  }
  // Everything in a namespace is on the namespace's host.
  const nsHost = new Map(resources.flatMap((r) => (r.type === 'namespace' ? [[r.name, r.host] as const] : [])));
  for (const r of resources) {
    for (const ns of namespacesOf(r)) {
      const h = nsHost.get(ns);
      if (h !== undefined && r.host !== undefined && h !== r.host) out.push(`[${r.path}] is on host "${r.host}" but namespace "${ns}" is on host "${h}"`);
    }
  }
  return out;
}

/** The namespaces a resource is in (none: the host's root namespace). */
function namespacesOf(r: Resource): string[] {
  if (r.type === 'namespace') return [];
  if (r.type === 'veth') return [r.a.namespace, r.b.namespace].filter((n): n is string => n !== undefined);
  return r.namespace === undefined ? [] : [r.namespace];
}

/**
 * Fills in `host` where the plan can tell it: anything in a namespace is on that namespace's
 * host; an address or sysctl of a root-namespace device is on the host of that device. Others
 * keep what their construct said (hostProblems reports what is still missing).
 */
export function placeResources(resources: Record<string, Resource>): Record<string, Resource> {
  const nsHost = new Map<string, string | undefined>();
  const devHost = new Map<string, string | undefined>();
  for (const r of Object.values(resources)) {
    if (r.type === 'namespace') nsHost.set(r.name, r.host);
    if (r.type === 'bridge' && r.namespace === undefined) devHost.set(r.name, r.host);
    if (r.type === 'veth') for (const e of [r.a, r.b]) if (e.namespace === undefined) devHost.set(e.name, r.host);
  }
  const out: Record<string, Resource> = {};
  for (const [id, r] of Object.entries(resources)) {
    let host = r.host;
    if (host === undefined) {
      const ns = namespacesOf(r)[0];
      if (ns !== undefined) host = nsHost.get(ns);
      else if (r.type === 'address' || r.type === 'route') host = r.device === undefined ? undefined : devHost.get(r.device);
    }
    out[id] = host === undefined ? r : { ...r, host };
  }
  return out;
}

/** One machine's part of a multi-host plan: a plan of its own, keyed `<lab key>.<host id>`. */
export interface HostPart {
  readonly host: string;
  readonly spec: HostSpec;
  readonly plan: PlanDocument;
}

/** The plan's parts, one per host (in id order); undefined for a plan without hosts (all local). */
export function hostParts(plan: PlanDocument): HostPart[] | undefined {
  if (!plan.hosts) return undefined;
  return Object.keys(plan.hosts).sort().map((host) => {
    const resources: Record<string, Resource> = {};
    for (const [id, r] of Object.entries(plan.resources)) {
      if (r.host !== host) continue;
      const { host: _h, ...rest } = r;
      resources[id] = rest as Resource;
    }
    return { host, spec: plan.hosts![host]!, plan: { version: plan.version, lab: `${plan.lab}.${host}`, prefix: plan.prefix, resources } };
  });
}

/** A plan's `hosts` as read from JSON: each a HostSpec (its problems are hostProblems'). */
export function normalizeHosts(raw: unknown, problems: string[]): Record<string, HostSpec> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push('plan: "hosts" must be an object');
    return undefined;
  }
  const out: Record<string, HostSpec> = {};
  for (const [id, h] of Object.entries(raw as Record<string, unknown>)) {
    const o = (typeof h === 'object' && h !== null ? h : {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const ssh = parseSsh(o.ssh);
    const underlay = str(o.underlay) ?? (typeof ssh === 'string' ? '' : ssh.address);
    out[id] = { ssh: String(o.ssh), underlay, ...(str(o.identityFile) ? { identityFile: str(o.identityFile) } : {}), ...(str(o.stateDir) ? { stateDir: str(o.stateDir) } : {}) };
  }
  return out;
}

/** `r` with the `host` its JSON names (a problem when that is not a string). */
export function withHost(r: Resource, raw: unknown, problems: string[]): Resource {
  const host = (raw as { host?: unknown }).host;
  if (host === undefined || host === null) return r;
  if (typeof host !== 'string') {
    problems.push(`[${r.path}] "host" must be a string (a host id)`);
    return r;
  }
  return { ...r, host };
}
