import { describe, expect, it } from 'vitest';
import { parseCsrRequest, subjectDn } from './csr-request';
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
  ])('%o is refused naming %s', (input, field) => {
    expect(() => parseCsrRequest(input)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', data: { field } }),
    );
  });
});
