// TAXII 2.1 at /taxii2/ (discovery) with the API root /taxii2/api/, read by partner tokens.
// Every answer is `application/taxii+json;version=2.1`, errors as TAXII error resources
// (errors.ts); a request that does not accept it is refused with 406, as the TAXII 2.1 specification (section 1.6.8) and OASIS's reference server
// (github.com/oasis-open/cti-taxii-server, medallion/views/__init__.py) do.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError, ForbiddenError, InvalidInputError } from '../../core/domain/errors.js';
import { decodeNext, encodeNext } from '../../core/sharing/taxii-objects.js';
import {
  STIX_MEDIA_TYPE, TAXII_MAX_PAGE, TAXII_MEDIA_TYPE, taxiiApiRoot, taxiiCollection, taxiiCollections, taxiiDiscovery, taxiiObjects,
} from '../../core/services/taxii.js';
import { requires } from '../middleware/auth.js';
import { createRouter, serviceContext, type AppEnv } from '../env.js';
import { errorResponses, security } from '../api/openapi.js';

const tags = ['TAXII 2.1'];

/** Accept must name the TAXII media type (with version 2.1, or no version). */
const acceptsTaxii = createMiddleware<AppEnv>(async (c, next) => {
  const accepted = (c.req.header('accept') ?? '').replace(/\s+/g, '').split(',');
  const ok = accepted.some((item) => /^application\/taxii\+json(;version=2\.1)?$/i.test(item));
  if (ok) return next();
  const error = { code: 'not_acceptable', message: `Send Accept: ${TAXII_MEDIA_TYPE}`, details: [{ path: 'accept', message: `must be ${TAXII_MEDIA_TYPE}`, location: 'header' }] };
  return c.json({ error }, 406);
});

const taxii = (description: string) => ({ description, content: { 'application/taxii+json;version=2.1': { schema: z.record(z.string(), z.unknown()).openapi({ description: 'A TAXII 2.1 resource' }) } } });
/** c.json keeps a content type it is given: the TAXII media type. */
const answer = <T extends object>(c: Context<AppEnv>, body: T, headers: Record<string, string> = {}) =>
  c.json(body as Record<string, never>, 200, { 'content-type': TAXII_MEDIA_TYPE, ...headers });
const guard = [requires('readShared'), acceptsTaxii];
const CollectionParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

/** The TAXII routes; `organisation` names this instance (discovery title, STIX identity). */
export function taxiiRoutes(organisation: string) {
  const routes = createRouter();
  routes.openapi(
    createRoute({ method: 'get', path: '/taxii2/', tags, security, summary: 'TAXII 2.1 discovery (partner token)', middleware: guard, responses: { 200: taxii('The discovery resource'), ...errorResponses() } }),
    async (c) => answer(c, await taxiiDiscovery(serviceContext(c), organisation)),
  );
  routes.openapi(
    createRoute({ method: 'get', path: '/taxii2/api/', tags, security, summary: 'TAXII 2.1 API root', middleware: guard, responses: { 200: taxii('The API root resource'), ...errorResponses() } }),
    async (c) => answer(c, await taxiiApiRoot(serviceContext(c), organisation)),
  );
  routes.openapi(
    createRoute({ method: 'get', path: '/taxii2/api/collections/', tags, security, summary: 'The collections the partner may read', middleware: guard, responses: { 200: taxii('The collections resource'), ...errorResponses() } }),
    async (c) => answer(c, await taxiiCollections(serviceContext(c))),
  );
  routes.openapi(
    createRoute({
      method: 'get', path: '/taxii2/api/collections/{id}/', tags, security, summary: 'One collection', middleware: guard,
      request: { params: CollectionParam }, responses: { 200: taxii('The collection resource'), ...errorResponses(400, 404) },
    }),
    async (c) => answer(c, await taxiiCollection(serviceContext(c), c.req.valid('param').id)),
  );
  routes.openapi(
    createRoute({
      method: 'get', path: '/taxii2/api/collections/{id}/objects/', tags, security, middleware: guard,
      summary: 'The STIX 2.1 objects of a collection released to the partner, by date added',
      description: `An envelope {more, next, objects}; objects are ${STIX_MEDIA_TYPE}. X-TAXII-Date-Added-First and -Last give the page's span. Each object sent is logged (GET /api/sharing/audit).`,
      request: {
        params: CollectionParam,
        query: z.object({
          added_after: z.iso.datetime().optional().openapi({ description: 'Only objects added after this time (RFC 3339)' }),
          limit: z.coerce.number().int().min(1).max(TAXII_MAX_PAGE).default(TAXII_MAX_PAGE),
          next: z.string().max(300).optional().openapi({ description: 'The `next` of the previous page' }),
        }),
      },
      responses: { 200: taxii('The envelope'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const next = query.next === undefined ? undefined : decodeNext(query.next);
      if (next === null) throw new InvalidInputError([{ path: 'next', message: 'not a next this server returned', location: 'query' }]);
      const addedAfter = query.added_after === undefined ? undefined : Date.parse(query.added_after);
      const { page, more } = await taxiiObjects(serviceContext(c), organisation, c.req.valid('param').id, { addedAfter, limit: query.limit, next });
      const headers: Record<string, string> = {};
      if (page.length) {
        headers['X-TAXII-Date-Added-First'] = new Date(page[0]!.addedAt).toISOString();
        headers['X-TAXII-Date-Added-Last'] = new Date(page[page.length - 1]!.addedAt).toISOString();
      }
      const last = page[page.length - 1];
      return answer(c, { more, ...(more && last ? { next: encodeNext(last) } : {}), objects: page.map((e) => e.object) }, headers);
    },
  );
  routes.openapi(
    createRoute({
      method: 'post', path: '/taxii2/api/collections/{id}/objects/', tags, security, middleware: guard,
      summary: 'Add objects: refused, every collection here is read-only (can_write: false)',
      description: `415 unless the body is ${TAXII_MEDIA_TYPE} (TAXII 2.1, section 5.5), then 403.`,
      request: { params: CollectionParam },
      responses: { ...errorResponses(400, 404) },
    }),
    async (c) => {
      await taxiiCollection(serviceContext(c), c.req.valid('param').id);
      const type = (c.req.header('content-type') ?? '').replace(/\s+/g, '').toLowerCase();
      if (type !== TAXII_MEDIA_TYPE) throw new AppError(415, 'unsupported_media_type', `Send Content-Type: ${TAXII_MEDIA_TYPE}`, [{ path: 'content-type', message: `must be ${TAXII_MEDIA_TYPE}`, location: 'header' }]);
      throw new ForbiddenError('This collection is read-only (can_write: false): partners read what is shared, they add nothing');
    },
  );
  return routes;
}
