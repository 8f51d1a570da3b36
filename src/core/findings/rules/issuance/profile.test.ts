import { describe, expect, it } from 'vitest';
import { baseline, checks, only, profile, run, withRecords, withRequest, without } from './testkit';

describe('ISS-PROFILE: the profile is catalogued, active and authorised for production signing', () => {
  it('an unknown profile is missing', () => {
    expect(only(run(without(baseline(), 'certificate-profile')), 'ISS-PROFILE')).toEqual([
      'ISS-PROFILE missing PROF-PROD-SIGN',
    ]);
  });

  it('a retired or draft profile is invalid; look-alike: a later republication as active', () => {
    const retired = profile({ status: 'retired', publishedAt: '2026-11-30T00:00:00.000Z' });
    expect(only(run(withRecords(baseline(), retired)), 'ISS-PROFILE')).toEqual([
      'ISS-PROFILE invalid PROF-PROD-SIGN',
    ]);
    expect(only(run(withRecords(baseline(), profile({ status: 'draft' }))), 'ISS-PROFILE')).toEqual([
      'ISS-PROFILE invalid PROF-PROD-SIGN',
    ]);
  });

  it('a profile not authorised for production signing is unmet for a production request; look-alike: a staging request', () => {
    const staging = profile({ productionSigning: false, portalLabel: 'Staging code signing' });
    expect(only(run(withRecords(baseline(), staging)), 'ISS-PROFILE')).toEqual([
      'ISS-PROFILE policy-criterion-unmet PROF-PROD-SIGN',
    ]);
    const stagingRequest = withRequest({ environment: 'staging' }, staging);
    // The staging request still needs a staging registration (ISS-SUBSCRIBER), but not a production profile.
    expect(only(run(stagingRequest), 'ISS-PROFILE')).toEqual([]);
    expect(checks(run(stagingRequest))).toEqual(['ISS-SUBSCRIBER missing svc-pkg-signing/staging']);
  });
});
