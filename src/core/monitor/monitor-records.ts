// What the monitor holds in memory per check and per asset, kept small: one record per check
// (definition and flap-control state together), one flat node per asset, and equal values
// shared across rows. Only the monitor builds them.
import type { assets, assetStates, checks } from '../store/schema/index.js';
import type { AssetStatus, CheckKind, Criticality } from '../domain/enums.js';
import type { AssetFacts } from './check-runner.js';
import type { CheckState } from './check-state.js';
import { EMPTY_FLAP_HISTORY } from '../domain/flapping.js';
import type { CheckDefinition, ProbeDefinition } from './check-definition.js';
import type { VotePanel } from './votes.js';

/** A check row as the fleet loader reads it: its settings as their stored JSON text. */
export type StoredCheckRow = Omit<typeof checks.$inferSelect, 'settings'> & { settings: string };

const SETTINGS_HELD_ELSEWHERE: Readonly<Record<string, unknown>> = Object.freeze({});

/** What most checks have in common with many others: one object per distinct combination (Sharing.profile). */
export interface CheckProfile {
  readonly kind: CheckKind;
  readonly enabled: boolean;
  readonly intervalSeconds: number | null;
  readonly cron: string | null;
  readonly timezone: string | null;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

/**
 * A check whose shared parts sit in its profile, read through getters: eight fields a check fewer
 * (memory per configured check counts at 100,000 checks). Spread copies miss the getters; copy
 * one with plainDefinition.
 */
abstract class ProfiledCheck {
  abstract readonly profile: CheckProfile;
  get kind(): CheckKind {
    return this.profile.kind;
  }
  get enabled(): boolean {
    return this.profile.enabled;
  }
  get intervalSeconds(): number | null {
    return this.profile.intervalSeconds;
  }
  get cron(): string | null {
    return this.profile.cron;
  }
  get timezone(): string | null {
    return this.profile.timezone;
  }
  get timeoutMs(): number {
    return this.profile.timeoutMs;
  }
  get failureThreshold(): number {
    return this.profile.failureThreshold;
  }
  get successThreshold(): number {
    return this.profile.successThreshold;
  }
}

/** A probe thread's copy of a check: only what its scheduler and probe read. */
export class ProbeCopy extends ProfiledCheck implements ProbeDefinition {
  constructor(readonly id: number, readonly assetId: number, readonly profile: CheckProfile, readonly settings: Record<string, unknown>) {
    super();
  }
}

/**
 * One configured check: its definition and its flap-control state in a single object (the monitor
 * holds this and nothing else per check). It is what `definitions()` hands out as a
 * CheckDefinition; `checkState()` copies the state part.
 */
export class CheckRecord extends ProfiledCheck implements CheckDefinition, CheckState {
  readonly id: number;
  readonly key: string;
  readonly assetId: number;
  readonly profile: CheckProfile;
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
  /** Its vantages' views when the check runs from several (votes.ts); null: the central monitor alone. */
  votes: VotePanel | null = null;

  /** `holdSettings` false: the check's runner reads its settings from the store (MonitorOptions). */
  constructor(row: StoredCheckRow, sharing: Sharing, now: number, holdSettings = true) {
    super();
    this.id = row.id;
    this.key = row.key;
    this.assetId = row.assetId;
    this.profile = sharing.profile(row);
    this.settings = holdSettings ? sharing.settingsOfJson(row.settings) : SETTINGS_HELD_ELSEWHERE;
    this.since = now;
    this.streakStartedAt = now;
  }
}

/**
 * One asset, flat. Its location and SLA figures, which only link and contact probes read, are held
 * (as `facts`) only for an asset that has such a check.
 */
export class AssetNode {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  readonly kind: string;
  readonly criticality: Criticality;
  readonly linkFromAssetId: number | null;
  readonly linkToAssetId: number | null;
  facts: AssetFacts | null = null;
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
  private profiles = new Map<string, CheckProfile>();
  private static readonly EMPTY_ARRAY: readonly unknown[] = [];
  private static readonly EMPTY_OBJECT: Readonly<Record<string, unknown>> = {};

  string<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    this.strings.set(value, value);
    return value;
  }

  profile(of: CheckProfile): CheckProfile {
    const { kind, enabled, intervalSeconds, cron, timezone, timeoutMs, failureThreshold, successThreshold } = of;
    const key = `${kind}\0${enabled}\0${intervalSeconds}\0${cron}\0${timezone}\0${timeoutMs}\0${failureThreshold}\0${successThreshold}`;
    const known = this.profiles.get(key);
    if (known) return known;
    const profile = { kind: this.string(kind), enabled, intervalSeconds, cron: this.string(cron), timezone: this.string(timezone), timeoutMs, failureThreshold, successThreshold };
    this.profiles.set(key, profile);
    return profile;
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
