import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToken, demoSuite, stationCli, tokenSerial } from '../e2e/harness';

/**
 * docs/verify.md is run, not read: its `python file=` helpers and `sh verify=` steps are taken out of the
 * document and executed with bash, openssl, pkcs11-tool, unzip and python3 only (no project code in the
 * verification) against artifacts a demo station on SoftHSM2 makes fresh here. Every step must pass on the
 * real artifact and fail on a copy with one byte (or one character of its text form) changed.
 */
const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'verify.md'), 'utf8');
const files = new Map<string, string>();
const steps = new Map<string, string>();
for (const m of doc.matchAll(/^```(?:python|sh) (file|verify)=([\w.-]+)\n([\s\S]*?)^```$/gm)) {
  (m[1] === 'file' ? files : steps).set(m[2]!, m[3]!);
}

let suite: ReturnType<typeof demoSuite>;
let art: string;
const a: Record<string, string> = {};
const PIN = '123456\n';
const PASS = 'correct horse battery staple\n';

function cli(args: string[], input?: string): string {
  const r = stationCli([...args, '--data-dir', suite.dir], input, suite.env);
  if (r.status !== 0) throw new Error(`station ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}
function journal(): { seq: number; kind: string; body: string }[] {
  return cli(['journal', 'export'])
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; kind: string; body: string });
}
const lastBody = (kind: string) =>
  JSON.parse(journal().findLast((e) => e.kind === kind)!.body) as Record<string, unknown>;
function unzipTo(zip: string, name: string, out: string): string {
  const r = spawnSync('unzip', ['-p', zip, name]);
  if (r.status !== 0) throw new Error(`unzip ${zip} ${name}`);
  writeFileSync(out, r.stdout);
  return out;
}

/** Runs one documented step in a fresh folder holding the documented helpers and the word list. */
function run(step: string, env: Record<string, string>): { status: number; out: string } {
  const script = steps.get(step);
  if (!script) throw new Error(`docs/verify.md has no step ${step}`);
  const cwd = mkdtempSync(join(art, `run-${step}-`));
  for (const [name, text] of files) writeFileSync(join(cwd, name), text);
  writeFileSync(join(cwd, 'english.txt'), `${wordlist.join('\n')}\n`);
  const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
    timeout: 60_000,
  });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
/** What each step prints last when every check held. */
const SUCCESS: Record<string, string> = {
  'key-id': 'key id OK',
  csr: 'CSR OK',
  certificate: 'certificate OK',
  checkpoint: 'checkpoint OK',
  chain: 'chain OK',
  bundle: 'bundle OK',
  approval: 'approval OK',
  words: 'words OK',
  'share-health': 'share OK',
  'share-combine': 'the combined PIN opens the token',
  packet: 'packet OK',
  attestation: 'attestation OK',
};
function passes(step: string, env: Record<string, string>): string {
  const r = run(step, env);
  expect(r.status, r.out).toBe(0);
  expect(r.out).toContain(SUCCESS[step]);
  return r.out;
}
function fails(step: string, env: Record<string, string>): void {
  const r = run(step, env);
  expect(r.status, r.out).not.toBe(0);
  expect(r.out).not.toContain(SUCCESS[step]);
}

// ---- one changed byte ------------------------------------------------------------------------------
const HEX = '0123456789abcdef';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** The character at `i` replaced by the next one of its own alphabet (hex digit, base32, letter). */
function changeChar(text: string, i: number): string {
  const c = text[i]!;
  const alphabet = HEX.includes(c) ? HEX : B32.includes(c) ? B32 : 'abcdefghijklmnopqrstuvwxyz';
  const k = alphabet.indexOf(c);
  if (k < 0) throw new Error(`cannot change ${JSON.stringify(c)}`);
  return text.slice(0, i) + alphabet[(k + 1) % alphabet.length]! + text.slice(i + 1);
}
function tamperedFile(path: string, change: (text: string) => string, name = 'tampered'): string {
  const out = join(mkdtempSync(join(art, 'tamper-')), name);
  writeFileSync(out, change(readFileSync(path, 'utf8')));
  return out;
}
/** A PEM whose DER has one byte changed, found by the bytes `near` (the first byte of them flipped). */
function tamperedPem(path: string, label: string, near: Buffer, offset = 0): string {
  const b64 = readFileSync(path, 'utf8').replace(/-----[^-]+-----|\s/g, '');
  const der = Buffer.from(b64, 'base64');
  const at = der.indexOf(near);
  if (at < 0) throw new Error('bytes to tamper not found');
  der[at + offset]! ^= 0x01;
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return tamperedFile(
    path,
    () => `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`,
    'tampered.pem',
  );
}
/** The zip rewritten (as a valid zip, CRCs right) with one byte of one entry changed. */
function tamperedZip(zip: string, entry: string, change: (b: Buffer) => Buffer): string {
  const out = join(mkdtempSync(join(art, 'tamper-')), 'tampered.bundle.zip');
  const content = join(art, 'entry.bin');
  writeFileSync(content, change(spawnSync('unzip', ['-p', zip, entry]).stdout));
  const py = `import sys, zipfile
src, dst, name, content = sys.argv[1:5]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as zo:
    for info in zi.infolist():
        zo.writestr(info.filename, open(content, 'rb').read() if info.filename == name else zi.read(info))`;
  const r = spawnSync('python3', ['-c', py, zip, out, entry, content], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return out;
}

beforeAll(() => {
  suite = demoSuite();
  art = join(suite.root, 'artifacts');
  mkdirSync(art);

  // The station's identity bundle: its certificate and the fingerprint (and words) its holder reads out.
  const identity = JSON.parse(
    cli(['bundle', 'export', '--kind', 'identity', '--pin-stdin', '--json'], PIN),
  ) as {
    path: string;
  };
  a.identityBundle = identity.path;
  a.cert = unzipTo(identity.path, 'identity/station-certificate.pem', join(art, 'station.pem'));
  const station = JSON.parse(
    spawnSync('unzip', ['-p', identity.path, 'identity/station.json']).stdout.toString(),
  ) as {
    stationId: string;
    fingerprint: string;
    words: string[];
  };
  a.fingerprint = station.fingerprint;
  a.fingerprintWords = station.words.join(' ');
  a.stationId = station.stationId;
  a.stationPub = join(art, 'station-pub.pem');
  writeFileSync(
    a.stationPub,
    new X509Certificate(readFileSync(a.cert)).publicKey.export({ type: 'spki', format: 'pem' }),
  );

  // A P-384 key on the signing token, and a CSR made with it.
  const enclave = tokenSerial(suite.dir, 'Signing enclave (demo)', suite.env);
  const keygen = [
    'hsm',
    'keygen',
    '--token',
    enclave,
    '--label',
    'verify-doc',
    '--algorithm',
    'ec-p384',
    '--id',
    '0c0d',
  ];
  const template = /template digest ([0-9a-f]{64})/.exec(cli([...keygen, '--dry-run']))![1]!;
  cli([...keygen, '--confirm', template, '--pin-stdin', '--actor', 'operator:alice'], PIN);
  a.csr = join(art, 'req.pem');
  cli(
    [
      'hsm',
      'csr',
      '--token',
      enclave,
      '--key',
      '0c0d',
      '--cn',
      'Release Signing 2026',
      '--o',
      'Example Corp',
      '--ou',
      'Release Engineering',
      '--c',
      'DE',
      '--dns',
      'sign.example.org',
      '--ip',
      '192.0.2.7',
      '--out',
      a.csr,
      '--pin-stdin',
      '--actor',
      'operator:alice',
    ],
    PIN,
  );
  a.csrSha256 = lastBody('hsm.csr-created').csrSha256 as string;
  a.keySha256 = (lastBody('hsm.key-generated').key as { spkiSha256: string }).spkiSha256;

  // A typed attestation.
  a.attestation = 'Backup token B-2 seen sealed in safe 3 — bag 0042 intact, witnessed by Élodie.';
  cli([
    'packet',
    'attest',
    'deferral-rsk-2024',
    '--by',
    'Dana Whitfield',
    '--text',
    a.attestation,
    '--id',
    'ev-typed',
    '--title',
    'Typed seal check',
    '--actor',
    'operator:alice',
  ]);
  const edited = lastBody('packet.edited') as { change: { evidence: { sha256: string; origin: string } } };
  expect(edited.change.evidence.origin).toBe('attestation');
  a.attestationSha256 = edited.change.evidence.sha256;

  // M-of-N shares of a fresh ceremony token.
  const ceremony = addToken(suite.dir, 'Ceremony HSM', '654321');
  const shares = join(art, 'shares');
  mkdirSync(shares);
  const split = cli(
    [
      'shares',
      'split',
      '--token',
      ceremony,
      '--holders',
      'alice,bob,carol',
      '--threshold',
      '2',
      '--out-dir',
      shares,
      '--pin-stdin',
    ],
    '654321\n',
  );
  a.split = /^split ([0-9a-f]{32})$/m.exec(split)![1]!;
  a.share1 = join(shares, 'alice-share-1-of-3.txt');
  a.share3 = join(shares, 'carol-share-3-of-3.txt');

  // A governance packet version, handed off and exported: the bundle carries the journal pair.
  cli(['packet', 'handoff', 'activation-decl-2026-0611', '--actor', 'operator:alice']);
  const pkt = JSON.parse(
    cli(
      [
        'bundle',
        'export',
        '--kind',
        'packet',
        '--packet',
        'activation-decl-2026-0611',
        '--pin-stdin',
        '--json',
      ],
      PIN,
    ),
  ) as { path: string; digest: string; words: string[] };
  a.packetBundle = pkt.path;
  a.bundleDigest = pkt.digest;
  a.bundleWords = pkt.words.join(' ');
  a.packetJson = unzipTo(pkt.path, 'packet/packet.json', join(art, 'packet.json'));
  a.segment = unzipTo(pkt.path, 'journal/segment.jsonl', join(art, 'segment.jsonl'));
  a.checkpoint = unzipTo(pkt.path, 'journal/checkpoint.json', join(art, 'checkpoint.json'));
  a.versionDigest = lastBody('packet.version-recorded').digest as string;
  a.journal = join(art, 'journal.jsonl');
  writeFileSync(a.journal, cli(['journal', 'export']));

  // A reviewer (P-384 key file): registration bundle, then an approval of exactly that bundle.
  const reviewer = join(art, 'reviewer');
  mkdirSync(reviewer);
  const key = join(reviewer, 'dana.key');
  stationCli(['reviewer', 'keygen', '--out', key, '--curve', 'p384', '--passphrase-stdin'], PASS);
  const request = stationCli(
    [
      'reviewer',
      'request',
      '--key',
      key,
      '--passphrase-stdin',
      '--name',
      'Dana Whitfield',
      '--out-dir',
      reviewer,
    ],
    PASS,
  );
  a.keyreg = /^wrote (\S+\.keyreg\.bundle\.zip)$/m.exec(request.stdout)![1]!;
  a.reviewerPub = unzipTo(a.keyreg, 'key/public-key.pem', join(art, 'reviewer.pem'));
  const approve = stationCli(
    [
      'approve',
      a.packetBundle,
      '--trust',
      a.cert,
      '--role',
      'release-security-owner',
      '--name',
      'Dana Whitfield',
      '--key',
      key,
      '--passphrase-stdin',
      '--out-dir',
      reviewer,
      '--sequence',
      '7',
    ],
    PASS,
  );
  a.approval = /^wrote (\S+\.approval\.json):/m.exec(approve.stdout)![1]!;
}, 180_000);
afterAll(() => suite?.remove());

describe('docs/verify.md, run with openssl, pkcs11-tool, unzip and python3 only', () => {
  it('has every step, and no step the test does not run', () => {
    expect([...steps.keys()].sort()).toEqual(
      [
        'approval',
        'attestation',
        'bundle',
        'certificate',
        'chain',
        'checkpoint',
        'csr',
        'key-id',
        'packet',
        'share-combine',
        'share-health',
        'words',
      ].sort(),
    );
  });

  it('1. key ids: SHA-256 of the SPKI DER', () => {
    passes('key-id', { CERT: a.cert!, FINGERPRINT: a.fingerprint! });
    fails('key-id', { CERT: a.cert!, FINGERPRINT: changeChar(a.fingerprint!, 10) });
    const point = new X509Certificate(readFileSync(a.cert!)).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    fails('key-id', {
      CERT: tamperedPem(a.cert!, 'CERTIFICATE', point, point.length - 3),
      FINGERPRINT: a.fingerprint!,
    });
  });

  it('2. CSRs: self-signature, digest over the DER, the token key, X.500 name order', () => {
    const env = { CSR: a.csr!, CSR_SHA256: a.csrSha256!, KEY_SHA256: a.keySha256! };
    const r = passes('csr', env);
    expect(r).toContain('subject in DER order: C, O, OU, CN');
    expect(r).toContain('CSR OK');
    fails('csr', { ...env, CSR: tamperedPem(a.csr!, 'CERTIFICATE REQUEST', Buffer.from('Release Signing')) });
    fails('csr', { ...env, CSR_SHA256: changeChar(a.csrSha256!, 0) });
    fails('csr', { ...env, KEY_SHA256: a.fingerprint! });
  });

  it('3. the identity certificate: self-signed, issuer = subject, the station id in the name', () => {
    const r = passes('certificate', { CERT: a.cert!, STATION_ID: a.stationId! });
    expect(r).toContain('subject in DER order: O, CN, serialNumber');
    expect(r).toContain('certificate OK');
    fails('certificate', {
      CERT: tamperedPem(a.cert!, 'CERTIFICATE', Buffer.from('Ceremony Station')),
      STATION_ID: a.stationId!,
    });
    fails('certificate', { CERT: a.cert!, STATION_ID: changeChar(a.stationId!, 0) });
  });

  it('4. checkpoints: canonical statement, raw r‖s turned into DER, verified by openssl', () => {
    passes('checkpoint', { CHECKPOINT: a.checkpoint!, CERT: a.cert! });
    const head = (t: string) => changeChar(t, t.indexOf('"headHash": "') + 20);
    fails('checkpoint', { CHECKPOINT: tamperedFile(a.checkpoint!, head), CERT: a.cert! });
    const sig = (t: string) => {
      const cp = JSON.parse(t) as { signature: string };
      const raw = Buffer.from(cp.signature, 'base64');
      raw[40]! ^= 0x01;
      return t.replace(cp.signature, raw.toString('base64'));
    };
    fails('checkpoint', { CHECKPOINT: tamperedFile(a.checkpoint!, sig), CERT: a.cert! });
  });

  it('5. the journal hash chain ends at the signed head', () => {
    passes('chain', { SEGMENT: a.segment!, CHECKPOINT: a.checkpoint! });
    const lines = readFileSync(a.segment!, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"kind":"custody.sealed"'));
    const edit = (t: string) => {
      const ls = t.split('\n');
      const e = JSON.parse(ls[at]!) as { body: string };
      e.body = changeChar(e.body, e.body.indexOf('"') + 1);
      ls[at] = JSON.stringify(e);
      return ls.join('\n');
    };
    expect(at).toBeGreaterThan(0);
    fails('chain', { SEGMENT: tamperedFile(a.segment!, edit), CHECKPOINT: a.checkpoint! });
    // One line short of the checkpoint: cut from the tail.
    const cut = (t: string) => t.trimEnd().split('\n').slice(0, -1).join('\n') + '\n';
    fails('chain', { SEGMENT: tamperedFile(a.segment!, cut), CHECKPOINT: a.checkpoint! });
  });

  it('6. bundles: DSSE over the PAE (P-256 station, P-384 reviewer), subjects are the files', () => {
    const r = passes('bundle', { BUNDLE: a.packetBundle!, SIGNER: a.stationPub! });
    expect(r).toContain(`digest ${a.bundleDigest}`);
    expect(r).toContain(`signer key id ${a.fingerprint}`);
    expect(r).toContain('openssl dgst -sha256 -verify');
    expect(r).toContain('bundle OK');
    passes('bundle', { BUNDLE: a.identityBundle!, SIGNER: a.stationPub! });
    const reg = passes('bundle', { BUNDLE: a.keyreg!, SIGNER: a.reviewerPub! });
    expect(reg).toContain('openssl dgst -sha384 -verify');

    const fileFlip = tamperedZip(a.packetBundle!, 'packet/completeness.json', (b) => {
      b[100]! ^= 0x01;
      return b;
    });
    fails('bundle', { BUNDLE: fileFlip, SIGNER: a.stationPub! });
    const payloadFlip = tamperedZip(a.packetBundle!, 'bundle.dsse.json', (b) => {
      const t = b.toString();
      return Buffer.from(changeChar(t, t.indexOf('"payload"') + 60));
    });
    fails('bundle', { BUNDLE: payloadFlip, SIGNER: a.stationPub! });
    fails('bundle', { BUNDLE: a.packetBundle!, SIGNER: a.reviewerPub! });
  });

  it('7. approvals: the reviewer’s DSSE signature (SHA-384 for P-384) over a statement naming the bundle', () => {
    const env = { APPROVAL: a.approval!, REVIEWER: a.reviewerPub!, BUNDLE_DIGEST: a.bundleDigest! };
    const r = passes('approval', env);
    expect(r).toContain('openssl dgst -sha384 -verify');
    expect(r).toContain('approve as release-security-owner by Dana Whitfield');
    const payload = (t: string) => changeChar(t, t.indexOf('"payload"') + 80);
    fails('approval', { ...env, APPROVAL: tamperedFile(a.approval!, payload) });
    fails('approval', { ...env, BUNDLE_DIGEST: changeChar(a.bundleDigest!, 5) });
    fails('approval', { ...env, REVIEWER: a.stationPub! });
  });

  it('8. digest words: the first 8 BIP-39 words of the digest, most significant bit first', () => {
    passes('words', { DIGEST: a.fingerprint!, WORDS: a.fingerprintWords! });
    passes('words', { DIGEST: a.bundleDigest!, WORDS: a.bundleWords! });
    fails('words', { DIGEST: changeChar(a.bundleDigest!, 3), WORDS: a.bundleWords! });
  });

  it('9. share sheets: checksum, commitment, GF(2⁸) combination, and the PIN that opens the token', () => {
    const env = { JOURNAL: a.journal!, SPLIT: a.split! };
    const r = passes('share-health', { ...env, SHARE: a.share1! });
    expect(r).toMatch(/share 1 of 3 \(alice\) matches commitment( [0-9a-f]{4}){16}/);
    const typo = (t: string) => changeChar(t, 7);
    fails('share-health', { ...env, SHARE: tamperedFile(a.share1!, typo) });

    const rehearsal = {
      ...env,
      SHARE: a.share1!,
      SHARE2: a.share3!,
      MODULE: '/usr/lib/softhsm/libsofthsm2.so',
      TOKEN_LABEL: 'Ceremony HSM',
      SOFTHSM2_CONF: join(suite.dir, 'softhsm', 'softhsm2.conf'),
    };
    passes('share-combine', rehearsal);
    fails('share-combine', { ...rehearsal, SHARE2: tamperedFile(a.share3!, typo) });
    // The same share twice is not two shares.
    const copy = join(mkdtempSync(join(art, 'copy-')), 'again.txt');
    copyFileSync(a.share1!, copy);
    fails('share-combine', { ...rehearsal, SHARE2: copy });
  });

  it('10. a packet version digest: RFC 8785 of content', () => {
    const env = { PACKET_JSON: a.packetJson!, DIGEST: a.versionDigest! };
    passes('packet', env);
    const edit = (t: string) => changeChar(t, t.indexOf('"title": "') + 12);
    fails('packet', { ...env, PACKET_JSON: tamperedFile(a.packetJson!, edit) });
    fails('packet', { ...env, DIGEST: changeChar(a.versionDigest!, 7) });
  });

  it('11. a typed attestation: SHA-256 of its UTF-8 text', () => {
    passes('attestation', { TEXT: a.attestation!, SHA256: a.attestationSha256! });
    fails('attestation', { TEXT: changeChar(a.attestation!, 1), SHA256: a.attestationSha256! });
  });
});
