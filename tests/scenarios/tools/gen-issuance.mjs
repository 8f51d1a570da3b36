#!/usr/bin/env node
/**
 * Writes the portal-issuance scenario corpus (tests/scenarios/portal-issuance/NN-slug/) from one realistic
 * baseline: issuance request ISR-2026-0412 of the certificate-governance system for the package-signing
 * service behind customer-delivered release artifacts (owner Elena Park), its CSR locked in the approved
 * CSR packet (a real CSR made once with openssl, tests/scenarios/tools/issuance-csrs/; the keys were
 * destroyed), the approvals of the release integrity owner, the cryptography engineering manager and the
 * CA delegate bound to the request's digest (CSV), the IAM roster, the subscriber identity and SAN
 * inventory, the environment registrations (CSV), the certificate-profile catalogue, the HSM custody
 * attestation of the CSR key, the issuance-window reservations (CSV), the trust-chain inventory's
 * deadlines (CSV), the PKI portal's queue export (CSV) and PKI security operations' investigations, with
 * other services' records as noise. Each scenario changes the baseline in one or two places (the planted
 * gap, or look-alikes that must not be flagged); one adds a later step.
 *
 *   node tests/scenarios/tools/gen-issuance.mjs   (re-writes every NN- folder; deterministic)
 *
 * The approvals' boundDigest is the request digest of docs/records.md: SHA-256 of the RFC 8785 canonical
 * JSON of { family: "issuance-request", familyVersion: 1, content } with the status left out.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import * as prettier from 'prettier';

const TOOLS = dirname(fileURLToPath(import.meta.url));
const OUT = join(TOOLS, '..', 'portal-issuance');
const prettierOptions = (await prettier.resolveConfig(join(OUT, 'x.json'))) ?? {};
const pending = [];
const writeJson = (path, value) => pending.push([path, JSON.stringify(value)]);
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

const csr = (name) => readFileSync(join(TOOLS, 'issuance-csrs', name), 'utf8');
const CSR = csr('pkg-signing-2027.csr.pem');
const CSR_REGENERATED = csr('pkg-signing-2027-regenerated.csr.pem');
const CSR_WIDE = csr('wide-scope.csr.pem');
const der = (pem) =>
  Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE REQUEST-----/g, '').replace(/\s+/g, ''), 'base64');
/** The SubjectPublicKeyInfo digests of the CSR keys (openssl pkey -pubin -outform DER | sha256sum). */
const SPKI = '26ccd9ca53ae45595c5028d34aace92133613a8be54055a42ce84298d4fa594c';
const SPKI_WIDE = 'e871c328668f507d57a940627b5ced1c9379307811335a27ec3f605e76f16cea';

const AS_OF = '2026-12-08T09:30:00.000Z';
const REQ = 'ISR-2026-0412';
const SERVICE = 'svc-pkg-signing';
const SUBSCRIBER = 'SUBSCR-0087';
const OWNER = 'elena.park';
const CN = 'Northwind Package Signing 2027';
const ORG = 'Northwind Systems';
const SANS = ['dns:pkg-signing.northwind.example', 'uri:https://releases.northwind.example/signing'];
const WINDOW = 'IW-2026-12-PKG-01';
const CUSTODY = 'KCA-LUNA-1478203-2026-1201';
const PROFILE = 'PROF-CS-PROD-HSM';
const APPROVERS = [
  ['release-integrity-owner', 'r.okafor', 'APR-2026-0412-RIO'],
  ['cryptography-engineering-manager', 'm.chen', 'APR-2026-0412-CEM'],
  ['ca-delegate', 's.lindqvist', 'APR-2026-0412-CAD'],
];

const APPROVED_AT = {
  'release-integrity-owner': '2026-12-02T14:10:00.000Z',
  'cryptography-engineering-manager': '2026-12-03T09:05:00.000Z',
  'ca-delegate': '2026-12-03T16:40:00.000Z',
};

/** The digest an approval binds (docs/records.md, "Issuance request digest"). */
function requestDigest(content) {
  const { status: _status, ...approved } = content;
  return sha(
    Buffer.from(canonicalize({ family: 'issuance-request', familyVersion: 1, content: approved }), 'utf8'),
  );
}

function request(o = {}) {
  return {
    requestId: REQ,
    serviceId: SERVICE,
    subscriberId: SUBSCRIBER,
    owner: OWNER,
    requestedBy: 'j.whitfield',
    requestedAt: '2026-12-01T10:00:00.000Z',
    csrFingerprint: sha(der(CSR)),
    commonName: CN,
    organization: ORG,
    organizationalUnit: null,
    country: null,
    environment: 'production',
    sanSet: SANS,
    profileId: PROFILE,
    windowId: WINDOW,
    custodyAttestationId: CUSTODY,
    justification:
      'Replacement production package-signing certificate for customer-delivered release artifacts, ahead of the Northwind Code Signing CA G2 trust deadline (CHG-2026-3318).',
    status: 'approved',
    ...o,
  };
}

function approval(role, approver, approvalId, req, o = {}) {
  return {
    approvalId,
    requestId: req.requestId,
    approver,
    role,
    decision: 'approve',
    boundDigest: requestDigest(req),
    approvedAt: APPROVED_AT[role] ?? '2026-12-04T09:00:00.000Z',
    expiresAt: '2026-12-15T00:00:00.000Z',
    ...o,
  };
}

function roster(person, roles, o = {}) {
  return {
    entryId: `IAM-${person}`,
    person,
    roles,
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: null,
    status: 'active',
    snapshotAt: '2026-12-08T06:00:00.000Z',
    ...o,
  };
}

/** The baseline: every export of a clean, ready submission. */
function baseline() {
  const f = {};
  const file = (name, family, system, exportedAt, format, records) =>
    (f[name] = { family, system, exportedAt, format, records });
  const req = request();
  file('issuance-requests.json', 'issuance-request', 'cert-governance', '2026-12-08T08:00:00.000Z', 'json', [
    req,
    // Noise: the telemetry-signing service's earlier request, withdrawn.
    request({
      requestId: 'ISR-2026-0377',
      serviceId: 'svc-telemetry-signing',
      subscriberId: 'SUBSCR-0102',
      requestedAt: '2026-11-12T10:00:00.000Z',
      commonName: 'Northwind Telemetry Signing',
      sanSet: ['dns:telemetry-signing.northwind.example'],
      windowId: 'IW-2026-11-TEL-01',
      custodyAttestationId: 'KCA-LUNA-1478311-2026-1110',
      csrFingerprint: sha('telemetry csr'),
      justification: 'Telemetry signing renewal (withdrawn: service retired)',
      status: 'withdrawn',
    }),
  ]);
  file('csr-packet.json', 'csr-lock', 'cert-governance', '2026-12-08T08:00:00.000Z', 'json', [
    {
      lockId: 'LCK-2026-0412',
      requestId: REQ,
      csrPem: CSR,
      lockedAt: '2026-12-01T09:40:00.000Z',
      lockedBy: OWNER,
    },
  ]);
  file(
    'approvals.csv',
    'issuance-approval',
    'cert-governance',
    '2026-12-08T08:00:00.000Z',
    'csv',
    APPROVERS.map(([role, who, id]) => approval(role, who, id, req)),
  );
  file('iam-roster.json', 'roster-snapshot', 'iam-governance', '2026-12-08T06:00:00.000Z', 'json', [
    ...APPROVERS.map(([role, who]) => roster(who, [role])),
    roster(OWNER, ['certificate-operations-owner']),
    roster('j.whitfield', ['certificate-operator']),
    // Noise: a second CA delegate on leave.
    roster('p.nakamura', ['ca-delegate'], { status: 'suspended' }),
  ]);
  file(
    'subscriber-registry.json',
    'subscriber-identity',
    'subscriber-registry',
    '2026-12-08T07:00:00.000Z',
    'json',
    [
      {
        subscriberId: SUBSCRIBER,
        serviceId: SERVICE,
        serviceName: 'Package signing service (customer-delivered releases)',
        organization: ORG,
        registeredNames: [...SANS, 'dns:pkg-signing-dr.northwind.example'],
        status: 'active',
        verifiedAt: '2026-11-20T12:00:00.000Z',
        validUntil: '2027-11-20T00:00:00.000Z',
      },
      {
        subscriberId: 'SUBSCR-0102',
        serviceId: 'svc-telemetry-signing',
        serviceName: 'Telemetry signing service',
        organization: ORG,
        registeredNames: ['dns:telemetry-signing.northwind.example'],
        status: 'retired',
        verifiedAt: '2026-06-01T00:00:00.000Z',
        validUntil: null,
      },
    ],
  );
  file(
    'environment-registrations.csv',
    'environment-registration',
    'env-registry',
    '2026-12-08T07:00:00.000Z',
    'csv',
    [
      {
        registrationId: 'ENVREG-0087-PROD',
        serviceId: SERVICE,
        environment: 'production',
        status: 'active',
        registeredAt: '2025-03-01T00:00:00.000Z',
        validUntil: '',
      },
      {
        registrationId: 'ENVREG-0087-STG',
        serviceId: SERVICE,
        environment: 'staging',
        status: 'active',
        registeredAt: '2025-03-01T00:00:00.000Z',
        validUntil: '',
      },
    ],
  );
  file(
    'profile-catalogue.json',
    'certificate-profile',
    'pki-profile-catalogue',
    '2026-12-01T00:00:00.000Z',
    'json',
    [
      {
        profileId: PROFILE,
        portalLabel: 'Production code signing (HSM)',
        productionSigning: true,
        allowedSanTypes: ['dns', 'uri'],
        maxSans: 4,
        allowWildcard: false,
        status: 'active',
        publishedAt: '2026-05-01T00:00:00.000Z',
      },
      {
        profileId: 'PROF-CS-STG',
        portalLabel: 'Staging code signing',
        productionSigning: false,
        allowedSanTypes: ['dns', 'uri'],
        maxSans: 10,
        allowWildcard: true,
        status: 'active',
        publishedAt: '2026-05-01T00:00:00.000Z',
      },
      {
        profileId: 'PROF-TLS',
        portalLabel: 'TLS server',
        productionSigning: false,
        allowedSanTypes: ['dns', 'ip'],
        maxSans: 50,
        allowWildcard: true,
        status: 'active',
        publishedAt: '2026-05-01T00:00:00.000Z',
      },
    ],
  );
  file(
    'custody-attestations.json',
    'key-custody-attestation',
    'hsm-custody',
    '2026-12-08T07:30:00.000Z',
    'json',
    [
      {
        attestationId: CUSTODY,
        spkiSha256: SPKI,
        hsmSerial: 'LUNA-1478203',
        result: 'pass',
        attestedBy: 'hsm.admin.ito',
        attestedAt: '2026-12-01T09:20:00.000Z',
        validUntil: '2026-12-31T00:00:00.000Z',
      },
    ],
  );
  file('issuance-windows.csv', 'issuance-window', 'issuance-calendar', '2026-12-08T07:45:00.000Z', 'csv', [
    {
      windowId: WINDOW,
      serviceId: SERVICE,
      opensAt: '2026-12-08T08:00:00.000Z',
      closesAt: '2026-12-10T18:00:00.000Z',
      status: 'reserved',
      supersededBy: '',
      reservedAt: '2026-11-27T15:00:00.000Z',
    },
    {
      windowId: 'IW-2026-11-TEL-01',
      serviceId: 'svc-telemetry-signing',
      opensAt: '2026-11-20T08:00:00.000Z',
      closesAt: '2026-11-21T18:00:00.000Z',
      status: 'released',
      supersededBy: '',
      reservedAt: '2026-11-10T15:00:00.000Z',
    },
  ]);
  file('trust-deadlines.csv', 'trust-deadline', 'trust-chain-inventory', '2026-12-08T05:00:00.000Z', 'csv', [
    {
      deadlineId: 'TCD-CS-G2-2027',
      serviceId: SERVICE,
      intermediate: 'Northwind Code Signing CA G2',
      expiresAt: '2027-01-05T00:00:00.000Z',
      recordedAt: '2026-09-15T00:00:00.000Z',
    },
    {
      deadlineId: 'TCD-CS-G1-2025',
      serviceId: SERVICE,
      intermediate: 'Northwind Code Signing CA G1',
      expiresAt: '2025-06-30T00:00:00.000Z',
      recordedAt: '2024-09-15T00:00:00.000Z',
    },
  ]);
  file('portal-queue.csv', 'portal-request', 'pki-portal-export', '2026-12-08T09:00:00.000Z', 'csv', [
    {
      portalRequestId: 'PKI-REQ-000097',
      subject: 'Northwind Telemetry Signing',
      fingerprint: sha('telemetry csr'),
      state: 'cancelled',
      observedAt: '2026-12-08T09:00:00.000Z',
    },
    {
      portalRequestId: 'PKI-REQ-000104',
      subject: 'Northwind Update Service TLS',
      fingerprint: sha('update tls csr'),
      state: 'pending',
      observedAt: '2026-12-08T09:00:00.000Z',
    },
  ]);
  file('investigations.json', 'pki-investigation', 'pki-secops', '2026-12-08T08:30:00.000Z', 'json', [
    {
      investigationId: 'PKI-INV-2026-031',
      kind: 'revocation',
      spkiSha256: sha('telemetry key'),
      subscriberId: 'SUBSCR-0102',
      status: 'open',
      openedAt: '2026-11-28T00:00:00.000Z',
      summary: 'Telemetry signing certificate revocation after service retirement',
    },
  ]);
  return f;
}

// --- writing ----------------------------------------------------------------------------------------------

function csvCell(v) {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function writeFiles(dir, files, csvMeta, sub) {
  mkdirSync(join(dir, sub), { recursive: true });
  for (const [name, f] of Object.entries(files)) {
    const path = join(dir, sub, name);
    if (f.format === 'csv') {
      const header = Object.keys(f.records[0]);
      const lines = [header.join(','), ...f.records.map((r) => header.map((h) => csvCell(r[h])).join(','))];
      writeFileSync(path, `${lines.join('\r\n')}\r\n`);
      csvMeta[`${sub}/${name}`] = { system: f.system, exportedAt: f.exportedAt, family: f.family };
    } else
      writeJson(path, {
        family: f.family,
        familyVersion: 1,
        system: f.system,
        exportedAt: f.exportedAt,
        records: f.records,
      });
  }
}
const key = (checkId, subject) => ({ checkId, subject });
/** The informational trust-deadline notice every scenario on the baseline window carries. */
const NOTICE = key('ISS-TRUST-DEADLINE', 'TCD-CS-G2-2027');

function scenario(
  slug,
  { title, planted, mutate = () => {}, expect, steps = [], policy = null, asOf = AS_OF },
) {
  const dir = join(OUT, slug);
  mkdirSync(dir, { recursive: true });
  const files = baseline();
  mutate(files);
  const csv = {};
  writeFiles(dir, files, csv, 'sources');
  const outSteps = steps.map((st, i) => {
    const sub = `step${i + 2}`;
    if (st.files) writeFiles(dir, st.files, csv, sub);
    return {
      title: st.title,
      ...(st.files ? { import: sub } : {}),
      ...(st.asOf ? { asOf: st.asOf } : {}),
      expect: st.expect,
    };
  });
  if (policy) {
    mkdirSync(join(dir, 'policy'), { recursive: true });
    writeJson(join(dir, 'policy', 'portal-issuance.json'), policy);
  }
  writeJson(join(dir, 'scenario.json'), {
    workflow: 'portal-issuance',
    title,
    asOf,
    subject: REQ,
    planted,
    csv,
    expect,
    ...(outSteps.length ? { steps: outSteps } : {}),
  });
}
const find = (files, name, pred) => files[name].records.find(pred);
const theRequest = (f) => find(f, 'issuance-requests.json', (r) => r.requestId === REQ);
/** Changes the request and re-binds the three approvals to its new digest (the request as approved). */
function approvedAs(f, change) {
  Object.assign(theRequest(f), change);
  f['approvals.csv'].records = APPROVERS.map(([role, who, id]) => approval(role, who, id, theRequest(f)));
}

// --- the corpus -----------------------------------------------------------------------------------------

for (const n of readdirSync(OUT, { withFileTypes: true }))
  if (n.isDirectory() && /^\d\d-/.test(n.name)) rmSync(join(OUT, n.name), { recursive: true, force: true });

scenario('01-clean-submission', {
  title:
    'Baseline: ISR-2026-0412 is approved, locked, in scope and inside its open window — ready for the portal',
  planted:
    'Nothing. The approved request for the package-signing service (owner Elena Park), its CSR locked 2026-12-01 with the matching fingerprint, subject and SANs, three approvals bound to its digest by three rostered people, an active production-signing profile, a passing custody attestation of the CSR key, window IW-2026-12-PKG-01 open since 08:00, current identity and production registration. The Code Signing CA G2 trust ends 2027-01-05, 25 days after the window closes: an informational notice only. Noise: the withdrawn telemetry request, its released window, its cancelled portal request and open revocation investigation, a pending TLS request of another service, a suspended second CA delegate, the long-passed G1 deadline.',
  expect: { outcome: 'ready-for-portal', findings: [NOTICE], absent: [] },
});

scenario('02-approval-expired', {
  title:
    'The CA delegate’s approval expired an hour before the check — stop, back to Elena Park for a refresh',
  planted:
    'APR-2026-0412-CAD expires 2026-12-08T08:30Z (re-exported by the governance system with a shortened expiry); as of 09:30 it is expired. ISS-APPROVALS expired on ca-delegate.',
  mutate: (f) => {
    find(f, 'approvals.csv', (r) => r.role === 'ca-delegate').expiresAt = '2026-12-08T08:30:00.000Z';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-APPROVALS', 'ca-delegate'), NOTICE],
    absent: [key('ISS-APPROVALS', 'release-integrity-owner')],
  },
});

scenario('03-approvals-bound-to-earlier-content', {
  title:
    'The request’s justification was revised after the approvals — all three approvals bind the earlier content',
  planted:
    'The governance system re-exports ISR-2026-0412 with a revised justification (a change reference corrected); the three approvals still bind the digest of the content they approved. ISS-APPROVALS stale for every role.',
  mutate: (f) => {
    theRequest(f).justification += ' Corrected change reference CHG-2026-3321.';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [
      key('ISS-APPROVALS', 'release-integrity-owner'),
      key('ISS-APPROVALS', 'cryptography-engineering-manager'),
      key('ISS-APPROVALS', 'ca-delegate'),
      NOTICE,
    ],
    absent: [],
  },
});

scenario('04-approver-not-in-role', {
  title: 'The cryptography engineering manager approved two days before the roster gave him the role',
  planted:
    'The IAM roster shows m.chen as cryptography-engineering-manager only from 2026-12-05 (he approved on 2026-12-03 as acting manager, never rostered). ISS-APPROVALS invalid on cryptography-engineering-manager.',
  mutate: (f) => {
    find(f, 'iam-roster.json', (r) => r.person === 'm.chen').validFrom = '2026-12-05T00:00:00.000Z';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-APPROVALS', 'cryptography-engineering-manager'), NOTICE],
    absent: [],
  },
});

scenario('05-one-person-two-roles', {
  title: 'The release integrity owner also signed as CA delegate — three roles, two people',
  planted:
    'r.okafor holds release-integrity-owner and (temporarily) ca-delegate on the roster, and the CA-delegate approval is his; s.lindqvist did not approve. Segregation of duties: ISS-APPROVALS invalid on ca-delegate (one person counts once).',
  mutate: (f) => {
    find(f, 'iam-roster.json', (r) => r.person === 'r.okafor').roles = [
      'release-integrity-owner',
      'ca-delegate',
    ];
    find(f, 'approvals.csv', (r) => r.role === 'ca-delegate').approver = 'r.okafor';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-APPROVALS', 'ca-delegate'), NOTICE],
    absent: [key('ISS-APPROVALS', 'release-integrity-owner')],
  },
});

scenario('06-csr-regenerated', {
  title:
    'The CSR packet now holds a regenerated CSR (same subject and SANs, another key) — not the locked one',
  planted:
    'The CSR packet export carries a CSR made again on another key (identical subject and SANs); the request still locks the fingerprint of the approved one. ISS-CSR disputed (fingerprint), and ISS-CUSTODY disputed: the custody attestation speaks for the approved key, not this one.',
  mutate: (f) => {
    f['csr-packet.json'].records[0].csrPem = CSR_REGENERATED;
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-CSR', REQ), key('ISS-CUSTODY', CUSTODY), NOTICE],
    absent: [],
  },
});

scenario('07-san-scope-expanded', {
  title:
    'An approved request for a wildcard, an e-mail and two IP SANs — beyond the subscriber and the profile',
  planted:
    'The request, its locked CSR (a real CSR with C, O, OU, CN and five SANs) and its approvals all agree, and the custody attestation is of that key; but *.northwind.example, pki-ops@northwind.example, 10.20.30.40 and 2001:db8::7 are not registered to the subscriber, the profile allows only dns and uri, at most four SANs, no wildcard. ISS-SCOPE: outside the registered names, SAN types, count, wildcard.',
  mutate: (f) => {
    approvedAs(f, {
      csrFingerprint: sha(der(CSR_WIDE)),
      organizationalUnit: 'Release Engineering',
      country: 'DE',
      sanSet: [
        'dns:pkg-signing.northwind.example',
        'dns:*.northwind.example',
        'email:pki-ops@northwind.example',
        'ip:10.20.30.40',
        'ip:2001:db8:0:0:0:0:0:7',
      ],
    });
    f['csr-packet.json'].records[0].csrPem = CSR_WIDE;
    f['custody-attestations.json'].records[0].spkiSha256 = SPKI_WIDE;
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-SCOPE', REQ), NOTICE],
    absent: [key('ISS-CSR', REQ)],
  },
});

scenario('08-profile-not-production', {
  title: 'The request names the staging code-signing profile, not authorised for production signing',
  planted:
    'ISR-2026-0412 (approved as such) names PROF-CS-STG, “Staging code signing”, whose catalogue entry is not authorised for production signing. ISS-PROFILE policy-criterion-unmet.',
  mutate: (f) => approvedAs(f, { profileId: 'PROF-CS-STG' }),
  expect: { outcome: 'stop-before-entry', findings: [key('ISS-PROFILE', 'PROF-CS-STG'), NOTICE], absent: [] },
});

scenario('09-custody-attestation-expired', {
  title: 'The HSM custody attestation of the CSR key lapsed this morning',
  planted:
    'The HSM custody export gives KCA-LUNA-1478203-2026-1201 a validUntil of 2026-12-08T06:00Z (the attestation cycle was shortened). ISS-CUSTODY expired.',
  mutate: (f) => {
    f['custody-attestations.json'].records[0].validUntil = '2026-12-08T06:00:00.000Z';
  },
  expect: { outcome: 'stop-before-entry', findings: [key('ISS-CUSTODY', CUSTODY), NOTICE], absent: [] },
});

scenario('10-window-superseded', {
  title: 'The issuance window was superseded by a later reservation the request does not name',
  planted:
    'The issuance calendar superseded IW-2026-12-PKG-01 by IW-2026-12-PKG-02 (reserved 2026-12-09 08:00 to 2026-12-11 18:00, a CA maintenance moved it); the request still names the first. ISS-WINDOW stale, naming the replacement.',
  mutate: (f) => {
    const w = f['issuance-windows.csv'].records;
    Object.assign(w[0], { status: 'superseded', supersededBy: 'IW-2026-12-PKG-02' });
    w.push({
      windowId: 'IW-2026-12-PKG-02',
      serviceId: SERVICE,
      opensAt: '2026-12-09T08:00:00.000Z',
      closesAt: '2026-12-11T18:00:00.000Z',
      status: 'reserved',
      supersededBy: '',
      reservedAt: '2026-12-07T16:00:00.000Z',
    });
  },
  expect: { outcome: 'stop-before-entry', findings: [key('ISS-WINDOW', WINDOW), NOTICE], absent: [] },
});

scenario('11-production-registration-suspended', {
  title: 'The service’s production environment registration is suspended',
  planted:
    'The environment registry reports ENVREG-0087-PROD suspended (an expired ownership review); the staging registration is active and does not count for a production request. ISS-SUBSCRIBER invalid on svc-pkg-signing/production.',
  mutate: (f) => {
    f['environment-registrations.csv'].records[0].status = 'suspended';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-SUBSCRIBER', `${SERVICE}/production`), NOTICE],
    absent: [key('ISS-SUBSCRIBER', SUBSCRIBER)],
  },
});

scenario('12-duplicate-pending-request', {
  title: 'The portal queue already holds a pending request for the same subject',
  planted:
    'The portal export lists PKI-REQ-000119, pending since yesterday, subject “NORTHWIND PACKAGE SIGNING 2027” (an earlier manual attempt, in capitals) with no fingerprint shown. ISS-DUPLICATE disputed: a new request would duplicate it.',
  mutate: (f) => {
    f['portal-queue.csv'].records.push({
      portalRequestId: 'PKI-REQ-000119',
      subject: 'NORTHWIND PACKAGE SIGNING 2027',
      fingerprint: '',
      state: 'pending',
      observedAt: '2026-12-08T09:00:00.000Z',
    });
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-DUPLICATE', 'PKI-REQ-000119'), NOTICE],
    absent: [key('ISS-DUPLICATE', 'PKI-REQ-000104')],
  },
});

scenario('13-investigation-open-on-key', {
  title: 'A compromise investigation is open on the CSR’s key',
  planted:
    'PKI security operations opened PKI-INV-2026-036 (compromise) on the key whose SPKI digest the CSR carries (a suspicious HSM audit entry). ISS-INVESTIGATION stop. The telemetry revocation investigation stays irrelevant.',
  mutate: (f) => {
    f['investigations.json'].records.push({
      investigationId: 'PKI-INV-2026-036',
      kind: 'compromise',
      spkiSha256: SPKI,
      subscriberId: null,
      status: 'open',
      openedAt: '2026-12-08T07:10:00.000Z',
      summary: 'Unexpected key-usage audit entry on LUNA-1478203',
    });
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-INVESTIGATION', 'PKI-INV-2026-036'), NOTICE],
    absent: [key('ISS-INVESTIGATION', 'PKI-INV-2026-031')],
  },
});

scenario('14-trust-deadline-passed', {
  title: 'The intermediate’s trust ended before the issuance window opened',
  planted:
    'The trust-chain inventory re-exports TCD-CS-G2-2027 with an expiry of 2026-12-07 (the CA shortened it), before the window opened on 2026-12-08 08:00. ISS-TRUST-DEADLINE expired, blocking.',
  mutate: (f) => {
    f['trust-deadlines.csv'].records[0].expiresAt = '2026-12-07T00:00:00.000Z';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-TRUST-DEADLINE', 'TCD-CS-G2-2027')],
    absent: [],
  },
});

scenario('15-lookalikes', {
  title: 'Look-alikes that must not stop the entry — ready for the portal',
  planted:
    'A pending portal request of another subject and key (PKI-REQ-000104); a cancelled earlier request for the same subject (PKI-REQ-000088); the CA-delegate approval expiring one minute after as-of; the request on window IW-2026-12-PKG-02, which superseded (and is reserved in place of) IW-2026-12-PKG-01; the request’s DNS SAN written in capitals (DNS names compare case-insensitively; the CSR has it in lower case); a closed compromise investigation on the key; a roster entry of an approver ended after the approval, renewed by a later entry that covers now. Only the trust-deadline notice.',
  mutate: (f) => {
    const w = f['issuance-windows.csv'].records;
    Object.assign(w[0], { status: 'superseded', supersededBy: 'IW-2026-12-PKG-02' });
    w.push({
      windowId: 'IW-2026-12-PKG-02',
      serviceId: SERVICE,
      opensAt: '2026-12-08T09:00:00.000Z',
      closesAt: '2026-12-10T20:00:00.000Z',
      status: 'reserved',
      supersededBy: '',
      reservedAt: '2026-12-07T16:00:00.000Z',
    });
    approvedAs(f, { windowId: 'IW-2026-12-PKG-02', sanSet: ['dns:PKG-Signing.Northwind.Example', SANS[1]] });
    find(f, 'approvals.csv', (r) => r.role === 'ca-delegate').expiresAt = '2026-12-08T09:31:00.000Z';
    f['portal-queue.csv'].records.push({
      portalRequestId: 'PKI-REQ-000088',
      subject: CN,
      fingerprint: sha(der(CSR)),
      state: 'cancelled',
      observedAt: '2026-12-08T09:00:00.000Z',
    });
    f['investigations.json'].records.push({
      investigationId: 'PKI-INV-2026-029',
      kind: 'compromise',
      spkiSha256: SPKI,
      subscriberId: null,
      status: 'closed',
      openedAt: '2026-11-25T00:00:00.000Z',
      summary: 'False positive: audit-log clock skew',
    });
    // m.chen's roster entry ended after the approval and a renewed one covers now: still the role.
    find(f, 'iam-roster.json', (r) => r.person === 'm.chen').validUntil = '2026-12-06T00:00:00.000Z';
    f['iam-roster.json'].records.push({
      ...find(f, 'iam-roster.json', (r) => r.person === 'm.chen'),
      entryId: 'IAM-m.chen-2027',
      validFrom: '2026-12-06T00:00:00.000Z',
      validUntil: '2027-12-31T00:00:00.000Z',
    });
  },
  expect: {
    outcome: 'ready-for-portal',
    findings: [NOTICE],
    absent: [
      key('ISS-DUPLICATE', 'PKI-REQ-000104'),
      key('ISS-DUPLICATE', 'PKI-REQ-000088'),
      key('ISS-WINDOW', 'IW-2026-12-PKG-02'),
      key('ISS-INVESTIGATION', 'PKI-INV-2026-029'),
    ],
  },
});

scenario('19-approver-left-role', {
  title: 'An approver left the role after approving — the approval no longer carries it',
  planted:
    'm.chen approved as cryptography-engineering-manager on 2026-12-03 while holding the role; the IAM export of 06:00 shows the entry ended on 2026-12-06 (moved to another team) and no other entry gives m.chen the role now. The pre-check runs immediately before entry: ISS-APPROVALS stale cryptography-engineering-manager.',
  mutate: (f) => {
    find(f, 'iam-roster.json', (r) => r.person === 'm.chen').validUntil = '2026-12-06T00:00:00.000Z';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-APPROVALS', 'cryptography-engineering-manager'), NOTICE],
    absent: [key('ISS-APPROVALS', 'ca-delegate'), key('ISS-APPROVALS', 'release-integrity-owner')],
  },
});

scenario('16-request-withdrawn', {
  title: 'The governance system withdrew the request',
  planted:
    'ISR-2026-0412 is exported withdrawn (the owner paused the replacement); the approvals still bind its content (status is not part of the digest). ISS-REQUEST scope-unclear.',
  mutate: (f) => {
    theRequest(f).status = 'withdrawn';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-REQUEST', REQ), NOTICE],
    absent: [key('ISS-APPROVALS', 'ca-delegate')],
  },
});

scenario('17-policy-adds-legal-review', {
  title: 'The organisation’s policy v2 adds a legal reviewer: the same records now stop',
  planted:
    'Same records as 01. The imported portal-issuance policy v2 requires a legal-reviewer approval as well (and shortens custody freshness to 14 days; the attestation is 7 days old). ISS-APPROVALS missing legal-reviewer.',
  policy: {
    policy: 'portal-issuance',
    version: 2,
    system: 'crypto-policy',
    exportedAt: '2026-12-05T00:00:00.000Z',
    content: {
      approvalRoles: [
        'release-integrity-owner',
        'cryptography-engineering-manager',
        'ca-delegate',
        'legal-reviewer',
      ],
      custodyFreshnessDays: 14,
      trustDeadlineNoticeDays: 30,
    },
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-APPROVALS', 'legal-reviewer'), NOTICE],
    absent: [],
  },
});

scenario('18-steps-approval-refreshed', {
  title:
    'Stopped on an expired CA-delegate approval at 09:30; the refreshed approval arrives at 10:10 — ready',
  planted:
    'Step 1 as 02 (the CA-delegate approval expired at 08:30). Step 2: the governance export of 10:05 carries APR-2026-0412-CAD-R2, s.lindqvist’s fresh approval of the same digest at 10:02: ready for the portal.',
  mutate: (f) => {
    find(f, 'approvals.csv', (r) => r.role === 'ca-delegate').expiresAt = '2026-12-08T08:30:00.000Z';
  },
  expect: {
    outcome: 'stop-before-entry',
    findings: [key('ISS-APPROVALS', 'ca-delegate'), NOTICE],
    absent: [],
  },
  steps: [
    {
      title: 's.lindqvist approves again (governance export 10:05)',
      asOf: '2026-12-08T10:10:00.000Z',
      files: {
        'approvals-1005.csv': {
          family: 'issuance-approval',
          system: 'cert-governance',
          exportedAt: '2026-12-08T10:05:00.000Z',
          format: 'csv',
          records: [
            approval('ca-delegate', 's.lindqvist', 'APR-2026-0412-CAD-R2', request(), {
              approvedAt: '2026-12-08T10:02:00.000Z',
            }),
          ],
        },
      },
      expect: {
        outcome: 'ready-for-portal',
        findings: [NOTICE],
        absent: [key('ISS-APPROVALS', 'ca-delegate')],
      },
    },
  ],
});

for (const [path, json] of pending)
  writeFileSync(path, await prettier.format(json, { ...prettierOptions, parser: 'json' }));
console.log(`written: ${pending.length} JSON files`);
