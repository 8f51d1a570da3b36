import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { DEMO_MODULE_ID } from '../../src/main/demo/demo';
import { systemDeps } from '../../src/main/runtime';
import {
  addCustodian,
  checkInWithToken,
  credentialsOperation,
  openQuorumSession,
  proposeCustodian,
  setCustodianCredentials,
} from '../../src/main/services/custodians';
import { Station } from '../../src/main/station/station';
import type { QuorumOperation } from '../../src/core/custody/operation';
import { opText } from './operations';

/**
 * Puts a key-file custodian on a demo station's roster as its custodians would: a new key pair made
 * with node:crypto, its private half written only as an encrypted PKCS#8 PEM file (`keyFile`, mode
 * 0600), the public half added to the roster, then key-file sign-in allowed for them — each change under
 * its own quorum of Alice and Bob checking in with their demo tokens (PIN 123456).
 */
export function addKeyFileCustodian(
  dataDir: string,
  opts: {
    custodianId: string;
    name: string;
    keyFile: string;
    passphrase: string;
    type?: 'ec-p256' | 'ed25519';
    allowKeyFile?: boolean;
  },
): void {
  const pair =
    opts.type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(
    opts.keyFile,
    pair.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: opts.passphrase,
    }),
    { mode: 0o600 },
  );
  const station = Station.open(dataDir, systemDeps);
  try {
    const serials = new Map(
      station.hsm
        .module(DEMO_MODULE_ID)
        .tokens()
        .map((t) => [t.label, t.serial]),
    );
    const quorum = (operation: QuorumOperation): string => {
      const q = openQuorumSession(station, {
        operation: opText(operation),
        ceremonyId: 'ROSTER-KEYFILE',
        step: '1',
        actor: 'operator:alice',
      });
      for (const who of ['Alice', 'Bob']) {
        const verdict = checkInWithToken(station, {
          sessionId: q.sessionId,
          moduleId: DEMO_MODULE_ID,
          serial: serials.get(`Custodian ${who}`)!,
          pin: '123456',
        });
        if (!verdict.ok) throw new Error(`${who} could not check in: ${verdict.reason}`);
      }
      return q.sessionId;
    };
    const now = Date.now();
    const custodian = {
      custodianId: opts.custodianId,
      name: opts.name,
      roles: ['custodian'],
      publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      validFrom: new Date(now - 86_400_000).toISOString(),
      validUntil: new Date(now + 365 * 86_400_000).toISOString(),
    };
    addCustodian(station, {
      custodian,
      quorumSessionId: quorum(proposeCustodian(custodian).operation),
      actor: 'operator:alice',
    });
    if (opts.allowKeyFile !== false)
      setCustodianCredentials(station, {
        custodianId: opts.custodianId,
        keyFile: true,
        quorumSessionId: quorum(credentialsOperation(opts.custodianId, true)),
        actor: 'operator:alice',
      });
  } finally {
    station.close();
  }
}
