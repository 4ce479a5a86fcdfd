import { HOST, type Location } from '../plan/types.js';
import { mapLimit, runChecked, type Runner } from '../runner.js';
import { parseLinks, parseNetnsList, parseRoutes, parseSysctls, splitBatchOutput, type LiveLocation } from './parse.js';

/** What the reader saw: every named namespace, and the contents of the locations asked for. */
export interface LiveState {
  readonly namespaces: Set<string>;
  /** Keyed by location (`''` = host). A namespace that does not exist has no entry. */
  readonly locations: Map<Location, LiveLocation>;
}

export interface ReadRequest {
  /** Locations whose links, addresses and routes are needed. */
  readonly locations: Iterable<Location>;
  /** Sysctl keys to read per namespace (only where a lab declares some). */
  readonly sysctls?: Map<Location, string[]>;
}

/** Reads in parallel, but not so wide that process start-up thrashes the two cores. */
const READ_CONCURRENCY = 8;

/**
 * Equivalent to: `ip -j netns list`, then for each location
 * `printf 'addr show\nroute show table all\n' | ip -d -n NS -j -batch -` (one process per
 * namespace), plus `ip netns exec NS sysctl KEY…` where sysctls are declared.
 */
export async function readLive(runner: Runner, req: ReadRequest): Promise<LiveState> {
  const namespaces = new Set(parseNetnsList((await runChecked(runner, ['ip', '-j', 'netns', 'list'])).stdout));
  const wanted = [...new Set(req.locations)].filter((l) => l === HOST || namespaces.has(l));
  const read = await mapLimit(wanted, READ_CONCURRENCY, async (l) => {
    try {
      return [l, await readLocation(runner, l, req.sysctls?.get(l) ?? [])] as const;
    } catch (e) {
      // The namespace may vanish between the listing and the read: that is "absent", not an error.
      if (l !== HOST && /Cannot open network namespace|No such file/u.test(String(e))) return undefined;
      throw e;
    }
  });
  const locations = new Map<Location, LiveLocation>();
  for (const entry of read) if (entry) locations.set(entry[0], entry[1]);
  for (const l of wanted) if (!locations.has(l)) namespaces.delete(l);
  return { namespaces, locations };
}

export async function readLocation(runner: Runner, l: Location, sysctlKeys: string[] = []): Promise<LiveLocation> {
  const argv = l === HOST ? ['ip', '-d', '-j', '-batch', '-'] : ['ip', '-d', '-n', l, '-j', '-batch', '-'];
  const r = await runChecked(runner, argv, 'addr show\nroute show table all\n');
  const [addrs, routes] = splitBatchOutput(r.stdout, 2);
  let sysctls: Record<string, string> = {};
  if (sysctlKeys.length > 0) {
    const prefix = l === HOST ? [] : ['ip', 'netns', 'exec', l];
    const s = await runner.run([...prefix, 'sysctl', ...sysctlKeys]);
    sysctls = parseSysctls(s.stdout);
  }
  return { links: parseLinks(addrs), routes: parseRoutes(routes), sysctls };
}
