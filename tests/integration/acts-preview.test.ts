import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemDeps } from '../../src/main/runtime';
import { composeActPreview, confirmFor } from '../../src/main/services/acts';
import { createPacket, recordVersion, setPacketClaim } from '../../src/main/services/packets';
import { Station } from '../../src/main/station/station';
import { suiteTempDir } from '../helpers/temp';

/**
 * A confirmed act's first record lands right after the journal head its preview was made against
 * (services/acts, Station.onHead): checked in the write transaction, so an entry appended by anyone
 * while the act ran (another window, the CLI in another process) makes it PREVIEW_STALE, not recorded.
 */
let st: Station;
let suite: ReturnType<typeof suiteTempDir>;
const actor = 'operator:pm';
const claim = (text: string) => ({
  packetId: 'p-1',
  claim: { claimId: 'c-1', text, evidence: [], status: 'pending' as const },
  actor,
});

beforeAll(() => {
  suite = suiteTempDir();
  st = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  createPacket(st, {
    packetId: 'p-1',
    kind: 'portal-issuance',
    covers: 'x',
    subject: {},
    actor,
  });
});
afterAll(() => {
  st?.close();
  suite?.remove();
});

describe('a confirmed act lands on the head its preview was made against', () => {
  it('records right after the previewed head; an entry appended while the act runs refuses it, writing nothing', async () => {
    const confirm = confirmFor(st);
    const ok = await composeActPreview(st, 'packetSetClaim', claim('the key was never exported'));
    const run = await confirm('packetSetClaim', claim('the key was never exported'), { digest: ok.digest });
    const r = await run(async () => setPacketClaim(st, claim('the key was never exported')));
    expect(r.seq).toBe(ok.basedOn.seq + 1);

    // Previewed and confirmed; then, while the act waits (a token, a file), somebody else records.
    const p = await composeActPreview(st, 'packetSetClaim', claim('second text'));
    const pinned = await confirm('packetSetClaim', claim('second text'), { digest: p.digest });
    const before = st.journal.head().seq;
    // Another caller's record, scheduled outside the act's async context (as another window's call is).
    const other = new Promise<void>((resolve) =>
      setTimeout(() => {
        setPacketClaim(st, claim('somebody else'));
        resolve();
      }, 5),
    );
    await expect(
      pinned(async () => {
        await other;
        return setPacketClaim(st, claim('second text'));
      }),
    ).rejects.toMatchObject({ code: 'PREVIEW_STALE' });
    // The other caller's record is there; the act's is not.
    expect(st.journal.head().seq).toBe(before + 1);
    expect(Buffer.from(st.journal.get(before + 1)!.body).toString('utf8')).toContain('somebody else');

    // Only the act's first record is pinned: later records of the same act land after it.
    const p2 = await composeActPreview(st, 'packetSetClaim', claim('third text'));
    const run3 = await confirm('packetSetClaim', claim('third text'), { digest: p2.digest });
    const two = await run3(async () => {
      const first = setPacketClaim(st, claim('third text'));
      const second = setPacketClaim(st, claim('third text, amended'));
      return [first.seq, second.seq];
    });
    expect(two).toEqual([p2.basedOn.seq + 1, p2.basedOn.seq + 2]);
  });

  it('a version’s preview shows and digests what the station derives: its number, the draft digest and the gate', async () => {
    const p = await composeActPreview(st, 'packetRecordVersion', { packetId: 'p-1', actor });
    const line = (path: string) => p.fields.find((f) => f.path === path)?.value;
    expect(line('packetId')).toBe('"p-1"');
    expect(line('station derives.version')).toBe('1');
    expect(line('station derives.digest')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(line('station derives.gate')).toMatch(/^"(READY|HOLD-SOURCE|HOLD-ROUTING|STOPPED)"$/);
    const statement = JSON.parse(p.statement) as { derived: { version: number; digest: string } };
    expect(statement.derived.version).toBe(1);
    // Recorded on it: the version the preview showed, with the digest it showed.
    const run = await confirmFor(st)('packetRecordVersion', { packetId: 'p-1', actor }, { digest: p.digest });
    const v = await run(async () => recordVersion(st, 'p-1', actor));
    expect([v.version, v.digest]).toEqual([1, statement.derived.digest]);
  });

  it('an act that changes a device first checks the pinned head before the change, then records whatever came between', () => {
    const head = () => {
      const h = st.journal.head();
      return { seq: h.seq, hash: Buffer.from(h.hash).toString('hex') };
    };
    // Moved before the device step: refused there, nothing changed.
    const moved = head();
    setPacketClaim(st, claim('moved first'));
    expect(() => Station.onHead(moved, () => st.confirmPinnedHead())).toThrowError(
      expect.objectContaining({ code: 'PREVIEW_STALE' }),
    );
    // Still on it at the device step: released, so the record after the change is never refused.
    const still = head();
    const landed = Station.onHead(still, () => {
      st.confirmPinnedHead();
      setPacketClaim(st, claim('between the change and its record')); // (another writer, in effect)
      return setPacketClaim(st, claim('the act’s record')).seq;
    });
    expect(landed).toBe(still.seq + 2);
  });
});
