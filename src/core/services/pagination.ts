import { InvalidInputError } from '../domain/errors.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cursors are opaque to clients: the last id seen, encoded. */
export function encodeCursor(lastId: number): string {
  return btoa(`id:${lastId}`).replace(/=+$/, '');
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  let decoded = '';
  try {
    decoded = atob(cursor);
  } catch {
    // fall through to the error below
  }
  const match = /^id:(\d{1,15})$/.exec(decoded);
  if (!match) throw new InvalidInputError([{ path: 'cursor', message: 'not a cursor this API returned', location: 'query' }]);
  return Number(match[1]);
}

/** Given `limit + 1` rows, returns the page and the cursor for the next one. */
export function toPage<R extends { id: number }, T>(rows: R[], limit: number, view: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(view), nextCursor: more && last ? encodeCursor(last.id) : null };
}
