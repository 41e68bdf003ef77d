// Benchmark 2: the read path. autocannon (in this process) against the server process: the
// watch-floor JSON, the public status summary and the assets list, each beside the bare Hono
// route on the same server measured in the same run.
import autocannon from 'autocannon';
import type { BenchContext, Figure } from './common.js';
import { forkModule, round } from './common.js';

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

function load(url: string, seconds: number, connections: number, headers: Record<string, string> = {}): Promise<Load> {
  return new Promise((resolve, reject) => {
    autocannon({ url, duration: seconds, connections, headers }, (err, r) => {
      if (err) return reject(err);
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, requests: r.requests.total });
    });
  });
}

export async function readPath(ctx: BenchContext): Promise<{ figures: Figure[]; raw: unknown }> {
  const assets = 10_000;
  const components = 200;
  const seconds = ctx.quick ? 5 : 10;
  const connections = 10;
  ctx.log(`read path: seeding ${assets} assets and a status page of ${components} components`);
  const server = forkModule('read-server.ts');
  try {
    const { appPort, barePort, token, cookie } = await server.ask({ type: 'start', assets, components, tmp: ctx.tmp }, 300_000);
    const base = `http://127.0.0.1:${appPort}`;
    const routes = {
      bare: { url: `http://127.0.0.1:${barePort}/bare`, headers: {} },
      sameBytes: { url: `http://127.0.0.1:${barePort}/same-bytes`, headers: { 'accept-encoding': 'gzip, deflate, br' } },
      // As browsers, curl --compressed and status pollers ask for it.
      summary: { url: `${base}/status/public/summary.json`, headers: { 'accept-encoding': 'gzip, deflate, br' } },
      assets: { url: `${base}/api/assets?limit=100`, headers: { authorization: `Bearer ${token}` } },
      watch: { url: `${base}/watch.json`, headers: { cookie } },
    };
    // Each route is warmed, then loaded; the watch floor also at one connection (one officer's screen).
    const results: Record<string, Load> = {};
    for (const [name, route] of Object.entries(routes)) {
      await load(route.url, 1, connections, route.headers);
      ctx.log(`read path: ${name}`);
      results[name] = await load(route.url, seconds, connections, route.headers);
    }
    results.watch1 = await load(routes.watch.url, seconds, 1, routes.watch.headers);
    const bare = results.bare!;
    const figures: Figure[] = [];
    const ok = (r: Load) => r.errors === 0 && r.non2xx === 0 && r.requests > 0;
    const note = (r: Load) => `p50 ${r.p50} ms${ok(r) ? '' : `; ${r.errors} errors, ${r.non2xx} non-2xx`}`;
    figures.push({ bench: 'read', figure: `bare Hono route req/s (${connections} conns)`, value: Math.round(bare.rps), unit: '/s', target: null, pass: null, note: `p99 ${bare.p99} ms` });
    const w = results.watch!;
    const w1 = results.watch1!;
    figures.push({ bench: 'read', figure: `watch-floor JSON, ${assets} assets: p99 (1 conn)`, value: w1.p99, unit: 'ms', target: '< 50 ms', pass: ok(w1) && w1.p99 < 50, ceiling: Math.round(bare.rps), ratio: round(w1.rps / bare.rps, 3), note: `${round(w1.rps, 1)} req/s; ${note(w1)}` });
    figures.push({ bench: 'read', figure: `watch-floor JSON, ${assets} assets: p99 (${connections} conns)`, value: w.p99, unit: 'ms', target: null, pass: null, ceiling: Math.round(bare.rps), ratio: round(w.rps / bare.rps, 3), note: `${round(w.rps, 1)} req/s; ${note(w)}` });
    const s = results.summary!;
    figures.push({ bench: 'read', figure: `status summary.json (${components} components) req/s`, value: Math.round(s.rps), unit: '/s', target: '≥ 50 % of bare', pass: ok(s) && s.rps >= 0.5 * bare.rps, ceiling: Math.round(bare.rps), ratio: round(s.rps / bare.rps, 2), note: `p99 ${s.p99} ms; Accept-Encoding: gzip; ${note(s)}` });
    const same = results.sameBytes!;
    figures.push({ bench: 'read', figure: 'bare route writing summary.json\'s bytes and headers req/s', value: Math.round(same.rps), unit: '/s', target: null, pass: null, ceiling: Math.round(bare.rps), ratio: round(same.rps / bare.rps, 2), note: `summary.json reaches ${round(s.rps / same.rps, 2)}× of it; ${note(same)}` });
    const a = results.assets!;
    figures.push({ bench: 'read', figure: '/api/assets?limit=100 req/s', value: Math.round(a.rps), unit: '/s', target: null, pass: ok(a) ? null : false, ceiling: Math.round(bare.rps), ratio: round(a.rps / bare.rps, 2), note: `p99 ${a.p99} ms; ${note(a)}` });
    return { figures, raw: results };
  } finally {
    await server.kill();
  }
}
