import { describe, expect, it } from 'vitest';
import { assessContinuity, assessFunction, continuityLabel, type FunctionGraphNode, type Member } from '../../src/core/domain/impact.js';

const assets = (...ids: number[]): Member[] => ids.map((assetId) => ({ assetId }));
const down = (...ids: number[]) => (member: Member) => !('assetId' in member && ids.includes(member.assetId));

describe('continuity notation: spares left and single points of failure', () => {
  it('labels spares left as N+s, N, N-s', () => {
    expect([2, 1, 0, -1, -2].map(continuityLabel)).toEqual(['N+2', 'N+1', 'N', 'N-1', 'N-2']);
  });

  it('a k = n group: N, and every member is a single point of failure', () => {
    const pair: FunctionGraphNode = { id: 1, groups: [{ name: 'moc', k: 2, members: assets(1, 2) }] };
    expect(assessContinuity(pair, down())).toMatchObject({ sparesLeft: 0, continuity: 'N', singlePointsOfFailure: assets(1, 2) });
  });

  it('one spare left: N+1 and no single point of failure; after one loss N and the survivors are', () => {
    const twoOfThree: FunctionGraphNode = { id: 1, groups: [{ name: 'antennas', k: 2, members: assets(1, 2, 3) }] };
    expect(assessContinuity(twoOfThree, down())).toMatchObject({ sparesLeft: 1, continuity: 'N+1', singlePointsOfFailure: [] });
    expect(assessContinuity(twoOfThree, down(2))).toMatchObject({ sparesLeft: 0, continuity: 'N', singlePointsOfFailure: assets(1, 3) });
    // the old label calls the same state SPOF; below need it is N-1 (old: none) with nothing left to name
    expect(assessFunction(twoOfThree, down(2)).redundancy).toBe('SPOF');
    expect(assessContinuity(twoOfThree, down(2, 3))).toMatchObject({ sparesLeft: -1, continuity: 'N-1', singlePointsOfFailure: [] });
    expect(assessFunction(twoOfThree, down(2, 3)).redundancy).toBe('none');
  });

  it('the tightest group decides; a member function can be the single point of failure', () => {
    const fn: FunctionGraphNode = {
      id: 3,
      groups: [
        { name: 'stations', k: 1, members: assets(1, 2, 3) },
        { name: 'contact', k: 1, members: [{ functionId: 20 }] },
      ],
    };
    const c = assessContinuity(fn, down(1));
    expect(c).toMatchObject({ sparesLeft: 0, continuity: 'N', singlePointsOfFailure: [{ functionId: 20 }] });
    expect(c.groups.map((g) => g.continuity)).toEqual(['N+1', 'N']);
  });

  it('a function without groups has no figure', () => {
    expect(assessContinuity({ id: 4, groups: [] }, down())).toEqual({ sparesLeft: null, continuity: null, groups: [], singlePointsOfFailure: [] });
  });
});
