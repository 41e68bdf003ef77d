// Small geodesy helpers for outage scenarios. Pure and I/O-free (no Node-only
// imports), so they run unchanged on Node and Cloudflare Workers.
//
// Conventions
// - Points are { lat, lon } in decimal degrees (WGS84 latitude/longitude, but the
//   Earth is treated as a sphere of mean radius R = 6371.0 km — the IUGG mean
//   radius R1). Spherical formulas are within ~0.5 % of the ellipsoid, far below
//   the scatter of any ground-motion model they feed.
// - Bearings are degrees clockwise from true north, normalised to [0, 360).
// - Depths are km, positive downwards.
//
// Formulas (φ latitude, λ longitude, θ bearing, δ = d / R angular distance):
// - Haversine distance:
//     a = sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2),  d = 2R · atan2(√a, √(1−a))
// - Initial bearing (forward azimuth) from 1 to 2:
//     θ = atan2(sin Δλ · cos φ2, cos φ1 · sin φ2 − sin φ1 · cos φ2 · cos Δλ)
// - Destination from a start point, bearing and distance:
//     φ2 = asin(sin φ1 · cos δ + cos φ1 · sin δ · cos θ)
//     λ2 = λ1 + atan2(sin θ · sin δ · cos φ1, cos δ − sin φ1 · sin φ2)
// - Cross-track distance of P from the great circle A→B, and along-track distance
//   of P's foot from A:
//     d_xt = asin(sin δ_AP · sin(θ_AP − θ_AB)) · R
//     d_at = acos(cos δ_AP / cos(d_xt / R)) · R   (signed by cos(θ_AP − θ_AB))
//   (see e.g. Ed Williams, "Aviation Formulary"; C. Veness, "Calculate distance,
//   bearing and more between latitude/longitude points".)
// - Local tangent-plane coordinates: the azimuthal-equidistant projection about an
//   origin O (east = d·sin θ, north = d·cos θ, with d, θ the great-circle distance
//   and bearing from O). Distances and bearings from O are exact; other distances
//   are within ~1 % out to ~500 km, which is ample for fault-distance estimates.

export const EARTH_RADIUS_KM = 6371.0;

export interface LatLon {
  lat: number;
  lon: number;
}

const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Normalise a bearing/angle in degrees to [0, 360). */
export function normalizeDeg(deg: number): number {
  const r = deg % 360;
  return r < 0 ? r + 360 : r;
}

/** Normalise a longitude to (−180, 180]. */
export function normalizeLon(lon: number): number {
  const r = normalizeDeg(lon + 180) - 180;
  return r === -180 ? 180 : r;
}

/** Great-circle (haversine) distance in km on a sphere of radius 6371.0 km. */
export function haversineKm(a: LatLon, b: LatLon): number {
  const φ1 = a.lat * RAD;
  const φ2 = b.lat * RAD;
  const dφ = (b.lat - a.lat) * RAD;
  const dλ = (b.lon - a.lon) * RAD;
  const h = Math.sin(dφ / 2) ** 2 + Math.cos(φ1) * Math.cos(φ2) * Math.sin(dλ / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.atan2(Math.sqrt(h), Math.sqrt(Math.max(0, 1 - h)));
}

/** Initial great-circle bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const φ1 = a.lat * RAD;
  const φ2 = b.lat * RAD;
  const dλ = (b.lon - a.lon) * RAD;
  const y = Math.sin(dλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(dλ);
  return normalizeDeg(Math.atan2(y, x) * DEG);
}

/** The point reached by travelling distanceKm along a great circle from `from` on an initial bearing. */
export function destinationPoint(from: LatLon, bearing: number, distanceKm: number): LatLon {
  const δ = distanceKm / EARTH_RADIUS_KM;
  const θ = bearing * RAD;
  const φ1 = from.lat * RAD;
  const λ1 = from.lon * RAD;
  const sinφ2 = clamp(Math.sin(φ1) * Math.cos(δ) + Math.cos(φ1) * Math.sin(δ) * Math.cos(θ), -1, 1);
  const φ2 = Math.asin(sinφ2);
  const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(δ) * Math.cos(φ1), Math.cos(δ) - Math.sin(φ1) * sinφ2);
  return { lat: φ2 * DEG, lon: normalizeLon(λ2 * DEG) };
}

/**
 * Signed cross-track distance (km) of p from the great circle through a and b:
 * positive when p lies to the right of the direction a → b.
 */
export function crossTrackKm(p: LatLon, a: LatLon, b: LatLon): number {
  const δap = haversineKm(a, p) / EARTH_RADIUS_KM;
  const dθ = (bearingDeg(a, p) - bearingDeg(a, b)) * RAD;
  return Math.asin(clamp(Math.sin(δap) * Math.sin(dθ), -1, 1)) * EARTH_RADIUS_KM;
}

/**
 * Signed along-track distance (km) from a to the foot of the perpendicular from p
 * on the great circle a → b (negative when the foot lies behind a).
 */
export function alongTrackKm(p: LatLon, a: LatLon, b: LatLon): number {
  const δap = haversineKm(a, p) / EARTH_RADIUS_KM;
  const dθ = (bearingDeg(a, p) - bearingDeg(a, b)) * RAD;
  const δxt = Math.asin(clamp(Math.sin(δap) * Math.sin(dθ), -1, 1));
  const cosXt = Math.cos(δxt);
  const δat = cosXt === 0 ? 0 : Math.acos(clamp(Math.cos(δap) / cosXt, -1, 1));
  return Math.sign(Math.cos(dθ)) * δat * EARTH_RADIUS_KM;
}

/**
 * Shortest distance (km) on the sphere from p to the great-circle segment a–b:
 * the cross-track distance when p's foot falls within the segment, otherwise the
 * distance to the nearer end point.
 */
export function pointToSegmentKm(p: LatLon, a: LatLon, b: LatLon): number {
  const ab = haversineKm(a, b);
  if (ab < 1e-9) return haversineKm(p, a);
  const at = alongTrackKm(p, a, b);
  if (at <= 0) return haversineKm(p, a);
  if (at >= ab) return haversineKm(p, b);
  return Math.abs(crossTrackKm(p, a, b));
}

/**
 * Even-odd (ray-casting) point-in-polygon test for a lat/lon ring (closed or not).
 * Edges are treated as straight lines in lon/lat, which is how GeoJSON-style
 * selector polygons are drawn on a map. Longitudes are unwrapped relative to the
 * test point, so a ring crossing the antimeridian works as long as it spans less
 * than 180° of longitude. Points exactly on an edge may fall either way.
 */
export function pointInPolygon(p: LatLon, ring: readonly LatLon[]): boolean {
  const n = ring.length;
  if (n < 3) return false;
  const rel = (q: LatLon): [number, number] => [normalizeLon(q.lon - p.lon), q.lat];
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const [xi, yi] = rel(ring[i]!);
    const [xj, yj] = rel(ring[j]!);
    // Does the edge straddle the horizontal line through p (at y = p.lat), crossing it at x > 0?
    if (yi > p.lat !== yj > p.lat) {
      const xCross = xi + ((p.lat - yi) * (xj - xi)) / (yj - yi);
      if (xCross > 0) inside = !inside;
    }
  }
  return inside;
}

/** The geomagnetic north pole of the IGRF-13 dipole (epoch 2020). */
export const GEOMAGNETIC_NORTH_POLE: LatLon = { lat: 80.65, lon: -72.68 };

/** Geomagnetic (centred dipole) latitude of p, degrees: 90° minus the angular distance from the dipole pole. */
export function geomagneticLatDeg(p: LatLon): number {
  return 90 - (haversineKm(p, GEOMAGNETIC_NORTH_POLE) / EARTH_RADIUS_KM) * DEG;
}

/** Azimuthal-equidistant local coordinates (km east, km north) of p about origin. */
export function toLocalKm(origin: LatLon, p: LatLon): { east: number; north: number } {
  const d = haversineKm(origin, p);
  if (d < 1e-12) return { east: 0, north: 0 };
  const θ = bearingDeg(origin, p) * RAD;
  return { east: d * Math.sin(θ), north: d * Math.cos(θ) };
}

/**
 * A planar rectangular fault. Its top edge is horizontal at topDepthKm, centred on
 * (lat, lon) and running along strikeDeg; the plane dips at dipDeg to the right of
 * the strike direction (Aki & Richards convention), extending widthKm down-dip.
 */
export interface FaultPlane {
  /** Surface position of the centre of the top edge. */
  lat: number;
  lon: number;
  strikeDeg: number;
  /** 0 < dip ≤ 90. */
  dipDeg: number;
  lengthKm: number;
  widthKm: number;
  topDepthKm: number;
}

/**
 * Shortest distance (km) from a site on the surface to a fault plane (the rupture
 * distance R_rup of ground-motion models).
 *
 * Method: put the site in the azimuthal-equidistant tangent plane about the top
 * centre T (x east, y north, z down; the site is at z = 0). The rectangle is
 *   T + u·s + v·d,  −L/2 ≤ u ≤ L/2,  0 ≤ v ≤ W,
 * with unit vectors along strike θ and down dip δ
 *   s = (sin θ, cos θ, 0),  d = (cos θ · cos δ, −sin θ · cos δ, sin δ).
 * s and d are orthonormal, so the nearest point of the rectangle to the site P is
 * T + u*·s + v*·d with u* = clamp((P−T)·s, −L/2, L/2) and v* = clamp((P−T)·d, 0, W),
 * and the distance is |P − that point|. Earth curvature below the tangent plane
 * is ignored (depths stay relative to the local surface), which is adequate to a
 * few percent out to several hundred km.
 */
export function distanceToFaultPlaneKm(site: LatLon, fault: FaultPlane): number {
  const { east, north } = toLocalKm({ lat: fault.lat, lon: fault.lon }, site);
  const θ = fault.strikeDeg * RAD;
  const δ = clamp(fault.dipDeg, 1e-6, 90) * RAD;
  const s = [Math.sin(θ), Math.cos(θ), 0] as const;
  const d = [Math.cos(θ) * Math.cos(δ), -Math.sin(θ) * Math.cos(δ), Math.sin(δ)] as const;
  // P − T, with T at depth topDepthKm directly below the origin.
  const r = [east, north, -fault.topDepthKm] as const;
  const u = clamp(r[0] * s[0] + r[1] * s[1] + r[2] * s[2], -fault.lengthKm / 2, fault.lengthKm / 2);
  const v = clamp(r[0] * d[0] + r[1] * d[1] + r[2] * d[2], 0, fault.widthKm);
  const dx = r[0] - (u * s[0] + v * d[0]);
  const dy = r[1] - (u * s[1] + v * d[1]);
  const dz = r[2] - (u * s[2] + v * d[2]);
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}
