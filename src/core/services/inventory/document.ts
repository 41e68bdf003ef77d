import { LineCounter, isMap, isSeq, parseDocument, type Node } from 'yaml';
import { inventoryDocumentSchema, type InventoryDocument } from '../../domain/document.js';
import { detailsFromZodIssues, InvalidInputError, type ErrorDetail } from '../../domain/errors.js';
import { SECRET_MASK } from '../secrets.js';

/** Finds the line and column of a path in the source file, for error messages. */
export type Locate = (path: ReadonlyArray<string | number>) => { line: number; column: number } | undefined;

export interface ParsedDocument {
  document: InventoryDocument;
  locate: Locate;
}

/**
 * Parses a YAML (or JSON) inventory file and validates it as a whole. Every problem is reported
 * with its line, and nothing is returned unless the whole file is valid.
 */
export function parseInventoryDocument(source: string): ParsedDocument {
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (yamlDoc.errors.length) {
    throw new InvalidInputError(
      yamlDoc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0]!, line: e.linePos?.[0].line, column: e.linePos?.[0].col })),
    );
  }

  const locate: Locate = (path) => {
    let node: unknown = yamlDoc.contents;
    let found: Node | undefined = node as Node | undefined;
    for (const segment of path) {
      if (isMap(node) || isSeq(node)) node = node.get(segment as never, true);
      else break;
      if (!node) break;
      found = node as Node;
    }
    const offset = found?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };

  let raw: unknown;
  try {
    raw = yamlDoc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new InvalidInputError([{ path: '', message: err instanceof Error ? err.message : String(err) }]);
  }
  const result = inventoryDocumentSchema.safeParse(withoutMaskedPushTokens(raw));
  if (!result.success) {
    throw new InvalidInputError(
      detailsFromZodIssues(result.error.issues).map((d) =>
        withLocation(locate, pathSegments(d.path), d.message),
      ),
    );
  }
  const duplicates = duplicateKeys(result.data).map(({ path, message }) => withLocation(locate, path, message));
  if (duplicates.length) throw new InvalidInputError(duplicates);
  return { document: result.data, locate };
}

/** A push token written as the mask (a masked export) is left out, so the stored token is kept. */
function withoutMaskedPushTokens(raw: unknown): unknown {
  const checks = (raw as { checks?: unknown } | null)?.checks;
  if (!Array.isArray(checks)) return raw;
  for (const check of checks) {
    const push = (check as { push?: unknown } | null)?.push as Record<string, unknown> | undefined;
    if (push && typeof push === 'object' && push.token === SECRET_MASK) delete push.token;
  }
  return raw;
}

/** `checks.0.http` → ['checks', 0, 'http'] */
export function pathSegments(dotted: string): Array<string | number> {
  return dotted === '' ? [] : dotted.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function withLocation(locate: Locate | undefined, path: Array<string | number>, message: string): ErrorDetail {
  return { path: path.join('.'), message, ...locate?.(path) };
}

function duplicateKeys(doc: InventoryDocument) {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  for (const section of ['assets', 'functions', 'checks'] as const) {
    const seen = new Map<string, number>();
    doc[section].forEach((item, i) => {
      const first = seen.get(item.key);
      if (first !== undefined) problems.push({ path: [section, i, 'key'], message: `key "${item.key}" is used twice (first at ${section}.${first})` });
      else seen.set(item.key, i);
    });
  }
  return problems;
}
