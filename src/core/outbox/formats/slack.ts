// A Slack incoming webhook: notification text plus blocks.
import { isoTime } from '../../domain/time.js';
import { describeEvent } from './describe.js';
import { eventLink, JSON_TYPE, truncate, type AlertEvent, type FormatOptions, type FormattedBody } from './shared.js';

/** Slack mrkdwn needs &, < and > escaped in text it should show as is. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `{ text, blocks }` for a Slack incoming webhook; `text` is the notification fallback. */
export function formatSlack(event: AlertEvent, options: FormatOptions = {}): FormattedBody {
  const desc = describeEvent(event);
  const prefix = desc.drill ? '🧪 DRILL — ' : '';
  const text = truncate(`${prefix}${desc.emoji} ${desc.headline}`, 3000);
  const unix = Math.floor(event.ts / 1000);
  const when = `<!date^${unix}^{date_short_pretty} {time_secs}|${isoTime(event.ts)}>`;
  const link = eventLink(options);

  const blocks: unknown[] = [];
  if (desc.drill) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ':test_tube: *DRILL* — an exercise, not a real outage' } });
  }
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(`${desc.drill ? 'DRILL: ' : ''}${desc.emoji} ${desc.headline}`, 150), emoji: true } });
  // Slack allows at most 10 fields per section; the time always shows.
  const fields = [
    ...desc.facts.slice(0, 9).map((fact) => `*${escapeSlack(fact.title)}*\n${escapeSlack(fact.value)}`),
    `*Time*\n${when}`,
  ].map((text) => ({ type: 'mrkdwn', text: truncate(text, 2000) }));
  blocks.push({ type: 'section', fields });
  if (desc.detail) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeSlack(desc.detail), 3000) } });
  if (link) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${link}|Open coopwatch>` } });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(`coopwatch · ${escapeSlack(event.type)} · event ${escapeSlack(String(event.id))}${desc.drill ? ' · DRILL' : ''}`, 3000) }],
  });
  return { body: JSON.stringify({ text, blocks }), contentType: JSON_TYPE };
}
