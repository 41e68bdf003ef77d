import * as contact from '../../../checks/contact.js';
import * as dns from '../../../checks/dns.js';
import * as http from '../../../checks/http.js';
import * as link from '../../../checks/link.js';
import * as push from '../../../checks/push.js';
import * as tcp from '../../../checks/tcp.js';
import * as tls from '../../../checks/tls.js';
import type { ProbeContext } from '../../../checks/types.js';
import type {
  ContactSettings, DnsSettings, HttpSettings, LinkSettings, PushSettings, TcpSettings, TlsSettings,
} from '../domain/checks.js';
import { DEFAULT_INTERVAL_SECONDS } from '../domain/checks.js';
import type { CheckOutcome, MissedContact, ProbeDefinition } from './check-definition.js';
import type { PassCalendar } from './pass-calendar.js';

export interface AssetFacts {
  key: string;
  lat: number | null;
  lon: number | null;
  altM: number | null;
  /** A link's SLA figures (null: none set). */
  slaLatencyMs: number | null;
  slaJitterMs: number | null;
  slaLossPct: number | null;
}

export interface CheckRunnerDeps {
  probeContext(signal: AbortSignal): ProbeContext;
  readHeartbeat(checkId: number): Promise<push.PushTarget['heartbeat']>;
  /** Alerts firing now for the asset, from Alertmanager. */
  firingAlerts(assetId: number): Promise<Array<{ alertName: string; summary: string | null }>>;
  asset(assetId: number): AssetFacts | undefined;
  passes: PassCalendar;
  now(): number;
  /**
   * Each contact check's current pass and whether contact was made in it (default: in memory). A
   * host whose process may be evicted mid-pass (a Workers shard) keeps it in durable storage, so
   * the pass still reports missed after the restart.
   */
  contacts?: ContactLog;
}

export interface TrackedPass {
  pass: contact.ContactTarget['pass'];
  contacted: boolean;
}

/** Satisfied by a Map. */
export interface ContactLog {
  get(checkId: number): TrackedPass | undefined;
  set(checkId: number, tracked: TrackedPass): unknown;
  delete(checkId: number): unknown;
}

/** Runs one check of any kind: picks its probe and gives it its target. */
export function createCheckRunner(deps: CheckRunnerDeps) {
  const contacts: ContactLog = deps.contacts ?? new Map<number, TrackedPass>();

  const runContact = async (def: ProbeDefinition, settings: ContactSettings, ctx: ProbeContext): Promise<CheckOutcome> => {
    const station = deps.asset(def.assetId);
    if (!station || station.lat === null || station.lon === null) {
      return { status: 'down', latencyMs: null, message: 'the station has no location, so its passes cannot be predicted' };
    }
    const now = deps.now();
    const location = { lat: station.lat, lon: station.lon, altM: station.altM ?? 0 };
    const pass = deps.passes.currentPass(station.key, location, settings.satellites, settings.elevationMaskDeg, now);
    const tracked = contacts.get(def.id);
    if (!pass) {
      // Between passes the antenna may be idle: the check is, too. A pass run through without contact is reported once.
      if (tracked && tracked.pass.losMs <= now) contacts.delete(def.id);
      const ended = tracked && tracked.pass.losMs <= now && !tracked.contacted ? tracked.pass : null;
      return { status: 'idle', latencyMs: null, missed: ended && { ...ended, message: missedContactMessage(ended) } };
    }
    const current = { satelliteKey: pass.satelliteKey, aosMs: pass.aosMs, losMs: pass.losMs };
    // The same pass if it overlaps the tracked one: a pass predicted again (another process, a
    // refreshed calendar) has its AOS a few ms off.
    const same = tracked && tracked.pass.satelliteKey === pass.satelliteKey && tracked.pass.aosMs < pass.losMs && pass.aosMs < tracked.pass.losMs;
    const entry = same ? tracked : { pass: current, contacted: false };
    if (entry !== tracked) contacts.set(def.id, entry);
    const observation = await contact.run({ url: settings.url, pass: current }, ctx);
    if (observation.status === 'up' && !entry.contacted) contacts.set(def.id, { ...entry, contacted: true });
    return observation;
  };

  return async function runCheck(def: ProbeDefinition, signal: AbortSignal): Promise<CheckOutcome> {
    const ctx = deps.probeContext(signal);
    const settings = def.settings;
    switch (def.kind) {
      case 'http':
        return http.run(settings as HttpSettings, ctx);
      case 'tcp':
        return tcp.run(settings as TcpSettings, ctx);
      case 'dns':
        return dns.run(settings as DnsSettings, ctx);
      case 'tls':
        return tls.run(settings as TlsSettings, ctx);
      case 'link': {
        const asset = deps.asset(def.assetId);
        const sla = { latencyMs: asset?.slaLatencyMs ?? null, jitterMs: asset?.slaJitterMs ?? null, lossPct: asset?.slaLossPct ?? null };
        return link.run({ ...(settings as LinkSettings), sla, timeoutMs: def.timeoutMs }, ctx);
      }
      case 'push': {
        const { graceSeconds } = settings as PushSettings;
        const windowMs = ((def.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) + (graceSeconds ?? 10)) * 1000;
        return push.run({ heartbeat: await deps.readHeartbeat(def.id), windowMs }, ctx);
      }
      case 'contact':
        return runContact(def, settings as ContactSettings, ctx);
      case 'external': {
        const firing = await deps.firingAlerts(def.assetId);
        if (!firing.length) return { status: 'up', latencyMs: null, message: null };
        const names = firing.map((a) => (a.summary ? `${a.alertName}: ${a.summary}` : a.alertName));
        return { status: 'down', latencyMs: null, message: `alerts firing: ${names.join('; ').slice(0, 500)}` };
      }
    }
  };
}

function missedContactMessage(pass: Omit<MissedContact, 'message'>): string {
  const span = `${new Date(pass.aosMs).toISOString().slice(11, 16)}–${new Date(pass.losMs).toISOString().slice(11, 16)} UTC`;
  return `missed contact: no contact with ${pass.satelliteKey} during its pass ${span}`;
}
