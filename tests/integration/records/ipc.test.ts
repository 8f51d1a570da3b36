import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/main/ipc/dispatcher';
import { confirmFor } from '../../../src/main/services/acts';
import { ConsoleOperator } from '../../../src/main/services/custodians';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { readConfig } from '../../../src/main/config';
import { stationDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import type { Method, WindowInput } from '../../../src/shared/contract';
import { suiteTempDir } from '../../helpers/temp';
import { rosterEntry, rosterExport } from './support';

/**
 * The records and findings channels through the real dispatcher (its sender guard and output schemas):
 * the renderer may import only an export the station listed on a removable volume.
 */
const suite = suiteTempDir('records-ipc-');
const media = join(suite.dir, 'usb');
let station: Station;
beforeAll(() => {
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    stationDeps(readConfig({ STATION_MEDIA_DIRS: media })),
  );
});
afterAll(() => {
  station.close();
  suite.remove();
});

async function call<M extends Method>(method: M, input: WindowInput<M>) {
  const dispatch = createDispatcher(
    createHandlers({ station, host: 'browser', log: () => {}, operator: new ConsoleOperator(station) }),
    ['app://station'],
    () => {},
    // Acts are recorded under the console's operator; here one fixed person stands in for a sign-in.
    { actor: () => 'operator:alice', acted: () => {} },
    confirmFor(station),
  );
  return dispatch(method, input, { url: 'app://station/index.html', isMainFrame: true });
}

describe('records channels', () => {
  it('imports an export listed on media; lists and shows it', async () => {
    const path = rosterExport(media, 'roster.json', [rosterEntry('r-1', 'Alice')]);
    const r = await call('recordsImport', { path });
    expect(r).toMatchObject({ ok: true, value: { family: 'roster-snapshot', count: 1, newRecords: 1 } });
    // Recorded under the console's operator, never a name the window sends (OPS-ACTIVE).
    expect(station.journal.get(station.journal.head().seq)?.actor).toBe('operator:alice');
    const named = await call('recordsImport', {
      path,
      actor: 'operator:mallory',
    } as WindowInput<'recordsImport'>);
    expect(named).toMatchObject({
      ok: false,
      error: { code: 'OPERATOR_ACTOR_MISMATCH', data: { field: 'actor' } },
    });
    const list = await call('recordsList', { family: 'roster-snapshot' });
    expect(list).toMatchObject({
      ok: true,
      value: { records: [expect.objectContaining({ recordId: 'r-1' })] },
    });
    const shown = await call('recordsShow', { family: 'roster-snapshot', system: 'iam', recordId: 'r-1' });
    expect(shown).toMatchObject({
      ok: true,
      value: {
        versions: [expect.objectContaining({ content: expect.objectContaining({ person: 'Alice' }) })],
      },
    });
  });

  it('a path the station did not list on media is refused before anything reads it', async () => {
    const elsewhere = join(suite.dir, 'not-media.json');
    writeFileSync(elsewhere, '{}');
    const r = await call('recordsImport', { path: elsewhere });
    expect(r).toMatchObject({ ok: false, error: { code: 'BUNDLE_NOT_FOUND' } });
  });

  it('policy shows the defaults in force; an unknown workflow and evaluation are coded refusals', async () => {
    expect(await call('policyShow', {})).toMatchObject({ ok: true, value: { imported: [] } });
    expect(await call('findingsEvaluate', { workflow: 'nope', subject: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'WORKFLOW_UNKNOWN' },
    });
    expect(await call('evaluationStatus', { seq: 1 })).toMatchObject({
      ok: false,
      error: { code: 'EVALUATION_NOT_FOUND' },
    });
  });
});
