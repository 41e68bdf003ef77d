// What one HTTP request costs the client: undici's request() against the probes' own exchange
// (hosts/node/http-exchange.ts, undici's dispatch interface), to the bench's loopback targets in a
// process of their own, 64 requests in flight, CPU of this process per request. `--paced`: the
// exchange sending 5,000 requests a second, on 1 ms timer ticks or in 10 ms batches
// (a probe thread's share at 10,000 checks/s, as the scheduler's launchEveryMs starts them).
//   node --import tsx tests/bench/http-client.ts [--paced]
import { setMaxListeners } from 'node:events';
import { Agent, request } from 'undici';
import { exchange } from '../../src/hosts/node/http-exchange.js';
import { startTargets } from './check-throughput.js';
import { cpuSince } from './common.js';

const SECONDS = 5;
const IN_FLIGHT = 64;
const { child, targets } = await startTargets();
const urls = Array.from({ length: 10_000 }, (_, i) => `http://127.0.0.1:${targets.ports[i % targets.ports.length]}/t/${i}`);
const agent = new Agent({ connections: 64, keepAliveTimeout: 4_000, headersTimeout: 0, bodyTimeout: 0 });
const signal = new AbortController().signal;
setMaxListeners(0, signal); // every exchange in flight listens on this one signal

const viaRequest = async (url: string) => {
  const res = await request(url, { dispatcher: agent, headers: { 'user-agent': 'coopwatch' } });
  await res.body.text();
};
const viaExchange = (url: string) => exchange(agent, { url, method: 'GET', headers: { 'user-agent': 'coopwatch' }, maxBodyBytes: 65_536, signal });

/** Requests done and CPU milliseconds used while `run` sends them for SECONDS. */
async function measure(run: (until: number, done: () => void) => Promise<void>): Promise<string> {
  let count = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(started + SECONDS * 1000, () => count++);
  const cpuMs = cpuSince(cpu);
  const rate = count / ((performance.now() - started) / 1000);
  return `${Math.round(rate).toLocaleString('en')} requests/s, ${(cpuMs / count).toFixed(4)} ms CPU each`;
}

const flatOut = (send: (url: string) => Promise<unknown>) => (until: number, done: () => void) => {
  let next = 0;
  const worker = async () => {
    while (performance.now() < until) {
      await send(urls[next++ % urls.length]!);
      done();
    }
  };
  return Promise.all(Array.from({ length: IN_FLIGHT }, worker)).then(() => undefined);
};

/** 5,000 a second: every `tickMs`, the requests that came due since the last tick. */
const paced = (tickMs: number) => (until: number, done: () => void) =>
  new Promise<void>((resolve) => {
    let sent = 0;
    const started = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      if (now >= until) {
        clearInterval(timer);
        setTimeout(resolve, 200);
        return;
      }
      for (const due = Math.floor((now - started) * 5); sent < due; sent++) void viaExchange(urls[sent % urls.length]!).then(done);
    }, tickMs);
  });

try {
  await measure(flatOut(viaRequest)); // warm-up: connections open, code compiled
  if (process.argv.includes('--paced')) {
    console.log(`exchange, 5,000/s, on 1 ms ticks:     ${await measure(paced(1))}`);
    console.log(`exchange, 5,000/s, in 10 ms batches: ${await measure(paced(10))}`);
  } else {
    console.log(`request():  ${await measure(flatOut(viaRequest))}`);
    console.log(`exchange(): ${await measure(flatOut(viaExchange))}`);
  }
} finally {
  await agent.close();
  await child.kill();
}
