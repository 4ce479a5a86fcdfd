// Deploys the lab, checks it, prints what it saw as JSON, and destroys it.
// With an argument: `forget` returns without destroying (the exit handler must clean up),
// `wait` prints and then waits to be killed.
import { deployLab } from 'nslab/testing';
import { redBlue } from './lab.mjs';

const mode = process.argv[2] ?? 'destroy';
const lab = await deployLab(redBlue);
const sleeper = lab.namespace('red').spawn(['sleep', '60']);
await lab.expectReachable('red', 'blue');
const report = await lab.checkReachability();
const eth0 = await lab.namespace('red').device('eth0');
const bridge = await lab.hostDevice('br');
process.stdout.write(`${JSON.stringify({ key: lab.key, prefix: lab.prefix, sleeper: sleeper.pid, eth0, bridge: bridge.name, matrix: report.text })}\n`);
if (mode === 'destroy') await lab.destroy();
if (mode === 'forget') process.exit(0);
if (mode === 'wait') setInterval(() => {}, 1000);
