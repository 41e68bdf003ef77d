// What the secret scans share: records carrying distinctive secrets of every kind (a push token,
// HTTP check and drill hook header values, a webhook secret and routing key), and every secret
// stored in the database, read straight from the rows, so a secret of any record is looked for.
import type Database from 'better-sqlite3';
import { checkCreateSchema } from '../../../src/core/domain/checks.js';
import { drillInputSchema } from '../../../src/core/domain/drills.js';
import { webhookCreateSchema } from '../../../src/core/outbox/schemas.js';
import { createCheck } from '../../../src/core/services/checks.js';
import type { ServiceContext } from '../../../src/core/services/context.js';
import { createDrill } from '../../../src/core/services/drills.js';
import { createWebhook } from '../../../src/core/services/webhooks.js';

export const SEEDED = {
  pushToken: 'seededPushToken_SECRET_0001',
  httpHeader: 'Bearer seeded-http-header-SECRET',
  injectHeader: 'seeded-inject-header-SECRET',
  rollbackHeader: 'seeded-rollback-header-SECRET',
  webhookSecret: 'whsec_' + Buffer.alloc(32, 7).toString('base64'),
  // A PagerDuty routing key is 32 characters.
  routingKey: 'seeded-routing-key-SECRET-000000',
};

export interface SecretRecords {
  pushCheckId: number;
  httpCheckId: number;
  drillId: number;
  webhookId: number;
  /** Every answer that created one of them: the only ones allowed to show it. */
  creationAnswers: string[];
}

/** Creates one record of each kind that holds a secret, on the given asset. */
export async function seedSecretRecords(ctx: ServiceContext, assetId: number, suffix = ''): Promise<SecretRecords> {
  const push = await createCheck(ctx, checkCreateSchema.parse({ key: `seeded-push${suffix}`, assetId, kind: 'push', push: { token: SEEDED.pushToken + suffix } }));
  const http = await createCheck(
    ctx,
    checkCreateSchema.parse({ key: `seeded-http${suffix}`, assetId, kind: 'http', http: { url: 'https://station.example/health', headers: { Authorization: SEEDED.httpHeader + suffix } } }),
  );
  const hook = (header: string) => ({ url: 'https://chaos.example/{assetKey}', headers: { 'X-Api-Key': header + suffix } });
  const drill = await createDrill(
    ctx,
    drillInputSchema.parse({ key: `seeded-drill${suffix}`, name: 'Seeded live drill', targetAssetIds: [assetId], mode: 'live', injectHook: hook(SEEDED.injectHeader), rollbackHook: hook(SEEDED.rollbackHeader) }),
  );
  const webhook = await createWebhook(
    ctx,
    webhookCreateSchema.parse({ url: 'https://hooks.example.com/seeded', events: ['asset.down'], format: 'pagerduty', secret: SEEDED.webhookSecret, routingKey: SEEDED.routingKey.slice(0, 32 - suffix.length) + suffix }),
    { allowPrivate: false },
  );
  return { pushCheckId: push.id, httpCheckId: http.id, drillId: drill.id, webhookId: webhook.id, creationAnswers: [push, http, drill, webhook].map((a) => JSON.stringify(a)) };
}

/** Every secret value stored in the database (webhook secrets also without their `whsec_` prefix). */
export function storedSecrets(client: Database.Database): string[] {
  const secrets: string[] = [];
  const headerValues = (json: string | null) => Object.values((json ? (JSON.parse(json) as { headers?: Record<string, string> }) : {}).headers ?? {});
  for (const row of client.prepare('select push_token, settings from checks').all() as Array<{ push_token: string | null; settings: string }>) {
    if (row.push_token) secrets.push(row.push_token);
    secrets.push(...headerValues(row.settings));
  }
  for (const row of client.prepare('select inject_hook, rollback_hook from drills').all() as Array<{ inject_hook: string | null; rollback_hook: string | null }>) {
    secrets.push(...headerValues(row.inject_hook), ...headerValues(row.rollback_hook));
  }
  for (const row of client.prepare('select secret, previous_secret, routing_key from webhooks').all() as Array<Record<string, string | null>>) {
    for (const value of Object.values(row)) if (value) secrets.push(value, value.replace(/^whsec_/, ''));
  }
  return [...new Set(secrets)];
}

/** The secrets an answer shows, as `label: secret` lines (none expected). */
export function leaks(label: string, body: string, secrets: string[]): string[] {
  return secrets.filter((secret) => body.includes(secret)).map((secret) => `${label}: shows ${secret}`);
}
