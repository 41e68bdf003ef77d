// Secrets in the inventory file (push tokens, HTTP check and drill hook header values): the
// export masks them unless an admin asks for them, and an apply keeps the stored ones wherever the
// file leaves a token out or sends the mask, so applying a masked export changes nothing.
import type { InventoryDocument } from '../../domain/document.js';
import { UnprocessableError, type ErrorDetail } from '../../domain/errors.js';
import { keepCheckSecrets, maskedSettings } from '../checks.js';
import { maskHeaders, restoreMaskedHeaders } from '../secrets.js';
import { withLocation, type Locate } from './document.js';
import type { StoredExercises } from './exercises.js';

const HOOKS = ['injectHook', 'rollbackHook'] as const;

/** The document with every secret masked. */
export function maskInventorySecrets(doc: InventoryDocument): InventoryDocument {
  return {
    ...doc,
    checks: doc.checks.map((check) => {
      const block = check[check.kind] as Record<string, unknown> | undefined;
      return block ? { ...check, [check.kind]: maskedSettings(block) } : check;
    }),
    drills: doc.drills.map((drill) => {
      const masked = { ...drill };
      for (const name of HOOKS) {
        const hook = drill[name];
        if (hook?.headers) masked[name] = { ...hook, headers: maskHeaders(hook.headers) };
      }
      return masked;
    }),
  };
}

/**
 * Puts the stored secrets into the document where it leaves a push token out or sends a header
 * value as the mask. A masked header with no stored value is refused (422), naming its line.
 */
export function keepStoredSecrets(document: InventoryDocument, current: InventoryDocument, stored: StoredExercises, locate: Locate | undefined): void {
  const problems: ErrorDetail[] = [];
  const storedChecks = new Map(current.checks.map((c) => [c.key, c]));
  document.checks.forEach((check, i) => {
    const before = storedChecks.get(check.key);
    const storedSettings = (before?.kind === check.kind ? before[check.kind] : undefined) as Record<string, unknown> | undefined;
    if (check[check.kind] === undefined && storedSettings?.token === undefined) return;
    const { block, problems: found } = keepCheckSecrets(check.kind, check, storedSettings ?? {});
    problems.push(...found.map((p) => withLocation(locate, ['checks', i, ...p.path], p.message)));
    Object.assign(check, { [check.kind]: check.kind === 'push' ? { graceSeconds: 10, ...block } : block });
  });
  const storedDrills = new Map(stored.drills.map((d) => [d.key, d]));
  document.drills.forEach((drill, i) => {
    for (const name of HOOKS) {
      const hook = drill[name];
      if (!hook?.headers) continue;
      const { headers, problems: found } = restoreMaskedHeaders(hook.headers, storedDrills.get(drill.key)?.[name]?.headers, ['drills', i, name, 'headers']);
      problems.push(...found.map((p) => withLocation(locate, p.path, p.message)));
      drill[name] = { ...hook, headers };
    }
  });
  if (problems.length) throw new UnprocessableError(problems);
}
