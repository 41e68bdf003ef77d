// TAXII 2.1 for CTI tools: discovery, the API root, the collections a partner may read and their
// objects (STIX 2.1). Resource shapes from the TAXII 2.1 specification (docs.oasis-open.org/cti/
// taxii/v2.1), as OASIS's reference server serves them (github.com/oasis-open/cti-taxii-server,
// medallion/views/discovery.py, collections.py, objects.py).
import { and, asc, eq } from 'drizzle-orm';
import { commitAtomically } from '../store/client.js';
import { events } from '../store/schema/index.js';
import { NotFoundError } from '../domain/errors.js';
import { eventFields } from '../domain/events.js';
import { auditStatements, type Crossing } from '../sharing/audit.js';
import { loadSharingDirectory } from '../sharing/directory.js';
import { collectionEntries, collectionId, pageOfEntries } from '../sharing/taxii-objects.js';
import type { ServiceContext } from './context.js';
import { partnerOfActor } from './partners.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
export const TAXII_API_ROOT_PATH = '/taxii2/api/';
/** The largest page, and the default. */
export const TAXII_MAX_PAGE = 500;

/** Cyber incidents first (the collection CTI tools look for), then every continuity incident. */
const COLLECTIONS = [
  { name: 'cyber-incidents', title: 'Cyber incidents', description: 'Incidents with a cyber cause, released to you, as STIX 2.1 incidents with the infrastructure they affect', cyberOnly: true },
  { name: 'incidents', title: 'Continuity incidents', description: 'Every incident released to you, as STIX 2.1 incidents with the infrastructure they affect', cyberOnly: false },
] as const;

export async function taxiiDiscovery(ctx: ServiceContext, organisation: string) {
  await partnerOfActor(ctx);
  return { title: `${organisation} TAXII`, description: 'Continuity incidents shared under TLP 2.0 and REL TO markings', default: TAXII_API_ROOT_PATH, api_roots: [TAXII_API_ROOT_PATH] };
}

export async function taxiiApiRoot(ctx: ServiceContext, organisation: string) {
  await partnerOfActor(ctx);
  return { title: `${organisation} shared incidents`, versions: [TAXII_MEDIA_TYPE], max_content_length: 0 };
}

export async function taxiiCollections(ctx: ServiceContext) {
  await partnerOfActor(ctx);
  return { collections: await Promise.all(COLLECTIONS.map(collectionView)) };
}

async function collectionView(c: (typeof COLLECTIONS)[number]) {
  return { id: await collectionId(c.name), title: c.title, description: c.description, can_read: true, can_write: false, media_types: [STIX_MEDIA_TYPE] };
}

export async function taxiiCollection(ctx: ServiceContext, id: string) {
  await partnerOfActor(ctx);
  return collectionView(await findCollection(id));
}

async function findCollection(id: string) {
  for (const c of COLLECTIONS) if ((await collectionId(c.name)) === id) return c;
  throw new NotFoundError('collection', id);
}

export interface TaxiiObjectsQuery {
  addedAfter?: number;
  limit: number;
  next?: { addedAt: number; id: string };
}

/** A page of the collection's objects released to the partner, each crossing audited; with the TAXII date headers' values. */
export async function taxiiObjects(ctx: ServiceContext, organisation: string, id: string, query: TaxiiObjectsQuery) {
  const partner = await partnerOfActor(ctx);
  const collection = await findCollection(id);
  const retractionRows = await ctx.db.select().from(events).where(and(eq(events.type, 'sharing.retracted'))).orderBy(asc(events.id));
  const retractions = retractionRows.flatMap((e) => {
    const f = eventFields(e.data);
    const countries = Array.isArray(e.data.countries) ? (e.data.countries as string[]) : [];
    return f.itemKind && f.itemKey && countries.includes(partner.country) ? [{ at: e.ts, kind: f.itemKind, key: f.itemKey }] : [];
  });
  const dir = await loadSharingDirectory(ctx.db);
  const entries = await collectionEntries(dir, partner.country, organisation, { cyberOnly: collection.cyberOnly, retractions });
  const { page, more } = pageOfEntries(entries, query);
  const crossings: Crossing[] = page.flatMap((e) => (e.crossing ? [e.crossing] : []));
  await commitAtomically(ctx.db, auditStatements(ctx.db, partner.id, 'taxii', ctx.now(), crossings));
  return { page, more };
}
