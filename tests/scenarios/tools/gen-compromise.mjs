#!/usr/bin/env node
/**
 * Writes the source exports of the compromise-authority scenario corpus
 * (tests/scenarios/compromise-authority/NN-slug/sources, and policy/ where a folder has its own matrix)
 * from one seeded, realistic baseline: incident INC-2026-0417 on the production artifact-signing key
 * K-ART-PROD-2025 (desktop agents and internal service packages), held on a primary and a DR HSM among
 * two dozen noise keys; six days of HSM audit log per HSM; two signing services' telemetry; the release
 * catalogue's lineage; custody, impact, disclosure register, emergency roster, runbook options and prior
 * recommendation packets. Each scenario changes the baseline in one or two places (the planted case, or
 * the look-alike that must not move the route).
 *
 * scenario.json files are written by hand (their expectations are reasoned from the rules, not copied
 * from the station's output); this script never touches them.
 *
 *   node tests/scenarios/tools/gen-compromise.mjs        (re-writes every sources/ and policy/ folder)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import * as prettier from 'prettier';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'compromise-authority');
const INC = 'INC-2026-0417';
const KEY = 'K-ART-PROD-2025';
const HSM_P = 'HSM-LUNA-0612';
const HSM_DR = 'HSM-LUNA-0619';
const HSM_OTHER = 'HSM-LUNA-0700';
const EXPOSURE_FROM = '2026-12-01T00:00:00.000Z';
const DECLARED = '2026-12-03T06:00:00.000Z';
/** Every scenario is evaluated as of this instant (12 h into the critical window). */
export const AS_OF = '2026-12-03T18:00:00.000Z';
const MIN = 60_000;
const MATRIX_TITLE = "Example authority matrix (a default only: import the organisation's own)";
const HOUR = 60 * MIN;

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
const at = (s) => Date.parse(s);
const pad = (n, w) => String(n).padStart(w, '0');
const hex = (s) => createHash('sha256').update(s).digest('hex');
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
/** A record's content digest as a prior packet names it: SHA-256 of its canonical JSON (RFC 8785). */
const contentDigest = (content) => sha256(Buffer.from(canonicalize(content), 'utf8'));

const NOISE_KEYS = Array.from({ length: 22 }, (_, i) => `K-SVC-${pad(1100 + i * 7, 4)}`);
const OTHER_PROD_KEY = 'K-DOC-SIGN-2023';
const PEOPLE = ['Arjun Mehta', 'Sofia Berg', 'Kwame Osei', 'Yuki Tanaka', 'Marta Nowak', 'Oren Cohen'];

// ---------------------------------------------------------------------------------------------------
// Baseline configuration; each scenario overrides parts of it.

function baseline() {
  return {
    incident: [
      {
        exportedAt: '2026-12-03T16:00:00.000Z',
        file: 'incident-command.json',
        revision: {},
      },
    ],
    /** Custody evidence of the incident key (besides the noise on other keys). */
    custody: [
      {
        evidenceId: 'CE-0417-01',
        kind: 'residency-check',
        conclusion: 'unconfirmed',
        hsmSerial: HSM_P,
        location: 'DC-FRA-2 cage 14, rack C',
        detail: 'key object present and non-extractable on the primary; DR residency not yet re-read',
        observedBy: 'Arjun Mehta',
        observedAt: '2026-12-03T07:10:00.000Z',
      },
      {
        evidenceId: 'CE-0417-02',
        kind: 'backup-missing',
        conclusion: 'suspected',
        hsmSerial: HSM_DR,
        location: 'escrow safe ES-3, DC-FRA-2',
        detail: 'backup token BT-0612-2 not in its sealed envelope at the 11:00 count',
        observedBy: 'Sofia Berg',
        observedAt: '2026-12-03T11:05:00.000Z',
      },
    ],
    /** Extra audit events (planted), merged into the generated log before sequences are numbered. */
    audit: { [HSM_P]: [], [HSM_DR]: [] },
    /** Audit sequence numbers to drop (a gap), per HSM. */
    auditDrop: { [HSM_P]: [], [HSM_DR]: [] },
    /** In-window signatures of internal service packages (pkg-signer), each traced. */
    pkgInWindow: 40,
    /** In-window desktop-agent builds (agent-signer), each traced unless `traced: false`. */
    agentInWindow: [{ count: 6, audience: 'internal', channel: 'dogfood-ring', status: 'published' }],
    /** Extra lineage versions exported later (withdrawals), by lineage id. */
    lineageLater: [],
    impact: [
      {
        estimateId: 'CI-DA-2026-12-03',
        product: 'desktop-agent',
        customersLow: 1240,
        customersHigh: 1850,
        contractualSla: true,
        supportObligation: 'enterprise tier: 4 h response on security advisories',
        basis: 'auto-update check-ins over the last 30 days, de-duplicated by tenant',
        estimatedAt: '2026-12-03T10:30:00.000Z',
      },
    ],
    register: [regEntry('REG-0417-SVC', 'svc-packages', {}), regEntry('REG-0417-DA', 'desktop-agent', {})],
    registerEarlier: [],
    delegations: [
      {
        recordId: 'ED-2026-0288',
        laneId: 'legal-trust-office',
        kind: 'unavailability',
        from: 'Marcus Bell',
        to: null,
        decisions: [],
        validFrom: '2026-11-16T00:00:00.000Z',
        validUntil: '2026-11-23T00:00:00.000Z',
        revokes: null,
        grantedBy: 'Ines Carvalho',
        recordedAt: '2026-11-15T09:12:00.000Z',
      },
    ],
    options: defaultOptions(),
    priors: [],
    policy: null,
  };
}

function regEntry(entryId, product, o) {
  return {
    entryId,
    product,
    obligation: 'none',
    deadlineAt: null,
    constraint: 'none',
    constraintText: '',
    counterparty: '',
    status: 'open',
    recordedAt: '2026-12-03T12:40:00.000Z',
    ...o,
  };
}

function option(optionId, title, decisions, effects, o = {}) {
  return {
    optionId,
    runbookId: o.runbookId ?? 'RB-SIGNKEY-COMPROMISE',
    title,
    keyIds: o.keyIds ?? [KEY],
    decisions,
    effects: effects.map(([effect, scope, reversibility, note]) => ({ effect, scope, reversibility, note })),
    status: o.status ?? 'approved',
    reviewedAt: o.reviewedAt ?? '2026-10-14T09:00:00.000Z',
  };
}

function defaultOptions() {
  return [
    option(
      'OPT-SK-01',
      'Disable the key for new signatures on both HSMs',
      ['limited-revocation'],
      [
        [
          'key-revocation',
          'internal',
          'partly-reversible',
          'the key object stays; re-enabled only by a ceremony',
        ],
      ],
    ),
    option(
      'OPT-SK-02',
      'Freeze releases signed by the key',
      ['release-freeze'],
      [['release-freeze', 'internal', 'reversible', 'lifted by the release manager']],
    ),
    option(
      'OPT-SK-03',
      'Invalidate internal service packages signed since the exposure began',
      ['internal-invalidation', 'release-freeze'],
      [
        [
          'artifact-invalidation',
          'internal',
          'partly-reversible',
          're-signing under the new key restores them',
        ],
        ['release-freeze', 'internal', 'reversible', 'for the duration of the re-signing'],
      ],
    ),
    option(
      'OPT-SK-04',
      'Invalidate desktop-agent builds in the field and re-pin customer trust anchors',
      ['broad-invalidation', 'customer-trust-review'],
      [
        [
          'artifact-invalidation',
          'external',
          'irreversible',
          'revoked builds stop updating and must be reinstalled',
        ],
        ['key-rotation', 'external', 'partly-reversible', 'old pin kept as a fallback for 30 days'],
      ],
    ),
    option(
      'OPT-SK-05',
      'Notify contract customers and the regulator with approved wording',
      ['customer-notification', 'contractual-disclosure'],
      [['customer-notification', 'external', 'irreversible', 'a notice sent cannot be recalled']],
    ),
    // Look-alikes: a draft, a retired option, one for another key.
    option(
      'OPT-SK-06',
      'Rotate to the standby key without revocation',
      ['release-freeze'],
      [['key-rotation', 'internal', 'reversible', 'standby key already enrolled']],
      { status: 'draft' },
    ),
    option(
      'OPT-SK-07',
      'Recall escrowed backups (old runbook)',
      ['limited-revocation'],
      [['key-revocation', 'internal', 'reversible', 'superseded by OPT-SK-01']],
      { status: 'retired', reviewedAt: '2025-03-02T09:00:00.000Z' },
    ),
    option(
      'OPT-DS-01',
      'Revoke the documentation signing key',
      ['limited-revocation'],
      [['key-revocation', 'internal', 'irreversible', '']],
      { keyIds: [OTHER_PROD_KEY], runbookId: 'RB-DOCSIGN' },
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Generation.

function envelope(family, system, exportedAt, records) {
  return { family, system, exportedAt, records };
}

function incidents(cfg) {
  const base = {
    incidentId: INC,
    title: 'Production artifact-signing key may have left the HSM boundary',
    severity: 'sev1',
    status: 'declared',
    declaredBy: 'Elena Vasquez',
    declaredAt: DECLARED,
    keyIds: [KEY],
    exposureFrom: EXPOSURE_FROM,
    scopeNote:
      'backup token BT-0612-2 unaccounted for; desktop agents and internal service packages signed by the key',
  };
  const noise = [
    {
      incidentId: 'INC-2026-0388',
      title: 'Build cache poisoning attempt on a CI runner',
      severity: 'sev3',
      status: 'closed',
      declaredBy: 'Oren Cohen',
      declaredAt: '2026-11-02T14:20:00.000Z',
      keyIds: [NOISE_KEYS[3]],
      exposureFrom: '2026-11-01T00:00:00.000Z',
      scopeNote: '',
    },
    {
      incidentId: 'INC-2026-0402',
      title: 'Documentation signing key used from an unexpected client',
      severity: 'sev2',
      status: 'contained',
      declaredBy: 'Elena Vasquez',
      declaredAt: '2026-11-24T10:00:00.000Z',
      keyIds: [OTHER_PROD_KEY],
      exposureFrom: '2026-11-20T00:00:00.000Z',
      scopeNote: 'contained: client certificate revoked',
    },
  ];
  return cfg.incident.map((x) => ({
    file: x.file,
    body: envelope('incident-scope', 'incident-command', x.exportedAt, [
      ...noise,
      { ...base, ...x.revision },
    ]),
  }));
}

function inventory() {
  const r = rng(11);
  const recs = [
    [
      KEY,
      HSM_P,
      'artifact-signing-prod-2025',
      'production artifact signing (desktop agents, service packages)',
    ],
    [KEY, HSM_DR, 'artifact-signing-prod-2025', 'production artifact signing (DR copy)'],
    [OTHER_PROD_KEY, HSM_P, 'doc-signing-2023', 'documentation bundle signing'],
    ...NOISE_KEYS.map((k, i) => [
      k,
      i % 3 === 0 ? HSM_OTHER : i % 2 ? HSM_P : HSM_DR,
      `svc-${i}`,
      'service signing',
    ]),
  ].map(([keyId, hsmSerial, label, purpose], i) => ({
    entryId: `INV-${pad(i + 1, 4)}`,
    keyId,
    label,
    hsmSerial,
    residency: r() < 0.1 && keyId.startsWith('K-SVC') ? 'software' : 'hsm-resident',
    production: keyId === KEY || keyId === OTHER_PROD_KEY || r() < 0.5,
    purpose,
    rotationDueAt: keyId === KEY ? '2027-06-30T00:00:00.000Z' : '2027-03-31T00:00:00.000Z',
    observedAt: '2026-12-03T05:00:00.000Z',
  }));
  return envelope('hsm-key-inventory', 'hsm-admin', '2026-12-03T05:30:00.000Z', recs);
}

/** Six days of audit log per HSM, an entry every 10–30 minutes, sequences unbroken unless dropped. */
function auditLog(cfg, hsm, seed, startSeq) {
  const r = rng(seed);
  const from = at('2026-11-28T00:00:00.000Z');
  const to = at('2026-12-03T15:00:00.000Z');
  const keysHere =
    hsm === HSM_P
      ? [KEY, OTHER_PROD_KEY, ...NOISE_KEYS.filter((_, i) => i % 2 && i % 3)]
      : [KEY, ...NOISE_KEYS.filter((_, i) => !(i % 2) && i % 3)];
  const events = [];
  for (let t = from + Math.floor(r() * 20 * MIN); t < to; t += (10 + Math.floor(r() * 20)) * MIN) {
    const x = r();
    if (hsm === HSM_P && x < 0.55) {
      const keyId = r() < 0.35 ? KEY : pick(r, keysHere.slice(1));
      events.push({
        at: t,
        event: 'sign',
        keyId,
        operator: keyId === KEY ? 'svc-pkg-signer' : 'svc-build',
        result: 'success',
      });
    } else if (x < 0.7)
      events.push({ at: t, event: 'login', keyId: null, operator: pick(r, PEOPLE), result: 'success' });
    else if (x < 0.74)
      events.push({
        at: t,
        event: 'login-failed',
        keyId: null,
        operator: pick(r, PEOPLE),
        result: 'failure',
      });
    else if (x < 0.8 && hsm === HSM_DR)
      events.push({
        at: t,
        event: 'sign',
        keyId: pick(r, keysHere.slice(1)),
        operator: 'svc-build',
        result: 'success',
      });
    else events.push({ at: t, event: 'other', keyId: null, operator: null, result: 'success' });
  }
  // Look-alikes in every scenario: holders who log in, and one who signs with another key.
  events.push({
    at: at('2026-12-02T09:14:00.000Z'),
    event: 'login',
    keyId: null,
    operator: 'Priya Raman',
    result: 'success',
  });
  events.push({
    at: at('2026-12-03T06:41:00.000Z'),
    event: 'login',
    keyId: null,
    operator: 'Tomasz Wójcik',
    result: 'success',
  });
  if (hsm === HSM_P)
    events.push({
      at: at('2026-12-02T09:20:00.000Z'),
      event: 'sign',
      keyId: OTHER_PROD_KEY,
      operator: 'Priya Raman',
      result: 'success',
      reference: 'CHG-2026-1187',
    });
  for (const e of cfg.audit[hsm]) events.push({ ...e, at: at(e.at) });
  events.sort((a, b) => a.at - b.at);
  const recs = [];
  events.forEach((e, i) => {
    const sequence = startSeq + i;
    if (cfg.auditDrop[hsm].includes(sequence)) return;
    recs.push({
      entryId: `${hsm}-${sequence}`,
      hsmSerial: hsm,
      sequence,
      at: iso(e.at),
      event: e.event,
      keyId: e.keyId,
      operator: e.operator,
      result: e.result,
      reference: e.reference ?? null,
    });
  });
  return envelope('hsm-audit-log', 'hsm-admin', '2026-12-03T15:30:00.000Z', recs);
}

function custody(cfg) {
  const noise = [
    ['CE-0402-01', OTHER_PROD_KEY, 'forensic-finding', 'ruled-out', '2026-11-26T16:00:00.000Z'],
    ['CE-0402-02', OTHER_PROD_KEY, 'residency-check', 'ruled-out', '2026-11-25T08:00:00.000Z'],
    ['CE-2611-07', NOISE_KEYS[2], 'backup-accounted', 'ruled-out', '2026-11-30T10:00:00.000Z'],
  ].map(([evidenceId, keyId, kind, conclusion, observedAt]) => ({
    evidenceId,
    keyId,
    hsmSerial: HSM_P,
    kind,
    conclusion,
    location: 'DC-FRA-2',
    detail: '',
    observedBy: 'Yuki Tanaka',
    observedAt,
  }));
  const mine = cfg.custody.map((e) => ({ keyId: KEY, hsmSerial: null, detail: '', ...e }));
  return envelope('custody-evidence', 'custody-registry', '2026-12-03T16:10:00.000Z', [...noise, ...mine]);
}

const digestOf = (tag) => hex(`artifact:${tag}`);

/**
 * Telemetry of the two signing services and the release catalogue's lineage of what they signed.
 * pkg-signer signs internal service packages with the incident key and noise keys; agent-signer signs
 * desktop-agent builds with the incident key only. Before the window both signed traced artifacts too
 * (including desktop-agent releases shipped to customers, which lie outside the window).
 */
function signing(cfg) {
  const r = rng(23);
  const w0 = at(EXPOSURE_FROM);
  const tel = { 'pkg-signer': [], 'agent-signer': [] };
  const lin = [];
  const withdrawLater = new Set();
  const addLineage = (digest, o) =>
    lin.push({
      lineageId: `LIN-${pad(lin.length + 40001, 6)}`,
      artifactDigest: digest,
      artifactName: o.artifactName,
      product: o.product,
      signedByKeyId: o.keyId,
      signedAt: iso(o.signedAt),
      publishedAt: iso(o.publishedAt),
      channel: o.channel,
      audience: o.audience,
      status: o.status,
    });

  // pkg-signer: 3 days before the window and the window itself.
  const pkg = [];
  for (let i = 0; i < 90; i++)
    pkg.push({
      t: at('2026-11-28T00:00:00.000Z') + Math.floor(r() * 72 * HOUR) - 1,
      key: i % 3 === 0 ? KEY : pick(r, NOISE_KEYS),
    });
  for (let i = 0; i < cfg.pkgInWindow; i++)
    pkg.push({ t: w0 + 30 * MIN + Math.floor(r() * 60 * HOUR), key: KEY });
  for (let i = 0; i < 80; i++) pkg.push({ t: w0 + Math.floor(r() * 63 * HOUR), key: pick(r, NOISE_KEYS) });
  pkg.sort((a, b) => a.t - b.t);
  pkg.forEach((p, i) => {
    const seq = 88410 + i;
    const name = `svc-${pick(r, ['billing', 'ledger', 'auth', 'search', 'notify', 'gateway'])}-${pad(seq, 6)}.deb`;
    const digest = digestOf(`pkg-${seq}`);
    tel['pkg-signer'].push({
      eventId: `PKG-${seq}`,
      keyId: p.key,
      service: 'pkg-signer',
      serviceSequence: seq,
      signedAt: iso(p.t),
      origin: 'pipeline',
      anomaly: 'none',
      artifactDigest: digest,
      clientId: pick(r, ['ci-runner-03', 'ci-runner-07', 'ci-runner-11']),
    });
    addLineage(digest, {
      artifactName: name,
      product: p.key === KEY ? 'svc-packages' : 'platform-internal',
      keyId: p.key,
      signedAt: p.t,
      publishedAt: p.t + 20 * MIN,
      channel: 'apt-internal',
      audience: 'internal',
      status: 'published',
    });
  });

  // agent-signer: customer releases before the window (look-alike: shipped, but outside it).
  const agent = [];
  for (let i = 0; i < 8; i++)
    agent.push({
      t: at('2026-11-20T10:00:00.000Z') + i * 23 * HOUR,
      kind: { audience: 'external-customer', channel: 'stable-auto-update', status: 'published' },
      traced: true,
    });
  cfg.agentInWindow.forEach((g) => {
    for (let i = 0; i < g.count; i++)
      agent.push({ t: w0 + 45 * MIN + Math.floor(r() * 58 * HOUR), kind: g, traced: g.traced !== false });
  });
  agent.sort((a, b) => a.t - b.t);
  agent.forEach((a, i) => {
    const seq = 5120 + i;
    const version = `5.${a.t < w0 ? 3 : 4}.${seq - 5000}`;
    const platform = pick(r, ['win-x64', 'win-arm64', 'macos-universal', 'linux-x64', 'linux-arm64']);
    const untracedNull = !a.traced && a.kind.nullDigest;
    const digest = untracedNull ? null : digestOf(`agent-${seq}-${platform}`);
    tel['agent-signer'].push({
      eventId: `AGT-${seq}`,
      keyId: KEY,
      service: 'agent-signer',
      serviceSequence: seq,
      signedAt: iso(a.t),
      origin: a.kind.origin ?? 'pipeline',
      anomaly: a.kind.anomaly ?? 'none',
      artifactDigest: digest,
      clientId: a.kind.clientId ?? 'agent-release-pipeline',
    });
    if (a.traced && a.kind.withdrawLater) withdrawLater.add(`LIN-${pad(lin.length + 40001, 6)}`);
    if (a.traced)
      addLineage(digest, {
        artifactName: `desktop-agent-${version}-${platform}.pkg`,
        product: 'desktop-agent',
        keyId: KEY,
        signedAt: a.t,
        publishedAt: a.t + 35 * MIN,
        channel: a.kind.channel,
        audience: a.kind.audience,
        status: a.kind.status,
      });
  });
  // Lineage of other keys' artifacts, shipped to the public (noise).
  for (let i = 0; i < 12; i++) {
    const t = w0 + i * 5 * HOUR;
    addLineage(digestOf(`doc-${i}`), {
      artifactName: `docs-bundle-2026.12.${i}.tar.zst`,
      product: 'docs-portal',
      keyId: OTHER_PROD_KEY,
      signedAt: t,
      publishedAt: t + HOUR,
      channel: 'public-cdn',
      audience: 'public',
      status: 'published',
    });
  }
  return { tel, lin, withdrawLater };
}

function impact(cfg) {
  const noise = [
    {
      estimateId: 'CI-DP-2026-11-24',
      product: 'docs-portal',
      customersLow: 0,
      customersHigh: 0,
      contractualSla: false,
      supportObligation: '',
      basis: 'documentation only; no installed base',
      estimatedAt: '2026-11-24T12:00:00.000Z',
    },
  ];
  return envelope('customer-impact', 'customer-success', '2026-12-03T11:00:00.000Z', [
    ...noise,
    ...cfg.impact,
  ]);
}

function registerNoise() {
  // Look-alike in every scenario: an open contractual notice and a legal hold for a product the key
  // never signed.
  return [
    regEntry('REG-0402-DOCS', 'docs-portal', {
      obligation: 'contractual-notice',
      deadlineAt: '2026-12-04T10:00:00.000Z',
      constraint: 'legal-hold',
      constraintText: 'litigation hold LH-2026-14: no statements about documentation signing',
      counterparty: 'Fabrikam GmbH',
      recordedAt: '2026-11-24T15:00:00.000Z',
    }),
  ];
}

function delegations(cfg) {
  return envelope('emergency-delegation', 'incident-roster', '2026-12-03T16:20:00.000Z', cfg.delegations);
}

function options(cfg) {
  return envelope('runbook-option', 'runbooks', '2026-11-30T08:00:00.000Z', cfg.options);
}

// ---------------------------------------------------------------------------------------------------
// Scenarios.

const extAgent = (count, o = {}) => ({
  count,
  audience: 'external-customer',
  channel: 'stable-auto-update',
  status: 'published',
  ...o,
});
const dogfood = { count: 6, audience: 'internal', channel: 'dogfood-ring', status: 'published' };
const unavailable = (recordId, laneId, from, validFrom, validUntil, o = {}) => ({
  recordId,
  laneId,
  kind: 'unavailability',
  from,
  to: null,
  decisions: [],
  validFrom,
  validUntil,
  revokes: null,
  grantedBy: from,
  recordedAt: validFrom,
  ...o,
});
const delegate = (recordId, laneId, from, to, decisions, validFrom, validUntil, o = {}) => ({
  recordId,
  laneId,
  kind: 'delegation',
  from,
  to,
  decisions,
  validFrom,
  validUntil,
  revokes: null,
  grantedBy: from,
  recordedAt: validFrom,
  ...o,
});

/** The records a prior packet rested on, as they stood (their content digests). */
function basisOf(entries) {
  return entries.map(([family, system, recordId, content]) => ({
    family,
    system,
    recordId,
    digest: contentDigest(content),
  }));
}

const SCENARIOS = {
  '01-internal-packages-suspected': (c) => {
    // Look-alike: a prior packet whose basis records all stand unchanged (not stale).
    c.priors = [
      {
        packetRef: 'PKT-0417-v1',
        incidentId: INC,
        version: 1,
        recommendedLane: 'platform-security-command',
        matrixVersion: MATRIX_TITLE,
        basisFrom: [
          ['custody-evidence', 'custody-registry', 'CE-0417-01', { keyId: KEY, ...c.custody[0] }],
          ['disclosure-register', 'legal-register', 'REG-0417-SVC', c.register[0]],
        ],
        issuedBy: 'Elena Vasquez',
        issuedAt: '2026-12-03T13:00:00.000Z',
      },
    ];
  },
  '02-desktop-agents-external-600': (c) => {
    c.agentInWindow = [dogfood, extAgent(554)];
  },
  '03-contractual-notice-60h': (c) => {
    const before = regEntry('REG-0417-SVC', 'svc-packages', { recordedAt: '2026-12-03T08:00:00.000Z' });
    c.registerEarlier = [before];
    c.register = [
      regEntry('REG-0417-SVC', 'svc-packages', {
        obligation: 'contractual-notice',
        deadlineAt: '2026-12-06T06:00:00.000Z',
        counterparty: 'Contoso Hosting (MSA §14.3)',
        constraintText: '',
        recordedAt: '2026-12-03T14:10:00.000Z',
      }),
      regEntry('REG-0417-DA', 'desktop-agent', {}),
    ];
    c.priors = [
      {
        packetRef: 'PKT-0417-v1',
        incidentId: INC,
        version: 1,
        recommendedLane: 'platform-security-command',
        matrixVersion: MATRIX_TITLE,
        basisFrom: [['disclosure-register', 'legal-register', 'REG-0417-SVC', before]],
        issuedBy: 'Elena Vasquez',
        issuedAt: '2026-12-03T09:00:00.000Z',
      },
    ];
  },
  '04-confirmed-2400-external': (c) => {
    c.agentInWindow = [dogfood, extAgent(2354)];
    c.custody = [
      ...c.custody,
      {
        evidenceId: 'CE-0417-03',
        kind: 'forensic-finding',
        conclusion: 'confirmed',
        hsmSerial: null,
        location: 'build host bld-14 /var/tmp/.cache',
        detail: 'wrapped copy of the key found with the unwrap secret beside it',
        observedBy: 'Kwame Osei',
        observedAt: '2026-12-03T15:20:00.000Z',
      },
    ];
  },
  '05-regulatory-notice-internal': (c) => {
    c.register = [
      regEntry('REG-0417-SVC', 'svc-packages', {
        obligation: 'regulatory-notice',
        deadlineAt: '2026-12-05T06:00:00.000Z',
        counterparty: 'BSI (NIS2 early warning)',
        recordedAt: '2026-12-03T13:30:00.000Z',
      }),
      regEntry('REG-0417-DA', 'desktop-agent', {}),
    ];
    c.priors = [
      {
        packetRef: 'PKT-0417-v1',
        incidentId: INC,
        version: 1,
        recommendedLane: 'platform-security-command',
        matrixVersion: 'Example authority matrix 2025-r4',
        basisFrom: 'incident',
        issuedBy: 'Elena Vasquez',
        issuedAt: '2026-12-03T07:00:00.000Z',
      },
    ];
  },
  '06-external-under-legal-hold': (c) => {
    c.agentInWindow = [dogfood, extAgent(30, { audience: 'partner', channel: 'oem-partner-feed' })];
    c.register = [
      regEntry('REG-0417-SVC', 'svc-packages', {}),
      regEntry('REG-0417-DA', 'desktop-agent', {
        obligation: 'public-advisory',
        constraint: 'legal-hold',
        constraintText:
          'litigation hold LH-2026-19 (partner dispute): statements through outside counsel only',
        counterparty: 'OEM partner',
        recordedAt: '2026-12-03T13:00:00.000Z',
      }),
    ];
  },
  '07-untraced-signatures': (c) => {
    c.agentInWindow = [
      dogfood,
      {
        count: 9,
        traced: false,
        audience: 'internal',
        channel: '-',
        status: 'published',
        clientId: 'agent-nightly',
      },
      {
        count: 3,
        traced: false,
        nullDigest: true,
        origin: 'manual',
        anomaly: 'unknown-client',
        clientId: 'ws-unknown-4471',
        audience: 'internal',
        channel: '-',
        status: 'published',
      },
    ];
  },
  '08-delegation-unconfirmed': (c) => {
    c.agentInWindow = [dogfood, extAgent(120)];
    c.custody = c.custody.map((e) => ({ ...e, conclusion: 'unconfirmed', detail: 'count in progress' }));
    c.delegations.push(
      unavailable(
        'ED-2026-0311',
        'executive-cyber-command',
        'Daniel Mercer',
        '2026-12-03T07:00:00.000Z',
        '2026-12-05T07:00:00.000Z',
      ),
      delegate(
        'ED-2026-0312',
        'executive-cyber-command',
        'Daniel Mercer',
        'Hannah Lindqvist',
        ['limited-revocation', 'release-freeze', 'customer-trust-review'],
        '2026-12-03T07:00:00.000Z',
        '2026-12-05T07:00:00.000Z',
      ),
    );
  },
  '09-delegation-suspected-cover': (c) => {
    c.agentInWindow = [dogfood, extAgent(120)];
    c.delegations.push(
      unavailable(
        'ED-2026-0311',
        'executive-cyber-command',
        'Daniel Mercer',
        '2026-12-03T07:00:00.000Z',
        '2026-12-05T07:00:00.000Z',
      ),
      delegate(
        'ED-2026-0312',
        'executive-cyber-command',
        'Daniel Mercer',
        'Hannah Lindqvist',
        ['limited-revocation', 'release-freeze', 'customer-trust-review'],
        '2026-12-03T07:00:00.000Z',
        '2026-12-05T07:00:00.000Z',
      ),
    );
  },
  '10-delegation-too-long-no-invocation': (c) => {
    c.agentInWindow = [dogfood, extAgent(120)];
    // The roster spells him in lower case: still Daniel Mercer (people match case-folded).
    c.delegations.push(
      unavailable(
        'ED-2026-0311',
        'executive-cyber-command',
        'daniel mercer',
        '2026-12-03T07:00:00.000Z',
        '2026-12-08T07:00:00.000Z',
      ),
      delegate(
        'ED-2026-0312',
        'executive-cyber-command',
        'Daniel Mercer',
        'Hannah Lindqvist',
        ['limited-revocation', 'release-freeze', 'customer-trust-review'],
        '2026-12-03T07:00:00.000Z',
        '2026-12-08T07:00:00.000Z',
      ),
    );
  },
  '11-succession-invoked': (c) => {
    c.agentInWindow = [dogfood, extAgent(120)];
    c.delegations.push(
      unavailable(
        'ED-2026-0311',
        'executive-cyber-command',
        'Daniel Mercer',
        '2026-12-03T07:00:00.000Z',
        '2026-12-08T07:00:00.000Z',
      ),
      {
        recordId: 'ED-2026-0315',
        laneId: 'executive-cyber-command',
        kind: 'succession-invoked',
        from: 'Daniel Mercer',
        to: 'Hannah Lindqvist',
        decisions: [],
        validFrom: '2026-12-03T08:30:00.000Z',
        validUntil: null,
        revokes: null,
        grantedBy: 'Elena Vasquez',
        recordedAt: '2026-12-03T08:30:00.000Z',
      },
    );
  },
  '12-holder-recused-export': (c) => {
    c.audit[HSM_DR] = [
      {
        at: '2026-12-01T22:47:00.000Z',
        event: 'key-export',
        keyId: KEY,
        operator: 'Priya Raman',
        result: 'success',
        reference: 'CHG-2026-1203',
      },
    ];
  },
  '16-lookalike-denied-and-other-key-export': (c) => {
    c.custody = c.custody.map((e) => ({ ...e, conclusion: 'unconfirmed', detail: 'count in progress' }));
    c.audit[HSM_P] = [
      {
        at: '2026-12-02T03:12:00.000Z',
        event: 'key-export',
        keyId: KEY,
        operator: 'Daniel Mercer',
        result: 'denied',
        reference: null,
      },
      {
        at: '2026-12-02T11:05:00.000Z',
        event: 'key-export',
        keyId: OTHER_PROD_KEY,
        operator: 'Priya Raman',
        result: 'success',
        reference: 'CHG-2026-1190',
      },
    ];
  },
  '17-lookalike-partner-mirror-withdrawn': (c) => {
    c.agentInWindow = [
      dogfood,
      { count: 14, audience: 'internal', channel: 'partner-mirror', status: 'published' },
      { count: 4, audience: 'external-customer', channel: 'stable-auto-update', status: 'staged' },
      {
        count: 1,
        audience: 'external-customer',
        channel: 'stable-auto-update',
        status: 'published',
        withdrawLater: true,
      },
    ];
  },
  '18-lookalike-expired-revoked-delegations': (c) => {
    c.delegations.push(
      delegate(
        'ED-2026-0290',
        'platform-security-command',
        'Priya Raman',
        'Lena Fischer',
        ['release-freeze'],
        '2026-12-01T00:00:00.000Z',
        '2026-12-02T12:00:00.000Z',
      ),
      delegate(
        'ED-2026-0291',
        'legal-trust-office',
        'Ines Carvalho',
        'Marcus Bell',
        ['customer-notification'],
        '2026-11-20T00:00:00.000Z',
        '2026-11-25T00:00:00.000Z',
      ),
      unavailable(
        'ED-2026-0301',
        'executive-cyber-command',
        'Daniel Mercer',
        '2026-12-02T18:00:00.000Z',
        '2026-12-03T08:00:00.000Z',
      ),
      delegate(
        'ED-2026-0302',
        'executive-cyber-command',
        'Daniel Mercer',
        'Hannah Lindqvist',
        ['limited-revocation', 'release-freeze'],
        '2026-12-03T06:00:00.000Z',
        '2026-12-04T18:00:00.000Z',
      ),
      {
        recordId: 'ED-2026-0305',
        laneId: 'executive-cyber-command',
        kind: 'revocation',
        from: 'Daniel Mercer',
        to: null,
        decisions: [],
        validFrom: '2026-12-03T09:00:00.000Z',
        validUntil: null,
        revokes: 'ED-2026-0302',
        grantedBy: 'Daniel Mercer',
        recordedAt: '2026-12-03T09:00:00.000Z',
      },
    );
  },
  '19-lookalike-notices-met-withdrawn': (c) => {
    c.register = [
      regEntry('REG-0417-SVC', 'svc-packages', {
        obligation: 'contractual-notice',
        deadlineAt: '2026-12-03T12:00:00.000Z',
        counterparty: 'Contoso Hosting (MSA §14.3)',
        status: 'met',
        recordedAt: '2026-12-03T11:45:00.000Z',
      }),
      regEntry('REG-0417-SVC-2', 'svc-packages', {
        obligation: 'regulatory-notice',
        counterparty: 'BSI',
        status: 'withdrawn',
        recordedAt: '2026-12-03T12:30:00.000Z',
      }),
      regEntry('REG-0417-DA', 'desktop-agent', {
        constraint: 'legal-hold',
        constraintText: 'hold lifted 2 Dec',
        status: 'withdrawn',
        recordedAt: '2026-12-03T09:00:00.000Z',
      }),
    ];
  },
  '20-scope-downgraded': (c) => {
    c.incident.push({
      exportedAt: '2026-12-03T17:10:00.000Z',
      file: 'incident-command-revision.json',
      revision: {
        severity: 'sev3',
        status: 'downgraded',
        scopeNote: 'BT-0612-2 found in the wrong envelope; forensics rules out extraction',
      },
    });
    c.custody = [
      ...c.custody,
      {
        evidenceId: 'CE-0417-04',
        kind: 'forensic-finding',
        conclusion: 'ruled-out',
        hsmSerial: HSM_DR,
        location: 'escrow safe ES-3, DC-FRA-2',
        detail: 'token serial matches; tamper seal intact under inspection',
        observedBy: 'Kwame Osei',
        observedAt: '2026-12-03T16:30:00.000Z',
      },
    ];
  },
  '21-legal-trust-vacant-legal-hold': (c) => {
    SCENARIOS['06-external-under-legal-hold'](c);
    c.delegations.push(
      unavailable(
        'ED-2026-0320',
        'legal-trust-office',
        'Ines Carvalho',
        '2026-12-02T00:00:00.000Z',
        '2026-12-06T00:00:00.000Z',
      ),
      unavailable(
        'ED-2026-0321',
        'legal-trust-office',
        'Marcus Bell',
        '2026-12-03T12:00:00.000Z',
        '2026-12-04T12:00:00.000Z',
      ),
    );
  },
  '22-only-irreversible-options': (c) => {
    c.options = [
      option(
        'OPT-SK-11',
        'Destroy the key on both HSMs',
        ['limited-revocation'],
        [
          [
            'key-revocation',
            'all',
            'irreversible',
            'the key object is zeroised; nothing it signed verifies after the CRL update',
          ],
        ],
      ),
      option(
        'OPT-SK-12',
        'Invalidate internal packages and purge the mirrors',
        ['internal-invalidation', 'release-freeze'],
        [
          ['artifact-invalidation', 'internal', 'irreversible', ''],
          ['release-freeze', 'internal', 'reversible', 'lifted by the release manager'],
        ],
      ),
      option(
        'OPT-SK-13',
        'Recall escrowed backups for re-sealing',
        ['escrow-recall'],
        [['key-revocation', 'internal', 'reversible', 'backups return to the safe after inspection']],
      ),
      option(
        'OPT-SK-14',
        'Invalidate desktop-agent builds in the field',
        ['broad-invalidation'],
        [['artifact-invalidation', 'external', 'partly-reversible', 're-signed builds are re-published']],
      ),
    ];
  },
  '23-org-two-lane-matrix': (c) => {
    SCENARIOS['02-desktop-agents-external-600'](c);
    c.policy = orgMatrix();
  },
};

function orgMatrix() {
  const d = (id, title) => ({ id, title });
  return {
    policy: 'authority-matrix',
    version: 1,
    content: {
      matrix: 'Northwind authority matrix 2026-r2',
      decisions: [
        d('limited-revocation', 'Revoke the key for a bounded scope'),
        d('release-freeze', 'Freeze releases'),
        d('internal-invalidation', 'Invalidate internal artifacts'),
        d('broad-invalidation', 'Invalidate shipped artifacts'),
        d('customer-trust-review', 'Review customer trust anchors'),
        d('customer-notification', 'Notify customers'),
        d('contractual-disclosure', 'Contractual and regulatory disclosure'),
      ],
      lanes: [
        {
          laneId: 'security-incident-command',
          title: 'Security incident command',
          rank: 1,
          triggers: [
            {
              id: 'SIC-T1',
              title: 'A sev1 or sev2 incident',
              when: [{ op: 'one-of', fact: 'severity', values: ['sev1', 'sev2'] }],
            },
          ],
          assumeUntriggered: false,
          limits: [
            {
              id: 'SIC-L1',
              title: '5000 or more customers affected',
              when: [{ op: 'at-least', fact: 'customersAffected', value: 5000 }],
            },
            {
              id: 'SIC-L2',
              title: 'A legal hold applies',
              when: [{ op: 'is', fact: 'legalHold', value: true }],
            },
          ],
          decides: [
            'limited-revocation',
            'release-freeze',
            'internal-invalidation',
            'broad-invalidation',
            'customer-trust-review',
          ],
          holder: 'Priya Raman',
          succession: ['Tomasz Wójcik'],
          successionNeedsInvocation: false,
          delegation: null,
        },
        {
          laneId: 'executive-board',
          title: 'Executive board',
          rank: 2,
          triggers: [
            {
              id: 'EB-T1',
              title: '5000 or more customers affected',
              when: [{ op: 'at-least', fact: 'customersAffected', value: 5000 }],
            },
            {
              id: 'EB-T2',
              title: 'A contractual or regulatory notice is open',
              match: 'any',
              when: [
                { op: 'is', fact: 'contractualNotice', value: true },
                { op: 'is', fact: 'regulatoryNotice', value: true },
              ],
            },
          ],
          assumeUntriggered: false,
          limits: [],
          decides: [
            'limited-revocation',
            'release-freeze',
            'internal-invalidation',
            'broad-invalidation',
            'customer-trust-review',
            'customer-notification',
            'contractual-disclosure',
          ],
          holder: 'Daniel Mercer',
          succession: ['Ines Carvalho'],
          successionNeedsInvocation: true,
          delegation: null,
        },
      ],
      requires: [
        {
          id: 'REQ-A',
          title: 'Exposure suspected or confirmed',
          decision: 'limited-revocation',
          when: [{ op: 'one-of', fact: 'custodyExposure', values: ['suspected', 'confirmed'] }],
        },
        {
          id: 'REQ-B',
          title: 'Exposure suspected or confirmed and shipped beyond the organisation',
          decision: 'broad-invalidation',
          when: [
            { op: 'one-of', fact: 'custodyExposure', values: ['suspected', 'confirmed'] },
            { op: 'is', fact: 'externalDistribution', value: true },
          ],
        },
      ],
      recusal: { operatorOnIncidentKey: true },
      criticalWindowHours: 48,
      freshnessHours: { custodyEvidence: 24, telemetryLag: 6, lineage: 24, impact: 48, disclosure: 48 },
      requireReversibleOption: true,
      redirectRoles: ['security-leadership'],
      handoffCarries: ['missing', 'stale', 'partial', 'disputed'],
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Writing.

/** Files are written as the repository's prettier would write them, so `prettier --check .` passes. */
const prettierOptions = (await prettier.resolveConfig(join(OUT, 'x.json'))) ?? {};
async function write(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await prettier.format(JSON.stringify(value), { ...prettierOptions, parser: 'json' }));
}

for (const [name, apply] of Object.entries(SCENARIOS)) {
  const cfg = baseline();
  apply(cfg);
  const dir = join(OUT, name);
  rmSync(join(dir, 'sources'), { recursive: true, force: true });
  rmSync(join(dir, 'policy'), { recursive: true, force: true });
  const src = (f) => join(dir, 'sources', f);
  const incs = incidents(cfg);
  for (const i of incs) await write(src(i.file), i.body);
  await write(src('hsm-key-inventory.json'), inventory());
  await write(src(`hsm-audit-${HSM_P}.json`), auditLog(cfg, HSM_P, 31, 271_400));
  await write(src(`hsm-audit-${HSM_DR}.json`), auditLog(cfg, HSM_DR, 37, 90_210));
  await write(src('custody-evidence.json'), custody(cfg));
  const { tel, lin, withdrawLater: withdrawn } = signing(cfg);
  await write(
    src('telemetry-pkg-signer.json'),
    envelope('signing-telemetry', 'pkg-signer', '2026-12-03T15:45:00.000Z', tel['pkg-signer']),
  );
  await write(
    src('telemetry-agent-signer.json'),
    envelope('signing-telemetry', 'agent-signer', '2026-12-03T15:40:00.000Z', tel['agent-signer']),
  );
  // Builds marked withdrawLater shipped in the first catalogue export and are withdrawn in the next.
  if (withdrawn.size > 0) {
    await write(
      src('release-catalog-1.json'),
      envelope(
        'artifact-lineage',
        'release-catalog',
        '2026-12-02T20:00:00.000Z',
        lin.filter((l) => withdrawn.has(l.lineageId)),
      ),
    );
    await write(
      src('release-catalog-2.json'),
      envelope(
        'artifact-lineage',
        'release-catalog',
        '2026-12-03T16:30:00.000Z',
        lin.map((l) => (withdrawn.has(l.lineageId) ? { ...l, status: 'withdrawn' } : l)),
      ),
    );
  } else
    await write(
      src('release-catalog.json'),
      envelope('artifact-lineage', 'release-catalog', '2026-12-03T16:30:00.000Z', lin),
    );
  await write(src('customer-impact.json'), impact(cfg));
  if (cfg.registerEarlier.length > 0)
    await write(
      src('legal-register-0830.json'),
      envelope('disclosure-register', 'legal-register', '2026-12-03T08:30:00.000Z', [
        ...registerNoise(),
        ...cfg.registerEarlier,
      ]),
    );
  await write(
    src('legal-register.json'),
    envelope('disclosure-register', 'legal-register', '2026-12-03T14:30:00.000Z', [
      ...registerNoise(),
      ...cfg.register,
    ]),
  );
  await write(src('incident-roster.json'), delegations(cfg));
  await write(src('runbook-options.json'), options(cfg));
  if (cfg.priors.length > 0) {
    const incidentNow = incs[0].body.records.find((r) => r.incidentId === INC);
    const priors = cfg.priors.map(({ basisFrom, ...p }) => ({
      ...p,
      basis: basisOf(
        basisFrom === 'incident'
          ? [['incident-scope', 'incident-command', INC, incidentNow]]
          : [['incident-scope', 'incident-command', INC, incidentNow], ...basisFrom],
      ),
    }));
    await write(
      src('prior-packets.json'),
      envelope('prior-recommendation', 'packet-archive', '2026-12-03T09:30:00.000Z', priors),
    );
  }
  if (cfg.policy) await write(join(dir, 'policy', 'authority-matrix.json'), cfg.policy);
}
console.log(`wrote ${Object.keys(SCENARIOS).length} scenario source folders under ${OUT}`);
