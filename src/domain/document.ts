import { z } from 'zod';
import { assetDocumentSchema, functionDocumentSchema, type AssetDocument, type FunctionDocument } from './inventory.js';

export type { AssetDocument, FunctionDocument };

/** The config-as-code file (`coopwatch apply -f FILE`): every item carries a stable key. */
export const inventoryDocumentSchema = z.strictObject({
  assets: z.array(assetDocumentSchema).default([]),
  functions: z.array(functionDocumentSchema).default([]),
});
export type InventoryDocument = z.infer<typeof inventoryDocumentSchema>;
