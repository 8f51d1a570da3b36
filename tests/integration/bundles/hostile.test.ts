import { mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../../../src/core/bundle/archive-policy';
import { CodedError } from '../../../src/core/errors';
import { systemDeps } from '../../../src/main/runtime';
import { importBundle } from '../../../src/main/services/bundles';
import { Station } from '../../../src/main/services/station';
import { forgeBundle, forgeKey, sha256, type ForgeKey } from '../../helpers/bundle-forge';
import type { ForgeEntry } from '../../helpers/zip-forge';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The hostile-media corpus: every bundle here is built by this file (nothing checked in), signed by a
 * key the station trusts unless the case is about the signature, and broken in exactly one way. Each
 * must be refused with its own code, leave one `bundle.import-refused` entry, and write nothing outside
 * the station's staging directory (which is emptied afterwards).
 */
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let media: string;
let trusted: ForgeKey;
let expired: ForgeKey;
let revoked: ForgeKey;

const file = (
  name: string | Buffer,
  data: Buffer | string = 'evidence bytes\n',
  over: Partial<ForgeEntry> = {},
): ForgeEntry => ({
  name,
  data: Buffer.isBuffer(data) ? data : Buffer.from(data),
  ...over,
});
const ok = (...extra: ForgeEntry[]) => [file('evidence/report.txt'), ...extra];
const bundle = (files: ForgeEntry[], hooks: Parameters<typeof forgeBundle>[2] = {}, key?: ForgeKey) =>
  forgeBundle(files, key ?? trusted, hooks);
/** Replace one entry after the statement was made (the statement still lists the original). */
const swap = (i: number, e: Partial<ForgeEntry>) => (entries: ForgeEntry[]) =>
  entries.map((x, j) => (j === i ? { ...x, ...e } : x));

function register(key: ForgeKey, trustId: string, validUntil: string) {
  station.record([
    {
      kind: 'trust.registered',
      actor: 'operator:so',
      body: {
        trustId,
        name: trustId,
        entryKind: 'reviewer',
        roles: ['board-reviewer'],
        spki: key.spki.toString('base64'),
        fingerprint: key.fingerprint,
        algorithm: 'ecdsa-p256-sha256',
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil,
        registrationDigest: sha256(key.spki),
        confirmedBy: 'Security Officer',
      },
    },
  ]);
}

beforeAll(() => {
  suite = suiteTempDir();
  media = join(suite.dir, 'media');
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  trusted = forgeKey();
  expired = forgeKey();
  revoked = forgeKey();
  register(trusted, 'reviewer-a', '2099-01-01T00:00:00.000Z');
  register(expired, 'reviewer-old', '2026-02-01T00:00:00.000Z');
  register(revoked, 'reviewer-gone', '2099-01-01T00:00:00.000Z');
  station.record([
    {
      kind: 'trust.revoked',
      actor: 'operator:so',
      body: { trustId: 'reviewer-gone', reason: 'laptop lost' },
    },
  ]);
});
afterAll(() => {
  station?.close();
  suite?.remove();
});

function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
      else out.push(relative(suite.dir, p));
    }
  };
  walk(dir);
  return out.filter((p) => !/station\.sqlite(-wal|-shm)?$/.test(p)).sort();
}

const small = (over: Partial<ArchiveLimits>): ArchiveLimits => ({ ...DEFAULT_ARCHIVE_LIMITS, ...over });
const zeros = Buffer.alloc(2 * 1024 * 1024);
const many = Array.from({ length: 30 }, (_, i) => file(`evidence/f${i}.txt`, `${i}\n`));
const dataOf = (e: ForgeEntry) => e.data;

interface Case {
  readonly title: string;
  readonly code: string;
  readonly make: () => Buffer;
  readonly limits?: ArchiveLimits;
}

const cases: Case[] = [
  // The file itself
  { title: 'random bytes', code: 'BUNDLE_NOT_ZIP', make: () => randomBytes(4096) },
  { title: 'an empty file', code: 'BUNDLE_NOT_ZIP', make: () => Buffer.alloc(0) },
  { title: 'a truncated archive', code: 'BUNDLE_NOT_ZIP', make: () => bundle(ok()).subarray(0, -10) },
  {
    title: 'a bundle file over the size limit',
    code: 'BUNDLE_TOO_LARGE',
    make: () => bundle(ok()),
    limits: small({ maxBundleBytes: 200 }),
  },
  // Layout
  {
    title: 'bytes after the end record',
    code: 'BUNDLE_TRAILING_DATA',
    make: () => bundle(ok(), { zip: { trailing: Buffer.from('MALWARE') } }),
  },
  {
    title: 'an archive comment',
    code: 'BUNDLE_TRAILING_DATA',
    make: () => bundle(ok(), { zip: { comment: Buffer.from('hello') } }),
  },
  {
    title: 'bytes before the first entry (self-extractor)',
    code: 'BUNDLE_HIDDEN_DATA',
    make: () => bundle(ok(), { zip: { prefix: Buffer.from('#!/bin/sh\nexit 0\n') } }),
  },
  {
    title: 'bytes hidden between entries',
    code: 'BUNDLE_HIDDEN_DATA',
    make: () => bundle(ok(), { zip: { gapAfter: { index: 0, bytes: Buffer.from('hidden payload') } } }),
  },
  {
    title: 'two names sharing one stored body (zip hard link)',
    code: 'BUNDLE_ENTRY_OVERLAP',
    make: () => bundle(ok(file('evidence/alias.txt')), { entries: swap(1, { sameOffsetAs: 0 }) }),
  },
  {
    title: 'a local header naming a different file',
    code: 'BUNDLE_HEADER_MISMATCH',
    make: () => bundle(ok(), { entries: swap(0, { localName: Buffer.from('evidence/other.txt') }) }),
  },
  // Limits
  {
    title: 'more entries than allowed',
    code: 'BUNDLE_TOO_MANY_ENTRIES',
    make: () => bundle(many),
    limits: small({ maxEntries: 20 }),
  },
  {
    title: 'one entry over the per-file limit',
    code: 'BUNDLE_ENTRY_TOO_LARGE',
    make: () => bundle(ok(file('evidence/big.bin', randomBytes(5000)))),
    limits: small({ maxEntryBytes: 4096 }),
  },
  {
    title: 'entries over the total limit',
    code: 'BUNDLE_TOTAL_TOO_LARGE',
    make: () => bundle(many),
    limits: small({ maxTotalBytes: 40 }),
  },
  {
    title: 'a decompression bomb (2 MiB of zeros)',
    code: 'BUNDLE_RATIO',
    make: () => bundle(ok(file('evidence/zeros.bin', zeros))),
  },
  {
    title: 'an entry that inflates to more than it declares',
    code: 'BUNDLE_SIZE_MISMATCH',
    make: () => bundle(ok(file('evidence/lie.txt', 'x'.repeat(5000), { declaredSize: 100 }))),
  },
  {
    title: 'a stored entry whose packed and unpacked sizes differ',
    code: 'BUNDLE_SIZE_MISMATCH',
    make: () => bundle(ok(file('evidence/stored.txt', 'abc', { method: 0, declaredSize: 4 }))),
  },
  {
    title: 'an encrypted entry',
    code: 'BUNDLE_ENCRYPTED',
    make: () => bundle(ok(file('evidence/secret.txt', 'x', { encrypted: true }))),
  },
  {
    title: 'an unknown compression method',
    code: 'BUNDLE_COMPRESSION_METHOD',
    make: () => bundle(ok(file('evidence/x.bz2', 'x', { method: 12 }))),
  },
  // Names
  {
    title: 'an absolute path',
    code: 'BUNDLE_PATH_ABSOLUTE',
    make: () => bundle(ok(file('/etc/cron.d/evil'))),
  },
  {
    title: 'a drive-letter path',
    code: 'BUNDLE_PATH_ABSOLUTE',
    make: () => bundle(ok(file('C:/Windows/evil.dll'))),
  },
  {
    title: 'a ".." traversal',
    code: 'BUNDLE_PATH_TRAVERSAL',
    make: () => bundle(ok(file('../escaped.txt'))),
  },
  {
    title: 'a traversal hidden mid-path',
    code: 'BUNDLE_PATH_TRAVERSAL',
    make: () => bundle(ok(file('evidence/../../../escaped.txt'))),
  },
  {
    title: 'a backslash in a name',
    code: 'BUNDLE_PATH_BACKSLASH',
    make: () => bundle(ok(file('evidence\\..\\escaped.txt'))),
  },
  { title: 'a NUL in a name', code: 'BUNDLE_NAME_NUL', make: () => bundle(ok(file('evidence/a.txt\0.pdf'))) },
  {
    title: 'a control character in a name',
    code: 'BUNDLE_NAME_INVALID',
    make: () => bundle(ok(file('evidence/a\x1b[2J.txt'))),
  },
  {
    title: 'an empty path segment',
    code: 'BUNDLE_NAME_INVALID',
    make: () => bundle(ok(file('evidence//a.txt'))),
  },
  {
    title: 'a name not in Unicode NFC',
    code: 'BUNDLE_NAME_INVALID',
    make: () => bundle(ok(file('evidence/cafe\u0301.txt'))),
  },
  {
    title: 'invalid UTF-8 in a UTF-8 name',
    code: 'BUNDLE_NAME_ENCODING',
    make: () => bundle(ok(file(Buffer.from([0x65, 0x2f, 0xc3, 0x28])))),
  },
  {
    title: 'high bytes in a name without the UTF-8 flag',
    code: 'BUNDLE_NAME_ENCODING',
    make: () => bundle(ok(file(Buffer.from([0x65, 0x2f, 0x82, 0x41]), 'x', { utf8: false }))),
  },
  {
    title: 'two entries with the same name',
    code: 'BUNDLE_NAME_DUPLICATE',
    make: () => bundle(ok(file('evidence/report.txt', 'other'))),
  },
  {
    title: 'names differing only in case',
    code: 'BUNDLE_NAME_CASE_COLLISION',
    make: () => bundle(ok(file('evidence/REPORT.txt'))),
  },
  {
    title: 'a Unicode-path extra field that renames an entry',
    code: 'BUNDLE_NAME_AMBIGUOUS',
    make: () => {
      const rename = Buffer.concat([
        Buffer.from([0x75, 0x70, 0x0c, 0x00, 0x01, 0, 0, 0, 0]),
        Buffer.from('../x.sh'),
      ]);
      return bundle(ok(file('evidence/b.txt', 'x', { extra: rename })));
    },
  },
  // Entry types
  {
    title: 'a directory entry',
    code: 'BUNDLE_DIRECTORY_ENTRY',
    make: () => bundle(ok(file('evidence/', '', { mode: 0o040755 }))),
  },
  {
    title: 'a directory by mode',
    code: 'BUNDLE_DIRECTORY_ENTRY',
    make: () => bundle(ok(file('evidence/d', '', { mode: 0o040755 }))),
  },
  {
    title: 'a symbolic link',
    code: 'BUNDLE_SYMLINK',
    make: () => bundle(ok(file('evidence/link', '/etc/shadow', { mode: 0o120777 }))),
  },
  {
    title: 'a character device',
    code: 'BUNDLE_SPECIAL_FILE',
    make: () => bundle(ok(file('evidence/tty', '', { mode: 0o020666 }))),
  },
  {
    title: 'a block device',
    code: 'BUNDLE_SPECIAL_FILE',
    make: () => bundle(ok(file('evidence/sda', '', { mode: 0o060660 }))),
  },
  {
    title: 'a FIFO',
    code: 'BUNDLE_SPECIAL_FILE',
    make: () => bundle(ok(file('evidence/fifo', '', { mode: 0o010644 }))),
  },
  // Envelope and signature
  {
    title: 'no envelope',
    code: 'BUNDLE_ENVELOPE_MISSING',
    make: () => bundle(ok(), { entries: (e) => e.slice(0, -1) }),
  },
  {
    title: 'an envelope that is not JSON',
    code: 'BUNDLE_ENVELOPE_MALFORMED',
    make: () => bundle(ok(), { envelopeBytes: () => Buffer.from('{not json') }),
  },
  {
    title: 'an envelope with an unknown member',
    code: 'BUNDLE_ENVELOPE_MALFORMED',
    make: () => bundle(ok(), { envelope: (e) => ({ ...e, x: 1 }) }),
  },
  {
    title: 'an envelope without signatures',
    code: 'BUNDLE_ENVELOPE_MALFORMED',
    make: () => bundle(ok(), { envelope: (e) => ({ ...e, signatures: [] }) }),
  },
  {
    title: 'a payload type other than in-toto',
    code: 'BUNDLE_PAYLOAD_TYPE',
    make: () => bundle(ok(), { signOpts: { payloadType: 'application/json' } }),
  },
  {
    title: 'a key the trust store does not hold',
    code: 'BUNDLE_SIGNER_UNKNOWN',
    make: () => bundle(ok(), {}, forgeKey()),
  },
  {
    title: 'a trusted keyid over a signature that does not verify',
    code: 'BUNDLE_SIGNATURE_INVALID',
    make: () => bundle(ok(), { signOpts: { signOver: Buffer.from('another statement') } }),
  },
  {
    title: 'a trusted keyid on a signature by another key',
    code: 'BUNDLE_SIGNATURE_INVALID',
    make: () => bundle(ok(), { signOpts: { keyid: trusted.fingerprint } }, forgeKey()),
  },
  { title: 'an expired key', code: 'BUNDLE_SIGNER_NOT_VALID', make: () => bundle(ok(), {}, expired) },
  { title: 'a revoked key', code: 'BUNDLE_SIGNER_NOT_VALID', make: () => bundle(ok(), {}, revoked) },
  // Statement and files
  {
    title: 'a signed payload that is not JSON',
    code: 'BUNDLE_STATEMENT_INVALID',
    make: () => bundle(ok(), { payload: () => Buffer.from('not json') }),
  },
  {
    title: 'a foreign predicate type',
    code: 'BUNDLE_STATEMENT_INVALID',
    make: () =>
      bundle(ok(), { statement: (s) => ({ ...s, predicateType: 'https://slsa.dev/provenance/v1' }) }),
  },
  {
    title: 'a subject listed twice',
    code: 'BUNDLE_STATEMENT_INVALID',
    make: () => bundle(ok(), { statement: (s) => ({ ...s, subject: [...s.subject, ...s.subject] }) }),
  },
  {
    title: 'a signed file missing from the archive',
    code: 'BUNDLE_SUBJECT_MISSING',
    make: () =>
      bundle(ok(file('evidence/second.txt')), {
        entries: (e) => e.filter((x) => x.name !== 'evidence/second.txt'),
      }),
  },
  {
    title: 'an archive file the statement does not list',
    code: 'BUNDLE_EXTRA_FILE',
    make: () => bundle(ok(), { entries: (e) => [file('evidence/smuggled.sh', '#!/bin/sh'), ...e] }),
  },
  {
    title: 'a file whose content differs from its signed digest',
    code: 'BUNDLE_DIGEST_MISMATCH',
    make: () => bundle(ok(), { entries: swap(0, { data: Buffer.from('evidence bytes, edited\n') }) }),
  },
];

describe('hostile bundles from removable media are refused, each with its own code', () => {
  it('the corpus covers at least 40 cases across every class', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.code)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$title → $code', async ({ title, code, make, limits }) => {
    const path = join(media, `${title.replace(/[^a-z0-9]+/gi, '-')}.bundle.zip`);
    writeFileSync(path, make());
    const before = tree(suite.dir);
    const head = station.journal.head().seq;
    const error = await importBundle(station, path, 'operator:so', { limits }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).code).toBe(code);
    // Exactly one journal entry: the refusal, with the same code.
    const added = station.journal.page(head + 1, 10);
    expect(added.map((r) => r.kind)).toEqual(['bundle.import-refused']);
    expect(JSON.parse(Buffer.from(added[0]!.body).toString())).toMatchObject({
      code,
      fileName: path.split('/').at(-1),
    });
    // Nothing appeared anywhere (staging is emptied; nothing escaped it); nothing reached the object store.
    expect(tree(suite.dir)).toEqual(before);
    expect(tree(suite.dir).some((p) => /escaped|evil|x\.sh/.test(p))).toBe(false);
  });

  it('a bundle file that is a symbolic link, or not a regular file, is refused before it is read', async () => {
    const real = join(media, 'real.bundle.zip');
    writeFileSync(real, bundle(ok()));
    const link = join(media, 'link.bundle.zip');
    symlinkSync(real, link);
    await expect(importBundle(station, link, 'operator:so')).rejects.toMatchObject({
      code: 'BUNDLE_SYMLINK',
    });
    await expect(importBundle(station, '/dev/zero', 'operator:so')).rejects.toMatchObject({
      code: 'BUNDLE_SPECIAL_FILE',
    });
  });
});

describe('valid bundles of several sizes are accepted and kept content-addressed', () => {
  it.each([
    ['an empty evidence file', [file('evidence/empty.txt', '')]],
    ['a small text file', ok()],
    [
      '5 MiB of incompressible bytes, stored',
      [file('evidence/image.bin', randomBytes(5 * 1024 * 1024), { method: 0 })],
    ],
    [
      '200 files',
      Array.from({ length: 200 }, (_, i) =>
        file(`evidence/part-${String(i).padStart(3, '0')}.csv`, `row,${i}\n`),
      ),
    ],
  ] as const)('%s', async (_title, files) => {
    const path = join(media, `valid-${files.length}-${files[0]!.data.length}.bundle.zip`);
    writeFileSync(path, bundle([...files]));
    const view = await importBundle(station, path, 'operator:so');
    expect(view.signer).toBe('reviewer-a');
    expect(view.files.map((f) => f.sha256)).toEqual(files.map((f) => sha256(dataOf(f))));
    for (const f of view.files) {
      const stored = join(station.dataDir, 'objects', f.sha256.slice(0, 2), f.sha256);
      expect(statSync(stored).size).toBe(f.size);
    }
    expect(station.journal.page(station.journal.head().seq, 1)[0]?.kind).toBe('bundle.imported');
    expect(readdirSync(join(station.dataDir, 'staging'))).toEqual([]);
  });
});
