import { ROLES, type Role } from './enums.js';
import { ForbiddenError } from './errors.js';

/** Who may do what. One table: routes and services both consult it. */
export const PERMISSIONS = {
  read: 'viewer',
  /** The sharing feed and TAXII: partner tokens only, not the roles above (what is shared is a partner's own view). */
  readShared: 'partner',
  handleIncidents: 'officer',
  planExercises: 'planner',
  manageInventory: 'admin',
  manageTokens: 'admin',
  manageIntegrations: 'admin',
  manageSharing: 'admin',
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof PERMISSIONS;

export interface Actor {
  /** Shown in events and audit trails: `token:<name>` or `system`. */
  name: string;
  role: Role;
  tokenId: number | null;
  /** A `probe` token's vantage (its id): the one assignment it reads and results it posts. */
  vantageId?: number | null;
  /** A `partner` token's partner (its id): what it reads is released to that partner's country. */
  partnerId?: number | null;
}

export const SYSTEM_ACTOR: Actor = { name: 'system', role: 'admin', tokenId: null };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** Permissions of one role alone, not of the roles above it. */
const ONLY_ROLE: ReadonlySet<Permission> = new Set(['readShared']);

export function authorize(actor: Actor, permission: Permission): void {
  const needed = PERMISSIONS[permission];
  if (ONLY_ROLE.has(permission) ? actor.role !== needed : !roleAtLeast(actor.role, needed)) {
    const only = ONLY_ROLE.has(permission) ? ' token only' : ' role';
    throw new ForbiddenError(`This needs the ${needed}${only}; the token has ${actor.role}`);
  }
}
