// A Microsoft Teams Workflows webhook message carrying one Adaptive Card 1.4.
import type { Severity } from '../../domain/enums.js';
import { isoTime } from '../../domain/time.js';
import { describeEvent } from './describe.js';
import { eventLink, JSON_TYPE, truncate, type AlertEvent, type FormatOptions, type FormattedBody } from './shared.js';

const TEAMS_COLOR: Record<Severity, string> = { info: 'Default', minor: 'Warning', major: 'Attention', critical: 'Attention' };

export function formatTeams(event: AlertEvent, options: FormatOptions = {}): FormattedBody {
  const desc = describeEvent(event);
  const link = eventLink(options);
  const body: unknown[] = [];
  if (desc.drill) {
    body.push({
      type: 'Container',
      style: 'warning',
      bleed: true,
      items: [{ type: 'TextBlock', text: '🧪 DRILL — an exercise, not a real outage', weight: 'Bolder', color: 'Warning', wrap: true }],
    });
  }
  body.push({
    type: 'TextBlock',
    text: truncate(`${desc.drill ? 'DRILL: ' : ''}${desc.emoji} ${desc.headline}`, 1000),
    size: 'Large',
    weight: 'Bolder',
    wrap: true,
    color: desc.drill ? 'Default' : TEAMS_COLOR[event.severity] ?? 'Default',
  });
  body.push({
    type: 'FactSet',
    facts: [...desc.facts, { title: 'Time', value: isoTime(event.ts) }].map((f) => ({ title: f.title, value: truncate(f.value, 1000) })),
  });
  if (desc.detail) body.push({ type: 'TextBlock', text: truncate(desc.detail, 2000), wrap: true });
  body.push({
    type: 'TextBlock',
    text: `coopwatch · ${event.type} · event ${event.id}${desc.drill ? ' · DRILL' : ''}`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
  });
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    msteams: { width: 'Full' },
  };
  if (link) card['actions'] = [{ type: 'Action.OpenUrl', title: 'Open coopwatch', url: link }];
  const message = {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
  return { body: JSON.stringify(message), contentType: JSON_TYPE };
}
