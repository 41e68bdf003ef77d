import { sql, type SQL } from 'drizzle-orm';
import { externalAlerts } from '../../store/schema/index.js';
import type { AlertStatus } from './payload.js';

/** What a fingerprint's notification says happened, and when (ms; endsAt null while firing). */
export interface AlertMoment {
  status: AlertStatus;
  startsAt: number | null;
  endsAt: number | null;
}

/*
 * Notifications for one fingerprint are ordered by when things happened, not by arrival: two
 * Alertmanagers in HA (or a retried Grafana send) can deliver a firing after the resolved. A
 * notification happened at its end once resolved, at its start while firing; at the same instant
 * the resolved one is the later. So a firing that starts no later than the stored resolve ended
 * (or, without an end, started) is stale, and a new firing with a later start re-fires. Where
 * either side has no time, arrival decides, as before times were kept.
 * The rule is written twice: here to decide and report, and as SQL for the write itself, so two
 * deliveries racing each other cannot store the older one last.
 */
export function isStale(incoming: AlertMoment, stored: AlertMoment | undefined): boolean {
  const at = incoming.endsAt ?? incoming.startsAt;
  const storedAt = stored ? stored.endsAt ?? stored.startsAt : null;
  if (at === null || storedAt === null) return false;
  return at < storedAt || (at === storedAt && incoming.status === 'firing' && stored!.status === 'resolved');
}

/** isStale's negation for an upsert's `DO UPDATE … WHERE`: `excluded` is the incoming row. */
export function newerThanStored(): SQL {
  const at = sql`coalesce(excluded.ends_at, excluded.starts_at)`;
  const storedAt = sql`coalesce(${externalAlerts.endsAt}, ${externalAlerts.startsAt})`;
  return sql`(${at} is null or ${storedAt} is null or ${at} > ${storedAt} or (${at} = ${storedAt} and (excluded.status = 'resolved' or ${externalAlerts.status} = 'firing')))`;
}
