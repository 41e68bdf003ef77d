import { DAY_MS } from '../domain/time.js';

/**
 * Where the Sun is overhead, from the NOAA low-precision solar position formulas (declination
 * and equation of time from the fractional year; good to a fraction of a degree), and whether
 * a place is sunlit.
 */
export function subsolarPoint(ms: number): { lat: number; lon: number } {
  const date = new Date(ms);
  const startOfYear = Date.UTC(date.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((ms - startOfYear) / DAY_MS);
  const hour = date.getUTCHours() + date.getUTCMinutes() / 60 + date.getUTCSeconds() / 3600;
  const gamma = ((2 * Math.PI) / 365) * (dayOfYear + (hour - 12) / 24);
  const declination =
    0.006918 - 0.399912 * Math.cos(gamma) + 0.070257 * Math.sin(gamma) - 0.006758 * Math.cos(2 * gamma) +
    0.000907 * Math.sin(2 * gamma) - 0.002697 * Math.cos(3 * gamma) + 0.00148 * Math.sin(3 * gamma);
  const equationOfTimeMin =
    229.18 * (0.000075 + 0.001868 * Math.cos(gamma) - 0.032077 * Math.sin(gamma) - 0.014615 * Math.cos(2 * gamma) - 0.040849 * Math.sin(2 * gamma));
  const lon = -15 * (hour - 12 + equationOfTimeMin / 60);
  return { lat: (declination * 180) / Math.PI, lon: ((lon + 540) % 360) - 180 };
}

/** Elevation of the Sun above the horizon at a place, in degrees. */
export function solarElevationDeg(lat: number, lon: number, ms: number): number {
  const sun = subsolarPoint(ms);
  const rad = Math.PI / 180;
  const cosZenith =
    Math.sin(lat * rad) * Math.sin(sun.lat * rad) + Math.cos(lat * rad) * Math.cos(sun.lat * rad) * Math.cos((lon - sun.lon) * rad);
  return 90 - Math.acos(Math.max(-1, Math.min(1, cosZenith))) / rad;
}
