// Run on its own by user-project.test.ts: a lab deployed and never destroyed. The process 'exit'
// handler of nslab/testing must tear it down when jest's worker exits.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployLab } from 'nslab/testing';
import { redBlue } from './lab.mjs';

test('a test that forgets to destroy its lab', async () => {
  const lab = await deployLab(redBlue);
  lab.namespace('red').spawn(['sleep', '60']);
  writeFileSync(join(process.env.BARRIER, 'forget'), `${lab.key} ${process.pid}\n`);
});
