import { describe, expect, it } from 'vitest';
import { SPKI_B, baseline, checks, custody, only, run, withRecords, without } from './testkit';

describe('ISS-CUSTODY: the custody attestation passes, is current and speaks for the CSR key', () => {
  it('an unknown attestation is missing', () => {
    expect(only(run(without(baseline(), 'key-custody-attestation')), 'ISS-CUSTODY')).toEqual([
      'ISS-CUSTODY missing KCA-1',
    ]);
  });

  it('an attestation of another key is disputed; one that did not pass is disputed', () => {
    expect(only(run(withRecords(baseline(), custody({ spkiSha256: SPKI_B }))), 'ISS-CUSTODY')).toEqual([
      'ISS-CUSTODY disputed KCA-1',
    ]);
    expect(only(run(withRecords(baseline(), custody({ result: 'inconclusive' }))), 'ISS-CUSTODY')).toEqual([
      'ISS-CUSTODY disputed KCA-1',
    ]);
  });

  it('past its validUntil it is expired; look-alike: valid until a second after as-of', () => {
    expect(
      only(run(withRecords(baseline(), custody({ validUntil: '2026-12-01T10:00:00.000Z' }))), 'ISS-CUSTODY'),
    ).toEqual(['ISS-CUSTODY expired KCA-1']);
    expect(checks(run(withRecords(baseline(), custody({ validUntil: '2026-12-01T10:00:01.000Z' }))))).toEqual(
      [],
    );
  });

  it('older than the policy allows it is stale, even while valid; a longer policy accepts it', () => {
    const old = custody({ attestedAt: '2026-10-15T00:00:00.000Z', validUntil: '2027-01-01T00:00:00.000Z' });
    expect(only(run(withRecords(baseline(), old)), 'ISS-CUSTODY')).toEqual(['ISS-CUSTODY stale KCA-1']);
    expect(checks(run(withRecords(baseline(), old), { policy: { custodyFreshnessDays: 60 } }))).toEqual([]);
  });
});
