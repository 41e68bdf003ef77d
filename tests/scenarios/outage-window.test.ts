// Blackout versus backup power: when each asset goes down, and when each function is lost
// through its k-of-n groups, in hours after the blackout starts.
import { describe, expect, it } from 'vitest';
import { assessScenario, type AssessFunction } from '../../src/core/scenarios/assess.js';
import type { ScenarioAsset } from '../../src/core/scenarios/impact.js';
import { describeWindow } from '../../src/core/scenarios/outage-window.js';

const siteOn = (id: number, backupPowerHours: number | null) => ({
  id, key: `site-${id}`, name: `site ${id}`, assetId: id, kind: 'datacenter' as const, lat: null, lon: null, vendor: null, model: null, firmware: null,
  managementNetwork: null, gridRegion: 'pjm', backupPowerHours, tags: [], medium: null, linkEnds: null, linkEndIds: [null, null] as [null, null],
}) satisfies ScenarioAsset & { name: string; assetId: number };

const fn = (id: number, k: number, members: number[]): AssessFunction => ({
  id, key: `fn-${id}`, name: `fn ${id}`, tier: 'MEF', rtoSeconds: 3600, mtdSeconds: 24 * 3600,
  groups: [{ name: 'sites', k, members: members.map((assetId) => ({ assetId })) }],
});

function blackout(outageHours: number, backups: Array<number | null>, functions: AssessFunction[]) {
  return assessScenario({
    scenario: { kind: 'power', params: { gridRegion: 'pjm', outageHours } },
    assets: backups.map((b, i) => siteOn(i + 1, b)),
    functions,
    atMs: Date.parse('2026-01-01T00:00:00Z'),
  });
}

describe('blackout against backup power', () => {
  it('a single site with 48 h of backup in a 60 h blackout is down from 48 h to 60 h, and its function is lost for 12 h, not 60', () => {
    const a = blackout(60, [48], [fn(1, 1, [1])]);
    expect(a.assets[0]).toMatchObject({ impact: 'down', downAfterHours: 48, downWindow: { fromHours: 48, untilHours: 60 } });
    const f = a.functions[0]!;
    expect(f).toMatchObject({ status: 'lost', lostWindow: { fromHours: 48, untilHours: 60 }, expectation: 'outage', expectedSecondsToFailover: 12 * 3600 });
    expect(f.basis).toMatch(/lost from 48 h to 60 h/);
    expect(f.rtoMet).toBe(false);
    expect(f.mtdMarginSeconds).toBe(12 * 3600);
  });

  it('backup at least as long as the blackout: degraded on backup power, never down, the function not lost', () => {
    for (const backup of [60, 72]) {
      const a = blackout(60, [backup], [fn(1, 1, [1])]);
      expect(a.assets[0]).toMatchObject({ impact: 'degraded', downWindow: null });
      expect(a.functions[0]).toMatchObject({ status: 'operational', lostWindow: null });
    }
  });

  it('no backup: down from the start until the grid returns', () => {
    const a = blackout(60, [null], [fn(1, 1, [1])]);
    expect(a.assets[0]).toMatchObject({ downWindow: { fromHours: 0, untilHours: 60 } });
    expect(a.functions[0]!.basis).toMatch(/lost from the start until 60 h/);
  });

  it('mixed backup in a k-of-n group: lost from when the group falls below k', () => {
    // 1-of-2 with 24 h and 48 h: the group holds while either runs, so lost from 48 h to 60 h
    const oneOfTwo = blackout(60, [24, 48], [fn(1, 1, [1, 2])]);
    expect(oneOfTwo.functions[0]!.lostWindow).toEqual({ fromHours: 48, untilHours: 60 });
    // 2-of-3 with 10 h, 20 h and 70 h: the second site down (20 h) breaks the group; the third outlasts the blackout
    const twoOfThree = blackout(60, [10, 20, 70], [fn(1, 2, [1, 2, 3])]);
    expect(twoOfThree.functions[0]!.lostWindow).toEqual({ fromHours: 20, untilHours: 60 });
    expect(twoOfThree.functions[0]!.expectedSecondsToFailover).toBe(40 * 3600);
    // 1-of-2 where one site outlasts the blackout: never lost, degraded with no spare
    const covered = blackout(60, [24, 96], [fn(1, 1, [1, 2])]);
    expect(covered.functions[0]).toMatchObject({ status: 'degraded', lostWindow: null });
  });

  it('a function made of a lost function is lost in the same window', () => {
    const parent: AssessFunction = { ...fn(2, 1, []), groups: [{ name: 'child', k: 1, members: [{ functionId: 1 }] }] };
    const a = blackout(60, [30, 45], [fn(1, 1, [1, 2]), parent]);
    expect(a.functions.find((f) => f.functionId === 2)!.lostWindow).toEqual({ fromHours: 45, untilHours: 60 });
  });

  it('says the window in words', () => {
    expect(describeWindow({ fromHours: 48, untilHours: 60 })).toBe('from 48 h to 60 h');
    expect(describeWindow({ fromHours: 0, untilHours: 60 })).toBe('from the start until 60 h');
    expect(describeWindow({ fromHours: 5, untilHours: null })).toBe('from 5 h, with no end given');
  });
});
