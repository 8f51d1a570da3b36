import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemDeps } from '../../../src/main/runtime';
import { registerModule } from '../../../src/main/services/devices/modules';
import {
  createTokenCsr,
  generateTokenKey,
  recordInventory,
} from '../../../src/main/services/devices/devices';
import { createStationIdentity } from '../../../src/main/services/identity/commands';
import {
  checkInWithToken,
  initRoster,
  openQuorumSession,
  signInWithToken,
} from '../../../src/main/services/custodians';
import { Station } from '../../../src/main/station/station';
import { testOp, opText } from '../../helpers/operations';
import { initTokens, SOFTHSM_PATH, softhsmWorld, tokenSerialByLabel } from '../../helpers/softhsm';
import { tempDir } from '../../helpers/temp';

const PIN = '246810';
const pubPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

describe('an online station journals no token identifier (issue #16)', () => {
  it('sign-in and check-in refusals name no token; an inventory of the identity token is refused; errors name no serial', async () => {
    const { conf, dir } = softhsmWorld();
    initTokens(['IdentityTokLbl', 'alice', 'mallory'], () => PIN);
    // Alice's roster key on her own token (made with OpenSC, outside the station).
    const env = { ...process.env, SOFTHSM2_CONF: conf };
    const gen = spawnSync(
      'pkcs11-tool',
      [
        '--module',
        SOFTHSM_PATH,
        '--token-label',
        'alice',
        '--login',
        '--pin',
        PIN,
        '--keypairgen',
        '--key-type',
        'EC:prime256v1',
        '--id',
        '01',
        '--label',
        'alice-custodian',
      ],
      { env },
    );
    expect(gen.status, String(gen.stderr)).toBe(0);
    const der = join(dir, 'alice.der');
    const rd = spawnSync(
      'pkcs11-tool',
      [
        '--module',
        SOFTHSM_PATH,
        '--token-label',
        'alice',
        '--read-object',
        '--type',
        'pubkey',
        '--id',
        '01',
        '-o',
        der,
      ],
      { env },
    );
    expect(rd.status, String(rd.stderr)).toBe(0);
    const alicePem = spawnSync('openssl', ['pkey', '-pubin', '-inform', 'DER', '-in', der], {
      encoding: 'utf8',
    }).stdout;
    expect(alicePem).toContain('BEGIN PUBLIC KEY');

    const serial = {
      id: tokenSerialByLabel(conf, 'IdentityTokLbl'),
      alice: tokenSerialByLabel(conf, 'alice'),
      mallory: tokenSerialByLabel(conf, 'mallory'),
    };
    const station = Station.init(
      join(tempDir(), 'st'),
      { name: 'Portal WS', mode: 'online', demo: false, actor: 'operator:elena' },
      systemDeps,
    );
    try {
      registerModule(station, {
        moduleId: 'hsm',
        profile: 'softhsm2',
        path: SOFTHSM_PATH,
        environment: { SOFTHSM2_CONF: conf },
        actor: 'operator:elena',
      });
      await createStationIdentity(station, {
        moduleId: 'hsm',
        tokenSerial: serial.id,
        pin: PIN,
        actor: 'operator:elena',
      });
      const entry = (id: string, publicKey: string) => ({
        custodianId: id,
        name: id,
        roles: ['custodian'],
        publicKey,
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: '2030-01-01T00:00:00.000Z',
      });
      initRoster(station, {
        quorum: 2,
        custodians: [entry('alice', alicePem), entry('bob', pubPem())],
        witnesses: ['W'],
        actor: 'operator:elena',
      });

      const leaked = () => {
        const out: string[] = [];
        for (const row of station.journal.page(1, 1000)) {
          const body = Buffer.from(row.body).toString('utf8');
          for (const [k, v] of Object.entries({ ...serial, idLabel: 'IdentityTokLbl' }))
            if (body.includes(v)) out.push(`${row.seq} ${row.kind}: ${k}`);
        }
        return out;
      };
      expect(leaked()).toEqual([]);

      const message = (fn: () => unknown) => {
        try {
          fn();
        } catch (e) {
          return `${(e as Error).message} ${JSON.stringify((e as { data?: unknown }).data ?? {})}`;
        }
        throw new Error('expected a refusal');
      };
      // 1. Mallory's token (no roster key): refused and journaled, naming no token.
      const offRoster = message(() =>
        signInWithToken(station, { moduleId: 'hsm', serial: serial.mallory, pin: PIN, via: 'cli' }),
      );
      // 2. Alice's token, wrong PIN: refused and journaled; the token's own error names no serial.
      const wrongPin = message(() =>
        signInWithToken(station, { moduleId: 'hsm', serial: serial.alice, pin: '000000', via: 'cli' }),
      );
      expect(wrongPin).toContain('[serial withheld]');
      for (const m of [offRoster, wrongPin])
        for (const v of Object.values(serial)) expect(m).not.toContain(v);
      // 3. Quorum check-in with Mallory's token: refused and journaled, naming no token.
      const q = openQuorumSession(station, {
        operation: opText(testOp('r16b')),
        ceremonyId: 'c1',
        step: 's1',
        actor: 'operator:elena',
      });
      checkInWithToken(station, {
        sessionId: q.sessionId,
        moduleId: 'hsm',
        serial: serial.mallory,
        pin: PIN,
      });
      // 4. An inventory of the station's own identity token: not on an online station.
      expect(() =>
        recordInventory(station, { moduleId: 'hsm', serial: serial.id, pin: PIN, actor: 'operator:elena' }),
      ).toThrowError(expect.objectContaining({ code: 'HSM_ONLINE_MODE' }));
      // Key generation and CSRs too: they belong to the offline ceremony station.
      await expect(
        generateTokenKey(station, {
          moduleId: 'hsm',
          serial: serial.id,
          pin: PIN,
          key: { label: 'k', algorithm: 'ec-p256' },
          confirmedRecipe: 'x',
          actor: 'operator:elena',
        }),
      ).rejects.toMatchObject({ code: 'HSM_ONLINE_MODE' });
      await expect(
        createTokenCsr(station, {
          moduleId: 'hsm',
          serial: serial.id,
          pin: PIN,
          keyId: '01',
          subject: { commonName: 'x' },
          actor: 'operator:elena',
        } as never),
      ).rejects.toMatchObject({ code: 'HSM_ONLINE_MODE' });
      const kinds = station.journal.page(1, 1000).map((r) => r.kind);
      expect(kinds.filter((k) => k === 'operator.sign-in-refused')).toHaveLength(2);
      expect(kinds).toContain('quorum.check-in-refused');
      expect(leaked()).toEqual([]);
    } finally {
      station.close();
    }
  }, 120_000);
});
