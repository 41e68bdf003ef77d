// Where in each interval a check runs, and where its check_latest row sits: both from one hash of
// the id that SQL can compute too (migration 0020 lays out the rows of an upgraded database).

/** Knuth's multiplicative hash (2654435761 ≈ 2^32 / φ): the id's low 32 bits of id × that, unsigned. */
function idHash(id: number): number {
  return Math.imul(id, 2654435761) >>> 0;
}

/** A stable offset in [0, 1) from the check id: the phase of the check within its interval. Consecutive ids spread evenly. */
export function checkPhase(id: number): number {
  return idHash(id) / 2 ** 32;
}

/**
 * A check's row key in check_latest: its phase in 20 bits, then its id. Checks that come due
 * together (same interval, nearby phases) have neighbouring rows, so a batch of results
 * rewrites a few pages of the table instead of a page per result (100,000 checks, a commit of
 * 1,000 results: 23 against 701 WAL pages, tests/bench/commit-batches.ts; README "Larger fleets").
 */
export function latestSlot(id: number): number {
  return (idHash(id) >>> 12) * 2 ** 32 + id;
}
