// The cdktf app (cdktf.json runs it): one stack holding the lab.
import { App } from 'cdktf';
import { LabStack } from 'nslab/cdktf';
import { redBlue } from './lab.js';

const app = new App();
new LabStack(app, 'red-blue', redBlue);
app.synth();
