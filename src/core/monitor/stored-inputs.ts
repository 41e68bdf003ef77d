// What push and Alertmanager checks judge, read from the database at each run: the last heartbeat
// a pushing asset sent, and the alerts firing for an asset.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { externalAlerts, pushHeartbeats } from '../store/schema/index.js';
import type { CheckRunnerDeps } from './check-runner.js';

export function storedCheckInputs(db: Db): Pick<CheckRunnerDeps, 'readHeartbeat' | 'firingAlerts'> {
  return {
    readHeartbeat: async (checkId) => {
      const [row] = await db.select().from(pushHeartbeats).where(eq(pushHeartbeats.checkId, checkId));
      return row ? { at: row.at, status: row.status, message: row.message, metrics: row.metrics } : null;
    },
    firingAlerts: (assetId) =>
      db.select({ alertName: externalAlerts.alertName, summary: externalAlerts.summary }).from(externalAlerts)
        .where(and(eq(externalAlerts.assetId, assetId), eq(externalAlerts.status, 'firing'))),
  };
}
