import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import scenario from '../../../resources/demo/scenario.json';
import { demoActivationPacket, evaluateDemoActivation } from './activation';
import { demoAttestationPacket, evaluateDemoAttestation } from './attestation';
import { demoCompromisePacket, evaluateDemoCompromise } from './compromise';
import { demoDeferralPacket, evaluateDemoDeferral } from './deferral';
import type { EventKind, NewEvent } from '../../core/journal/events';
import { createPublicKey } from 'node:crypto';
import { dateRange } from '../../core/custody/coverage';
import { journalTime } from '../../core/journal/events';
import { registerModule } from '../services/devices';
import { initRoster } from '../services/custodians';
import { createStationIdentity, signCheckpoint } from '../services/identity';
import { Station, type StationDeps } from '../station/station';

/**
 * The demo station's token PINs. Demo only: they are printed in DEMO-PINS.txt beside the demo station
 * so an operator trying it can type them. A real station never stores a PIN.
 */
export const DEMO_PINS = { user: '123456', so: '12345678' } as const;
export const DEMO_MODULE_ID = 'demo-softhsm';
export const DEMO_TOKEN_LABEL = 'Station HSM (demo)';

/** A SoftHSM2 token directory and configuration of the demo station's own, inside its data directory. */
function demoSofthsm(dataDir: string): string {
  const dir = join(dataDir, 'softhsm');
  mkdirSync(join(dir, 'tokens'), { recursive: true, mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `# SoftHSM2 configuration of the demo station (rehearsal tokens, not an HSM)\n` +
      `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
    { mode: 0o600 },
  );
  return conf;
}

/**
 * The demo's custodians: each gets a SoftHSM2 token of their own with a key generated on it, and the
 * roster takes each public key from that token — as a real enrolment would.
 */
async function demoCustodians(station: Station): Promise<{ label: string; serial: string }[]> {
  const module = station.hsm.module(DEMO_MODULE_ID);
  const out: { label: string; serial: string }[] = [];
  const custodians = [];
  const now = station.deps.clock();
  for (const person of scenario.custodians.people) {
    const label = `Custodian ${person.name.split(' ')[0] ?? person.custodianId}`;
    const serial = module.initToken(label, DEMO_PINS.so, DEMO_PINS.user);
    station.record([
      {
        kind: 'hsm.token-initialised',
        actor: 'demo',
        body: {
          moduleId: DEMO_MODULE_ID,
          tokenSerial: serial,
          tokenLabel: label,
          purpose: `custodian token of ${person.name} (demo)`,
        },
      },
    ]);
    const key = await module.withSessionAsync(
      serial,
      { write: true, login: { user: 'user', pin: DEMO_PINS.user } },
      (s) => s.generateKeyPair({ label: `${person.custodianId}-custodian`, algorithm: 'ec-p256' }),
    );
    custodians.push({
      custodianId: person.custodianId,
      name: person.name,
      roles: person.roles,
      publicKey: createPublicKey({ key: key.spki as Buffer, format: 'der', type: 'spki' })
        .export({ type: 'spki', format: 'pem' })
        .toString(),
      validFrom: journalTime(new Date(now.getTime() - 180 * 86_400_000)),
      validUntil: journalTime(new Date(now.getTime() + 2 * 365 * 86_400_000)),
    });
    out.push({ label, serial });
  }
  initRoster(station, {
    quorum: scenario.custodians.quorum,
    custodians,
    witnesses: scenario.custodians.witnesses,
    actor: 'demo',
  });
  return out;
}

/** A week of shift availability from today: mostly covered, with gaps the grid should show. */
function demoCoverage(station: Station): void {
  const days = dateRange(journalTime(station.deps.clock()).slice(0, 10), 7);
  const plan: [string, string, (day: number) => boolean][] = [
    ['alice', 'day', (d) => d !== 2],
    ['bob', 'day', (d) => d !== 5],
    ['carol', 'night', () => true],
    ['bob', 'night', (d) => d % 2 === 0],
  ];
  station.record(
    days.flatMap((date, d) =>
      plan.map(([custodianId, shift, available]) => ({
        kind: 'coverage.availability-set' as const,
        actor: 'demo',
        body: { custodianId, date, shift, available: available(d) },
      })),
    ),
  );
}

/**
 * Creates the demo station: a real station (real SQLite journal, real SoftHSM2 token over PKCS#11)
 * marked demo. It registers the SoftHSM2 module, initialises the station token, creates the identity
 * key and certificate on it, records the sample scenario (resources/demo/scenario.json, validated like
 * any other events) and signs the first checkpoint, so the journal opens VERIFIED.
 */
export async function createDemoStation(dataDir: string, deps: StationDeps): Promise<Station> {
  const mode = scenario.station.mode === 'online' ? 'online' : 'offline';
  const station = Station.init(
    dataDir,
    { name: scenario.station.name, mode, demo: true, actor: 'demo' },
    deps,
  );
  try {
    const conf = demoSofthsm(dataDir);
    registerModule(station, {
      moduleId: DEMO_MODULE_ID,
      profile: 'softhsm2',
      environment: { SOFTHSM2_CONF: conf },
      actor: 'demo',
    });
    const serial = station.hsm
      .module(DEMO_MODULE_ID)
      .initToken(DEMO_TOKEN_LABEL, DEMO_PINS.so, DEMO_PINS.user);
    // An online station's journal names no token (issue #16): its demo token is made, not recorded.
    if (mode !== 'online')
      station.record([
        {
          kind: 'hsm.token-initialised',
          actor: 'demo',
          body: {
            moduleId: DEMO_MODULE_ID,
            tokenSerial: serial,
            tokenLabel: DEMO_TOKEN_LABEL,
            purpose: 'station identity (demo)',
          },
        },
      ]);
    await createStationIdentity(station, {
      moduleId: DEMO_MODULE_ID,
      tokenSerial: serial,
      pin: DEMO_PINS.user,
      actor: 'demo',
    });
    station.record([
      {
        kind: 'demo.scenario-loaded',
        actor: 'demo',
        body: { scenario: scenario.name, version: scenario.version },
      },
      ...(scenario.events as NewEvent<EventKind>[]),
    ]);
    const custodianSerials = await demoCustodians(station);
    station.record(scenario.custody as NewEvent<EventKind>[]);
    demoCoverage(station);
    await demoDeferralPacket(station);
    await demoAttestationPacket(station, { moduleId: DEMO_MODULE_ID, serial, pin: DEMO_PINS.user });
    await demoCompromisePacket(station);
    const enclave = await demoActivationPacket(station, {
      moduleId: DEMO_MODULE_ID,
      soPin: DEMO_PINS.so,
      pin: DEMO_PINS.user,
    });
    // The workflows read shared families: evaluate once every record is in, so all show FRESH.
    evaluateDemoDeferral(station);
    evaluateDemoAttestation(station);
    evaluateDemoCompromise(station);
    evaluateDemoActivation(station);
    await signCheckpoint(station, { pin: DEMO_PINS.user });
    writeFileSync(
      join(dataDir, 'DEMO-PINS.txt'),
      `Demo station only — never do this with a real station.\n` +
        `Token "${DEMO_TOKEN_LABEL}" (serial ${serial}): user PIN ${DEMO_PINS.user}, SO PIN ${DEMO_PINS.so}\n` +
        [...custodianSerials, enclave]
          .map((c) => `Token "${c.label}" (serial ${c.serial}): user PIN ${DEMO_PINS.user}\n`)
          .join(''),
      { mode: 0o600 },
    );
    return station;
  } catch (e) {
    station.close();
    throw e;
  }
}
