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

/** A TAXII 2.1 error resource (§3.6.1) in the TAXII media type, with this status; answers it. */
export function expectTaxiiError(res: { status: number; body: any; headers: Headers }, status: number): { title: string; description?: string; error_code?: string; http_status?: string; details?: Record<string, string> } {
  if (res.status !== status) throw new Error(`expected status ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  if (res.headers.get('content-type') !== TAXII) throw new Error(`an error in ${res.headers.get('content-type')}, not ${TAXII}`);
  const e = res.body;
  if (typeof e?.title !== 'string' || !e.title || e.http_status !== String(status) || 'error' in e) throw new Error(`not a TAXII error resource: ${JSON.stringify(e)}`);
  return e;
}
