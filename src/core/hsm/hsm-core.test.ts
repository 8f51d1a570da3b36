import { describe, expect, it } from 'vitest';
import { ipAddressBytes, parseCsrRequest, subjectDn, subjectName } from './csr-request';
import { parseKeySpec } from './key-spec';
import { residencyOf, wrapTrustedOnly, type ResidencyAttributes } from './residency';
import { decodeTokenFlags, pinWarnings } from './token-flags';

const resident: ResidencyAttributes = {
  token: true,
  private: true,
  sensitive: true,
  extractable: false,
  alwaysSensitive: true,
  neverExtractable: true,
  local: true,
};

describe('residency verdict', () => {
  it('RESIDENT only when every check holds', () => {
    expect(residencyOf(resident)).toEqual({ verdict: 'RESIDENT', failed: [], unknown: [] });
  });
  it.each([
    [{ extractable: true }, 'EXPOSABLE', ['HSM-RES-NONEXTRACTABLE']],
    [{ sensitive: false }, 'EXPOSABLE', ['HSM-RES-SENSITIVE']],
    [{ token: false }, 'SESSION-ONLY', ['HSM-RES-TOKEN']],
    [{ local: false }, 'IMPORTED', ['HSM-RES-LOCAL']],
    [{ neverExtractable: false }, 'IMPORTED', ['HSM-RES-NEVER-EXTRACTABLE']],
    [{ alwaysSensitive: false, local: false }, 'IMPORTED', ['HSM-RES-ALWAYS-SENSITIVE', 'HSM-RES-LOCAL']],
    [{ private: false }, 'UNPROTECTED', ['HSM-RES-PRIVATE']],
  ] as const)('%o → %s naming %o', (change, verdict, failed) => {
    expect(residencyOf({ ...resident, ...change })).toMatchObject({ verdict, failed });
  });
  it('UNKNOWN when the token will not say, never RESIDENT by default', () => {
    expect(residencyOf({ ...resident, local: null })).toEqual({
      verdict: 'UNKNOWN',
      failed: [],
      unknown: ['HSM-RES-LOCAL'],
    });
  });
});

describe('HSM-RES-WRAP-TRUSTED-ONLY', () => {
  it.each([
    [{ sensitive: true, extractable: false, wrapWithTrusted: false }, 'NON-EXTRACTABLE', true],
    [{ sensitive: true, extractable: false, wrapWithTrusted: null }, 'NON-EXTRACTABLE', true],
    [{ sensitive: true, extractable: true, wrapWithTrusted: true }, 'WRAP-TRUSTED-ONLY', true],
    // Look-alikes that fail: any key may wrap it, or its value can be read in the clear.
    [{ sensitive: true, extractable: true, wrapWithTrusted: false }, 'EXPOSABLE', false],
    [{ sensitive: false, extractable: true, wrapWithTrusted: true }, 'EXPOSABLE', false],
    [{ sensitive: false, extractable: false, wrapWithTrusted: false }, 'EXPOSABLE', false],
    // The token would not say: never a pass.
    [{ sensitive: true, extractable: true, wrapWithTrusted: null }, 'UNKNOWN', null],
    [{ sensitive: null, extractable: false, wrapWithTrusted: false }, 'UNKNOWN', null],
    [{ sensitive: true, extractable: null, wrapWithTrusted: true }, 'UNKNOWN', null],
  ] as const)('%o → %s (passed: %s)', (a, exportClass, passed) => {
    expect(wrapTrustedOnly(a)).toEqual({ check: 'HSM-RES-WRAP-TRUSTED-ONLY', exportClass, passed });
  });
});

describe('token flags', () => {
  it('decodes the PIN state bits and warns before a login', () => {
    const f = decodeTokenFlags(0x4 | 0x400 | 0x20000);
    expect(f).toMatchObject({
      loginRequired: true,
      tokenInitialized: true,
      userPinFinalTry: true,
      userPinLocked: false,
    });
    expect(pinWarnings(f)).toEqual(['user PIN: final try — one more wrong PIN locks the token']);
    expect(pinWarnings(decodeTokenFlags(0x40000))[0]).toMatch(/locked/);
  });
});

describe('key spec', () => {
  it('accepts a valid spec and names the exact bad field otherwise', () => {
    expect(parseKeySpec({ label: 'release-2027', algorithm: 'ec-p384' })).toEqual({
      label: 'release-2027',
      algorithm: 'ec-p384',
    });
    expect(() => parseKeySpec({ label: 'x', algorithm: 'ec-p521' })).toThrowError(
      expect.objectContaining({ data: { field: 'key.algorithm' } }),
    );
    expect(() => parseKeySpec({ label: ' padded', algorithm: 'ec-p256' })).toThrowError(
      expect.objectContaining({ data: { field: 'key.label' } }),
    );
    expect(() => parseKeySpec({ label: 'x', algorithm: 'ec-p256', id: 'ABCD' })).toThrowError(
      expect.objectContaining({ data: { field: 'key.id' } }),
    );
    expect(parseKeySpec({ label: 'x', algorithm: 'ec-p256', backup: 'wrap-with-trusted' }).backup).toBe(
      'wrap-with-trusted',
    );
    expect(() => parseKeySpec({ label: 'x', algorithm: 'ec-p256', backup: 'any-key' })).toThrowError(
      expect.objectContaining({ data: { field: 'key.backup' } }),
    );
    expect(() => parseKeySpec({ label: 'x', algorithm: 'ec-p256', extractable: true })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('CSR request', () => {
  it('builds an RFC 4514 subject with escaping and defaults the SAN lists', () => {
    const r = parseCsrRequest({
      subject: { commonName: 'Signing, "A"', organization: 'Example', country: 'DE' },
    });
    expect(subjectDn(r.subject)).toBe('CN=Signing\\, \\"A\\", O=Example, C=DE');
    expect(r.san).toEqual({ dns: [], email: [], ip: [] });
  });
  it.each([
    [{ subject: { commonName: 'x', country: 'Germany' } }, 'csr.subject.country'],
    [{ subject: { commonName: '' } }, 'csr.subject.commonName'],
    [{ subject: { commonName: 'a\u0007b' } }, 'csr.subject.commonName'],
    [{ subject: { commonName: 'x' }, san: { dns: ['-bad-.example'] } }, 'csr.san.dns.0'],
    [{ subject: { commonName: 'x' }, san: { ip: ['999.1.1.1'] } }, 'csr.san.ip.0'],
    [{ subject: { commonName: 'x', title: 'CEO' } }, 'csr.subject'],
    [{ subject: { commonName: 'x' }, san: { ip: ['192.0.2.1', '1:2:3:4:5:6:7:8:9'] } }, 'csr.san.ip.1'],
    [{ subject: { commonName: 'x' }, san: { ip: [':::'] } }, 'csr.san.ip.0'],
  ])('%o is refused naming %s', (input, field) => {
    expect(() => parseCsrRequest(input)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', data: { field } }),
    );
  });
});

describe('CSR subject in X.500 order', () => {
  it('lists C, ST, L, O, OU, CN most significant first, with values as given (no escaping)', () => {
    const r = parseCsrRequest({
      subject: {
        commonName: 'Signing, "A"',
        organizationalUnit: 'PKI',
        organization: 'Example',
        locality: 'Berlin',
        state: 'BE',
        country: 'DE',
      },
    });
    expect(subjectName(r.subject)).toEqual([
      { type: 'C', value: 'DE' },
      { type: 'ST', value: 'BE' },
      { type: 'L', value: 'Berlin' },
      { type: 'O', value: 'Example' },
      { type: 'OU', value: 'PKI' },
      { type: 'CN', value: 'Signing, "A"' },
    ]);
    // The RFC 4514 string of the same name is written least significant first.
    expect(subjectDn(r.subject)).toBe('CN=Signing\\, \\"A\\", OU=PKI, O=Example, L=Berlin, ST=BE, C=DE');
  });
});

describe('CSR IP addresses', () => {
  it.each([
    ['192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1]],
    ['::', Array(16).fill(0)],
    ['::ffff:1.2.3.4', [...Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4]],
    ['1:2:3:4:5:6:7::', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]],
    ['FE80:0:0:0:0:0:0:1', [0xfe, 0x80, ...Array(13).fill(0), 1]],
  ])('%s is %o', (text, bytes) => {
    expect([...(ipAddressBytes(text) ?? [])]).toEqual(bytes);
  });
  it.each([
    '1:2:3:4:5:6:7:8:9',
    ':::',
    '1::2::3',
    '12345::',
    ':1::',
    '1::2:',
    '1:2:3:4:5:6:7:8::',
    '1.2.3.4::',
    '::1.2.3.4:5',
    '::ffff:1.2.3.256',
    '1.2.3.04',
    '1.2.3',
    ' 1.2.3.4',
    'fe80::1%eth0',
    '',
  ])('%j is not an address', (text) => {
    expect(ipAddressBytes(text)).toBeNull();
  });
});
