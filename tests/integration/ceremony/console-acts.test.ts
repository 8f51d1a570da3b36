import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/main/ipc/dispatcher';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { systemDeps } from '../../../src/main/runtime';
import { confirmFor } from '../../../src/main/services/acts';
import {
  actStep,
  checkStep,
  decideDeviation,
  openRun,
  runView,
  witnessStep,
} from '../../../src/main/services/ceremonies';
import { checkInWithToken, ConsoleOperator, openQuorumSession } from '../../../src/main/services/custodians';
import { Station } from '../../../src/main/station/station';
import {
  PREVIEW_REDACTED_FIELDS,
  type ConfirmedMethod,
  type Method,
  type Output,
  type WindowInput,
} from '../../../src/shared/contract';
import type { Result } from '../../../src/shared/errors';
import { suiteTempDir } from '../../helpers/temp';
import { ceremonyRoom, example, MC, MODULE, OPERATOR, PIN, SCRATCH_PIN, stepQuorum } from './support';

/**
 * The Ceremonies view runs every ceremony type as the CLI does (docs/ceremonies.md, "At the console"):
 * through the real IPC handlers and dispatcher, on real SoftHSM2 tokens and SQLite, signed in as the
 * operator. A rehearsal started with ceremonyStart is readied (the key a destruction acts on; the
 * REHEARSAL shares a re-issue takes); the re-issue act takes only share files the station listed for
 * that run (ceremonyShareFiles) — any other path is refused before anything reads it, and nothing is
 * recorded. The steps between are performed through the run service, each under its own seat.
 */
const CLOCK = () => new Date('2027-03-16T08:00:00.000Z');
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let media: string;
let serial: Record<string, string> = {};
let call: <M extends Method>(method: M, input: WindowInput<M>) => Promise<Result<Output<M>>>;

const head = () => station.journal.head().seq;

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

type Draft<M extends ConfirmedMethod> = Omit<WindowInput<M>, 'confirm' | 'pin'>;

/** The window's two steps: the preview (no secret), then the act with its digest and its PIN. */
async function confirmed<M extends ConfirmedMethod>(
  method: M,
  draft: Draft<M>,
  pin?: string,
): Promise<Result<Output<M>>> {
  const shown = Object.fromEntries(
    Object.entries(draft as Record<string, unknown>).filter(([k]) => !PREVIEW_REDACTED_FIELDS.includes(k)),
  );
  const preview = value(await call('actPreview', { method, input: shown }));
  return call(method, {
    ...draft,
    ...(pin ? { pin } : {}),
    confirm: { digest: preview.digest },
  } as unknown as WindowInput<M>);
}

beforeAll(async () => {
  suite = suiteTempDir();
  const dir = join(suite.dir, 'st');
  const room = await ceremonyRoom(suite.dir, dir, {
    clock: CLOCK,
    validity: { from: '2027-01-01T00:00:00.000Z', until: '2028-01-01T00:00:00.000Z' },
  });
  serial = room.serial;
  room.station.close();
  // The same station, its removable volume listed: the reviewed ceremony files are on it.
  media = join(suite.dir, 'usb');
  mkdirSync(media);
  for (const name of ['key-destruction', 'share-reissue'])
    copyFileSync(example(name), join(media, `${name}.yaml`));
  station = Station.open(dir, {
    ...systemDeps,
    clock: CLOCK,
    config: { ...systemDeps.config, mediaDirs: [media] },
  });
  const operator = new ConsoleOperator(station);
  const dispatch = createDispatcher(
    createHandlers({ station, host: 'browser', log: () => {}, operator }),
    ['app://station'],
    () => {},
    operator,
    confirmFor(station),
  );
  call = async (method, input) =>
    (await dispatch(method, input, { url: 'app://station/index.html', isMainFrame: true })) as never;
  // Ben Ortiz, the operator of every example file, signs in at the console.
  value(await call('operatorSignIn', { moduleId: MODULE, serial: serial['ben-ortiz']!, pin: PIN }));
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

const fileOnMedia = async (name: string) =>
  value(await call('ceremonyFiles', {})).find((f) => f.name === `${name}.yaml`)!.path;

/** The run performed through the service by its seats, the MC continuing on each deviation, up to `until`'s act. */
async function driveTo(runId: string, until: string, quorum?: () => string): Promise<string[]> {
  const deviations: string[] = [];
  for (let guard = 0; guard < 60; guard++) {
    const { ceremony, state } = openRun(station, runId);
    const c = state.current!;
    const step = ceremony.file.steps[c.index]!;
    const actor = step.by === 'master-of-ceremonies' ? MC : OPERATOR;
    if (c.needs === 'decision') {
      const d = state.openDeviation!;
      deviations.push(`${d.stepId}/${d.phase}`);
      decideDeviation(station, { runId, deviationSeq: d.seq, decision: 'continue', reason: 'MC', actor: MC });
    } else if (c.needs === 'check') {
      checkStep(station, {
        runId,
        pin: SCRATCH_PIN,
        quorumSessionId: step.quorum ? quorum?.() : undefined,
        bags: (step.bags?.in ?? []).map((s) => ({ serial: s, readAloud: s, intact: true })),
        actor,
      });
    } else if (c.needs === 'act') {
      if (c.stepId === until) return deviations;
      // The operator's acts through the window (signed in), with what the runner view says they need.
      const note = `done: ${step.title}`;
      const needs = value(await call('ceremonyRun', { runId })).current!.act.needs;
      if (actor === OPERATOR)
        value(
          await confirmed(
            'ceremonyAct',
            { runId, stepId: c.stepId, ...(needs.note ? { note } : {}) },
            needs.pin ? SCRATCH_PIN : undefined,
          ),
        );
      else await actStep(station, { runId, note, actor });
    } else {
      const witnessed = state.steps[c.index]!.witnesses.map((w) => w.custodianId);
      const next = ['chloe-meyer', 'hugo-brandt', 'dev-patel'].find((w) => !witnessed.includes(w))!;
      witnessStep(station, { runId, moduleId: MODULE, serial: serial[next]!, pin: PIN, actor });
    }
  }
  throw new Error(`the run did not reach ${until}`);
}

const keysOn = (tokenSerial: string) =>
  station.hsm
    .module(MODULE)
    .withSession(tokenSerial, { write: false, login: { user: 'user', pin: SCRATCH_PIN } }, (s) =>
      s.listKeys(),
    );

describe('key destruction from the console', () => {
  it('ceremonyStart readies the rehearsal with the key it destroys; the destroy act runs through ceremonyAct', async () => {
    const started = value(
      await confirmed(
        'ceremonyStart',
        { path: await fileOnMedia('key-destruction'), mode: 'rehearsal' },
        SCRATCH_PIN,
      ),
    );
    expect(started.prepared).toMatchObject({ kind: 'key', label: 'intermediate-2023', backup: false });
    const { runId } = started;
    const target = value(await call('ceremonyRun', { runId })).target!;
    const made = keysOn(target.tokenSerial!).filter((k) => k.label === 'intermediate-2023');
    expect(made.map((k) => k.id)).toContain(started.prepared!.kind === 'key' ? started.prepared!.id : '');
    expect(made.some((k) => k.hasPrivate)).toBe(true);

    const presence = () => stepQuorum(station, serial, runId, 'destroy-key', ['erin-walsh', 'greta-lind']);
    expect(await driveTo(runId, 'destroy-key', presence)).toEqual(['attest-firmware/precondition']);
    // The runner says what the act needs: the token's user PIN, nothing else.
    const act = value(await call('ceremonyRun', { runId })).current!.act;
    expect(act.kind).toBe('destroy-key');
    expect(act.needs).toEqual({
      note: false,
      pin: true,
      escrowPin: false,
      soPin: false,
      shares: false,
      shareVolume: false,
    });

    const r = value(await confirmed('ceremonyAct', { runId, stepId: 'destroy-key' }, SCRATCH_PIN));
    expect(r.deviationSeq).toBeNull();
    expect(r.postconditions).toEqual([expect.objectContaining({ kind: 'object-absent', result: 'pass' })]);
    expect(keysOn(target.tokenSerial!).filter((k) => k.label === 'intermediate-2023')).toEqual([]);
    const acted = station.journal
      .eventsOfKind('ceremony.step-acted')
      .find((e) => e.body.runId === runId && e.body.stepId === 'destroy-key')!;
    expect(acted.actor).toBe(OPERATOR);
    expect(acted.body.marking).toBe('REHEARSAL');
  });
});

describe('share re-issue from the console', () => {
  it('lists only the volume share files and this rehearsal’s own, refuses any other path with nothing recorded, and re-issues with the listed ones', async () => {
    // On the custodians' media: a share file (listed), a note (not a share), a link named like a share.
    writeFileSync(join(media, 'other-split-erin-walsh-share-1-of-3.txt'), 'not this split\n');
    writeFileSync(join(media, 'notes.txt'), 'hello\n');
    symlinkSync('/etc/passwd', join(media, 'evil-share-1-of-3.txt'));

    const path = await fileOnMedia('share-reissue');
    const started = value(await confirmed('ceremonyStart', { path, mode: 'rehearsal' }, SCRATCH_PIN));
    const { runId } = started;
    if (started.prepared?.kind !== 'shares') throw new Error('not readied with shares');
    expect(started.prepared.shareFiles).toEqual(
      ['erin-walsh', 'greta-lind', 'ines-kowalski'].map(
        (who, i) => `activation-shares-2027-current-${who}-share-${i + 1}-of-3.REHEARSAL.txt`,
      ),
    );
    // Another rehearsal of the same file: its shares are its own, never this run's.
    const other = value(await confirmed('ceremonyStart', { path, mode: 'rehearsal' }, SCRATCH_PIN));
    if (other.prepared?.kind !== 'shares') throw new Error('not readied with shares');

    const listed = value(await call('ceremonyShareFiles', { runId }));
    expect(listed.filter((f) => f.source === 'volume').map((f) => f.name)).toEqual([
      'other-split-erin-walsh-share-1-of-3.txt',
    ]);
    const mine = listed.filter((f) => f.source === 'rehearsal').sort((a, b) => a.name.localeCompare(b.name));
    expect(mine.map((f) => f.name).sort()).toEqual(started.prepared.shareFiles);
    for (const f of mine) expect(dirname(f.path)).toBe(started.outDir);
    expect(listed.some((f) => f.path.startsWith(other.outDir))).toBe(false);

    const scratch = value(await call('ceremonyRun', { runId })).target!.tokenSerial!;
    const quorum = () => {
      const session = openQuorumSession(station, {
        operation: runView(station, { runId }).quorumOperation!,
        ceremonyId: 'activation-shares-2027',
        step: 'reissue-shares',
        actor: MC,
      });
      for (const who of ['erin-walsh', 'greta-lind'])
        expect(
          checkInWithToken(station, {
            sessionId: session.sessionId,
            moduleId: MODULE,
            serial: serial[who]!,
            pin: PIN,
          }).ok,
        ).toBe(true);
      return session.sessionId;
    };
    expect(await driveTo(runId, 'reissue-shares', quorum)).toEqual(['attest-firmware/precondition']);
    const act = value(await call('ceremonyRun', { runId })).current!.act;
    expect(act.needs).toEqual({
      note: false,
      pin: false,
      escrowPin: false,
      soPin: false,
      shares: true,
      shareVolume: false,
    });

    // Paths the station did not list are refused, named by their place, before anything reads them.
    const otherRunShare = join(other.outDir, other.prepared.shareFiles[0]!);
    expect(existsSync(otherRunShare)).toBe(true);
    const before = head();
    for (const [i, bad] of [
      '/etc/passwd',
      otherRunShare,
      join(media, 'evil-share-1-of-3.txt'),
      join(media, 'notes.txt'),
      // This run's own folder, but not a share readying wrote; a listed share named another way.
      mine[1]!.path.replace(/\.txt$/, '.pdf'),
      `${started.outDir}/./${basename(mine[1]!.path)}`,
    ].entries()) {
      const r = await confirmed('ceremonyAct', {
        runId,
        stepId: 'reissue-shares',
        shareFiles: [mine[0]!.path, bad],
      });
      expect(r.ok, `${i}: ${bad}`).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('SHARES_REFUSED');
      expect(r.error.message).toContain('is not a share file the station listed');
      expect(r.error.data).toMatchObject({ field: 'shareFiles[1]' });
    }
    // New shares go only to a volume the station lists as ready: a made-up folder is refused first.
    for (const shareOut of ['/etc', started.outDir]) {
      const r = await confirmed('ceremonyAct', {
        runId,
        stepId: 'reissue-shares',
        shareFiles: [mine[0]!.path, mine[2]!.path],
        shareOut,
      });
      expect(r.ok, shareOut).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'INVALID_INPUT', data: { field: 'shareOut' } });
    }
    expect(head()).toBe(before);
    expect(openRun(station, runId).state.current).toMatchObject({ stepId: 'reissue-shares', needs: 'act' });

    // Two of this rehearsal's listed shares: the token's shares are re-issued and read back.
    const r = value(
      await confirmed('ceremonyAct', {
        runId,
        stepId: 'reissue-shares',
        shareFiles: [mine[0]!.path, mine[2]!.path],
        // The custodians' own media (a listed, ready volume) rather than the run's folder.
        shareOut: media,
      }),
    );
    expect(r.deviationSeq).toBeNull();
    // The record says where the shares went, and they are there, not in the run's folder.
    expect(r.result).toContain(`written to ${realpathSync(media)};`);
    expect(readdirSync(media).filter((n) => n.includes('-reissue-shares-')).length).toBe(6);
    expect(
      readdirSync(started.outDir).filter((n) => n.includes('-reissue-shares-') && !n.endsWith('.json')),
    ).toEqual([]);
    expect(r.postconditions).toEqual([expect.objectContaining({ kind: 'shares-verified', result: 'pass' })]);
    expect(r.result).toContain(`re-issued the activation shares of token ${scratch}`);
    const created = station.journal.eventsOfKind('shares.split-created').at(-1)!;
    expect(created.body).toMatchObject({ tokenSerial: scratch, supersedes: started.prepared.splitId });
    expect(created.actor).toBe(OPERATOR);
    // The new shares are not "current" ones: the listing still offers only what readying wrote.
    expect(
      value(await call('ceremonyShareFiles', { runId }))
        .filter((f) => f.source === 'rehearsal')
        .map((f) => f.name)
        .sort(),
    ).toEqual(started.prepared.shareFiles);
    expect(readFileSync(mine[1]!.path, 'utf8')).toMatch(/^REHEARSAL share of split/);
  });
});
