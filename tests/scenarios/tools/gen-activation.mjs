#!/usr/bin/env node
/**
 * Writes the offline-signing activation-gate scenario corpus (tests/scenarios/offline-signing-activation/
 * NN-slug/) from one realistic baseline: continuity declaration DECL-2026-1201 for critical patch train
 * northwind-agent-7.4.2-sec (CVE-2026-48213), its frozen manifest of six artifacts from the build-lineage
 * system (CSV), reproducible-build checks (CSV), digest confirmations, the Luna HSM's vendor attestation and
 * the HSM administration's readiness reading, three 8-hour signing shifts (CSV) with signer commitments
 * (CSV), the IAM roster, two rollback packages on sealed media, publication safeguards and the staging
 * area (CSV), with other trains' records as noise. Each scenario changes the baseline in one or two
 * places (the planted gap or a look-alike that must not be flagged); some add later steps.
 *
 *   node tests/scenarios/tools/gen-activation.mjs   (re-writes every NN- folder; deterministic)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'offline-signing-activation');
const prettierOptions = (await prettier.resolveConfig(join(OUT, 'x.json'))) ?? {};
/** Files are collected, then written formatted as the repository formats JSON. */
const pending = [];
const writeJson = (path, value) => pending.push([path, JSON.stringify(value)]);
const AS_OF = '2026-12-01T10:00:00.000Z';
const DECL = 'DECL-2026-1201';
const TRAIN = 'northwind-agent-7.4.2-sec';
const MANIFEST = 'FM-northwind-agent-7.4.2';
const HSM = 'LUNA-1478203';
const KEY = '6d3f0a91c2b7e845';
const BRANCH = 'release/7.4-security';
const COMMIT = '9c41e07b2d5f8a3361c0e4f7a9b2d81c5e6f0a47';
const sha = (s) => createHash('sha256').update(s).digest('hex');
const clone = (x) => JSON.parse(JSON.stringify(x));

const ARTIFACTS = [
  ['northwind-agent-7.4.2-linux-amd64.tar.gz', 48_213_904],
  ['northwind-agent-7.4.2-linux-arm64.tar.gz', 45_870_112],
  ['northwind-agent_7.4.2_amd64.deb', 47_991_356],
  ['northwind-agent-7.4.2-windows-x64.msi', 61_204_480],
  ['northwind-agent-7.4.2-darwin-universal.pkg', 83_551_232],
  ['northwind-agent-7.4.2.spdx.json', 1_204_877],
];
const digestOf = (name) => sha(`${TRAIN}/${name}`);
const SIGNERS = {
  'SH-1201-A': ['a.ruiz', 't.berg'],
  'SH-1201-B': ['m.okonkwo', 's.varga'],
  'SH-1201-C': ['l.moreau', 'h.tanaka'],
};
const SHIFTS = [
  ['SH-1201-A', '2026-12-01T12:00:00.000Z', '2026-12-01T20:00:00.000Z', 'EU afternoon'],
  ['SH-1201-B', '2026-12-01T20:00:00.000Z', '2026-12-02T04:00:00.000Z', 'US night'],
  ['SH-1201-C', '2026-12-02T04:00:00.000Z', '2026-12-02T12:00:00.000Z', 'APAC morning'],
];

/** The baseline: every export of a clean, ready gate. */
function baseline() {
  const f = {};
  const file = (name, family, system, exportedAt, format, records) =>
    (f[name] = { family, system, exportedAt, format, records });
  file(
    'incident-workspace.json',
    'continuity-declaration',
    'incident-workspace',
    '2026-12-01T09:05:00.000Z',
    'json',
    [
      {
        declarationId: 'DECL-2026-1118',
        incidentId: 'INC-2026-0791',
        trainId: 'northwind-agent-7.3.9-sec',
        outageServices: ['online-signing'],
        fallbackScope:
          'Offline signing of northwind-agent 7.3.9 security train (superseded by the service recovery)',
        declaredAt: '2026-11-18T07:30:00.000Z',
        declaredBy: 'm.alvarez',
        shipmentDeadline: '2026-11-19T18:00:00.000Z',
        windowFrom: '2026-11-18T12:00:00.000Z',
        windowUntil: '2026-11-19T12:00:00.000Z',
        approvalOwner: 'r.okafor',
        hsmSerial: HSM,
        keyId: KEY,
        manifestId: 'FM-northwind-agent-7.3.9',
        rollbackPackages: ['RBP-7.3.8-linux'],
        status: 'superseded',
      },
      {
        declarationId: DECL,
        incidentId: 'INC-2026-0873',
        trainId: TRAIN,
        outageServices: ['online-signing (sigstore-fulcio proxy)', 'build-attestation-service'],
        fallbackScope:
          'Hardware-backed offline signing of the northwind-agent 7.4.2 security train (CVE-2026-48213) only; no other train, no publication',
        declaredAt: '2026-12-01T06:40:00.000Z',
        declaredBy: 'm.alvarez',
        shipmentDeadline: '2026-12-02T18:00:00.000Z',
        windowFrom: '2026-12-01T12:00:00.000Z',
        windowUntil: '2026-12-02T12:00:00.000Z',
        approvalOwner: 'r.okafor',
        hsmSerial: HSM,
        keyId: KEY,
        manifestId: MANIFEST,
        rollbackPackages: ['RBP-7.4.1-linux', 'RBP-7.4.1-windows'],
        status: 'declared',
      },
    ],
  );
  file('frozen-manifest.csv', 'frozen-manifest', 'build-lineage', '2026-12-01T09:10:00.000Z', 'csv', [
    ...ARTIFACTS.map(([name, size]) => manifestLine(name, 1, { sizeBytes: size })),
    // Noise: the previous train's manifest.
    manifestLine('northwind-agent-7.3.9-linux-amd64.tar.gz', 1, {
      entryId: 'FM-northwind-agent-7.3.9:1:linux-amd64',
      manifestId: 'FM-northwind-agent-7.3.9',
      trainId: 'northwind-agent-7.3.9-sec',
      sha256: sha('7.3.9 tar'),
      commit: '1f0e9d8c7b6a59483726150f4e3d2c1b0a998877',
      reproducibilityRefs: ['RB-7.3.9-linux-amd64'],
      frozenAt: '2026-11-17T21:00:00.000Z',
    }),
  ]);
  file('trusted-sources.json', 'trusted-source', 'release-truth', '2026-12-01T08:50:00.000Z', 'json', [
    {
      sourceId: 'TS-7.4.2-r2',
      trainId: TRAIN,
      branch: BRANCH,
      commit: COMMIT,
      acceptedAt: '2026-11-30T19:20:00.000Z',
      status: 'accepted',
    },
    {
      sourceId: 'TS-7.3.9-r1',
      trainId: 'northwind-agent-7.3.9-sec',
      branch: 'release/7.3-security',
      commit: '1f0e9d8c7b6a59483726150f4e3d2c1b0a998877',
      acceptedAt: '2026-11-17T15:00:00.000Z',
      status: 'accepted',
    },
  ]);
  file(
    'repro-checks.csv',
    'reproducibility-check',
    'rebuilderd',
    '2026-12-01T09:12:00.000Z',
    'csv',
    ARTIFACTS.map(([name], i) => ({
      checkId: `RBC-20261130-${String(4101 + i)}`,
      ref: refOf(name),
      trainId: TRAIN,
      artifact: name,
      sha256: digestOf(name),
      result: 'match',
      checkedAt: `2026-11-30T2${i % 4}:3${i}:00.000Z`,
    })),
  );
  file(
    'digest-confirmations.json',
    'digest-confirmation',
    'digest-confirm',
    '2026-12-01T09:15:00.000Z',
    'json',
    [
      ...ARTIFACTS.map(([name], i) => ({
        confirmationId: `DCF-1201-${String(301 + i)}`,
        trainId: TRAIN,
        artifact: name,
        sha256: digestOf(name),
        confirmedBy: 'k.osei',
        confirmedAt: `2026-12-01T07:4${i}:00.000Z`,
      })),
      {
        confirmationId: 'DCF-1118-114',
        trainId: 'northwind-agent-7.3.9-sec',
        artifact: 'northwind-agent-7.3.9-linux-amd64.tar.gz',
        sha256: sha('7.3.9 tar'),
        confirmedBy: 'k.osei',
        confirmedAt: '2026-11-18T08:00:00.000Z',
      },
    ],
  );
  file(
    'enclave-attestations.json',
    'enclave-attestation',
    'hsm-vendor-attestation',
    '2026-12-01T09:00:00.000Z',
    'json',
    [
      {
        attestationId: 'ATT-LUNA-1478203-1130',
        hsmSerial: HSM,
        firmwareVersion: '7.8.4',
        keyId: KEY,
        sealed: true,
        result: 'pass',
        attestedAt: '2026-11-30T22:15:00.000Z',
      },
      {
        attestationId: 'ATT-LUNA-1478311-1130',
        hsmSerial: 'LUNA-1478311',
        firmwareVersion: '7.8.4',
        keyId: '0b7e2c44a1d9f360',
        sealed: true,
        result: 'pass',
        attestedAt: '2026-11-30T22:40:00.000Z',
      },
    ],
  );
  file('enclave-readings.json', 'enclave-reading', 'hsm-admin', '2026-12-01T09:20:00.000Z', 'json', [
    {
      readingId: 'RD-LUNA-1478203-0902',
      hsmSerial: HSM,
      present: true,
      firmwareVersion: '7.8.4',
      keyId: KEY,
      keyResidency: 'resident',
      readAt: '2026-12-01T09:02:00.000Z',
    },
  ]);
  file('hsm-key-inventory.json', 'hsm-key-inventory', 'hsm-inventory', '2026-12-01T08:00:00.000Z', 'json', [
    {
      entryId: 'INV-1478203-0007',
      keyId: KEY,
      label: 'northwind-release-signing-2026',
      hsmSerial: HSM,
      residency: 'hsm-resident',
      production: true,
      purpose: 'release artifact signing (offline continuity)',
      observedAt: '2026-12-01T07:00:00.000Z',
    },
    {
      entryId: 'INV-1478203-0003',
      keyId: '4a90cc17e3b2d6f1',
      label: 'northwind-sbom-attest-2025',
      hsmSerial: HSM,
      residency: 'hsm-resident',
      production: true,
      purpose: 'SBOM attestation',
      observedAt: '2026-12-01T07:00:00.000Z',
    },
    {
      entryId: 'INV-1478311-0002',
      keyId: '0b7e2c44a1d9f360',
      label: 'northwind-container-signing-2026',
      hsmSerial: 'LUNA-1478311',
      residency: 'hsm-resident',
      production: true,
      purpose: 'container image signing',
      observedAt: '2026-12-01T07:00:00.000Z',
    },
  ]);
  file('shift-calendar.csv', 'shift-calendar', 'release-shift-calendar', '2026-12-01T08:30:00.000Z', 'csv', [
    ...SHIFTS.map(([shiftId, from, until, label]) => ({
      shiftId,
      trainId: TRAIN,
      from,
      until,
      label,
      publishedAt: '2026-12-01T07:15:00.000Z',
      status: 'scheduled',
    })),
    {
      shiftId: 'SH-1118-A',
      trainId: 'northwind-agent-7.3.9-sec',
      from: '2026-11-18T12:00:00.000Z',
      until: '2026-11-19T12:00:00.000Z',
      label: 'single shift',
      publishedAt: '2026-11-18T08:00:00.000Z',
      status: 'scheduled',
    },
  ]);
  file('signer-commitments.csv', 'signer-commitment', 'signer-roster', '2026-12-01T09:25:00.000Z', 'csv', [
    ...Object.entries(SIGNERS).flatMap(([shiftId, people]) =>
      people.map((person) => commitment(shiftId, person)),
    ),
    commitment('SH-1201-A', 'p.haddad', { role: 'release-observer' }),
    commitment('SH-1201-B', 'j.lindqvist', { status: 'tentative' }),
  ]);
  file('iam-roster.json', 'roster-snapshot', 'iam-governance', '2026-12-01T06:00:00.000Z', 'json', [
    ...['a.ruiz', 't.berg', 'm.okonkwo', 's.varga', 'l.moreau', 'h.tanaka', 'j.lindqvist'].map((person) =>
      roster(person, ['release-signer']),
    ),
    roster('r.okafor', ['release-security-owner']),
    roster('p.haddad', ['release-observer']),
    roster('k.osei', ['release-engineer']),
    roster('vault.keeper.2', ['media-custodian']),
  ]);
  file('rollback-packages.json', 'rollback-package', 'rollback-vault', '2026-12-01T08:40:00.000Z', 'json', [
    {
      packageId: 'RBP-7.4.1-linux',
      trainId: TRAIN,
      artifact: 'northwind-agent-7.4.1-linux-rollback.tar.gz',
      sha256: sha('7.4.1 linux rollback'),
      mediaId: 'MED-RB-2291',
      bagSerial: 'TE-00417733',
      status: 'ready',
      recordedAt: '2026-11-20T14:00:00.000Z',
    },
    {
      packageId: 'RBP-7.4.1-windows',
      trainId: TRAIN,
      artifact: 'northwind-agent-7.4.1-windows-rollback.zip',
      sha256: sha('7.4.1 windows rollback'),
      mediaId: 'MED-RB-2292',
      bagSerial: 'TE-00417734',
      status: 'ready',
      recordedAt: '2026-11-20T14:05:00.000Z',
    },
  ]);
  file('seal-inspections.csv', 'seal-inspection', 'secure-storage', '2026-12-01T08:45:00.000Z', 'csv', [
    {
      inspectionId: 'SI-2026-1124-01',
      mediaId: 'MED-RB-2291',
      bagSerial: 'TE-00417733',
      inspector: 'vault.keeper.2',
      at: '2026-11-24T10:00:00.000Z',
      result: 'intact',
    },
    {
      inspectionId: 'SI-2026-1124-02',
      mediaId: 'MED-RB-2292',
      bagSerial: 'TE-00417734',
      inspector: 'vault.keeper.2',
      at: '2026-11-24T10:20:00.000Z',
      result: 'intact',
    },
    {
      inspectionId: 'SI-2026-1124-03',
      mediaId: 'MED-ESC-0415',
      bagSerial: 'TE-00398120',
      inspector: 'vault.keeper.2',
      at: '2026-11-24T10:40:00.000Z',
      result: 'intact',
    },
  ]);
  file(
    'media-lifecycle.json',
    'media-lifecycle',
    'secure-storage-lifecycle',
    '2026-12-01T08:45:00.000Z',
    'json',
    [
      {
        eventId: 'ML-2291-01',
        mediaId: 'MED-RB-2291',
        event: 'sealed',
        bagSerial: 'TE-00417733',
        at: '2026-11-20T15:00:00.000Z',
      },
      {
        eventId: 'ML-2292-01',
        mediaId: 'MED-RB-2292',
        event: 'sealed',
        bagSerial: 'TE-00417734',
        at: '2026-11-20T15:10:00.000Z',
      },
    ],
  );
  file('custody-registry.json', 'custody-registry', 'token-custody', '2026-12-01T08:45:00.000Z', 'json', [
    {
      holdingId: 'CH-2291-1',
      itemId: 'MED-RB-2291',
      itemKind: 'escrow-media',
      holder: 'vault.keeper.2',
      since: '2026-11-20T15:00:00.000Z',
      until: null,
    },
    {
      holdingId: 'CH-2292-1',
      itemId: 'MED-RB-2292',
      itemKind: 'escrow-media',
      holder: 'vault.keeper.2',
      since: '2026-11-20T15:10:00.000Z',
      until: null,
    },
  ]);
  file(
    'publication-safeguards.json',
    'publication-safeguard',
    'publication-tooling',
    '2026-12-01T09:30:00.000Z',
    'json',
    [
      {
        safeguardId: 'PSG-1201-REG',
        trainId: TRAIN,
        control: 'registry-release-lock',
        targets: ['registry.northwind.example/agent', 'apt.northwind.example/stable'],
        covers: 'manifest',
        artifacts: [],
        state: 'in-force',
        recordedAt: '2026-12-01T08:05:00.000Z',
      },
      {
        safeguardId: 'PSG-1201-MIR',
        trainId: TRAIN,
        control: 'mirror-promotion-hold',
        targets: ['mirror-eu1.northwind.example', 'mirror-us2.northwind.example'],
        covers: 'manifest',
        artifacts: [],
        state: 'in-force',
        recordedAt: '2026-12-01T08:07:00.000Z',
      },
      {
        safeguardId: 'PSG-1201-ADV',
        trainId: TRAIN,
        control: 'advisory-embargo',
        targets: ['advisories.northwind.example'],
        covers: 'manifest',
        artifacts: [],
        state: 'in-force',
        recordedAt: '2026-12-01T08:10:00.000Z',
      },
    ],
  );
  file(
    'release-staging.csv',
    'candidate-artifact',
    'release-staging',
    '2026-12-01T09:35:00.000Z',
    'csv',
    ARTIFACTS.map(([name], i) => candidate(name, digestOf(name), `STG-1201-${String(11 + i)}`)),
  );
  return f;
}

function refOf(name) {
  return `RB-${name.replace(/^northwind-agent[-_]7\.4\.2[-_.]?/, '').replace(/\.(tar\.gz|deb|msi|pkg|json)$/, '') || 'main'}`;
}
function manifestLine(name, version, o = {}) {
  return {
    entryId: `${MANIFEST}:${version}:${name}`,
    manifestId: MANIFEST,
    manifestVersion: version,
    trainId: TRAIN,
    artifact: name,
    sha256: digestOf(name),
    sizeBytes: null,
    branch: BRANCH,
    commit: COMMIT,
    reproducibilityRefs: [refOf(name)],
    frozenAt: '2026-11-30T21:00:00.000Z',
    frozenBy: 'build.lead.ito',
    status: 'frozen',
    ...o,
  };
}
function commitment(shiftId, person, o = {}) {
  return {
    commitmentId: `SC-${shiftId.slice(3)}-${person}`,
    shiftId,
    person,
    role: 'release-signer',
    status: 'committed',
    recordedAt: '2026-12-01T07:30:00.000Z',
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
    snapshotAt: '2026-12-01T05:00:00.000Z',
    ...o,
  };
}
function candidate(name, digest, entryId, o = {}) {
  return {
    entryId,
    trainId: TRAIN,
    artifact: name,
    sha256: digest,
    stagedAt: '2026-12-01T09:00:00.000Z',
    stagedBy: 'ci-release-bot',
    ...o,
  };
}
const A = Object.fromEntries(ARTIFACTS.map(([n], i) => [['tar', 'arm', 'deb', 'msi', 'pkg', 'sbom'][i], n]));

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
      csvMeta[`${sub}/${name}`] = { system: f.system, exportedAt: f.exportedAt };
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

/**
 * One scenario: `mutate(files)` plants the gap; steps are `{ title, files: {name: file}, asOf?, expect }`
 * (each step's files go to `stepN/`); `policy` is a policy file.
 */
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
    writeJson(join(dir, 'policy', 'activation-gate.json'), policy);
  }
  const spec = {
    workflow: 'activation-gate',
    title,
    asOf,
    subject: DECL,
    planted,
    csv,
    expect,
    ...(outSteps.length ? { steps: outSteps } : {}),
  };
  writeJson(join(dir, 'scenario.json'), spec);
}

const DEFAULT_POLICY = {
  digestFreshnessHours: 72,
  attestationFreshnessHours: 24,
  readingFreshnessHours: 12,
  inspectionFreshnessDays: 30,
  quorum: { role: 'release-signer', min: 2 },
  requiredSafeguards: ['registry-release-lock', 'mirror-promotion-hold'],
  approvalRole: 'release-security-owner',
  nonWaivable: [
    'scope',
    'manifest-binding',
    'digest-freshness',
    'enclave-attestation',
    'signer-quorum',
    'rollback-custody',
    'quarantine',
  ],
};
const ENCLAVE = `${HSM}/${KEY}`;
const readyLedger = {
  [`declaration/${DECL}`]: 'ready',
  ...Object.fromEntries(ARTIFACTS.map(([n]) => [`manifest/${n}`, 'ready'])),
  ...Object.fromEntries(ARTIFACTS.map(([n]) => [`digest/${n}`, 'ready'])),
  [`enclave/${ENCLAVE}`]: 'ready',
  'signers/SH-1201-A': 'ready',
  'signers/SH-1201-B': 'ready',
  'signers/SH-1201-C': 'ready',
  'rollback/RBP-7.4.1-linux': 'ready',
  'rollback/RBP-7.4.1-windows': 'ready',
  'publication/registry-release-lock': 'ready',
  'publication/mirror-promotion-hold': 'ready',
};
const find = (files, name, pred) => files[name].records.find(pred);

// --- the corpus -----------------------------------------------------------------------------------------

for (const n of readdirSync(OUT))
  if (/^\d\d-/.test(n)) rmSync(join(OUT, n), { recursive: true, force: true });

scenario('01-clean-gate', {
  title:
    'Baseline: every prerequisite of the 7.4.2 security train stands on current records — ready for approval',
  planted:
    'Nothing. Declaration DECL-2026-1201 (declared 06:40, window 12:00 to 12:00 next day), frozen manifest FM-northwind-agent-7.4.2 v1 of six artifacts built from the accepted release/7.4-security commit, every reproducible-build check a match, digests confirmed at 07:40, the Luna HSM attested sealed and passing at 22:15 and read present with the key resident at 09:02, two committed, rostered release signers in each of three 8-hour shifts, both rollback packages inspected intact in their bags a week ago and held, registry lock and mirror hold in force over the manifest, and exactly the manifest staged. Noise: the superseded 7.3.9 declaration and its manifest, shift, confirmations; a tentative third signer; an observer.',
  expect: {
    outcome: 'ready-for-approval',
    findings: [],
    absent: [],
    ledger: { ...readyLedger, 'quarantine/STG-1201-11': 'absent' },
  },
});

scenario('02-manifest-commit-not-accepted', {
  title:
    'The frozen manifest binds the arm64 tarball to a commit that is not the accepted trusted source — escalate',
  planted:
    'The build-lineage export freezes northwind-agent-7.4.2-linux-arm64.tar.gz from commit 5be1… (a rebuild on a local cherry-pick), not the accepted 9c41e07b… of TS-7.4.2-r2. ACT-MANIFEST disputed on that artifact: a bounded manifest-binding mismatch to escalate; the other five lines stay ready.',
  mutate: (f) => {
    find(f, 'frozen-manifest.csv', (r) => r.artifact === A.arm).commit =
      '5be1f02c99d4a7e3b6c1085f2d7e4a90c3b1e6d2';
  },
  expect: {
    outcome: 'escalate-mismatch',
    findings: [key('ACT-MANIFEST', A.arm)],
    absent: [key('ACT-MANIFEST', A.tar)],
    ledger: { [`manifest/${A.arm}`]: 'hold', [`manifest/${A.tar}`]: 'ready' },
  },
});

scenario('03-repro-mismatch', {
  title: 'The independent rebuild of the Windows installer produced another digest — escalate',
  planted:
    'rebuilderd reports RB-windows-x64 for northwind-agent-7.4.2-windows-x64.msi as a mismatch with digest 3f0a… (a later check at 23:55 than the earlier match). ACT-REPRO disputed: the manifest digest is not reproduced, a manifest-binding mismatch to escalate.',
  mutate: (f) => {
    f['repro-checks.csv'].records.push({
      checkId: 'RBC-20261130-4190',
      ref: refOf(A.msi),
      trainId: TRAIN,
      artifact: A.msi,
      sha256: sha('msi rebuilt with another timestamp'),
      result: 'mismatch',
      checkedAt: '2026-11-30T23:55:00.000Z',
    });
  },
  expect: {
    outcome: 'escalate-mismatch',
    findings: [key('ACT-REPRO', A.msi)],
    absent: [],
    ledger: { [`manifest/${A.msi}`]: 'hold' },
  },
});

scenario('04-stale-digest-confirmation', {
  title: 'The macOS package’s digest was last confirmed 80 hours ago — non-waivable hold',
  planted:
    'The digest-confirmation service has no confirmation of the darwin .pkg since 2026-11-28T02:00 (the 07:45 batch skipped it): 80 h against a 72 h policy. ACT-DIGEST-FRESH stale on that artifact; digest freshness is non-waivable, the packet holds.',
  mutate: (f) => {
    find(f, 'digest-confirmations.json', (r) => r.artifact === A.pkg).confirmedAt =
      '2026-11-28T02:00:00.000Z';
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-DIGEST-FRESH', A.pkg)],
    absent: [],
    ledger: { [`digest/${A.pkg}`]: 'hold', [`digest/${A.tar}`]: 'ready' },
  },
});

scenario('05-unsealed-attestation', {
  title: 'The vendor’s re-attestation after the firmware patch is still an unsealed draft — hold',
  planted:
    'The HSM vendor attestation export carries ATT-LUNA-1478203-1201 (attested 04:10 on firmware 7.8.4) not yet sealed by the attesting party; it is the latest for the key and supersedes the sealed one of 22:15. ACT-ENCLAVE invalid on the enclave line: an unsealed enclave attestation is a non-waivable hold.',
  mutate: (f) => {
    f['enclave-attestations.json'].records.push({
      attestationId: 'ATT-LUNA-1478203-1201',
      hsmSerial: HSM,
      firmwareVersion: '7.8.4',
      keyId: KEY,
      sealed: false,
      result: 'pass',
      attestedAt: '2026-12-01T04:10:00.000Z',
    });
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-ENCLAVE', ENCLAVE)],
    absent: [],
    ledger: { [`enclave/${ENCLAVE}`]: 'hold' },
  },
});

scenario('06-firmware-contradicted-by-later-reading', {
  title: 'The HSM administration read firmware 7.9.0 after the 7.8.4 attestation — hold',
  planted:
    'The sealed passing attestation (22:15) says firmware 7.8.4; the HSM administration’s reading of 09:02 says 7.9.0 (an unplanned upgrade). The later reading contradicts the attestation: ACT-ENCLAVE disputed.',
  mutate: (f) => {
    f['enclave-readings.json'].records[0].firmwareVersion = '7.9.0';
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-ENCLAVE', ENCLAVE)],
    absent: [],
    ledger: { [`enclave/${ENCLAVE}`]: 'hold' },
  },
});

scenario('07-key-not-resident', {
  title: 'The token answers but the signing key is not found on it — hold',
  planted:
    'The 09:02 reading finds LUNA-1478203 present on firmware 7.8.4, but the key with CKA_ID 6d3f0a91c2b7e845 absent (the partition was re-initialised). ACT-ENCLAVE disputed: the key is not resident.',
  mutate: (f) => {
    f['enclave-readings.json'].records[0].keyResidency = 'absent';
  },
  expect: { outcome: 'hold', findings: [key('ACT-ENCLAVE', ENCLAVE)], absent: [] },
});

scenario('08-shift-gap', {
  title: 'The US night shift starts at 21:00: an hour of the window has no shift — hold',
  planted:
    'The shift calendar moves SH-1201-B to 21:00–04:00; nothing covers 20:00–21:00 of the signing window. ACT-QUORUM-SHIFT missing on that interval; both shifts themselves keep their quorum.',
  mutate: (f) => {
    find(f, 'shift-calendar.csv', (r) => r.shiftId === 'SH-1201-B').from = '2026-12-01T21:00:00.000Z';
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-QUORUM-SHIFT', '2026-12-01T20:00:00.000Z/2026-12-01T21:00:00.000Z')],
    absent: [key('ACT-QUORUM-SHIFT', 'SH-1201-B')],
    ledger: { 'signers/SH-1201-B': 'ready' },
  },
});

scenario('09-short-quorum-one-shift', {
  title: 'One of the two APAC-morning signers is only tentative — that shift is short',
  planted:
    'h.tanaka’s commitment to SH-1201-C is tentative (travel unconfirmed); the shift has l.moreau alone, 1 of 2 release signers. ACT-QUORUM-SHIFT missing on SH-1201-C; the other shifts are ready.',
  mutate: (f) => {
    find(f, 'signer-commitments.csv', (r) => r.person === 'h.tanaka').status = 'tentative';
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-QUORUM-SHIFT', 'SH-1201-C')],
    absent: [key('ACT-QUORUM-SHIFT', 'SH-1201-A'), key('ACT-QUORUM-SHIFT', 'SH-1201-B')],
    ledger: { 'signers/SH-1201-C': 'hold', 'signers/SH-1201-A': 'ready' },
  },
});

scenario('10-rollback-bag-serial-mismatch', {
  title:
    'The Linux rollback medium was inspected in another tamper-evident bag than the package records — hold',
  planted:
    'The seal inspection of MED-RB-2291 on 24 November recorded bag TE-00417739; the rollback-vault record of RBP-7.4.1-linux says TE-00417733. ACT-ROLLBACK disputed on RBP-7.4.1-linux; the Windows package is ready.',
  mutate: (f) => {
    find(f, 'seal-inspections.csv', (r) => r.mediaId === 'MED-RB-2291').bagSerial = 'TE-00417739';
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-ROLLBACK', 'RBP-7.4.1-linux')],
    absent: [key('ACT-ROLLBACK', 'RBP-7.4.1-windows')],
    ledger: { 'rollback/RBP-7.4.1-linux': 'hold', 'rollback/RBP-7.4.1-windows': 'ready' },
  },
});

scenario('11-rollback-tampered-stale-unheld', {
  title:
    'Linux rollback bag found tampered; Windows medium last inspected in October and nobody holds it — hold',
  planted:
    'A later inspection (30 November) finds MED-RB-2291’s bag tampered. MED-RB-2292’s only inspection is from 25 October (37 days, policy 30) and its custody holding ended on 28 November when vault.keeper.2 went on leave, with no new holder recorded. ACT-ROLLBACK on both packages.',
  mutate: (f) => {
    f['seal-inspections.csv'].records.push({
      inspectionId: 'SI-2026-1130-01',
      mediaId: 'MED-RB-2291',
      bagSerial: 'TE-00417733',
      inspector: 'vault.keeper.2',
      at: '2026-11-30T16:00:00.000Z',
      result: 'tampered',
    });
    const win = find(f, 'seal-inspections.csv', (r) => r.mediaId === 'MED-RB-2292');
    win.at = '2026-10-25T10:20:00.000Z';
    find(f, 'media-lifecycle.json', (r) => r.mediaId === 'MED-RB-2292').at = '2026-10-20T15:10:00.000Z';
    const h = find(f, 'custody-registry.json', (r) => r.itemId === 'MED-RB-2292');
    h.since = '2026-10-20T15:10:00.000Z';
    h.until = '2026-11-28T18:00:00.000Z';
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-ROLLBACK', 'RBP-7.4.1-linux'), key('ACT-ROLLBACK', 'RBP-7.4.1-windows')],
    absent: [],
    ledger: { 'rollback/RBP-7.4.1-linux': 'hold', 'rollback/RBP-7.4.1-windows': 'hold' },
  },
});

const listedMirror = (f) => {
  const m = find(f, 'publication-safeguards.json', (r) => r.control === 'mirror-promotion-hold');
  m.covers = 'listed';
  m.artifacts = [A.tar, A.arm, A.msi, A.pkg, A.sbom];
};
scenario('12-publication-scope-ambiguous', {
  title:
    'The mirror-promotion hold lists five artifacts and leaves out the .deb — waivable publication-scope hold',
  planted:
    'Publication tooling records PSG-1201-MIR as covering a listed set that omits northwind-agent_7.4.2_amd64.deb. ACT-PUBLICATION scope-unclear on mirror-promotion-hold. Publication scope is waivable under the default policy: the packet is ready with a waivable hold the approval owner must accept or see fixed.',
  mutate: listedMirror,
  expect: {
    outcome: 'ready-with-waivable-holds',
    findings: [key('ACT-PUBLICATION', 'mirror-promotion-hold')],
    absent: [key('ACT-PUBLICATION', 'registry-release-lock')],
    ledger: { 'publication/mirror-promotion-hold': 'hold', 'publication/registry-release-lock': 'ready' },
  },
});

scenario('13-publication-lock-lifted', {
  title: 'The registry release lock was lifted this morning — waivable publication hold',
  planted:
    'PSG-1201-REG is exported in state lifted (a maintainer lifted it at 08:05 to publish an unrelated chart). No registry-release-lock is in force for the train: ACT-PUBLICATION missing. An advisory embargo of unknown state is not required by policy and is not flagged.',
  mutate: (f) => {
    find(f, 'publication-safeguards.json', (r) => r.control === 'registry-release-lock').state = 'lifted';
    find(f, 'publication-safeguards.json', (r) => r.control === 'advisory-embargo').state = 'unknown';
  },
  expect: {
    outcome: 'ready-with-waivable-holds',
    findings: [key('ACT-PUBLICATION', 'registry-release-lock')],
    absent: [key('ACT-PUBLICATION', 'advisory-embargo')],
  },
});

scenario('14-quarantine-off-manifest', {
  title: 'Debug symbols staged beside the manifest are quarantined; the gate stays ready',
  planted:
    'Release staging also offers northwind-agent-7.4.2-debug-symbols.zip, which is not in the frozen manifest. ACT-QUARANTINE invalid on STG-1201-90, listed with its digest; it holds itself out of the batch, not the gate: ready for approval.',
  mutate: (f) => {
    f['release-staging.csv'].records.push(
      candidate('northwind-agent-7.4.2-debug-symbols.zip', sha('debug symbols'), 'STG-1201-90'),
    );
  },
  expect: {
    outcome: 'ready-for-approval',
    findings: [key('ACT-QUARANTINE', 'STG-1201-90')],
    absent: [],
    ledger: { 'quarantine/STG-1201-90': 'quarantined', [`manifest/${A.tar}`]: 'ready' },
  },
});

scenario('15-quarantine-digest-differs', {
  title: 'The staged Windows installer is not the frozen one — quarantined, and the gate holds',
  planted:
    'STG-1201-14 offers northwind-agent-7.4.2-windows-x64.msi with a digest other than the manifest’s (re-signed by the CI bot with a test certificate). ACT-QUARANTINE disputed, both digests listed; quarantine is non-waivable, the packet holds.',
  mutate: (f) => {
    find(f, 'release-staging.csv', (r) => r.artifact === A.msi).sha256 = sha('msi with test authenticode');
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-QUARANTINE', 'STG-1201-14')],
    absent: [],
    ledger: { 'quarantine/STG-1201-14': 'quarantined' },
  },
});

scenario('16-lookalikes-manifest-digest-enclave', {
  title: 'Look-alikes of manifest, digest and enclave gaps that are not gaps — ready for approval',
  planted:
    'Manifest v1 froze a seventh artifact (a debug build) and an older tarball digest; v2 (frozen 23:30) drops it and its v1 lines are withdrawn: v2 is in force. A line of another manifest (FM-northwind-cli-3.1.0) names a different tarball. A revoked trusted source of an older commit. A mismatch rebuild check superseded by a later match. A digest confirmation of the 7.3.9 train of the same file name with another digest. A stale confirmation followed by a fresh one. An unsealed failing attestation of another key on the same HSM. An earlier reading of the previous firmware taken before the attestation. A later reading of another HSM that is absent.',
  mutate: (f) => {
    const m = f['frozen-manifest.csv'].records;
    const v1 = m.filter((r) => r.trainId === TRAIN);
    for (const r of v1) r.status = 'withdrawn';
    v1.find((r) => r.artifact === A.tar).sha256 = sha('tar before rebase');
    m.push(
      manifestLine('northwind-agent-7.4.2-linux-amd64-debug.tar.gz', 1, {
        status: 'withdrawn',
        reproducibilityRefs: [],
      }),
    );
    for (const [name, size] of ARTIFACTS)
      m.push(manifestLine(name, 2, { sizeBytes: size, frozenAt: '2026-11-30T23:30:00.000Z' }));
    m.push(
      manifestLine('northwind-cli-3.1.0-linux-amd64.tar.gz', 1, {
        entryId: 'FM-northwind-cli-3.1.0:1:linux-amd64',
        manifestId: 'FM-northwind-cli-3.1.0',
        sha256: sha('cli tar'),
      }),
    );
    f['trusted-sources.json'].records.push({
      sourceId: 'TS-7.4.2-r1',
      trainId: TRAIN,
      branch: BRANCH,
      commit: '77aa01c3e5d9b2f4a6c8e0d1b3f5a7c9e1d3b5f7',
      acceptedAt: '2026-11-29T10:00:00.000Z',
      status: 'revoked',
    });
    f['repro-checks.csv'].records.push({
      checkId: 'RBC-20261130-4000',
      ref: refOf(A.deb),
      trainId: TRAIN,
      artifact: A.deb,
      sha256: sha('deb with build path'),
      result: 'mismatch',
      checkedAt: '2026-11-30T19:00:00.000Z',
    });
    const d = f['digest-confirmations.json'].records;
    d.push({
      confirmationId: 'DCF-1201-390',
      trainId: 'northwind-agent-7.3.9-sec',
      artifact: A.tar,
      sha256: sha('7.3.9 artefact of the same name'),
      confirmedBy: 'k.osei',
      confirmedAt: '2026-12-01T08:30:00.000Z',
    });
    d.push({
      confirmationId: 'DCF-1127-201',
      trainId: TRAIN,
      artifact: A.pkg,
      sha256: digestOf(A.pkg),
      confirmedBy: 'k.osei',
      confirmedAt: '2026-11-27T09:00:00.000Z',
    });
    f['enclave-attestations.json'].records.push({
      attestationId: 'ATT-LUNA-1478203-1201-SBOM',
      hsmSerial: HSM,
      firmwareVersion: '7.8.4',
      keyId: '4a90cc17e3b2d6f1',
      sealed: false,
      result: 'fail',
      attestedAt: '2026-12-01T08:00:00.000Z',
    });
    f['enclave-readings.json'].records.push(
      {
        readingId: 'RD-LUNA-1478203-2140',
        hsmSerial: HSM,
        present: true,
        firmwareVersion: '7.8.3',
        keyId: KEY,
        keyResidency: 'resident',
        readAt: '2026-11-30T21:40:00.000Z',
      },
      {
        readingId: 'RD-LUNA-1478311-0930',
        hsmSerial: 'LUNA-1478311',
        present: false,
        firmwareVersion: null,
        keyId: '0b7e2c44a1d9f360',
        keyResidency: 'unknown',
        readAt: '2026-12-01T09:30:00.000Z',
      },
    );
  },
  expect: {
    outcome: 'ready-for-approval',
    findings: [],
    absent: [
      key('ACT-MANIFEST', 'northwind-agent-7.4.2-linux-amd64-debug.tar.gz'),
      key('ACT-REPRO', A.deb),
      key('ACT-DIGEST-FRESH', A.tar),
      key('ACT-ENCLAVE', ENCLAVE),
    ],
    ledger: {
      ...readyLedger,
      'manifest/northwind-agent-7.4.2-linux-amd64-debug.tar.gz': 'absent',
      'manifest/northwind-cli-3.1.0-linux-amd64.tar.gz': 'absent',
    },
  },
});

scenario('17-lookalikes-signers-rollback-publication', {
  title:
    'Look-alikes of signer, rollback, publication and quarantine gaps that are not gaps — ready for approval',
  planted:
    'SH-1201-B was cancelled and replaced by SH-1201-B2 (same hours) with its own two committed signers. s.varga withdrew from SH-1201-B2 at 07:50 and re-committed at 08:20. t.berg’s roster entry ends exactly at 20:00, the end of his shift. A shift of the 7.3.9 train overlaps the window with nobody committed. A tampered inspection of another medium (escrow MED-ESC-0415). The Linux medium changed hands on 25 November (old holding ended, new one since). A lifted registry lock of another train. A candidate of another train that is off this manifest; the tarball staged twice with the right digest; the .deb entry first exported with a wrong digest and re-staged (a later export of the same entry) with the right one.',
  mutate: (f) => {
    find(f, 'shift-calendar.csv', (r) => r.shiftId === 'SH-1201-B').status = 'cancelled';
    f['shift-calendar.csv'].records.push(
      {
        shiftId: 'SH-1201-B2',
        trainId: TRAIN,
        from: '2026-12-01T20:00:00.000Z',
        until: '2026-12-02T04:00:00.000Z',
        label: 'US night (re-staffed)',
        publishedAt: '2026-12-01T08:10:00.000Z',
        status: 'scheduled',
      },
      {
        shiftId: 'SH-1201-X',
        trainId: 'northwind-agent-7.3.9-sec',
        from: '2026-12-01T12:00:00.000Z',
        until: '2026-12-02T12:00:00.000Z',
        label: '7.3.9 standby',
        publishedAt: '2026-12-01T08:10:00.000Z',
        status: 'scheduled',
      },
    );
    const c = f['signer-commitments.csv'].records;
    c.push(
      commitment('SH-1201-B2', 'm.okonkwo', { recordedAt: '2026-12-01T08:15:00.000Z' }),
      commitment('SH-1201-B2', 's.varga', {
        commitmentId: 'SC-1201-B2-s.varga-1',
        status: 'withdrawn',
        recordedAt: '2026-12-01T07:50:00.000Z',
      }),
      commitment('SH-1201-B2', 's.varga', {
        commitmentId: 'SC-1201-B2-s.varga-2',
        recordedAt: '2026-12-01T08:20:00.000Z',
      }),
    );
    find(f, 'iam-roster.json', (r) => r.person === 't.berg').validUntil = '2026-12-01T20:00:00.000Z';
    f['seal-inspections.csv'].records.find((r) => r.mediaId === 'MED-ESC-0415').result = 'tampered';
    const h = f['custody-registry.json'].records;
    const linux = h.find((r) => r.itemId === 'MED-RB-2291');
    linux.until = '2026-11-25T09:00:00.000Z';
    h.push({
      holdingId: 'CH-2291-2',
      itemId: 'MED-RB-2291',
      itemKind: 'escrow-media',
      holder: 'vault.keeper.3',
      since: '2026-11-25T09:00:00.000Z',
      until: null,
    });
    f['publication-safeguards.json'].records.push({
      safeguardId: 'PSG-1118-REG',
      trainId: 'northwind-agent-7.3.9-sec',
      control: 'registry-release-lock',
      targets: ['registry.northwind.example/agent'],
      covers: 'manifest',
      artifacts: [],
      state: 'lifted',
      recordedAt: '2026-11-20T10:00:00.000Z',
    });
    const s = f['release-staging.csv'].records;
    s.push(
      {
        ...candidate('northwind-agent-7.3.9-hotfix.tar.gz', sha('7.3.9 hotfix'), 'STG-1130-77'),
        trainId: 'northwind-agent-7.3.9-sec',
      },
      candidate(A.tar, digestOf(A.tar), 'STG-1201-31', { stagedAt: '2026-12-01T09:20:00.000Z' }),
    );
    // The first staging export (08:30) had the .deb entry with a wrong digest; the 09:35 export re-stages it.
    f['release-staging-0830.csv'] = {
      ...clone(f['release-staging.csv']),
      exportedAt: '2026-12-01T08:30:00.000Z',
      records: [
        candidate(A.deb, sha('deb built before the rebase'), 'STG-1201-13', {
          stagedAt: '2026-12-01T08:20:00.000Z',
        }),
      ],
    };
  },
  expect: {
    outcome: 'ready-for-approval',
    findings: [],
    absent: [
      key('ACT-QUORUM-SHIFT', 'SH-1201-B'),
      key('ACT-QUORUM-SHIFT', 'SH-1201-B2'),
      key('ACT-QUORUM-SHIFT', 'SH-1201-A'),
      key('ACT-QUARANTINE', 'STG-1201-13'),
      key('ACT-QUARANTINE', 'STG-1130-77'),
    ],
    ledger: {
      'signers/SH-1201-B': 'absent',
      'signers/SH-1201-B2': 'ready',
      'signers/SH-1201-X': 'absent',
      'rollback/RBP-7.4.1-linux': 'ready',
      'quarantine/STG-1201-13': 'absent',
    },
  },
});

scenario('18-policy-publication-non-waivable', {
  title:
    'The organisation’s policy makes publication scope non-waivable: the ambiguous mirror hold now holds the gate',
  planted:
    'Same facts as 12 (the mirror-promotion hold omits the .deb). The imported activation-gate policy v2 of release security adds publication-scope to the non-waivable kinds and requires the advisory embargo as well (in force here). ACT-PUBLICATION scope-unclear, non-waivable: hold.',
  mutate: listedMirror,
  policy: {
    policy: 'activation-gate',
    version: 2,
    system: 'release-security-grc',
    content: {
      ...DEFAULT_POLICY,
      requiredSafeguards: ['registry-release-lock', 'mirror-promotion-hold', 'advisory-embargo'],
      nonWaivable: [...DEFAULT_POLICY.nonWaivable, 'publication-scope'],
    },
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-PUBLICATION', 'mirror-promotion-hold')],
    absent: [key('ACT-PUBLICATION', 'advisory-embargo')],
    ledger: { 'publication/advisory-embargo': 'ready', 'publication/mirror-promotion-hold': 'hold' },
  },
});

scenario('19-policy-quorum-three', {
  title: 'A policy that needs three release signers per shift: every shift of two is short',
  planted:
    'The baseline facts under an imported policy with quorum min 3 (release-signer). The tentative j.lindqvist does not count: ACT-QUORUM-SHIFT missing on all three shifts.',
  policy: {
    policy: 'activation-gate',
    version: 2,
    system: 'release-security-grc',
    content: { ...DEFAULT_POLICY, quorum: { role: 'release-signer', min: 3 } },
  },
  expect: {
    outcome: 'hold',
    findings: [
      key('ACT-QUORUM-SHIFT', 'SH-1201-A'),
      key('ACT-QUORUM-SHIFT', 'SH-1201-B'),
      key('ACT-QUORUM-SHIFT', 'SH-1201-C'),
    ],
    absent: [],
  },
});

scenario('20-steps-signer-withdraws-then-replaced', {
  title:
    'Ready at 10:00; a night signer withdraws at 11:00 (hold); a replacement commits at 11:40 (ready again)',
  planted:
    'Step 1 is the baseline (ready). Step 2: the signer roster’s 11:00 export records s.varga withdrawn from SH-1201-B (a later version of the same commitment): the night shift is 1 of 2, hold. Step 3: the 11:40 export records j.lindqvist, rostered release signer, committed to SH-1201-B (his earlier tentative commitment superseded): ready again.',
  expect: {
    outcome: 'ready-for-approval',
    findings: [],
    absent: [],
    ledger: { 'signers/SH-1201-B': 'ready' },
  },
  steps: [
    {
      title: 's.varga withdraws from the US night shift (signer roster export 11:00)',
      asOf: '2026-12-01T11:05:00.000Z',
      files: {
        'signer-commitments-1100.csv': {
          family: 'signer-commitment',
          system: 'signer-roster',
          exportedAt: '2026-12-01T11:00:00.000Z',
          format: 'csv',
          records: [
            commitment('SH-1201-B', 's.varga', {
              status: 'withdrawn',
              recordedAt: '2026-12-01T10:55:00.000Z',
            }),
          ],
        },
      },
      expect: {
        outcome: 'hold',
        findings: [key('ACT-QUORUM-SHIFT', 'SH-1201-B')],
        absent: [],
        ledger: { 'signers/SH-1201-B': 'hold', 'signers/SH-1201-A': 'ready' },
      },
    },
    {
      title: 'j.lindqvist commits to the US night shift (signer roster export 11:40)',
      asOf: '2026-12-01T11:45:00.000Z',
      files: {
        'signer-commitments-1140.csv': {
          family: 'signer-commitment',
          system: 'signer-roster',
          exportedAt: '2026-12-01T11:40:00.000Z',
          format: 'csv',
          records: [commitment('SH-1201-B', 'j.lindqvist', { recordedAt: '2026-12-01T11:38:00.000Z' })],
        },
      },
      expect: {
        outcome: 'ready-for-approval',
        findings: [],
        absent: [],
        ledger: { 'signers/SH-1201-B': 'ready' },
      },
    },
  ],
});

scenario('21-steps-manifest-v2-drops-artifact', {
  title:
    'An inconclusive rebuild holds v1; manifest v2 drops that artifact and the staged copy is quarantined — ready',
  planted:
    'v1 freezes a seventh artifact, northwind-agent-7.4.2-linux-s390x.tar.gz, whose rebuild RB-linux-s390x was inconclusive (ACT-REPRO partial, hold); its digest is confirmed and it is staged. Step 2: build lineage freezes v2 at 10:20 without it (the s390x build is deferred to 7.4.3) and withdraws the v1 lines: the manifest in force is v2 of six; the staged s390x tarball is now off-manifest (ACT-QUARANTINE invalid, advisory): ready for approval.',
  mutate: (f) => {
    const s390 = 'northwind-agent-7.4.2-linux-s390x.tar.gz';
    f['frozen-manifest.csv'].records.push(manifestLine(s390, 1, { sizeBytes: 44_120_576 }));
    f['repro-checks.csv'].records.push({
      checkId: 'RBC-20261130-4199',
      ref: refOf(s390),
      trainId: TRAIN,
      artifact: s390,
      sha256: digestOf(s390),
      result: 'inconclusive',
      checkedAt: '2026-11-30T23:10:00.000Z',
    });
    f['digest-confirmations.json'].records.push({
      confirmationId: 'DCF-1201-399',
      trainId: TRAIN,
      artifact: s390,
      sha256: digestOf(s390),
      confirmedBy: 'k.osei',
      confirmedAt: '2026-12-01T07:50:00.000Z',
    });
    f['release-staging.csv'].records.push(candidate(s390, digestOf(s390), 'STG-1201-17'));
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-REPRO', 'northwind-agent-7.4.2-linux-s390x.tar.gz')],
    absent: [key('ACT-QUARANTINE', 'STG-1201-17')],
    ledger: {
      'manifest/northwind-agent-7.4.2-linux-s390x.tar.gz': 'hold',
      'quarantine/STG-1201-17': 'absent',
    },
  },
  steps: [
    {
      title: 'Build lineage freezes manifest v2 without the s390x tarball (export 10:20)',
      asOf: '2026-12-01T10:30:00.000Z',
      files: {
        'frozen-manifest-v2.csv': {
          family: 'frozen-manifest',
          system: 'build-lineage',
          exportedAt: '2026-12-01T10:20:00.000Z',
          format: 'csv',
          records: [
            ...ARTIFACTS.map(([n, size]) =>
              manifestLine(n, 2, { sizeBytes: size, frozenAt: '2026-12-01T10:15:00.000Z' }),
            ),
            manifestLine('northwind-agent-7.4.2-linux-s390x.tar.gz', 1, {
              sizeBytes: 44_120_576,
              status: 'withdrawn',
            }),
          ],
        },
      },
      expect: {
        outcome: 'ready-for-approval',
        findings: [key('ACT-QUARANTINE', 'STG-1201-17')],
        absent: [key('ACT-REPRO', 'northwind-agent-7.4.2-linux-s390x.tar.gz')],
        ledger: {
          'manifest/northwind-agent-7.4.2-linux-s390x.tar.gz': 'absent',
          'quarantine/STG-1201-17': 'quarantined',
          [`manifest/${A.tar}`]: 'ready',
        },
      },
    },
  ],
});

scenario('22-steps-fresh-confirmation-fixes-stale', {
  title:
    'A stale digest confirmation holds the packet until the digest service confirms again; then the window passes',
  planted:
    'The deb’s latest confirmation is from 2026-11-27T20:00 (86 h at 10:00): ACT-DIGEST-FRESH stale, hold. Step 2: the 10:45 digest-confirmation export confirms it (k.osei, 10:40): ready at 11:00. Step 3: the same records evaluated at 12:30 the next day: the window closed at 12:00 (ACT-DECLARATION expired, escalate), the attestation and reading are stale, and the other five 07:4x confirmations are still within 72 h.',
  mutate: (f) => {
    find(f, 'digest-confirmations.json', (r) => r.artifact === A.deb).confirmedAt =
      '2026-11-27T20:00:00.000Z';
  },
  expect: {
    outcome: 'hold',
    findings: [key('ACT-DIGEST-FRESH', A.deb)],
    absent: [],
    ledger: { [`digest/${A.deb}`]: 'hold' },
  },
  steps: [
    {
      title: 'The digest-confirmation service re-confirms the .deb (export 10:45)',
      asOf: '2026-12-01T11:00:00.000Z',
      files: {
        'digest-confirmations-1045.json': {
          family: 'digest-confirmation',
          system: 'digest-confirm',
          exportedAt: '2026-12-01T10:45:00.000Z',
          format: 'json',
          records: [
            {
              confirmationId: 'DCF-1201-340',
              trainId: TRAIN,
              artifact: A.deb,
              sha256: digestOf(A.deb),
              confirmedBy: 'k.osei',
              confirmedAt: '2026-12-01T10:40:00.000Z',
            },
          ],
        },
      },
      expect: {
        outcome: 'ready-for-approval',
        findings: [],
        absent: [],
        ledger: { [`digest/${A.deb}`]: 'ready' },
      },
    },
    {
      title: 'Evaluated again after the signing window closed',
      asOf: '2026-12-02T12:30:00.000Z',
      expect: {
        outcome: 'escalate-mismatch',
        findings: [key('ACT-DECLARATION', DECL), key('ACT-ENCLAVE', ENCLAVE)],
        absent: [key('ACT-DIGEST-FRESH', A.deb)],
        ledger: { [`declaration/${DECL}`]: 'hold' },
      },
    },
  ],
});

scenario('23-declaration-withdrawn', {
  title: 'The incident workspace withdrew the declaration (the online signer recovered) — escalate',
  planted:
    'DECL-2026-1201 is exported withdrawn at 09:05 (the signing proxy recovered at 08:50); every other record is as in the baseline. ACT-DECLARATION scope-unclear: no packet can rest on a withdrawn declaration.',
  mutate: (f) => {
    find(f, 'incident-workspace.json', (r) => r.declarationId === DECL).status = 'withdrawn';
  },
  expect: {
    outcome: 'escalate-mismatch',
    findings: [key('ACT-DECLARATION', DECL)],
    absent: [],
    ledger: { [`declaration/${DECL}`]: 'hold' },
  },
});

for (const [path, json] of pending)
  writeFileSync(path, await prettier.format(json, { ...prettierOptions, parser: 'json' }));
console.log(`written: ${pending.length} JSON files`);
