import type { Db } from '../store/client.js';
import type { DrillRunRow, HookSpec } from '../store/schema/index.js';
import { assetKeys } from './drill-queries.js';

type Step = DrillRunRow['steps'][number];

const HOOK_TIMEOUT_MS = 10_000;

export interface HookDeps {
  db: Db;
  fetch: typeof fetch;
  now: () => number;
}

/** Calls a drill hook once per target, `{assetKey}` substituted; failures become steps, never throws. */
export async function callHooks(deps: HookDeps, hook: HookSpec, targetIds: number[], what: 'inject' | 'rollback'): Promise<Step[]> {
  const keys = await assetKeys(deps.db, targetIds);
  return Promise.all(
    keys.map(async (key) => {
      const url = hook.url.replaceAll('{assetKey}', encodeURIComponent(key));
      try {
        const res = await deps.fetch(url, {
          method: hook.method,
          headers: { 'content-type': 'application/json', ...hook.headers },
          body: hook.body?.replaceAll('{assetKey}', key),
          signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
          redirect: 'manual',
        });
        await res.body?.cancel();
        return { at: deps.now(), step: what, detail: `${hook.method} ${url} → ${res.status}` };
      } catch (err) {
        return { at: deps.now(), step: `${what}_failed`, detail: `${hook.method} ${url}: ${err instanceof Error ? err.message : String(err)}` };
      }
    }),
  );
}
