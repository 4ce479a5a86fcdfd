import { Testing } from 'cdktf';
import { LabStack } from 'nslab/cdktf';
import { labsUnavailable, withLab } from 'nslab/testing';
import { redBlue } from './lab.js';

it('synthesizes the lab to netns_* resources that reference each other', () => {
  const json = JSON.parse(Testing.synth(new LabStack(Testing.app(), 'red-blue', redBlue)));
  expect(Object.keys(json.resource.netns_namespace).sort()).toEqual(['blue', 'red']);
  expect(json.resource.netns_ip_address['red-ip'].device).toBe('${netns_veth_link.cable.a_name}');
});

(labsUnavailable() ? it.skip : it)('red reaches blue on the real kernel', () =>
  withLab(redBlue, async (lab) => {
    await lab.expectReachable('red', 'blue');
    expect((await lab.namespace('red').device('veth-red')).addresses).toContain('10.10.0.1/24');
  }));
