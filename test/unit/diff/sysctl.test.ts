/**
 * Host sysctls in the pure diff, the apply scripts and the state's record of values found.
 * The live values are what `sysctl KEY…` printed on a machine of this kind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diff, type PriorResource } from '../../../src/engine/diff/diff.js';
import { buildScripts } from '../../../src/engine/apply/batches.js';
import { rollbackTarget } from '../../../src/engine/apply/rollback.js';
import { parseSysctls } from '../../../src/engine/live/parse.js';
import type { LiveState } from '../../../src/engine/live/read.js';
import { foundAfter, foundBeforeApply, hostSysctlClaims } from '../../../src/engine/state/sysctls.js';
import { writeState } from '../../../src/engine/state/state.js';
import { loadPlan } from '../../../src/plan/validate.js';
import type { PlanDocument, Resource } from '../../../src/plan/types.js';
import { simulate } from '../../support/simulate.js';

/** Recorded: `sysctl net.ipv4.ip_forward net.ipv4.conf.all.forwarding` on the host. */
const RECORDED = 'net.ipv4.ip_forward = 0\nnet.ipv4.conf.all.forwarding = 0\n';

const plan = (resources: Record<string, unknown>): PlanDocument => loadPlan({ version: 1, lab: 'h', prefix: '', resources });
const fwd = (value = '1') => ({ type: 'sysctl', path: 'h/fwd', key: 'net.ipv4.ip_forward', value });
const br = { type: 'bridge', path: 'h/br', name: 'hbr0' };
const brFwd = { type: 'sysctl', path: 'h/br-fwd', key: 'net.ipv4.conf.hbr0.forwarding', value: '1' };
const hostLive = (sysctls: Record<string, string>, from?: PlanDocument): LiveState => {
  const live: LiveState = from ? simulate(from) : { namespaces: new Set<string>(), locations: new Map([['', { links: new Map(), routes: [], sysctls: {} }]]) };
  const host = live.locations.get('')!;
  for (const k of Object.keys(host.sysctls)) delete host.sysctls[k];
  Object.assign(host.sysctls, sysctls);
  return live;
};
const prior = (p: PlanDocument): PriorResource[] => Object.entries(p.resources).map(([id, resource]) => ({ id, resource }));

describe('host sysctls in the diff', () => {
  it('GIVEN the kernel as declared THEN there is nothing to do', () => {
    const p = plan({ fwd: fwd(), br, 'br-fwd': brFwd });
    expect(diff({ key: 'h', desired: p.resources, live: simulate(p), prior: prior(p) })).toEqual({ changes: [], conflicts: [] });
  });

  it('sets a newly declared key in place, the kernel\'s value as "from" (so a rollback puts it back)', () => {
    const p = plan({ fwd: fwd() });
    const live = hostLive(parseSysctls(RECORDED));
    const r = diff({ key: 'h', desired: p.resources, live, prior: [] });
    expect(r.conflicts).toEqual([]);
    expect(r.changes).toEqual([expect.objectContaining({ id: 'fwd', type: 'sysctl', action: 'update', fields: [{ field: 'value', from: '0', to: '1' }], reason: 'declared in the lab; the kernel has 0' })]);
    expect(rollbackTarget(p.resources, r.changes).fwd).toMatchObject({ key: 'net.ipv4.ip_forward', value: '0' });
    expect(buildScripts('h', r.changes, live).sysctls).toEqual(new Map([['', ['net.ipv4.ip_forward=1']]]));
  });

  it('shows a value changed out of band as drift on that resource', () => {
    const p = plan({ fwd: fwd() });
    const r = diff({ key: 'h', desired: p.resources, live: hostLive({ 'net.ipv4.ip_forward': '0' }), prior: prior(p) });
    expect(r.changes).toMatchObject([{ id: 'fwd', action: 'update', reason: 'differs from the kernel (changed out of band)', fields: [{ field: 'value', from: '0', to: '1' }] }]);
  });

  it('refuses a key the kernel lacks, as a conflict (nothing changes)', () => {
    const p = plan({ x: { type: 'sysctl', path: 'h/x', key: 'net.ipv4.conf.nosuchdev0.forwarding', value: '1' } });
    const r = diff({ key: 'h', desired: p.resources, live: hostLive(parseSysctls(RECORDED)), prior: [] });
    expect(r.changes).toEqual([]);
    expect(r.conflicts).toEqual([{ path: 'h/x', message: 'sysctl "net.ipv4.conf.nosuchdev0.forwarding" does not exist in this kernel (no /proc/sys/net/ipv4/conf/nosuchdev0/forwarding); nothing was changed' }]);
  });

  it('creates a key of a host device the plan creates, after the device', () => {
    const p = plan({ br, 'br-fwd': brFwd });
    const live = hostLive({});
    const r = diff({ key: 'h', desired: p.resources, live, prior: [] });
    expect(r.conflicts).toEqual([]);
    expect(r.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['create br', 'create br-fwd']);
    expect(r.changes[1]!.reason).toBe('its device "hbr0" is created');
    const s = buildScripts('h', r.changes, live);
    expect(s.host).toEqual(['link add name hbr0 type bridge']);
    expect(s.sysctls).toEqual(new Map([['', ['net.ipv4.conf.hbr0.forwarding=1']]]));
  });

  it('puts back the value found once the key is no longer declared, and on destroy', () => {
    const before = plan({ fwd: fwd() });
    const after = plan({});
    const live = hostLive({ 'net.ipv4.ip_forward': '1' });
    const found = { 'net.ipv4.ip_forward': '0' };
    for (const desired of [after.resources, {}]) {
      const r = diff({ key: 'h', desired, live, prior: prior(before), hostSysctlsFound: found });
      expect(r.changes).toEqual([expect.objectContaining({
        id: 'fwd', action: 'update', desired: { ...before.resources.fwd, value: '0' },
        fields: [{ field: 'value', from: '1', to: '0' }], reason: 'no longer declared: net.ipv4.ip_forward back to the value found before nslab set it',
      })]);
      expect(buildScripts('h', r.changes, live).sysctls).toEqual(new Map([['', ['net.ipv4.ip_forward=0']]]));
    }
    // Nothing recorded (nslab never changed it), already back, or the key gone with its device: nothing to do.
    expect(diff({ key: 'h', desired: {}, live, prior: prior(before) }).changes).toEqual([]);
    expect(diff({ key: 'h', desired: {}, live: hostLive(found), prior: prior(before), hostSysctlsFound: found }).changes).toEqual([]);
    const withBridge = plan({ br, 'br-fwd': brFwd });
    const gone = diff({ key: 'h', desired: {}, live: hostLive({}), prior: prior(withBridge), hostSysctlsFound: { 'net.ipv4.conf.hbr0.forwarding': '0' } });
    expect(gone).toEqual({ changes: [], conflicts: [] });
    // Destroyed with its device still there: the device is deleted, the key with it.
    const going = diff({ key: 'h', desired: {}, live: simulate(withBridge), prior: prior(withBridge), hostSysctlsFound: { 'net.ipv4.conf.hbr0.forwarding': '0' } });
    expect(going.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['delete br']);
  });

  it('refuses a key another lab of the store declares, naming that lab', () => {
    const p = plan({ fwd: fwd() });
    const r = diff({ key: 'h', desired: p.resources, live: hostLive({ 'net.ipv4.ip_forward': '1' }), prior: [], hostSysctlOwners: new Map([['net.ipv4.ip_forward', 'other']]) });
    expect(r.changes).toEqual([]);
    expect(r.conflicts).toEqual([{ path: 'h/fwd', message: 'sysctl "net.ipv4.ip_forward" in the host is declared by lab "other" too; nslab leaves it to that lab (each lab puts back the value it found, so two would fight)' }]);
  });
});

describe('the record of host values found', () => {
  const declared = (rs: Record<string, unknown>) => plan(rs).resources;

  it('keeps the first value found for declared keys, under the host location ""', () => {
    const first = foundAfter(undefined, new Map([['', { 'net.ipv4.ip_forward': '0' }]]), declared({ fwd: fwd() }));
    expect(first).toEqual({ '': { 'net.ipv4.ip_forward': '0' } });
    // A later apply sees nslab's own value: the first one found stays.
    expect(foundAfter(first, new Map([['', { 'net.ipv4.ip_forward': '1' }]]), declared({ fwd: fwd('2') }))).toEqual(first);
    expect(foundAfter(first, undefined, declared({}))).toBeUndefined();
  });

  it('is written before the first change with the kernel\'s value of each key the apply sets for the lab', () => {
    const p = plan({ fwd: fwd() });
    const set = diff({ key: 'h', desired: p.resources, live: hostLive({ 'net.ipv4.ip_forward': '0' }), prior: [] }).changes;
    expect(foundBeforeApply(undefined, set)).toEqual({ '': { 'net.ipv4.ip_forward': '0' } });
    expect(foundBeforeApply({ '': { 'net.ipv4.ip_forward': '7' }, red: { 'net.ipv4.ip_forward': '0' } }, set)).toEqual({ '': { 'net.ipv4.ip_forward': '7' }, red: { 'net.ipv4.ip_forward': '0' } });
    const back = diff({ key: 'h', desired: {}, live: hostLive({ 'net.ipv4.ip_forward': '1' }), prior: prior(p), hostSysctlsFound: { 'net.ipv4.ip_forward': '0' } }).changes;
    expect(foundBeforeApply(undefined, back)).toBeUndefined();
  });

  it('finds the other labs of the store that declare a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-claims-'));
    try {
      const resources = declared({ fwd: fwd() }) as Record<string, Resource>;
      writeState(dir, { version: 1, lab: 'a', prefix: '', key: 'a', resources });
      writeState(dir, { version: 1, lab: 'b', prefix: '', key: 'b', resources: {}, pending: resources });
      writeState(dir, { version: 1, lab: 'c', prefix: '', key: 'c', resources: {} });
      expect(hostSysctlClaims(dir, 'a', Object.values(resources))).toEqual(new Map([['net.ipv4.ip_forward', 'b']]));
      expect(hostSysctlClaims(dir, 'c', Object.values(resources))).toEqual(new Map([['net.ipv4.ip_forward', 'a']]));
      expect(hostSysctlClaims(dir, 'c', [])).toEqual(new Map());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
