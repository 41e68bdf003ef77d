// What the monitor holds in memory per check and per asset, kept small: one record per check
// (definition and flap-control state together), one flat node per asset, and equal values
// shared across rows. Only the monitor builds them.
import type { assets, assetStates, checks } from '../store/schema/index.js';
import type { AssetStatus, CheckKind, Criticality } from '../domain/enums.js';
import type { AssetFacts } from './check-runner.js';
import type { CheckState } from './check-state.js';
import { EMPTY_FLAP_HISTORY } from '../domain/flapping.js';
import type { CheckDefinition } from './check-definition.js';
import type { VoteMember } from './votes.js';

/** A check row as the fleet loader reads it: its settings as their stored JSON text. */
export type StoredCheckRow = Omit<typeof checks.$inferSelect, 'settings'> & { settings: string };

const SETTINGS_HELD_ELSEWHERE: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * One configured check: its definition and its flap-control state in a single object (the monitor
 * holds this and nothing else per check). It is what `definitions()` hands out as a
 * CheckDefinition; `checkState()` copies the state part.
 */
export class CheckRecord implements CheckDefinition, CheckState {
  readonly id: number;
  readonly key: string;
  readonly assetId: number;
  readonly kind: CheckKind;
  readonly enabled: boolean;
  readonly intervalSeconds: number | null;
  readonly cron: string | null;
  readonly timezone: string | null;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly settings: Record<string, unknown>;
  status: CheckState['status'] = 'unknown';
  message: string | null = null;
  streakStatus: CheckState['streakStatus'] = null;
  streakCount = 0;
  // Timestamps start as undefined/null, so V8 keeps these fields tagged and equal times share one
  // boxed number instead of a box per field per check.
  since: number;
  streakStartedAt: number;
  lastObservedAt: number | null = null;
  flap = EMPTY_FLAP_HISTORY;
  /** The next check of the same asset: an asset's checks are a list threaded through them. */
  nextOnAsset: CheckRecord | null = null;
  /** Each vantage's view when the check runs from several (votes.ts); null: the central monitor alone. */
  votes: VoteMember[] | null = null;
  /** Vantages that must see it down for it to be down. */
  quorum = 1;
  /** Whether the central monitor runs it (an agent-only check is run by the agents alone). */
  runsCentrally = true;

  /** `holdSettings` false: the check's runner reads its settings from the store (MonitorOptions). */
  constructor(row: StoredCheckRow, sharing: Sharing, now: number, holdSettings = true) {
    this.id = row.id;
    this.key = row.key;
    this.assetId = row.assetId;
    this.kind = sharing.string(row.kind);
    this.enabled = row.enabled;
    this.intervalSeconds = row.intervalSeconds;
    this.cron = sharing.string(row.cron);
    this.timezone = sharing.string(row.timezone);
    this.timeoutMs = row.timeoutMs;
    this.failureThreshold = row.failureThreshold;
    this.successThreshold = row.successThreshold;
    this.settings = holdSettings ? sharing.settingsOfJson(row.settings) : SETTINGS_HELD_ELSEWHERE;
    this.since = now;
    this.streakStartedAt = now;
  }
}

/** One asset, flat: its location and SLA figures sit on the node, so the node is its own AssetFacts. */
export class AssetNode implements AssetFacts {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  readonly kind: string;
  readonly criticality: Criticality;
  readonly linkFromAssetId: number | null;
  readonly linkToAssetId: number | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly altM: number | null;
  readonly slaLatencyMs: number | null;
  readonly slaJitterMs: number | null;
  readonly slaLossPct: number | null;
  status: AssetStatus;
  since: number;
  reason: string | null;
  /** The first of the asset's checks (see CheckRecord.nextOnAsset). */
  firstCheck: CheckRecord | null = null;

  constructor(row: typeof assets.$inferSelect, sharing: Sharing, stored: typeof assetStates.$inferSelect | undefined, now: number) {
    this.id = row.id;
    this.key = row.key;
    this.name = row.name;
    this.kind = sharing.string(row.kind);
    this.criticality = sharing.string(row.criticality);
    this.linkFromAssetId = row.linkFromAssetId;
    this.linkToAssetId = row.linkToAssetId;
    this.lat = row.lat;
    this.lon = row.lon;
    this.altM = row.altM;
    this.slaLatencyMs = row.slaLatencyMs;
    this.slaJitterMs = row.slaJitterMs;
    this.slaLossPct = row.slaLossPct;
    this.status = stored ? sharing.string(stored.status) : 'unknown';
    this.since = stored?.since ?? now;
    this.reason = stored?.reason ?? null;
  }
}

/**
 * Shares equal values loaded for many rows: enum-like strings (kinds, criticalities, methods) and
 * whole settings objects that are equal, and empty lists and maps inside settings. Lives for one
 * reload.
 */
export class Sharing {
  private strings = new Map<string, string>();
  private settings = new Map<string, Record<string, unknown>>();
  private static readonly EMPTY_ARRAY: readonly unknown[] = [];
  private static readonly EMPTY_OBJECT: Readonly<Record<string, unknown>> = {};

  string<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    this.strings.set(value, value);
    return value;
  }

  /** Settings from their stored JSON text: parsed once per distinct text (JSON.parse lays each object out in one go). */
  settingsOfJson(text: string): Record<string, unknown> {
    const known = this.settings.get(text);
    if (known) return known;
    const value = JSON.parse(text) as Record<string, unknown>;
    for (const name in value) {
      const v = value[name];
      if (Array.isArray(v) && v.length === 0) value[name] = Sharing.EMPTY_ARRAY;
      else if (typeof v === 'string' && v.length <= 16) value[name] = this.string(v);
      else if (v !== null && typeof v === 'object' && !Array.isArray(v) && isEmptyObject(v)) value[name] = Sharing.EMPTY_OBJECT;
    }
    this.settings.set(text, value);
    return value;
  }
}

function isEmptyObject(value: object): boolean {
  for (const _ in value) return false;
  return true;
}

export function copyState(from: CheckState, to: CheckState): CheckState {
  to.status = from.status;
  to.since = from.since;
  to.message = from.message;
  to.streakStatus = from.streakStatus;
  to.streakCount = from.streakCount;
  to.streakStartedAt = from.streakStartedAt;
  to.lastObservedAt = from.lastObservedAt;
  to.flap = from.flap;
  return to;
}
