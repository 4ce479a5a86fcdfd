/**
 * One resource at a time (the provider's path): an interrupted create is taken over by the next
 * create, while a namespace of the same name made by hand stays foreign.
 */
import { applyResource } from '../../src/engine/per-resource.js';
import { readState, ownerKey, writeState } from '../../src/engine/state/state.js';
import { ownerMarker, type NamespaceResource } from '../../src/plan/types.js';
import { describeKernel, ip, kernelFixture, namespacesWith } from '../support/kernel.js';

describeKernel('a resource create interrupted half way', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const opts = { stateDir: fx.stateDir };
  const key = `${P}tf`;
  const ns: NamespaceResource = { type: 'namespace', path: 'netns_namespace.a', name: `${P}a`, loopbackUp: true, sysctls: {} };
  const lo = () => JSON.parse(ip('-n', ns.name, '-j', 'link', 'show', 'dev', 'lo'))[0].ifalias as string | undefined;

  it('takes over the empty namespace its pending record names, and refuses one made by hand', async () => {
    // As if the provider was killed after `netns add` and before marking lo.
    writeState(fx.stateDir, { version: 1, lab: key, prefix: '', key, resources: {}, pending: { [`terraform:namespace ${ns.name}`]: ns }, managedBy: 'terraform' });
    ip('netns', 'add', ns.name);
    await applyResource(key, undefined, ns, opts);
    expect(lo()).toBe(ownerMarker(ownerKey(fx.stateDir, key)));
    expect(Object.keys(readState(fx.stateDir, key)!.resources)).toEqual([`terraform:namespace ${ns.name}`]);
    expect(readState(fx.stateDir, key)!.pending).toBeUndefined();
    await applyResource(key, ns, undefined, opts);
    expect(namespacesWith(P)).toEqual([]);
    expect(readState(fx.stateDir, key)).toBeUndefined();
    // Without a pending record, the same hand-made namespace is foreign.
    ip('netns', 'add', ns.name);
    await expect(applyResource(key, undefined, ns, opts)).rejects.toThrow(ns.name);
    expect(lo()).toBeUndefined();
    expect(readState(fx.stateDir, key)).toBeUndefined();
    ip('netns', 'del', ns.name);
  });
});
