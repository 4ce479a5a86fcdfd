/**
 * netns_sysctl, a host sysctl through the provider: over the protocol and on the real kernel.
 * Its value found before the first set is recorded in the nslab state store and put back when
 * the resource is deleted; another lab of the store cannot take the key. Only a per-interface
 * key of a host veth this file makes (random prefix, removed by the fixture) is changed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromDynamic, toDynamic, type ObjectValue, type Value } from '../../src/terraform/values.js';
import { fromResource, idOf, normalize } from '../../src/terraform/resources.js';
import { applyLab } from '../../src/engine/lab.js';
import { loadPlan } from '../../src/plan/validate.js';
import { startProvider, type Msg, type PluginClient } from './support/plugin-client.js';
import { describeKernel, ip, kernelFixture } from '../support/kernel.js';

const dv = (v: Value) => toDynamic(v);
const state = (m: { msgpack?: Uint8Array } | undefined) => fromDynamic(m) as ObjectValue | null;
const errors = (res: Msg) => ((res.diagnostics ?? []) as Array<{ severity: string; summary: string }>).filter((d) => d.severity === 'ERROR').map((d) => d.summary);

describe('netns_sysctl objects', () => {
  it('map onto plan resources of type sysctl, id = key; bad keys are blamed on "key"', () => {
    const n = normalize('netns_sysctl', { id: null, key: 'net.ipv4.ip_forward', value: '1' });
    expect(n).toEqual({ resource: { type: 'sysctl', path: 'netns_sysctl', key: 'net.ipv4.ip_forward', value: '1' }, problems: [] });
    expect(idOf(n.resource!)).toBe('net.ipv4.ip_forward');
    expect(fromResource('netns_sysctl', n.resource!)).toEqual({ id: 'net.ipv4.ip_forward', key: 'net.ipv4.ip_forward', value: '1' });
    expect(normalize('netns_sysctl', { id: null, key: 'kernel.panic', value: '1' }).problems).toEqual([
      { message: 'sysctl "kernel.panic" is not a host sysctl (net.*, dotted, lowercase)', attribute: 'key' },
    ]);
    expect(normalize('netns_sysctl', { id: null, key: 'net.ipv4.ip_forward', value: '' }).problems).toEqual([
      { message: 'sysctl "net.ipv4.ip_forward" has an invalid value ""', attribute: 'value' },
    ]);
  });
});

describeKernel('netns_sysctl on the kernel', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const LAB = `${P}tf`;
  const DEV = `${P}t0`;
  const KEY = `net.ipv4.conf.${DEV}.forwarding`;
  const file = `/proc/sys/net/ipv4/conf/${DEV}/forwarding`;
  const value = () => readFileSync(file, 'utf8').trim();
  const stateFile = join(fx.stateDir, `${LAB}.state.json`);
  let client: PluginClient | undefined;
  const call = (method: Parameters<PluginClient['call']>[0], req: Msg) => client!.call(method, req);
  const plan = (prior: Value, proposed: Value) => call('PlanResourceChange', { type_name: 'netns_sysctl', prior_state: dv(prior), proposed_new_state: dv(proposed), config: dv(proposed) });
  const apply = (prior: Value, planned: Msg['planned_state']) => call('ApplyResourceChange', { type_name: 'netns_sysctl', prior_state: dv(prior), planned_state: planned, config: dv(null) });

  beforeAll(async () => {
    ip('link', 'add', DEV, 'type', 'veth', 'peer', 'name', `${P}t1`);
    client = await startProvider({ env: { NSLAB_STATE_DIR: fx.stateDir } });
    expect(errors(await call('ConfigureProvider', { terraform_version: '1.11.4', config: dv({ lab: LAB }) }))).toEqual([]);
  });
  afterAll(async () => {
    await client?.shutdown();
  });

  it('sets the key, records the value found, repairs drift, refuses another lab, and puts the value back on delete', async () => {
    expect(value()).toBe('0');
    const config = { id: null, key: KEY, value: '1' };
    const p = await plan(null, config);
    expect(errors(p)).toEqual([]);
    const a = await apply(null, p.planned_state);
    expect(errors(a)).toEqual([]);
    const s = state(a.new_state)!;
    expect(s).toEqual({ id: KEY, key: KEY, value: '1' });
    expect(value()).toBe('1');
    const recorded = JSON.parse(readFileSync(stateFile, 'utf8')) as { managedBy: string; sysctlsFound: unknown };
    expect(recorded).toMatchObject({ managedBy: 'terraform', sysctlsFound: { '': { [KEY]: '0' } } });
    // Refresh and plan: nothing changes.
    expect(state((await call('ReadResource', { type_name: 'netns_sysctl', current_state: dv(s) })).new_state)).toEqual(s);

    // Drift: the refresh shows the kernel's value; applying the configuration sets it again.
    writeFileSync(file, '0');
    const read = state((await call('ReadResource', { type_name: 'netns_sysctl', current_state: dv(s) })).new_state)!;
    expect(read.value).toBe('0');
    const fix = await plan(read, config);
    expect(errors(fix)).toEqual([]);
    expect(errors(await apply(read, fix.planned_state))).toEqual([]);
    expect(value()).toBe('1');

    // Another lab of the store declaring the key is refused, naming the provider's lab; nothing changes.
    const other = loadPlan({ version: 1, lab: 'other', prefix: P, resources: { fwd: { type: 'sysctl', path: 'other/fwd', key: KEY, value: '0' } } });
    await expect(applyLab(other, { stateDir: fx.stateDir })).rejects.toThrow(`declared by lab "${LAB}" too`);
    expect(value()).toBe('1');

    // A key of a host device another resource makes first (a bridge of the same configuration)
    // plans without error; the device's resource is applied before it.
    const later = await plan(null, { id: null, key: `net.ipv4.conf.${P}later.forwarding`, value: '1' });
    expect(errors(later)).toEqual([]);

    // Delete: the value found goes back, and the record with it.
    const del = await apply(s, dv(null));
    expect(errors(del)).toEqual([]);
    expect(state(del.new_state)).toBeNull();
    expect(value()).toBe('0');
    expect(existsSync(stateFile)).toBe(false);
  });
});
