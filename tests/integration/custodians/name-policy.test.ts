import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/core/errors';
import { systemDeps } from '../../../src/main/runtime';
import { initRoster } from '../../../src/main/services/custodians/roster';
import { rosterEntries } from '../../../src/main/services/custodians/queries';
import { Station } from '../../../src/main/station/station';
import { tempDir } from '../../helpers/temp';

/** Roster names (issue #10): a case-folding or compatibility look-alike of a custodian is refused. */
function custodian(id: string, name: string) {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    custodianId: id,
    name,
    roles: ['custodian'],
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2030-01-01T00:00:00.000Z',
  };
}

function refusal(fn: () => unknown): CodedError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('roster name policy', () => {
  it.each([
    ['Alice Example', 'ALICE EXAMPLE'],
    ['Alice Example', 'Ａｌｉｃｅ Ｅｘａｍｐｌｅ'],
    ['Jörg Strauß', 'JÖRG STRAUSS'],
  ])('refuses %j beside %j (NAME-CLASH) and records nothing', (first, second) => {
    const station = Station.init(
      join(tempDir(), 'st'),
      { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
      systemDeps,
    );
    try {
      const before = station.journal.head().seq;
      const e = refusal(() =>
        initRoster(station, {
          quorum: 1,
          custodians: [custodian('alice', first), custodian('alice2', second)],
          witnesses: ['W. Itness'],
          actor: 'operator:so',
        }),
      );
      expect(e.code).toBe('ROSTER_INVALID');
      expect(e.data).toMatchObject({ field: 'name', check: 'NAME-CLASH' });
      expect(station.journal.head().seq).toBe(before);
    } finally {
      station.close();
    }
  });

  it('refuses a custodian id the station uses for its own acts (operator:station), recording nothing', () => {
    const station = Station.init(
      join(tempDir(), 'st'),
      { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
      systemDeps,
    );
    try {
      const before = station.journal.head().seq;
      for (const id of ['station', 'cli']) {
        const e = refusal(() =>
          initRoster(station, {
            quorum: 1,
            custodians: [custodian(id, 'Sam Station'), custodian('alice', 'Alice Example')],
            witnesses: ['W. Itness'],
            actor: 'operator:so',
          }),
        );
        expect([e.code, e.data.field]).toEqual(['ROSTER_INVALID', 'custodianId']);
      }
      expect(station.journal.head().seq).toBe(before);
    } finally {
      station.close();
    }
  });

  it('different people with similar names are both accepted (look-alikes that are not clashes)', () => {
    const station = Station.init(
      join(tempDir(), 'st'),
      { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
      systemDeps,
    );
    try {
      initRoster(station, {
        quorum: 2,
        custodians: [
          custodian('zoe', 'Zoë Adams'),
          custodian('zoe2', 'Zoe Adams'),
          custodian('al', 'Al Adams'),
        ],
        witnesses: ['W. Itness'],
        actor: 'operator:so',
      });
      expect(rosterEntries(station).map((e) => e.name)).toEqual(['Al Adams', 'Zoë Adams', 'Zoe Adams']);
    } finally {
      station.close();
    }
  });
});
