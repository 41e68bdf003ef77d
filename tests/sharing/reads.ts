import { ok, type TestApp } from '../helpers.js';
import { allObjects, collectionIds } from './taxii-client.js';

/** Everything a partner token can read, as one text: the feed from the start, the shared objects, every TAXII collection. */
export async function partnerReads(t: TestApp, token: string): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  for (;;) {
    const page = await ok(t.call('GET', `/api/sharing/feed?cursor=${cursor}&limit=500`, { token }));
    parts.push(JSON.stringify(page));
    cursor = page.nextCursor;
    if (!page.hasMore) break;
  }
  parts.push((await t.call('GET', '/api/sharing/objects', { token })).text);
  for (const id of await collectionIds(t, token)) parts.push(JSON.stringify(await allObjects(t, token, id)));
  return parts.join('\n');
}
