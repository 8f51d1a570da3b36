import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/main/ipc/dispatcher';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { systemDeps } from '../../../src/main/runtime';
import { confirmFor } from '../../../src/main/services/acts';
import { ConsoleOperator, initRoster } from '../../../src/main/services/custodians';
import { registerModule } from '../../../src/main/services/devices/modules';
import { Station } from '../../../src/main/station/station';
import type { ActPreview, CoverageCellView, Method, WindowInput } from '../../../src/shared/contract';
import { custodianKeyPems, initTokens, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';

/**
 * Registering a custody item with its first seal, and setting a signer's availability, as the console
 * does them: through the dispatcher of a real station (SQLite on disk, operators signed in with their own
 * SoftHSM2 tokens), each act previewed and then run with its preview's digest, recorded under whoever is
 * signed in; bad input is refused naming the field, and nothing is written.
 */
const PIN = '246810';
const MODULE = 'hsm';
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
const now = Date.parse('2026-06-01T08:00:00.000Z');
const serial: Record<string, string> = {};
let call: <M extends Method>(
  method: M,
  input: unknown,
) => Promise<{ ok: boolean; value?: unknown; error?: unknown }>;

const head = () => station.journal.head().seq;
const entriesFrom = (seq: number) =>
  station.journal.page(seq, 100).map((r) => ({
    seq: r.seq,
    kind: r.kind,
    actor: r.actor,
    body: JSON.parse(Buffer.from(r.body).toString('utf8')) as Record<string, unknown>,
  }));

/** The act as the console runs it: its preview first, then the act carrying that preview's digest. */
async function previewed<M extends Method & ('custodyRegister' | 'coverageSet')>(
  method: M,
  input: Omit<WindowInput<M>, 'confirm'>,
) {
  const p = await call('actPreview', { method, input });
  if (!p.ok) throw new Error(JSON.stringify(p.error));
  const preview = p.value as ActPreview;
  return { preview, result: await call(method, { ...input, confirm: { digest: preview.digest } }) };
}

beforeAll(async () => {
  suite = suiteTempDir();
  const { conf } = softhsmWorld(suite.dir);
  initTokens(['alice', 'bob', 'carol'], () => PIN);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    { ...systemDeps, clock: () => new Date(now) },
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: 'softhsm2',
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: conf },
    actor: 'operator:so',
  });
  const module = station.hsm.module(MODULE);
  for (const t of module.tokens()) serial[t.label] = t.serial;
  const pem = await custodianKeyPems(module, serial, ['alice', 'bob', 'carol'], PIN);
  const entry = (who: string, validFrom = '2026-01-01T00:00:00.000Z') => ({
    custodianId: who,
    name: who[0]!.toUpperCase() + who.slice(1),
    roles: ['custodian'],
    publicKey: pem[who]!,
    validFrom,
    validUntil: '2030-01-01T00:00:00.000Z',
  });
  initRoster(station, {
    quorum: 2,
    // Carol is on the roster but not valid before next year: her availability this year counts for nothing.
    custodians: [entry('alice'), entry('bob'), entry('carol', '2027-01-01T00:00:00.000Z')],
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
  const operator = new ConsoleOperator(station);
  const dispatch = createDispatcher(
    createHandlers({ station, host: 'browser', log: () => {}, operator }),
    ['app://station'],
    () => {},
    operator,
    confirmFor(station),
  );
  call = (method, input) => dispatch(method, input, { url: 'app://station/index.html', isMainFrame: true });
  const signIn = await call('operatorSignIn', { moduleId: MODULE, serial: serial.alice, pin: PIN });
  expect(signIn).toMatchObject({ ok: true, value: { actor: 'operator:alice' } });
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

const item = {
  itemId: 'hsm-backup-2',
  itemKind: 'backup-token' as const,
  description: 'Backup token, intermediate CA',
  seal: {
    bagSerial: 'TB-200001',
    location: 'Safe 3, shelf 1',
    holder: 'Carol Chen',
    witnesses: ['Dan Diaz', 'Eve Ek'],
  },
};

describe('registering a custody item at the console', () => {
  it('the preview shows the item and its first seal under the signed-in operator; the act records both, where it said', async () => {
    const before = head();
    const { preview, result } = await previewed('custodyRegister', item);
    expect(preview).toMatchObject({
      title: 'Register a custody item and its first seal',
      actor: 'operator:alice',
      typeToConfirm: null,
      basedOn: { seq: before },
      nextSeq: before + 1,
    });
    expect(preview.fields).toEqual(
      expect.arrayContaining([
        { path: 'itemId', value: '"hsm-backup-2"' },
        { path: 'itemKind', value: '"backup-token"' },
        { path: 'seal.bagSerial', value: '"TB-200001"' },
        { path: 'seal.witnesses[1]', value: '"Eve Ek"' },
      ]),
    );
    expect(result).toMatchObject({
      ok: true,
      value: {
        itemId: 'hsm-backup-2',
        itemKind: 'backup-token',
        sealed: true,
        bagSerial: 'TB-200001',
        location: 'Safe 3, shelf 1',
        holder: 'Carol Chen',
      },
    });
    // Two entries, together, under Alice: the registration and the seal, exactly as the journal holds them.
    expect(entriesFrom(before + 1)).toEqual([
      {
        seq: before + 1,
        kind: 'custody.item-registered',
        actor: 'operator:alice',
        body: {
          itemId: 'hsm-backup-2',
          itemKind: 'backup-token',
          description: 'Backup token, intermediate CA',
        },
      },
      {
        seq: before + 2,
        kind: 'custody.sealed',
        actor: 'operator:alice',
        body: { itemId: 'hsm-backup-2', ...item.seal },
      },
    ]);
    const list = await call('custodyList', {});
    expect((list.value as { itemId: string; status: string }[]).map((i) => i.itemId)).toContain(
      'hsm-backup-2',
    );
  });

  it('bad input is refused naming the field, at the preview and at the act, and nothing is written', async () => {
    const before = head();
    const cases: [unknown, string][] = [
      [{ ...item, itemId: 'HSM 2' }, 'input.itemId'],
      [{ ...item, itemKind: 'safe' }, 'input.itemKind'],
      [{ ...item, description: '' }, 'input.description'],
      [{ ...item, seal: { ...item.seal, bagSerial: 'TB' } }, 'input.seal.bagSerial'],
      [{ ...item, seal: { ...item.seal, holder: 'Carol  Chen' } }, 'input.seal.holder'],
      [
        { ...item, seal: { ...item.seal, witnesses: Array.from({ length: 11 }, () => 'Dan Diaz') } },
        'input.seal.witnesses',
      ],
      [{ ...item, seal: { ...item.seal, location: 'l'.repeat(201) } }, 'input.seal.location'],
    ];
    for (const [input, field] of cases) {
      expect(await call('actPreview', { method: 'custodyRegister', input })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', data: { field, method: 'custodyRegister' } },
      });
      const act = await call('custodyRegister', {
        ...(input as object),
        confirm: { digest: '00'.repeat(32) },
      });
      expect(act).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', data: { field } } });
    }
    // The window never names the actor; an act without its preview runs nothing.
    expect(await call('custodyRegister', { ...item, itemId: 'x-1', actor: 'operator:alice' })).toMatchObject({
      ok: false,
      error: { code: 'OPERATOR_ACTOR_MISMATCH' },
    });
    expect(await call('custodyRegister', { ...item, itemId: 'x-1' })).toMatchObject({
      ok: false,
      error: { code: 'PREVIEW_REQUIRED' },
    });
    expect(head()).toBe(before);
  });

  it('an id already registered is CUSTODY_ITEM_EXISTS at itemId, and neither entry is written', async () => {
    const before = head();
    const { result } = await previewed('custodyRegister', {
      ...item,
      seal: { ...item.seal, bagSerial: 'TB-999999' },
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'CUSTODY_ITEM_EXISTS', data: { field: 'itemId' } },
    });
    expect(head()).toBe(before);
    const items = (await call('custodyList', {})).value as { itemId: string; bagSerial: string }[];
    expect(items.find((i) => i.itemId === 'hsm-backup-2')?.bagSerial).toBe('TB-200001');
  });
});

describe('setting availability on the coverage grid at the console', () => {
  const day = { date: '2026-06-02', shift: 'day' };
  const cell = async () => {
    const g = await call('coverageGrid', { from: day.date, days: 1, shifts: [day.shift] });
    return (g.value as { threshold: number; cells: CoverageCellView[] }).cells[0]!;
  };

  it('each statement is recorded under the signed-in operator, the cell is COVERED only at quorum, and says who set what', async () => {
    expect(await cell()).toMatchObject({ covered: false, available: [], statements: [] });
    const before = head();
    const first = await previewed('coverageSet', { custodianId: 'alice', ...day, available: true });
    expect(first.preview).toMatchObject({
      title: "Set a signer's availability for a shift",
      actor: 'operator:alice',
    });
    expect(first.result).toMatchObject({ ok: true, value: { covered: false, available: ['alice'] } });
    // The station has no rule that only the signer may state their own availability (nor has the CLI):
    // Alice states Bob's, and the journal and the cell say it was Alice.
    const second = await previewed('coverageSet', { custodianId: 'bob', ...day, available: true });
    expect(second.result).toMatchObject({ ok: true, value: { covered: true, available: ['alice', 'bob'] } });
    expect(entriesFrom(before + 1).map((e) => [e.kind, e.actor, e.body.custodianId])).toEqual([
      ['coverage.availability-set', 'operator:alice', 'alice'],
      ['coverage.availability-set', 'operator:alice', 'bob'],
    ]);
    expect((await cell()).statements).toEqual([
      {
        custodianId: 'alice',
        available: true,
        actor: 'operator:alice',
        seq: before + 1,
        at: expect.any(String),
      },
      {
        custodianId: 'bob',
        available: true,
        actor: 'operator:alice',
        seq: before + 2,
        at: expect.any(String),
      },
    ]);

    // Bob signs in and withdraws: the cell falls below quorum and is SHORT again, his statement the latest.
    await call('operatorSignIn', { moduleId: MODULE, serial: serial.bob, pin: PIN });
    const third = await previewed('coverageSet', { custodianId: 'bob', ...day, available: false });
    expect(third.preview.actor).toBe('operator:bob');
    expect(third.result).toMatchObject({ ok: true, value: { covered: false, available: ['alice'] } });
    // Carol says available, but her roster entry is not valid that day: still SHORT, her statement shown.
    const fourth = await previewed('coverageSet', { custodianId: 'carol', ...day, available: true });
    const now = fourth.result.value as CoverageCellView;
    expect([now.covered, now.available]).toEqual([false, ['alice']]);
    expect(now.statements.map((s) => [s.custodianId, s.available, s.actor])).toEqual([
      ['alice', true, 'operator:alice'],
      ['bob', false, 'operator:bob'],
      ['carol', true, 'operator:bob'],
    ]);
  });

  it('bad input is refused naming the field, and nothing is written', async () => {
    const before = head();
    for (const [input, field] of [
      [{ custodianId: 'alice', date: '2026-02-30', shift: 'day', available: true }, 'input.date'],
      [{ custodianId: 'alice', ...day, shift: 'Night!' }, 'input.shift'],
      [{ custodianId: 'Alice', ...day, available: true }, 'input.custodianId'],
      [{ custodianId: 'alice', ...day }, 'input.available'],
    ] as const) {
      expect(await call('actPreview', { method: 'coverageSet', input })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', data: { field } },
      });
      expect(await call('coverageSet', { ...input, confirm: { digest: '00'.repeat(32) } })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', data: { field } },
      });
    }
    // Somebody not on the roster: the act is refused by the service, at the field, after its preview.
    const { result } = await previewed('coverageSet', { custodianId: 'zed', ...day, available: true });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'CUSTODIAN_NOT_FOUND', data: { field: 'custodianId' } },
    });
    expect(head()).toBe(before);
  });
});
