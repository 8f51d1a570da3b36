import { describe, expect, it } from 'vitest';
import type { CustodyRegisterInput } from '../../../shared/contract';
import { checkRegisterDraft, witnessLines } from './register-fields';

const good: CustodyRegisterInput = {
  itemId: 'hsm-backup-2',
  itemKind: 'backup-token',
  description: 'Backup token, intermediate CA',
  seal: {
    bagSerial: 'TB-200001',
    location: 'Safe 3, shelf 1',
    holder: 'Carol Chen',
    witnesses: ['Dan Diaz'],
  },
};
const withSeal = (seal: Partial<CustodyRegisterInput['seal']>) => ({
  ...good,
  seal: { ...good.seal, ...seal },
});

describe('the register form says the limits the journal holds it to', () => {
  it('a draft the journal would record passes; each limit stated is the schema’s boundary', () => {
    expect(checkRegisterDraft(good)).toEqual({});
    // Item id: 40 characters pass, 41 do not; uppercase does not; the message states the limit.
    expect(checkRegisterDraft({ ...good, itemId: 'a'.repeat(40) })).toEqual({});
    expect(checkRegisterDraft({ ...good, itemId: 'a'.repeat(41) }).itemId).toBe(
      'Item id is not accepted: 1 to 40 characters: lowercase letters, digits and dashes, starting with a letter or digit.',
    );
    expect(checkRegisterDraft({ ...good, itemId: 'HSM-1' }).itemId).toMatch(/^Item id is not accepted/);
    expect(checkRegisterDraft({ ...good, itemId: '' }).itemId).toMatch(/^Item id is not accepted/);
    // Description 1..500.
    expect(checkRegisterDraft({ ...good, description: 'd'.repeat(500) })).toEqual({});
    expect(checkRegisterDraft({ ...good, description: 'd'.repeat(501) }).description).toBe(
      'Description is too long: at most 500 characters.',
    );
    expect(checkRegisterDraft({ ...good, description: '   ' }).description).toBe(
      'Description is required: 1 to 500 characters.',
    );
    // Bag serial 3..40 of letters, digits, dashes.
    expect(checkRegisterDraft(withSeal({ bagSerial: 'TB1' }))).toEqual({});
    expect(checkRegisterDraft(withSeal({ bagSerial: 'TB' }))['seal.bagSerial']).toBe(
      'Bag serial is not accepted: 3 to 40 letters, digits and dashes, such as TB-104233.',
    );
    expect(checkRegisterDraft(withSeal({ bagSerial: 'T'.repeat(41) }))['seal.bagSerial']).toMatch(/3 to 40/);
    // Location 1..200, holder 1..80.
    expect(checkRegisterDraft(withSeal({ location: 'l'.repeat(200), holder: 'h'.repeat(80) }))).toEqual({});
    const long = checkRegisterDraft(withSeal({ location: 'l'.repeat(201), holder: 'h'.repeat(81) }));
    expect(long['seal.location']).toBe('Location is too long: at most 200 characters.');
    expect(long['seal.holder']).toBe('Holder is too long: at most 80 characters.');
    // A name rule says its own sentence and check ID.
    expect(checkRegisterDraft(withSeal({ holder: 'Carol  Chen' }))['seal.holder']).toMatch(
      /^Holder must use single ordinary spaces.*\(NAME-SPACE\)\.$/,
    );
    // Witnesses: none is allowed, ten are, eleven are not; a bad one is named by its line.
    expect(checkRegisterDraft(withSeal({ witnesses: [] }))).toEqual({});
    const ten = Array.from({ length: 10 }, (_, i) => `Witness ${String.fromCharCode(65 + i)}`);
    expect(checkRegisterDraft(withSeal({ witnesses: ten }))).toEqual({});
    expect(checkRegisterDraft(withSeal({ witnesses: [...ten, 'One More'] }))['seal.witnesses']).toBe(
      "Witnesses: at most 10 (up to 10 names, one per line, each a person's name of 1 to 80 characters).",
    );
    expect(checkRegisterDraft(withSeal({ witnesses: ['Dan Diaz', 'w'.repeat(81)] }))['seal.witnesses']).toBe(
      'Witness 2 is too long: at most 80 characters.',
    );
  });

  it('witnesses are read one per line, blank lines skipped', () => {
    expect(witnessLines(' Dan Diaz \n\n  Eve Ek\n')).toEqual(['Dan Diaz', 'Eve Ek']);
    expect(witnessLines('')).toEqual([]);
  });
});
