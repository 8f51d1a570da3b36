import { describe, expect, it } from 'vitest';
import { EVENT_BODIES } from '../journal/events';
import {
  describeOperation,
  encodeOperation,
  operationInputSchema,
  operationTextSchema,
  parseOperation,
  type QuorumOperation,
} from './operation';

const SHA = 'ab'.repeat(32);
const ops: QuorumOperation[] = [
  { kind: 'ceremony-keygen', tokenSerial: '1a2b3c', label: 'zsk-2027', algorithm: 'ec-p256' },
  { kind: 'ceremony-sign', tokenSerial: '1a2b3c', keyId: '01ff', dataSha256: SHA },
  { kind: 'roster-change', changeSha256: SHA },
  { kind: 'packet-stop-clear', packetId: 'deferral-hsm2', stopSeq: 12 },
  { kind: 'ceremony-presence', purpose: 'rehearsal step 7' },
];
const journalOperation = EVENT_BODIES['quorum.session-opened'].shape.operation;

describe('quorum operations: one union, one canonical text', () => {
  it('every kind round-trips through its text, and the text is what the journal accepts', () => {
    for (const op of ops) {
      const text = encodeOperation(op);
      expect(parseOperation(text)).toEqual(op);
      expect(journalOperation.safeParse(text).success, text).toBe(true);
    }
  });

  it('keeps the texts stations already hold for plain values', () => {
    expect(encodeOperation(ops[0]!)).toBe('ceremony-keygen:1a2b3c:zsk-2027:ec-p256');
    expect(encodeOperation(ops[2]!)).toBe(`roster-change:${SHA}`);
    expect(encodeOperation(ops[3]!)).toBe('packet-stop-clear:deferral-hsm2:12');
  });

  it('a key label with a space or a colon stays one field and fits the journal (it could not be bound before)', () => {
    const op: QuorumOperation = {
      kind: 'ceremony-keygen',
      tokenSerial: '1a2b3c',
      label: 'KSK 2027: root',
      algorithm: 'rsa-3072',
    };
    const text = encodeOperation(op);
    expect(text).toBe('ceremony-keygen:1a2b3c:KSK%202027%3A%20root:rsa-3072');
    expect(journalOperation.safeParse(text).success).toBe(true);
    expect(parseOperation(text)).toEqual(op);
  });

  it.each([
    ['unknown kind', 'token-login:abc:keygen', /no known kind/],
    ['no kind at all', 'ceremony-keygen', /needs 3 field/],
    ['a field too many', `roster-change:${SHA}:x`, /needs 1 field/],
    ['a bad field value', 'roster-change:abc', /changeSha256/],
    ['an uppercase digest', `roster-change:${SHA.toUpperCase()}`, /changeSha256/],
    ['a broken escape', 'ceremony-keygen:1a:bad%zz:ec-p256', /broken percent-escape/],
    ['an escape the encoder would not write', 'ceremony-keygen:1a:zsk%2D2027:ec-p256', /canonical form/],
    ['a leading zero', 'packet-stop-clear:p1:012', /canonical form/],
    ['a non-number sequence', 'packet-stop-clear:p1:twelve', /stopSeq/],
  ])('refuses %s with a coded error naming the operation field', (_, text, why) => {
    expect(() => parseOperation(text)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        data: expect.objectContaining({ field: expect.stringMatching(/^operation/) }),
      }),
    );
    expect(() => parseOperation(text)).toThrowError(why);
    expect(operationTextSchema.safeParse(text).success).toBe(false);
  });

  it('says in words what each operation authorises', () => {
    expect(ops.map(describeOperation)).toEqual([
      'generate ec-p256 key "zsk-2027" on ceremony token 1a2b3c',
      `sign data with SHA-256 ${SHA} using key 01ff on ceremony token 1a2b3c`,
      `change the custodian roster (change digest ${SHA})`,
      'clear stop notice 12 of packet deferral-hsm2 as a false positive',
      'custodians present for: rehearsal step 7 (authorises no station act)',
    ]);
  });

  it('a valid value whose text would not fit the journal is refused at encoding, naming the field to shorten', () => {
    const refused = (op: QuorumOperation, field: string) => {
      expect(() => encodeOperation(op)).toThrowError(
        expect.objectContaining({ code: 'INVALID_INPUT', data: expect.objectContaining({ field }) }),
      );
      expect(() => encodeOperation(op)).toThrowError(/the journal holds 200/);
      expect(operationInputSchema.safeParse(op).success).toBe(false);
    };
    // A 64-character label of '/' is a valid key label, and encodes to 192 characters.
    refused(
      { kind: 'ceremony-keygen', tokenSerial: '1a2b3c', label: '/'.repeat(64), algorithm: 'rsa-3072' },
      'label',
    );
    refused({ kind: 'ceremony-presence', purpose: 'ключ '.repeat(24).trim() }, 'purpose');
    // Just inside the limit: encoded, and the journal takes it.
    const fits: QuorumOperation = { kind: 'ceremony-presence', purpose: 'x'.repeat(120) };
    expect(journalOperation.safeParse(encodeOperation(fits)).success).toBe(true);
    const edge: QuorumOperation = { kind: 'ceremony-presence', purpose: `${'/'.repeat(66)}x` };
    expect(encodeOperation(edge)).toHaveLength('ceremony-presence:'.length + 199);
    expect(journalOperation.safeParse(encodeOperation(edge)).success).toBe(true);
  });

  it('the typed union is accepted at the boundary: a presence purpose as typed, spaces and colon included', () => {
    const op = { kind: 'ceremony-presence', purpose: 'rehearsal step 7: key activation' };
    expect(operationInputSchema.parse(op)).toEqual(op);
    expect(encodeOperation(op as QuorumOperation)).toBe(
      'ceremony-presence:rehearsal%20step%207%3A%20key%20activation',
    );
  });

  it('shares-reissue binds the token and the split it voids: text, words, and no other split or token', () => {
    const split = '0f'.repeat(16);
    const op: QuorumOperation = { kind: 'shares-reissue', tokenSerial: '1a2b3c', splitId: split };
    const text = encodeOperation(op);
    expect(text).toBe(`shares-reissue:1a2b3c:${split}`);
    expect(parseOperation(text)).toEqual(op);
    expect(journalOperation.safeParse(text).success).toBe(true);
    expect(describeOperation(op)).toBe(
      `re-issue the activation shares of ceremony token 1a2b3c: a new PIN split anew, split ${split} void`,
    );
    // Another split or another token is another operation: a session for one never matches the other.
    expect(encodeOperation({ ...op, splitId: 'f0'.repeat(16) })).not.toBe(text);
    expect(encodeOperation({ ...op, tokenSerial: '1a2b3d' })).not.toBe(text);
    // The split id is the journal's: 16 bytes of lowercase hex, nothing else.
    for (const bad of ['0f'.repeat(15), '0F'.repeat(16), `${'0f'.repeat(16)}00`])
      expect(() => parseOperation(`shares-reissue:1a2b3c:${bad}`)).toThrowError(/splitId/);
    expect(() => parseOperation('shares-reissue:1a2b3c')).toThrowError(/needs 2 field/);
  });
});
