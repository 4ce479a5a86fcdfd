import { deployAlongside } from './worker.mjs';

test('worker b deploys the lab while worker a has it deployed too', async () => {
  const r = await deployAlongside('b', 'a');
  expect(r.key).toMatch(/^nt[0-9a-z]{2}lab$/);
});
