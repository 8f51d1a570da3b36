import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { describe, expect, it, vi } from 'vitest';
import { buildJournal, makeCheckpoint } from '../../core/journal/test-support';
import { verifyJournal } from '../../core/journal/verify';
import {
  ACT_METHODS,
  CHANNELS_BY_DOMAIN,
  contract,
  createStationApi,
  ipcChannel,
  journalVerdictSchema,
  mergeChannels,
  METHODS,
} from '.';
import { ERROR_CATALOGUE } from '../errors';

describe('contract', () => {
  it('every channel that takes an actor is an act whose actor the dispatcher fills in, but for a check-in (OPS-ACTIVE)', () => {
    // A probe: a channel that does not know `actor` refuses it as an unrecognised key. Whatever else a
    // channel's schema is (refined, piped, nested), knowing `actor` puts it here, or it fails this test.
    const knowsActor = METHODS.filter((m) => {
      const r = contract[m].input.safeParse({ actor: 'operator:probe' });
      return !(
        !r.success && r.error.issues.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('actor'))
      );
    });
    const selfProving = ['quorumCheckIn'];
    // A preview's input is one schema per act (the probe trips on its method first): the act's fields
    // without the actor, so a window-sent actor there is refused as an unrecognised key.
    const previews = ['actPreview'];
    expect(knowsActor.filter((m) => !ACT_METHODS.has(m)).sort()).toEqual(
      [...previews, ...selfProving].sort(),
    );
    const preview = contract.actPreview.input.safeParse({
      method: 'packetRecordVersion',
      input: { packetId: 'deferral-1', actor: 'operator:probe' },
    });
    expect(
      !preview.success &&
        preview.error.issues.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('actor')),
    ).toBe(true);
    expect(
      contract.actPreview.input.safeParse({
        method: 'packetRecordVersion',
        input: { packetId: 'deferral-1' },
      }).success,
    ).toBe(true);
    expect([...ACT_METHODS].every((m) => knowsActor.includes(m))).toBe(true);
    expect(ACT_METHODS.size).toBeGreaterThan(20);
  });

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

  it('a channel declared in two domain files is an error naming both files', () => {
    const channel = { input: z.strictObject({}), output: z.null() };
    expect(() =>
      mergeChannels({ journal: { journalPage: channel }, bundles: { other: channel, journalPage: channel } }),
    ).toThrow(
      'contract channel "journalPage" is declared in both contract/journal.ts and contract/bundles.ts',
    );
    expect(Object.keys(mergeChannels({ a: { one: channel }, b: { two: channel } }))).toEqual(['one', 'two']);
  });

  it('every channel has exactly one home: the domain files together are the contract, frozen', () => {
    const declared = Object.values(CHANNELS_BY_DOMAIN).flatMap((channels) => Object.keys(channels));
    expect(declared.sort()).toEqual([...METHODS].sort());
    expect(Object.isFrozen(contract)).toBe(true);
  });

  it('every input is described field by field: no z.custom, nothing that accepts any value', () => {
    const loose: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}.${i}`));
      if (typeof node !== 'object' || node === null) return;
      if (Object.keys(node).length === 0 && !path.endsWith('.properties')) loose.push(path);
      for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
    };
    for (const method of METHODS) {
      // z.custom cannot be written as JSON Schema (it throws); z.any / z.unknown come out as `{}`.
      const schema = z.toJSONSchema(contract[method].input, { io: 'input' });
      walk(schema, method);
    }
    expect(loose).toEqual([]);
  });

  it('key specifications and CSR requests are refused at the boundary naming the bad field', () => {
    const token = { moduleId: 'softhsm', serial: '1234', pin: '123456', actor: 'operator:alice' };
    const key = { label: 'zsk-2027', algorithm: 'ec-p256' };
    const issue = (r: { success: boolean; error?: z.ZodError }) => r.error?.issues[0]?.path;
    const gen = (k: unknown) =>
      contract.devicesGenerateKey.input.safeParse({ ...token, key: k, confirmedRecipe: 'a'.repeat(64) });
    expect(gen(key).success).toBe(true);
    expect(issue(gen({ ...key, algorithm: 'dsa-1024' }))).toEqual(['key', 'algorithm']);
    expect(issue(gen({ ...key, label: ' padded ' }))).toEqual(['key', 'label']);
    expect(issue(gen({ ...key, extractable: true }))).toEqual(['key']);
    expect(
      issue(contract.ceremonyKeygenOperation.input.safeParse({ splitId: 'a'.repeat(32), key: {} })),
    ).toEqual(['key', 'label']);
    const csr = (request: unknown) => contract.devicesCsr.input.safeParse({ ...token, keyId: '01', request });
    const request = { subject: { commonName: 'signing.example.org', country: 'DE' } };
    const ok = csr(request);
    expect(ok.success && ok.data.request.san).toEqual({ dns: [], email: [], ip: [] });
    expect(issue(csr({ ...request, san: { dns: ['signing.example.org', 'not a name'] } }))).toEqual([
      'request',
      'san',
      'dns',
      1,
    ]);
    expect(issue(csr({ subject: { commonName: 'x', country: 'Germany' } }))).toEqual([
      'request',
      'subject',
      'country',
    ]);
  });

  it('values the journal would refuse are refused at the boundary by the same rule (custody act, roster names)', () => {
    const act = (a: unknown) =>
      contract.custodyRecord.input.safeParse({ itemId: 'hsm-1', act: a, actor: 'operator:alice' });
    const sealed = {
      type: 'sealed',
      bagSerial: 'TB-104233',
      location: 'Safe 2',
      holder: 'Alice',
      witnesses: [],
    };
    expect(act(sealed).success).toBe(true);
    expect(act({ ...sealed, bagSerial: 'TB 104233!' }).error?.issues[0]?.path).toEqual(['act', 'bagSerial']);
    // A bidi override in a name is refused (NAME-FORMAT), as the journal refuses it.
    const bidi = act({ ...sealed, holder: 'Ali\u202Ece' });
    expect(bidi.error?.issues[0]).toMatchObject({
      path: ['act', 'holder'],
      message: expect.stringContaining('NAME-FORMAT'),
    });
    expect(act({ ...sealed, type: 'burned' }).success).toBe(false);
  });

  it('every catalogued error has an action for the operator', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.action.length, code).toBeGreaterThan(10);
    }
  });
});
