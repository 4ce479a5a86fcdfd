/**
 * Property-based fuzzing of the two doors into nslab: the plan-JSON loader and the construct
 * props. Every input either loads into a plan whose every name and value is safe to hand to
 * `ip -batch`, or fails with a PlanError whose problems are one clear line each: never another
 * exception, never a stack trace in the message.
 */
import fc from 'fast-check';
import { loadPlan, PlanError } from '../../src/plan/validate.js';
import { nameProblem, namespaceNameProblem, canonicalAddress, canonicalIp } from '../../src/plan/net.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { App, Bridge, IpAddress, Lab, NetNamespace, Route, VethLink } from '../../constructs/index.js';
import { synthesize } from '../../src/synth/synth.js';

/** Fuzz case counts, printed for the README's Guarantees section. */
const counted = { loader: 0, constructs: 0, safe: 0 };
const RUNS = Number(process.env.NSLAB_FUZZ_RUNS ?? 2000);

const nasty = fc.oneof(
  fc.constantFrom('', '.', '..', 'a b', 'a/b', 'x;rm -rf /', '$(reboot)', '`id`', 'a|b', 'a&b', "a'b", 'a"b', 'a\\b', '#x', '-n',
    'help', 'a\nb', 'a\tb', 'ünïcødé', '😀😀😀😀', 'a'.repeat(15), 'a'.repeat(16), 'é'.repeat(7), 'é'.repeat(8), 'lo', 'eth0', 'dev', 'name'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 18 }),
);
const cidr = fc.oneof(
  fc.constantFrom('10.0.0.1/24', '10.0.0.1/33', '10.0.0.1/-1', '10.0.0.256/24', '10.0.0.1', '::/0', '::1/128', '::ffff:10.0.0.1/96',
    'fe80::1%eth0/64', '1::2::3/64', '2001:db8::/129', '2001:DB8:0:0:0:0:0:1/64', '0.0.0.0/0', '1.2.3.4/08', ' 1.2.3.4/8', ''),
  fc.tuple(fc.ipV4(), fc.integer({ min: -2, max: 40 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: -2, max: 140 })).map(([a, p]) => `${a}/${p}`),
  fc.string({ maxLength: 24 }),
);
const mtu = fc.oneof(fc.integer({ min: -10, max: 70000 }), fc.constantFrom(67, 68, 65535, 65536, 1.5, Number.NaN), fc.string({ maxLength: 4 }));
const scalar = fc.oneof(nasty, cidr, mtu, fc.boolean(), fc.constant(null), fc.constant(undefined));

function expectOneLineProblems(e: unknown): void {
  expect(e).toBeInstanceOf(PlanError);
  const problems = (e as PlanError).problems;
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p).toMatch(/^(\[.+\]|plan:) \S/u);
    expect(p).not.toMatch(/[\n\r]/u);
  }
}

/** What a loaded plan promises: every name valid for ip, every address canonical. */
function expectSafe(plan: PlanDocument): void {
  for (const r of Object.values(plan.resources)) {
    if (r.type === 'namespace') expect(namespaceNameProblem(r.name)).toBeUndefined();
    if (r.type === 'bridge') expect(nameProblem(r.name)).toBeUndefined();
    if (r.type === 'veth') for (const e of [r.a, r.b]) expect(nameProblem(e.name)).toBeUndefined();
    if (r.type === 'address') expect(canonicalAddress(r.address)).toBe(r.address);
    if (r.type === 'bridge' || r.type === 'veth' || r.type === 'vxlan') if (r.mtu !== undefined) expect(r.mtu >= 68 && r.mtu <= 65535).toBe(true);
    if (r.type === 'vxlan') {
      expect(nameProblem(r.name)).toBeUndefined();
      expect(namespaceNameProblem(r.namespace)).toBeUndefined();
      expect([canonicalIp(r.local), canonicalIp(r.remote)]).toEqual([r.local, r.remote]);
      expect(Number.isInteger(r.vni) && r.vni >= 1 && r.vni <= 0xffffff && Number.isInteger(r.port) && r.port >= 1 && r.port <= 65535).toBe(true);
    }
  }
}

function loadsSafelyOrExplains(doc: unknown): void {
  counted.loader++;
  try {
    expectSafe(loadPlan(doc));
  } catch (e) {
    expectOneLineProblems(e);
  }
}

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`fuzz: ${counted.loader} plan-loader cases, ${counted.constructs} construct cases (${counted.safe} synthesized safe plans)`);
});

describe('plan loader fuzzing', () => {
  it('turns any JSON value into a safe plan or one-line problems', () => {
    fc.assert(fc.property(fc.anything(), loadsSafelyOrExplains), { numRuns: RUNS });
  });

  it('turns plans with hostile names, addresses, MTUs and references into a safe plan or one-line problems', () => {
    const resource = fc.oneof(
      fc.record({ type: fc.constant('namespace'), name: nasty, sysctls: fc.dictionary(nasty, scalar, { maxKeys: 2 }) }),
      fc.record({ type: fc.constant('bridge'), name: nasty, namespace: fc.option(nasty, { nil: undefined }), mtu: fc.option(mtu, { nil: undefined }) }),
      fc.record({
        type: fc.constant('veth'), mtu: fc.option(mtu, { nil: undefined }),
        a: fc.record({ name: nasty, namespace: fc.option(nasty, { nil: undefined }), master: fc.option(nasty, { nil: undefined }) }),
        b: fc.record({ name: nasty, namespace: fc.option(nasty, { nil: undefined }), mac: fc.option(nasty, { nil: undefined }) }),
      }),
      fc.record({
        type: fc.constant('vxlan'), name: nasty, namespace: fc.option(nasty, { nil: undefined }), mtu: fc.option(mtu, { nil: undefined }),
        vni: fc.oneof(mtu, fc.integer({ min: 0, max: 0x1000000 })), port: mtu,
        local: fc.oneof(fc.ipV4(), fc.ipV6(), nasty), remote: fc.oneof(fc.ipV4(), fc.ipV6(), nasty),
      }),
      fc.record({ type: fc.constant('address'), namespace: fc.option(nasty, { nil: undefined }), device: nasty, address: cidr }),
      fc.record({ type: fc.constant('route'), namespace: fc.option(nasty, { nil: undefined }), destination: fc.oneof(cidr, fc.constant('default')), via: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), nasty), { nil: undefined }), device: fc.option(nasty, { nil: undefined }), metric: fc.option(mtu, { nil: undefined }) }),
    );
    const plan = fc.record({
      version: fc.oneof(fc.constant(1), scalar),
      lab: fc.oneof(fc.constant('lab'), nasty),
      prefix: fc.oneof(fc.constant(''), nasty),
      resources: fc.dictionary(fc.string({ maxLength: 6 }), resource, { maxKeys: 6 }),
    });
    fc.assert(fc.property(plan, loadsSafelyOrExplains), { numRuns: RUNS });
  });
});

describe('construct props fuzzing', () => {
  it('synthesizes any props into a safe plan or one-line problems naming construct paths', () => {
    // Valid values are weighted in, so that both halves run: safe plans and explained failures.
    const name = fc.oneof({ arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/u), weight: 6 }, { arbitrary: nasty, weight: 1 });
    const props = fc.record({
      prefix: fc.oneof({ arbitrary: fc.constantFrom('', 'fz'), weight: 6 }, { arbitrary: nasty, weight: 1 }), ns1: name, ns2: fc.oneof(name, fc.constant('same')), end: name, br: name,
      addr: fc.oneof({ arbitrary: fc.constantFrom('10.9.0.1/24', 'fd09::1/64'), weight: 4 }, { arbitrary: cidr, weight: 1 }), mtu: fc.option(mtu, { nil: undefined, freq: 2 }),
      dest: fc.oneof({ arbitrary: fc.constantFrom('10.8.0.0/16', 'default'), weight: 4 }, { arbitrary: cidr, weight: 1 }),
      via: fc.oneof({ arbitrary: fc.constant('10.9.0.254'), weight: 4 }, fc.ipV4(), fc.ipV6(), nasty),
      cycle: fc.boolean(), stolen: fc.boolean(),
    });
    let safe = 0;
    let explained = 0;
    fc.assert(fc.property(props, (p) => {
      counted.constructs++;
      let plans: PlanDocument[];
      try {
        const app = new App({ outdir: '/nonexistent' });
        const lab = new Lab(app, 'fz', { prefix: p.prefix });
        const a = new NetNamespace(lab, 'a', { name: p.ns1 });
        const b = new NetNamespace(lab, 'b', { name: p.ns2 });
        const br = new Bridge(lab, 'br', { name: p.br, mtu: p.mtu as number });
        const link = new VethLink(lab, 'l', { a: { namespace: a, name: p.end }, b: { namespace: b }, mtu: p.mtu as number });
        const port = new VethLink(lab, 'p', { a: { namespace: p.cycle ? a : b }, b: { bridge: br } });
        new IpAddress(lab, 'ip', { device: p.cycle ? port.a : link.a, address: p.addr });
        new Route(lab, 'rt', { namespace: a, destination: p.dest, via: p.via });
        if (p.stolen) {
          const other = new Lab(app, 'other');
          new IpAddress(other, 'stolen', { device: link.b, address: '10.0.0.1/24' });
        }
        plans = synthesize(app);
      } catch (e) {
        expectOneLineProblems(e);
        // A foreign reference is always among the problems, with its path.
        if (p.stolen) expect((e as PlanError).problems.some((x) => x.startsWith('[other/stolen]'))).toBe(true);
        explained++;
        return;
      }
      if (p.stolen) throw new Error(`a reference to another lab's device synthesized: ${JSON.stringify(plans)}`);
      for (const plan of plans) expectSafe(loadPlan(JSON.parse(JSON.stringify(plan))));
      safe++;
    }), { numRuns: Math.ceil(RUNS / 4) });
    counted.safe = safe;
    expect(safe).toBeGreaterThan(0);
    expect(explained).toBeGreaterThan(0);
  });
});
