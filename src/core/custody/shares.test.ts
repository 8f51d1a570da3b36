import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { combine, split } from 'shamir-secret-sharing';
import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes';
import {
  checkShares,
  decodeShare,
  encodeShare,
  secretCommitment,
  shareCommitment,
  shareFromText,
  shareToText,
  type SplitRecord,
} from './shares';

const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());

async function makeSplit(threshold: number, total: number, secret = new Uint8Array(randomBytes(32))) {
  const splitId = new Uint8Array(randomBytes(16));
  const raw = await split(secret, total, threshold);
  const encoded = raw.map((share, i) =>
    encodeShare({ splitId, threshold, total, position: i + 1, share }, sha256),
  );
  const record: SplitRecord = {
    splitId: toHex(splitId),
    threshold,
    total,
    holders: raw.map((_, i) => ({ position: i + 1, custodianId: `custodian-${i + 1}` })),
    shareCommitments: raw.map((share, i) => shareCommitment(sha256, splitId, i + 1, share)),
    secretCommitment: secretCommitment(sha256, splitId, secret),
  };
  return { secret, splitId, encoded, record };
}

function subsets<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items as [T, ...T[]];
  return [...subsets(rest, k - 1).map((s) => [first, ...s]), ...subsets(rest, k)];
}

describe('activation shares', () => {
  it.each([
    [2, 3],
    [3, 5],
    [5, 7],
  ])(
    '(%i of %i): every M-subset checks and reconstructs; every (M−1)-subset is refused as too few',
    async (m, n) => {
      const { secret, encoded, record, splitId } = await makeSplit(m, n);
      for (const subset of subsets(encoded, m)) {
        const checked = checkShares(
          record,
          subset.map((bytes) => ({ bytes })),
          sha256,
        );
        expect(checked.ok).toBe(true);
        if (!checked.ok) continue;
        const rebuilt = await combine(checked.shares);
        expect(rebuilt).toEqual(secret);
        expect(secretCommitment(sha256, splitId, rebuilt)).toBe(record.secretCommitment);
      }
      for (const subset of subsets(encoded, m - 1)) {
        expect(
          checkShares(
            record,
            subset.map((bytes) => ({ bytes })),
            sha256,
          ),
        ).toMatchObject({ ok: false, tooFew: true, problems: [] });
      }
    },
  );

  it('the library combines too few shares into a wrong secret without error — which is why the commitment check exists', async () => {
    const { secret, encoded, record, splitId } = await makeSplit(3, 5);
    const tooFew = encoded.slice(0, 2).map((b) => decodeShare(b, sha256).share);
    const wrong = await combine(tooFew);
    expect(wrong).not.toEqual(secret);
    expect(secretCommitment(sha256, splitId, wrong)).not.toBe(record.secretCommitment);
  });

  it('property: a 1-bit flip anywhere is refused and names the share (checksum, or commitment when the checksum was redone)', async () => {
    const { encoded, record } = await makeSplit(3, 5);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        (which, at, bit, fixChecksum) => {
          const original = encoded[which]!;
          let flipped: Uint8Array = original.slice();
          const byte = at % (original.length - 4);
          flipped[byte]! ^= 1 << bit;
          if (fixChecksum) {
            const body = flipped.subarray(0, flipped.length - 4);
            flipped = new Uint8Array([...body, ...sha256(body).subarray(0, 4)]);
          }
          const others = encoded.filter((_, i) => i !== which).slice(0, 2);
          const result = checkShares(
            record,
            [{ bytes: flipped }, ...others.map((bytes) => ({ bytes }))],
            sha256,
          );
          expect(result.ok).toBe(false);
          if (result.ok) return;
          const problem = result.problems.find((p) => p.entered === 1);
          expect(problem, `flip at byte ${byte} bit ${bit}`).toBeDefined();
          if (!fixChecksum) expect(problem?.code).toBe('SHARE_CHECKSUM');
          else expect(['SHARE_BAD', 'SHARE_OTHER_SPLIT', 'SHARE_MALFORMED']).toContain(problem?.code);
          // A flipped position byte points at another holder's slot; any other flip names the true holder.
          const positionByte = 4 + 16 + 2;
          if (problem?.code === 'SHARE_BAD' && byte !== positionByte)
            expect(problem.holder).toBe(`custodian-${which + 1}`);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses a share from another split and a repeated share, naming which', async () => {
    const a = await makeSplit(2, 3);
    const b = await makeSplit(2, 3);
    const foreign = checkShares(a.record, [{ bytes: a.encoded[0]! }, { bytes: b.encoded[1]! }], sha256);
    expect(foreign).toMatchObject({ ok: false, problems: [{ entered: 2, code: 'SHARE_OTHER_SPLIT' }] });
    const twice = checkShares(a.record, [{ bytes: a.encoded[2]! }, { bytes: a.encoded[2]! }], sha256);
    expect(twice).toMatchObject({
      ok: false,
      tooFew: true,
      problems: [{ entered: 2, code: 'SHARE_DUPLICATE', holder: 'custodian-3' }],
    });
    const impostor = checkShares(
      a.record,
      [{ bytes: a.encoded[0]!, enteredBy: 'custodian-2' }, { bytes: a.encoded[1]! }],
      sha256,
    );
    expect(impostor).toMatchObject({ ok: false, problems: [{ entered: 1, code: 'SHARE_WRONG_HOLDER' }] });
  });

  it('paper text round-trips and tolerates case, spaces and dashes', async () => {
    const { encoded } = await makeSplit(2, 3);
    const text = shareToText(encoded[0]!);
    expect(text).toMatch(/^([A-Z2-7]{1,4} ?)+(\n([A-Z2-7]{1,4} ?)+)*$/);
    expect(shareFromText(text)).toEqual(encoded[0]);
    expect(shareFromText(text.toLowerCase().replace(/ /g, '-'))).toEqual(encoded[0]);
    expect(() => shareFromText('not a share!')).toThrowError(
      expect.objectContaining({ code: 'SHARE_MALFORMED' }),
    );
  });

  it('statistics: a share byte equals the secret byte about 1/256 of the time (no leading-coefficient bias)', async () => {
    let equal = 0;
    let total = 0;
    for (let run = 0; run < 300; run++) {
      const secret = new Uint8Array(randomBytes(32));
      const shares = await split(secret, 5, 3);
      for (const share of shares) {
        for (let i = 0; i < secret.length; i++) {
          if (share[i] === secret[i]) equal++;
          total++;
        }
      }
    }
    // 48,000 samples: expected 187.5, σ ≈ 13.7; ±6σ keeps the test stable while a bias to 2/256 fails it.
    expect(total).toBe(48_000);
    const expected = total / 256;
    const sigma = Math.sqrt(total * (1 / 256) * (255 / 256));
    expect(equal).toBeGreaterThan(expected - 6 * sigma);
    expect(equal).toBeLessThan(expected + 6 * sigma);
  });
});
