// The STIX objects of a TAXII collection as a partner may see them, and their paging by date added
// (TAXII 2.1, section 3.4 / 5.4: added_after, limit, next; github.com/oasis-open/cti-taxii-server,
// medallion/backends/memory_backend.py shows the same envelope: more, next, objects).
import type { Marking } from '../domain/marking.js';
import { mayRelease, sharedAsset, sharedIncident, type SharedIncident, type SharingDirectory } from './release.js';
import { impactsRelationship, incidentObject, infrastructureObject, markingDefinitions, organisationIdentity, revokedObject, uuidV5, type StixObject } from './stix.js';

/** An object with the time it was added to the collection (its last change). */
export interface CollectionEntry {
  addedAt: number;
  object: StixObject;
  /** What crossed, for the audit. */
  crossing?: { kind: 'asset' | 'incident'; key: string; marking: Marking | null; retracted?: boolean };
}

export interface Retraction {
  at: number;
  kind: string;
  key: string;
}

/** Every object of the collection released to `country`, oldest first (ties by id). */
export async function collectionEntries(
  dir: SharingDirectory, country: string, organisation: string, options: { cyberOnly: boolean; retractions: readonly Retraction[] },
): Promise<CollectionEntry[]> {
  const identity = await organisationIdentity(organisation);
  const by = identity.id;
  const incidents = [...dir.incident.keys()].flatMap((ref) => sharedIncident(dir, ref, country) ?? []).filter((i) => i.cyber || !options.cyberOnly);
  const entries: CollectionEntry[] = [{ addedAt: 0, object: identity }];
  const infrastructure = new Map<string, CollectionEntry>();
  for (const incident of incidents) entries.push(...(await incidentEntries(dir, incident, country, by, infrastructure)));
  entries.push(...infrastructure.values());
  const markings = entries.flatMap((e) => (e.crossing?.marking ? [e.crossing.marking] : []));
  entries.push(...(await markingDefinitions(markings, by)).map((object) => ({ addedAt: 0, object })));
  for (const r of options.retractions) {
    if (r.kind === 'incident' && !mayRelease(dir, 'incident', r.key, country)) {
      entries.push({ addedAt: r.at, object: revokedObject('incident', `incident--${r.key}`, by, r.at), crossing: { kind: 'incident', key: r.key, marking: null, retracted: true } });
    }
  }
  return entries.sort((a, b) => a.addedAt - b.addedAt || a.object.id.localeCompare(b.object.id));
}

async function incidentEntries(dir: SharingDirectory, incident: SharedIncident, country: string, by: string, infrastructure: Map<string, CollectionEntry>) {
  const object = await incidentObject(incident, by);
  const addedAt = Date.parse(object.modified!);
  const entries: CollectionEntry[] = [{ addedAt, object, crossing: { kind: 'incident', key: incident.ref, marking: incident.marking } }];
  for (const key of incident.assetKeys) {
    const asset = sharedAsset(dir, key, country)!;
    const changedAt = Date.parse(asset.statusSince ?? object.created!);
    const infra = await infrastructureObject(asset, by, changedAt);
    const known = infrastructure.get(infra.id);
    if (!known || known.addedAt < changedAt) infrastructure.set(infra.id, { addedAt: changedAt, object: infra, crossing: { kind: 'asset', key, marking: asset.marking } });
    entries.push({ addedAt, object: await impactsRelationship(object.id, infra.id, by, addedAt, incident.marking!) });
  }
  return entries;
}

/** Where a page ends: the date added and id of its last object, opaque to clients. */
export function encodeNext(entry: CollectionEntry): string {
  return btoa(`${entry.addedAt}|${entry.object.id}`).replace(/=+$/, '');
}

export function decodeNext(next: string): { addedAt: number; id: string } | null {
  try {
    const [ms, id] = atob(next).split('|');
    return ms && id && /^\d+$/.test(ms) ? { addedAt: Number(ms), id } : null;
  } catch {
    return null;
  }
}

/** One page: objects added after `addedAfter` (ms) and after `next`, at most `limit`. */
export function pageOfEntries(entries: readonly CollectionEntry[], query: { addedAfter?: number; limit: number; next?: { addedAt: number; id: string } }) {
  const after = (e: CollectionEntry) =>
    (query.addedAfter === undefined || e.addedAt > query.addedAfter) &&
    (!query.next || e.addedAt > query.next.addedAt || (e.addedAt === query.next.addedAt && e.object.id.localeCompare(query.next.id) > 0));
  const remaining = entries.filter(after);
  const page = remaining.slice(0, query.limit);
  return { page, more: remaining.length > page.length };
}

/** A collection's stable id (TAXII collection ids are UUIDs). */
export const collectionId = (name: string) => uuidV5(`taxii-collection/${name}`);
