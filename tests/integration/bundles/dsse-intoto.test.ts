import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalSubjectName, PREDICATE_TYPES, STATEMENT_TYPE } from '../../../src/core/bundle/statement';
import { canonicalBytes } from '../../../src/core/canonical';
import { CodedError } from '../../../src/core/errors';
import { writeArchive } from '../../../src/main/adapters/media/zip-writer';
import { systemDeps } from '../../../src/main/runtime';
import { acceptApprovalBytes } from '../../../src/main/services/bundles/approvals';
import { importBundle } from '../../../src/main/services/bundles/bundles';
import { Station } from '../../../src/main/station/station';
import { envelopeFor, forgeKey, sha256, type ForgeKey } from '../../helpers/bundle-forge';
import { suiteTempDir } from '../../helpers/temp';

/**
 * Conformance with the two standards a bundle and an approval are made of, through the station's real
 * import and approval paths (SQLite on disk, the station's own zip writer):
 * - DSSE envelope.md: "Either standard or URL-safe encoding is allowed" for payload and sig; anything
 *   outside both alphabets is still refused (BND-ENVELOPE, APR-ENVELOPE).
 * - in-toto Statement v1: consumers ignore unrecognised fields on the statement and its subjects, and
 *   digest algorithms they do not use; sha256 stays required and checked (BND-DIGEST), and the
 *   station's own predicate stays strict (BND-STATEMENT, APR-STATEMENT).
 */
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let media: string;
const stationKey = forgeKey();
const STATION_ID = '00000000-0000-4000-8000-00000000000b';
const reviewer = forgeKey();
const FILE = { name: 'evidence/report.txt', data: Buffer.from('evidence bytes\n') };
let packets = 0;

const trust = (trustId: string, key: ForgeKey, entryKind: 'station' | 'reviewer') => ({
  kind: 'trust.registered' as const,
  actor: 'operator:so',
  body: {
    trustId,
    name: trustId,
    entryKind,
    roles: entryKind === 'reviewer' ? ['board-reviewer'] : [],
    spki: key.spki.toString('base64'),
    fingerprint: key.fingerprint,
    algorithm: key.algorithm,
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2099-06-01T00:00:00.000Z',
    registrationDigest: sha256(key.spki),
    confirmedBy: 'Security Officer',
  },
});

beforeAll(() => {
  suite = suiteTempDir();
  media = join(suite.dir, 'media');
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  station.record([trust('station-b', stationKey, 'station'), trust('bob', reviewer, 'reviewer')]);
});
afterAll(() => {
  station?.close();
  suite?.remove();
});

type Json = Record<string, unknown>;
type EnvelopeJson = ReturnType<typeof envelopeFor>;

/** Re-encodes standard base64 text in the URL-safe alphabet, without its padding. */
const urlSafe = (b64: string) => Buffer.from(b64, 'base64').toString('base64url');

function bundleStatement(packetId: string, over: Json = {}, subject: Json = {}): Json {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: FILE.name, digest: { sha256: sha256(FILE.data) }, ...subject }],
    predicateType: PREDICATE_TYPES.bundle,
    predicate: {
      bundleKind: 'evidence',
      packetId,
      version: 1,
      title: 'Evidence from another signer',
      createdAt: '2026-11-25T10:00:00.000Z',
      station: { stationId: STATION_ID, name: 'station-b', fingerprint: stationKey.fingerprint },
      holder: null,
      journal: null,
    },
    ...over,
  };
}

/** A bundle written by the station's own zip writer around an envelope the test shapes. */
async function bundleOf(
  statement: (packetId: string) => Json,
  shape: (env: EnvelopeJson) => EnvelopeJson = (e) => e,
): Promise<{ path: string; payload: Buffer }> {
  const packetId = `conformance-${++packets}`;
  const payload = Buffer.from(canonicalBytes(statement(packetId)));
  const dir = join(media, packetId);
  mkdirSync(dir);
  const written = await writeArchive({
    dir,
    fileName: `${packetId}.bundle.zip`,
    files: [{ name: FILE.name, source: { bytes: FILE.data }, size: FILE.data.length }],
    mtime: new Date('2026-11-25T10:00:00.000Z'),
    sign: async () => Buffer.from(JSON.stringify(shape(envelopeFor(payload, stationKey)))),
  });
  return { path: written.path, payload };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => {
      if (!(e instanceof CodedError)) throw e;
      return { code: e.code, check: e.data.check };
    },
  );

describe('DSSE: either base64 alphabet (BND-ENVELOPE, APR-ENVELOPE)', () => {
  it('a bundle whose sig and payload are re-encoded URL-safe, unpadded, imports with the same digest', async () => {
    const b = await bundleOf(
      (id) => bundleStatement(id),
      (e) => ({
        ...e,
        payload: urlSafe(e.payload),
        signatures: e.signatures.map((s) => ({ ...s, sig: urlSafe(s.sig) })),
      }),
    );
    const view = await importBundle(station, b.path, 'operator:so');
    expect(view.signer).toBe('station-b');
    expect(view.digest).toBe(sha256(b.payload));
    expect(view.files.map((f) => f.name)).toEqual([FILE.name]);
  });

  it('a URL-safe sig that keeps its padding imports too', async () => {
    const b = await bundleOf(
      (id) => bundleStatement(id),
      (e) => ({
        ...e,
        signatures: e.signatures.map((s) => ({ ...s, sig: s.sig.replace(/\+/g, '-').replace(/\//g, '_') })),
      }),
    );
    expect((await importBundle(station, b.path, 'operator:so')).signer).toBe('station-b');
  });

  it('a sig with a character outside both alphabets is refused as a malformed envelope', async () => {
    const b = await bundleOf(
      (id) => bundleStatement(id),
      (e) => ({
        ...e,
        signatures: e.signatures.map((s) => ({ ...s, sig: `${s.sig.slice(0, 8)}*${s.sig.slice(9)}` })),
      }),
    );
    expect(await refusal(importBundle(station, b.path, 'operator:so'))).toEqual({
      code: 'BUNDLE_ENVELOPE_MALFORMED',
      check: 'BND-ENVELOPE',
    });
  });
});

describe('in-toto Statement v1: unrecognised fields ignored, sha256 and the predicate still checked', () => {
  const extras = (id: string) =>
    bundleStatement(
      id,
      { producer: { tool: 'other-signer', version: '2.1' } },
      {
        annotations: { reviewedBy: 'someone' },
        digest: { sha256: sha256(FILE.data), sha512: 'c'.repeat(128) },
      },
    );

  it('an extra top-level field, an extra subject field and a sha512 beside sha256 import', async () => {
    const b = await bundleOf(extras);
    const view = await importBundle(station, b.path, 'operator:so');
    expect(view.files).toEqual([{ name: FILE.name, sha256: sha256(FILE.data), size: FILE.data.length }]);
  });

  it('a subject with sha512 and a wrong sha256 is still a digest mismatch', async () => {
    const b = await bundleOf((id) =>
      bundleStatement(id, {}, { digest: { sha256: sha256(Buffer.from('other')), sha512: 'c'.repeat(128) } }),
    );
    expect(await refusal(importBundle(station, b.path, 'operator:so'))).toEqual({
      code: 'BUNDLE_DIGEST_MISMATCH',
      check: 'BND-DIGEST',
    });
  });

  it('a subject without sha256, or an unknown field in the station predicate, is refused', async () => {
    const noSha256 = await bundleOf((id) => bundleStatement(id, {}, { digest: { sha512: 'c'.repeat(128) } }));
    expect(await refusal(importBundle(station, noSha256.path, 'operator:so'))).toEqual({
      code: 'BUNDLE_STATEMENT_INVALID',
      check: 'BND-STATEMENT',
    });
    const strictPredicate = await bundleOf((id) => {
      const s = extras(id);
      return { ...s, predicate: { ...(s.predicate as Json), extra: 1 } };
    });
    expect(await refusal(importBundle(station, strictPredicate.path, 'operator:so'))).toEqual({
      code: 'BUNDLE_STATEMENT_INVALID',
      check: 'BND-STATEMENT',
    });
  });
});

describe('approvals: the same two rules on the approval path', () => {
  let sequence = 0;
  const packetDigest = sha256(Buffer.from('custody report v1'));

  beforeAll(() => {
    station.record([
      {
        kind: 'bundle.exported',
        actor: 'operator:so',
        body: {
          bundleKind: 'custody-report',
          packetId: 'custody-report',
          version: 1,
          title: 'Custody report',
          digest: packetDigest,
          fileSha256: sha256(Buffer.from('file')),
          fileName: 'custody-report-v1.bundle.zip',
          volume: '/media/usb',
          sizeBytes: 4,
          files: [],
          requiredRoles: ['board-reviewer'],
          journalToSeq: 1,
          checkpoint: null,
        },
      },
    ]);
  });

  function approval(
    opts: { over?: Json; subject?: Json; predicate?: Json; shape?: (e: EnvelopeJson) => EnvelopeJson } = {},
  ): Buffer {
    const statement = {
      _type: STATEMENT_TYPE,
      subject: [
        { name: approvalSubjectName('custody-report', 1), digest: { sha256: packetDigest }, ...opts.subject },
      ],
      predicateType: PREDICATE_TYPES.approval,
      predicate: {
        packetId: 'custody-report',
        packetVersion: 1,
        packetDigest,
        role: 'board-reviewer',
        decision: 'approve',
        comment: 'Seals and serials match the custody log.',
        expiresAt: '2099-01-01T00:00:00.000Z',
        sequence: ++sequence,
        reviewer: { name: 'Bob Board' },
        signedAt: '2026-12-01T10:00:00.000Z',
        ...opts.predicate,
      },
      ...opts.over,
    };
    const env = envelopeFor(Buffer.from(canonicalBytes(statement)), reviewer);
    return Buffer.from(JSON.stringify((opts.shape ?? ((e) => e))(env)));
  }
  const accept = (bytes: Buffer) => {
    try {
      return { accepted: acceptApprovalBytes(station, bytes, 'operator:so').decision };
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      return { code: e.code };
    }
  };

  it('an approval whose sig and payload are URL-safe is accepted', () => {
    const bytes = approval({
      shape: (e) => ({
        ...e,
        payload: urlSafe(e.payload),
        signatures: e.signatures.map((s) => ({ ...s, sig: urlSafe(s.sig) })),
      }),
    });
    expect(accept(bytes)).toEqual({ accepted: 'approve' });
  });

  it('an approval sig with a character outside both alphabets is APPROVAL_MALFORMED', () => {
    const bytes = approval({
      shape: (e) => ({ ...e, signatures: e.signatures.map((s) => ({ ...s, sig: `!${s.sig.slice(1)}` })) }),
    });
    expect(accept(bytes)).toEqual({ code: 'APPROVAL_MALFORMED' });
  });

  it('extra statement and subject fields and a sha512 are ignored; an unknown predicate field is refused', () => {
    expect(
      accept(
        approval({
          over: { producer: 'other-tool' },
          subject: { digest: { sha256: packetDigest, sha512: 'e'.repeat(128) }, uri: 'urn:x' },
        }),
      ),
    ).toEqual({ accepted: 'approve' });
    expect(accept(approval({ predicate: { extra: 1 } }))).toEqual({ code: 'APPROVAL_MALFORMED' });
    expect(accept(approval({ subject: { digest: { sha512: 'e'.repeat(128) } } }))).toEqual({
      code: 'APPROVAL_MALFORMED',
    });
  });
});
