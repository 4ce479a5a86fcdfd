/**
 * The seed labs as cdktf stacks `red-blue` and `bridge` (run by the root cdktf.json):
 *
 *   npx nslab provider install
 *   CHECKPOINT_DISABLE=1 npx cdktf deploy red-blue --auto-approve --skip-provider-lock
 *
 * NSLAB_PREFIX, when set, prefixes every global name, as it does for `nslab apply`.
 */
import { App } from 'cdktf';
import { LabStack } from 'nslab/cdktf';
import { buildBridge, buildRedBlue } from '../topologies.js';

const app = new App();
new LabStack(app, 'red-blue', buildRedBlue);
new LabStack(app, 'bridge', buildBridge);
app.synth();
