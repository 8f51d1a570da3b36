import { describe, expect, it } from 'vitest';
import { checkValues, compareValue, maskedPreview, valueText, type PortalValues } from './driver';
import { bundledPortalProfile } from './profile';

describe('read-back comparison', () => {
  it('compares text exactly, line endings aside; a shorter start is a truncation', () => {
    expect(compareValue('text', 'abc\r\ndef', 'abc\ndef')).toEqual({ match: true });
    expect(compareValue('text', 'abcdef', 'abc')).toMatchObject({ match: false, kind: 'truncation' });
    expect(compareValue('text', 'abcdef', 'abcdeg')).toMatchObject({ match: false, kind: 'different-value' });
    expect(compareValue('text', 'abc', 'abc ')).toMatchObject({ match: false, kind: 'different-value' });
    expect(compareValue('text', 'abc', 'ABC')).toMatchObject({ match: false, kind: 'different-value' });
  });

  it('compares lines as sets: order aside, a line more is an extra value, a line less a different one', () => {
    expect(compareValue('lines', ['dns:a', 'dns:b'], 'dns:b\n dns:a \n\n')).toEqual({ match: true });
    expect(compareValue('lines', ['dns:a'], 'dns:a\ndns:*.a')).toMatchObject({ kind: 'extra-value' });
    expect(compareValue('lines', ['dns:a', 'dns:b'], 'dns:a')).toMatchObject({ kind: 'different-value' });
    expect(compareValue('lines', ['dns:a', 'dns:b'], 'dns:a\ndns:b\ndns:a')).toMatchObject({
      kind: 'extra-value',
    });
    expect(compareValue('lines', ['dns:abcdef'], 'dns:abc')).toMatchObject({ kind: 'truncation' });
  });

  it("matches a select by the option's value or label", () => {
    expect(compareValue('select', 'TLS server', 'tls', ['tls', 'TLS server'])).toEqual({ match: true });
    expect(compareValue('select', 'TLS server', 'staging', ['tls', 'TLS server'])).toMatchObject({
      kind: 'different-value',
    });
  });

  it('previews never hold a value longer than eight characters whole', () => {
    expect(maskedPreview('')).toBe('(empty)');
    expect(maskedPreview('secret')).toBe('•••••• (6 chars)');
    expect(maskedPreview('0123456789abcdef')).toBe('0123…cdef (16 chars)');
    expect(valueText(['a ', ' b'])).toBe('a\nb');
  });
});

describe('packet values against a profile', () => {
  const profile = bundledPortalProfile('test-portal');
  const values: PortalValues = {
    subscriberService: 's',
    organization: 'o',
    commonName: 'c',
    environment: 'production',
    profile: 'TLS server',
    sans: ['dns:a'],
    custodyAttestation: 'x',
    keyFingerprint: 'f',
    csrPem: 'p',
    justification: 'j',
    issuanceWindow: 'w',
    approvalRefs: ['r'],
  };

  it('accepts a complete set', () => {
    expect(() => checkValues(profile, values)).not.toThrow();
  });

  it.each([
    [{ ...values, commonName: undefined }, 'commonName'],
    [{ ...values, commonName: '' }, 'commonName'],
    [{ ...values, sans: 'dns:a' }, 'sans'],
    [{ ...values, sans: ['dns:a\ndns:b'] }, 'sans'],
    [{ ...values, approvalRefs: [] }, 'approvalRefs'],
    [{ ...values, environment: 'development' }, 'environment'],
    [{ ...values, pin: '1234' }, 'pin'],
  ])('refuses %j, naming %s', (bad, field) => {
    expect(() => checkValues(profile, bad as PortalValues)).toThrow(
      expect.objectContaining({ code: 'PORTAL_VALUES_INVALID', data: expect.objectContaining({ field }) }),
    );
  });
});
