import { describe, expect, it } from 'vitest';
import { assessFunction, assessFunctions, type FunctionGraphNode, type Member } from '../../src/core/domain/impact.js';

const assets = (...ids: number[]): Member[] => ids.map((assetId) => ({ assetId }));
const down = (...ids: number[]) => (member: Member) => !('assetId' in member && ids.includes(member.assetId));

describe('k-of-n groups', () => {
  const twoOfThree: FunctionGraphNode = { id: 1, groups: [{ name: 'antennas', k: 2, members: assets(1, 2, 3) }] };

  it('2-of-3: all up is N, one down is SPOF (degraded), two down is lost', () => {
    expect(assessFunction(twoOfThree, down())).toMatchObject({ status: 'operational', redundancy: 'N' });
    const one = assessFunction(twoOfThree, down(2));
    expect(one).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    expect(one.groups[0]).toEqual({ name: 'antennas', k: 2, n: 3, available: 2, unavailable: [{ assetId: 2 }] });
    expect(assessFunction(twoOfThree, down(1, 3))).toMatchObject({ status: 'lost', redundancy: 'none' });
  });

  it('N-1: members lost but spare left everywhere keeps the function operational', () => {
    const twoOfFour: FunctionGraphNode = { id: 1, groups: [{ name: 'antennas', k: 2, members: assets(1, 2, 3, 4) }] };
    expect(assessFunction(twoOfFour, down(4))).toMatchObject({ status: 'operational', redundancy: 'N-1' });
    expect(assessFunction(twoOfFour, down(3, 4))).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    expect(assessFunction(twoOfFour, down(2, 3, 4))).toMatchObject({ status: 'lost', redundancy: 'none' });
  });

  it('Svalbard: two subsea cables, 1-of-2 — one cut leaves service up with no redundancy; both cut lose it', () => {
    const svalbard: FunctionGraphNode = { id: 7, groups: [{ name: 'subsea cables', k: 1, members: assets(10, 11) }] };
    expect(assessFunction(svalbard, down())).toMatchObject({ status: 'operational', redundancy: 'N' });
    expect(assessFunction(svalbard, down(10))).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    expect(assessFunction(svalbard, down(11))).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    expect(assessFunction(svalbard, down(10, 11))).toMatchObject({ status: 'lost', redundancy: 'none' });
  });

  it('a group designed without spare (1-of-1) is a SPOF but operational while it holds', () => {
    const single: FunctionGraphNode = { id: 2, groups: [{ name: 'moc', k: 1, members: assets(5) }] };
    expect(assessFunction(single, down())).toMatchObject({ status: 'operational', redundancy: 'SPOF' });
    expect(assessFunction(single, down(5))).toMatchObject({ status: 'lost', redundancy: 'none' });
  });

  it('every group must hold: the worst group decides', () => {
    const fn: FunctionGraphNode = {
      id: 3,
      groups: [
        { name: 'stations', k: 1, members: assets(1, 2, 3) },
        { name: 'moc', k: 1, members: assets(4, 5) },
      ],
    };
    expect(assessFunction(fn, down(1))).toMatchObject({ status: 'operational', redundancy: 'N-1' });
    expect(assessFunction(fn, down(1, 4))).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    expect(assessFunction(fn, down(4, 5))).toMatchObject({ status: 'lost', redundancy: 'none' });
    // one group lost while the other is untouched is still lost
    expect(assessFunction(fn, down(1, 2, 3))).toMatchObject({ status: 'lost', redundancy: 'none' });
  });
});

describe('function members', () => {
  // 20: ground contact (1-of-2 stations 1, 2); 21: downlink needs ground contact (1-of-1) and a MOC (1-of-2: 3, 4)
  const nodes: FunctionGraphNode[] = [
    { id: 21, groups: [{ name: 'contact', k: 1, members: [{ functionId: 20 }] }, { name: 'moc', k: 1, members: assets(3, 4) }] },
    { id: 20, groups: [{ name: 'stations', k: 1, members: assets(1, 2) }] },
  ];
  const assess = (...downIds: number[]) => assessFunctions(nodes, (id) => !downIds.includes(id));

  it('a lost child function counts against its parent', () => {
    const result = assess(1, 2);
    expect(result.get(20)).toMatchObject({ status: 'lost', redundancy: 'none' });
    expect(result.get(21)).toMatchObject({ status: 'lost', redundancy: 'none' });
    expect(result.get(21)!.groups[0]).toMatchObject({ name: 'contact', available: 0, unavailable: [{ functionId: 20 }] });
  });

  it('a degraded child still counts as available', () => {
    const result = assess(1);
    expect(result.get(20)).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    // the parent's own group over the child is 1-of-1: SPOF by design, yet operational
    expect(result.get(21)).toMatchObject({ status: 'operational', redundancy: 'SPOF' });
  });

  it('parents are assessed after their members whatever the order given, and each function once', () => {
    const result = assess(3);
    expect([...result.keys()].sort()).toEqual([20, 21]);
    expect(result.get(21)).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    expect(assess().get(21)).toMatchObject({ status: 'operational', redundancy: 'SPOF' });
  });

  it('a three-level chain loses the top when the bottom is lost', () => {
    const chain: FunctionGraphNode[] = [
      { id: 1, groups: [{ name: 'g', k: 1, members: [{ functionId: 2 }] }] },
      { id: 2, groups: [{ name: 'g', k: 1, members: [{ functionId: 3 }, ...assets(9)] }] },
      { id: 3, groups: [{ name: 'g', k: 2, members: assets(7, 8) }] },
    ];
    const lostBottom = assessFunctions(chain, (id) => id !== 7);
    expect(lostBottom.get(3)?.status).toBe('lost');
    expect(lostBottom.get(2)).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    expect(lostBottom.get(1)?.status).toBe('operational');
    const all = assessFunctions(chain, (id) => id !== 7 && id !== 9);
    expect(all.get(2)?.status).toBe('lost');
    expect(all.get(1)?.status).toBe('lost');
  });
});
