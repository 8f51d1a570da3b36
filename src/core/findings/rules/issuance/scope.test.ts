import { describe, expect, it } from 'vitest';
import {
  CSR_WIDE,
  baseline,
  checks,
  custody,
  fingerprintOf,
  lock,
  only,
  profile,
  run,
  subscriber,
  withRecords,
  withRequest,
} from './testkit';

const WIDE_SANS = [
  'dns:pkg-signing.northwind.example',
  'dns:*.northwind.example',
  'email:pki-ops@northwind.example',
  'ip:10.20.30.40',
  'ip:2001:db8:0:0:0:0:0:7',
];
/** A request for the wide CSR: its subject and SANs agree with the CSR, so only scope can fail. */
const wide = (...changes: Parameters<typeof withRecords>[1][]) =>
  withRequest(
    {
      csrFingerprint: fingerprintOf(CSR_WIDE),
      organizationalUnit: 'Release Engineering',
      country: 'DE',
      sanSet: WIDE_SANS,
    },
    lock({ csrPem: CSR_WIDE }),
    custody({ spkiSha256: 'e871c328668f507d57a940627b5ced1c9379307811335a27ec3f605e76f16cea' }),
    ...changes,
  );

describe('ISS-SCOPE: subject and SANs within the registered names and the profile', () => {
  it('a SAN outside the subscriber’s registered names is invalid; look-alike: a name one label under a registered wildcard', () => {
    const e = run(
      withRequest({ sanSet: ['dns:pkg-signing.northwind.example', 'dns:extra.northwind.example'] }),
    );
    expect(only(e, 'ISS-SCOPE')).toEqual(['ISS-SCOPE invalid ISR-1']);
    expect(e.findings.find((f) => f.checkId === 'ISS-SCOPE')?.sentence).toContain(
      'dns:extra.northwind.example',
    );
    const zone = subscriber({
      registeredNames: ['dns:*.northwind.example', 'uri:https://releases.northwind.example/signing'],
    });
    expect(only(run(withRecords(baseline(), zone)), 'ISS-SCOPE')).toEqual([]);
    // Two labels under the wildcard are not covered by it.
    const deep = subscriber({
      registeredNames: ['dns:*.example', 'uri:https://releases.northwind.example/signing'],
    });
    expect(only(run(withRecords(baseline(), deep)), 'ISS-SCOPE')).toEqual(['ISS-SCOPE invalid ISR-1']);
  });

  it('an organization other than the subscriber’s is invalid', () => {
    const e = run(withRecords(baseline(), subscriber({ organization: 'Northwind Holdings' })));
    expect(only(e, 'ISS-SCOPE')).toEqual(['ISS-SCOPE invalid ISR-1']);
  });

  it('SAN types, count and wildcard beyond the profile are unmet; look-alike: a profile that allows them', () => {
    const registered = subscriber({ registeredNames: WIDE_SANS });
    const e = run(wide(registered));
    // email and ip types, five SANs of at most four, a wildcard: three problems of one check.
    expect(only(e, 'ISS-SCOPE')).toEqual([
      'ISS-SCOPE policy-criterion-unmet ISR-1',
      'ISS-SCOPE policy-criterion-unmet ISR-1',
      'ISS-SCOPE policy-criterion-unmet ISR-1',
    ]);
    const open = profile({ allowedSanTypes: ['dns', 'uri', 'email', 'ip'], maxSans: 5, allowWildcard: true });
    expect(checks(run(wide(registered, open)))).toEqual([]);
  });

  it('a wildcard SAN needs the identical wildcard registered, not merely the zone', () => {
    const open = profile({ allowedSanTypes: ['dns', 'uri', 'email', 'ip'], maxSans: 5, allowWildcard: true });
    const zoneOnly = subscriber({
      registeredNames: WIDE_SANS.filter((s) => !s.startsWith('dns:*')).concat('dns:northwind.example'),
    });
    expect(only(run(wide(zoneOnly, open)), 'ISS-SCOPE')).toEqual(['ISS-SCOPE invalid ISR-1']);
  });
});
