import { describe, expect, it } from 'vitest';
import {
  actorSchema,
  checkId,
  ckaId,
  errorCodeText,
  generatedCkaId,
  isoDate,
  isoTime,
  objectCkaId,
  sha256Hex,
  uuid,
} from './schema';

describe('schema primitives', () => {
  it('isoTime takes what Date#toISOString writes and refuses other forms and impossible instants', () => {
    expect(isoTime.safeParse(new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)).toISOString()).success).toBe(
      true,
    );
    for (const bad of [
      '2026-02-29T00:00:00.000Z', // not a leap year
      '2026-04-31T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T00:00:00Z', // no milliseconds
      '2026-01-01T00:00:00.000+01:00', // not UTC
      '2026-01-01 00:00:00.000Z',
    ]) {
      expect(isoTime.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('isoDate refuses a day that does not exist', () => {
    expect(isoDate.safeParse('2024-02-29').success).toBe(true);
    expect(isoDate.safeParse('2026-02-29').success).toBe(false);
  });

  it('sha256Hex is 64 lowercase hex digits (digests are compared as text)', () => {
    expect(sha256Hex.safeParse('ab'.repeat(32)).success).toBe(true);
    expect(sha256Hex.safeParse('AB'.repeat(32)).success).toBe(false);
    expect(sha256Hex.safeParse('ab'.repeat(31)).success).toBe(false);
    expect(sha256Hex.safeParse('zz'.repeat(32)).success).toBe(false);
  });

  it('uuid is lowercase 8-4-4-4-12 hex', () => {
    expect(uuid.safeParse('00000000-0000-0000-0000-000000000001').success).toBe(true);
    expect(uuid.safeParse(crypto.randomUUID()).success).toBe(true);
    expect(uuid.safeParse(crypto.randomUUID().toUpperCase()).success).toBe(false);
  });

  it('actorSchema is the journal actor grammar: no empty name, no spaces', () => {
    expect(actorSchema.safeParse('operator:alice').success).toBe(true);
    expect(actorSchema.safeParse('station').success).toBe(true);
    for (const bad of ['operator:', 'operator:al ice', 'Operator:alice', ''])
      expect(actorSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('CKA_ID: one grammar, three ranges (a key named on a token, one the station generates, as read)', () => {
    const bytes = (n: number) => 'ab'.repeat(n);
    expect([ckaId, generatedCkaId, objectCkaId].map((s) => s.safeParse('').success)).toEqual([
      false,
      false,
      true,
    ]);
    expect([ckaId, generatedCkaId, objectCkaId].map((s) => s.safeParse(bytes(33)).success)).toEqual([
      true,
      false,
      true,
    ]);
    expect([ckaId, generatedCkaId, objectCkaId].map((s) => s.safeParse(bytes(65)).success)).toEqual([
      false,
      false,
      false,
    ]);
    expect(ckaId.safeParse('AB').success).toBe(false);
  });

  it('error codes and check IDs: one grammar each, narrowed by prefix', () => {
    expect(errorCodeText().safeParse('MEDIA_NOT_FOUND').success).toBe(true);
    expect(errorCodeText('QUORUM_').safeParse('QUORUM_NOT_OPEN').success).toBe(true);
    expect(errorCodeText('QUORUM_').safeParse('MEDIA_NOT_FOUND').success).toBe(false);
    expect(errorCodeText().safeParse('media_not_found').success).toBe(false);
    expect(checkId('ATT-').safeParse('ATT-HSM-RESIDENT').success).toBe(true);
    expect(checkId('ATT-').safeParse('DEF-RUNWAY').success).toBe(false);
    expect(checkId().safeParse('DEF-').success).toBe(false);
  });
});
