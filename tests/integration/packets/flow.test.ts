import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSuite, stationCli, tokenSerial } from '../../e2e/harness';
import { DEMO_ACK_ARGS, DEMO_SUBJECT, resolveDemoHoldArgs } from '../../helpers/deferral-resolve';

/**
 * Governance packets as a release-integrity PM builds one with the built CLI: a demo station on a real
 * SQLite file and SoftHSM2, evidence files on a folder standing in for removable media (a PDF printed by
 * Chromium, JSON, CSV, text), completeness by check ID, append-only versions, handoff and a signed export.
 * The packet is a rotation-deferral packet about the demo's deferral request: its register and outcome
 * are the findings engine's (tests/integration/packets/derived.test.ts covers them in depth).
 */
let suite: ReturnType<typeof demoSuite>;
let dir: string;
let media: string;
let env: Record<string, string>;
const P = 'deferral-rsk';

const cli = (args: string[], input?: string) => stationCli([...args, '--data-dir', dir], input, env);
const journalLength = () =>
  stationCli(['journal', 'export', '--data-dir', dir], undefined, env).stdout.trim().split('\n').length;
const lastEntries = (n: number) =>
  stationCli(['journal', 'export', '--data-dir', dir], undefined, env)
    .stdout.trim()
    .split('\n')
    .slice(-n)
    .map((l) => JSON.parse(l) as { kind: string; body: string });
const draft = () =>
  (
    JSON.parse(cli(['packet', 'show', P, '--json']).stdout) as {
      draft: {
        evidence: {
          evidenceId: string;
          mediaType: string;
          sha256: string;
          excerpt: string;
          indicators: unknown[];
        }[];
      };
    }
  ).draft;
const ok = (r: { status: number; stderr: string }) => {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
};

function printPdf(name: string, html: string): string {
  const src = join(suite.root, `${name}.html`);
  writeFileSync(src, html);
  const out = join(media, `${name}.pdf`);
  const r = spawnSync(
    '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-pdf-header-footer',
      `--print-to-pdf=${out}`,
      `file://${src}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(existsSync(out), r.stderr).toBe(true);
  return out;
}

beforeAll(() => {
  suite = demoSuite();
  ({ dir, media, env } = suite);
  ok(
    cli([
      'packet',
      'new',
      P,
      '--kind',
      'rotation-deferral',
      '--covers',
      'Deferral of the RSK-2024 rotation by 90 days',
      '--subject',
      `requestId=${DEMO_SUBJECT}`,
    ]),
  );
});
afterAll(() => suite?.remove());

describe('evidence with provenance', () => {
  it('imports JSON, CSV, PDF and text from media: digest of the staged copy, type from content, parsed summary, kept content-addressed', () => {
    writeFileSync(join(media, 'fw.json'), JSON.stringify({ hsm: 'fw 2.6.1', attestation: 'mismatch' }));
    writeFileSync(join(media, 'signers.csv'), 'custodian,available\nalice,yes\nbob,no\n');
    writeFileSync(
      join(media, 'policy.txt'),
      'Mandatory rotation interval: 24 months.\nDeferral at most 90 days.\n',
    );
    const pdf = printPdf(
      'hsm-audit',
      '<h1>HSM audit</h1><p>All signing operations match approved ceremonies.</p>',
    );
    const imports: [string, string, string, RegExp][] = [
      ['fw.json', 'ev-fw', 'application/json', /JSON object with keys hsm, attestation/],
      ['signers.csv', 'ev-signers', 'text/csv', /CSV with 2 rows; columns custodian, available/],
      ['policy.txt', 'ev-policy', 'text/plain', /text, 3 lines/],
      ['hsm-audit.pdf', 'ev-audit', 'application/pdf', /PDF, 1 pages/],
    ];
    for (const [file, id, type, summary] of imports) {
      const r = cli([
        'packet',
        'import-evidence',
        P,
        join(media, file),
        '--id',
        id,
        '--title',
        file,
        '--system',
        'vendor-portal',
        '--effective',
        '2026-11-20',
        '--freshness-days',
        '30',
      ]);
      ok(r);
      expect(r.stdout).toContain(`${id}: ${type}`);
      expect(r.stdout).toMatch(summary);
    }
    const ev = draft().evidence;
    for (const [file, id] of imports) {
      const e = ev.find((x) => x.evidenceId === id)!;
      const sha = createHash('sha256')
        .update(readFileSync(join(media, file)))
        .digest('hex');
      expect(e.sha256).toBe(sha);
      expect(
        readFileSync(join(dir, 'objects', sha.slice(0, 2), sha)).equals(readFileSync(join(media, file))),
      ).toBe(true);
    }
    expect(ev.find((x) => x.evidenceId === 'ev-audit')!.excerpt).toContain('All signing operations match');
    expect(pdf).toContain('hsm-audit.pdf');
  });

  it('bad input gets a coded error naming the fix and writes nothing', () => {
    writeFileSync(join(media, 'broken.json'), '{"hsm": ');
    writeFileSync(
      join(media, 'broken.pdf'),
      '%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ntrailer <<>>\n%%EOF',
    );
    const cases: [string[], string, number][] = [
      [
        ['packet', 'import-evidence', P, join(media, 'broken.json'), '--id', 'ev-broken', '--title', 'x'],
        'EVIDENCE_UNREADABLE',
        3,
      ],
      [
        ['packet', 'import-evidence', P, join(media, 'broken.pdf'), '--id', 'ev-broken-pdf', '--title', 'x'],
        'EVIDENCE_UNREADABLE: broken.pdf: the file starts like a PDF but pdf.js cannot read it',
        3,
      ],
      [
        ['packet', 'import-evidence', P, join(media, 'fw.json'), '--id', 'ev-fw', '--title', 'again'],
        'PACKET_ITEM_EXISTS',
        3,
      ],
      [
        ['packet', 'claim', P, 'c-x', '--text', 'typed status', '--status', 'supported'],
        'PACKET_CLAIM_DERIVED',
        3,
      ],
      [
        ['packet', 'claim', P, 'c-x', '--text', 'a check that is no ID', '--check', 'custody is fresh'],
        'INVALID_INPUT',
        3,
      ],
      [
        ['packet', 'claim', P, 'c-x', '--text', 'cites nothing real', '--evidence', 'ev-nope'],
        'PACKET_EVIDENCE_UNKNOWN',
        3,
      ],
      [
        ['packet', 'import-evidence', P, join(media, 'nope.pdf'), '--id', 'ev-n', '--title', 'x'],
        'BUNDLE_NOT_FOUND',
        3,
      ],
      [
        ['packet', 'new', P, '--kind', 'rotation-deferral', '--covers', 'x', '--subject', 'requestId=DR-1'],
        'PACKET_EXISTS',
        3,
      ],
      [
        ['packet', 'new', 'p2', '--kind', 'rotation-deferral', '--covers', 'x'],
        'INVALID_INPUT: packet p2 names no subject',
        3,
      ],
      [['packet', 'new', 'p2', '--kind', 'coffee-order', '--covers', 'x'], 'INVALID_INPUT: kind', 3],
    ];
    for (const [args, code, status] of cases) {
      const before = journalLength();
      const r = cli(args);
      expect(r.stderr).toContain(code);
      expect(r.status).toBe(status);
      expect(journalLength()).toBe(before);
    }
  });
});

describe('completeness, versions and handoff', () => {
  it('the outcome moves the gate; versions are append-only with a diff; handoff follows the outcome and the evaluation', () => {
    // A claim bound to the check that supports it: its status is computed from that check's findings.
    ok(
      cli([
        'packet',
        'claim',
        P,
        'c-fw',
        '--text',
        'The primary HSM runs the published firmware',
        '--check',
        'DEF-HSM-ATTEST',
        '--evidence',
        'ev-fw',
      ]),
    );
    const claimStatus = (id: string) =>
      (
        JSON.parse(cli(['packet', 'show', P, '--json']).stdout) as {
          derived: { claims: { claimId: string; status: string }[] };
        }
      ).derived.claims.find((c) => c.claimId === id)?.status;
    expect(claimStatus('c-fw')).toBe('disputed');
    // The demo evaluated this subject already: the packet reads that evaluation and holds on its outcome.
    let check = cli(['packet', 'check', P]);
    expect(check.status).toBe(6);
    expect(check.stdout).toMatch(/gate HOLD-SOURCE/);
    expect(check.stdout).toMatch(/PASS PKT-EVALUATED/);
    expect(check.stdout).toMatch(
      /FAIL PKT-OUTCOME[\s\S]*hold-source-completion[\s\S]*DEF-HSM-ATTEST HSM-LUNA-0412/,
    );

    const v1 = cli(['packet', 'version', P]);
    ok(v1);
    expect(v1.stdout).toMatch(/version 1 {2}[0-9a-f]{64} {2}gate HOLD-SOURCE/);
    expect(cli(['packet', 'version', P]).stderr).toContain('nothing changed since version 1');

    // Handoff: no reviewer named is refused outright.
    let h = cli(['packet', 'handoff', P]);
    expect(h.stderr).toContain('PACKET_NOT_READY');
    expect(h.stderr).toContain('names no reviewer');
    ok(
      cli([
        'packet',
        'reviewers',
        P,
        '--reviewer',
        'board-reviewer=Dana Board',
        '--reviewer',
        'cryptography-engineering-manager=Cy Manager',
      ]),
    );
    ok(
      cli([
        'packet',
        'annotate',
        P,
        'DEF-HSM-ATTEST',
        'HSM-LUNA-0412',
        '--owner',
        'Pat PM',
        '--due',
        '2099-01-01',
      ]),
    );
    ok(cli(['packet', 'version', P]));
    // On a hold no acknowledgement helps: the refusal names the outcome and the deciding findings.
    const before = journalLength();
    h = cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS]);
    expect(h.status).toBe(6);
    expect(h.stderr).toMatch(
      /PACKET_NOT_READY: version 2 cannot be handed off: outcome hold-source-completion/,
    );
    expect(h.stderr).toContain('DEF-HSM-ATTEST HSM-LUNA-0412 (disputed, blocking)');
    expect(journalLength()).toBe(before);

    // The records that resolve the hold, then a new evaluation: handoff-with-exceptions.
    for (const args of resolveDemoHoldArgs(P)) ok(cli(args));
    expect(claimStatus('c-fw')).toBe('supported');
    check = cli(['packet', 'check', P]);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/gate READY/);
    h = cli(['packet', 'handoff', P]);
    expect(h.stderr).toContain('PACKET_ACKNOWLEDGEMENT_REFUSED');
    h = cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS]);
    ok(h);
    expect(h.stdout).toMatch(
      /v2 .* READY[\s\S]*outcome handoff-with-exceptions[\s\S]*acknowledged: DEF-CUSTODY-FRESH BT-0412-3 \(stale\)/,
    );
    const [entry] = lastEntries(1);
    expect(entry!.kind).toBe('packet.handoff-recorded');
    expect(JSON.parse(entry!.body)).toMatchObject({
      version: 2,
      gate: 'READY',
      blockersAcknowledged: true,
      evaluation: { outcome: 'handoff-with-exceptions', subject: DEMO_SUBJECT },
    });

    // A note on a finding makes a new version; the diff shows exactly that.
    ok(
      cli([
        'packet',
        'annotate',
        P,
        'DEF-SIGNERS',
        'CER-ROT-2027-02/key-operator',
        '--note',
        'carol asked to confirm',
      ]),
    );
    const v3 = cli(['packet', 'version', P]);
    expect(v3.stdout).toMatch(/version 3 .* gate READY/);
    const diff = cli(['packet', 'diff', P, '2', '3']);
    expect(diff.stdout.trim().split('\n')).toEqual([
      'added    annotations/DEF-SIGNERS CER-ROT-2027-02/key-operator #2',
    ]);
    const versions = cli(['packet', 'versions', P]).stdout.trim().split('\n');
    expect(versions).toHaveLength(3);
    expect(versions[0]).toContain(v1.stdout.match(/[0-9a-f]{64}/)![0]);
    ok(cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS]));
  });

  it('exports the handed-off version as a signed bundle for the board; sensitive evidence travels as digest only', () => {
    writeFileSync(join(media, 'custody.txt'), 'Backup token TB-104233 in safe B, inspected 2026-11-02.\n');
    ok(
      cli([
        'packet',
        'import-evidence',
        P,
        join(media, 'custody.txt'),
        '--id',
        'ev-custody',
        '--title',
        'Backup token custody',
        '--sensitive',
      ]),
    );
    ok(
      cli([
        'packet',
        'claim',
        P,
        'c-custody',
        '--text',
        'Backup token is in custody',
        '--check',
        'DEF-CUSTODY-FRESH',
        '--evidence',
        'ev-custody',
      ]),
    );
    ok(cli(['packet', 'version', P]));
    expect(
      cli(['bundle', 'export', '--kind', 'packet', '--packet', P, '--pin-stdin'], '123456\n').stderr,
    ).toContain('no handoff record');
    ok(cli(['packet', 'handoff', P, ...DEMO_ACK_ARGS]));
    const r = cli(
      ['bundle', 'export', '--kind', 'packet', '--packet', P, '--pin-stdin', '--json'],
      '123456\n',
    );
    expect(r.status).toBe(0);
    const exported = JSON.parse(r.stdout) as { path: string; version: number; requiredRoles: string[] };
    expect(exported.version).toBe(4);
    expect(exported.requiredRoles).toEqual(['board-reviewer', 'cryptography-engineering-manager']);
    const names = spawnSync('unzip', ['-Z1', exported.path], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(names).toEqual([
      'packet/packet.json',
      'packet/completeness.json',
      'packet/handoff.json',
      'evidence/ev-fw.json',
      'evidence/ev-signers.csv',
      'evidence/ev-policy.txt',
      'evidence/ev-audit.pdf',
      'journal/segment.jsonl',
      'journal/checkpoint.json',
      'bundle.dsse.json',
    ]);
    const packet = JSON.parse(
      spawnSync('unzip', ['-p', exported.path, 'packet/packet.json'], { encoding: 'utf8' }).stdout,
    ) as {
      version: number;
      content: { evidence: { evidenceId: string; excerpt: string; sha256: string }[] };
    };
    const custody = packet.content.evidence.find((e) => e.evidenceId === 'ev-custody')!;
    expect(custody.excerpt).not.toContain('TB-104233');
    // A reviewer confirms the version digest (printed on the PDF) from the bundle alone: packet.json's
    // content is exactly what was digested — RFC 8785 canonical JSON, here by Python's standard library
    // (sorted keys, no whitespace, UTF-8; the content holds no floats), not the station's code.
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import json,sys,hashlib; p=json.load(sys.stdin); c=json.dumps(p["content"],sort_keys=True,separators=(",",":"),ensure_ascii=False); print(hashlib.sha256(c.encode("utf-8")).hexdigest(), p["digest"])',
      ],
      {
        input: spawnSync('unzip', ['-p', exported.path, 'packet/packet.json'], { encoding: 'utf8' }).stdout,
        encoding: 'utf8',
      },
    );
    expect(py.status, py.stderr).toBe(0);
    const [recomputed, recorded] = py.stdout.trim().split(' ');
    expect(recomputed).toBe(recorded);
    expect(custody.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(media, 'custody.txt')))
        .digest('hex'),
    );
    expect(cli(['bundle', 'verify', exported.path]).status).toBe(0);
    // One export per version (the same through `packet export`).
    const again = cli(['packet', 'export', P, '--pin-stdin'], '123456\n');
    expect(again.stderr).toContain('OUTPUT_EXISTS');
    expect(again.status).toBe(3);
  });
});

describe('stop triggers', () => {
  it('evidence indicating unauthorised signing stops the packet with a journaled escalation notice; nothing continues', () => {
    ok(
      cli([
        'packet',
        'new',
        'deferral-hsm2',
        '--kind',
        'rotation-deferral',
        '--covers',
        'HSM2 key deferral',
        '--subject',
        `requestId=${DEMO_SUBJECT}`,
      ]),
    );
    printPdf(
      'vendor-notice',
      '<h1>Vendor notice</h1><p>Routine maintenance.</p><p>HSM reports unauthorized signing by key 0x1f at 03:12.</p>',
    );
    const before = journalLength();
    const r = cli([
      'packet',
      'import-evidence',
      'deferral-hsm2',
      join(media, 'vendor-notice.pdf'),
      '--id',
      'ev-notice',
      '--title',
      'Vendor notice',
    ]);
    expect(r.status).toBe(6);
    expect(r.stdout).toMatch(
      /STOPPED: Packet assembly stopped[\s\S]*ev-notice: unauthorised-signing — line \d+: HSM reports unauthorized signing/,
    );
    expect(lastEntries(2).map((e) => e.kind)).toEqual(['packet.edited', 'packet.stopped']);
    expect(journalLength()).toBe(before + 2);
    const check = cli(['packet', 'check', 'deferral-hsm2']);
    expect(check.stdout).toMatch(/gate STOPPED[\s\S]*FAIL PKT-STOP/);
    for (const args of [
      ['packet', 'claim', 'deferral-hsm2', 'c-1', '--text', 'x', '--evidence', 'ev-notice'],
      ['packet', 'version', 'deferral-hsm2'],
      [
        'packet',
        'attest',
        'deferral-hsm2',
        '--id',
        'ev-2',
        '--title',
        't',
        '--by',
        'Pat',
        '--text',
        'all fine',
      ],
    ]) {
      const refused = cli(args);
      expect(refused.stderr).toContain('PACKET_STOPPED');
      expect(refused.status).toBe(6);
    }
    expect(journalLength()).toBe(before + 2);
    expect(cli(['packet', 'list']).stdout).toMatch(/STOPPED\s+deferral-hsm2/);
  });

  it('a stop is cleared only under a custodian quorum bound to exactly that clearance, once; the stop stays on record', () => {
    const stops = cli(['packet', 'stops', 'deferral-hsm2']).stdout;
    const stopSeq = Number(/^stop at seq (\d+)/m.exec(stops)![1]);
    const operation = /clear only under a quorum bound to: (\S+)$/m.exec(stops)![1]!;
    expect(operation).toBe(`packet-stop-clear:deferral-hsm2:${stopSeq}`);
    const clear = (session: string) =>
      cli([
        'packet',
        'clear-stop',
        'deferral-hsm2',
        '--stop',
        String(stopSeq),
        '--session',
        session,
        '--reason',
        'vendor confirmed the notice was a test message',
      ]);
    const open = (op: string) => {
      const r = cli(['quorum', 'open', '--operation', op, '--ceremony', 'STOP-REVIEW', '--step', '1']);
      return /^session ([0-9a-f-]{36})$/m.exec(r.stdout)![1]!;
    };
    const checkIn = (session: string, who: string) =>
      expect(
        cli(
          [
            'quorum',
            'checkin',
            '--session',
            session,
            '--token',
            tokenSerial(dir, `Custodian ${who}`),
            '--pin-stdin',
            '--actor',
            `operator:${who.toLowerCase()}`,
          ],
          '123456\n',
        ).stderr,
      ).toBe('');

    // A session for another operation, and one without quorum, are both refused; nothing is recorded.
    const wrong = open('packet-stop-clear:deferral-hsm2:1');
    checkIn(wrong, 'Alice');
    checkIn(wrong, 'Bob');
    const before = journalLength();
    expect(clear(wrong).stderr).toContain('QUORUM_WRONG_OPERATION');
    const session = open(operation);
    checkIn(session, 'Alice');
    expect(clear(session).stderr).toContain('QUORUM_NOT_REACHED');
    expect(journalLength()).toBe(before + 2);
    checkIn(session, 'Carol');
    const cleared = clear(session);
    expect(cleared.stderr).toBe('');
    expect(lastEntries(2).map((e) => e.kind)).toEqual(['packet.stop-cleared', 'quorum.session-closed']);
    expect(cli(['packet', 'check', 'deferral-hsm2']).stdout).toMatch(/PASS PKT-STOP/);
    expect(cli(['packet', 'stops', 'deferral-hsm2']).stdout).toMatch(/CLEARED by operator:alice \(seq/);
    // The packet continues; the quorum was used once.
    ok(
      cli([
        'packet',
        'claim',
        'deferral-hsm2',
        'c-readiness',
        '--text',
        'vendor notice reviewed',
        '--check',
        'DEF-READINESS',
        '--evidence',
        'ev-notice',
      ]),
    );
    expect(clear(session).stderr).toMatch(/no open stop|QUORUM_SESSION_CLOSED/);
  });
});

describe('certificates and the validity runway', () => {
  it('parses PEM and DER certificates made by openssl into the evidence index', () => {
    const certDir = join(suite.root, 'certs');
    mkdirSync(certDir);
    const make = (name: string, days: number) => {
      const r = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          join(certDir, `${name}.key`),
          '-out',
          join(media, `${name}.pem`),
          '-days',
          String(days),
          '-subj',
          `/CN=${name}`,
        ],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
    };
    make('Release Signing 2024', 3650);
    make('Timestamp Signer', 30);
    const der = spawnSync('openssl', [
      'x509',
      '-in',
      join(media, 'Timestamp Signer.pem'),
      '-outform',
      'DER',
      '-out',
      join(media, 'tsa.cer'),
    ]);
    expect(der.status).toBe(0);
    ok(
      cli([
        'packet',
        'new',
        'deferral-certs',
        '--kind',
        'rotation-deferral',
        '--covers',
        'runway check',
        '--subject',
        `requestId=${DEMO_SUBJECT}`,
      ]),
    );
    const pem = cli([
      'packet',
      'import-evidence',
      'deferral-certs',
      join(media, 'Release Signing 2024.pem'),
      '--id',
      'ev-cert',
      '--title',
      'Release signing certificate',
    ]);
    ok(pem);
    expect(pem.stdout).toContain('ev-cert: application/pkix-cert, 1 X.509 certificate');
    const tsa = cli([
      'packet',
      'import-evidence',
      'deferral-certs',
      join(media, 'tsa.cer'),
      '--id',
      'ev-tsa',
      '--title',
      'TSA certificate',
    ]);
    ok(tsa);
    const shown = (
      JSON.parse(cli(['packet', 'show', 'deferral-certs', '--json']).stdout) as {
        draft: {
          evidence: {
            evidenceId: string;
            certificates: { subject: string; notAfter: string; sha256: string }[];
          }[];
        };
      }
    ).draft;
    const tsaFacts = shown.evidence.find((e) => e.evidenceId === 'ev-tsa')!.certificates[0]!;
    const fp = spawnSync(
      'openssl',
      ['x509', '-in', join(media, 'Timestamp Signer.pem'), '-noout', '-fingerprint', '-sha256', '-enddate'],
      {
        encoding: 'utf8',
      },
    ).stdout;
    expect(tsaFacts.subject).toBe('CN=Timestamp Signer');
    expect(tsaFacts.sha256).toBe(/Fingerprint=([0-9A-F:]+)/.exec(fp)![1]!.replace(/:/g, '').toLowerCase());
    expect(new Date(/notAfter=(.+)/.exec(fp)![1]!).toISOString()).toBe(tsaFacts.notAfter);
    // The validity runway is the DEF-RUNWAY rule over imported certificate records now, not a packet check.
    expect(cli(['packet', 'check', 'deferral-certs']).stdout).not.toMatch(/DEF-RUNWAY/);
  });
});

describe('printing', () => {
  it('prints a recorded version to PDF with the version digest words on every page (read back with pdf.js)', async () => {
    const r = cli(['packet', 'print', P, '--version', '3']);
    ok(r);
    const path = /^wrote (\S+\.pdf) \((\d+) pages\)/m.exec(r.stdout)!;
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({
      data: new Uint8Array(readFileSync(path[1]!)),
      isEvalSupported: false,
    }).promise;
    expect(doc.numPages).toBe(Number(path[2]));
    const versions = cli(['packet', 'versions', P]).stdout.trim().split('\n');
    const digest = /[0-9a-f]{64}/.exec(versions[2]!)![0];
    const show = (JSON.parse(cli(['packet', 'show', P, '--json']).stdout) as { draft: { title: string } })
      .draft;
    for (let n = 1; n <= doc.numPages; n++) {
      const text = (await (await doc.getPage(n)).getTextContent()).items
        .map((i) => ('str' in i ? i.str : ''))
        .join(' ');
      expect(text, `page ${n}`).toContain(`${P} v3`);
      expect(text, `page ${n}`).toContain(digest.slice(0, 16));
      expect(text, `page ${n}`).toContain('Initials');
    }
    const first = (await (await doc.getPage(1)).getTextContent()).items
      .map((i) => ('str' in i ? i.str : ''))
      .join(' ');
    expect(first).toContain(show.title);
    expect(first).toContain('Where the station stops');
    await doc.destroy();
  });
});
