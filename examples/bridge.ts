// Seed lab 2: four namespaces on a host bridge, like docker0 (the topology: buildBridge in ./topologies.ts).
//   npx nslab apply examples/bridge.ts --auto-approve
import { App, Lab } from 'nslab';
import { buildBridge } from './topologies.js';

const app = new App();
buildBridge(new Lab(app, 'bridge'));
app.synth();
