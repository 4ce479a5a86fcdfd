/**
 * A comparable picture of the kernel objects under a name prefix: namespaces, their links
 * (kind, mtu, up, master, alias), addresses (no link-local), routes (no kernel-made ones), and
 * the host's links and routes that carry the prefix. Ifindexes and random MACs are left out:
 * a restored veth gets new ones.
 */
import { ip } from './kernel.js';

type J = Record<string, unknown>;

function location(ns: string | undefined, linkFilter: (n: string) => boolean): unknown {
  const pre = ns === undefined ? [] : ['-n', ns];
  const links = (JSON.parse(ip(...pre, '-d', '-j', 'addr', 'show')) as J[])
    .filter((l) => linkFilter(String(l.ifname)))
    .map((l) => ({
      name: l.ifname, kind: (l.linkinfo as J | undefined)?.info_kind ?? null, mtu: l.mtu,
      up: (l.flags as string[]).includes('UP'), master: l.master ?? null, alias: l.ifalias ?? null,
      addrs: ((l.addr_info as J[]) ?? []).filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`).sort(),
    }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const routes = (JSON.parse(ip(...pre, '-j', 'route', 'show', 'table', 'all')) as J[])
    .filter((r) => r.protocol !== 'kernel' && (r.table === undefined || r.table === 'main'))
    .filter((r) => ns !== undefined || linkFilter(String(r.dev)))
    .map((r) => `${r.dst} via ${r.gateway ?? '-'} dev ${r.dev ?? '-'} proto ${r.protocol ?? 'boot'}`)
    .sort();
  return { links, routes };
}

export function snapshot(prefix: string): unknown {
  const nsText = ip('-j', 'netns', 'list').trim();
  const namespaces = (nsText ? (JSON.parse(nsText) as J[]) : []).map((n) => String(n.name)).filter((n) => n.startsWith(prefix)).sort();
  const out: Record<string, unknown> = { host: location(undefined, (n) => n.startsWith(prefix)) };
  for (const ns of namespaces) {
    out[ns] = location(ns, () => true);
    out[`${ns}:sysctl`] = ip('netns', 'exec', ns, 'cat', '/proc/sys/net/ipv4/ip_forward').trim();
  }
  return out;
}
