import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemDeps } from '../../../src/main/runtime';
import { verifyBundleArchive } from '../../../src/main/services/bundles/verify';
import { exportPreview } from '../../../src/main/services/bundles/bundles';
import { softwareSigner } from '../../../src/main/services/bundles/dsse';
import { signApproval, writeRegistrationBundle } from '../../../src/main/services/bundles/reviewer';
import { Station } from '../../../src/main/station/station';
import { buildCase, forgeKey, type CorpusKey } from '../../helpers/bundle-forge';
import { suiteTempDir } from '../../helpers/temp';

/**
 * TEXT-FORMAT / TEXT-CONTROL at the source: a title, comment or organisation the station would refuse
 * when it reads the statement (BND-STATEMENT, APR-STATEMENT) is refused before anything is signed — on
 * the reviewer's workstation and in the station's export preview — with the field it concerns.
 */
const RLO = '\u202e';
let suite: ReturnType<typeof suiteTempDir>;
beforeAll(() => {
  suite = suiteTempDir();
});
afterAll(() => suite?.remove());

const failure = async (work: () => Promise<unknown> | unknown) => {
  try {
    await work();
    return null;
  } catch (e) {
    return e as { code: string; data: { field?: string } };
  }
};

describe('free text is checked before it is signed', () => {
  it('a registration with a bidi override in the organisation: INVALID_INPUT, nothing written', async () => {
    const out = join(suite.dir, 'reg');
    mkdirSync(out);
    const signer = softwareSigner(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
    const e = await failure(() =>
      writeRegistrationBundle({
        signer,
        holder: 'Bob Board',
        organisation: `Example ${RLO}knaB`,
        outDir: out,
        now: new Date(),
      }),
    );
    expect(e).toMatchObject({ code: 'INVALID_INPUT', data: { field: 'registration.holder.organisation' } });
    expect(readdirSync(out)).toEqual([]);
  });

  it('an approval comment with a bidi override: INVALID_INPUT, no approval file', async () => {
    const key = forgeKey();
    const station: CorpusKey = { ...key, name: 'Vault B', stationId: '00000000-0000-4000-8000-000000000001' };
    const bundle = join(suite.dir, 'custody.bundle.zip');
    await buildCase(
      { title: 'a custody report', expect: { accept: true }, kind: 'custody-report', signer: 'Vault B' },
      new Map([['Vault B', station]]),
      bundle,
      'custody-report',
    );
    const verified = await verifyBundleArchive(bundle, {
      trust: {
        anchors: [
          {
            trustId: 'station',
            name: 'Vault B',
            entryKind: 'station',
            info: softwareSigner(key.privateKey).info,
            validFrom: '2000-01-01T00:00:00.000Z',
            validUntil: '2999-01-01T00:00:00.000Z',
            revokedAt: null,
            roles: [],
          },
        ],
      },
      now: new Date().toISOString(),
    });
    const out = join(suite.dir, 'approvals');
    mkdirSync(out);
    const e = await failure(() =>
      signApproval({
        bundle: verified,
        sign: softwareSigner(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey),
        role: 'board-reviewer',
        decision: 'approve',
        comment: `looks fine ${RLO}tcejer`,
        expiresAt: '2999-01-01T00:00:00.000Z',
        sequence: 1,
        reviewer: 'Bob Board',
        now: new Date(),
        outDir: out,
      }),
    );
    expect(e).toMatchObject({ code: 'INVALID_INPUT', data: { field: 'approval.comment' } });
    expect(readdirSync(out)).toEqual([]);
  });

  it('an export title with a bidi override is refused in the preview, before the token is asked to sign', async () => {
    const station = Station.init(
      join(suite.dir, 'st'),
      { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
      systemDeps,
    );
    try {
      const e = await failure(() =>
        exportPreview(station, { kind: 'evidence', title: `Seals ${RLO}fdp.exe` }),
      );
      expect(e).toMatchObject({ code: 'INVALID_INPUT', data: { field: 'title' } });
      expect(exportPreview(station, { kind: 'evidence', title: 'Seals, November' }).title).toBe(
        'Seals, November',
      );
    } finally {
      station.close();
    }
  });
});
