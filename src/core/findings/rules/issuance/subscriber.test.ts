import { describe, expect, it } from 'vitest';
import { baseline, checks, only, registration, run, subscriber, withRecords, without } from './testkit';

describe('ISS-SUBSCRIBER: subscriber identity and environment registration are current', () => {
  it('an unknown subscriber or registration is missing', () => {
    expect(only(run(without(baseline(), 'subscriber-identity')), 'ISS-SUBSCRIBER')).toEqual([
      'ISS-SUBSCRIBER missing SUB-1',
    ]);
    expect(only(run(without(baseline(), 'environment-registration')), 'ISS-SUBSCRIBER')).toEqual([
      'ISS-SUBSCRIBER missing svc-pkg-signing/production',
    ]);
  });

  it('a suspended or expired identity stops; look-alike: one valid until after as-of', () => {
    expect(only(run(withRecords(baseline(), subscriber({ status: 'suspended' }))), 'ISS-SUBSCRIBER')).toEqual(
      ['ISS-SUBSCRIBER invalid SUB-1'],
    );
    expect(
      only(
        run(withRecords(baseline(), subscriber({ validUntil: '2026-12-01T09:00:00.000Z' }))),
        'ISS-SUBSCRIBER',
      ),
    ).toEqual(['ISS-SUBSCRIBER expired SUB-1']);
    expect(
      checks(run(withRecords(baseline(), subscriber({ validUntil: '2026-12-01T11:00:00.000Z' })))),
    ).toEqual([]);
  });

  it('a registration for another environment does not count; a retired one is invalid', () => {
    const staging = registration({ environment: 'staging' });
    expect(only(run(withRecords(baseline(), staging)), 'ISS-SUBSCRIBER')).toEqual([
      'ISS-SUBSCRIBER missing svc-pkg-signing/production',
    ]);
    expect(only(run(withRecords(baseline(), registration({ status: 'retired' }))), 'ISS-SUBSCRIBER')).toEqual(
      ['ISS-SUBSCRIBER invalid svc-pkg-signing/production'],
    );
    // An identity registered for another service is disputed.
    expect(
      only(run(withRecords(baseline(), subscriber({ serviceId: 'svc-other' }))), 'ISS-SUBSCRIBER'),
    ).toEqual(['ISS-SUBSCRIBER disputed SUB-1']);
  });
});
