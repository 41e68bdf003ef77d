// Label placement for the planner's map: each label beside its dot if there is room, otherwise
// further out on a ring of candidate spots with a leader line back to the dot. No two labels and
// no label and dot overlap; a label with no free spot anywhere is left to the table (reported).

export interface LabelItem {
  x: number;
  y: number;
  text: string;
}

export interface PlacedLabel {
  /** Text anchor point. */
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'end' | 'middle';
  /** The label's box (for tests and for drawing a backing). */
  box: Box;
  /** From the dot to the label's near edge, when the label sits away from its dot. */
  leader: { x1: number; y1: number; x2: number; y2: number } | null;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const boxesOverlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

const CHAR_PX = 7.4;
const HEIGHT = 15;
const DOT_BOX = 16;
/** Distances (px) from the dot; the first is "beside it", the rest need a leader line. */
const RADII = [12, 34, 58, 86, 118, 156];
const DIRECTIONS = 16;
const r1 = (n: number) => Math.round(n * 10) / 10;

/** The label's box and text anchor for a spot at angle `a` (radians, 0 = east) and distance `r`. */
function candidate(item: LabelItem, w: number, r: number, a: number): Omit<PlacedLabel, 'text' | 'leader'> {
  const cx = item.x + r * Math.cos(a);
  const cy = item.y + r * Math.sin(a);
  const east = Math.cos(a) > 0.35;
  const west = Math.cos(a) < -0.35;
  const anchor = east ? 'start' : west ? 'end' : 'middle';
  const bx = east ? cx : west ? cx - w : cx - w / 2;
  const by = cy - HEIGHT / 2 + (Math.sin(a) > 0.35 ? HEIGHT / 2 : Math.sin(a) < -0.35 ? -HEIGHT / 2 : 0);
  const tx = east ? bx + 2 : west ? bx + w - 2 : bx + w / 2;
  return { x: r1(tx), y: r1(by + HEIGHT - 4), anchor, box: { x: bx, y: by, w, h: HEIGHT } };
}

/** The point of the box nearest (x, y): where a leader line meets the label. */
const nearestOnBox = (b: Box, x: number, y: number) => ({ x: Math.min(b.x + b.w, Math.max(b.x, x)), y: Math.min(b.y + b.h, Math.max(b.y, y)) });

/**
 * Places labels in the order given (most important first) inside width × height. Returns the
 * placed labels and the items that found no spot.
 */
export function placeLabels(items: LabelItem[], width: number, height: number): { placed: PlacedLabel[]; unplaced: LabelItem[] } {
  const taken: Box[] = items.map((i) => ({ x: i.x - DOT_BOX / 2, y: i.y - DOT_BOX / 2, w: DOT_BOX, h: DOT_BOX }));
  const placed: PlacedLabel[] = [];
  const unplaced: LabelItem[] = [];
  for (const item of items) {
    const w = item.text.length * CHAR_PX + 4;
    let found: Omit<PlacedLabel, 'text' | 'leader'> | null = null;
    let radius = 0;
    for (const r of RADII) {
      const steps = r === RADII[0] ? 8 : DIRECTIONS;
      for (let k = 0; k < steps && !found; k++) {
        const c = candidate(item, w, r, (2 * Math.PI * k) / steps);
        const b = c.box;
        if (b.x >= 0 && b.y >= 0 && b.x + b.w <= width && b.y + b.h <= height && !taken.some((t) => boxesOverlap(t, b))) found = c;
      }
      if (found) {
        radius = r;
        break;
      }
    }
    if (!found) {
      unplaced.push(item);
      continue;
    }
    taken.push(found.box);
    const end = nearestOnBox(found.box, item.x, item.y);
    const leader = radius > RADII[0]! ? { x1: r1(item.x), y1: r1(item.y), x2: r1(end.x), y2: r1(end.y) } : null;
    placed.push({ ...found, text: item.text, leader });
  }
  return { placed, unplaced };
}
