// Common-mode causes a redundancy group's members can share: equipment, management network,
// grid region and fault zone (a `fault-zone:<name>` tag).
import { describe, expect, it } from 'vitest';
import { findCommonMode, type CommonModeMember } from '../../src/core/domain/common-mode.js';

const member = (assetId: number, over: Partial<CommonModeMember> = {}): CommonModeMember => ({
  assetId, vendor: null, model: null, firmware: null, managementNetwork: null, gridRegion: null, tags: [], ...over,
});

describe('common mode', () => {
  it('names a shared grid region, whatever its case, and not two different grids', () => {
    const findings = findCommonMode('regions', [member(1, { gridRegion: 'pjm' }), member(2, { gridRegion: 'PJM' }), member(3, { gridRegion: 'bpa' })]);
    expect(findings).toEqual([{ group: 'regions', cause: 'grid_region', shared: 'grid region pjm', assetIds: [1, 2] }]);
    expect(findCommonMode('regions', [member(1, { gridRegion: 'pjm' }), member(2, { gridRegion: 'bpa' }), member(3)])).toEqual([]);
  });

  it('names a shared fault zone from fault-zone tags; other tags and unshared zones are no finding', () => {
    const findings = findCommonMode('stations', [
      member(1, { tags: ['jaxa', 'fault-zone:nankai-trough'] }),
      member(2, { tags: ['fault-zone:nankai-trough', 'fault-zone:median-tectonic-line'] }),
      member(3, { tags: ['jaxa', 'fault-zone:median-tectonic-line'] }),
      member(4, { tags: ['fault-zone:sagami-trough'] }),
    ]);
    expect(findings).toEqual([
      { group: 'stations', cause: 'fault_zone', shared: 'fault zone nankai-trough', assetIds: [1, 2] },
      { group: 'stations', cause: 'fault_zone', shared: 'fault zone median-tectonic-line', assetIds: [2, 3] },
    ]);
  });

  it('still names shared equipment and management networks', () => {
    const modem = { vendor: 'Viasat', model: 'SurfBeam2', firmware: '4.1.0', managementNetwork: 'ka-sat-mgmt' };
    const causes = findCommonMode('modems', [member(1, modem), member(2, modem)]).map((f) => f.cause);
    expect(causes).toEqual(['equipment', 'management_network']);
  });
});
