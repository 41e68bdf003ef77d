// `/status/{slug}/feed.atom`: the page's incidents as an Atom 1.0 feed (RFC 4287), newest first.
import type { PublicStatus } from '../../../core/services/read-models/public-status.js';
import { escapeXml } from './format.js';
import { utc } from '../format.js';

const UPDATE_WORDS = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' } as const;
const iso = (ms: number) => new Date(ms).toISOString();

/** `url` is the page's absolute address; each entry links to its incident on the page. */
export function atomFeed(status: PublicStatus, url: string): string {
  const incidents = [...status.incidents].sort((a, b) => b.updatedAt - a.updatedAt);
  const updated = Math.max(status.page.updatedAt, ...incidents.map((i) => i.updatedAt));
  const entries = incidents.map((incident) => {
    // The content is HTML, escaped once into the XML text.
    const html =
      `<p>Affects: ${escapeXml(incident.components.map((c) => c.name).join(', '))}</p>` +
      incident.updates
        .map((u) => `<p><strong>${UPDATE_WORDS[u.status]}</strong> (${utc(u.at)}): ${escapeXml(u.body)}</p>`)
        .join('');
    const link = `${url}#incident-${incident.id}`;
    return [
      '  <entry>',
      `    <id>${escapeXml(`${url}/incidents/${incident.id}`)}</id>`,
      `    <title type="text">${escapeXml(`${incident.title} (${UPDATE_WORDS[incident.status]})`)}</title>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(link)}"/>`,
      `    <published>${iso(incident.createdAt)}</published>`,
      `    <updated>${iso(incident.updatedAt)}</updated>`,
      `    <content type="html">${escapeXml(html)}</content>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(`${url}/feed.atom`)}</id>`,
    `  <title type="text">${escapeXml(`${status.page.title}: incidents`)}</title>`,
    `  <updated>${iso(updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(`${url}/feed.atom`)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(url)}"/>`,
    `  <author><name>${escapeXml(status.page.title)}</name></author>`,
    '  <generator>coopwatch</generator>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
