// An app served on 127.0.0.1 for the page tests, with a real browser to look at it.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { openBrowser, type TestBrowser } from './browser.js';

export interface ServedPages {
  base: string;
  b: TestBrowser;
  close(): Promise<void>;
}

export async function servePages(fetch: (request: Request) => Response | Promise<Response>): Promise<ServedPages> {
  const server = serve({ fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const b = await openBrowser({ width: 1920, height: 1080 });
  return {
    base,
    b,
    async close() {
      await b.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
