// The what-if map's parts: Natural Earth land clipped to the view, labels that never overlap (with
// leader lines when set apart), and the page's map for a scenario with a ShakeMap attached.
import { describe, expect, it } from 'vitest';
import { boxesOverlap, placeLabels } from '../../src/http/pages/planner/map-labels.js';
import { landPath, landPolygons, loadDetailedLand } from '../../src/http/pages/planner/coastline.js';

describe('label placement', () => {
  it('places a dense cluster of labels without any two overlapping, leading lines to those set apart', () => {
    // twelve assets within a few pixels of each other (a city's stations at country scale)
    const items = Array.from({ length: 12 }, (_, i) => ({ x: 400 + (i % 4) * 3, y: 200 + Math.floor(i / 4) * 3, text: `${i + 1} · 6-upper` }));
    const { placed, unplaced } = placeLabels(items, 960, 480);
    expect(unplaced).toEqual([]);
    expect(placed).toHaveLength(12);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) expect(boxesOverlap(placed[i]!.box, placed[j]!.box), `${placed[i]!.text} / ${placed[j]!.text}`).toBe(false);
      // no label covers any dot
      for (const dot of items) expect(boxesOverlap(placed[i]!.box, { x: dot.x - 2, y: dot.y - 2, w: 4, h: 4 })).toBe(false);
    }
    expect(placed.filter((l) => l.leader).length).toBeGreaterThan(6);
    // the first (most important) sits right beside its dot, with no leader
    expect(placed[0]!.leader).toBeNull();
  });

  it('keeps labels inside the map and reports those with no room at all', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ x: 50 + (i % 2), y: 20, text: `${i + 1} · 5-lower` }));
    const { placed, unplaced } = placeLabels(items, 200, 100);
    expect(placed.length + unplaced.length).toBe(40);
    expect(unplaced.length).toBeGreaterThan(0);
    for (const l of placed) expect(l.box.x >= 0 && l.box.y >= 0 && l.box.x + l.box.w <= 200 && l.box.y + l.box.h <= 100).toBe(true);
  });
});

describe('Natural Earth land', () => {
  // a country view: 128–144° E, 44° N down (60 px a degree of longitude, true shape at 36° N)
  const yScale = 60 / Math.cos((36 * Math.PI) / 180);
  const japan = { width: 960, height: 480, x: (lon: number) => (lon - 128) * 60, y: (lat: number) => (44 - lat) * yScale, lonMin: 128, lonMax: 144, latMin: 44 - 480 / yScale, latMax: 44 };

  it('decodes world-atlas land: 1:50m always, 1:10m once loaded, each far finer than a hand-drawn outline', async () => {
    const vertices = (scale: '10m' | '50m') => landPolygons(scale).flat(2).filter(([lon, lat]) => lon! > 129 && lon! < 146 && lat! > 30 && lat! < 46).length;
    expect(() => landPolygons('10m')).toThrow(/not loaded/);
    expect(vertices('50m')).toBeGreaterThan(1000);
    await loadDetailedLand();
    expect(vertices('10m')).toBeGreaterThan(5 * vertices('50m'));
  }, 60_000);

  it('draws only what is in view, clipped and thinned: a country view stays small', () => {
    const path = landPath('50m', japan);
    const points = path.split(/[MLZ]/).filter(Boolean);
    expect(points.length).toBeGreaterThan(300);
    expect(path.length).toBeLessThan(60_000);
    for (const pt of points) {
      const [x, y] = pt.split(' ').map(Number);
      expect(x).toBeGreaterThanOrEqual(-4.1);
      expect(x).toBeLessThanOrEqual(964.1);
      expect(y).toBeGreaterThanOrEqual(-4.1);
      expect(y).toBeLessThanOrEqual(484.1);
    }
    // open Pacific: nothing drawn
    expect(landPath('50m', { ...japan, x: (lon) => (lon + 150) * 60, lonMin: -150, lonMax: -134, latMin: -40, latMax: -30 })).toBe('');
  });
});
