// Vantages as people see them, in a real browser (Debian's chromium) against the app served over
// loopback HTTP: the watch floor's Vantages panel (a lost vantage said in words), disputed and
// not-enough-vantages checks beneath their assets, an asset page's table of votes with each
// vantage's health, and the planner's functions that lose visibility. axe-core on each page.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vantages } from '../../src/core/store/schema/index.js';
import { recordEvent } from '../../src/core/store/events.js';
import { createTestApp, ok, type TestApp } from '../helpers.js';
import { screenshot, seriousAccessibilityViolations, type TestBrowser } from '../support/browser.js';
import { servePages, type ServedPages } from '../support/page-server.js';
import { DISAGREEMENT, NOT_ENOUGH, seedVantageFleet } from '../support/vantage-fleet.js';

let t: TestApp;
let served: ServedPages | undefined;
let base: string;
let b: TestBrowser;
let scenarioId: number;

const text = async (selector: string) => (await b.page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();

async function signIn(token: string, next: string) {
  await b.page.goto(`${base}${next}`);
  await b.page.fill('#token', token);
  await b.page.click('button[type="submit"]');
  await b.page.waitForURL(`${base}${next}`);
}

beforeAll(async () => {
  t = await createTestApp();
  await seedVantageFleet(t);
  scenarioId = (await ok(t.call('POST', '/api/scenarios', {
    token: t.tokens.planner,
    body: { key: 'backhaul-cut', name: 'Arctic and Tokyo backhaul cut', kind: 'power', params: { gridRegion: 'nowhere', outageHours: 4 }, vantagesDown: ['svalbard-site', 'tokyo-moc'] },
  }), 201)).id;
  served = await servePages(t.app.fetch);
  ({ base, b } = served);
}, 60_000);

afterAll(async () => {
  await served?.close();
  t?.close();
});

describe('vantages on the pages', () => {
  it('the watch floor lists every vantage with its health, marks the lost one in words, and shows disputed and not-enough-vantages checks', async () => {
    await signIn(t.tokens.viewer, '/');
    const page = b.page;
    const rows = page.locator('.wf-vantages tr[data-vantage]');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-vantage'), tr.getAttribute('data-status')]))).toEqual([
      ['central', 'live'], ['kiruna-site', 'pending'], ['svalbard-site', 'live'], ['tokyo-moc', 'live'], ['troll-site', 'lost'],
    ]);
    expect(await text('#h-vantages')).toBe('Vantages (5, 1 lost)');
    const troll = await text('tr[data-vantage="troll-site"]');
    expect(troll).toMatch(/troll-site agent lost LOST: its votes do not count 11 min ago 1$/);
    expect(await text('tr[data-vantage="kiruna-site"]')).toMatch(/pending never reported 0$/);
    // checks each vantage runs: central runs its three listed checks and the central-only one
    expect(await text('tr[data-vantage="central"] td.num')).toBe('3');
    expect(await text('tr[data-vantage="svalbard-site"] td.num')).toBe('3');

    const disputed = page.locator('tr.check-note[data-key="svalbard-ping"]');
    expect(await disputed.getAttribute('data-status')).toBe('disputed');
    expect(await text('tr.check-note[data-key="svalbard-ping"]')).toBe(`svalbard-ping: disputed ${DISAGREEMENT}`);
    // beneath its asset's row
    expect(await page.locator('tr.asset-row[data-key="gs-svalbard"] + tr.check-note').getAttribute('data-key')).toBe('svalbard-ping');
    expect(await text('tr.check-note[data-key="troll-ping"]')).toBe(`troll-ping: unknown ${NOT_ENOUGH}`);
    expect(await page.locator('tr.check-note').count()).toBe(2);

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'watch-floor-vantages');

    // live: tokyo-moc goes silent; the panel says so without a reload
    await page.waitForSelector('#live-state.live-on');
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const lostAt = Date.now();
    await t.sqlite.db.update(vantages).set({ status: 'lost', since: lostAt, lastSeenAt: lostAt - 70_000 }).where(eq(vantages.name, 'tokyo-moc'));
    await recordEvent(t.ctx, {
      type: 'vantage.lost', subjectKind: 'vantage', subjectKey: 'tokyo-moc',
      data: { lastSeenAt: lostAt - 70_000, graceSeconds: 60, checks: [], checksWithoutQuorum: [] },
    });
    await page.waitForFunction(() => document.querySelector('tr[data-vantage="tokyo-moc"]')?.getAttribute('data-status') === 'lost', null, { timeout: 10_000 });
    expect(await text('tr[data-vantage="tokyo-moc"]')).toContain('LOST: its votes do not count');
    expect(await text('#h-vantages')).toBe('Vantages (5, 2 lost)');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true)).toBe(true);
    expect(b.errors).toEqual([]);
  }, 60_000);

  it('an asset page shows each multi-vantage check\'s votes: what each vantage sees, since when, and the vantage\'s health', async () => {
    const page = b.page;
    await page.click('tr.asset-row[data-key="gs-svalbard"] a.asset-name');
    await page.waitForURL(`${base}/asset/gs-svalbard`);
    expect(await text('h1')).toBe('Svalbard station');
    expect(await text('.asset-page > p')).toContain(`disputed: ${DISAGREEMENT}`);
    const votes = page.locator('section[data-check="svalbard-ping"] tbody tr');
    expect(await votes.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-vantage'), tr.getAttribute('data-status'), tr.getAttribute('data-health')]))).toEqual([
      ['central', 'up', 'live'], ['svalbard-site', 'down', 'live'], ['tokyo-moc', 'up', 'lost'],
    ]);
    expect(await text('section[data-check="svalbard-ping"] h2')).toBe('Votes on svalbard-ping: disputed');
    expect(await text('section[data-check="svalbard-ping"] tr[data-vantage="svalbard-site"]')).toMatch(/svalbard-site down \d\d:\d\d UTC \(5 min ago\) live \d+ min ago|svalbard-site down \d\d:\d\d UTC \(5 min ago\) live now/);
    // a single-vantage check has no votes table, but is listed among the checks
    expect(await page.locator('section[data-check="svalbard-tls"]').count()).toBe(0);
    expect(await page.locator('#checks tr[data-key="svalbard-tls"]').count()).toBe(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // the lost vantage's vote is marked as not counting
    await page.goto(`${base}/asset/gs-troll`);
    expect(await text('section[data-check="troll-ping"] tr[data-vantage="troll-site"]')).toContain('lost LOST: its votes do not count');
    expect(await text('section[data-check="troll-ping"] p')).toContain(NOT_ENOUGH);
    await screenshot(page, 'asset-votes');

    const missing = await page.goto(`${base}/asset/no-such-asset`);
    expect(missing!.status()).toBe(404);
    expect(await text('[role="alert"]')).toBe('No asset with key "no-such-asset".');
    expect(b.errors.filter((e) => !/404/.test(e))).toEqual([]);
    b.errors.length = 0;
  }, 60_000);

  it('the planner shows the functions that lose visibility apart from those that lose capability, with what it means', async () => {
    const page = b.page;
    await page.context().clearCookies();
    await signIn(t.tokens.planner, `/planner/scenarios/${scenarioId}`);
    expect(await text('#visibility-h')).toBe('Functions that lose visibility (1)');
    expect(await text('#visibility')).toContain('we could not tell whether they work');
    expect(await text('#visibility')).toContain('svalbard-site, tokyo-moc');
    expect(await page.locator('#functions-unseen li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-key')))).toEqual(['downlink']);
    expect(await text('#assets-unseen')).toBe('Assets no check can still see (2): Svalbard station, Troll station.');
    expect(await text('#checks-blind')).toBe('Checks below their quorum (3): svalbard-ping, svalbard-tls, troll-ping.');
    // capability is its own section, and nothing is lost there
    expect(await text('#functions-h')).toBe('Mission function impact: functions that lose capability');
    expect(await text('.pl-summary')).toContain('1 functions that lose visibility');
    expect(await text('.pl-summary')).toContain('0 functions lost');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'planner-visibility');
    expect(b.errors).toEqual([]);
  }, 60_000);
});
