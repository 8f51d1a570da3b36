import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { broadFieldsOf, isRestrictedFamily } from '../../../src/core/authority/redact';
import { FAMILIES } from '../../../src/core/findings/families/catalogue';
import { compromiseWorkflow } from '../../../src/core/findings/workflows/compromise';
import { recordsImportRows, recordsOfFamilies } from '../../../src/main/adapters/store/repos/records';
import { authorityBroadPreview } from '../../../src/main/services/authority/queries';
import { exportBundle } from '../../../src/main/services/bundles/bundles';
import { evaluateWorkflow } from '../../../src/main/services/findings';
import type { JobProgress } from '../../../src/main/services/jobs/jobs';
import { exportJournal } from '../../../src/main/services/journal/queries';
import { importRecordsFile } from '../../../src/main/services/records';
import type { Station } from '../../../src/main/station/station';
import { contract } from '../../../src/shared/contract';
import { tempDir } from '../../helpers/temp';
import { PIN, stationWithIdentity, withMedia } from '../journal/support';

/**
 * The broad bundle leaks nothing restricted (docs/bundle-format.md, `packet-broad`). One record of every
 * family workflow 002 reads is generated from the family's zod shape: every field its family does not
 * list in `broadFields` — and so a restricted record id, and the file name of a restricted family's
 * import — carries a canary of its own (a string, an instant with its own milliseconds, a 64-hex value,
 * or a number, whatever the field's grammar takes); a new field gets one without touching this test.
 * Imported through the real import, evaluated, exported to media on SoftHSM, and every entry of the
 * bundle scanned inflated — JSON unescaped, the DSSE payload decoded, each journal line raw and with its
 * body unescaped: no canary may appear. Positive control: each canary is in the full evaluation view,
 * the stored records or the real import file names.
 */

const quiet: JobProgress = { phase: () => {}, add: () => {} };
const actor = 'operator:alice';
const INCIDENT = 'INC-7';
const KEY = 'KEY-1';
const AS_OF = '2026-12-01T06:00:00.000Z';
const EXPORTED = '2026-12-01T05:00:00.000Z';

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  entries?: Record<string, string>;
  options?: z.ZodType[];
};
const defOf = (s: z.ZodType): Def => s._zod.def as unknown as Def;
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(d.type) && d.innerType)
      cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
}

/** Canaries: strings never seen elsewhere, instants with their own milliseconds, numbers of 7 digits. */
class Canaries {
  readonly strings: string[] = [];
  readonly numbers: number[] = [];
  /** Restricted fields that no canary fits (enums, booleans): named, so the gap is visible. */
  readonly uncovered: string[] = [];
  private n = 0;
  private next = () => ++this.n;

  /** A value for a restricted field: a canary its grammar accepts, or a plain valid value. */
  restricted(schema: z.ZodType, where: string): unknown {
    const s = unwrap(schema);
    const d = defOf(s);
    if (d.type === 'object') return this.object(d.shape ?? {}, where, () => true);
    if (d.type === 'array') return [this.restricted(d.element as z.ZodType, `${where}[]`)];
    if (d.type === 'number') {
      const v = 7_310_000 + this.next() * 7;
      this.numbers.push(v);
      return v;
    }
    const k = this.next();
    const tries = [
      `CNRY${k}x${where.replace(/[^A-Za-z]/g, '').slice(0, 20)}`,
      `2026-11-30T${String(1 + (k % 20)).padStart(2, '0')}:${String(k % 60).padStart(2, '0')}:00.${String(100 + k).padStart(3, '0')}Z`,
      createHash('sha256').update(`canary ${k}`).digest('hex'),
    ];
    for (const t of tries)
      if (schema.safeParse(t).success) {
        this.strings.push(t);
        return t;
      }
    this.uncovered.push(`${where}:${d.type}`);
    return plain(s);
  }

  object(shape: Record<string, z.ZodType>, where: string, restricted: (f: string) => boolean) {
    return Object.fromEntries(
      Object.entries(shape).map(([f, s]) => [
        f,
        restricted(f) ? this.restricted(s, `${where}.${f}`) : plain(unwrap(s), `${where}.${f}`),
      ]),
    );
  }
}

/** A valid, unremarkable value (broad fields, and restricted ones no canary fits). */
function plain(s: z.ZodType, where = ''): unknown {
  const d = defOf(s);
  if (d.type === 'enum') return Object.values(d.entries ?? {})[0];
  if (d.type === 'boolean') return false;
  if (d.type === 'number') return 1;
  if (d.type === 'array') return [plain(unwrap(d.element as z.ZodType), where)];
  if (d.type === 'object')
    return Object.fromEntries(Object.entries(d.shape ?? {}).map(([f, x]) => [f, plain(unwrap(x), where)]));
  for (const t of [
    `b-${where.replace(/[^A-Za-z0-9]/g, '-').slice(-60)}`,
    '2026-11-30T12:00:00.000Z',
    '0'.repeat(64),
  ])
    if (s.safeParse(t).success) return t;
  throw new Error(`no plain value for ${where}`);
}

/** Broad values that make the records one incident's (the key and lanes the incident names). */
const BROAD_OVERRIDES: Record<string, Record<string, unknown>> = {
  'incident-scope': {
    incidentId: INCIDENT,
    severity: 'sev1',
    status: 'declared',
    keyIds: [KEY],
    declaredAt: '2026-12-01T00:00:00.000Z',
  },
  'runbook-option': { keyIds: [KEY], decisions: ['limited-revocation'], status: 'approved' },
  'prior-recommendation': { incidentId: INCIDENT, recommendedLane: 'platform-security-command' },
  // In force at the instant: the broad view lists the delegation state its holders rest on.
  'emergency-delegation': {
    laneId: 'platform-security-command',
    kind: 'unavailability',
    validFrom: '2026-11-30T00:00:00.000Z',
    validUntil: '2026-12-05T00:00:00.000Z',
    recordedAt: '2026-11-30T00:00:00.000Z',
  },
};
/**
 * Restricted fields that join a record to the incident carry the incident's key id, which the incident
 * shows broadly (incident-scope keyIds): not a canary, and said so here.
 */
const JOINS: Record<string, Record<string, unknown>> = {
  'custody-evidence': { keyId: KEY },
  'hsm-audit-log': { keyId: KEY, event: 'sign', result: 'success' },
  'hsm-key-inventory': { keyId: KEY },
  'signing-telemetry': { keyId: KEY },
  'artifact-lineage': { signedByKeyId: KEY, audience: 'external-customer', status: 'published' },
};

interface World {
  station: Station;
  media: string;
  canaries: Canaries;
  fileCanaries: string[];
  evaluationSeq: number;
  fullText: string;
  made: Record<string, Record<string, unknown>>;
}

async function world(): Promise<World> {
  const media = join(tempDir(), 'usb');
  mkdirSync(media);
  const { station } = await stationWithIdentity(withMedia(media));
  const canaries = new Canaries();
  const fileCanaries: string[] = [];
  const files = join(tempDir(), 'exports');
  mkdirSync(files);
  // Shared canaries where restricted fields join records to each other (one product, one artifact,
  // one HSM): still canaries, each in several families.
  const product = 'CNRYproductShared';
  const artifact = createHash('sha256').update('canary artifact').digest('hex');
  const hsm = 'CNRYhsmSerialShared';
  canaries.strings.push(product, artifact, hsm);
  const made: Record<string, Record<string, unknown>> = {};
  const shared: Record<string, unknown> = { product, artifactDigest: artifact, hsmSerial: hsm };

  for (const name of compromiseWorkflow.families) {
    const family = FAMILIES[name as keyof typeof FAMILIES];
    const broad = new Set(broadFieldsOf(name));
    const shape = defOf(unwrap(family.schema)).shape ?? {};
    const content: Record<string, unknown> = {
      ...canaries.object(
        shape,
        name,
        (f) =>
          !broad.has(f) &&
          !(f in (JOINS[name] ?? {})) &&
          !(f in shared) &&
          !(name === 'prior-recommendation' && f === 'basis'),
      ),
      ...Object.fromEntries(
        Object.keys(shape)
          .filter((f) => f in shared && !broad.has(f))
          .map((f) => [f, shared[f]]),
      ),
      ...(BROAD_OVERRIDES[name] ?? {}),
      ...(JOINS[name] ?? {}),
    };
    if (name === 'prior-recommendation')
      // Its basis names the lineage record by its (restricted, canary) id with another digest, so the
      // prior is stale and the full view's sentence quotes that id.
      content.basis = [
        {
          family: 'artifact-lineage',
          system: 'release-mgmt',
          recordId: made['artifact-lineage']?.lineageId,
          digest: 'f'.repeat(64),
        },
      ];
    made[name] = content;
    expect(family.schema.safeParse(content).error, name).toBeUndefined();
    const restricted = isRestrictedFamily(name);
    const fileName = restricted ? `CNRYfile-${name}-acme-customer-list.json` : `${name}.json`;
    if (restricted) fileCanaries.push(fileName);
    const path = join(files, fileName);
    const system = name === 'artifact-lineage' ? 'release-mgmt' : `sys-${name}`;
    writeFileSync(path, JSON.stringify({ family: name, system, exportedAt: EXPORTED, records: [content] }));
    await importRecordsFile(station, { path, actor });
  }
  const e = evaluateWorkflow(station, {
    workflow: 'compromise-authority',
    subject: INCIDENT,
    asOf: AS_OF,
    actor,
  });
  return {
    station,
    media,
    canaries,
    fileCanaries,
    evaluationSeq: e.seq,
    fullText: JSON.stringify(e),
    made,
  };
}

/** Every text a reader of the bundle can get at: entries inflated, JSON unescaped, the payload decoded. */
function bundleTexts(zip: string): { name: string; text: string }[] {
  const list = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' });
  expect(list.status).toBe(0);
  const out: { name: string; text: string }[] = [];
  const strings = (v: unknown): string[] =>
    typeof v === 'string'
      ? [v]
      : Array.isArray(v)
        ? v.flatMap(strings)
        : v !== null && typeof v === 'object'
          ? Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)])
          : [String(v)];
  for (const name of list.stdout.split('\n').filter(Boolean)) {
    const raw = spawnSync('unzip', ['-p', zip, name], { maxBuffer: 256 * 1024 * 1024 }).stdout as Buffer;
    const text = raw.toString('utf8');
    out.push({ name, text });
    if (name.endsWith('.jsonl'))
      for (const [i, line] of text.split('\n').filter(Boolean).entries()) {
        const entry = JSON.parse(line) as { body: string };
        out.push({ name: `${name}:${i + 1}`, text: line });
        out.push({ name: `${name}:${i + 1} body`, text: entry.body });
        out.push({
          name: `${name}:${i + 1} unescaped`,
          text: strings(JSON.parse(entry.body)).join('\u0000'),
        });
      }
    else if (name.endsWith('.json')) {
      const parsed = JSON.parse(text) as { payload?: string };
      out.push({ name: `${name} unescaped`, text: strings(parsed).join('\u0000') });
      if (name === 'bundle.dsse.json' && parsed.payload) {
        const payload = Buffer.from(parsed.payload, 'base64').toString('utf8');
        out.push({ name: `${name} payload`, text: payload });
        out.push({ name: `${name} payload unescaped`, text: strings(JSON.parse(payload)).join('\u0000') });
      }
    }
  }
  return out;
}

function hits(texts: { name: string; text: string }[], w: World): string[] {
  const found: string[] = [];
  for (const { name, text } of texts) {
    for (const c of [...w.canaries.strings, ...w.fileCanaries])
      if (text.includes(c)) found.push(`${c} in ${name}`);
    for (const n of w.canaries.numbers)
      if (new RegExp(`(?<![0-9A-Za-z])${n}(?![0-9A-Za-z])`).test(text)) found.push(`${n} in ${name}`);
  }
  return found;
}

describe('the packet-broad bundle of a compromise-authority evaluation', () => {
  it('carries no canary of any restricted field, record id or file name in any entry; every canary is in the full view or records', async () => {
    const w = await world();
    try {
      // Every family read has a canary somewhere; only enums and booleans stay uncovered.
      expect(w.canaries.strings.length + w.canaries.numbers.length).toBeGreaterThan(30);
      // A restricted field without a canary is only one whose grammar is a fixed vocabulary.
      expect(w.canaries.uncovered.filter((u) => !/:(enum|boolean|literal)$/.test(u))).toEqual([]);
      expect(w.fileCanaries).toHaveLength(compromiseWorkflow.families.length - 1); // all but emergency-delegation
      const r = await exportBundle(
        w.station,
        { kind: 'packet-broad', evaluationSeq: w.evaluationSeq, pin: PIN, actor },
        quiet,
      );
      expect(r.files.map((f) => f.name)).toEqual([
        'broad/view.json',
        'broad/withheld.json',
        'journal/segment.jsonl',
        'journal/checkpoint.json',
      ]);
      const texts = bundleTexts(r.path);
      expect(texts.some((t) => t.name === 'bundle.dsse.json payload')).toBe(true);
      expect(texts.filter((t) => t.name.startsWith('journal/segment.jsonl:')).length).toBeGreaterThan(30);
      expect(hits(texts, w)).toEqual([]);

      // What it does carry: the lanes and the statement of what is withheld, by evaluation and digest.
      const view = JSON.parse(texts.find((t) => t.name === 'broad/view.json')?.text ?? '{}') as {
        lanes: unknown[];
        evaluation: { findingsDigest: string };
      };
      expect(view.lanes.length).toBeGreaterThan(0);
      const withheld = texts.find((t) => t.name === 'broad/withheld.json')?.text ?? '';
      expect(withheld).toContain(
        `evaluation ${w.evaluationSeq} (findings digest ${view.evaluation.findingsDigest})`,
      );
      // The journal names restricted imports by family and digest only.
      const segment = texts.find((t) => t.name === 'journal/segment.jsonl')?.text ?? '';
      expect(segment).toMatch(/custody-evidence-[0-9a-f]{12}\.json/);

      // Positive control: every canary is in the full evaluation view, the stored records or the import names.
      const records = JSON.stringify(recordsOfFamilies(w.station.store.db, [...compromiseWorkflow.families]));
      const names = recordsImportRows(w.station.store.db).map((i) => i.fileName);
      const missing = [...w.canaries.strings, ...w.canaries.numbers.map(String)].filter(
        (c) => !w.fullText.includes(c) && !records.includes(c),
      );
      expect(missing).toEqual([]);
      expect(w.fileCanaries.filter((f) => !names.includes(f))).toEqual([]);
      // The full view itself quotes restricted detail the broad one withholds.
      const lineageId = String(w.made['artifact-lineage']?.lineageId);
      expect(lineageId).toMatch(/^CNRY/);
      expect(w.fullText).toContain(`artifact-lineage ${lineageId}`); // the stale prior's sentence
      expect(w.fullText).toContain(String(w.made['customer-impact']?.customersHigh)); // a fact value
      const effects = w.made['runbook-option']?.effects as { note: string }[];
      expect(effects[0]?.note).toMatch(/^CNRY/);
      expect(w.fullText).toContain(effects[0]?.note); // an effect's note

      // The authorityBroadPreview channel gives the view the bundle carries, and leaks nothing either.
      const preview = contract.authorityBroadPreview.output.parse(
        authorityBroadPreview(w.station, { seq: w.evaluationSeq }),
      );
      expect(hits([{ name: 'preview', text: JSON.stringify(preview) }], w)).toEqual([]);
      // Every record here is this incident's (one of each family): each is named, by digest and title.
      expect(preview.records.map((r) => r.family).sort()).toEqual([...compromiseWorkflow.families].sort());
      expect(preview.facts.every((f) => f.value === 'restricted')).toBe(true);
      expect(JSON.stringify(preview.lanes)).toBe(JSON.stringify(view.lanes));
    } finally {
      w.station.close();
    }
  });

  it('is refused before any PIN when the journal holds a restricted file name, and for a STALE or other evaluation', async () => {
    const w = await world();
    try {
      const before = w.station.journal.head().seq;
      // Such an entry, as a station journaled imports before restricted names were replaced.
      const legacy = recordsImportRows(w.station.store.db).find((i) => i.family === 'customer-impact');
      w.station.record([
        {
          kind: 'records.imported',
          actor,
          body: {
            family: 'customer-impact',
            familyVersion: 1,
            system: 'sys-customer-impact',
            exportedAt: EXPORTED,
            fileSha256: legacy?.fileSha256 ?? '0'.repeat(64),
            fileName: 'CNRYlegacy-acme-churn.json',
            count: 0,
            recordsDigest: '0'.repeat(64),
            newRecords: 0,
          },
        },
      ]);
      const seg: string[] = [];
      exportJournal(
        w.station,
        { fromSeq: 1, toSeq: w.station.journal.head().seq },
        { write: (l) => seg.push(l) },
      );
      expect(seg.join('')).toContain('CNRYlegacy-acme-churn.json');
      await expect(
        exportBundle(
          w.station,
          { kind: 'packet-broad', evaluationSeq: w.evaluationSeq, pin: 'not-the-pin', actor },
          quiet,
        ),
      ).rejects.toMatchObject({ code: 'BUNDLE_RESTRICTED_CONTENT' });
      expect(w.station.journal.head().seq).toBe(before + 1); // nothing but the planted entry

      // Records of its families imported after it: STALE.
      const path = join(tempDir(), 'late.json');
      writeFileSync(
        path,
        JSON.stringify({
          family: 'emergency-delegation',
          system: 'roster',
          exportedAt: EXPORTED,
          records: [
            {
              recordId: 'ED-LATE',
              laneId: 'platform-security-command',
              kind: 'unavailability',
              from: 'someone',
              validFrom: '2026-11-30T00:00:00.000Z',
              grantedBy: 'someone',
              recordedAt: '2026-11-30T00:00:00.000Z',
            },
          ],
        }),
      );
      await importRecordsFile(w.station, { path, actor });
      expect(() => authorityBroadPreview(w.station, { seq: w.evaluationSeq })).toThrow(
        expect.objectContaining({ code: 'EVALUATION_STALE' }) as Error,
      );
      expect(() => authorityBroadPreview(w.station, { seq: 1 })).toThrow(
        expect.objectContaining({ code: 'EVALUATION_NOT_FOUND' }) as Error,
      );
    } finally {
      w.station.close();
    }
  });
});
