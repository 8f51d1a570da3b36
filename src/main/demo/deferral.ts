import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { signatureAlgorithm } from '../../core/crypto/algorithms';
import { journalIdentity } from '../services/identity/queries';
import {
  addAttestation,
  addJournalEvidence,
  createPacket,
  editPacket,
  importEvidenceFile,
  recordVersion,
} from '../services/packets';
import type { Station } from '../station/station';

/**
 * The demo's key-rotation deferral packet (workflow A), built through the same services an operator
 * uses: evidence files put on the rehearsal volume and imported from there, a certificate chain whose
 * signing certificate expires inside the requested window, a station record cited by its journal hash,
 * typed attestations — and the gaps a board would expect to see: a stale backup-token custody
 * attestation, incomplete signer availability, disputed downstream cutover readiness. Dates are relative
 * to the demo's creation so the gaps stay what they are.
 */
const FILES = import.meta.glob<string>('../../../resources/demo/deferral/*', {
  query: '?raw',
  import: 'default',
  eager: true,
});

const DAY = 86_400_000;
const PACKET = 'deferral-rsk-2024';
const ACTOR = 'demo';
const PM = 'Pat Morgan (release-integrity PM)';

async function certificateChain(now: number): Promise<string> {
  const alg = signatureAlgorithm('ecdsa-p256-sha256').webCrypto.sign;
  const caKeys = await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']);
  const leafKeys = await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=Example Release CA 2023, O=Example Corp',
      notBefore: new Date(now - 900 * DAY),
      notAfter: new Date(now + 1200 * DAY),
      keys: caKeys,
      signingAlgorithm: alg,
      extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
    },
    webcrypto,
  );
  const leaf = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '2024',
      subject: 'CN=RSK-2024 Release Signing, O=Example Corp',
      issuer: ca.subject,
      notBefore: new Date(now - 640 * DAY),
      notAfter: new Date(now + 70 * DAY),
      publicKey: leafKeys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: alg,
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
    },
    webcrypto,
  );
  return `${leaf.toString('pem')}\n${ca.toString('pem')}\n`;
}

export async function demoDeferralPacket(station: Station): Promise<void> {
  const now = station.deps.clock().getTime();
  const at = (days: number) => new Date(now + days * DAY).toISOString();
  const media = join(station.dataDir, 'rehearsal-media');
  mkdirSync(media, { recursive: true, mode: 0o700 });
  for (const [path, text] of Object.entries(FILES)) writeFileSync(join(media, basename(path)), text);
  writeFileSync(join(media, 'rsk-2024-chain.pem'), await certificateChain(now));

  createPacket(station, {
    packetId: PACKET,
    kind: 'rotation-deferral',
    covers:
      'Deferral of the scheduled rotation of release signing key RSK-2024 while the HSM firmware attestation mismatch blocks the quorum ceremony.',
    subject: {
      key: 'RSK-2024 (release signing key, Station HSM B)',
      reason: 'HSM firmware attestation mismatch blocks the quorum ceremony',
      windowStart: at(5),
      windowEnd: at(90),
      rotationDue: at(20),
    },
    actor: ACTOR,
  });

  const file = async (
    name: string,
    evidenceId: string,
    title: string,
    system: string,
    effectiveDays: number | null,
    freshnessDays: number | null,
  ) =>
    importEvidenceFile(station, {
      packetId: PACKET,
      path: join(media, name),
      evidenceId,
      title,
      system,
      effectiveAt: effectiveDays === null ? null : at(effectiveDays),
      freshnessDays,
      importedBy: PM,
      actor: ACTOR,
    });
  await file(
    'hsm-firmware-attestation.json',
    'ev-fw-attestation',
    'HSM firmware attestation (mismatch)',
    'hsm-vendor-attestation',
    -3,
    30,
  );
  await file('rsk-2024-chain.pem', 'ev-certs', 'RSK-2024 certificate chain', 'release-pki', null, null);
  await file(
    'hsm-audit-summary.json',
    'ev-hsm-audit',
    'HSM audit log summary, last 90 days',
    'hsm-audit-export',
    -2,
    30,
  );
  await file(
    'signer-availability.csv',
    'ev-signers',
    'Signer availability for the rescheduled ceremony',
    'ceremony-roster-sheet',
    -25,
    14,
  );
  await file(
    'build-enrollment.csv',
    'ev-enrollment',
    'Build-system enrollment and cutover readiness',
    'build-enrollment-tracker',
    -6,
    30,
  );
  await file(
    'deferral-policy.txt',
    'ev-policy',
    'Key management policy KMP-7 §4 (rotation and deferral)',
    'policy-repository',
    -400,
    null,
  );
  await file(
    'prior-deferrals.json',
    'ev-prior',
    'Deferral history of RSK-2024',
    'governance-register',
    -10,
    180,
  );

  const identitySeq = journalIdentity(station).seqs[0];
  if (identitySeq !== undefined)
    addJournalEvidence(station, {
      packetId: PACKET,
      seq: identitySeq,
      evidenceId: 'ev-inventory',
      title: 'Station identity key generated and read back on the station token',
      system: 'ceremony-station',
      effectiveAt: null,
      freshnessDays: null,
      actor: ACTOR,
    });
  addAttestation(station, {
    packetId: PACKET,
    evidenceId: 'ev-monitoring',
    title: 'Interim monitoring during the deferral window',
    system: 'sre-on-call',
    text: 'The transparency-log monitor alerts on any RSK-2024 signature made outside the release pipeline; the on-call SRE reviews the alerts hourly for the whole deferral window.',
    attestedBy: 'Mo Okafor (SRE lead)',
    effectiveAt: at(-1),
    freshnessDays: 30,
    actor: ACTOR,
  });
  addAttestation(station, {
    packetId: PACKET,
    evidenceId: 'ev-backup-custody',
    title: 'Backup token custody attestation',
    system: 'custody-log',
    text: `The RSK-2024 backup token is sealed in tamper bag TB-88121 in safe B; seal inspected intact on ${at(-120).slice(0, 10)}.`,
    attestedBy: 'Cary Lim (key custodian)',
    effectiveAt: at(-120),
    freshnessDays: 90,
    sensitive: true,
    actor: ACTOR,
  });

  const claim = (claimId: string, text: string, evidence: string[], status: 'supported' | 'disputed') =>
    editPacket(station, PACKET, { op: 'set-claim', claim: { claimId, text, evidence, status } }, ACTOR);
  const exception = (
    exceptionId: string,
    kind: 'stale' | 'partial' | 'disputed',
    title: string,
    owner: string,
    dueDays: number,
    blocking: boolean,
    claims: string[],
    evidence: string[],
  ) =>
    editPacket(
      station,
      PACKET,
      {
        op: 'set-exception',
        exception: {
          exceptionId,
          kind,
          title,
          owner,
          dueAt: at(dueDays),
          status: 'open',
          blocking,
          claims,
          evidence,
          resolution: null,
        },
      },
      ACTOR,
    );

  claim(
    'c-inventory',
    'The key and its backups are inventoried and HSM-resident (read-back attributes).',
    ['ev-inventory'],
    'supported',
  );
  claim(
    'c-validity',
    "The key's certificates stay valid through the end of the requested window.",
    ['ev-certs'],
    'disputed',
  );
  claim(
    'c-hsm-audit',
    'HSM audit evidence shows no signing outside approved ceremonies.',
    ['ev-hsm-audit'],
    'supported',
  );
  claim(
    'c-readiness',
    'The reason for deferral is documented and the ceremony cannot proceed as planned.',
    ['ev-fw-attestation'],
    'supported',
  );
  claim(
    'c-signers',
    'Enough signers are available for the rescheduled ceremony.',
    ['ev-signers'],
    'disputed',
  );
  claim(
    'c-enrollment',
    "Dependent build systems' enrollment and cutover readiness is known.",
    ['ev-enrollment'],
    'disputed',
  );
  claim(
    'c-policy',
    "The deferral meets the policy's deferral criteria (mandatory rotation interval, maximum deferral).",
    ['ev-policy'],
    'supported',
  );
  claim('c-prior', 'Prior deferrals of this key are listed.', ['ev-prior'], 'supported');
  claim(
    'c-monitoring',
    'Interim monitoring constraints are in place for the deferral window.',
    ['ev-monitoring'],
    'supported',
  );
  claim('c-custody', 'Backup token custody attestations are current.', ['ev-backup-custody'], 'supported');

  exception(
    'x-backup-custody',
    'stale',
    'Backup-token custody attestation is older than 90 days',
    'Cary Lim (key custodian)',
    10,
    true,
    ['c-custody'],
    ['ev-backup-custody'],
  );
  exception(
    'x-signers',
    'partial',
    'Signer availability incomplete: Bob unavailable, Carol unconfirmed',
    'Dan Diaz (ceremony administrator)',
    7,
    true,
    ['c-signers'],
    ['ev-signers'],
  );
  exception(
    'x-cutover',
    'disputed',
    'Mobile app-store upload disputes its cutover readiness',
    'Sam Ito (mobile release)',
    21,
    false,
    ['c-enrollment'],
    ['ev-enrollment'],
  );
  exception(
    'x-runway',
    'partial',
    'RSK-2024 signing certificate expires inside the requested window',
    'Lee Park (PKI operations)',
    14,
    true,
    ['c-validity'],
    ['ev-certs'],
  );

  editPacket(
    station,
    PACKET,
    {
      op: 'set-reviewers',
      reviewers: [
        { role: 'board-reviewer', name: 'Dana Reyes (cryptography-governance board)' },
        { role: 'cryptography-engineering-manager', name: 'Cyrus Menon' },
      ],
    },
    ACTOR,
  );
  recordVersion(station, PACKET, ACTOR);
}
