import { describe, expect, it } from 'vitest';
import { defCustodyFresh, defCustodyHolder } from './custody';
import { defSeal } from './seal';
import { ctxOf, ids, inventory, rec, request } from './testkit';

const holding = (
  holdingId: string,
  itemId: string,
  holder: string,
  since: string,
  until: string | null = null,
  itemKind: 'backup-token' | 'escrow-media' = 'backup-token',
) => rec('custody-registry', { holdingId, itemId, itemKind, holder, since, until, hsmSerial: 'HSM-A' });
const attested = (
  attestationId: string,
  itemId: string,
  attestedBy: string,
  attestedAt: string,
  result: 'in-possession' | 'not-found' = 'in-possession',
) => rec('custody-attestation', { attestationId, itemId, attestedBy, attestedAt, result });
const roster = (
  entryId: string,
  person: string,
  validFrom: string,
  validUntil: string | null,
  status: 'active' | 'temporary' | 'revoked' = 'active',
) =>
  rec('roster-snapshot', {
    entryId,
    person,
    roles: ['key-custodian'],
    validFrom,
    validUntil,
    status,
    snapshotAt: '2026-11-30',
  });
const base = [request(), inventory()];

describe('DEF-CUSTODY-FRESH', () => {
  it('DEF-CUSTODY-FRESH: an attestation older than 90 days is stale, none is missing', () => {
    expect(
      ids(
        defCustodyFresh.run(
          ctxOf([
            ...base,
            holding('H-1', 'BT-1', 'Ana Ruiz', '2025-01-01'),
            attested('CA-1', 'BT-1', 'ana ruiz', '2026-07-01'),
          ]),
        ),
      ),
    ).toEqual(['DEF-CUSTODY-FRESH stale BT-1']);
    expect(
      ids(defCustodyFresh.run(ctxOf([...base, holding('H-1', 'BT-1', 'Ana Ruiz', '2025-01-01')]))),
    ).toEqual(['DEF-CUSTODY-FRESH missing BT-1']);
  });
  it('DEF-CUSTODY-FRESH: the previous holder’s recent attestation does not speak for the new holder', () => {
    const records = [
      ...base,
      holding('H-1', 'BT-1', 'Ana Ruiz', '2025-01-01', '2026-11-01'),
      holding('H-2', 'BT-1', 'Tom Berg', '2026-11-01'),
      attested('CA-1', 'BT-1', 'Ana Ruiz', '2026-10-20'),
    ];
    expect(ids(defCustodyFresh.run(ctxOf(records)))).toEqual(['DEF-CUSTODY-FRESH missing BT-1']);
    expect(
      defCustodyFresh.run(ctxOf([...records, attested('CA-2', 'BT-1', ' TOM BERG ', '2026-11-05')])),
    ).toEqual([]);
  });
  it('DEF-CUSTODY-FRESH: not found at attestation is invalid', () => {
    expect(
      ids(
        defCustodyFresh.run(
          ctxOf([
            ...base,
            holding('H-1', 'BT-1', 'Ana Ruiz', '2025-01-01'),
            attested('CA-1', 'BT-1', 'Ana Ruiz', '2026-11-20', 'not-found'),
          ]),
        ),
      ),
    ).toEqual(['DEF-CUSTODY-FRESH invalid BT-1']);
  });
});

describe('DEF-CUSTODY-HOLDER', () => {
  it('DEF-CUSTODY-HOLDER: a holder whose roster term ended still holding a token is invalid', () => {
    expect(
      ids(
        defCustodyHolder.run(
          ctxOf([
            ...base,
            holding('H-1', 'BT-1', 'Ana Ruiz', '2025-01-01'),
            roster('R-1', 'ana ruiz', '2024-01-01', '2026-09-30'),
          ]),
        ),
      ),
    ).toEqual(['DEF-CUSTODY-HOLDER invalid BT-1']);
  });
  it('DEF-CUSTODY-HOLDER: a temporary custodian whose window covers today is valid', () => {
    expect(
      defCustodyHolder.run(
        ctxOf([
          ...base,
          holding('H-1', 'BT-1', 'Ana Ruiz', '2025-01-01'),
          roster('R-2', 'Ana Ruiz', '2026-11-15', '2026-12-15', 'temporary'),
        ]),
      ),
    ).toEqual([]);
  });
});

describe('DEF-SEAL', () => {
  const media = holding('H-9', 'EM-1', 'vault-ops', '2024-01-01', null, 'escrow-media');
  const life = (
    eventId: string,
    event: 'sealed' | 'replaced' | 'retired',
    bagSerial: string | null,
    at: string,
  ) => rec('media-lifecycle', { eventId, mediaId: 'EM-1', event, bagSerial, at });
  const insp = (
    inspectionId: string,
    bagSerial: string,
    at: string,
    result: 'intact' | 'tampered' = 'intact',
  ) =>
    rec('seal-inspection', { inspectionId, mediaId: 'EM-1', bagSerial, inspector: 'l.moreau', at, result });
  it('DEF-SEAL: an inspection of the bag a replacement retired does not count for the new bag', () => {
    expect(
      ids(
        defSeal.run(
          ctxOf([
            ...base,
            media,
            life('L-1', 'sealed', 'BAG-100', '2025-01-01'),
            insp('I-1', 'BAG-100', '2026-10-01'),
            life('L-2', 'replaced', 'BAG-200', '2026-10-15'),
          ]),
        ),
      ),
    ).toEqual(['DEF-SEAL missing EM-1']);
  });
  it('DEF-SEAL: an intact inspection after the replacement, of the new bag, is not a gap', () => {
    expect(
      defSeal.run(
        ctxOf([
          ...base,
          media,
          life('L-2', 'replaced', 'BAG-200', '2026-10-15'),
          insp('I-2', 'BAG-200', '2026-10-16'),
        ]),
      ),
    ).toEqual([]);
  });
  it('DEF-SEAL: tampered is invalid, old is stale, a retired medium is not checked', () => {
    expect(
      ids(defSeal.run(ctxOf([...base, media, insp('I-1', 'BAG-100', '2026-11-01', 'tampered')]))),
    ).toEqual(['DEF-SEAL invalid EM-1']);
    expect(ids(defSeal.run(ctxOf([...base, media, insp('I-1', 'BAG-100', '2026-01-01')])))).toEqual([
      'DEF-SEAL stale EM-1',
    ]);
    expect(defSeal.run(ctxOf([...base, media, life('L-3', 'retired', null, '2026-06-01')]))).toEqual([]);
  });
});
