import { ok, type TestApp } from '../helpers.js';

export const TAXII = 'application/taxii+json;version=2.1';

/** A TAXII GET as a CTI tool sends it. */
export function taxiiGet(t: TestApp, url: string, token: string) {
  return t.call('GET', url, { token, headers: { accept: TAXII } });
}

/** Every object of a collection, following `next` page by page. */
export async function allObjects(t: TestApp, token: string, collectionId: string, limit = 500): Promise<any[]> {
  const objects: any[] = [];
  let next: string | undefined;
  do {
    const page = await ok(taxiiGet(t, `/taxii2/api/collections/${collectionId}/objects/?limit=${limit}${next ? `&next=${encodeURIComponent(next)}` : ''}`, token));
    objects.push(...page.objects);
    next = page.more ? page.next : undefined;
  } while (next);
  return objects;
}

export async function collectionIds(t: TestApp, token: string): Promise<string[]> {
  return (await ok(taxiiGet(t, '/taxii2/api/collections/', token))).collections.map((c: { id: string }) => c.id);
}
