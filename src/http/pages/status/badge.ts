// Shields-style SVG status badges: a grey label and a coloured message, with the text in the SVG
// (and its title and aria-label) so it reads without colour.
import type { ComponentStatus } from '../../../core/services/read-models/component-status.js';
import { escapeXml } from './format.js';

const COLOURS: Record<ComponentStatus | 'unknown', string> = {
  operational: '#2e7d32',
  degraded_performance: '#9a6700',
  partial_outage: '#b35900',
  major_outage: '#c62828',
  under_maintenance: '#1f5fae',
  unknown: '#616161',
};

/** Badge words, lower case as shields writes them. */
export const BADGE_WORDS: Record<ComponentStatus | 'unknown', string> = {
  operational: 'operational',
  degraded_performance: 'degraded performance',
  partial_outage: 'partial outage',
  major_outage: 'major outage',
  under_maintenance: 'under maintenance',
  unknown: 'no data',
};

/** Approximate advance widths of Verdana at 11 px, which shields badges use. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    if ('ijlI.,:;|!\'`'.includes(ch)) width += 3.5;
    else if ('frt() -/'.includes(ch)) width += 4.6;
    else if ('mwMW%@'.includes(ch)) width += 10.5;
    else if (ch >= 'A' && ch <= 'Z') width += 7.6;
    else if (ch.codePointAt(0)! > 0x2e80) width += 11;
    else width += 6.8;
  }
  return Math.ceil(width);
}

function clip(text: string, max = 48): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

export function badgeSvg(label: string, status: ComponentStatus | 'unknown'): string {
  const left = clip(label);
  const right = BADGE_WORDS[status];
  const lw = textWidth(left) + 12;
  const rw = textWidth(right) + 12;
  const w = lw + rw;
  const text = escapeXml(`${left}: ${right}`);
  const l = escapeXml(left);
  const r = escapeXml(right);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${text}">`,
    `<title>${text}</title>`,
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${rw}" height="20" fill="${COLOURS[status]}"/><rect width="${w}" height="20" fill="url(#s)"/></g>`,
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">',
    `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${l}</text><text x="${lw / 2}" y="14">${l}</text>`,
    `<text x="${lw + rw / 2}" y="15" fill="#010101" fill-opacity=".3">${r}</text><text x="${lw + rw / 2}" y="14">${r}</text>`,
    '</g></svg>',
  ].join('');
}
