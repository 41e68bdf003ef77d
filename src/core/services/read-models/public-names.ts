import type { Db } from '../../store/client.js';
import { assets, missionFunctions, type StatusPageComponentRow } from '../../store/schema/index.js';

/** Rewrites free text (an officer's update, a maintenance title) for the public. */
export type Scrub = (text: string) => string;

const unchanged: Scrub = (text) => text;

/**
 * Replaces the names and keys of every asset and function the page does not list with a neutral
 * phrase, so an officer's update or a maintenance title cannot reveal them. A name that is part of
 * one of the page's own public names is left (the page shows it anyway). Reads nothing when there
 * is no text to scrub.
 */
export async function publicNameScrubber(
  db: Db,
  rows: StatusPageComponentRow[],
  components: Array<{ name: string; group: string | null }>,
  hasText: boolean,
): Promise<Scrub> {
  if (!hasText) return unchanged;
  const listedAssets = new Set(rows.flatMap((r) => (r.assetId !== null ? [r.assetId] : [])));
  const listedFunctions = new Set(rows.flatMap((r) => (r.functionId !== null ? [r.functionId] : [])));
  const [assetRows, functionRows] = await Promise.all([
    db.select({ id: assets.id, key: assets.key, name: assets.name }).from(assets),
    db.select({ id: missionFunctions.id, key: missionFunctions.key, name: missionFunctions.name }).from(missionFunctions),
  ]);
  const publicText = components.map((c) => `${c.name}\n${c.group ?? ''}`).join('\n').toLowerCase();
  const secrets = [
    ...assetRows.filter((a) => !listedAssets.has(a.id)),
    ...functionRows.filter((f) => !listedFunctions.has(f.id)),
  ]
    .flatMap((r) => [r.name, r.key])
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !publicText.includes(s.toLowerCase()));
  const unique = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  if (!unique.length) return unchanged;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${unique.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text) => text.replace(pattern, 'an internal system');
}
