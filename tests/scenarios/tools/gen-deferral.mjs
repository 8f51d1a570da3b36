#!/usr/bin/env node
/**
 * Writes the deferral scenario corpus (tests/scenarios/deferral/NN-slug/) from one seeded, realistic
 * baseline: an artifact-signing intermediate key on a primary and a DR HSM, dozens of noise keys,
 * half a year of HSM audit log (2,600 entries in the clean baseline, 1,000–1,500 in the signing scenarios, 300 elsewhere), roster, custody, escrow media, ceremonies,
 * changes, certificates, build enrollment, board seats and deferral history. Each scenario changes the
 * baseline in one or two places (the planted gap, or the look-alike that must not be flagged).
 *
 *   node tests/scenarios/tools/gen-deferral.mjs        (re-writes every folder; output is deterministic)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'deferral');
const AS_OF = '2026-12-01T12:00:00.000Z';
const KEY = 'K-REL-INT-2024';
const HSM_P = 'HSM-LUNA-0412';
const HSM_DR = 'HSM-LUNA-0419';
const REQ = 'DR-2026-117';
const DAY = 86_400_000;

/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const iso = (ms) => new Date(ms).toISOString();
const at = (d) => Date.parse(d.length === 10 ? `${d}T00:00:00.000Z` : d);
const dayOf = (ms) => iso(ms).slice(0, 10);
const pad = (n, w) => String(n).padStart(w, '0');

const CUSTODIANS = ['a.ruiz', 't.berg', 'm.okonkwo', 's.varga', 'l.moreau', 'h.tanaka'];
const OPERATORS = ['r.iyer', 'd.kowalski', 'e.nakamura', 'f.dubois'];
const OTHERS = [
  'p.haddad',
  'n.okafor',
  'j.lindqvist',
  'c.alvarez',
  'k.osei',
  'b.schmidt',
  'y.cohen',
  'v.petrov',
  'g.rossi',
  'i.novak',
  'o.hansen',
  'w.zhang',
  'u.mensah',
  'z.ali',
  'q.fischer',
  'x.silva',
];

/** The baseline world: family -> { system, exportedAt, records }, plus extra export files. */
function baseline(auditEntries) {
  const rand = rng(117);
  const files = {};
  const put = (file, family, system, exportedAt, records) =>
    (files[file] = { family, system, exportedAt, records });

  // Key inventory: the key on both HSMs, and noise keys across six HSMs.
  const hsms = [HSM_P, HSM_DR, 'HSM-LUNA-0533', 'HSM-LUNA-0534', 'HSM-NC-2201', 'HSM-NC-2202'];
  const inv = [
    {
      entryId: 'INV-0001',
      keyId: KEY,
      label: 'release-intermediate-2024',
      hsmSerial: HSM_P,
      residency: 'hsm-resident',
      production: true,
      purpose: 'production artifact-signing intermediate',
      rotationDueAt: '2026-12-15',
      observedAt: '2026-11-26',
    },
    {
      entryId: 'INV-0002',
      keyId: KEY,
      label: 'release-intermediate-2024',
      hsmSerial: HSM_DR,
      residency: 'hsm-resident',
      production: true,
      purpose: 'production artifact-signing intermediate (DR)',
      rotationDueAt: '2026-12-15',
      observedAt: '2026-11-26',
    },
  ];
  for (let i = 0; i < 48; i++)
    inv.push({
      entryId: `INV-${pad(i + 3, 4)}`,
      keyId: `K-${['SVC', 'CI', 'PKG', 'DOC', 'FW'][i % 5]}-${pad(1000 + i * 7, 4)}`,
      label: `key-${i}`,
      hsmSerial: hsms[2 + (i % 4)] ?? HSM_P,
      residency: i % 11 === 0 ? 'software' : 'hsm-resident',
      production: i % 3 !== 0,
      purpose: 'service signing',
      rotationDueAt: dayOf(at('2027-01-01') + (i % 20) * 30 * DAY),
      observedAt: '2026-11-26',
    });
  put('key-inventory.json', 'hsm-key-inventory', 'hsm-admin', '2026-11-27T06:00:00.000Z', inv);

  // Firmware attestations: monthly checks per HSM, all passing, latest on 20 November.
  const att = [];
  for (const hsm of hsms)
    for (let m = 5; m <= 10; m++)
      att.push({
        attestationId: `ATT-${hsm.slice(-4)}-${pad(m + 1, 2)}`,
        hsmSerial: hsm,
        firmwareVersion: '7.8.4',
        expectedFirmware: '7.8.4',
        result: 'pass',
        checkedAt: `2026-${pad(m + 1, 2)}-20`,
        note: '',
      });
  put('hsm-attestation.json', 'hsm-attestation', 'hsm-admin', '2026-11-21T08:00:00.000Z', att);

  // Roster: custodians, operators, others; a few ended terms (noise).
  const roster = [];
  let r = 1;
  for (const p of CUSTODIANS)
    roster.push({
      entryId: `RST-${pad(r++, 4)}`,
      person: p,
      roles: ['key-custodian'],
      validFrom: '2024-01-01',
      validUntil: null,
      status: 'active',
      snapshotAt: '2026-11-26',
    });
  for (const p of OPERATORS)
    roster.push({
      entryId: `RST-${pad(r++, 4)}`,
      person: p,
      roles: ['key-operator'],
      validFrom: '2024-01-01',
      validUntil: null,
      status: 'active',
      snapshotAt: '2026-11-26',
    });
  for (const p of OTHERS)
    roster.push({
      entryId: `RST-${pad(r++, 4)}`,
      person: p,
      roles: [rand() < 0.5 ? 'auditor' : 'release-engineer'],
      validFrom: '2023-06-01',
      validUntil: rand() < 0.2 ? '2025-12-31' : null,
      status: 'active',
      snapshotAt: '2026-11-26',
    });
  put('roster.json', 'roster-snapshot', 'iam-governance', '2026-11-27T06:00:00.000Z', roster);

  // Review-board seats: current terms plus past ones.
  put('board-seats.json', 'review-board-seat', 'eng-governance', '2026-11-15T00:00:00.000Z', [
    {
      seatId: 'SEAT-BR-1',
      role: 'board-reviewer',
      holder: 'n.okafor',
      termFrom: '2026-01-01',
      termUntil: '2027-12-31',
    },
    {
      seatId: 'SEAT-BR-2',
      role: 'board-reviewer',
      holder: 'p.haddad',
      termFrom: '2025-07-01',
      termUntil: '2027-06-30',
    },
    {
      seatId: 'SEAT-BR-0',
      role: 'board-reviewer',
      holder: 'v.petrov',
      termFrom: '2023-01-01',
      termUntil: '2025-12-31',
    },
    {
      seatId: 'SEAT-CEM-1',
      role: 'cryptography-engineering-manager',
      holder: 'j.lindqvist',
      termFrom: '2025-03-01',
      termUntil: null,
    },
    {
      seatId: 'SEAT-RIO-1',
      role: 'release-integrity-owner',
      holder: 'c.alvarez',
      termFrom: '2025-03-01',
      termUntil: null,
    },
  ]);

  // Custody registry: tokens and cards for the two HSMs (held by custodians), escrow media, noise items.
  const cust = [];
  const items = [
    ['BT-0412-1', 'backup-token', HSM_P, 'a.ruiz'],
    ['BT-0412-2', 'backup-token', HSM_P, 't.berg'],
    ['BT-0412-3', 'backup-token', HSM_P, 'm.okonkwo'],
    ['OC-0412-1', 'operator-card', HSM_P, 's.varga'],
    ['OC-0412-2', 'operator-card', HSM_P, 'l.moreau'],
    ['BT-0419-1', 'backup-token', HSM_DR, 'h.tanaka'],
    ['BT-0419-2', 'backup-token', HSM_DR, 'a.ruiz'],
    ['OC-0419-1', 'operator-card', HSM_DR, 't.berg'],
    ['EM-0412-A', 'escrow-media', HSM_P, 'vault-ops'],
    ['EM-0419-A', 'escrow-media', HSM_DR, 'vault-ops'],
  ];
  let h = 1;
  for (const [itemId, itemKind, hsmSerial, holder] of items)
    cust.push({
      holdingId: `HLD-${pad(h++, 4)}`,
      itemId,
      itemKind,
      holder,
      since: '2025-02-01',
      until: null,
      hsmSerial,
    });
  for (let i = 0; i < 40; i++)
    cust.push({
      holdingId: `HLD-${pad(h++, 4)}`,
      itemId: `BT-${hsms[2 + (i % 4)].slice(-4)}-${i}`,
      itemKind: i % 2 ? 'backup-token' : 'operator-card',
      holder: OTHERS[i % OTHERS.length],
      since: '2024-05-01',
      until: i % 7 === 0 ? '2025-05-01' : null,
      hsmSerial: hsms[2 + (i % 4)],
    });
  put('custody-registry.json', 'custody-registry', 'token-custody', '2026-11-27T05:00:00.000Z', cust);

  // Custody attestations: quarterly by each holder; the latest in October (within 90 days).
  const ca = [];
  let c = 1;
  for (const [itemId, kind, , holder] of items) {
    if (kind === 'escrow-media') continue;
    for (const d of ['2026-04-08', '2026-07-09', '2026-10-07'])
      ca.push({
        attestationId: `CA-${pad(c++, 5)}`,
        itemId,
        attestedBy: holder,
        attestedAt: d,
        result: 'in-possession',
      });
  }
  for (let i = 0; i < 40; i++)
    ca.push({
      attestationId: `CA-${pad(c++, 5)}`,
      itemId: `BT-${hsms[2 + (i % 4)].slice(-4)}-${i}`,
      attestedBy: OTHERS[i % OTHERS.length],
      attestedAt: '2026-03-01',
      result: 'in-possession',
    });
  put('custody-attestations.json', 'custody-attestation', 'secure-storage', '2026-11-27T05:00:00.000Z', ca);

  // Escrow media: sealed in 2025, inspected quarterly; the latest inspection in October.
  put('media-lifecycle.json', 'media-lifecycle', 'secure-storage', '2026-11-27T05:00:00.000Z', [
    { eventId: 'ML-0001', mediaId: 'EM-0412-A', event: 'issued', bagSerial: null, at: '2025-01-20' },
    { eventId: 'ML-0002', mediaId: 'EM-0412-A', event: 'sealed', bagSerial: 'TEB-448120', at: '2025-01-21' },
    { eventId: 'ML-0003', mediaId: 'EM-0419-A', event: 'issued', bagSerial: null, at: '2025-01-20' },
    { eventId: 'ML-0004', mediaId: 'EM-0419-A', event: 'sealed', bagSerial: 'TEB-448121', at: '2025-01-21' },
  ]);
  const insp = [];
  let n = 1;
  for (const d of [
    '2025-04-10',
    '2025-07-10',
    '2025-10-09',
    '2026-01-08',
    '2026-04-09',
    '2026-07-09',
    '2026-10-08',
  ]) {
    insp.push({
      inspectionId: `SI-${pad(n++, 4)}`,
      mediaId: 'EM-0412-A',
      bagSerial: 'TEB-448120',
      inspector: 'l.moreau',
      at: d,
      result: 'intact',
    });
    insp.push({
      inspectionId: `SI-${pad(n++, 4)}`,
      mediaId: 'EM-0419-A',
      bagSerial: 'TEB-448121',
      inspector: 'h.tanaka',
      at: d,
      result: 'intact',
    });
  }
  put('seal-inspections.json', 'seal-inspection', 'secure-storage', '2026-11-27T05:00:00.000Z', insp);

  // Changes: weekly release-signing changes (June to November), plus noise changes.
  const changes = [];
  const weeks = [];
  for (let w = 0; w < 27; w++) {
    const start = at('2026-06-01') + w * 7 * DAY;
    const id = `CHG-2026-${pad(400 + w, 4)}`;
    weeks.push({ id, start, end: start + 7 * DAY - 1000 });
    changes.push({
      changeId: id,
      changeType: 'scheduled',
      summary: `weekly release signing, week ${w + 23}`,
      approvedBy: ['c.alvarez'],
      approvedAt: dayOf(start - 3 * DAY),
      windowStart: iso(start),
      windowEnd: iso(start + 7 * DAY - 1000),
      status: 'implemented',
    });
  }
  for (let i = 0; i < 30; i++)
    changes.push({
      changeId: `CHG-2026-${pad(600 + i, 4)}`,
      changeType: i % 9 === 0 ? 'emergency' : 'standard',
      summary: 'infrastructure maintenance',
      approvedBy: ['b.schmidt'],
      approvedAt: dayOf(at('2026-06-01') + i * 5 * DAY),
      windowStart: null,
      windowEnd: null,
      status: i % 5 === 0 ? 'rejected' : 'implemented',
    });
  put('change-records.json', 'change-record', 'change-mgmt', '2026-11-27T04:00:00.000Z', changes);

  // Ceremony logs: key generation, quarterly signing ceremonies, inspections, noise ceremonies.
  const cer = [
    {
      ceremonyId: 'CER-2024-GEN-07',
      at: '2024-12-15T10:00:00.000Z',
      kind: 'key-generation',
      keyId: KEY,
      participants: [
        { person: 'r.iyer', role: 'key-operator', act: 'operator' },
        { person: 'a.ruiz', role: 'key-custodian', act: 'custodian' },
        { person: 't.berg', role: 'key-custodian', act: 'custodian' },
        { person: 'k.osei', role: 'auditor', act: 'witness' },
      ],
      changeRef: null,
      outcome: 'completed',
    },
  ];
  for (const [i, d] of ['2026-06-18', '2026-09-17', '2026-11-19'].entries())
    cer.push({
      ceremonyId: `CER-2026-SIG-${pad(i + 21, 3)}`,
      at: `${d}T09:00:00.000Z`,
      kind: 'signing',
      keyId: KEY,
      participants: [
        { person: OPERATORS[i], role: 'key-operator', act: 'operator' },
        { person: CUSTODIANS[i], role: 'key-custodian', act: 'custodian' },
        { person: 'k.osei', role: 'auditor', act: 'witness' },
      ],
      changeRef: null,
      outcome: 'completed',
    });
  for (let i = 0; i < 20; i++)
    cer.push({
      ceremonyId: `CER-2026-OPS-${pad(i + 1, 3)}`,
      at: iso(at('2026-01-10') + i * 15 * DAY + 9 * 3600_000),
      kind: i % 3 ? 'signing' : 'inspection',
      keyId: i % 3 ? `K-SVC-${pad(1000 + i * 35, 4)}` : null,
      participants: [
        { person: OPERATORS[i % 4], role: 'key-operator', act: 'operator' },
        { person: CUSTODIANS[i % 6], role: 'key-custodian', act: 'custodian' },
      ],
      changeRef: null,
      outcome: i === 7 ? 'aborted' : 'completed',
    });
  put('ceremony-log.json', 'ceremony-log', 'ceremony-records', '2026-11-27T04:00:00.000Z', cer);

  // HSM audit logs, June to November: logins, signs under the week's change, ceremony signs, noise.
  const logP = [];
  let seq = 100_001;
  const t0 = at('2026-06-01');
  const span = at('2026-11-26T23:00:00.000Z') - t0;
  const ceremonySigns = new Map(
    cer.filter((x) => x.kind === 'signing' && x.keyId === KEY).map((x) => [at(x.at), x]),
  );
  const times = Array.from({ length: auditEntries }, () => t0 + Math.floor(rand() * span)).sort(
    (a, b) => a - b,
  );
  let ci = 0;
  const cerTimes = [...ceremonySigns.keys()].sort((a, b) => a - b);
  for (const t of times) {
    while (ci < cerTimes.length && cerTimes[ci] + 1800_000 <= t) {
      const x = ceremonySigns.get(cerTimes[ci]);
      logP.push({
        entryId: `${HSM_P}-${seq}`,
        hsmSerial: HSM_P,
        sequence: seq++,
        at: iso(cerTimes[ci] + 1800_000),
        event: 'sign',
        keyId: KEY,
        operator: x.participants[0].person,
        result: 'success',
        reference: x.ceremonyId,
      });
      ci++;
    }
    const u = rand();
    const op = OPERATORS[Math.floor(rand() * OPERATORS.length)];
    const week = weeks.find((w) => w.start <= t && t <= w.end);
    if (u < 0.45 && week)
      logP.push({
        entryId: `${HSM_P}-${seq}`,
        hsmSerial: HSM_P,
        sequence: seq++,
        at: iso(t),
        event: 'sign',
        keyId: KEY,
        operator: op,
        result: 'success',
        reference: week.id,
      });
    else if (u < 0.6)
      logP.push({
        entryId: `${HSM_P}-${seq}`,
        hsmSerial: HSM_P,
        sequence: seq++,
        at: iso(t),
        event: 'sign',
        keyId: `K-SVC-${pad(1000 + 7 * Math.floor(rand() * 40), 4)}`,
        operator: op,
        result: 'success',
        reference: null,
      });
    else if (u < 0.63)
      logP.push({
        entryId: `${HSM_P}-${seq}`,
        hsmSerial: HSM_P,
        sequence: seq++,
        at: iso(t),
        event: 'login-failed',
        keyId: null,
        operator: op,
        result: 'failure',
        reference: null,
      });
    else if (u < 0.65)
      logP.push({
        entryId: `${HSM_P}-${seq}`,
        hsmSerial: HSM_P,
        sequence: seq++,
        at: iso(t),
        event: 'sign',
        keyId: KEY,
        operator: 'unknown-user',
        result: 'denied',
        reference: null,
      });
    else
      logP.push({
        entryId: `${HSM_P}-${seq}`,
        hsmSerial: HSM_P,
        sequence: seq++,
        at: iso(t),
        event: 'login',
        keyId: null,
        operator: op,
        result: 'success',
        reference: null,
      });
  }
  put('hsm-audit-0412.json', 'hsm-audit-log', 'hsm-admin', '2026-11-27T06:00:00.000Z', logP);
  const logDR = [];
  let seqDR = 5001;
  for (let i = 0; i < 300; i++) {
    const t = t0 + Math.floor((i * span) / 300);
    logDR.push({
      entryId: `${HSM_DR}-${seqDR}`,
      hsmSerial: HSM_DR,
      sequence: seqDR++,
      at: iso(t),
      event: i % 50 === 0 ? 'other' : 'login',
      keyId: null,
      operator: OPERATORS[i % 4],
      result: 'success',
      reference: null,
    });
  }
  put('hsm-audit-0419.json', 'hsm-audit-log', 'hsm-admin', '2026-11-27T06:00:00.000Z', logDR);

  // Ceremony plans: the blocked December rotation, its February replacement, noise plans.
  const plans = [
    {
      ceremonyId: 'CER-ROT-2026-12',
      purpose: 'key-rotation',
      keyId: KEY,
      hsmSerial: HSM_P,
      plannedAt: '2026-12-14T09:00:00.000Z',
      requiredRoles: [
        { role: 'key-custodian', count: 3 },
        { role: 'key-operator', count: 2 },
      ],
      status: 'blocked',
      changeRef: 'CHG-2026-0700',
    },
    {
      ceremonyId: 'CER-ROT-2027-02',
      purpose: 'key-rotation',
      keyId: KEY,
      hsmSerial: HSM_P,
      plannedAt: '2027-02-10T09:00:00.000Z',
      requiredRoles: [
        { role: 'key-custodian', count: 3 },
        { role: 'key-operator', count: 2 },
      ],
      status: 'planned',
      changeRef: null,
    },
  ];
  for (let i = 0; i < 12; i++)
    plans.push({
      ceremonyId: `CER-PLN-${pad(i + 1, 3)}`,
      purpose: i % 2 ? 'key-rotation' : 'signing',
      keyId: `K-CI-${pad(1000 + i * 35 + 7, 4)}`,
      hsmSerial: 'HSM-LUNA-0533',
      plannedAt: dayOf(at('2026-12-01') + i * 9 * DAY),
      requiredRoles: [{ role: 'key-custodian', count: 2 }],
      status: i % 4 ? 'planned' : 'cancelled',
      changeRef: null,
    });
  put('ceremony-plans.json', 'ceremony-plan', 'ceremony-planning', '2026-11-27T04:00:00.000Z', plans);

  // Readiness: the blocked plan failed its firmware check (it is not the replacement); the replacement is ready.
  const ready = [
    {
      resultId: 'RDY-0101',
      ceremonyId: 'CER-ROT-2026-12',
      check: 'hsm firmware attestation',
      result: 'not-ready',
      checkedAt: '2026-11-12T10:00:00.000Z',
      participants: [],
    },
    {
      resultId: 'RDY-0102',
      ceremonyId: 'CER-ROT-2026-12',
      check: 'quorum dry run',
      result: 'ready',
      checkedAt: '2026-11-12T11:00:00.000Z',
      participants: [],
    },
  ];
  let rr = 200;
  for (const check of [
    'hsm firmware attestation',
    'quorum dry run',
    'backup restore rehearsal',
    'trust-chain staging',
  ])
    ready.push({
      resultId: `RDY-0${rr++}`,
      ceremonyId: 'CER-ROT-2027-02',
      check,
      result: 'ready',
      checkedAt: '2026-11-26T10:00:00.000Z',
      participants: [],
    });
  for (let i = 0; i < 24; i++)
    ready.push({
      resultId: `RDY-1${pad(i, 3)}`,
      ceremonyId: `CER-PLN-${pad((i % 12) + 1, 3)}`,
      check: 'quorum dry run',
      result: i % 5 ? 'ready' : 'not-ready',
      checkedAt: '2026-11-20',
      participants: [],
    });
  put('readiness.json', 'readiness-result', 'ceremony-planning', '2026-11-27T04:00:00.000Z', ready);

  // Signer availability: three custodians and two operators confirmed for the replacement; noise.
  const sa = [];
  let s = 1;
  for (const p of [...CUSTODIANS.slice(0, 4), ...OPERATORS.slice(0, 3)])
    sa.push({
      confirmationId: `SA-${pad(s++, 4)}`,
      person: p,
      role: CUSTODIANS.includes(p) ? 'key-custodian' : 'key-operator',
      ceremonyId: 'CER-ROT-2027-02',
      availableFrom: '2027-02-01',
      availableUntil: '2027-02-28',
      confirmed: true,
      recordedAt: '2026-11-18',
    });
  for (let i = 0; i < 20; i++)
    sa.push({
      confirmationId: `SA-${pad(s++, 4)}`,
      person: CUSTODIANS[i % 6],
      role: 'key-custodian',
      ceremonyId: `CER-PLN-${pad((i % 12) + 1, 3)}`,
      availableFrom: '2026-12-01',
      availableUntil: '2027-04-30',
      confirmed: i % 3 !== 0,
      recordedAt: '2026-11-15',
    });
  put('signer-availability.json', 'signer-availability', 'ceremony-planning', '2026-11-27T04:00:00.000Z', sa);

  // Certificates: the key's current certificate, its superseded predecessor, noise.
  const certs = [
    {
      serial: '4F:A2:19:0C:77:01',
      subject: 'CN=Release Signing Intermediate 2024',
      keyId: KEY,
      issuer: 'CN=Example Root CA R3',
      notBefore: '2024-12-16',
      notAfter: '2027-12-16',
      status: 'valid',
    },
    {
      serial: '3A:11:C0:5E:02:9F',
      subject: 'CN=Release Signing Intermediate 2022',
      keyId: 'K-REL-INT-2022',
      issuer: 'CN=Example Root CA R3',
      notBefore: '2022-12-01',
      notAfter: '2025-12-01',
      status: 'superseded',
    },
  ];
  for (let i = 0; i < 40; i++)
    certs.push({
      serial: `6B:${pad(i, 2)}:00:${pad(i * 3, 2)}:EE`,
      subject: `CN=svc-${i}`,
      keyId: `K-SVC-${pad(1000 + i * 7, 4)}`,
      issuer: 'CN=Example Issuing CA 2',
      notBefore: '2026-01-01',
      notAfter: dayOf(at('2026-12-10') + i * 20 * DAY),
      status: i % 9 === 0 ? 'revoked' : 'valid',
    });
  put('certificates.json', 'certificate', 'pki-inventory', '2026-11-27T03:00:00.000Z', certs);

  // Build enrollment: four dependent systems enrolled and distributed, noise for other keys.
  const be = [];
  let b = 1;
  for (const system of ['ci-release', 'ci-mobile', 'artifact-provenance', 'container-signing']) {
    be.push({
      enrollmentId: `BE-${pad(b++, 4)}`,
      system,
      keyId: KEY,
      enrollment: 'enrolled',
      trustChainDistributed: true,
      verificationFailures: 0,
      reportedAt: '2026-10-30',
    });
    be.push({
      enrollmentId: `BE-${pad(b++, 4)}`,
      system,
      keyId: KEY,
      enrollment: 'enrolled',
      trustChainDistributed: true,
      verificationFailures: Math.floor(rand() * 3),
      reportedAt: '2026-11-26',
    });
  }
  for (let i = 0; i < 30; i++)
    be.push({
      enrollmentId: `BE-${pad(b++, 4)}`,
      system: ['ci-release', 'ci-mobile', 'docs-publish'][i % 3],
      keyId: `K-CI-${pad(1000 + i * 35, 4)}`,
      enrollment: i % 6 ? 'enrolled' : 'disputed',
      trustChainDistributed: i % 4 !== 0,
      verificationFailures: i % 5,
      reportedAt: '2026-11-20',
    });
  put('build-enrollment.json', 'build-enrollment', 'build-signing', '2026-11-27T03:00:00.000Z', be);

  // Signing paths for the key (scope entries name them).
  put('signing-paths.json', 'signing-path', 'release-pipeline', '2026-11-27T03:00:00.000Z', [
    {
      pathId: 'SP-REL-01',
      keyId: KEY,
      via: 'ci-release',
      viaKind: 'pipeline',
      purpose: 'release artifact signing',
      addedAt: '2025-01-05',
      removedAt: null,
    },
    {
      pathId: 'SP-REL-02',
      keyId: KEY,
      via: 'container-signing',
      viaKind: 'pipeline',
      purpose: 'container image signing',
      addedAt: '2025-03-01',
      removedAt: null,
    },
    {
      pathId: 'SP-SVC-11',
      keyId: 'K-SVC-1007',
      via: 'ci-mobile',
      viaKind: 'pipeline',
      purpose: 'mobile build signing',
      addedAt: '2025-03-01',
      removedAt: null,
    },
  ]);

  // Deferral history: an old deferral of the key (outside the rolling window, conditions met), others.
  put('prior-deferrals.json', 'prior-deferral', 'release-integrity', '2026-11-27T03:00:00.000Z', [
    {
      deferralId: 'PD-2022-031',
      keyId: KEY,
      decidedAt: '2022-11-20',
      decision: 'granted',
      windowStart: '2022-12-01',
      windowEnd: '2023-02-15',
      renews: null,
      conditions: [
        { conditionId: 'PD-2022-031-C1', text: 'weekly review of key-use audit entries', status: 'met' },
      ],
    },
    {
      deferralId: 'PD-2026-044',
      keyId: 'K-CI-1035',
      decidedAt: '2026-05-02',
      decision: 'granted',
      windowStart: '2026-05-10',
      windowEnd: '2026-07-31',
      renews: null,
      conditions: [{ conditionId: 'PD-2026-044-C1', text: 'dual control on CI signing', status: 'open' }],
    },
    {
      deferralId: 'PD-2026-051',
      keyId: 'K-SVC-1014',
      decidedAt: '2026-06-11',
      decision: 'refused',
      windowStart: '2026-06-15',
      windowEnd: '2026-08-15',
      renews: null,
      conditions: [],
    },
  ]);

  // Incidents: closed or about other keys.
  put('incidents.json', 'incident-notice', 'secops', '2026-11-27T02:00:00.000Z', [
    {
      noticeId: 'INC-2026-0311',
      indicator: 'unauthorised-signing',
      keyId: 'K-CI-1070',
      reportedAt: '2026-09-02',
      status: 'open',
      summary: 'CI signing outside window under investigation',
    },
    {
      noticeId: 'INC-2026-0288',
      indicator: 'key-compromise',
      keyId: KEY,
      reportedAt: '2026-08-10',
      status: 'closed-false-positive',
      summary: 'scanner flagged a public certificate as a private key',
    },
    {
      noticeId: 'INC-2026-0350',
      indicator: 'other',
      keyId: null,
      reportedAt: '2026-11-02',
      status: 'open',
      summary: 'badge reader outage in vault corridor',
    },
  ]);

  // The request under evaluation.
  put('deferral-request.json', 'deferral-request', 'release-integrity', '2026-11-27T06:00:00.000Z', [
    {
      requestId: REQ,
      keyId: KEY,
      requestedBy: 'c.alvarez',
      requestedAt: '2026-11-25T15:00:00.000Z',
      rotationDueAt: '2026-12-15',
      windowStart: '2026-12-15',
      windowEnd: '2027-02-28',
      reason:
        'The December rotation ceremony is blocked by an HSM firmware attestation mismatch; the replacement ceremony is planned for 10 February.',
      scope: [KEY, 'SP-REL-01', 'SP-REL-02', 'ci-release', 'container-signing'],
      routeTo: ['board-reviewer', 'cryptography-engineering-manager'],
      interimControls: [
        'daily review of key-use audit entries',
        'sign operations only under a weekly release change',
      ],
    },
    {
      requestId: 'DR-2026-098',
      keyId: 'K-CI-1035',
      requestedBy: 'b.schmidt',
      requestedAt: '2026-10-01',
      rotationDueAt: '2026-10-15',
      windowStart: '2026-10-15',
      windowEnd: '2026-12-31',
      reason: 'pipeline migration',
      scope: [],
      routeTo: ['board-reviewer'],
      interimControls: [],
    },
  ]);
  return files;
}

const rec = (files, file) => files[file].records;
const find = (files, file, field, value) => rec(files, file).find((r) => r[field] === value);

/** The scenarios: slug, title, planted, expect, and the change to the baseline. */
const SCENARIOS = [
  {
    slug: '01-clean-baseline',
    auditEntries: 2600,
    title: 'Clean deferral packet: every source current and consistent',
    planted:
      'Nothing planted. Key on two HSMs with fresh passing attestations, all tokens attested by their holders in October, seals inspected, replacement ceremony fully confirmed and ready, certificate valid to December 2027, all four build systems enrolled, seats filled, the only prior deferral of the key is from 2022 with its condition met. Noise: a blocked December plan with a not-ready firmware check (not the replacement), an open incident for another key, a closed false-positive for this key, a refused deferral of another key.',
    expect: {
      outcome: 'handoff-clean',
      findings: [],
      absent: [
        { checkId: 'DEF-READINESS', subject: 'CER-ROT-2026-12/hsm firmware attestation' },
        { checkId: 'DEF-INCIDENT', subject: 'INC-2026-0288' },
        { checkId: 'DEF-INCIDENT', subject: 'INC-2026-0311' },
        { checkId: 'DEF-DEFERRAL-COUNT', subject: KEY },
      ],
    },
    change() {},
  },
  {
    slug: '02-seed-firmware-mismatch',
    title:
      'The seed case: firmware attestation mismatch on the primary HSM, stale token attestation, unconfirmed signer',
    planted:
      'The latest attestation of HSM-LUNA-0412 (27 November) is a mismatch not followed by a pass (disputed); the replacement ceremony’s firmware readiness check re-ran not-ready; backup token BT-0412-3 was last attested in July (stale); one operator withdrew availability so only one of two operators is confirmed (partial). The mismatch and the not-ready come in a later export than the rest.',
    expect: {
      outcome: 'hold-source-completion',
      findings: [
        { checkId: 'DEF-HSM-ATTEST', subject: HSM_P },
        { checkId: 'DEF-READINESS', subject: 'CER-ROT-2027-02/hsm firmware attestation' },
        { checkId: 'DEF-CUSTODY-FRESH', subject: 'BT-0412-3' },
        { checkId: 'DEF-SIGNERS', subject: 'CER-ROT-2027-02/key-operator' },
      ],
      absent: [{ checkId: 'DEF-HSM-ATTEST', subject: HSM_DR }],
    },
    change(f) {
      f['hsm-attestation-recheck.json'] = {
        family: 'hsm-attestation',
        system: 'hsm-admin',
        exportedAt: '2026-11-28T08:00:00.000Z',
        records: [
          {
            attestationId: 'ATT-0412-12a',
            hsmSerial: HSM_P,
            firmwareVersion: '7.8.5-rc2',
            expectedFirmware: '7.8.4',
            result: 'mismatch',
            checkedAt: '2026-11-27T14:00:00.000Z',
            note: 'vendor image hash differs from published manifest',
          },
        ],
      };
      f['readiness-recheck.json'] = {
        family: 'readiness-result',
        system: 'ceremony-planning',
        exportedAt: '2026-11-28T09:00:00.000Z',
        records: [
          {
            resultId: 'RDY-0300',
            ceremonyId: 'CER-ROT-2027-02',
            check: 'hsm firmware attestation',
            result: 'not-ready',
            checkedAt: '2026-11-27T16:00:00.000Z',
            participants: [{ person: 'r.iyer', role: 'key-operator' }],
          },
        ],
      };
      f['custody-attestations.json'].records = rec(f, 'custody-attestations.json').filter(
        (a) => !(a.itemId === 'BT-0412-3' && a.attestedAt === '2026-10-07'),
      );
      rec(f, 'signer-availability.json').push(
        {
          confirmationId: 'SA-0900',
          person: 'd.kowalski',
          role: 'key-operator',
          ceremonyId: 'CER-ROT-2027-02',
          availableFrom: '2027-02-01',
          availableUntil: '2027-02-28',
          confirmed: false,
          recordedAt: '2026-11-25',
        },
        {
          confirmationId: 'SA-0901',
          person: 'e.nakamura',
          role: 'key-operator',
          ceremonyId: 'CER-ROT-2027-02',
          availableFrom: '2027-02-01',
          availableUntil: '2027-02-28',
          confirmed: false,
          recordedAt: '2026-11-26',
        },
      );
    },
  },
  {
    slug: '03-custody-holder-off-roster',
    title: 'A backup token held by someone whose custodian term ended (custody registry × roster)',
    planted:
      'm.okonkwo still holds BT-0412-3 per the custody registry and attested it in October, but the roster ended their key-custodian term on 31 October. Only the join of the two systems shows it (invalid). Look-alike: l.moreau’s operator card is held under a temporary custodian entry that covers today.',
    expect: {
      outcome: 'hold-source-completion',
      findings: [{ checkId: 'DEF-CUSTODY-HOLDER', subject: 'BT-0412-3' }],
      absent: [
        { checkId: 'DEF-CUSTODY-HOLDER', subject: 'OC-0412-2' },
        { checkId: 'DEF-CUSTODY-FRESH', subject: 'BT-0412-3' },
      ],
    },
    change(f) {
      const m = find(f, 'roster.json', 'person', 'm.okonkwo');
      m.validUntil = '2026-10-31';
      const l = find(f, 'roster.json', 'person', 'l.moreau');
      l.validUntil = '2026-10-15';
      rec(f, 'roster.json').push({
        entryId: 'RST-0900',
        person: 'L.Moreau',
        roles: ['key-custodian'],
        validFrom: '2026-10-15',
        validUntil: '2027-01-31',
        status: 'temporary',
        snapshotAt: '2026-11-26',
      });
    },
  },
  {
    slug: '04-sign-outside-ceremony',
    auditEntries: 1500,
    title:
      'A sign with the key by an operator absent from the ceremony log it cites (audit log × ceremony log)',
    planted:
      'Among about 1,500 audit entries of HSM-LUNA-0412, one sign with the key on 19 November cites signing ceremony CER-2026-SIG-023, but its operator f.dubois is not in that ceremony’s log (only e.nakamura operated). Unauthorised signing: stop, whatever else holds. The other ceremony signs and all weekly-change signs are accounted for.',
    expect: {
      outcome: 'stop-and-escalate',
      findings: [{ checkId: 'DEF-AUDIT-SIGN', subject: `${HSM_P}-unplanned` }],
      absent: [],
    },
    change(f) {
      const log = rec(f, 'hsm-audit-0412.json');
      const i = log.findIndex((e) => e.reference === 'CER-2026-SIG-023');
      const e = log[i];
      // Insert a second sign a minute later, renumbering what follows so the sequence stays whole.
      const extra = { ...e, at: iso(at(e.at) + 60_000), operator: 'f.dubois' };
      log.splice(i + 1, 0, extra);
      for (let k = i + 1; k < log.length; k++) {
        log[k].sequence = log[i].sequence + (k - i);
        log[k].entryId = `${HSM_P}-${log[k].sequence}`;
      }
      this.expect.findings[0].subject = extra.entryId;
    },
  },
  {
    slug: '05-certificate-runway',
    title: 'Certificate expires inside the runway margin (certificate inventory × request window)',
    planted:
      'The request window ends 28 February 2027; the key’s valid certificate was reissued with notAfter 15 March 2027, less than the 30-day margin (policy-criterion-unmet). Look-alike: the superseded predecessor of this key expiring in January is not the key’s runway.',
    expect: {
      outcome: 'handoff-with-exceptions',
      findings: [{ checkId: 'DEF-RUNWAY', subject: '4F:A2:19:0C:77:02' }],
      absent: [{ checkId: 'DEF-RUNWAY', subject: '4F:A2:19:0C:77:01' }],
    },
    change(f) {
      const c = find(f, 'certificates.json', 'keyId', KEY);
      c.status = 'superseded';
      c.notAfter = '2027-01-20';
      rec(f, 'certificates.json').push({
        serial: '4F:A2:19:0C:77:02',
        subject: 'CN=Release Signing Intermediate 2024',
        keyId: KEY,
        issuer: 'CN=Example Root CA R3',
        notBefore: '2026-03-15',
        notAfter: '2027-03-15',
        status: 'valid',
      });
    },
  },
  {
    slug: '06-vacant-manager-seat',
    title:
      'The cryptography engineering manager seat is vacant on the as-of date (routing × board membership)',
    planted:
      'j.lindqvist’s term in the cryptography-engineering-manager seat ended 15 November; the successor’s term starts 1 January. The request is routed to the seat, but nobody holds it today: routing-unclear, hold. A past board-reviewer term (SEAT-BR-0) is noise.',
    expect: {
      outcome: 'hold-scope-routing',
      findings: [{ checkId: 'DEF-ROUTING', subject: 'cryptography-engineering-manager' }],
      absent: [{ checkId: 'DEF-ROUTING', subject: 'board-reviewer' }],
    },
    change(f) {
      find(f, 'board-seats.json', 'seatId', 'SEAT-CEM-1').termUntil = '2026-11-15';
      rec(f, 'board-seats.json').push({
        seatId: 'SEAT-CEM-2',
        role: 'cryptography-engineering-manager',
        holder: 'w.zhang',
        termFrom: '2027-01-01',
        termUntil: null,
      });
    },
  },
  {
    slug: '07-prior-deferral-carryover',
    title: 'A renewed prior deferral within the rolling window with a condition still open',
    planted:
      'The key was deferred in September 2025 (PD-2025-088) and renewed in December 2025 (PD-2025-102, renews PD-2025-088); within 730 days of the requested end that is two granted deferrals against a limit of one (policy-criterion-unmet), and the renewal still lists its HSM-attestation-monitoring condition open (carryover), while the first condition is reported met in the renewal. Look-alike: an open condition of another key’s deferral.',
    expect: {
      outcome: 'handoff-with-exceptions',
      findings: [
        { checkId: 'DEF-DEFERRAL-COUNT', subject: KEY },
        { checkId: 'DEF-CARRYOVER', subject: 'PD-2025-088-C2' },
      ],
      absent: [
        { checkId: 'DEF-CARRYOVER', subject: 'PD-2025-088-C1' },
        { checkId: 'DEF-CARRYOVER', subject: 'PD-2026-044-C1' },
      ],
    },
    change(f) {
      rec(f, 'prior-deferrals.json').push(
        {
          deferralId: 'PD-2025-088',
          keyId: KEY,
          decidedAt: '2025-09-02',
          decision: 'granted',
          windowStart: '2025-09-10',
          windowEnd: '2025-12-10',
          renews: null,
          conditions: [
            { conditionId: 'PD-2025-088-C1', text: 'daily key-use audit review', status: 'open' },
            {
              conditionId: 'PD-2025-088-C2',
              text: 'monthly HSM attestation check reported to the board',
              status: 'open',
            },
          ],
        },
        {
          deferralId: 'PD-2025-102',
          keyId: KEY,
          decidedAt: '2025-12-05',
          decision: 'granted',
          windowStart: '2025-12-10',
          windowEnd: '2026-01-31',
          renews: 'PD-2025-088',
          conditions: [
            { conditionId: 'PD-2025-088-C1', text: 'daily key-use audit review', status: 'met' },
            {
              conditionId: 'PD-2025-088-C2',
              text: 'monthly HSM attestation check reported to the board',
              status: 'open',
            },
          ],
        },
      );
    },
  },
  {
    slug: '08-lookalike-resolved-later',
    title:
      'Look-alikes resolved by later records: re-check passed, readiness re-run ready, enrollment settled, notice closed',
    planted:
      'Clean as of the instant, though each source first showed a gap: HSM-LUNA-0412 mismatched on 21 November and passed a re-check on 27 November; the replacement’s dry run was not-ready on 20 November and ready on 26 November; ci-mobile reported enrollment disputed on 15 November and enrolled on 26 November; an unauthorised-signing notice on the key was opened on 22 November and exported again closed as a false positive on 29 November. An audit-log sequence gap on HSM-LUNA-0533 (which does not hold the key) must not matter.',
    expect: {
      outcome: 'handoff-clean',
      findings: [],
      absent: [
        { checkId: 'DEF-HSM-ATTEST', subject: HSM_P },
        { checkId: 'DEF-READINESS', subject: 'CER-ROT-2027-02/quorum dry run' },
        { checkId: 'DEF-BUILD', subject: 'ci-mobile' },
        { checkId: 'DEF-INCIDENT', subject: 'INC-2026-0377' },
      ],
    },
    change(f) {
      f['hsm-attestation-nov.json'] = {
        family: 'hsm-attestation',
        system: 'hsm-admin',
        exportedAt: '2026-11-22T08:00:00.000Z',
        records: [
          {
            attestationId: 'ATT-0412-N1',
            hsmSerial: HSM_P,
            firmwareVersion: '7.8.5-rc2',
            expectedFirmware: '7.8.4',
            result: 'mismatch',
            checkedAt: '2026-11-21T14:00:00.000Z',
            note: '',
          },
        ],
      };
      f['hsm-attestation-recheck.json'] = {
        family: 'hsm-attestation',
        system: 'hsm-admin',
        exportedAt: '2026-11-28T08:00:00.000Z',
        records: [
          {
            attestationId: 'ATT-0412-N2',
            hsmSerial: HSM_P,
            firmwareVersion: '7.8.4',
            expectedFirmware: '7.8.4',
            result: 'pass',
            checkedAt: '2026-11-27T10:00:00.000Z',
            note: 'firmware reflashed from the vendor manifest',
          },
        ],
      };
      rec(f, 'readiness.json').push({
        resultId: 'RDY-0250',
        ceremonyId: 'CER-ROT-2027-02',
        check: 'quorum dry run',
        result: 'not-ready',
        checkedAt: '2026-11-20T10:00:00.000Z',
        participants: [],
      });
      rec(f, 'build-enrollment.json').push({
        enrollmentId: 'BE-0900',
        system: 'ci-mobile',
        keyId: KEY,
        enrollment: 'disputed',
        trustChainDistributed: false,
        verificationFailures: 14,
        reportedAt: '2026-11-15',
      });
      f['incidents-open.json'] = {
        family: 'incident-notice',
        system: 'secops',
        exportedAt: '2026-11-23T02:00:00.000Z',
        records: [
          {
            noticeId: 'INC-2026-0377',
            indicator: 'unauthorised-signing',
            keyId: KEY,
            reportedAt: '2026-11-22',
            status: 'open',
            summary: 'burst of sign operations during release week',
          },
        ],
      };
      f['incidents-closed.json'] = {
        family: 'incident-notice',
        system: 'secops',
        exportedAt: '2026-11-29T02:00:00.000Z',
        records: [
          {
            noticeId: 'INC-2026-0377',
            indicator: 'unauthorised-signing',
            keyId: KEY,
            reportedAt: '2026-11-22',
            status: 'closed-false-positive',
            summary: 'burst matched release change CHG-2026-0425',
          },
        ],
      };
      f['hsm-audit-0533.json'] = {
        family: 'hsm-audit-log',
        system: 'hsm-admin',
        exportedAt: '2026-11-27T06:00:00.000Z',
        records: Array.from({ length: 300 }, (_, i) => ({
          entryId: `HSM-LUNA-0533-${i < 150 ? 7000 + i : 7010 + i}`,
          hsmSerial: 'HSM-LUNA-0533',
          sequence: i < 150 ? 7000 + i : 7010 + i,
          at: iso(at('2026-09-01') + i * 6 * 3600_000),
          event: 'login',
          keyId: null,
          operator: OPERATORS[i % 4],
          result: 'success',
          reference: null,
        })),
      };
    },
  },
  {
    slug: '09-lookalike-handover-temporary-role',
    title:
      'Look-alikes: a token handed over and attested by its new holder, a temporary signer valid on the date, an inspection after a bag replacement',
    planted:
      'BT-0412-2 passed from t.berg to h.tanaka on 1 November and h.tanaka attested it on 3 November; o.hansen covers as key-operator under a temporary roster entry valid 1–28 February, which covers the 10 February ceremony, and is one of the two confirmed operators; escrow medium EM-0412-A was re-bagged (replaced, TEB-512007) on 2 November and inspected intact in the new bag on 4 November. None of these is a gap.',
    expect: {
      outcome: 'handoff-clean',
      findings: [],
      absent: [
        { checkId: 'DEF-CUSTODY-FRESH', subject: 'BT-0412-2' },
        { checkId: 'DEF-CUSTODY-HOLDER', subject: 'BT-0412-2' },
        { checkId: 'DEF-SIGNERS', subject: 'CER-ROT-2027-02/key-operator' },
        { checkId: 'DEF-SEAL', subject: 'EM-0412-A' },
      ],
    },
    change(f) {
      const hold = rec(f, 'custody-registry.json').find((x) => x.itemId === 'BT-0412-2');
      hold.until = '2026-11-01';
      rec(f, 'custody-registry.json').push({
        holdingId: 'HLD-0900',
        itemId: 'BT-0412-2',
        itemKind: 'backup-token',
        holder: 'h.tanaka',
        since: '2026-11-01',
        until: null,
        hsmSerial: HSM_P,
      });
      rec(f, 'custody-attestations.json').push({
        attestationId: 'CA-09000',
        itemId: 'BT-0412-2',
        attestedBy: 'H.Tanaka',
        attestedAt: '2026-11-03',
        result: 'in-possession',
      });
      rec(f, 'roster.json').push({
        entryId: 'RST-0901',
        person: 'o.hansen',
        roles: ['key-operator'],
        validFrom: '2027-02-01',
        validUntil: '2027-02-28',
        status: 'temporary',
        snapshotAt: '2026-11-26',
      });
      const sa = rec(f, 'signer-availability.json');
      f['signer-availability.json'].records = sa.filter(
        (x) => !(x.role === 'key-operator' && x.person !== 'r.iyer'),
      );
      f['signer-availability.json'].records.push({
        confirmationId: 'SA-0902',
        person: 'o.hansen',
        role: 'key-operator',
        ceremonyId: 'CER-ROT-2027-02',
        availableFrom: '2027-02-01',
        availableUntil: '2027-02-28',
        confirmed: true,
        recordedAt: '2026-11-20',
      });
      rec(f, 'media-lifecycle.json').push({
        eventId: 'ML-0010',
        mediaId: 'EM-0412-A',
        event: 'replaced',
        bagSerial: 'TEB-512007',
        at: '2026-11-02',
      });
      rec(f, 'seal-inspections.json').push({
        inspectionId: 'SI-0900',
        mediaId: 'EM-0412-A',
        bagSerial: 'TEB-512007',
        inspector: 'l.moreau',
        at: '2026-11-04',
        result: 'intact',
      });
    },
  },
  {
    slug: '10-seal-replaced-not-reinspected',
    title: 'Escrow medium re-bagged and never inspected in the new bag (media lifecycle × seal inspections)',
    planted:
      'EM-0419-A was re-bagged into TEB-512011 on 12 November; its only recent inspection (8 October) was of the retired bag TEB-448121, so its current seal has no inspection (missing). Each source alone looks fine.',
    expect: {
      outcome: 'hold-source-completion',
      findings: [{ checkId: 'DEF-SEAL', subject: 'EM-0419-A' }],
      absent: [{ checkId: 'DEF-SEAL', subject: 'EM-0412-A' }],
    },
    change(f) {
      rec(f, 'media-lifecycle.json').push({
        eventId: 'ML-0011',
        mediaId: 'EM-0419-A',
        event: 'replaced',
        bagSerial: 'TEB-512011',
        at: '2026-11-12',
      });
    },
  },
  {
    slug: '11-audit-log-gap',
    title: 'Audit log of the DR HSM has a sequence gap',
    planted:
      'Twelve entries (sequences 5200–5211) are missing from the HSM-LUNA-0419 audit export: the log cannot show what the key did then (invalid).',
    expect: {
      outcome: 'hold-source-completion',
      findings: [{ checkId: 'DEF-AUDIT-CHAIN', subject: `${HSM_DR}#5199` }],
      absent: [],
    },
    change(f) {
      f['hsm-audit-0419.json'].records = rec(f, 'hsm-audit-0419.json').filter(
        (e) => e.sequence < 5200 || e.sequence > 5211,
      );
    },
  },
  {
    slug: '12-incident-validity-shortened',
    title: 'An open incident notice: the issuing CA shortened the key’s certificate validity',
    planted:
      'Security operations opened a validity-shortened notice for the key on 29 November (the root CA will cut intermediate lifetimes). Stop and escalate, even though routing is also broken (the request is not routed to the manager seat), because stop outranks every hold.',
    expect: {
      outcome: 'stop-and-escalate',
      findings: [
        { checkId: 'DEF-INCIDENT', subject: 'INC-2026-0391' },
        { checkId: 'DEF-ROUTING', subject: 'cryptography-engineering-manager' },
      ],
      absent: [{ checkId: 'DEF-INCIDENT', subject: 'INC-2026-0350' }],
    },
    change(f) {
      f['incidents-new.json'] = {
        family: 'incident-notice',
        system: 'secops',
        exportedAt: '2026-11-29T10:00:00.000Z',
        records: [],
      };
      rec(f, 'incidents-new.json').push({
        noticeId: 'INC-2026-0391',
        indicator: 'validity-shortened',
        keyId: KEY,
        reportedAt: '2026-11-29',
        status: 'open',
        summary: 'root CA policy change will shorten intermediate validity to 12 months',
      });
      find(f, 'deferral-request.json', 'requestId', REQ).routeTo = ['board-reviewer'];
    },
  },
  {
    slug: '13-org-policy-window-and-signers',
    title:
      'The organisation’s own policy: a 60-day deferral limit, and a signer whose roster term ends before the ceremony',
    planted:
      'This folder carries the organisation’s policy (maxDeferralDays 60); the request postpones the rotation by 75 days (policy-criterion-unmet under this policy, not under the default). s.varga confirmed as custodian but their roster term ends 31 January, before the 10 February ceremony (roster × signer availability), and m.okonkwo never confirmed, leaving two of three custodians (partial).',
    expect: {
      outcome: 'handoff-with-exceptions',
      findings: [
        { checkId: 'DEF-WINDOW', subject: REQ },
        { checkId: 'DEF-SIGNERS', subject: 'CER-ROT-2027-02/key-custodian' },
      ],
      absent: [],
    },
    policy: { maxDeferralDays: 60 },
    change(f) {
      find(f, 'roster.json', 'person', 's.varga').validUntil = '2027-01-31';
      f['signer-availability.json'].records = rec(f, 'signer-availability.json').filter(
        (x) => !(x.person === 'm.okonkwo' && x.ceremonyId === 'CER-ROT-2027-02'),
      );
    },
  },
  {
    slug: '14-scope-unknown-system',
    title: 'Scope names a system no source knows, and the key is missing from its own scope',
    planted:
      'The request scope lists "notary-bridge-legacy" (no key, HSM, signing path or build system by that id) and omits the key itself: scope-unclear, hold for packet-boundary clarification before anything else.',
    expect: {
      outcome: 'hold-scope-routing',
      findings: [
        { checkId: 'DEF-SCOPE', subject: 'notary-bridge-legacy' },
        { checkId: 'DEF-SCOPE', subject: KEY },
      ],
      absent: [{ checkId: 'DEF-SCOPE', subject: 'SP-REL-01' }],
    },
    change(f) {
      find(f, 'deferral-request.json', 'requestId', REQ).scope = [
        'SP-REL-01',
        'SP-REL-02',
        'ci-release',
        'notary-bridge-legacy',
      ];
    },
  },
  {
    slug: '15-sign-by-departed-operator',
    auditEntries: 1000,
    title: 'Weekly-change signs by an operator whose roster entry was revoked (audit log × roster)',
    planted:
      'd.kowalski’s operator entry was revoked on 1 November (roster snapshot), yet the HSM audit log shows signs with the key by d.kowalski after that date under otherwise valid weekly changes: unauthorised signing, stop. Earlier signs by the same operator (while rostered) are not flagged.',
    expect: { outcome: 'stop-and-escalate', findings: [], absent: [], exhaustive: false },
    change(f) {
      const e = find(f, 'roster.json', 'person', 'd.kowalski');
      e.status = 'revoked';
      e.snapshotAt = '2026-11-01';
      const late = rec(f, 'hsm-audit-0412.json').filter(
        (x) =>
          x.event === 'sign' &&
          x.keyId === KEY &&
          x.result === 'success' &&
          x.operator === 'd.kowalski' &&
          at(x.at) >= at('2026-11-01') &&
          x.reference?.startsWith('CHG-'),
      );
      const early = rec(f, 'hsm-audit-0412.json').find(
        (x) =>
          x.event === 'sign' &&
          x.keyId === KEY &&
          x.result === 'success' &&
          x.operator === 'd.kowalski' &&
          at(x.at) < at('2026-10-01'),
      );
      this.expect.findings = late.map((x) => ({ checkId: 'DEF-AUDIT-SIGN', subject: x.entryId }));
      this.expect.absent = [{ checkId: 'DEF-AUDIT-SIGN', subject: early.entryId }];
      delete this.expect.exhaustive;
      // d.kowalski's confirmation for the February ceremony no longer counts: a third operator steps in.
      rec(f, 'signer-availability.json').push({
        confirmationId: 'SA-0903',
        person: 'f.dubois',
        role: 'key-operator',
        ceremonyId: 'CER-ROT-2027-02',
        availableFrom: '2027-02-01',
        availableUntil: '2027-02-28',
        confirmed: true,
        recordedAt: '2026-11-20',
      });
    },
  },
  {
    slug: '16-due-date-understated',
    title:
      'The request defers from a later due date than the inventory and the rotation interval give (request × key inventory × ceremony log)',
    planted:
      'The request states the rotation was due 10 January 2027 and asks for 80 days from then, within the 90-day limit on its own terms. The key inventory schedules the rotation for 15 December 2026 on both HSMs (disputed), and the key-generation ceremony of 15 December 2024 plus the 730-day interval gives the same date (policy-criterion-unmet). Only the join shows the request understates how overdue the key is.',
    expect: {
      outcome: 'hold-source-completion',
      findings: [
        { checkId: 'DEF-ROTATION-DUE', subject: `${KEY}@${HSM_P}` },
        { checkId: 'DEF-ROTATION-DUE', subject: `${KEY}@${HSM_DR}` },
        { checkId: 'DEF-ROTATION-DUE', subject: KEY },
      ],
      absent: [{ checkId: 'DEF-WINDOW', subject: REQ }],
    },
    change(f) {
      const r = find(f, 'deferral-request.json', 'requestId', REQ);
      r.rotationDueAt = '2027-01-10';
      r.windowStart = '2027-01-10';
      r.windowEnd = '2027-03-31';
    },
  },
];

/** Files are written as the repository's prettier would write them, so `prettier --check .` passes. */
const prettierOptions = (await prettier.resolveConfig(join(OUT, 'x.json'))) ?? {};
const write = async (file, value) =>
  writeFileSync(file, await prettier.format(JSON.stringify(value), { ...prettierOptions, parser: 'json' }));

rmSync(OUT, { recursive: true, force: true });
for (const s of SCENARIOS) {
  const files = baseline(s.auditEntries ?? 300);
  s.change(files);
  const dir = join(OUT, s.slug);
  mkdirSync(join(dir, 'sources'), { recursive: true });
  const scenario = {
    workflow: 'deferral',
    title: s.title,
    asOf: AS_OF,
    subject: REQ,
    planted: s.planted,
    expect: s.expect,
  };
  await write(join(dir, 'scenario.json'), scenario);
  for (const [name, env] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)))
    await write(join(dir, 'sources', name), {
      family: env.family,
      system: env.system,
      exportedAt: env.exportedAt,
      records: env.records,
    });
  if (s.policy) {
    mkdirSync(join(dir, 'policy'), { recursive: true });
    await write(join(dir, 'policy', 'deferral-policy.json'), {
      policy: 'deferral',
      version: 2,
      content: { ...DEFAULT_POLICY(), ...s.policy },
    });
  }
}
console.log(`wrote ${SCENARIOS.length} scenarios to ${OUT}`);

function DEFAULT_POLICY() {
  return JSON.parse(
    JSON.stringify({
      rotationIntervalDays: 730,
      maxDeferralDays: 90,
      maxDeferrals: { count: 1, windowDays: 730 },
      certificateRunwayMarginDays: 30,
      freshnessDays: {
        custodyAttestation: 90,
        sealInspection: 180,
        signerAvailability: 30,
        readiness: 14,
        hsmAttestation: 30,
        buildEnrollment: 14,
        keyInventory: 7,
      },
      requiredReviewerSeats: ['board-reviewer', 'cryptography-engineering-manager'],
      custodyRoles: ['key-custodian'],
      handoffExceptionCategories: ['stale', 'partial', 'carryover', 'expired', 'policy-criterion-unmet'],
      nonWaivableChecks: [],
      advisoryChecks: [],
      stopIndicators: [
        'key-compromise',
        'unauthorised-signing',
        'supply-chain-incident',
        'validity-shortened',
      ],
    }),
  );
}
