// What a scenario's lost vantages do to what the service can see. A check run from vantages
// counts only the votes of those still reporting; with fewer than its quorum it reads unknown
// ("not enough vantages", domain/quorum.ts) — it is blind, not up. An asset whose every check is
// blind is unseen, and a function that cannot be shown to hold on the assets still seen loses
// visibility: whether it works cannot be told, which is not the same as knowing it is lost.
import { assessFunctions, type FunctionGraphNode } from '../domain/impact.js';
import { CENTRAL_VANTAGE, quorumOf } from '../domain/quorum.js';

/** A check as visibility needs it: who runs it and how many must agree. */
export interface VisibilityCheck {
  key: string;
  assetId: number;
  enabled: boolean;
  /** Vantage names; null: the central monitor alone. */
  vantages: string[] | null;
  /** null: a majority of `vantages`. */
  quorum: number | null;
}

export interface Visibility {
  checksBlind: string[];
  assetsUnseen: string[];
  functionsUnseen: string[];
}

/** Whether a check keeps at least its quorum of vantages with `down` taken away. */
export function checkKeepsQuorum(check: Pick<VisibilityCheck, 'vantages' | 'quorum'>, down: ReadonlySet<string>): boolean {
  const vantages = check.vantages ?? [CENTRAL_VANTAGE];
  return vantages.filter((v) => !down.has(v)).length >= quorumOf(check);
}

/**
 * Checks left blind, assets no enabled check can still see (only assets that had a check: an
 * asset never checked was never seen), and functions that cannot be shown to hold on the assets
 * still seen (the k-of-n graph, unseen assets counted as unavailable).
 */
export function assessVisibility(
  vantagesDown: readonly string[],
  checks: readonly VisibilityCheck[],
  assets: ReadonlyArray<{ id: number; key: string }>,
  functions: ReadonlyArray<FunctionGraphNode & { key: string }>,
): Visibility {
  if (!vantagesDown.length) return { checksBlind: [], assetsUnseen: [], functionsUnseen: [] };
  const down = new Set(vantagesDown);
  const enabled = checks.filter((c) => c.enabled);
  const blind = enabled.filter((c) => !checkKeepsQuorum(c, down));
  const seeing = new Set(enabled.filter((c) => !blind.includes(c)).map((c) => c.assetId));
  const checked = new Set(enabled.map((c) => c.assetId));
  const unseen = new Set(assets.filter((a) => checked.has(a.id) && !seeing.has(a.id)).map((a) => a.id));
  const outcomes = assessFunctions(functions, (assetId) => !unseen.has(assetId));
  return {
    checksBlind: blind.map((c) => c.key),
    assetsUnseen: assets.filter((a) => unseen.has(a.id)).map((a) => a.key),
    functionsUnseen: functions.filter((f) => outcomes.get(f.id)?.status === 'lost').map((f) => f.key),
  };
}
