// Seed lab 1: two namespaces on a veth cable (the topology: buildRedBlue in ./topologies.ts).
//   npx nslab apply examples/red-blue.ts --auto-approve
import { App, Lab } from 'nslab';
import { buildRedBlue } from './topologies.js';

const app = new App();
buildRedBlue(new Lab(app, 'red-blue'));
app.synth();
