/**
 * `nslab import NAMESPACE…`: a lab file written from what the kernel holds. Reads the named
 * namespaces (and the host, for veth ends and bridges there) with the engine's reader, and writes
 * TypeScript that declares them with nslab's constructs: namespaces, veths between them or to the
 * host, host bridges whose every port is such a veth, addresses, routes, MTUs, and the `net.*`
 * sysctls whose value differs from a fresh namespace's. What the constructs cannot express is
 * listed as comments in the file. `nslab apply FILE --adopt` then takes the objects over.
 */
import { randomBytes } from 'node:crypto';
import { HOST, type Location } from '../plan/types.js';
import { inLocation, isLinkLocal, listNamespaces, parseSysctls, readLive, runChecked, type LiveLink, type LiveState, type Runner } from '../engine/index.js';

const js = (v: string) => `'${v.replace(/\\/gu, '\\\\').replace(/'/gu, "\\'")}'`;
/** A TypeScript identifier made from a kernel name. */
const ident = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/gu, '_')}`;

interface End {
  readonly where: Location;
  readonly link: LiveLink;
}

/** The `net.*` sysctls of `l`, as `sysctl -a` prints them (one process). */
async function netSysctls(runner: Runner, l: Location): Promise<Record<string, string>> {
  const r = await runner.run(inLocation(l, ['sysctl', '-a', '-r', '^net\\.']));
  return parseSysctls(r.stdout);
}

/**
 * The sysctls to declare for each namespace: a small set that, set on a new namespace, makes its
 * `net.*` values those of the namespace (setting one key can change others, as ip_forward does
 * the per-interface forwarding flags). Found by setting, one at a time, a differing key on a
 * probe namespace made here and deleted after.
 */
async function changedSysctls(runner: Runner, namespaces: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  const ignored = (k: string) => /\.(stable_secret|hash_secret)$/u.test(k) || /^net\.(netfilter|core\.netns_ipv4_route|bridge)\./u.test(k);
  // Global keys before per-interface ones, shorter before longer: the likely causes first.
  const rank = (k: string) => [/\.conf\./u.test(k) ? 1 : 0, k.length, k] as const;
  const byRank = (a: string, b: string) => { const [x, y] = [rank(a), rank(b)]; return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]); };
  for (const ns of namespaces) {
    const mine = await netSysctls(runner, ns);
    const probe = `nslab-import-${randomBytes(4).toString('hex')}`;
    await runChecked(runner, ['ip', 'netns', 'add', probe]);
    try {
      const chosen: Record<string, string> = {};
      for (let i = 0; i < 32; i++) {
        const fresh = await netSysctls(runner, probe);
        const differing = Object.keys(mine).filter((k) => k in fresh && fresh[k] !== mine[k] && !ignored(k) && !(k in chosen)).sort(byRank);
        if (!differing.length) break;
        const k = differing[0]!;
        chosen[k] = mine[k]!;
        await runner.run(inLocation(probe, ['sysctl', `${k}=${mine[k]}`]));
      }
      if (Object.keys(chosen).length) out.set(ns, Object.fromEntries(Object.entries(chosen).sort(([a], [b]) => a.localeCompare(b))));
    } finally {
      await runner.run(['ip', 'netns', 'del', probe]);
    }
  }
  return out;
}

/** Reads the namespaces and renders the lab file. Changes nothing (a probe namespace comes and goes). */
export async function importLab(runner: Runner, namespaces: readonly string[], lab: string): Promise<string> {
  const existing = new Set(await listNamespaces(runner));
  const missing = namespaces.filter((n) => !existing.has(n));
  if (missing.length) throw new Error(`no namespace ${missing.map((n) => `"${n}"`).join(', ')} (ip netns list has: ${[...existing].sort().join(', ') || 'none'})`);
  const live = await readLive(runner, { locations: [HOST, ...namespaces] });
  const sysctls = await changedSysctls(runner, namespaces);
  return render(live, namespaces, sysctls, lab);
}

/** The lab file for `namespaces` as `live` shows them. Pure. */
export function render(live: LiveState, namespaces: readonly string[], sysctls: Map<string, Record<string, string>>, lab: string): string {
  const notes: string[] = [];
  const body: string[] = [];
  const nsVar = new Map(namespaces.map((n) => [n, ident('ns', n)]));
  const deviceRef = new Map<string, string>(); // `loc|name` -> expression
  const at = (l: Location) => live.locations.get(l)!;

  for (const ns of namespaces) {
    const lo = at(ns).links.get('lo');
    const props: string[] = [`name: ${js(ns)}`];
    if (lo && !lo.up) props.push('loopbackUp: false');
    const sc = sysctls.get(ns);
    if (sc) props.push(`sysctls: { ${Object.entries(sc).map(([k, v]) => `${js(k)}: ${js(v)}`).join(', ')} }`);
    body.push(`const ${nsVar.get(ns)} = new NetNamespace(lab, ${js(ns)}, { ${props.join(', ')} });`);
    deviceRef.set(`${ns}|lo`, `${nsVar.get(ns)}.loopback`);
  }

  // Veth pairs: both ends in the named namespaces, or one in the host.
  const ends: End[] = [];
  for (const l of [...namespaces, HOST]) for (const link of at(l).links.values()) if (link.kind === 'veth') ends.push({ where: l, link });
  const paired = new Set<End>();
  const pairs: Array<[End, End]> = [];
  for (const e of ends) {
    if (paired.has(e) || e.where === HOST) continue;
    const peers = ends.filter((o) => o !== e && !paired.has(o) && o.link.ifindex === e.link.peerIfindex && o.link.peerIfindex === e.link.ifindex && (o.where === e.where) === (e.link.peerNetnsid === undefined));
    if (peers.length !== 1) {
      notes.push(`veth ${e.link.name} in ${e.where}: its peer is ${peers.length ? 'ambiguous' : 'outside the imported namespaces and the host'}; not imported`);
      continue;
    }
    paired.add(e).add(peers[0]!);
    pairs.push([e, peers[0]!]);
  }
  // Host bridges: imported when every port is a host end of an imported veth.
  const hostEnds = new Map(pairs.flatMap(([, b]) => (b.where === HOST ? [[b.link.name, b] as const] : [])));
  const bridges = [...at(HOST).links.values()].filter((l) => l.kind === 'bridge' && [...hostEnds.values()].some((e) => e.link.master === l.name));
  const importedBridges = new Set<string>();
  for (const br of bridges) {
    const ports = [...at(HOST).links.values()].filter((l) => l.master === br.name);
    if (ports.every((p) => hostEnds.has(p.name))) {
      importedBridges.add(br.name);
      const props = [`name: ${js(br.name)}`, ...(br.mtu !== 1500 ? [`mtu: ${br.mtu}`] : []), ...(br.up ? [] : ['up: false'])];
      body.push(`const ${ident('br', br.name)} = new Bridge(lab, ${js(br.name)}, { ${props.join(', ')} });`);
      deviceRef.set(`|${br.name}`, ident('br', br.name));
    } else {
      notes.push(`host bridge ${br.name} has ports outside the imported namespaces (${ports.filter((p) => !hostEnds.has(p.name)).map((p) => p.name).join(', ')}): not imported, and neither are the veths on it; nslab would own it`);
    }
  }
  for (const [a, b] of pairs) {
    const hostMaster = b.where === HOST ? b.link.master : undefined;
    if (hostMaster !== undefined && !importedBridges.has(hostMaster)) continue;
    if (a.link.master !== undefined || (b.where !== HOST && b.link.master !== undefined)) {
      notes.push(`veth ${a.link.name} (${a.where}): a port of a bridge inside a namespace; not imported`);
      continue;
    }
    const end = (e: End) => (e.where === HOST
      ? (hostMaster !== undefined ? `{ bridge: ${ident('br', hostMaster)}, name: ${js(e.link.name)} }` : `{ host: true, name: ${js(e.link.name)} }`)
      : `{ namespace: ${nsVar.get(e.where)}, name: ${js(e.link.name)} }`);
    const v = ident('veth', `${a.where}_${a.link.name}`);
    const props = [`a: ${end(a)}`, `b: ${end(b)}`];
    if (a.link.mtu !== b.link.mtu) notes.push(`veth ${a.link.name} (${a.where}): its ends have different MTUs (${a.link.mtu}, ${b.link.mtu}); declared with ${a.link.mtu}`);
    if (a.link.mtu !== 1500) props.push(`mtu: ${a.link.mtu}`);
    if (a.link.up !== b.link.up) notes.push(`veth ${a.link.name} (${a.where}): one end is up and the other down; declared ${a.link.up ? 'up' : 'down'}`);
    if (!a.link.up) props.push('up: false');
    body.push(`const ${v} = new VethLink(lab, ${js(`${a.where}-${a.link.name}`)}, { ${props.join(', ')} });`);
    deviceRef.set(`${a.where}|${a.link.name}`, `${v}.a`);
    deviceRef.set(`${b.where}|${b.link.name}`, `${v}.b`);
  }

  // Addresses and routes, where their device is declared.
  const seen = new Set<string>();
  const id = (raw: string) => {
    const base = raw.replace(/\//gu, '_');
    let x = base;
    for (let i = 2; seen.has(x); i++) x = `${base}-${i}`;
    seen.add(x);
    return x;
  };
  for (const l of [...namespaces, HOST]) {
    for (const link of at(l).links.values()) {
      const ref = deviceRef.get(`${l}|${link.name}`);
      for (const a of link.addresses) {
        if (isLinkLocal(a.address) || (link.name === 'lo' && (a.address === '127.0.0.1/8' || a.address === '::1/128'))) continue;
        if (!ref) {
          if (l !== HOST) notes.push(`address ${a.address} on ${link.name} (${l}): its device is not imported`);
          continue;
        }
        body.push(`new IpAddress(lab, ${js(id(`${l || 'host'}-${link.name}-${a.address}`))}, { device: ${ref}, address: ${js(a.address)} });`);
      }
    }
  }
  for (const ns of namespaces) {
    for (const r of at(ns).routes) {
      if (r.protocol === 'kernel' || (r.family === 6 && r.destination.startsWith('ff00:'))) continue;
      const dev = r.device ? deviceRef.get(`${ns}|${r.device}`) : undefined;
      if (r.device && !dev) {
        notes.push(`route ${r.destination} (${ns}) on ${r.device}: its device is not imported`);
        continue;
      }
      const props = [`namespace: ${nsVar.get(ns)}`, `destination: ${js(r.destination)}`, ...(r.via ? [`via: ${js(r.via)}`] : [`device: ${dev}`]), ...(r.metric ? [`metric: ${r.metric}`] : [])];
      body.push(`new Route(lab, ${js(id(`${ns}-route-${r.destination}`))}, { ${props.join(', ')} });`);
    }
  }
  for (const ns of namespaces) {
    for (const link of at(ns).links.values()) {
      if (link.name !== 'lo' && link.kind !== 'veth' && !deviceRef.has(`${ns}|${link.name}`)) notes.push(`${link.kind ?? 'link'} ${link.name} in ${ns}: nslab has no construct for it; not imported`);
    }
  }

  const used = ['App', 'Lab', 'NetNamespace', ...(body.some((l) => l.includes('new Bridge(')) ? ['Bridge'] : []), ...(body.some((l) => l.includes('new VethLink(')) ? ['VethLink'] : []),
    ...(body.some((l) => l.includes('new IpAddress(')) ? ['IpAddress'] : []), ...(body.some((l) => l.includes('new Route(')) ? ['Route'] : [])];
  return [
    `// A lab written by \`nslab import ${namespaces.join(' ')}\` from the live kernel.`,
    '// Take the objects over without recreating them: nslab apply THIS_FILE --adopt',
    ...(notes.length ? ['//', '// Not imported:', ...notes.sort().map((n) => `// - ${n}`)] : []),
    `import { ${used.join(', ')} } from 'nslab';`,
    '',
    'const app = new App();',
    `const lab = new Lab(app, ${js(lab)});`,
    ...body,
    'app.synth();',
    '',
  ].join('\n');
}
