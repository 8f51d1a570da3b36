import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pae } from '../../../src/core/bundle/dsse';
import type { VerifiedBundle } from '../../../src/main/services/bundle-verify';
import { softwareSigner } from '../../../src/main/services/dsse';
import { loadKeyFile, signApproval, verifyWithCertificate } from '../../../src/main/services/reviewer';
import { registerTrust, stationCli } from '../../e2e/harness';
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
    const added = kindsAfter(before);
    expect(added.map((e) => e.kind)).toEqual(['bundle.exported']);
    expect(JSON.parse(added[0]!.body)).toMatchObject({
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
