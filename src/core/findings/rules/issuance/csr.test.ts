import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CsrParseError, csrDer, parseCsr } from './csr';
import {
  baseline,
  checks,
  CSR_A,
  CSR_B,
  CSR_WIDE,
  fingerprintOf,
  lock,
  only,
  run,
  SANS,
  sha256,
  SPKI_A,
  SPKI_B,
  withRecords,
  withRequest,
  without,
} from './testkit';

const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('ISS-CSR: the PKCS#10 reader (CSRs made with openssl)', () => {
  it('the test kit’s SHA-256 is SHA-256', () => {
    for (const s of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(1000)]) {
      const b = new TextEncoder().encode(s);
      expect(sha256(b)).toBe(nodeSha(b));
    }
  });

  it('reads the subject, the key and the SANs as openssl wrote them', () => {
    const a = parseCsr(CSR_A);
    expect(a.subject).toEqual([
      { type: 'CN', value: 'Northwind Package Signing 2027' },
      { type: 'O', value: 'Northwind Systems' },
    ]);
    expect(a.sans).toEqual([
      'dns:pkg-signing.northwind.example',
      'uri:https://releases.northwind.example/signing',
    ]);
    // The SPKI digests are openssl's (`openssl req -pubkey | openssl pkey -pubin -outform DER | sha256sum`).
    expect(nodeSha(a.spki)).toBe(SPKI_A);
    expect(nodeSha(parseCsr(CSR_B).spki)).toBe(SPKI_B);
    // The DER is the whole request (`openssl req -outform DER | sha256sum`).
    expect(nodeSha(a.der)).toBe('4533794a8abe6a1af8ea2a6333309bebaf134781770fc77292fefe5494521caa');
  });

  it('reads OU, C, wildcard, email and IPv4/IPv6 names', () => {
    const w = parseCsr(CSR_WIDE);
    expect(w.subject.map((x) => x.type)).toEqual(['C', 'O', 'OU', 'CN']);
    expect(w.sans).toEqual([
      'dns:pkg-signing.northwind.example',
      'dns:*.northwind.example',
      'email:pki-ops@northwind.example',
      'ip:10.20.30.40',
      'ip:2001:db8:0:0:0:0:0:7',
    ]);
  });

  it('accepts CRLF line ends and surrounding whitespace; refuses anything else', () => {
    expect(parseCsr(`\n${CSR_A.replace(/\n/g, '\r\n')}  `).der).toEqual(csrDer(CSR_A));
    expect(() => parseCsr(CSR_A.replace('CERTIFICATE REQUEST', 'CERTIFICATE'))).toThrow(CsrParseError);
    expect(() => parseCsr(`${CSR_A}${CSR_B}`)).toThrow(CsrParseError);
    // A flipped length byte or a truncated body is refused, never read past.
    const der = csrDer(CSR_A);
    const b64 = (x: Uint8Array) => btoa(String.fromCharCode(...x));
    const pem = (x: Uint8Array) =>
      `-----BEGIN CERTIFICATE REQUEST-----\n${b64(x)}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => parseCsr(pem(der.slice(0, der.length - 5)))).toThrow(CsrParseError);
    const longer = der.slice();
    longer[3] = (longer[3] as number) + 1;
    expect(() => parseCsr(pem(longer))).toThrow(CsrParseError);
    expect(() => parseCsr(pem(new Uint8Array([...der, 0])))).toThrow(CsrParseError);
  });
});

describe('ISS-CSR: the locked CSR is the approved one, and says what the request says', () => {
  it('no locked CSR is missing; an unreadable one is invalid', () => {
    expect(only(run(without(baseline(), 'csr-lock')), 'ISS-CSR')).toEqual(['ISS-CSR missing ISR-1']);
    const broken = lock({ csrPem: CSR_A.replace('MIIBaTCC', 'MIIBaTDD') });
    expect(only(run(withRecords(baseline(), broken)), 'ISS-CSR')).toEqual(['ISS-CSR invalid ISR-1']);
  });

  it('a regenerated CSR (same subject and SANs, another key) is not the locked one', () => {
    const e = run(withRecords(baseline(), lock({ csrPem: CSR_B })));
    expect(only(e, 'ISS-CSR')).toEqual(['ISS-CSR disputed ISR-1']);
    expect(e.findings.find((f) => f.checkId === 'ISS-CSR')?.sentence).toContain(
      fingerprintOf(CSR_B).slice(0, 12),
    );
    // The custody attestation speaks for the locked key, not the regenerated one.
    expect(only(e, 'ISS-CUSTODY')).toEqual(['ISS-CUSTODY disputed KCA-1']);
    // Look-alike: the same CSR exported with CRLF line ends is the same DER.
    expect(checks(run(withRecords(baseline(), lock({ csrPem: CSR_A.replace(/\n/g, '\r\n') }))))).toEqual([]);
  });

  it('a subject or SAN set that differs from the request is disputed; look-alike: a DNS name in another letter case', () => {
    const cn = withRequest({ commonName: 'Northwind Package Signing 2028' });
    expect(only(run(cn), 'ISS-CSR')).toEqual(['ISS-CSR disputed ISR-1']);
    const ou = withRequest({ organizationalUnit: 'Release Engineering' });
    expect(only(run(ou), 'ISS-CSR')).toEqual(['ISS-CSR disputed ISR-1']);
    const fewer = withRequest({ sanSet: [SANS[0] as string] });
    const e = run(fewer);
    expect(only(e, 'ISS-CSR')).toEqual(['ISS-CSR disputed ISR-1']);
    expect(e.findings.find((f) => f.checkId === 'ISS-CSR')?.sentence).toContain(
      'in the CSR only uri:https://releases.northwind.example/signing',
    );
    const upper = withRequest({
      sanSet: ['dns:PKG-Signing.Northwind.Example', 'uri:https://releases.northwind.example/signing'],
    });
    expect(checks(run(upper))).toEqual([]);
    // A URI is not case-folded: its path is case-sensitive.
    const uri = withRequest({
      sanSet: ['dns:pkg-signing.northwind.example', 'uri:https://releases.northwind.example/Signing'],
    });
    expect(only(run(uri), 'ISS-CSR')).toEqual(['ISS-CSR disputed ISR-1']);
  });
});
