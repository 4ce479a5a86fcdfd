import { HOST, type Location } from '../../plan/types.js';
import { inLocation, mapLimit, mountTableSize, runChecked, type Runner } from '../runner.js';
import { addExtras, checkKernel, type ExtrasRequest } from './extras.js';
import { parseLinks, parseNetnsList, parseRoutes, parseSysctls, splitBatchOutput, type LiveLocation } from './parse.js';

/** What the reader saw: every named namespace, and the contents of the locations asked for. */
export interface LiveState {
  readonly namespaces: Set<string>;
  /** Keyed by location (`''` = host). A namespace that does not exist has no entry. */
  readonly locations: Map<Location, LiveLocation>;
  /**
   * Names listed under /run/netns that cannot be entered: a file left by an `ip netns add` that
   * was killed before it mounted the namespace. Not in `namespaces`.
   */
  readonly broken?: ReadonlySet<string>;
}

export interface ReadRequest {
  /** Locations whose links, addresses and routes are needed. */
  readonly locations: Iterable<Location>;
  /** Sysctl keys to read per namespace (only where a lab declares some). */
  readonly sysctls?: Map<Location, string[]>;
  /**
   * Locations already observed (by an apply's read-back): not read again; only sysctls they
   * lack are read.
   */
  readonly known?: Map<Location, LiveLocation>;
  /** nftables tables and qdiscs to read too, and kernel features to check first (see extras.ts). */
  readonly extras?: ExtrasRequest;
}

/**
 * Equivalent to: `ip -j netns list` (which lists the entries of /run/netns). Through the runner's
 * own listNamespaces when it has one: no process.
 */
export async function listNamespaces(runner: Runner): Promise<string[]> {
  if (runner.listNamespaces) return runner.listNamespaces();
  return parseNetnsList((await runChecked(runner, ['ip', '-j', 'netns', 'list'])).stdout);
}

/** Reads in flight: the launcher runs them one at a time (NSLAB_PARALLEL) and starts the next at once. */
const READ_CONCURRENCY = 8;

/**
 * Equivalent to: `ip -j netns list` (see listNamespaces), then for each location
 * `printf 'addr show\nroute show table all\n' | ip -n NS -d -j -batch -` (one process per namespace;
 * under `nsenter --net=/run/netns/NS` instead of `-n` when the mount table is long: see inLocation),
 * plus `sysctl KEY…` inside the namespace where sysctls are declared.
 */
export async function readLive(runner: Runner, req: ReadRequest): Promise<LiveState> {
  if (req.extras) await checkKernel(runner, req.extras);
  const namespaces = new Set(await listNamespaces(runner));
  const wanted = [...new Set(req.locations)].filter((l) => l === HOST || namespaces.has(l));
  const broken = new Set<string>();
  const mounts = mountTableSize();
  const read = await mapLimit(wanted, READ_CONCURRENCY, async (l) => {
    try {
      const keys = req.sysctls?.get(l) ?? [];
      const known = req.known?.get(l);
      if (known) {
        const missing = keys.filter((k) => !(k in known.sysctls));
        const sysctls = missing.length ? { ...known.sysctls, ...(await readSysctls(runner, l, missing)) } : known.sysctls;
        return [l, await withExtras(runner, l, { ...known, sysctls }, req)] as const;
      }
      return [l, await withExtras(runner, l, await readLocation(runner, l, keys, mounts), req)] as const;
    } catch (e) {
      // The namespace may vanish between the listing and the read: that is "absent", not an error.
      if (l !== HOST && /No such file/u.test(String(e))) return undefined;
      if (l !== HOST && /Cannot open network namespace|setting the network namespace .* failed|reassociate to namespace/u.test(String(e))) {
        broken.add(l);
        return undefined;
      }
      throw e;
    }
  });
  const locations = new Map<Location, LiveLocation>();
  for (const entry of read) if (entry) locations.set(entry[0], entry[1]);
  for (const l of wanted) if (!locations.has(l)) namespaces.delete(l);
  return { namespaces, locations, broken };
}

const withExtras = (runner: Runner, l: Location, where: LiveLocation, req: ReadRequest) =>
  (req.extras ? addExtras(runner, l, where, req.extras) : Promise.resolve(where));

/** `mounts`: the mount table's size (it picks how to enter the namespace; see inLocation). */
export async function readLocation(runner: Runner, l: Location, sysctlKeys: string[] = [], mounts = 0): Promise<LiveLocation> {
  const argv = inLocation(l, ['ip', '-d', '-j', '-batch', '-'], mounts);
  const r = await runChecked(runner, argv, 'addr show\nroute show table all\n');
  const [addrs, routes] = splitBatchOutput(r.stdout, 2);
  const sysctls = sysctlKeys.length > 0 ? await readSysctls(runner, l, sysctlKeys) : {};
  return { links: parseLinks(addrs), routes: parseRoutes(routes), sysctls };
}

/** Equivalent to: `nsenter --net=/run/netns/NS sysctl KEY…` (keys the kernel lacks are left out). */
async function readSysctls(runner: Runner, l: Location, keys: string[]): Promise<Record<string, string>> {
  return parseSysctls((await runner.run(inLocation(l, ['sysctl', ...keys]))).stdout);
}
