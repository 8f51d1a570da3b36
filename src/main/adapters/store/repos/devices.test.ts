import { afterEach, describe, expect, it } from 'vitest';
import { moduleRows } from './devices';
import { hex, refusal, testStore, type TestStore } from './test-support';

let s: TestStore;
afterEach(() => s.close());

const MODULE = {
  moduleId: 'softhsm',
  profile: 'softhsm2',
  path: '/usr/lib/softhsm/libsofthsm2.so',
  librarySha256: hex('a'),
  environment: { SOFTHSM2_CONF: '/tmp/softhsm2.conf' },
};

describe('devices repository', () => {
  it('reads registered modules with their environment as a record, and the registrations from the journal', () => {
    s = testStore();
    s.record('hsm.module-registered', MODULE);
    expect(moduleRows(s.db)).toEqual([MODULE]);
    expect(s.journal.eventsOfKind('hsm.module-registered').map((e) => e.body)).toEqual([MODULE]);
  });

  it.each([
    ['not JSON', 'SOFTHSM2_CONF=/tmp/x', 'environment'],
    ['a list, not a record', '["SOFTHSM2_CONF"]', 'environment'],
    ['a number where a string belongs', '{"SOFTHSM2_CONF":1}', 'environment.SOFTHSM2_CONF'],
  ])('a module row whose environment is %s is refused, naming the column', (_what, environment, path) => {
    s = testStore();
    s.record('hsm.module-registered', MODULE);
    s.tamper('UPDATE hsm_module SET environment = ?', environment);
    expect(refusal(() => moduleRows(s.db))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'hsm_module', row: 'module_id="softhsm"', column: 'environment', path },
    });
  });

  it('a registration entry whose body is not the catalogue shape is refused when the station looks for its module', () => {
    s = testStore();
    s.record('hsm.module-registered', MODULE);
    const seq = s.forgeEntry('hsm.module-registered', { ...MODULE, path: 'relative/libevil.so' });
    expect(refusal(() => s.journal.eventsOfKind('hsm.module-registered'))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'journal', row: `seq ${seq} (hsm.module-registered)`, path: 'body.path' },
    });
  });
});
