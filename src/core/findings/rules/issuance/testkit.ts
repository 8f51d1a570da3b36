import type { z } from 'zod';
import policyJson from '../../../../../resources/policy/portal-issuance.json';
import { utf8Bytes } from '../../../bytes';
import { evaluate, type Sha256Hex } from '../../engine';
import type { FAMILIES } from '../../families/catalogue';
import type { SourceRecord } from '../../model';
import { type PortalIssuancePolicy, portalIssuancePolicySchema } from '../../policy/portal-issuance';
import { issuanceWorkflow } from '../../workflows/issuance';
import { rec } from '../deferral/testkit';
import { requestDigest, type RequestContent } from './common';
import { csrDer } from './csr';

/**
 * Unit-test support for workflow 004: the default policy and one baseline request (ISR-1 for service
 * svc-pkg-signing, subscriber SUB-1, owner elena.park, profile PROF-PROD-SIGN, window WIN-1 open
 * 2026-12-01T08:00Z–2026-12-03T08:00Z, custody attestation KCA-1) with a real locked CSR, three
 * approvals bound to its digest by three rostered people, and fresh, consistent records; builders
 * override one field at a time. As of 2026-12-01T10:00Z. The CSRs were made once with openssl
 * (tests/scenarios/tools/issuance-csrs/, the same files); their keys were destroyed.
 */
export const POLICY: PortalIssuancePolicy = portalIssuancePolicySchema.parse(policyJson);
export const AS_OF = '2026-12-01T10:00:00.000Z';
const EXPORTED = '2026-12-01T09:00:00.000Z';

export const CSR_A = `-----BEGIN CERTIFICATE REQUEST-----
MIIBaTCCAQ4CAQAwRTEnMCUGA1UEAwweTm9ydGh3aW5kIFBhY2thZ2UgU2lnbmlu
ZyAyMDI3MRowGAYDVQQKDBFOb3J0aHdpbmQgU3lzdGVtczBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABHjLgteWJk9AjjFfIeEiEV1ODHoT93QpSQ5QjrQ+UW5lgoO2
vVR6TkFYeShkVi3WxZpID7DFUKIfEgivoc6YBomgZzBlBgkqhkiG9w0BCQ4xWDBW
MFQGA1UdEQRNMEuCHXBrZy1zaWduaW5nLm5vcnRod2luZC5leGFtcGxlhipodHRw
czovL3JlbGVhc2VzLm5vcnRod2luZC5leGFtcGxlL3NpZ25pbmcwCgYIKoZIzj0E
AwIDSQAwRgIhAPQLBVr4KK4AOw3SgnIVv2qSTiEjDOmlJYMbDm1ZcYksAiEAhxzP
qegz5iv2/Wx1PkDHx79WdrPa25t4dVqZqSHpP1c=
-----END CERTIFICATE REQUEST-----
`;

export const CSR_B = `-----BEGIN CERTIFICATE REQUEST-----
MIIBaDCCAQ4CAQAwRTEnMCUGA1UEAwweTm9ydGh3aW5kIFBhY2thZ2UgU2lnbmlu
ZyAyMDI3MRowGAYDVQQKDBFOb3J0aHdpbmQgU3lzdGVtczBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABNNYxRiSAWIKOGxBPYsDp6joCJuDCOshovzazB9Bmj4qvjEg
JS/k74EfChvtmeF/2pZPch0dX+Wi8zraAeeoi6SgZzBlBgkqhkiG9w0BCQ4xWDBW
MFQGA1UdEQRNMEuCHXBrZy1zaWduaW5nLm5vcnRod2luZC5leGFtcGxlhipodHRw
czovL3JlbGVhc2VzLm5vcnRod2luZC5leGFtcGxlL3NpZ25pbmcwCgYIKoZIzj0E
AwIDSAAwRQIgOjHoyigWSmGmHPayFA5U0c/b154upZabI53SZ0nKY9MCIQCjBtFM
ggikwArXuopTDXUUjlQ9L+FIMkCUCaz0oltFag==
-----END CERTIFICATE REQUEST-----
`;

export const CSR_WIDE = `-----BEGIN CERTIFICATE REQUEST-----
MIIBsTCCAVcCAQAwcDELMAkGA1UEBhMCREUxGjAYBgNVBAoMEU5vcnRod2luZCBT
eXN0ZW1zMRwwGgYDVQQLDBNSZWxlYXNlIEVuZ2luZWVyaW5nMScwJQYDVQQDDB5O
b3J0aHdpbmQgUGFja2FnZSBTaWduaW5nIDIwMjcwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQKEvEIMYUqHTQlHuNYNmUV11yHFE85VMPaKvMsAwrfAXUHPca45Ksf
qZlDyQkdgOoNBR5u3qcLlWCUZ9ierL3qoIGEMIGBBgkqhkiG9w0BCQ4xdDByMHAG
A1UdEQRpMGeCHXBrZy1zaWduaW5nLm5vcnRod2luZC5leGFtcGxlghMqLm5vcnRo
d2luZC5leGFtcGxlgRlwa2ktb3BzQG5vcnRod2luZC5leGFtcGxlhwQKFB4ohxAg
AQ24AAAAAAAAAAAAAAAHMAoGCCqGSM49BAMCA0gAMEUCIQCGlfBy2MOkkqzA1AbM
TerShennGHvS6kx/KpMBcRxIxAIgBv4HM6m8XqfI2Ly5sIkWwZpf2uNhmhtTkN3q
VkANpmQ=
-----END CERTIFICATE REQUEST-----
`;

/** SHA-256 (FIPS 180-4), pure, for the tests of a core module that takes its hasher injected. */
export const sha256: Sha256Hex = (data) => {
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const H = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const len = data.length;
  const total = Math.ceil((len + 9) / 64) * 64;
  const m = new Uint8Array(total);
  m.set(data);
  m[len] = 0x80;
  const view = new DataView(m.buffer);
  view.setUint32(total - 8, Math.floor((len * 8) / 2 ** 32));
  view.setUint32(total - 4, (len * 8) >>> 0);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] as number;
      const b = w[i - 2] as number;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = H as unknown as number[];
    for (let i = 0; i < 64; i++) {
      const t1 =
        ((h as number) +
          (rotr(e as number, 6) ^ rotr(e as number, 11) ^ rotr(e as number, 25)) +
          (((e as number) & (f as number)) ^ (~(e as number) & (g as number))) +
          (K[i] as number) +
          (w[i] as number)) >>>
        0;
      const t2 =
        ((rotr(a as number, 2) ^ rotr(a as number, 13) ^ rotr(a as number, 22)) +
          (((a as number) & (b as number)) ^
            ((a as number) & (c as number)) ^
            ((b as number) & (c as number)))) >>>
        0;
      h = g;
      g = f;
      f = e;
      e = ((d as number) + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const out = [a, b, c, d, e, f, g, h] as number[];
    for (let i = 0; i < 8; i++) H[i] = ((H[i] as number) + (out[i] as number)) >>> 0;
  }
  return [...H].map((x) => x.toString(16).padStart(8, '0')).join('');
};

/** SHA-256 over a PEM CSR's DER (its fingerprint as the request locks it). */
export const fingerprintOf = (pem: string): string => sha256(csrDer(pem));
export const textSha = (s: string): string => sha256(utf8Bytes(s));

type In<N extends keyof typeof FAMILIES> = Partial<z.input<(typeof FAMILIES)[N]['schema']>>;
const r = <N extends keyof typeof FAMILIES>(
  family: N,
  content: z.input<(typeof FAMILIES)[N]['schema']>,
  at = EXPORTED,
) => rec(family, content, at);

export const SANS = ['dns:pkg-signing.northwind.example', 'uri:https://releases.northwind.example/signing'];
/** SHA-256 of the SubjectPublicKeyInfo of CSR_A's and CSR_B's keys (openssl pkey -pubin -outform DER | sha256sum). */
export const SPKI_A = '26ccd9ca53ae45595c5028d34aace92133613a8be54055a42ce84298d4fa594c';
export const SPKI_B = '9972132e3dcde52d3f34a4ba6ec00ebfdc401d150bd21c778d2943fb12491f81';

export const request = (o: In<'issuance-request'> = {}) =>
  r('issuance-request', {
    requestId: 'ISR-1',
    serviceId: 'svc-pkg-signing',
    subscriberId: 'SUB-1',
    owner: 'elena.park',
    requestedBy: 'k.moreno',
    requestedAt: '2026-11-28T09:00:00.000Z',
    csrFingerprint: fingerprintOf(CSR_A),
    commonName: 'Northwind Package Signing 2027',
    organization: 'Northwind Systems',
    environment: 'production',
    sanSet: SANS,
    profileId: 'PROF-PROD-SIGN',
    windowId: 'WIN-1',
    custodyAttestationId: 'KCA-1',
    justification: 'Replacement package-signing certificate ahead of the intermediate expiry',
    status: 'approved',
    ...o,
  });

/** The digest approvals of a request record bind. */
export const digestOf = (req: SourceRecord): string => requestDigest(sha256, req.content as RequestContent);

export const lock = (o: In<'csr-lock'> = {}) =>
  r('csr-lock', {
    lockId: 'LCK-1',
    requestId: 'ISR-1',
    csrPem: CSR_A,
    lockedAt: '2026-11-28T08:30:00.000Z',
    lockedBy: 'elena.park',
    ...o,
  });

export const APPROVERS = [
  ['release-integrity-owner', 'ravi.iyer'],
  ['cryptography-engineering-manager', 'mei.chen'],
  ['ca-delegate', 'tom.okafor'],
] as const;

export const approval = (role: string, approver: string, o: In<'issuance-approval'> = {}) =>
  r('issuance-approval', {
    approvalId: `APR-${role}`,
    requestId: 'ISR-1',
    approver,
    role,
    decision: 'approve',
    boundDigest: digestOf(request()),
    approvedAt: '2026-11-29T12:00:00.000Z',
    expiresAt: '2026-12-05T00:00:00.000Z',
    ...o,
  });

export const roster = (person: string, roles: string[], o: In<'roster-snapshot'> = {}) =>
  r('roster-snapshot', {
    entryId: `RS-${person}`,
    person,
    roles,
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: null,
    status: 'active',
    snapshotAt: '2026-11-30T00:00:00.000Z',
    ...o,
  });

export const subscriber = (o: In<'subscriber-identity'> = {}) =>
  r('subscriber-identity', {
    subscriberId: 'SUB-1',
    serviceId: 'svc-pkg-signing',
    serviceName: 'Package signing service',
    organization: 'Northwind Systems',
    registeredNames: ['dns:pkg-signing.northwind.example', 'uri:https://releases.northwind.example/signing'],
    status: 'active',
    verifiedAt: '2026-11-20T00:00:00.000Z',
    validUntil: '2027-11-20T00:00:00.000Z',
    ...o,
  });

export const registration = (o: In<'environment-registration'> = {}) =>
  r('environment-registration', {
    registrationId: 'ENV-1',
    serviceId: 'svc-pkg-signing',
    environment: 'production',
    status: 'active',
    registeredAt: '2026-06-01T00:00:00.000Z',
    validUntil: null,
    ...o,
  });

export const profile = (o: In<'certificate-profile'> = {}) =>
  r('certificate-profile', {
    profileId: 'PROF-PROD-SIGN',
    portalLabel: 'Production code signing (HSM)',
    productionSigning: true,
    allowedSanTypes: ['dns', 'uri'],
    maxSans: 4,
    allowWildcard: false,
    status: 'active',
    publishedAt: '2026-05-01T00:00:00.000Z',
    ...o,
  });

export const custody = (o: In<'key-custody-attestation'> = {}) =>
  r('key-custody-attestation', {
    attestationId: 'KCA-1',
    spkiSha256: SPKI_A,
    hsmSerial: 'LUNA-1478203',
    result: 'pass',
    attestedBy: 'hsm.admin',
    attestedAt: '2026-11-27T00:00:00.000Z',
    validUntil: '2026-12-27T00:00:00.000Z',
    ...o,
  });

export const window = (o: In<'issuance-window'> = {}) =>
  r('issuance-window', {
    windowId: 'WIN-1',
    serviceId: 'svc-pkg-signing',
    opensAt: '2026-12-01T08:00:00.000Z',
    closesAt: '2026-12-03T08:00:00.000Z',
    status: 'reserved',
    supersededBy: null,
    reservedAt: '2026-11-25T00:00:00.000Z',
    ...o,
  });

export const deadline = (o: In<'trust-deadline'> = {}) =>
  r('trust-deadline', {
    deadlineId: 'TD-1',
    serviceId: 'svc-pkg-signing',
    intermediate: 'Northwind Code Signing CA G2',
    expiresAt: '2027-02-15T00:00:00.000Z',
    recordedAt: '2026-10-01T00:00:00.000Z',
    ...o,
  });

export const portal = (o: In<'portal-request'> = {}) =>
  r('portal-request', {
    portalRequestId: 'PKI-REQ-000100',
    subject: 'Northwind Telemetry Signing',
    fingerprint: null,
    state: 'pending',
    observedAt: '2026-12-01T08:30:00.000Z',
    ...o,
  });

export const investigation = (o: In<'pki-investigation'> = {}) =>
  r('pki-investigation', {
    investigationId: 'INV-1',
    kind: 'compromise',
    spkiSha256: null,
    subscriberId: null,
    status: 'open',
    openedAt: '2026-11-30T00:00:00.000Z',
    ...o,
  });

/** Everything a ready request needs. */
export function baseline(): SourceRecord[] {
  return [
    request(),
    lock(),
    ...APPROVERS.flatMap(([role, who]) => [approval(role, who), roster(who, [role])]),
    subscriber(),
    registration(),
    profile(),
    custody(),
    window(),
    deadline(),
  ];
}

/** The baseline with records replaced: same family and record id replaced, others added. */
export function withRecords(base: readonly SourceRecord[], ...changes: SourceRecord[]): SourceRecord[] {
  const key = (x: SourceRecord) => `${x.family}\u0000${x.provenance.recordId}`;
  const changed = new Set(changes.map(key));
  return [...base.filter((x) => !changed.has(key(x))), ...changes];
}

/** The baseline whose request changed, with its approvals re-bound to the changed request's digest. */
export function withRequest(o: In<'issuance-request'>, ...changes: SourceRecord[]): SourceRecord[] {
  const req = request(o);
  const rebound = APPROVERS.map(([role, who]) => approval(role, who, { boundDigest: digestOf(req) }));
  return withRecords(baseline(), req, ...rebound, ...changes);
}

export const without = (base: readonly SourceRecord[], ...families: string[]): SourceRecord[] =>
  base.filter((x) => !families.includes(x.family));

export interface RunOpts {
  asOf?: string;
  policy?: Partial<PortalIssuancePolicy>;
  subject?: string;
}

export function run(records: readonly SourceRecord[], opts: RunOpts = {}) {
  return evaluate(issuanceWorkflow, {
    records,
    policy: { ...POLICY, ...opts.policy },
    policyDigest: '0'.repeat(64),
    asOf: opts.asOf ?? AS_OF,
    subject: opts.subject ?? 'ISR-1',
    sha256,
  });
}

/** Each finding as `CHECK category subject`, `info` appended when it does not block. */
export const checks = (e: ReturnType<typeof run>) =>
  e.findings.map((f) => `${f.checkId} ${f.category} ${f.subject}${f.blocking ? '' : ' info'}`);

/** The findings of one check. */
export const only = (e: ReturnType<typeof run>, checkId: string) =>
  checks(e).filter((c) => c.startsWith(`${checkId} `));

/** The same record exported again at `at` (the latest export of a record id is the one that holds). */
export const exportedAt = (x: SourceRecord, at: string): SourceRecord => ({
  ...x,
  provenance: { ...x.provenance, exportedAt: at },
});
