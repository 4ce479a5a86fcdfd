/**
 * The seed labs (examples/red-blue.ts, examples/bridge.ts) through the CLI as a user runs them:
 * apply from empty, no-op plan, destroy; median and min–max of `runs` runs, in a markdown table.
 */
import { join } from 'node:path';
import { measure, settle } from './measure.js';
import { spread } from './report.js';

const LABS = ['red-blue', 'bridge'];
const PHASES = [
  ['apply', ['apply', '--auto-approve'], 'apply FILE` from empty, synth included'],
  ['plan', ['plan', '--detailed-exitcode'], 'plan FILE`, no changes'],
  ['destroy', ['destroy', '--auto-approve'], 'destroy FILE`'],
] as const;

export async function seedTable(root: string, cli: string, env: Record<string, string>, prefix: string, runs: number): Promise<string> {
  const ms = new Map<string, number[]>();
  for (let r = 0; r < runs; r++) {
    for (const lab of r % 2 ? [...LABS].reverse() : LABS) {
      const file = join(root, 'examples', `${lab}.ts`);
      for (const [ph, [cmd, flag]] of PHASES.map(([p, a]) => [p, a] as const)) {
        // Settle after a destroy, before the next apply: the lab's own host links are there otherwise.
        if (ph === 'apply') await settle(prefix);
        const m = await measure(['node', cli, cmd, file, flag], { cwd: root, env, timeoutMs: 120_000 });
        if (m.code !== 0) throw new Error(`seed lab ${lab} ${ph}: exit ${m.code}: ${m.stderr.slice(0, 300)}`);
        ms.set(`${lab} ${ph}`, [...(ms.get(`${lab} ${ph}`) ?? []), m.ms]);
      }
    }
  }
  const cell = (xs: number[]) => {
    const v = spread(xs);
    return `${(v.median / 1000).toFixed(2)} s (${(v.min / 1000).toFixed(2)}–${(v.max / 1000).toFixed(2)})`;
  };
  const rows = ['| command | red-blue (2 namespaces) | bridge (4 namespaces, host bridge) |', '| --- | ---: | ---: |'];
  for (const [ph, , label] of PHASES) rows.push(`| \`nslab ${label} | ${LABS.map((l) => cell(ms.get(`${l} ${ph}`) ?? [])).join(' | ')} |`);
  return [`### Seed labs (\`node dist/src/cli/main.js …\`; median and min–max of ${runs} runs)`, '', ...rows].join('\n');
}
