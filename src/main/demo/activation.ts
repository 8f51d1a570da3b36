import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { isoTime } from '../../core/schema';
import { journalTime } from '../../core/journal/events';
import { evaluateGate, recordGateVersion } from '../services/activation';
import { recordInventory } from '../services/devices';
import { createPacket, editPacket } from '../services/packets';
import { importRecordsFile } from '../services/records';
import type { Station } from '../station/station';

/**
 * The demo's offline-signing continuity activation gate (workflow 003): a declared outage of the online
 * signing and attestation services for patch train PT-7.4.1-SEC, its frozen manifest of three artifacts,
 * trusted source, reproducible-build checks, digest confirmations, the enclave attestation of the demo
 * token's signing key, two shifts of committed signers, a sealed rollback package, publication safeguards
 * and the staged candidates (one of them off-manifest: quarantined). The sources
 * (resources/demo/activation/records/sources) are dated around an anchor instant and shifted to the
 * station's clock when written, so the gate is current when the demo opens; the token serial, its
 * firmware and the artifacts' digests are the demo's own. The signing key is generated on the demo token
 * and read back first-hand (the live enclave reading). The packet is evaluated and version 1 recorded: the
 * gate awaits the approval owner. The artifacts themselves are written to the rehearsal volume.
 */
export const DEMO_GATE_PACKET = 'activation-decl-2026-0611';
export const DEMO_SIGNING_KEY = 'patch-signing-2026';
const ACTOR = 'demo';
const SOURCES = import.meta.glob<string>('../../../resources/demo/activation/records/sources/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const SCENARIO = import.meta.glob<unknown>('../../../resources/demo/activation/records/scenario.json', {
  import: 'default',
  eager: true,
});
const scenarioSchema = z.object({
  anchor: isoTime,
  subject: z.string().min(1),
  artifacts: z.array(z.string()).min(1),
});

export function demoActivationScenario(): z.output<typeof scenarioSchema> {
  return scenarioSchema.parse(Object.values(SCENARIO)[0]);
}

/** Deterministic artifact bytes for the demo (a few KiB each, different per name). */
function artifactBytes(name: string): Buffer {
  const seed = createHash('sha256').update(`ceremony-station demo artifact ${name}`).digest();
  const out = Buffer.alloc(4096 + (seed[0] ?? 0) * 16);
  for (let i = 0; i < out.length; i += seed.length) seed.copy(out, i);
  return out;
}

/**
 * Writes the demo artifacts to the rehearsal volume and the sources with their instants shifted to now,
 * then imports them, generates and reads back the signing key (first-hand reading), creates the packet.
 */
export const DEMO_ENCLAVE_LABEL = 'Signing enclave (demo)';

export async function demoActivationPacket(
  station: Station,
  opts: { moduleId: string; soPin: string; pin: string },
): Promise<{ label: string; serial: string }> {
  // The offline signing enclave is an HSM of its own (here a SoftHSM2 token beside the station's).
  const m = station.hsm.module(opts.moduleId);
  const serial = m.initToken(DEMO_ENCLAVE_LABEL, opts.soPin, opts.pin);
  station.record([
    {
      kind: 'hsm.token-initialised',
      actor: ACTOR,
      body: {
        moduleId: opts.moduleId,
        tokenSerial: serial,
        tokenLabel: DEMO_ENCLAVE_LABEL,
        purpose: 'offline signing enclave for the continuity gate (demo)',
      },
    },
  ]);
  const token = { moduleId: opts.moduleId, serial, pin: opts.pin };
  const scenario = demoActivationScenario();
  const media = join(station.dataDir, 'rehearsal-media', 'activation');
  const artifacts = join(media, 'artifacts');
  mkdirSync(artifacts, { recursive: true, mode: 0o700 });
  const digests = new Map<string, { sha: string; size: number }>();
  for (const name of scenario.artifacts) {
    const bytes = artifactBytes(name);
    writeFileSync(join(artifacts, name), bytes);
    digests.set(name, { sha: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
  }
  await m.withSessionAsync(token.serial, { write: true, login: { user: 'user', pin: token.pin } }, (s) =>
    s.generateKeyPair({ label: DEMO_SIGNING_KEY, algorithm: 'ec-p256' }),
  );
  recordInventory(station, { ...token, actor: ACTOR });
  const firmware = m.tokens().find((t) => t.serial === token.serial)?.firmware ?? 'unknown';
  const shift = Date.parse(journalTime(station.deps.clock())) - Date.parse(scenario.anchor);
  // Every ISO instant in a source moves by the same amount (days and other strings stay as they are).
  const moved = (v: unknown): unknown =>
    typeof v === 'string'
      ? isoTime.safeParse(v).success
        ? new Date(Date.parse(v) + shift).toISOString()
        : v
      : Array.isArray(v)
        ? v.map(moved)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, moved(x)]))
          : v;
  const fill = (text: string) =>
    JSON.stringify(moved(JSON.parse(text)), null, 2)
      .replace(/\{\{HSM_SERIAL\}\}/g, token.serial)
      .replace(/\{\{FIRMWARE\}\}/g, firmware)
      .replace(/"\{\{SIZE:([^}]+)\}\}"/g, (_, n: string) => String(digests.get(n)?.size ?? 0))
      .replace(/\{\{SHA:([^}]+)\}\}/g, (_, n: string) => digests.get(n)?.sha ?? '0'.repeat(64));
  createPacket(station, {
    packetId: DEMO_GATE_PACKET,
    kind: 'activation-gate',
    covers: `Activation of offline signing continuity for patch train PT-7.4.1-SEC under declaration ${scenario.subject}: readiness ledger and hold register.`,
    subject: { declarationId: scenario.subject },
    actor: ACTOR,
  });
  for (const [path, text] of Object.entries(SOURCES).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = join(media, basename(path));
    writeFileSync(file, fill(text));
    await importRecordsFile(station, { path: file, actor: ACTOR });
  }
  // The approval owner the declaration names is the reviewer the version goes to.
  editPacket(
    station,
    DEMO_GATE_PACKET,
    { op: 'set-reviewers', reviewers: [{ role: 'release-security-owner', name: 'Dana Whitfield' }] },
    ACTOR,
  );
  return { label: DEMO_ENCLAVE_LABEL, serial };
}

/** Evaluates the demo gate now and records version 1 (after every demo import). */
export function evaluateDemoActivation(station: Station): void {
  evaluateGate(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
  recordGateVersion(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
}
