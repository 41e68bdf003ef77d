import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { commitAtomically, type Db } from '../store/client.js';
import { assets, maintenanceWindows, type MaintenanceWindowRow } from '../store/schema/index.js';
import { cronSchema, timezoneSchema } from '../domain/checks.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors.js';
import { keySchema } from '../domain/inventory.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import { maintenanceActive } from '../domain/schedules.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { idsIn } from '../store/ids.js';
import { applyPatch, patchSchemaOf } from '../domain/patch.js';

/** One-off (startsAt..endsAt) or recurring (cron in a time zone, each occurrence durationMinutes long). */
export const maintenanceInputSchema = z
  .strictObject({
    key: keySchema,
    title: z.string().trim().min(1).max(200),
    assetIds: z.array(z.number().int().positive()).min(1).max(10_000),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    cron: cronSchema.optional(),
    timezone: timezoneSchema.optional(),
    durationMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
  })
  .superRefine((w, ctx) => {
    const oneOff = w.startsAt !== undefined || w.endsAt !== undefined;
    if (oneOff && w.cron !== undefined) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give startsAt/endsAt or cron, not both' });
    if (!oneOff && w.cron === undefined) ctx.addIssue({ code: 'custom', path: ['startsAt'], message: 'give startsAt and endsAt, or cron and durationMinutes' });
    if (oneOff && (w.startsAt === undefined || w.endsAt === undefined)) ctx.addIssue({ code: 'custom', path: [w.startsAt ? 'endsAt' : 'startsAt'], message: 'a one-off window needs both startsAt and endsAt' });
    if (w.startsAt && w.endsAt && Date.parse(w.endsAt) <= Date.parse(w.startsAt)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    if (w.cron !== undefined && w.durationMinutes === undefined) ctx.addIssue({ code: 'custom', path: ['durationMinutes'], message: 'a recurring window needs durationMinutes' });
  });
export type MaintenanceInput = z.infer<typeof maintenanceInputSchema>;

/** PATCH: any field but the key; `null` clears (switching a window between one-off and recurring). */
export const maintenancePatchSchema = patchSchemaOf(maintenanceInputSchema.shape, ['key']);

export function maintenanceView(row: MaintenanceWindowRow, now: number) {
  const active = maintenanceActive(row, now);
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    assetIds: row.assetIds,
    startsAt: isoTime(row.startsAt),
    endsAt: isoTime(row.endsAt),
    cron: row.cron,
    timezone: row.timezone,
    durationMinutes: row.durationMinutes,
    active,
  };
}

export async function listMaintenance(ctx: ServiceContext) {
  authorize(ctx.actor, 'read');
  const rows = await ctx.db.select().from(maintenanceWindows).orderBy(asc(maintenanceWindows.id));
  return rows.map((row) => maintenanceView(row, ctx.now()));
}

async function checkAssets(db: Db, ids: number[]) {
  const found = new Set((await db.select({ id: assets.id }).from(assets).where(idsIn(assets.id, ids))).map((r) => r.id));
  const missing = ids.map((id, i) => ({ id, i })).filter(({ id }) => !found.has(id));
  if (missing.length) throw new UnprocessableError(missing.map(({ id, i }) => ({ path: `assetIds.${i}`, message: `no asset with id ${id}` })));
}

export async function createMaintenance(ctx: ServiceContext, input: MaintenanceInput) {
  authorize(ctx.actor, 'manageInventory');
  await checkAssets(ctx.db, input.assetIds);
  const [taken] = await ctx.db.select({ id: maintenanceWindows.id }).from(maintenanceWindows).where(eq(maintenanceWindows.key, input.key));
  if (taken) throw new ConflictError(`A maintenance window with key "${input.key}" already exists`, [{ path: 'key', message: 'already in use' }]);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.insert(maintenanceWindows).values({ key: input.key, ...windowColumns(input), createdAt: now, updatedAt: now }),
    recordEvent(ctx, {
      type: 'maintenance.created',
      subjectKind: 'maintenance',
      subjectId: sql`(select id from maintenance_windows where key = ${input.key})`,
      subjectKey: input.key,
      data: { title: input.title, assetIds: input.assetIds },
    }),
  ]);
  const [row] = await ctx.db.select().from(maintenanceWindows).where(eq(maintenanceWindows.key, input.key));
  return maintenanceView(row!, now);
}

function windowColumns(input: MaintenanceInput) {
  return {
    title: input.title,
    assetIds: [...new Set(input.assetIds)],
    startsAt: input.startsAt ? Date.parse(input.startsAt) : null,
    endsAt: input.endsAt ? Date.parse(input.endsAt) : null,
    cron: input.cron ?? null,
    timezone: input.cron ? (input.timezone ?? null) : null,
    durationMinutes: input.cron ? (input.durationMinutes ?? null) : null,
  };
}

async function loadWindow(db: Db, id: number): Promise<MaintenanceWindowRow> {
  const [row] = await db.select().from(maintenanceWindows).where(eq(maintenanceWindows.id, id));
  if (!row) throw new NotFoundError('maintenance window', id);
  return row;
}

/** Changes the fields the patch names; the window that results is checked whole, as a new one. */
export async function updateMaintenance(ctx: ServiceContext, id: number, patch: Record<string, unknown>) {
  authorize(ctx.actor, 'manageInventory');
  const row = await loadWindow(ctx.db, id);
  const current = { ...maintenanceView(row, ctx.now()), id: undefined, active: undefined };
  const input = applyPatch(maintenanceInputSchema, current, patch);
  await checkAssets(ctx.db, input.assetIds);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.update(maintenanceWindows).set({ ...windowColumns(input), updatedAt: now }).where(eq(maintenanceWindows.id, id)),
    recordEvent(ctx, { type: 'maintenance.updated', subjectKind: 'maintenance', subjectId: id, subjectKey: row.key, data: { changed: Object.keys(patch) } }),
  ]);
  return maintenanceView(await loadWindow(ctx.db, id), now);
}

export async function deleteMaintenance(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'manageInventory');
  const row = await loadWindow(ctx.db, id);
  await commitAtomically(ctx.db, [
    ctx.db.delete(maintenanceWindows).where(eq(maintenanceWindows.id, id)),
    recordEvent(ctx, { type: 'maintenance.deleted', subjectKind: 'maintenance', subjectId: id, subjectKey: row.key }),
  ]);
}
