// Shared incidents as STIX 2.1 objects, for CTI tools (MISP, OpenCTI) reading TAXII 2.1. Built
// only from what release.ts lets cross. The object rules followed are those of OASIS's STIX 2.1
// JSON schemas (github.com/oasis-open/cti-stix2-json-schemas, schemas/common/core.json,
// identifier.json, timestamp.json, sdos/incident.json, identity.json, infrastructure.json,
// sros/relationship.json, common/marking-definition.json): ids `<type>--<UUID>`, spec_version
// 2.1, created/modified to the millisecond in UTC, custom properties prefixed x_ (and never
// `severity`, which core.json forbids on SDOs).
import type { Marking, TlpLevel } from '../domain/marking.js';
import { markingLabel } from '../domain/marking.js';
import type { SharedAsset, SharedIncident } from './release.js';

/**
 * The TLP 2.0 marking definitions OASIS fixes for STIX 2.1 (the TLP 2.0 extension,
 * github.com/oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0/
 * marking-definition.json): the same ids everywhere, so every CTI tool knows them.
 */
export const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const TLP2_MARKING_IDS: Record<TlpLevel, string> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};
/** The date OASIS gives the TLP 2.0 marking definitions (their examples in the same folder). */
const TLP2_CREATED = '2022-10-01T00:00:00.000Z';

/** A fixed namespace for this program's name-based (v5) UUIDs. */
const NAMESPACE = '0b0d1f3e-2c55-4d6b-9a7c-5e4f3a2b1c0d';

/** A name-based UUID (RFC 4122 version 5: SHA-1 of namespace and name), so an item keeps its STIX id. */
export async function uuidV5(name: string): Promise<string> {
  const ns = NAMESPACE.replace(/-/g, '').match(/../g)!.map((h) => parseInt(h, 16));
  const bytes = new Uint8Array([...ns, ...new TextEncoder().encode(name)]);
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes)).slice(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type StixObject = Record<string, unknown> & { type: string; id: string; modified?: string; created?: string };

const iso = (ms: number) => new Date(ms).toISOString();
const common = (type: string, id: string, createdBy: string, created: number, modified: number) => ({
  type, spec_version: '2.1', id, created_by_ref: createdBy, created: iso(created), modified: iso(Math.max(created, modified)),
});

/** This organisation, the `created_by_ref` of everything it shares. */
export async function organisationIdentity(organisation: string): Promise<StixObject> {
  const id = `identity--${await uuidV5(`identity/${organisation}`)}`;
  return { type: 'identity', spec_version: '2.1', id, created: iso(0), modified: iso(0), name: organisation, identity_class: 'organization', sectors: ['aerospace'] };
}

/** The marking-definition ids for a marking: its TLP 2.0 one, and a statement for REL TO. */
export async function markingRefs(marking: Marking): Promise<string[]> {
  const refs = [TLP2_MARKING_IDS[marking.tlp]];
  if (marking.relTo.length) refs.push(`marking-definition--${await uuidV5(`rel-to/${marking.relTo.join(',')}`)}`);
  return refs;
}

/** The marking-definition objects a set of markings refers to. */
export async function markingDefinitions(markings: readonly Marking[], createdBy: string): Promise<StixObject[]> {
  const out = new Map<string, StixObject>();
  for (const m of markings) {
    const tlpId = TLP2_MARKING_IDS[m.tlp];
    out.set(tlpId, {
      type: 'marking-definition', spec_version: '2.1', id: tlpId, created: TLP2_CREATED, name: `TLP:${m.tlp}`,
      extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: m.tlp.toLowerCase() } },
    });
    if (m.relTo.length) {
      const [, relId] = await markingRefs(m);
      const statement = markingLabel({ tlp: m.tlp, relTo: m.relTo }).replace(/^TLP:\S+ /, '');
      out.set(relId!, { type: 'marking-definition', spec_version: '2.1', id: relId!, created: iso(0), created_by_ref: createdBy, name: statement, definition_type: 'statement', definition: { statement } });
    }
  }
  return [...out.values()];
}

export async function infrastructureObject(asset: SharedAsset, createdBy: string, changedAt: number): Promise<StixObject> {
  return {
    ...common('infrastructure', `infrastructure--${await uuidV5(`asset/${asset.key}`)}`, createdBy, changedAt, changedAt),
    name: asset.name,
    x_coopwatch_key: asset.key,
    x_coopwatch_kind: asset.kind,
    object_marking_refs: await markingRefs(asset.marking!),
  };
}

export async function incidentObject(incident: SharedIncident, createdBy: string): Promise<StixObject> {
  const modified = Math.max(incident.openedAt, incident.resolvedAt ?? 0);
  return {
    ...common('incident', `incident--${incident.ref}`, createdBy, incident.openedAt, modified),
    name: incident.title,
    ...(incident.cyber ? { labels: ['cyber'] } : {}),
    x_coopwatch_state: incident.state,
    x_coopwatch_severity: incident.severity,
    x_coopwatch_started: iso(incident.startedAt),
    object_marking_refs: await markingRefs(incident.marking!),
  };
}

/** The incident affects the infrastructure (relationship_type is an open vocabulary; `impacts` as the Incident Core extension uses it). */
export async function impactsRelationship(incidentId: string, infrastructureId: string, createdBy: string, at: number, marking: Marking): Promise<StixObject> {
  return {
    ...common('relationship', `relationship--${await uuidV5(`impacts/${incidentId}/${infrastructureId}`)}`, createdBy, at, at),
    relationship_type: 'impacts', source_ref: incidentId, target_ref: infrastructureId,
    object_marking_refs: await markingRefs(marking),
  };
}

/** A shared object withdrawn: the same id, revoked, and nothing of the item (its name included) now that it may not cross. */
export function revokedObject(type: 'incident' | 'infrastructure', id: string, createdBy: string, at: number): StixObject {
  return { ...common(type, id, createdBy, at, at), name: 'Withdrawn by its creator', revoked: true };
}
