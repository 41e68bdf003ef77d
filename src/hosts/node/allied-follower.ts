// The Node host's follower: reads every allied feed this instance follows, every `intervalMs`,
// one step at a time (services/allied.ts keeps the cursor in the database with what each page brought).
import { followAlliedSources, type AlliedFetch } from '../../core/services/allied.js';
import type { ServiceContext } from '../../core/services/context.js';

const TIMEOUT_MS = 5_000;

const fetchJson: AlliedFetch = async (url, token) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  const body: unknown = await res.json().catch(() => null);
  return { status: res.status, body };
};

export function startAlliedFollower(ctx: ServiceContext, options: { intervalMs: number; log: (message: string) => void }) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let step: Promise<void> = Promise.resolve();
  const tick = () => {
    step = followAlliedSources(ctx, fetchJson)
      .catch((err) => options.log(`following allied feeds failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await step;
    },
  };
}
