import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/main/ipc/dispatcher';
import { confirmFor } from '../../../src/main/services/acts';
import { ConsoleOperator } from '../../../src/main/services/custodians';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { systemDeps } from '../../../src/main/runtime';
import { importRecordsFile } from '../../../src/main/services/records';
import { Station } from '../../../src/main/station/station';
import type { Method, WindowInput } from '../../../src/shared/contract';
import { suiteTempDir } from '../../helpers/temp';

/**
 * findingsSubjects through the real dispatcher: the findings view offers the subject records the
 * station holds for a workflow (deferral-request ids, attestation-scope ids) and the rules' titles.
 */
const suite = suiteTempDir('findings-subjects-');
const scenario = join(import.meta.dirname, '..', '..', 'scenarios', 'deferral', '02-seed-firmware-mismatch');
let station: Station;
beforeAll(() => {
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
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
    { actor: () => 'operator:so', acted: () => {} },
    confirmFor(station),
  );
  return dispatch(method, input, { url: 'app://station/index.html', isMainFrame: true });
}

describe('findingsSubjects', () => {
  it('offers no subject before any request is imported, and the request id after', async () => {
    const before = await call('findingsSubjects', { workflow: 'deferral' });
    expect(before).toMatchObject({ ok: true, value: { family: 'deferral-request', subjects: [] } });
    await importRecordsFile(station, {
      path: join(scenario, 'sources', 'deferral-request.json'),
      actor: 'operator:so',
    });
    const after = await call('findingsSubjects', { workflow: 'deferral' });
    expect(after).toMatchObject({
      ok: true,
      value: {
        subjects: expect.arrayContaining(['DR-2026-117']),
        rules: expect.arrayContaining([{ checkId: 'DEF-HSM-ATTEST', title: expect.stringMatching(/\w/) }]),
      },
    });
    // The deferral request is not an attestation subject.
    const att = await call('findingsSubjects', { workflow: 'attestation' });
    expect(att).toMatchObject({
      ok: true,
      value: {
        family: 'attestation-scope',
        subjects: [],
        rules: expect.arrayContaining([expect.objectContaining({ checkId: 'ATT-SCOPE' })]),
      },
    });
  });

  it('an unknown workflow is refused by name (WORKFLOW_UNKNOWN)', async () => {
    expect(await call('findingsSubjects', { workflow: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'WORKFLOW_UNKNOWN' },
    });
  });
});
