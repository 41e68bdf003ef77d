// Words, symbols and number formats shared by the status page, its feed, badges and JSON.
import type { ComponentStatus, Indicator } from '../../../core/services/read-models/component-status.js';
import type { PublicComponent } from '../../../core/services/read-models/public-status.js';

/** Statuspage's component status words. */
export const STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

/** A symbol per status, so status is never told by colour alone. */
export const STATUS_SYMBOLS: Record<ComponentStatus | 'unknown', string> = {
  operational: '✔',
  degraded_performance: '▲',
  partial_outage: '◆',
  major_outage: '✖',
  under_maintenance: '⚙',
  unknown: '?',
};

/** How a component's status is shown: a component without current data reads "No data". */
export function componentLook(c: Pick<PublicComponent, 'status' | 'known'>): { cls: string; word: string; symbol: string } {
  if (!c.known) return { cls: 'unknown', word: 'No data', symbol: STATUS_SYMBOLS.unknown };
  return { cls: c.status, word: STATUS_WORDS[c.status], symbol: STATUS_SYMBOLS[c.status] };
}

export function indicatorLook(indicator: Indicator, description: string): { cls: string; symbol: string } {
  if (indicator === 'none') return description === 'Service Under Maintenance' ? { cls: 'maintenance', symbol: '⚙' } : { cls: 'none', symbol: '✔' };
  return { cls: indicator, symbol: indicator === 'minor' ? '▲' : indicator === 'major' ? '◆' : '✖' };
}

/** A ratio as a percentage: truncated (99.999 % never shows as 100 %) to two decimals, trailing zeros dropped. */
export function percent(ratio: number): string {
  if (ratio >= 1) return '100 %';
  const value = Math.floor(ratio * 10_000) / 100;
  return `${value.toFixed(2).replace(/\.?0+$/, '')} %`;
}

/** Text safe in XML and HTML, attribute values included; characters XML 1.0 forbids are dropped. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The colour band of a day's bar. */
export function barLevel(ratio: number | null): 'nodata' | 'ok' | 'minor' | 'partial' | 'major' {
  if (ratio === null) return 'nodata';
  if (ratio >= 0.999) return 'ok';
  if (ratio >= 0.99) return 'minor';
  if (ratio >= 0.95) return 'partial';
  return 'major';
}
