/**
 * The ceremony transcript (docs/ceremonies.md, "Transcript") of a real run: the example key-generation
 * ceremony rehearsed through the service on SoftHSM2 tokens and a SQLite journal (the firmware deviation
 * decided by the master of ceremonies), then, through the built CLI, its transcript printed with the
 * system Chromium (`station ceremony transcript`), rendered to PNG with pdftoppm and read back with
 * pdf.js, and its signed bundle exported (`station ceremony bundle`) and verified (`station bundle
 * verify`). Every expectation is taken from the journal and the files, never typed here.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_EVENT_KINDS, type RunEvent } from '../../../src/core/ceremony/run';
import { loadCeremonyFile } from '../../../src/main/adapters/ceremony';
import {
  actStep,
  checkStep,
  decideDeviation,
  openRun,
  startRun,
  witnessStep,
} from '../../../src/main/services/ceremonies';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import { stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';
import {
  ceremonyRoom,
  example,
  MC,
  MODULE,
  OPERATOR,
  PIN,
  SCRATCH_PIN,
  stepQuorum as stepQuorumOf,
} from './support';

const EXAMPLE = example('key-generation');

let suite: ReturnType<typeof suiteTempDir>;
let dir: string;
let media: string;
let serial: Record<string, string> = {};
/** The completed rehearsal, and a second one left at its third step. */
let done: string;
let open: string;

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const cli = (args: string[], input?: string) =>
  stationCli([...args, '--data-dir', dir], input, { STATION_MEDIA_DIRS: media });
const ok = (args: string[], input?: string) => {
  const r = cli(args, input);
  expect(r.status, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r.stdout;
};

/** The run's journal entries and the run's outputs, read from the station's database. */
function journalOf(runId: string): { events: RunEvent[]; hashes: Map<number, string> } {
  const station = Station.open(dir, systemDeps);
  try {
    const events = (station.journal.eventsOfKind(...RUN_EVENT_KINDS) as unknown as RunEvent[]).filter(
      (e) => e.body.runId === runId,
    );
    const hashes = new Map(
      events.map((e) => [e.seq, Buffer.from(station.journal.get(e.seq)!.hash).toString('hex')]),
    );
    return { events, hashes };
  } finally {
    station.close();
  }
}

// ——— driving a run through the service, as run.test.ts does ———

const stepQuorum = (station: Station, runId: string, stepId: string) =>
  stepQuorumOf(station, serial, runId, stepId, ['erin-walsh', 'femi-adeyemi']);

/** Performs the run until it completes, or until `until` (a step id whose check is next). Deviations: continue. */
async function drive(station: Station, runId: string, until?: string): Promise<void> {
  for (let guard = 0; guard < 100; guard++) {
    const { ceremony, state } = openRun(station, runId);
    const c = state.current;
    if (state.status === 'completed' || state.status === 'aborted' || !c) return;
    const step = ceremony.file.steps[c.index]!;
    const actor = step.by === 'master-of-ceremonies' ? MC : OPERATOR;
    if (c.needs === 'decision') {
      decideDeviation(station, {
        runId,
        deviationSeq: state.openDeviation!.seq,
        decision: 'continue',
        reason: `the scratch token is SoftHSM2, not the attested HSM (run ${runId.slice(0, 8)})`,
        actor: MC,
      });
    } else if (c.needs === 'check') {
      if (until === c.stepId) return;
      checkStep(station, {
        runId,
        stepId: c.stepId,
        pin: SCRATCH_PIN,
        quorumSessionId: step.quorum ? stepQuorum(station, runId, c.stepId) : undefined,
        bags: (step.bags?.in ?? []).map((s) => ({ serial: s, readAloud: s, intact: true })),
        actor,
      });
    } else if (c.needs === 'act') {
      await actStep(station, {
        runId,
        stepId: c.stepId,
        pin: SCRATCH_PIN,
        note: `done: ${step.title}`,
        actor,
      });
    } else {
      const witnessed = state.steps[c.index]!.witnesses.map((w) => w.custodianId);
      const next = ['chloe-meyer', 'hugo-brandt', 'dev-patel'].find((w) => !witnessed.includes(w))!;
      witnessStep(station, { runId, moduleId: MODULE, serial: serial[next]!, pin: PIN, actor });
    }
  }
  throw new Error('the run did not settle');
}

beforeAll(async () => {
  suite = suiteTempDir('ceremony-transcript-');
  dir = join(suite.dir, 'st');
  media = join(suite.dir, 'media');
  mkdirSync(media);
  let station: Station;
  ({ station, serial } = await ceremonyRoom(suite.dir, dir, { identity: true }));
  try {
    const rehearse = (name: string) => {
      const out = join(suite.dir, 'out', name);
      mkdirSync(out, { recursive: true });
      return startRun(station, {
        file: EXAMPLE,
        mode: 'rehearsal',
        outDir: out,
        scratchPin: SCRATCH_PIN,
        actor: MC,
      }).runId;
    };
    done = rehearse('done');
    await drive(station, done);
    open = rehearse('open');
    await drive(station, open, 'retrieve-hsm');
  } finally {
    station.close();
  }
}, 120_000);

afterAll(() => suite?.remove());

// ——— reading the PDF ———

/** pdf.js splits runs at line ends and table cells: compare with whitespace and colons removed, NFKC. */
const norm = (t: string) => t.normalize('NFKC').replace(/[\s:]+/g, '');

async function pageTexts(path: string): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(path)), isEvalSupported: false })
    .promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++)
    pages.push(
      (await (await doc.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' '),
    );
  await doc.destroy();
  return pages;
}

/** Each page as a PNG at 50 dpi, rendered by poppler's pdftoppm. */
function pngPages(pdf: string, out: string): Buffer[] {
  mkdirSync(out);
  const r = spawnSync('pdftoppm', ['-png', '-r', '50', pdf, join(out, 'p')], { encoding: 'utf8' });
  expect(r.error, 'pdftoppm (poppler-utils) is installed by scripts/setup.mjs').toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  return readdirSync(out)
    .sort()
    .map((f) => readFileSync(join(out, f)));
}

/** The entries of a zip as `unzip` reads them (inflated), by name. */
function unzipAll(zip: string): Map<string, Buffer> {
  const names = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' });
  expect(names.status, names.stderr).toBe(0);
  const out = new Map<string, Buffer>();
  for (const name of names.stdout.split('\n').filter(Boolean)) {
    const r = spawnSync('unzip', ['-p', zip, name], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
    expect(r.status).toBe(0);
    out.set(name, r.stdout);
  }
  return out;
}

describe('station ceremony transcript: the annotated transcript PDF of a rehearsal', () => {
  const loaded = loadCeremonyFile(EXAMPLE);
  let pdf: string;
  let pages: string[];

  it('writes a new 0600 PDF that renders every page to a PNG', async () => {
    pdf = join(suite.dir, 'done.pdf');
    const said = ok(['ceremony', 'transcript', done, '--out', pdf]);
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(pdf).mode & 0o777).toBe(0o600);
    expect(said).toContain(`PDF SHA-256 ${sha256(readFileSync(pdf))}`);
    const count = Number(/\((\d+) pages\)/.exec(said)?.[1]);
    const pngs = pngPages(pdf, join(suite.dir, 'done-png'));
    expect(pngs).toHaveLength(count);
    for (const png of pngs) {
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBeGreaterThan(400);
    }
    pages = await pageTexts(pdf);
    expect(pages).toHaveLength(count);
    // Never over an existing file.
    const again = cli(['ceremony', 'transcript', done, '--out', pdf]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('OUTPUT_EXISTS');
  });

  it('marks REHEARSAL, the run id, the digest and page X of Y on every page', () => {
    pages.forEach((text, i) => {
      const flat = norm(text);
      expect(flat, `page ${i + 1}`).toContain(norm(`REHEARSAL · transcript of run ${done}`));
      expect(flat, `page ${i + 1}`).toContain(norm(`page ${i + 1} of ${pages.length}`));
      expect(flat, `page ${i + 1}`).toContain(
        norm(`${loaded.file.id} · ${loaded.digest.words.join(' ')} · ${loaded.digest.sha256.slice(0, 16)}…`),
      );
      expect(flat).not.toContain(norm('IN PROGRESS'));
    });
  });

  it('holds every step as performed, every event with its seq and time, every witness, the deviation and its decision', () => {
    const body = norm(pages.join(' '));
    const { events, hashes } = journalOf(done);
    expect(body).toContain(norm(loaded.digest.sha256));
    expect(body).toContain(norm(loaded.digest.words.join(' ')));
    const completed = events.find((e) => e.kind === 'ceremony.run-completed')!;
    expect(body).toContain(norm(`COMPLETED at seq ${completed.seq} (${completed.at})`));
    loaded.file.steps.forEach((s, i) => expect(body).toContain(norm(`Step ${i + 1}: ${s.title}`)));
    expect(body.split(norm('As performed (journal) — DONE'))).toHaveLength(loaded.file.steps.length + 1);
    for (const e of events) {
      expect(body, `${e.kind} ${e.seq}`).toContain(norm(`seq ${e.seq} · ${e.at}`));
      expect(body, `hash of ${e.seq}`).toContain(hashes.get(e.seq)!);
    }
    const witnessed = events.filter((e) => e.kind === 'ceremony.step-witnessed');
    expect(witnessed).toHaveLength(loaded.file.steps.reduce((n, s) => n + s.witnesses.count, 0));
    for (const w of witnessed) {
      expect(body).toContain(norm(`Checked off by witness ${w.body.custodianId} (${w.body.role})`));
      expect(body).toContain(norm(`key fingerprint ${w.body.fingerprint}`));
      expect(body).toContain(norm(`signature SHA-256 ${sha256(Buffer.from(w.body.signature, 'base64'))}`));
    }
    for (const e of events.filter((x) => x.kind === 'ceremony.step-checked'))
      for (const p of e.body.preconditions)
        expect(body).toContain(
          norm(`${p.result === 'pass' ? 'PASS' : 'FAIL'} [${p.kind}]`) +
            norm(Object.values(p.args).join(' ')),
        );
    for (const e of events.filter((x) => x.kind === 'ceremony.step-acted'))
      for (const p of e.body.postconditions) if (p.evidenceSha256) expect(body).toContain(p.evidenceSha256);
    // The deviation, on its filled exception sheet, with the MC's decision.
    const deviations = events.filter((e) => e.kind === 'ceremony.deviation');
    const decisions = events.filter((e) => e.kind === 'ceremony.decision');
    expect(deviations).toHaveLength(1);
    expect(decisions).toHaveLength(1);
    const sheet = norm(
      pages.find((p) => norm(p).includes(norm('Exception sheet 1 of 1 (filled from the journal)')))!,
    );
    expect(sheet).toContain(norm(deviations[0]!.body.expected));
    expect(sheet).toContain(norm(deviations[0]!.body.happened));
    expect(sheet).toContain(norm('Decision ☒ continue ☐ abort'));
    expect(sheet).toContain(norm(decisions[0]!.body.reason));
    expect(sheet).toContain(
      norm(`Decided by Ana Ruiz (ana-ruiz, master-of-ceremonies) at seq ${decisions[0]!.seq}`),
    );
  });

  it('prints a run not finished with IN PROGRESS — not a final transcript on every page', async () => {
    const out = join(suite.dir, 'open.pdf');
    ok(['ceremony', 'transcript', open, '--out', out]);
    const texts = await pageTexts(out);
    for (const t of texts)
      expect(norm(t)).toContain(norm(`REHEARSAL · IN PROGRESS — not a final transcript`));
    const body = norm(texts.join(' '));
    expect(body).toContain(norm('As performed (journal) — IN PROGRESS: needs check'));
    expect(body).toContain(norm('As performed (journal) — NOT REACHED'));
    expect(body).toContain(norm('No deviation was recorded in this run.'));
  });
});

describe('station ceremony bundle: the signed transcript bundle', () => {
  let zip: string;
  let csrPath: string;

  it('verifies, says REHEARSAL, and carries the journal entries, the file bytes, the CSR and the PDF', () => {
    ok(['session', 'sign-in', '--token', serial['ana-ruiz']!, '--pin-stdin'], `${PIN}\n`);
    const result = JSON.parse(ok(['ceremony', 'bundle', done, '--pin-stdin', '--json'], `${PIN}\n`)) as {
      path: string;
      packetId: string;
    };
    expect(result.packetId).toBe(`ceremony-${done}`);
    zip = result.path;
    expect(readdirSync(media)).toEqual([basename(zip)]);
    const verified = ok(['bundle', 'verify', zip]);
    expect(verified).toContain('kind ceremony-transcript');
    expect(verified).toContain('REHEARSAL');

    const files = unzipAll(zip);
    const envelope = JSON.parse(files.get('bundle.dsse.json')!.toString('utf8')) as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      subject: { name: string; digest: { sha256: string } }[];
      predicate: { bundleKind: string; title: string; packetId: string };
    };
    expect(statement.predicate.bundleKind).toBe('ceremony-transcript');
    expect(statement.predicate.title).toMatch(/^REHEARSAL — /);
    for (const s of statement.subject) expect(sha256(files.get(s.name)!)).toBe(s.digest.sha256);

    // The ceremony file, byte for byte, at the run's digest.
    expect(files.get('ceremony/file/key-generation.yaml')!.equals(readFileSync(EXAMPLE))).toBe(true);
    const { events, hashes } = journalOf(done);
    const acted = events.filter((e) => e.kind === 'ceremony.step-acted');
    const outputs = acted.flatMap((e) => e.body.outputs.map((o) => ({ stepId: e.body.stepId, ...o })));
    expect(outputs).toHaveLength(1);
    csrPath = outputs[0]!.path;
    const carried = files.get(`ceremony/outputs/${outputs[0]!.stepId}/${basename(csrPath)}`)!;
    expect(carried.equals(readFileSync(csrPath))).toBe(true);
    expect(sha256(carried)).toBe(outputs[0]!.sha256);
    expect(carried.toString('utf8')).toContain('-----BEGIN CERTIFICATE REQUEST-----');

    const transcript = JSON.parse(files.get('ceremony/transcript.json')!.toString('utf8')) as {
      marking: string;
      fileDigest: string;
      final: boolean;
      entries: { seq: number; kind: string; hash: string; body: unknown }[];
    };
    expect(transcript).toMatchObject({
      marking: 'REHEARSAL',
      fileDigest: loadCeremonyFile(EXAMPLE).digest.sha256,
      final: true,
    });
    expect(transcript.entries.map((e) => [e.seq, e.kind, e.hash])).toEqual(
      events.map((e) => [e.seq, e.kind, hashes.get(e.seq)]),
    );
    expect(transcript.entries.map((e) => e.body)).toEqual(events.map((e) => e.body));
    expect(files.get('ceremony/transcript.pdf')!.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The journal segment the bundle rests on holds every entry of the run, with the same hashes.
    const segment = files
      .get('journal/segment.jsonl')!
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { seq: number; hash: string });
    for (const e of events) expect(segment.find((r) => r.seq === e.seq)?.hash).toBe(hashes.get(e.seq));
  });

  it('refuses the export, naming the output, once one byte of the CSR changed after the run', () => {
    const bytes = readFileSync(csrPath);
    const at = bytes.length - 2;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(csrPath, bytes);
    const r = cli(['ceremony', 'bundle', done, '--pin-stdin'], `${PIN}\n`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('CEREMONY_OUTPUT_CHANGED');
    expect(r.stderr).toContain(csrPath);
    expect(readdirSync(media)).toEqual([basename(zip)]);
  });
});
