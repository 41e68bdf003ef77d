// A noisy neighbour for the throughput bench: one busy loop on the CPU for a bounded time, in a
// process of its own, yielding only to answer its parent. It stops at `seconds` whatever happens.
import { serveParent } from './common.js';

serveParent(async (message) => {
  if (message.type !== 'spin') return undefined;
  const until = Date.now() + Number(message.seconds) * 1000;
  let spins = 0;
  while (Date.now() < until) {
    // 50 ms slices, then a turn of the event loop, so the parent's kill lands at once.
    const slice = Math.min(until, Date.now() + 50);
    while (Date.now() < slice) spins++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { spins };
});
