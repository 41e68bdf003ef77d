// Webhook delivery over the platform's fetch, for Workers. Workers cannot reach private or
// metadata addresses by name anyway (the platform resolves and connects), so the URL check is
// the literal-address policy; the Node sender also checks every resolved address.
import type { Send, SendResult } from '../../core/outbox/dispatcher.js';
import { checkDestinationUrl, type DestinationPolicy } from '../../core/outbox/destination.js';

export interface FetchSenderOptions extends DestinationPolicy {
  timeoutMs: number;
}

const SNIPPET_BYTES = 2_048;

export function createFetchSender(options: FetchSenderOptions): Send {
  return async ({ url, headers, body }): Promise<SendResult> => {
    const check = checkDestinationUrl(url, options);
    if (!check.ok) throw new Error(`webhook destination refused: ${check.reason}`);
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'user-agent': 'coopwatch-webhooks', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) throw new Error(`timed out after ${options.timeoutMs} ms`);
      throw err;
    }
    const bodySnippet = await snippet(response);
    return { status: response.status, headers: Object.fromEntries(response.headers), bodySnippet, latencyMs: performance.now() - started };
  };
}

async function snippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const { value } = await reader.read().catch(() => ({ value: undefined }));
  await reader.cancel().catch(() => undefined);
  return value ? new TextDecoder().decode(value.subarray(0, SNIPPET_BYTES)) : '';
}
