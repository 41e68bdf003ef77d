import { z } from '@hono/zod-openapi';
import { TLP_LEVELS } from '../../../core/domain/marking.js';

/** A record's sharing marking as the API shows it; null: unmarked, not releasable. */
export const MarkingSchema = z
  .object({
    tlp: z.enum(TLP_LEVELS).openapi({ description: 'TLP 2.0 level (FIRST): CLEAR < GREEN < AMBER < AMBER+STRICT < RED' }),
    relTo: z.array(z.string()).openapi({ description: 'REL TO: ISO 3166-1 alpha-3 country codes it may be released to' }),
  })
  .nullable()
  .openapi('Marking', { description: 'Sharing marking. null (unmarked): not releasable to any partner' });
