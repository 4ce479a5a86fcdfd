/**
 * The apply stages after `ip` and sysctls: one `nft -f -` per location whose netfilter
 * resources change (one transaction each), then one `tc -batch -` per location whose link
 * impairments change. Both run after the links exist.
 */
import type { Location } from '../../plan/types.js';
import type { Change } from '../diff/diff.js';
import type { LiveState } from '../live/read.js';
import { CommandFailedError, inLocation, mapLimit, type Runner } from '../runner.js';
import { nftScripts } from './nft.js';
import { tcScripts } from './tc.js';

const CONCURRENCY = 4;

export interface ExtrasReport {
  readonly processes: number;
  readonly commands: number;
  /** Locations written to: the verification reads them again. */
  readonly touched: Set<Location>;
}

export async function applyExtras(runner: Runner, owner: string, changes: readonly Change[], live: LiveState, checkpoint: () => void): Promise<ExtrasReport> {
  const nft = nftScripts(owner, changes, live);
  const tc = tcScripts(changes);
  let processes = 0;
  let commands = 0;
  const run = async (argv: string[], input: string, lines: number) => {
    checkpoint();
    processes++;
    commands += lines;
    const r = await runner.run(argv, input);
    if (r.code !== 0) throw new CommandFailedError(argv, r.code, r.stderr, input);
  };
  // Equivalent to: `nsenter --net=/run/netns/NS nft -f -` with the table's whole new contents.
  await mapLimit(nft, CONCURRENCY, (s) => run(inLocation(s.location, ['nft', '-f', '-']), s.text, 1));
  // Equivalent to: `nsenter --net=/run/netns/NS tc -batch -`.
  await mapLimit(tc, CONCURRENCY, (s) => run(inLocation(s.location, ['tc', '-batch', '-']), `${s.lines.join('\n')}\n`, s.lines.length));
  return { processes, commands, touched: new Set([...nft, ...tc].map((s) => s.location)) };
}
