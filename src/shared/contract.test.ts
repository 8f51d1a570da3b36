import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { buildJournal, makeCheckpoint } from '../core/journal/test-support';
import { verifyJournal } from '../core/journal/verify';
import { contract, createStationApi, ipcChannel, journalVerdictSchema, METHODS } from './contract';
import { ERROR_CATALOGUE } from './errors';

describe('contract', () => {
  it('createStationApi exposes exactly the contract methods, frozen, each forwarding its own name', async () => {
    const invoke = vi.fn(async (method: string, input: unknown) => ({ ok: true, value: { method, input } }));
    const api = createStationApi(invoke);
    expect(Object.keys(api).sort()).toEqual(Object.keys(contract).sort());
    expect(Object.isFrozen(api)).toBe(true);
    await api.journalEntry({ seq: 3 });
    expect(invoke).toHaveBeenCalledWith('journalEntry', { seq: 3 });
    expect('invoke' in api).toBe(false);
  });

  it('channel names are namespaced and unique', () => {
    const names = METHODS.map(ipcChannel);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^station:[a-zA-Z]+$/);
  });

  it('every verdict the core verifier can produce fits the wire schema', () => {
    const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const rows = buildJournal(sha256, 5);
    const sid = '11111111-2222-4333-8444-555555555555';
    const cp = makeCheckpoint(sid, rows, 1, 5, (m) => sign(null, m, privateKey));
    const opts = {
      sha256,
      stationId: sid,
      checkSignature: (c: typeof cp, m: Uint8Array) => verify(null, m, publicKey, c.signature),
    };
    const verdicts = [
      verifyJournal(rows, { ...opts, checkpoints: [cp] }),
      verifyJournal(rows, { ...opts, checkpoints: [] }),
      verifyJournal(rows.slice(0, 3), { ...opts, checkpoints: [cp] }),
      verifyJournal([], { ...opts, checkpoints: [] }),
    ];
    expect(verdicts.map((v) => v.status)).toEqual(['VERIFIED', 'UNANCHORED', 'TAMPERED', 'UNANCHORED']);
    for (const v of verdicts) expect(journalVerdictSchema.parse(v)).toEqual(v);
  });

  it('strict inputs: unknown keys and out-of-range values are refused', () => {
    expect(contract.journalPage.input.safeParse({ fromSeq: 1, limit: 10 }).success).toBe(true);
    expect(contract.journalPage.input.safeParse({ fromSeq: 0, limit: 10 }).success).toBe(false);
    expect(contract.journalPage.input.safeParse({ fromSeq: 1, limit: 501 }).success).toBe(false);
    expect(contract.journalPage.input.safeParse({ fromSeq: 1, limit: 10, sql: 'x' }).success).toBe(false);
  });

  it('every catalogued error has an action for the operator', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.action.length, code).toBeGreaterThan(10);
    }
  });
});
