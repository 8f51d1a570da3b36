import { describe, expect, it } from 'vitest';
import { MODULE_PROFILES, parseProfiles } from './profiles';

const base = {
  id: 'x',
  name: 'X',
  modulePaths: ['/usr/lib/x.so'],
  environment: [],
  production: true,
  quirks: {
    ecPointEncoding: 'der-octet-string',
    rejectsExtractableInPublicTemplate: true,
    supportsEd25519: false,
  },
  notes: '',
};

describe('module profiles', () => {
  it('the fault shim is the only test-only profile: never production, no default library path', () => {
    const testOnly = MODULE_PROFILES.filter((p) => p.testOnly);
    expect(testOnly.map((p) => p.id)).toEqual(['pkcs11-fault-shim']);
    expect(testOnly[0]).toMatchObject({ production: false, modulePaths: [] });
    expect(testOnly[0]?.name).toMatch(/tests only, not an HSM/);
    expect(MODULE_PROFILES.filter((p) => !p.testOnly).every((p) => p.modulePaths.length > 0)).toBe(true);
  });

  it.each([
    [
      'a test-only profile that claims production',
      { ...base, testOnly: true, modulePaths: [], production: true },
    ],
    ['a test-only profile with a default path', { ...base, testOnly: true, production: false }],
    ['a device profile without a path', { ...base, modulePaths: [] }],
  ])('refuses %s', (_what, profile) => {
    expect(() => parseProfiles({ 'x.json': profile })).toThrowError(/is invalid: a test-only profile/);
  });
});
