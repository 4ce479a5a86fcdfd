// The seed labs' plans as snapshots: a change to a topology shows up in review as a change to
// __snapshots__/topology.snapshot.test.ts.snap. No kernel and no root needed: run it anywhere.
// After an intended change: `npx jest examples/testing/topology.snapshot.test.ts -u`, and commit the snapshot.
import { Testing } from 'nslab/testing';
import { buildBridge, buildRedBlue } from '../topologies.js';

describe('the seed labs synthesize to their reviewed plans', () => {
  it('red-blue: two namespaces on a veth cable', () => {
    expect(Testing.synth(buildRedBlue, { name: 'red-blue' })).toMatchSnapshot();
  });

  it('bridge: four namespaces on a host bridge that is their gateway', () => {
    expect(Testing.synth(buildBridge, { name: 'bridge' })).toMatchSnapshot();
  });
});
