// A Slack incoming webhook: notification text plus blocks.
import { isoTime } from '../../domain/time.js';
import { describeEvent } from './describe.js';
import { eventLink, JSON_TYPE, truncate, type AlertEvent, type FormatOptions, type FormattedBody } from './shared.js';

/**
 * Slack parses &, < and > as control characters in mrkdwn text and in the top-level `text`, so
 * text that should show as is carries them as entities, and nothing else is encoded (Slack,
 * "Formatting text for app surfaces", Escaping text:
 * https://api.slack.com/reference/surfaces/formatting#escaping). Every mrkdwn text built from
 * event data goes through here; the header is `plain_text`, which Slack does not parse.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn text object, cut to Slack's limit; any event text in it is already escaped. */
function mrkdwn(text: string, max = 3000) {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

/** `{ text, blocks }` for a Slack incoming webhook; `text` is the notification fallback. */
export function formatSlack(event: AlertEvent, options: FormatOptions = {}): FormattedBody {
  const desc = describeEvent(event);
  const prefix = desc.drill ? '🧪 DRILL — ' : '';
  const text = escapeSlack(truncate(`${prefix}${desc.emoji} ${desc.headline}`, 3000));
  const unix = Math.floor(event.ts / 1000);
  const when = `<!date^${unix}^{date_short_pretty} {time_secs}|${isoTime(event.ts)}>`;
  const link = eventLink(options);

  const blocks: unknown[] = [];
  if (desc.drill) blocks.push({ type: 'section', text: mrkdwn(':test_tube: *DRILL* — an exercise, not a real outage') });
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(`${desc.drill ? 'DRILL: ' : ''}${desc.emoji} ${desc.headline}`, 150), emoji: true } });
  // Slack allows at most 10 fields per section; the time always shows.
  const fields = [...desc.facts.slice(0, 9).map((fact) => `*${escapeSlack(fact.title)}*\n${escapeSlack(fact.value)}`), `*Time*\n${when}`];
  blocks.push({ type: 'section', fields: fields.map((field) => mrkdwn(field, 2000)) });
  if (desc.detail) blocks.push({ type: 'section', text: mrkdwn(escapeSlack(desc.detail)) });
  if (link) blocks.push({ type: 'section', text: mrkdwn(`<${link}|Open coopwatch>`) });
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`coopwatch · ${escapeSlack(event.type)} · event ${escapeSlack(String(event.id))}${desc.drill ? ' · DRILL' : ''}`)],
  });
  return { body: JSON.stringify({ text, blocks }), contentType: JSON_TYPE };
}
