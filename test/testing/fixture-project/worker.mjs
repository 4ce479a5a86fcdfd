// Shared by a.test.mjs and b.test.mjs: deploy the same lab in two jest workers at the same time.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLab } from 'nslab/testing';
import { redBlue } from './lab.mjs';

/** Deploys, then waits (up to 20 s) until the other worker has its lab up too, then checks traffic. */
export async function deployAlongside(me, other) {
  const barrier = process.env.BARRIER;
  return withLab(redBlue, async (lab) => {
    writeFileSync(join(barrier, me), `${lab.key} ${process.pid}\n`);
    const deadline = Date.now() + 20_000;
    while (!existsSync(join(barrier, other))) {
      if (Date.now() > deadline) throw new Error(`${other} never deployed its lab`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await lab.expectReachable('red', 'blue');
    await lab.expectReachable('blue', '10.51.0.254');
    await lab.checkReachability();
    return { key: lab.key, pid: process.pid };
  });
}
