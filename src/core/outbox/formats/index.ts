// One stored event → the request body for a subscription's format: `standard` (Standard Webhooks
// JSON), `slack` (incoming webhook text + blocks), `teams` (Workflows webhook, Adaptive Card 1.4)
// and `pagerduty` (Events API v2). Pure: no I/O, no Node-only imports.
import { formatPagerDuty } from './pagerduty.js';
import { formatSlack } from './slack.js';
import { formatStandard } from './standard.js';
import { formatTeams } from './teams.js';
import type { AlertEvent, AlertFormat, FormatOptions, FormattedBody } from './shared.js';

export { boundDedupKey, formatPagerDuty, routingKeyProblem } from './pagerduty.js';
export { STANDARD_MAX_BYTES } from './standard.js';
export { pingEvent } from './shared.js';
export type { AlertEvent, AlertFormat, FormatOptions, FormattedBody } from './shared.js';

/** The request body for a subscription's format, or null when the event means nothing in it. */
export function formatEvent(format: AlertFormat, event: AlertEvent, options: FormatOptions = {}): FormattedBody | null {
  switch (format) {
    case 'standard': return formatStandard(event, options);
    case 'slack': return formatSlack(event, options);
    case 'teams': return formatTeams(event, options);
    case 'pagerduty': return formatPagerDuty(event, options);
    default: throw new Error(`unknown alert format: ${String(format satisfies never)}`);
  }
}
