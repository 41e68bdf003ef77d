// The allied tiles in a real browser: a US app and a JPN app served on loopback in this process,
// JPN's Node-host follower reading US's feed. JPN's watch floor shows the shared asset and function
// as read-only tiles naming their owner, with markings, passes axe, and drops a tile live (no
// reload) when US retracts it.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, it } from 'vitest';
import { mintToken } from '../../src/core/services/tokens.js';
import { startAlliedFollower } from '../../src/hosts/node/allied-follower.js';
import { createApp } from '../../src/http/app.js';
import { clientFor, createTestApp, ok, waitFor } from '../helpers.js';
import { openBrowser, seriousAccessibilityViolations } from '../support/browser.js';

async function served(t: Awaited<ReturnType<typeof createTestApp>>) {
  const app = createApp({ database: () => t.sqlite.db, organisation: 'test' });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    call: clientFor(app, t.tokens),
    close: () => new Promise<void>((resolve) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

describe('allied tiles on the watch floor', () => {
  it('show the ally\'s shared items read-only with owner and marking, pass axe, and update live', async (ctx) => {
    const { expect } = ctx;
    const usDb = await createTestApp();
    const jpDb = await createTestApp();
    const us = await served(usDb);
    const jp = await served(jpDb);
    const follower = startAlliedFollower(jpDb.ctx, { intervalMs: 200, log: () => {} });
    const browser = await openBrowser({ width: 1920, height: 1080 });
    ctx.onTestFinished(async () => {
      await browser.close();
      await follower.stop();
      await us.close();
      await jp.close();
      usDb.close();
      jpDb.close();
    });
    const relTo = { tlp: 'AMBER', relTo: ['JPN', 'USA'] };
    const asset = await ok(us.call('POST', '/api/assets', { body: { key: 'gs-shared', kind: 'ground_station', name: 'Shared station', marking: relTo } }), 201);
    await ok(us.call('POST', '/api/functions', { body: { key: 'relay', name: 'Bilateral relay', tier: 'MEF', rtoSeconds: 60, mtdSeconds: 60, marking: relTo, groups: [{ name: 'sites', k: 1, members: [{ assetId: asset.id }] }] } }), 201);
    await ok(us.call('POST', '/api/assets', { body: { key: 'gs-hidden', kind: 'ground_station', name: 'Hidden station' } }), 201);
    await ok(us.call('POST', '/api/partners', { body: { key: 'jp', name: 'JPN', country: 'JPN' } }), 201);
    const token = (await mintToken(usDb.ctx, { name: 'jp', role: 'partner', partner: 'jp' })).secret;
    await ok(jp.call('POST', '/api/sharing/sources', { body: { name: 'US Space Ops', url: us.base, token } }), 201);
    await waitFor('JPN has the allied items', async () => (await ok(jp.call('GET', '/api/sharing/allied'))).sources[0]?.items.length === 2);

    const { page, errors } = browser;
    await page.goto(`${jp.base}/login`);
    await page.fill('input[name="token"]', jpDb.tokens.viewer);
    await Promise.all([page.waitForURL(`${jp.base}/`), page.click('button[type="submit"]')]);
    await page.waitForSelector('#live-state.live-on');
    const tiles = await page.$$eval('.allied-tile', (els) => els.map((e) => ({ key: e.getAttribute('data-key'), text: e.textContent ?? '' })));
    expect(tiles.map((t) => t.key).sort()).toEqual(['gs-shared', 'relay']);
    for (const tile of tiles) expect(tile.text).toContain('Owner: US Space Ops');
    expect(tiles[0]!.text).toContain('TLP:AMBER REL TO JPN, USA');
    expect(await page.textContent('#watch-floor')).not.toContain('Hidden station');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // US retracts the station from JPN: the tile leaves JPN's open page without a reload.
    await ok(us.call('PATCH', `/api/assets/${asset.id}`, { body: { marking: { tlp: 'AMBER', relTo: ['USA'] } } }));
    await page.waitForSelector('.allied-tile[data-key="gs-shared"]', { state: 'detached', timeout: 5_000 });
    expect(await page.$$eval('.allied-tile', (els) => els.map((e) => e.getAttribute('data-key')))).toEqual(['relay']);
    expect(errors).toEqual([]);
  }, 60_000);
});
