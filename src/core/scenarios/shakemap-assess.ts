import type { Db } from '../store/client.js';
import type { ScenarioBody } from '../domain/scenarios.js';
import { assessAgainstInventory, type WhatIfOptions } from './what-if.js';
import { shakemapImpact, type ShakeMapCoverage } from './shakemap-sample.js';
import { loadShakeMap } from './shakemap-store.js';

/**
 * The what-if of a saved scenario: an earthquake with a ShakeMap attached reads its shaking from
 * the grid (`shakemap` says which, and lists the located assets the grid does not cover);
 * otherwise from the scenario's model, answering exactly as the ad-hoc what-if (no `shakemap`).
 */
export async function assessSavedAgainstInventory(db: Db, scenarioId: number, body: ScenarioBody, atMs: number, options: Omit<WhatIfOptions, 'impactOf'> = {}) {
  const map = body.kind === 'earthquake' ? await loadShakeMap(db, scenarioId) : null;
  if (!map || body.kind !== 'earthquake') return { shakemap: undefined, ...(await assessAgainstInventory(db, body, atMs, options)) };
  const notCovered: Array<{ assetId: number; assetKey: string; coverage: Exclude<ShakeMapCoverage, 'covered'> }> = [];
  const assessment = await assessAgainstInventory(db, body, atMs, { ...options, impactOf: (asset) => {
    const impact = shakemapImpact(map, body.params, asset);
    if (impact.coverage !== 'covered' && impact.reason !== 'no location') notCovered.push({ assetId: asset.id, assetKey: asset.key, coverage: impact.coverage });
    return impact;
  } });
  return { shakemap: { eventId: map.eventId, event: map.event, grid: map.spec, notCovered }, ...assessment };
}
