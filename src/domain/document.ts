import { z } from 'zod';
import { checkDocumentSchema, type CheckDocument } from './checks.js';
import { assetDocumentSchema, functionDocumentSchema, type AssetDocument, type FunctionDocument } from './inventory.js';

export type { AssetDocument, CheckDocument, FunctionDocument };

/** The config-as-code file (`coopwatch apply -f FILE`): every item carries a stable key. */
export const inventoryDocumentSchema = z.strictObject({
  assets: z.array(assetDocumentSchema).default([]),
  functions: z.array(functionDocumentSchema).default([]),
  checks: z.array(checkDocumentSchema).default([]),
});
export type InventoryDocument = z.infer<typeof inventoryDocumentSchema>;
