import { spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pae } from '../../../src/core/bundle/dsse';
import type { VerifiedBundle } from '../../../src/main/services/bundles/verify';
import { softwareSigner } from '../../../src/main/services/bundles/dsse';
import {
  loadKeyFile,
  signApproval,
  verifyWithCertificate,
} from '../../../src/main/services/bundles/reviewer';
import { registerTrust, signInCli, STATION_BIN, stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';

/**
 * Bundles as operators and reviewers run them: the built CLI, a demo station on SoftHSM2, a folder
 * standing in for the removable volume (STATION_MEDIA_DIRS), and standard tools (unzip, openssl) as
 * independent checks of the archive and the DSSE signature.
 */
let suite: ReturnType<typeof suiteTempDir>;
let dir: string;
let media: string;
let env: Record<string, string>;
const PIN = '123456\n';
const PASS = 'correct horse battery staple\n';

const cli = (args: string[], input?: string) => stationCli([...args, '--data-dir', dir], input, env);
const reviewerCli = (args: string[], input?: string) => stationCli(args, input, env);
const kindsAfter = (n: number) =>
  stationCli(['journal', 'export', '--data-dir', dir], undefined, env)
    .stdout.trim()
    .split('\n')
    .slice(n)
    .map((l) => JSON.parse(l) as { kind: string; body: string });
const journalLength = () => kindsAfter(0).length;
const unzipText = (zip: string, name: string) => {
  const r = spawnSync('unzip', ['-p', zip, name], { encoding: 'buffer' });
  expect(r.status).toBe(0);
  return r.stdout;
};

beforeAll(() => {
  suite = suiteTempDir();
  dir = join(suite.dir, 'station');
  media = join(suite.dir, 'usb');
  mkdirSync(media);
  env = { STATION_MEDIA_DIRS: media };
  expect(stationCli(['demo', '--data-dir', dir], undefined, env).status).toBe(0);
  signInCli(dir, 'Alice', env);
});
afterAll(() => suite?.remove());

function exportKind(kind: string): { path: string; digest: string; version: number; words: string[] } {
  const r = cli(
    ['bundle', 'export', '--kind', kind, '--pin-stdin', '--actor', 'operator:alice', '--json'],
    PIN,
  );
  expect(r.stderr).toContain('reading back and verifying');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { path: string; digest: string; version: number; words: string[] };
}

describe('export to removable media', () => {
  it('lists the media state, writes a bundle, verifies it by reading it back, and journals it', () => {
    expect(JSON.parse(cli(['media', '--json']).stdout)).toMatchObject({
      state: 'ready',
      volumes: [{ path: media, state: 'ready' }],
    });
    const before = journalLength();
    const b = exportKind('custody-report');
    expect(b.path).toBe(join(media, 'custody-report-v1.bundle.zip'));
    expect(b.words).toHaveLength(8);
    // No temporary file is left beside it.
    expect(readdirSync(media)).toEqual(['custody-report-v1.bundle.zip']);
    // Alice's sign-in came after the demo's last checkpoint: the export's login on the station token
    // anchors it first (a checkpoint), then records the export.
    const added = kindsAfter(before);
    expect(added.map((e) => e.kind)).toEqual(['journal.checkpoint', 'bundle.exported']);
    expect(JSON.parse(added[1]!.body)).toMatchObject({
      packetId: 'custody-report',
      version: 1,
      digest: b.digest,
    });
    // The export anchored the journal first: the bundle rests on a checkpoint over everything before it.
    const verify = cli(['bundle', 'verify', b.path]);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain(`digest ${b.digest}`);
    expect(verify.stdout).toMatch(/journal 1\.\.\d+, checkpoint \d+/);
    // The same file name is never overwritten: a second export is version 2.
    expect(exportKind('custody-report').version).toBe(2);
  });

  it('interop: unzip lists the archive cleanly and openssl verifies the DSSE signature over the PAE bytes', () => {
    const zip = join(media, 'custody-report-v1.bundle.zip');
    const list = spawnSync('unzip', ['-l', zip], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(
      /report\/custody-report\.json[\s\S]*journal\/segment\.jsonl[\s\S]*journal\/checkpoint\.json[\s\S]*bundle\.dsse\.json/,
    );
    expect(spawnSync('unzip', ['-tq', zip], { encoding: 'utf8' }).stdout).toContain('No errors detected');

    const envelope = JSON.parse(unzipText(zip, 'bundle.dsse.json').toString()) as {
      payload: string;
      payloadType: string;
      signatures: { keyid: string; sig: string }[];
    };
    const work = join(suite.dir, 'openssl');
    mkdirSync(work);
    writeFileSync(join(work, 'pae.bin'), pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64')));
    writeFileSync(join(work, 'sig.der'), Buffer.from(envelope.signatures[0]!.sig, 'base64'));
    const checkpoint = JSON.parse(unzipText(zip, 'journal/checkpoint.json').toString()) as {
      certificatePem: string;
    };
    writeFileSync(join(work, 'station.pem'), checkpoint.certificatePem);
    const pub = spawnSync('openssl', ['x509', '-in', join(work, 'station.pem'), '-pubkey', '-noout'], {
      encoding: 'utf8',
    });
    writeFileSync(join(work, 'pub.pem'), pub.stdout);
    const ok = spawnSync(
      'openssl',
      [
        'dgst',
        '-sha256',
        '-verify',
        join(work, 'pub.pem'),
        '-signature',
        join(work, 'sig.der'),
        join(work, 'pae.bin'),
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(ok.stdout.trim()).toBe('Verified OK');
    // And the subjects are the files' SHA-256 as sha256sum computes them.
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as {
      subject: { name: string; digest: { sha256: string } }[];
    };
    for (const s of statement.subject) {
      writeFileSync(join(work, 'part'), unzipText(zip, s.name));
      expect(spawnSync('sha256sum', [join(work, 'part')], { encoding: 'utf8' }).stdout.slice(0, 64)).toBe(
        s.digest.sha256,
      );
    }
  });

  it('a wrong PIN exports nothing and records nothing', () => {
    const before = journalLength();
    const r = cli(['bundle', 'export', '--kind', 'journal-segment', '--pin-stdin'], '000000\n');
    expect(r.stderr).toContain('PIN_INCORRECT');
    expect(r.status).toBe(5);
    expect(journalLength()).toBe(before);
    expect(readdirSync(media).filter((n) => n.startsWith('journal-segment'))).toEqual([]);
  });
});

describe('trust store and approvals', () => {
  let custody2: string;
  let stationPem: string;
  let verifiedCustody2: VerifiedBundle;

  const keygen = (who: string) => {
    const r = reviewerCli(
      ['reviewer', 'keygen', '--out', join(suite.dir, `${who}.key`), '--passphrase-stdin'],
      PASS,
    );
    expect(r.status).toBe(0);
  };
  const request = (who: string, name: string) => {
    const r = reviewerCli(
      [
        'reviewer',
        'request',
        '--key',
        join(suite.dir, `${who}.key`),
        '--name',
        name,
        '--organisation',
        'Example Corp',
        '--out-dir',
        media,
        '--passphrase-stdin',
      ],
      PASS,
    );
    expect(r.status).toBe(0);
    return {
      path: /^wrote (.+)$/m.exec(r.stdout)![1]!,
      words: /read these to the station operator: (.+)$/m.exec(r.stdout)![1]!,
    };
  };
  const approve = (who: string, name: string, bundle: string, extra: string[]) => {
    const r = reviewerCli(
      [
        'approve',
        bundle,
        '--key',
        join(suite.dir, `${who}.key`),
        '--trust',
        stationPem,
        '--name',
        name,
        '--out-dir',
        media,
        '--passphrase-stdin',
        ...extra,
      ],
      PASS,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return /^wrote (.+\.approval\.json):/m.exec(r.stdout)![1]!;
  };
  const importApproval = (file: string) => cli(['bundle', 'import', file, '--actor', 'operator:alice']);
  const lastRefusal = () => {
    const last = kindsAfter(journalLength() - 1)[0]!;
    return { kind: last.kind, body: JSON.parse(last.body) as { code: string } };
  };

  beforeAll(async () => {
    // The reviewer gets the station certificate from an identity bundle and checks it is self-consistent.
    const id = exportKind('identity');
    expect(reviewerCli(['bundle', 'verify', id.path, '--self']).status).toBe(0);
    stationPem = join(suite.dir, 'station-cert.pem');
    writeFileSync(stationPem, unzipText(id.path, 'identity/station-certificate.pem'));
    custody2 = join(media, 'custody-report-v2.bundle.zip');
    for (const who of ['alice', 'bob', 'carol']) keygen(who);
    verifiedCustody2 = await verifyWithCertificate(custody2, readFileSync(stationPem, 'utf8'), new Date());
  });

  it('registers a reviewer only when the fingerprint read back matches; the wrong one changes nothing', () => {
    const alice = request('alice', 'Alice Reviewer');
    const shown = cli(['trust', 'inspect', alice.path]);
    expect(shown.stdout).toContain(alice.words);
    const before = journalLength();
    const wrong = registerTrust(
      dir,
      alice.path,
      { id: 'alice', roles: 'release-integrity-owner,board-reviewer', words: 'abandon '.repeat(8).trim() },
      env,
    );
    expect(wrong.stderr).toContain('TRUST_FINGERPRINT_MISMATCH');
    expect(wrong.status).toBe(3);
    expect(journalLength()).toBe(before);
    const ok = registerTrust(
      dir,
      alice.path,
      { id: 'alice', roles: 'release-integrity-owner,board-reviewer', words: alice.words },
      env,
    );
    expect(ok.status).toBe(0);
    const bob = request('bob', 'Bob Board');
    expect(
      registerTrust(dir, bob.path, { id: 'bob', roles: 'board-reviewer', words: bob.words }, env).status,
    ).toBe(0);
    // One key, one entry.
    const again = registerTrust(
      dir,
      bob.path,
      { id: 'bob-2', roles: 'board-reviewer', words: bob.words },
      env,
    );
    expect(again.stderr).toContain('TRUST_DUPLICATE_KEY');
    // A second key whose holder reads as Bob (case-folding look-alike) is not a second person.
    keygen('bob-alias');
    const alias = request('bob-alias', 'BOB BOARD');
    const clash = registerTrust(
      dir,
      alias.path,
      { id: 'bob-alias', roles: 'board-reviewer', words: alias.words },
      env,
    );
    expect(clash.status).toBe(3);
    expect(clash.stderr).toContain('TRUST_NAME_CLASH');
    expect(clash.stderr).toContain('NAME-CLASH');
  });

  it('acceptance matrix: wrong role, wrong digest, older version, replayed, expired, duplicate key, unknown signer → only the valid ones count', async () => {
    const custody1 = join(media, 'custody-report-v1.bundle.zip');
    const cases: [string, () => string | Promise<string>, string][] = [
      [
        'wrong role',
        () => approve('alice', 'Alice Reviewer', custody2, ['--role', 'ca-delegate', '--sequence', '1']),
        'APPROVAL_ROLE_NOT_HELD',
      ],
      [
        'older version',
        () =>
          approve('alice', 'Alice Reviewer', custody1, [
            '--role',
            'release-integrity-owner',
            '--sequence',
            '2',
          ]),
        'APPROVAL_VERSION_SUPERSEDED',
      ],
      [
        'expired',
        () =>
          approve('alice', 'Alice Reviewer', custody2, [
            '--role',
            'release-integrity-owner',
            '--sequence',
            '3',
            '--expires',
            '2020-01-01T00:00:00.000Z',
          ]),
        'APPROVAL_EXPIRED',
      ],
      [
        'unknown signer',
        () => approve('carol', 'Carol Stranger', custody2, ['--role', 'board-reviewer', '--sequence', '1']),
        'APPROVAL_SIGNER_UNKNOWN',
      ],
      [
        'a statement edited after signing',
        () => {
          const valid = approve('alice', 'Alice Reviewer', custody2, [
            '--role',
            'release-integrity-owner',
            '--sequence',
            '4',
            '--comment',
            'edit test',
          ]);
          const env = JSON.parse(readFileSync(valid, 'utf8')) as { payload: string };
          const statement = JSON.parse(Buffer.from(env.payload, 'base64').toString()) as {
            predicate: { comment: string };
          };
          statement.predicate.comment = 'edited on the way';
          env.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
          const forged = valid.replace('.approval.json', '-edited.approval.json');
          writeFileSync(forged, JSON.stringify(env));
          return forged;
        },
        'APPROVAL_SIGNATURE_INVALID',
      ],
      [
        'wrong digest (validly signed, naming a digest the station never issued)',
        () => {
          const key = softwareSigner(
            loadKeyFile(readFileSync(join(suite.dir, 'alice.key'), 'utf8'), PASS.trim()),
          );
          const now = new Date();
          return signApproval({
            bundle: { ...verifiedCustody2, digest: 'e'.repeat(64) },
            sign: key,
            role: 'release-integrity-owner',
            decision: 'approve',
            comment: '',
            expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
            sequence: 5,
            reviewer: 'Alice Reviewer',
            now,
            outDir: media,
          }).then((r) => r.path);
        },
        'APPROVAL_DIGEST_MISMATCH',
      ],
    ];
    for (const [title, make, code] of cases) {
      const before = journalLength();
      const r = importApproval(await make());
      expect(r.stderr, title).toContain(code);
      const added = kindsAfter(before);
      expect(
        added.map((e) => e.kind),
        title,
      ).toEqual(['approval.refused']);
      expect(JSON.parse(added[0]!.body), title).toMatchObject({ code });
    }
    const valid = approve('alice', 'Alice Reviewer', custody2, [
      '--role',
      'release-integrity-owner',
      '--sequence',
      '10',
    ]);
    const accepted = importApproval(valid);
    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toContain('missing: board-reviewer');
    // Replayed: the same file again, and an older sequence from the same key.
    expect(importApproval(valid).stderr).toContain('APPROVAL_REPLAYED');
    expect(lastRefusal().body.code).toBe('APPROVAL_REPLAYED');
    const older = approve('alice', 'Alice Reviewer', custody2, [
      '--role',
      'release-integrity-owner',
      '--sequence',
      '9',
      '--decision',
      'reject',
    ]);
    expect(importApproval(older).stderr).toContain('APPROVAL_REPLAYED');
    // Duplicate key: alice cannot also fill board-reviewer on the same version.
    const twice = approve('alice', 'Alice Reviewer', custody2, [
      '--role',
      'board-reviewer',
      '--sequence',
      '11',
    ]);
    expect(importApproval(twice).stderr).toContain('APPROVAL_KEY_COUNTED');
    const bob = approve('bob', 'Bob Board', custody2, ['--role', 'board-reviewer', '--sequence', '1']);
    expect(importApproval(bob).stdout).toContain('missing: none');

    const listed = JSON.parse(cli(['bundle', 'list', '--json']).stdout) as {
      packetId: string;
      version: number;
      status: { approvals: { reviewer: string; role: string }[]; missingRoles: string[] };
    }[];
    const v2 = listed.find((v) => v.packetId === 'custody-report' && v.version === 2)!;
    expect(v2.status.approvals.map((a) => `${a.reviewer}:${a.role}`)).toEqual([
      'Alice Reviewer:release-integrity-owner',
      'Bob Board:board-reviewer',
    ]);
    expect(v2.status.missingRoles).toEqual([]);
  });
});

describe('reviewer key files', () => {
  it('keygen writes 0600 with scrypt; an old PBKDF2 file is refused naming rekey, and rekey keeps the key', () => {
    const fresh = join(suite.dir, 'fresh.key');
    expect(reviewerCli(['reviewer', 'keygen', '--out', fresh, '--passphrase-stdin'], PASS).status).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(fresh, 'utf8'))).toMatchObject({
      kdf: { name: 'scrypt', N: 131072, r: 8, p: 1 },
    });
    expect(reviewerCli(['reviewer', 'keygen', '--out', fresh, '--passphrase-stdin'], PASS).stderr).toContain(
      'OUTPUT_EXISTS',
    );

    // A key file as the station wrote it before: OpenSSL PKCS#8, PBKDF2 at 2048 iterations.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const legacy = join(suite.dir, 'legacy.key');
    writeFileSync(
      legacy,
      privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS.trim() }),
      { mode: 0o644 },
    );
    const out = join(suite.dir, 'legacy-out');
    mkdirSync(out);
    const request = (key: string) =>
      reviewerCli(
        ['reviewer', 'request', '--key', key, '--name', 'Olga Old', '--out-dir', out, '--passphrase-stdin'],
        PASS,
      );
    const refused = request(legacy);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('KEY_FILE_WEAK');
    expect(refused.stderr).toContain('station reviewer rekey');
    // The old file is 0644: every local account holds the sealed key. Said before the passphrase is asked.
    expect(refused.stderr).toContain(
      `warning: the key file ${legacy} is readable by other accounts (mode 0644); restrict it: chmod 600 ${legacy}`,
    );
    expect(readdirSync(out)).toEqual([]);

    const renewed = join(suite.dir, 'renewed.key');
    const rekey = reviewerCli(
      ['reviewer', 'rekey', '--key', legacy, '--out', renewed, '--passphrase-stdin'],
      PASS,
    );
    expect(rekey.status).toBe(0);
    expect(statSync(renewed).mode & 0o777).toBe(0o600);
    const fingerprint = createHash('sha256')
      .update(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }))
      .digest('hex');
    expect(rekey.stdout).toContain(`fingerprint ${fingerprint} (unchanged)`);
    // rekey says the old file still holds the key, and how exposed it is.
    expect(rekey.stdout).toContain(
      `the old file ${legacy} remains and still holds this key; it is readable by other accounts (mode 0644): delete it once ${renewed} works`,
    );
    const accepted = request(renewed);
    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toContain(`fingerprint ${fingerprint}`);
    expect(accepted.stderr).not.toContain('readable by other accounts');
  });
});

describe('an export killed mid-write', () => {
  it('leaves a .partial that the next media scan (`station media`) removes, reports and journals', async () => {
    const usb = join(suite.dir, 'usb-crash');
    mkdirSync(usb);
    const evidence = join(suite.dir, 'big-evidence.bin');
    writeFileSync(evidence, '');
    truncateSync(evidence, 512 * 1024 * 1024);
    const before = journalLength();
    const child = spawn(
      process.execPath,
      [
        STATION_BIN,
        'bundle',
        'export',
        '--kind',
        'evidence',
        '--evidence',
        evidence,
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      { env: { ...process.env, STATION_MEDIA_DIRS: usb }, stdio: ['pipe', 'ignore', 'ignore'] },
    );
    child.stdin.end(PIN);
    const exited = new Promise((res) => child.on('exit', res));
    // Kill it the moment its temporary file is on the media, well before 512 MiB are written.
    const deadline = Date.now() + 30_000;
    while (!readdirSync(usb).some((n) => n.endsWith('.partial')) && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 2));
    child.kill('SIGKILL');
    await exited;
    const left = readdirSync(usb);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.evidence-v\d+\.bundle\.zip\.cs-[0-9a-f-]{36}\.\d+\.[0-9a-f]{12}\.partial$/);

    const scan = stationCli(['media', '--data-dir', dir], undefined, { STATION_MEDIA_DIRS: usb });
    expect(scan.status).toBe(0);
    expect(scan.stdout).toContain(`removed interrupted export ${left[0]}`);
    expect(readdirSync(usb)).toEqual([]);
    const added = kindsAfter(before);
    expect(added.map((e) => e.kind)).toContain('media.partials-removed');
    expect(added.map((e) => e.kind)).not.toContain('bundle.exported');
    expect(JSON.parse(added.find((e) => e.kind === 'media.partials-removed')!.body)).toMatchObject({
      removed: [{ volume: usb, name: left[0] }],
    });
  });
});
