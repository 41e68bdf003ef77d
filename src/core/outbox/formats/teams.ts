// A Microsoft Teams Workflows webhook message carrying one Adaptive Card 1.4.
// Teams renders markdown (links, emphasis, lists) in a TextBlock's text and in a Fact's title and
// value (MicrosoftDocs/msteams-docs, msteams-platform/task-modules-and-cards/cards/cards-format.md),
// so event text there could carry a link nobody wrote. All text goes in RichTextBlock TextRuns
// instead, whose text no renderer parses ("Markdown is not supported": microsoft/AdaptiveCards,
// schemas/src/elements/inlines/TextRun.json; RichTextBlock since card version 1.2).
import type { Severity } from '../../domain/enums.js';
import { isoTime } from '../../domain/time.js';
import { describeEvent } from './describe.js';
import { eventLink, JSON_TYPE, truncate, type AlertEvent, type FormatOptions, type FormattedBody } from './shared.js';

const TEAMS_COLOR: Record<Severity, string> = { info: 'Default', minor: 'Warning', major: 'Attention', critical: 'Attention' };

interface Run {
  text: string;
  weight?: 'Bolder';
  size?: 'Small' | 'Large';
  color?: string;
  isSubtle?: boolean;
}

/** A paragraph of literal text: TextRuns are shown as written, never as markdown. */
function literal(...runs: Run[]) {
  return { type: 'RichTextBlock', inlines: runs.map((run) => ({ type: 'TextRun', ...run })) };
}

export function formatTeams(event: AlertEvent, options: FormatOptions = {}): FormattedBody {
  const desc = describeEvent(event);
  const link = eventLink(options);
  const body: unknown[] = [];
  if (desc.drill) {
    body.push({
      type: 'Container',
      style: 'warning',
      bleed: true,
      items: [literal({ text: '🧪 DRILL — an exercise, not a real outage', weight: 'Bolder', color: 'Warning' })],
    });
  }
  body.push(
    literal({
      text: truncate(`${desc.drill ? 'DRILL: ' : ''}${desc.emoji} ${desc.headline}`, 1000),
      size: 'Large',
      weight: 'Bolder',
      color: desc.drill ? 'Default' : TEAMS_COLOR[event.severity] ?? 'Default',
    }),
  );
  body.push({
    type: 'Container',
    id: 'facts',
    items: [...desc.facts, { title: 'Time', value: isoTime(event.ts) }].map((f) => literal({ text: `${f.title}: `, weight: 'Bolder' }, { text: truncate(f.value, 1000) })),
  });
  if (desc.detail) body.push(literal({ text: truncate(desc.detail, 2000) }));
  body.push(literal({ text: `coopwatch · ${event.type} · event ${event.id}${desc.drill ? ' · DRILL' : ''}`, isSubtle: true, size: 'Small' }));
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
