/**
 * Evaluates a deferral and an attestation over large real-shaped inputs (issue #12, "Benchmark"): an HSM
 * audit log of 1,000,000 entries over a few HSMs and 10,000 roster / custody / ceremony records, around
 * the clean deferral (tests/scenarios/deferral/01) and attestation (tests/scenarios/attestation/01)
 * corpora, written as export envelopes on disk. The limit, measured in the same run, is reading and
 * parsing those same files into records with no rule applied (recordsFromEnvelope); the target is that
 * the rules cost no more than that (limit / (limit + evaluation) ≥ 0.50), peak RSS < 500 MB, and that
 * the as-of re-run gives a byte-identical findings digest. The store path (import + storedRecords) is
 * measured at 200k audit entries, for information.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalBytes } from '../src/core/canonical';
import type { Evaluation, Sha256Stream } from '../src/core/findings/engine';
import { recordsFromEnvelope, type ExportEnvelope } from '../src/core/findings/envelope';
import type { SourceRecord } from '../src/core/findings/model';
import { DEFAULT_ATTESTATION_POLICY } from '../src/core/findings/policy/attestation';
import { DEFAULT_DEFERRAL_POLICY } from '../src/core/findings/policy/deferral';
import { WORKFLOWS } from '../src/core/findings/workflows';
import { systemDeps } from '../src/main/runtime';
import { importRecordsFile } from '../src/main/services/records';
import { storedRecords } from '../src/main/services/records/queries';
import { Station } from '../src/main/station/station';
import { benchDir, rate, ratioLine, seconds } from './support';

const AUDIT = Number(process.env.BENCH_AUDIT ?? 1_000_000);
const PEOPLE_RECORDS = Number(process.env.BENCH_PEOPLE ?? 10_000);
const STORE_AUDIT = Number(process.env.BENCH_STORE ?? 200_000);
const RSS_BUDGET_MB = 500;
const TARGET = 0.5;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const sha256Stream: Sha256Stream = () => {
  const h = createHash('sha256');
  return { update: (b) => void h.update(b), digest: () => h.digest('hex') };
};
// `npm run bench` runs from the project root (scripts/bench.mjs).
const root = process.cwd();
const scenarioDir = (w: string, name: string) => join(root, 'tests', 'scenarios', w, name, 'sources');
const DEFERRAL = { dir: scenarioDir('deferral', '01-clean-baseline'), subject: 'DR-2026-117' };
const DEFERRAL_AS_OF = '2026-12-01T12:00:00.000Z';
const ATTESTATION = { dir: scenarioDir('attestation', '01-clean-approvable'), subject: 'ATT-2026-H1-REL' };
const ATTESTATION_AS_OF = '2026-07-08T09:00:00.000Z';
/** Bulk exports are dated before both instants, so both evaluations know them. */
const BULK_EXPORTED = '2026-07-05T18:00:00.000Z';
const DAY = 86_400_000;
/** One export per HSM and month or so, as HSM administration tools write them. */
const FILE_ENTRIES = 50_000;

// A deterministic generator: the same run writes the same bytes (and so the same digests).
let seed = 0x2f6e2b1;
const rand = (): number => {
  seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const iso = (t: number) => new Date(t).toISOString();
const pad = (n: number, w: number) => String(n).padStart(w, '0');

function writeEnvelope(dir: string, name: string, env: ExportEnvelope): number {
  const bytes = Buffer.from(JSON.stringify(env));
  writeFileSync(join(dir, name), bytes);
  return bytes.length;
}

/** The two clean corpora, copied as they are (file names prefixed by workflow). */
function copyCorpora(dir: string): { files: number; records: number } {
  let files = 0;
  let records = 0;
  for (const [prefix, src] of [
    ['def', DEFERRAL.dir],
    ['att', ATTESTATION.dir],
  ] as const)
    for (const name of readdirSync(src).sort()) {
      const text = readFileSync(join(src, name), 'utf8');
      records += (JSON.parse(text) as { records: unknown[] }).records.length;
      writeFileSync(join(dir, `${prefix}-${name}`), text);
      files++;
    }
  return { files, records };
}

/**
 * The audit log: the deferred key's HSM-LUNA-0412 from sequence 1 up to where the corpus export starts
 * (100,001), signing the key under weekly approved changes by rostered operators, plus three busy HSMs
 * signing other keys. Every entry is dated in 2025–2026 before the bulk export.
 */
function writeAudit(dir: string, total: number): { files: number; entries: number; bytes: number } {
  const start = Date.parse('2025-01-06T00:00:00.000Z');
  const endKeyHsm = Date.parse('2026-05-31T00:00:00.000Z');
  const operators = ['r.iyer', 'd.kowalski', 'e.nakamura', 'f.dubois'];
  const out = { files: 0, entries: 0, bytes: 0 };
  const keyHsmEntries = Math.min(100_000, total);
  // Weekly change records covering the key's signing before the corpus (CHG-BULK-<week>).
  const weeks = Math.ceil((endKeyHsm - start) / (7 * DAY));
  const changes = Array.from({ length: weeks }, (_, w) => ({
    changeId: `CHG-BULK-${pad(w + 1, 3)}`,
    changeType: 'scheduled',
    summary: `weekly release signing, bulk week ${w + 1}`,
    approvedBy: ['c.alvarez'],
    approvedAt: iso(start + w * 7 * DAY - 3 * DAY),
    windowStart: iso(start + w * 7 * DAY),
    windowEnd: iso(start + (w + 1) * 7 * DAY - 1000),
    status: 'implemented',
  }));
  writeEnvelope(dir, 'bulk-change-records.json', {
    family: 'change-record',
    system: 'change-mgmt',
    exportedAt: BULK_EXPORTED,
    records: changes,
  });

  const hsms = [
    { serial: 'HSM-LUNA-0412', n: keyHsmEntries, from: start, to: endKeyHsm, key: 'K-REL-INT-2024' },
    ...['HSM-LUNA-0507', 'HSM-LUNA-0508', 'HSM-LUNA-0511'].map((serial, i, all) => {
      const rest = total - keyHsmEntries;
      const n = Math.floor(rest / all.length) + (i < rest % all.length ? 1 : 0);
      return { serial, n, from: start, to: Date.parse('2026-07-04T00:00:00.000Z'), key: null };
    }),
  ];
  const otherKeys = Array.from({ length: 40 }, (_, i) => `K-APP-${pad(1000 + i, 4)}`);
  const events = ['sign', 'sign', 'sign', 'sign', 'login', 'login', 'other', 'login-failed'] as const;
  for (const h of hsms) {
    const step = (h.to - h.from) / Math.max(1, h.n);
    for (let part = 0, seq = 1; seq <= h.n; part++) {
      const records: Record<string, unknown>[] = [];
      for (let i = 0; i < FILE_ENTRIES && seq <= h.n; i++, seq++) {
        const t = Math.floor(h.from + (seq - 1) * step + rand() * step * 0.9);
        const event = pick(events);
        const signsKey = event === 'sign' && h.key !== null && rand() < 0.5;
        const week = Math.floor((t - start) / (7 * DAY));
        records.push({
          entryId: `${h.serial}-${seq}`,
          hsmSerial: h.serial,
          sequence: seq,
          at: iso(t),
          event,
          keyId: event === 'sign' ? (signsKey ? h.key : pick(otherKeys)) : null,
          operator: pick(operators),
          result: event === 'login-failed' ? 'failure' : 'success',
          reference: signsKey ? `CHG-BULK-${pad(week + 1, 3)}` : null,
        });
      }
      out.bytes += writeEnvelope(dir, `bulk-audit-${h.serial}-${pad(part, 2)}.json`, {
        family: 'hsm-audit-log',
        system: 'hsm-admin',
        exportedAt: BULK_EXPORTED,
        records,
      });
      out.entries += records.length;
      out.files++;
    }
  }
  return out;
}

/**
 * Roster, custody and ceremony records of people and material outside both subjects but inside the
 * attestation period, so the roster join of every ceremony participant runs over all of them: roster
 * entries (30%), custody holdings of the busy HSMs' tokens (30%), signing and inspection ceremonies
 * (40%) whose participants are on the roster in the role the attestation policy counts for their act.
 */
function writePeople(dir: string, total: number): number {
  const nRoster = Math.floor(total * 0.3);
  const nCustody = Math.floor(total * 0.3);
  const nCeremony = total - nRoster - nCustody;
  const roles = DEFAULT_ATTESTATION_POLICY.roles;
  const people = Array.from({ length: nRoster }, (_, i) => ({
    entryId: `RST-BULK-${pad(i, 5)}`,
    person: `bulk.person${pad(i, 5)}`,
    roles: [pick(roles.operator), pick(roles.custodian), pick(roles.witness)],
    validFrom: '2024-01-01',
    validUntil: null,
    status: 'active',
    snapshotAt: '2026-07-01',
  }));
  writeEnvelope(dir, 'bulk-roster.json', {
    family: 'roster-snapshot',
    system: 'iam-governance',
    exportedAt: BULK_EXPORTED,
    records: people,
  });
  const holdings = Array.from({ length: nCustody }, (_, i) => ({
    holdingId: `HLD-BULK-${pad(i, 5)}`,
    itemId: `TOK-BULK-${pad(i, 5)}`,
    itemKind: pick(['operator-card', 'custodian-card', 'physical-key'] as const),
    holder: pick(people).person,
    since: iso(Date.parse('2025-01-01') + Math.floor(rand() * 400) * DAY),
    until: null,
    hsmSerial: pick(['HSM-LUNA-0507', 'HSM-LUNA-0508', 'HSM-LUNA-0511']),
  }));
  writeEnvelope(dir, 'bulk-custody-registry.json', {
    family: 'custody-registry',
    system: 'token-custody',
    exportedAt: BULK_EXPORTED,
    records: holdings,
  });
  const periodStart = Date.parse('2026-01-02T00:00:00.000Z');
  const ceremonies = Array.from({ length: nCeremony }, (_, i) => {
    const [op, witness] = [pick(people), pick(people)];
    return {
      ceremonyId: `CER-BULK-${pad(i, 5)}`,
      at: iso(periodStart + Math.floor(rand() * 170 * DAY)),
      kind: pick(['signing', 'inspection'] as const),
      keyId: `K-APP-${pad(1000 + (i % 40), 4)}`,
      participants: [
        { person: op.person, role: op.roles[0] as string, act: 'operator' },
        { person: witness.person, role: witness.roles[2] as string, act: 'witness' },
      ],
      changeRef: null,
      outcome: 'completed',
    };
  });
  writeEnvelope(dir, 'bulk-ceremony-log.json', {
    family: 'ceremony-log',
    system: 'ceremony-records',
    exportedAt: BULK_EXPORTED,
    records: ceremonies,
  });
  return nRoster + nCustody + nCeremony;
}

/** The limit: read and parse every file into records, no rule applied. */
function parseAll(dir: string, files = Infinity): SourceRecord[] {
  const perFile = readdirSync(dir)
    .sort()
    .slice(0, files)
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      return recordsFromEnvelope(JSON.parse(bytes.toString('utf8')), { sha256: sha256(bytes), name }, sha256);
    });
  // One list of exactly the records (a list grown record by record leaves its copies behind).
  return perFile.flat();
}

function evaluateBoth(records: readonly SourceRecord[]): Evaluation<string>[] {
  return [
    WORKFLOWS.deferral!.evaluate({
      records,
      policy: DEFAULT_DEFERRAL_POLICY,
      policyDigest: sha256(canonicalBytes(DEFAULT_DEFERRAL_POLICY)),
      asOf: DEFERRAL_AS_OF,
      subject: DEFERRAL.subject,
      sha256,
      sha256Stream,
    }),
    WORKFLOWS.attestation!.evaluate({
      records,
      policy: DEFAULT_ATTESTATION_POLICY,
      policyDigest: sha256(canonicalBytes(DEFAULT_ATTESTATION_POLICY)),
      asOf: ATTESTATION_AS_OF,
      subject: ATTESTATION.subject,
      sha256,
      sha256Stream,
    }),
  ];
}

const rssMb = () => process.resourceUsage().maxRSS / 1024;

/**
 * Writes the inputs in a child process (`--generate DIR AUDIT PEOPLE`), so the generator's own garbage
 * never counts in the peak RSS of the process that parses and evaluates.
 */
function generate(dir: string, audit: number, people: number): string {
  mkdirSync(dir);
  const child = spawnSync(
    process.execPath,
    [process.argv[1] ?? '', '--generate', dir, String(audit), String(people)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`input generation failed (exit ${child.status})`);
  return child.stdout.trim();
}

if (process.argv[2] === '--generate') {
  const [dir, audit, people] = process.argv.slice(3);
  if (!dir) throw new Error('--generate DIR AUDIT PEOPLE');
  const tg = process.hrtime.bigint();
  const a = writeAudit(dir, Number(audit));
  if (Number(people) > 0) {
    const corpus = copyCorpora(dir);
    const p = writePeople(dir, Number(people));
    console.log(
      `inputs: ${a.entries.toLocaleString('en-US')} bulk audit entries in ${a.files} files (${(a.bytes / 1e6).toFixed(0)} MB), ` +
        `${p.toLocaleString('en-US')} roster/custody/ceremony records, ${corpus.records} corpus records in ${corpus.files} files; written in ${seconds(tg).toFixed(1)} s`,
    );
  } else console.log(`${a.entries.toLocaleString('en-US')} audit entries in ${a.files} files`);
  process.exit(0);
}

/**
 * The parse-and-evaluate process runs with a fixed old-space ceiling and a small young generation, so V8
 * collects garbage before it lets the heap grow well past what is live. The records themselves take
 * ~255 B each on the heap plus 32 B of digest outside it (src/core/findings/batch.ts); under a 576 MB
 * ceiling V8 let garbage pile up to a peak RSS of ~530–590 MB over the same ~290 MB of live records. The
 * limit (parse) and the evaluation run in the same process, under the same flags.
 */
const HEAP_FLAGS = ['--max-old-space-size=384', '--max-semi-space-size=2'];
if (process.argv[2] !== '--measure') {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, ...HEAP_FLAGS, process.argv[1] ?? '', '--measure'],
    { stdio: 'inherit' },
  );
  process.exit(child.status ?? 1);
}
console.log(`node ${HEAP_FLAGS.join(' ')}`);

const { dir, cleanup } = benchDir('findings');
try {
  const inputs = join(dir, 'inputs');
  console.log(generate(inputs, AUDIT, PEOPLE_RECORDS));
  const rssBefore = rssMb();

  // The limit: read + parse + validate into records, once (a second full set alive at the same time
  // would double the peak); a warm-up over a few files first, so the JIT is not what is measured.
  parseAll(inputs, 4);
  const t = process.hrtime.bigint();
  let records = parseAll(inputs);
  const limit = seconds(t);
  console.log(
    `parse (limit): ${limit.toFixed(2)} s for ${records.length.toLocaleString('en-US')} records (${rate(records.length, limit)})`,
  );

  // With node --expose-gc: the live heap the records hold, per record.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    const used = process.memoryUsage().heapUsed;
    console.log(
      `  heap with records: ${(used / 1e6).toFixed(0)} MB (${Math.round(used / records.length)} B/record)`,
    );
  }

  // Evaluated twice as of the same instants: the faster run is the rule time, and the second is the
  // as-of re-run whose findings must be byte-identical.
  const t1 = process.hrtime.bigint();
  const evaluations = evaluateBoth(records);
  const first = seconds(t1);
  const t2 = process.hrtime.bigint();
  const again = evaluateBoth(records);
  const rules = Math.min(first, seconds(t2));
  for (const ev of evaluations)
    console.log(
      `  ${ev.workflow} ${ev.subject} as of ${ev.inputs.asOf}: ${ev.inputs.recordCount.toLocaleString('en-US')} records known, ` +
        `${ev.findings.length} findings, outcome ${ev.outcome}`,
    );
  console.log(`evaluate (deferral + attestation): ${rules.toFixed(2)} s (first run ${first.toFixed(2)} s)`);
  for (const [i, ev] of evaluations.entries()) {
    const re = again[i];
    const same =
      re !== undefined &&
      re.findingsDigest === ev.findingsDigest &&
      Buffer.from(canonicalBytes(re.findings)).equals(Buffer.from(canonicalBytes(ev.findings)));
    console.log(
      `  findingsDigest ${ev.workflow}: ${ev.findingsDigest} (as-of re-run ${same ? 'byte-identical' : 'DIFFERS'})`,
    );
    if (!same) throw new Error(`the as-of re-run of ${ev.workflow} is not byte-identical`);
  }
  const peak = rssMb();
  console.log(
    `peak RSS: ${peak.toFixed(0)} MB (at start ${rssBefore.toFixed(0)} MB) → ${peak < RSS_BUDGET_MB ? 'within' : 'OVER'} the ${RSS_BUDGET_MB} MB budget`,
  );
  records = [];

  // The store path, for information: import through the normal service, then read back.
  const storeIn = join(dir, 'store-inputs');
  generate(storeIn, STORE_AUDIT, 0);
  const station = Station.init(
    join(dir, 'station'),
    { name: 'Bench', mode: 'offline', demo: false, actor: 'operator:bench' },
    systemDeps,
  );
  try {
    const ti = process.hrtime.bigint();
    for (const name of readdirSync(storeIn).sort())
      await importRecordsFile(station, { path: join(storeIn, name), actor: 'operator:bench' });
    const importS = seconds(ti);
    const tr = process.hrtime.bigint();
    const stored = storedRecords(station, ['hsm-audit-log', 'change-record']);
    const readS = seconds(tr);
    console.log(
      `store (informational): import ${STORE_AUDIT.toLocaleString('en-US')} audit entries ${importS.toFixed(2)} s (${rate(STORE_AUDIT, importS)}), ` +
        `storedRecords ${stored.length.toLocaleString('en-US')} in ${readS.toFixed(2)} s (${rate(stored.length, readS)})`,
    );
  } finally {
    station.close();
  }
  console.log(`ratio = parse / (parse + evaluate) = ${limit.toFixed(2)} / ${(limit + rules).toFixed(2)}`);
  console.log(ratioLine(limit / (limit + rules), TARGET));
} finally {
  cleanup();
}
