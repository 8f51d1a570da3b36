import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTESTATION_POLICY } from '../../policy/attestation';
import { attEscrowInspection } from './escrow-inspection';
import { brief, cleanWorld, runRule } from './testkit';

const event = (eventId: string, ev: string, at: string, bagSerial: string | null = null) => ({
  eventId,
  mediaId: 'M1',
  event: ev,
  bagSerial,
  at,
});
const inspection = (inspectionId: string, at: string, bagSerial = 'BAG-1', result = 'intact') => ({
  inspectionId,
  mediaId: 'M1',
  bagSerial,
  inspector: 'dan',
  at,
  result,
});

describe('ATT-ESCROW-INSPECTION', () => {
  it('ATT-ESCROW-INSPECTION: a clean medium gives nothing', () => {
    expect(runRule(attEscrowInspection, cleanWorld())).toEqual([]);
  });

  it('ATT-ESCROW-INSPECTION: an inspection that predates the last replacement is stale, and names the old bag (invalid)', () => {
    const w = cleanWorld();
    w['media-lifecycle']!.push(event('ml-2', 'replaced', '2026-06-25', 'BAG-2'));
    const f = runRule(attEscrowInspection, w);
    expect(brief(f)).toEqual(['ATT-ESCROW-INSPECTION M1 stale', 'ATT-ESCROW-INSPECTION M1 invalid']);
    expect(f[0]!.records.map((r) => r.recordId)).toEqual(['si-1', 'ml-2']);
  });

  it('ATT-ESCROW-INSPECTION look-alike: an inspection of the new bag after the reseal is current', () => {
    const w = cleanWorld();
    w['media-lifecycle']!.push(event('ml-2', 'resealed', '2026-06-25', 'BAG-2'));
    w['seal-inspection']!.push(inspection('si-2', '2026-06-28', 'BAG-2'));
    expect(runRule(attEscrowInspection, w)).toEqual([]);
  });

  it('ATT-ESCROW-INSPECTION: no inspection is missing, an old one stale, a tampered one invalid; a retired medium is not judged', () => {
    const w = cleanWorld();
    w['seal-inspection'] = [];
    expect(brief(runRule(attEscrowInspection, w))).toEqual(['ATT-ESCROW-INSPECTION M1 missing']);
    w['seal-inspection'] = [inspection('si-0', '2026-02-01')];
    expect(brief(runRule(attEscrowInspection, w))).toEqual(['ATT-ESCROW-INSPECTION M1 stale']);
    const policy = { ...structuredClone(DEFAULT_ATTESTATION_POLICY), inspectionMaxAgeDays: 200 };
    expect(runRule(attEscrowInspection, w, { policy })).toEqual([]);
    w['seal-inspection'] = [inspection('si-3', '2026-06-20', 'BAG-1', 'tampered')];
    expect(brief(runRule(attEscrowInspection, w))).toEqual(['ATT-ESCROW-INSPECTION M1 invalid']);
    w['media-lifecycle']!.push(event('ml-9', 'retired', '2026-06-30'));
    expect(runRule(attEscrowInspection, w)).toEqual([]);
  });
});
