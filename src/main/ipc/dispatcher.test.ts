import { describe, expect, it, vi } from 'vitest';
import { CodedError } from '../../core/errors';
import { createDispatcher, type Handlers } from './dispatcher';

const ORIGIN = 'app://station';
const good = { url: 'app://station/index.html', isMainFrame: true };
/** The console's signed-in operator, as the dispatcher asks for it (src/main/services/custodians/operators.ts). */
const alice = { actor: () => 'operator:alice', acted: vi.fn() };
const noConfirm = vi.fn(
  () =>
    <T>(run: () => T): T =>
      run(),
);

function fakeHandlers(overrides: Partial<Record<keyof Handlers, (input: never) => unknown>> = {}): Handlers {
  const base = {
    stationInfo: vi.fn(),
    journalPage: vi.fn(() => ({ entries: [], total: 0 })),
    journalEntry: vi.fn(),
    journalVerify: vi.fn(),
    journalCheckpoints: vi.fn(() => []),
    journalCheckpoint: vi.fn(),
    rosterList: vi.fn(),
    quorumSessions: vi.fn(),
    quorumSession: vi.fn(),
    quorumOpen: vi.fn(),
    quorumCheckIn: vi.fn(),
    sharesList: vi.fn(),
    sharesVerify: vi.fn(),
    ceremonyKeygenOperation: vi.fn(),
    ceremonyKeygen: vi.fn(),
    custodyList: vi.fn(),
    custodyRecord: vi.fn(),
    coverageGrid: vi.fn(),
    devicesModules: vi.fn(),
    devicesKeys: vi.fn(),
    devicesRecordInventory: vi.fn(),
    devicesPreviewKey: vi.fn(),
    devicesGenerateKey: vi.fn(),
    devicesCsr: vi.fn(),
  };
  return { ...base, ...overrides } as unknown as Handlers;
}

describe('dispatcher (the typed wrapper every handler goes through)', () => {
  it('refuses an untrusted sender before parsing input or running the handler', async () => {
    const handlers = fakeHandlers();
    const d = createDispatcher(handlers, [ORIGIN], vi.fn(), alice, noConfirm);
    const r = await d(
      'journalPage',
      { fromSeq: 1, limit: 5 },
      { url: 'https://evil.example/', isMainFrame: true },
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED_SENDER' } });
    expect(handlers.journalPage).not.toHaveBeenCalled();
  });

  it('refuses an unknown channel', async () => {
    const d = createDispatcher(fakeHandlers(), [ORIGIN], vi.fn(), alice, noConfirm);
    expect(await d('__proto__', {}, good)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await d('dropTables', {}, good)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('answers a wrong shape with INVALID_INPUT naming the field, without running the handler', async () => {
    const handlers = fakeHandlers();
    const d = createDispatcher(handlers, [ORIGIN], vi.fn(), alice, noConfirm);
    const r = await d('journalPage', { fromSeq: 'one', limit: 5 }, good);
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', data: { field: 'input.fromSeq' } },
    });
    expect(r.ok === false && r.error.message).toMatch(/^input\.fromSeq: /);
    const extra = await d('journalPage', { fromSeq: 1, limit: 5, admin: true }, good);
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await d('journalEntry', null, good)).toMatchObject({
      ok: false,
      error: { data: { field: 'input.seq' } },
    });
    expect(handlers.journalPage).not.toHaveBeenCalled();
  });

  it('validates a CSR request and a key specification field by field before any handler runs', async () => {
    const handlers = fakeHandlers();
    const d = createDispatcher(handlers, [ORIGIN], vi.fn(), alice, noConfirm);
    const token = { moduleId: 'softhsm', serial: '1234', pin: '123456' };
    const csr = await d(
      'devicesCsr',
      { ...token, keyId: '01', request: { subject: { commonName: 'x' }, san: { dns: ['not a name'] } } },
      good,
    );
    expect(csr).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', data: { field: 'input.request.san.dns.0', method: 'devicesCsr' } },
    });
    expect(csr.ok === false && csr.error.message).toMatch(/^input\.request\.san\.dns\.0: must be a DNS name/);
    const key = await d(
      'devicesGenerateKey',
      { ...token, key: { label: 'k', algorithm: 'rsa-1024' }, confirmedRecipe: 'a'.repeat(64) },
      good,
    );
    expect(key).toMatchObject({ ok: false, error: { data: { field: 'input.key.algorithm' } } });
    expect(handlers.devicesCsr).not.toHaveBeenCalled();
    expect(handlers.devicesGenerateKey).not.toHaveBeenCalled();
  });

  it('passes the parsed input to the handler and returns its value', async () => {
    const d = createDispatcher(fakeHandlers(), [ORIGIN], vi.fn(), alice, noConfirm);
    expect(await d('journalPage', { fromSeq: 1, limit: 5 }, good)).toEqual({
      ok: true,
      value: { entries: [], total: 0 },
    });
  });

  it('maps a thrown coded error to its code, message and data', async () => {
    const d = createDispatcher(
      fakeHandlers({
        journalEntry: () => {
          throw new CodedError('NOT_FOUND', 'no journal entry with seq 9', { field: 'seq' });
        },
      }),
      [ORIGIN],
      vi.fn(),
      alice,
      noConfirm,
    );
    expect(await d('journalEntry', { seq: 9 }, good)).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no journal entry with seq 9', data: { field: 'seq' } },
    });
  });

  it('hides an unexpected fault behind INTERNAL and logs it', async () => {
    const log = vi.fn();
    const d = createDispatcher(
      fakeHandlers({
        journalVerify: () => {
          throw new Error('secret path /var/lib/x');
        },
      }),
      [ORIGIN],
      log,
      alice,
      noConfirm,
    );
    const r = await d('journalVerify', {}, good);
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toContain('secret path');
    expect(log).toHaveBeenCalled();
  });

  it('never returns a value outside the contract', async () => {
    const log = vi.fn();
    const d = createDispatcher(
      fakeHandlers({ journalCheckpoints: () => [{ n: 'one' }] }),
      [ORIGIN],
      log,
      alice,
      noConfirm,
    );
    expect(await d('journalCheckpoints', {}, good)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('outside its contract'), expect.anything());
  });

  it('records an act under the console operator: the window cannot name it, and nobody signed in refuses it', async () => {
    const custodyRecord = vi.fn(() => ({ seq: 5 }));
    const handlers = fakeHandlers({ custodyRecord });
    const act = { itemId: 'esc-1', act: { type: 'media-replaced', note: 'annual swap' } };
    // What the handler gets: the operator's actor, filled in by the dispatcher.
    await createDispatcher(handlers, [ORIGIN], vi.fn(), alice, noConfirm)('custodyRecord', act, good);
    expect(custodyRecord).toHaveBeenCalledWith(expect.objectContaining({ actor: 'operator:alice' }));
    // The act ran: the session's idle clock moves. A refused or malformed act (below) does not move it.
    expect(alice.acted).toHaveBeenCalledTimes(1);
    // A name from the window is refused, even the right one: the journal's actor is never typed.
    for (const actor of ['operator:mallory', 'operator:alice']) {
      const r = await createDispatcher(
        handlers,
        [ORIGIN],
        vi.fn(),
        alice,
        noConfirm,
      )('custodyRecord', { ...act, actor }, good);
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'OPERATOR_ACTOR_MISMATCH', data: { field: 'actor' } },
      });
    }
    // No session (or a locked one): the operator's refusal is the answer, and nothing runs.
    const nobody = {
      actor: () => {
        throw new CodedError('OPERATOR_SIGN_IN_REQUIRED', 'nobody is signed in');
      },
      acted: vi.fn(),
    };
    const r = await createDispatcher(
      handlers,
      [ORIGIN],
      vi.fn(),
      nobody,
      noConfirm,
    )('custodyRecord', act, good);
    expect(r).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
    expect(custodyRecord).toHaveBeenCalledTimes(1);
    const malformed = await createDispatcher(
      handlers,
      [ORIGIN],
      vi.fn(),
      alice,
      noConfirm,
    )('custodyRecord', { itemId: 'NOT AN ID', act: act.act }, good);
    expect(malformed).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(alice.acted).toHaveBeenCalledTimes(1);
    // Reads need nobody; a check-in names its custodian by the key that signs, not by the console.
    const quorumCheckIn = vi.fn(() => ({ ok: true, custodianId: 'bob' }));
    const d = createDispatcher(fakeHandlers({ quorumCheckIn }), [ORIGIN], vi.fn(), nobody, noConfirm);
    expect(await d('journalPage', { fromSeq: 1, limit: 5 }, good)).toMatchObject({ ok: true });
    const checkIn = {
      sessionId: '6f1c2a8e-6a51-4d8e-9a51-2a6f3c1d9b10',
      moduleId: 'm',
      serial: '1',
      pin: '123456',
    };
    expect(await d('quorumCheckIn', checkIn, good)).toMatchObject({ ok: true });
    expect(quorumCheckIn).toHaveBeenCalledWith(expect.not.objectContaining({ actor: expect.anything() }));
  });

  it('runs an irreversible act only after its confirmation check; the confirmation never reaches the handler', async () => {
    const custodyRecord = vi.fn(() => ({ seq: 5 }));
    const refuse = vi.fn(() => {
      throw new CodedError('PREVIEW_STALE', 'the journal moved since the preview');
    });
    const act = { itemId: 'esc-1', act: { type: 'media-replaced', note: 'annual swap' } };
    const digest = 'ab'.repeat(32);
    const stale = createDispatcher(fakeHandlers({ custodyRecord }), [ORIGIN], vi.fn(), alice, refuse);
    expect(await stale('custodyRecord', { ...act, confirm: { digest } }, good)).toMatchObject({
      ok: false,
      error: { code: 'PREVIEW_STALE' },
    });
    expect(custodyRecord).not.toHaveBeenCalled();
    // The check sees the act as it would run (actor filled in) and the confirmation the window sent.
    expect(refuse).toHaveBeenCalledWith(
      'custodyRecord',
      expect.objectContaining({ itemId: 'esc-1', actor: 'operator:alice' }),
      { digest },
    );
    const check = vi.fn(
      () =>
        <T>(run: () => T): T =>
          run(),
    );
    const d = createDispatcher(fakeHandlers({ custodyRecord }), [ORIGIN], vi.fn(), alice, check);
    // No confirmation: the check decides (it refuses with PREVIEW_REQUIRED in the station).
    await d('custodyRecord', act, good);
    expect(check).toHaveBeenLastCalledWith('custodyRecord', expect.anything(), undefined);
    await d('custodyRecord', { ...act, confirm: { digest, typed: 'esc-1' } }, good);
    expect(custodyRecord).toHaveBeenLastCalledWith(
      expect.not.objectContaining({ confirm: expect.anything() }),
    );
    // A malformed confirmation names its field; a confirmation on a channel that takes none is refused.
    expect(await d('custodyRecord', { ...act, confirm: { digest: 'nope' } }, good)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', data: { field: 'confirm.digest' } },
    });
    expect(await d('journalPage', { fromSeq: 1, limit: 5, confirm: { digest } }, good)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    // Reads are never checked.
    expect(check).toHaveBeenCalledTimes(2);
  });
});
