// Fails on purpose (run on its own by user-project.test.ts): a withLab body that outlives jest's
// timeout. The lab must still be destroyed (afterAll hook of nslab/testing, else the exit handler).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLab } from 'nslab/testing';
import { redBlue } from './lab.mjs';

test('a test that times out inside withLab', () => withLab(redBlue, async (lab) => {
  writeFileSync(join(process.env.BARRIER, 'hang'), `${lab.key} ${process.pid}\n`);
  await new Promise(() => {});
}), 1500);
