import { deployAlongside } from './worker.mjs';

test('worker a deploys the lab while worker b has it deployed too', async () => {
  const r = await deployAlongside('a', 'b');
  expect(r.key).toMatch(/^nt[0-9a-z]{2}lab$/);
});
