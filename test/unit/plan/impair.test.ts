/**
 * Impairments: units checked, tc arguments, and the comparison with recorded `tc -j -raw qdisc
 * show` output (tc-tbf.json recorded here; tc-netem.json written from iproute2's documented JSON
 * form, since this machine's kernel has no netem).
 */
import { readFileSync } from 'node:fs';
import { impairOf, normalizeImpair, sameImpair, tcArgs, type Impair } from '../../../src/plan/impair.js';
import { parseQdiscs } from '../../../src/engine/live/tc.js';
import { tcScripts } from '../../../src/engine/apply/tc.js';
import type { Change } from '../../../src/engine/diff/diff.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
const check = (v: unknown) => {
  const problems: string[] = [];
  const out = normalizeImpair(v, '[lab/l] end a impair', problems);
  return { out, problems };
};

describe('impair units', () => {
  it('accepts explicit units', () => {
    expect(check({ delay: '20ms', jitter: '5ms', loss: '1%', rate: '8mbit', limit: 100 })).toEqual({ out: { delay: '20ms', jitter: '5ms', loss: '1%', rate: '8mbit', limit: 100 }, problems: [] });
    expect(check({ rate: '1.5gbit', burst: '32kb' }).problems).toEqual([]);
  });

  it("refuses tc's kbps, saying it means kilobytes per second", () => {
    expect(check({ rate: '100kbps' }).problems).toEqual([
      '[lab/l] end a impair: rate "100kbps": tc\'s "kbps" means kilobytes per second; nslab takes rates in bits per second: write e.g. "8mbit"',
    ]);
  });

  it('names each field with a missing or wrong unit, and combinations that cannot be made', () => {
    expect(check({ delay: '20', loss: '1', rate: '8m', burst: 'big', limit: -1, lag: '1ms' }).problems).toEqual([
      '[lab/l] end a impair: unknown field "lag" (known: delay, jitter, loss, duplicate, corrupt, reorder, rate, burst, limit)',
      '[lab/l] end a impair: delay "20" is not a duration in us, ms or s (e.g. "20ms")',
      '[lab/l] end a impair: loss "1" is not a percentage from 0% to 100% (e.g. "1%")',
      '[lab/l] end a impair: rate "8m" is not a rate in kbit, mbit or gbit (e.g. "8mbit")',
      '[lab/l] end a impair: burst "big" is not a size in b, kb or mb (bytes; 1kb = 1024 bytes) (e.g. "32kb")',
      '[lab/l] end a impair: limit -1 is not a number of packets from 1 to 10000000',
    ]);
    expect(check({ jitter: '5ms', reorder: '25%' }).problems).toEqual([
      '[lab/l] end a impair: jitter needs a delay',
      '[lab/l] end a impair: reorder needs a delay (netem sends the reordered packets at once, the others delayed)',
    ]);
    expect(check({ delay: '1ms', rate: '1mbit', burst: '10kb' }).problems).toEqual([
      '[lab/l] end a impair: burst applies to a rate alone (tbf); with delay the impairment is netem, which has no burst',
    ]);
    expect(check({}).problems).toEqual(['[lab/l] end a impair is empty: remove it, or set e.g. rate or delay']);
  });
});

describe('tc arguments', () => {
  it('a rate alone is tbf, with a default burst and latency', () => {
    expect(tcArgs({ rate: '8mbit' })).toEqual(['tbf', 'rate', '8000000bit', 'burst', '10000', 'latency', '50ms']);
    expect(tcArgs({ rate: '8mbit', burst: '32kb', limit: 10 })).toEqual(['tbf', 'rate', '8000000bit', 'burst', '32768', 'limit', '15140']);
  });

  it('anything else is netem', () => {
    expect(tcArgs({ delay: '20ms', jitter: '5ms', loss: '1%', duplicate: '0.1%', reorder: '25%', corrupt: '0.05%', rate: '1mbit', limit: 500 }))
      .toEqual(['netem', 'delay', '20000us', '5000us', 'loss', '1%', 'duplicate', '0.1%', 'corrupt', '0.05%', 'reorder', '25%', 'rate', '1000000bit', 'limit', '500']);
  });

  it('tc -batch lines: a created end gets its qdisc, a changed one is replaced, a removed one deleted', () => {
    const veth = (impair?: Impair) => ({ type: 'veth' as const, path: 'lab/l', up: true, a: { namespace: 'x', name: 'eth0', impair }, b: { namespace: 'y', name: 'eth0' } });
    const changes: Change[] = [
      { id: 'l', type: 'veth', action: 'create', path: 'lab/l', desired: veth({ rate: '8mbit' }), fields: [], reason: '' },
      { id: 'm', type: 'veth', action: 'update', path: 'lab/m', desired: veth(), fields: [{ field: 'a.impair', from: { rate: '8000kbit' }, to: null }], reason: '' },
    ];
    expect(tcScripts(changes)).toEqual([{ location: 'x', lines: ['qdisc replace dev eth0 root tbf rate 8000000bit burst 10000 latency 50ms', 'qdisc del dev eth0 root'] }]);
  });
});

describe('recorded qdiscs', () => {
  it('tbf: rate in bytes/s, burst in bytes, limit (with -raw) in bytes', () => {
    const q = parseQdiscs(fixture('tc-tbf.json'));
    expect(q.get('eth1')).toEqual({ kind: 'noqueue', values: {} });
    expect(q.get('eth0')).toEqual({ kind: 'tbf', values: { rate: 1_000_000, burst: 10000, limit: 40 } });
    expect(sameImpair({ rate: '8mbit' }, q.get('eth0'))).toBe(true);
    expect(sameImpair({ rate: '8mbit', burst: '10000b' }, q.get('eth0'))).toBe(true);
    expect(sameImpair({ rate: '8.2mbit' }, q.get('eth0'))).toBe(false);
    expect(sameImpair({ rate: '8mbit', burst: '20kb' }, q.get('eth0'))).toBe(false);
    expect(sameImpair({ rate: '8mbit' }, q.get('eth1'))).toBe(false);
    expect(impairOf(q.get('eth0'))).toEqual({ rate: '8000kbit', burst: '10000b' });
  });

  it('netem: seconds, fractions and bytes/s, compared within the kernel rounding', () => {
    const q = parseQdiscs(fixture('tc-netem.json'));
    expect(q.get('eth0')).toEqual({ kind: 'netem', values: { delay: 20000, jitter: 5000, loss: 0.01, duplicate: 0.001, reorder: 0.25, corrupt: 0.0005, limit: 1000 } });
    expect(sameImpair({ delay: '20ms', jitter: '5ms', loss: '1%', duplicate: '0.1%', reorder: '25%', corrupt: '0.05%' }, q.get('eth0'))).toBe(true);
    expect(sameImpair({ delay: '20ms', jitter: '5ms', loss: '2%', duplicate: '0.1%', reorder: '25%', corrupt: '0.05%' }, q.get('eth0'))).toBe(false);
    expect(sameImpair({ delay: '20ms', jitter: '5ms', loss: '1%' }, q.get('eth0'))).toBe(false);
    expect(sameImpair({ delay: '100ms', rate: '1mbit', limit: 500 }, q.get('eth1'))).toBe(true);
    expect(sameImpair({ delay: '100ms', rate: '2mbit', limit: 500 }, q.get('eth1'))).toBe(false);
    expect(sameImpair({ rate: '1mbit' }, q.get('eth1'))).toBe(false);
    expect(impairOf(q.get('eth1'))).toEqual({ rate: '1000kbit', delay: '99999.9us', limit: 500 });
    expect(q.get('eth2')?.kind).toBe('pfifo_fast');
    expect(impairOf(q.get('eth2'))).toBeUndefined();
  });
});
