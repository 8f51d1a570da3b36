import { execFileSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pae } from '../../../src/core/bundle/dsse';
import { SIGNING_PREDICATE_TYPE } from '../../../src/core/signing/batch';
import { CodedError } from '../../../src/core/errors';
import type { EventKind } from '../../../src/core/journal/events';
import { Session } from '../../../src/main/adapters/hsm/module';
import { quorumSessionView } from '../../../src/main/services/custodians';
import {
  cancelSigningRun,
  resumeSigningRun,
  signingStatus,
  startSigningRun,
  type SignRunRequest,
} from '../../../src/main/services/signing';
import type { OpenGate } from '../../../src/main/services/activation';
import { suiteTempDir } from '../../helpers/temp';
import {
  ACTOR,
  SIGNER_PIN,
  gatedQuorum,
  openGate,
  sha256,
  signingWorld,
  writeMedia,
  type SigningWorld,
} from './world';

/**
 * Gated signing end to end on SoftHSM2 (docs/gated-signing.md): SIGN-GATE, SIGN-QUORUM, SIGN-MATCH,
 * SIGN-VERIFY, outputs never overwritten, cancel. The gate is a stand-in OPEN gate whose manifest lists
 * real files; signatures are checked with node's crypto and openssl against the token's public key.
 */
let suite: ReturnType<typeof suiteTempDir>;
let w: SigningWorld;
let n = 0;

beforeAll(async () => {
  suite = suiteTempDir('station-signing-');
  w = await signingWorld(suite.dir);
}, 60_000);

afterAll(() => {
  w?.station.close();
  suite?.remove();
});

function batch(files: Record<string, string | Buffer>, extra: Record<string, string> = {}) {
  const id = ++n;
  const media = join(suite.dir, `media-${id}`);
  const manifest = writeMedia(media, files);
  writeMedia(media, extra);
  const out = join(suite.dir, `out-${id}`);
  mkdirSync(out);
  return { media, out, manifest, declarationId: `DECL-2026-06${String(id).padStart(2, '0')}` };
}

function request(b: ReturnType<typeof batch>, quorumSessionId: string): SignRunRequest {
  return {
    declarationId: b.declarationId,
    mediaDir: b.media,
    outDir: b.out,
    quorumSessionId,
    pin: SIGNER_PIN,
    actor: ACTOR,
  };
}

async function refusal(p: Promise<unknown>): Promise<CodedError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const events = <K extends EventKind>(kind: K) => w.station.journal.eventsOfKind(kind);

describe('gated signing of exactly the frozen manifest', () => {
  it('signs every manifest artifact once; each .sig and the DSSE envelope verify against the token key; an off-manifest file is quarantined', async () => {
    const b = batch(
      {
        'app-1.2.3.tar.gz': 'release tarball',
        'app.deb': Buffer.alloc(3 * 1024 * 1024, 7),
        'SBOM.json': '{"sbom":1}',
      },
      { 'stray.exe': 'not in the manifest' },
    );
    const gate: OpenGate = openGate(w, b.manifest, b.declarationId);
    const session = gatedQuorum(w, gate);
    const progress: number[] = [];
    const r = await startSigningRun(w.station, request(b, session), {
      gate: () => gate,
      chunk: 2,
      onProgress: (p) => progress.push(p.done),
    });
    expect(r.signed).toBe(3);
    expect(r.quarantined).toBe(1);
    expect(progress.at(-1)).toBe(3);

    const key = createPublicKey({ key: w.spki, format: 'der', type: 'spki' });
    writeFileSync(join(suite.dir, 'signer.pem'), key.export({ type: 'spki', format: 'pem' }));
    for (const a of b.manifest) {
      const sig = readFileSync(join(b.out, `${a.artifact}.sig`));
      expect(
        verify('sha256', readFileSync(join(b.media, a.artifact)), { key, dsaEncoding: 'der' }, sig),
      ).toBe(true);
      // …and with openssl, an independent implementation.
      const ok = execFileSync('openssl', [
        ...['dgst', '-sha256', '-verify', join(suite.dir, 'signer.pem')],
        ...['-signature', join(b.out, `${a.artifact}.sig`), join(b.media, a.artifact)],
      ]).toString();
      expect(ok).toContain('Verified OK');
    }
    expect(existsSync(join(b.out, 'stray.exe.sig'))).toBe(false);

    const env = JSON.parse(readFileSync(r.envelopePath, 'utf8')) as {
      payload: string;
      payloadType: string;
      signatures: { sig: string }[];
    };
    const payload = Buffer.from(env.payload, 'base64');
    expect(
      verify(
        'sha256',
        pae(env.payloadType, payload),
        { key, dsaEncoding: 'der' },
        Buffer.from(env.signatures[0]!.sig, 'base64'),
      ),
    ).toBe(true);
    const statement = JSON.parse(payload.toString('utf8')) as {
      subject: { name: string; digest: { sha256: string } }[];
      predicateType: string;
      predicate: { declarationId: string; packet: { version: number }; approvalSeq: number };
    };
    expect(statement.predicateType).toBe(SIGNING_PREDICATE_TYPE);
    expect(statement.subject.map((s) => [s.name, s.digest.sha256]).sort()).toEqual(
      b.manifest.map((a) => [a.artifact, a.sha256]).sort(),
    );
    expect(statement.predicate).toMatchObject({
      declarationId: b.declarationId,
      packet: { version: 3 },
      approvalSeq: 41,
    });
    expect(sha256(readFileSync(r.envelopePath))).toBe(r.envelopeSha256);

    // The journal: each artifact counted exactly once; the stray quarantined with its digest; quorum used.
    const counted = events('signing.artifact-signed')
      .filter((e) => e.body.runId === r.runId)
      .flatMap((e) => e.body.artifacts.map((a) => a.artifact));
    expect(counted.sort()).toEqual(b.manifest.map((a) => a.artifact).sort());
    const q = events('signing.artifact-quarantined').filter((e) => e.body.declarationId === b.declarationId);
    expect(q.map((e) => e.body)).toEqual([
      expect.objectContaining({
        artifact: 'stray.exe',
        reason: 'off-manifest',
        manifestSha256: null,
        mediaSha256: sha256(Buffer.from('not in the manifest')),
      }),
    ]);
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBe('used');
    const status = signingStatus(w.station, { declarationId: b.declarationId });
    expect(status.runs[0]).toMatchObject({ state: 'completed', signed: 3, total: 3, inDoubt: 0 });
  });

  it('an artifact whose digest differs from the manifest is refused and quarantined with both digests; the batch cannot complete', async () => {
    const b = batch({ 'good.bin': 'good', 'tampered.bin': 'what the manifest froze' });
    const gate = openGate(w, b.manifest, b.declarationId);
    writeFileSync(join(b.media, 'tampered.bin'), 'swapped on the media');
    const session = gatedQuorum(w, gate);
    const e = await refusal(startSigningRun(w.station, request(b, session), { gate: () => gate }));
    expect(e.code).toBe('SIGNING_ARTIFACTS_MISSING');
    expect(e.data.missing).toEqual(['tampered.bin']);
    expect(existsSync(join(b.out, 'tampered.bin.sig'))).toBe(false);
    const q = events('signing.artifact-quarantined').filter((x) => x.body.declarationId === b.declarationId);
    expect(q.map((x) => x.body)).toEqual([
      expect.objectContaining({
        artifact: 'tampered.bin',
        reason: 'digest-differs',
        manifestSha256: sha256(Buffer.from('what the manifest froze')),
        mediaSha256: sha256(Buffer.from('swapped on the media')),
      }),
    ]);
    expect(signingStatus(w.station, { declarationId: b.declarationId }).runs[0]).toMatchObject({
      state: 'open',
      signed: 1,
    });
    cancelSigningRun(w.station, { declarationId: b.declarationId, actor: ACTOR });
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).not.toBeNull();
  });

  it('a manifest artifact missing from the media refuses the batch before the quorum is claimed', async () => {
    const b = batch({ 'a.bin': 'a', 'b.bin': 'b' });
    const gate = openGate(
      w,
      [...b.manifest, { artifact: 'absent.bin', sha256: sha256(Buffer.from('x')), sizeBytes: 1 }],
      b.declarationId,
    );
    const session = gatedQuorum(w, gate);
    const e = await refusal(startSigningRun(w.station, request(b, session), { gate: () => gate }));
    expect(e.code).toBe('SIGNING_ARTIFACTS_MISSING');
    expect(e.data.missing).toEqual(['absent.bin']);
    expect(readdirSync(b.out)).toEqual([]);
    const view = quorumSessionView(w.station, { sessionId: session });
    expect(view.closedReason).toBeNull();
    expect(view.state.reached).toBe(true);
  });

  it('refuses without a quorum bound to exactly this batch (too few check-ins, or another operation)', async () => {
    const b = batch({ 'a.bin': 'a' });
    const gate = openGate(w, b.manifest, b.declarationId);
    const one = gatedQuorum(w, gate, ['alice']);
    expect((await refusal(startSigningRun(w.station, request(b, one), { gate: () => gate }))).code).toBe(
      'QUORUM_NOT_REACHED',
    );
    // A quorum for another manifest (one byte different) does not authorise this one.
    const other = gatedQuorum(w, openGate(w, [{ ...b.manifest[0]!, sizeBytes: 2 }], b.declarationId));
    expect((await refusal(startSigningRun(w.station, request(b, other), { gate: () => gate }))).code).toBe(
      'QUORUM_WRONG_OPERATION',
    );
    expect(readdirSync(b.out)).toEqual([]);
    expect(events('signing.run-started').filter((e) => e.body.declarationId === b.declarationId)).toEqual([]);
  });

  it('refuses when the gate is not OPEN (the station’s own gate provider), before anything else', async () => {
    const b = batch({ 'a.bin': 'a' });
    const session = gatedQuorum(w, openGate(w, b.manifest, b.declarationId));
    const e = await refusal(startSigningRun(w.station, request(b, session)));
    expect(e.code).toBe('GATE_NOT_OPEN');
    expect(readdirSync(b.out)).toEqual([]);
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBeNull();
  });

  it('never overwrites an output: a signature name already taken refuses the batch before any claim', async () => {
    const b = batch({ 'a.bin': 'a', 'b.bin': 'b' });
    writeFileSync(join(b.out, 'b.bin.sig'), 'somebody else’s file');
    const gate = openGate(w, b.manifest, b.declarationId);
    const session = gatedQuorum(w, gate);
    const e = await refusal(startSigningRun(w.station, request(b, session), { gate: () => gate }));
    expect(e.code).toBe('OUTPUT_EXISTS');
    expect(readFileSync(join(b.out, 'b.bin.sig'), 'utf8')).toBe('somebody else’s file');
    expect(readdirSync(b.out)).toEqual(['b.bin.sig']);
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBeNull();
  });

  it('resume: a counted artifact whose .sig was deleted or altered is written again from the journaled signature, never signed again', async () => {
    const b = batch({ 'one.bin': 'first', 'two.bin': 'second', 'three.bin': 'frozen third' });
    const gate = openGate(w, b.manifest, b.declarationId);
    // The third artifact differs on the media: the run counts the other two and stays open.
    writeFileSync(join(b.media, 'three.bin'), 'swapped third');
    const session = gatedQuorum(w, gate);
    const e = await refusal(startSigningRun(w.station, request(b, session), { gate: () => gate, chunk: 1 }));
    expect(e.code).toBe('SIGNING_ARTIFACTS_MISSING');
    const runId = signingStatus(w.station, { declarationId: b.declarationId }).runs[0]!.runId;
    const counted = events('signing.artifact-signed')
      .filter((x) => x.body.runId === runId)
      .flatMap((x) => x.body.artifacts);
    expect(counted.map((c) => c.artifact).sort()).toEqual(['one.bin', 'two.bin']);
    const journaled = new Map(counted.map((c) => [c.artifact, Buffer.from(c.signature!, 'base64')]));
    for (const c of counted) {
      // The journaled bytes are exactly what was written, and their digest is the journaled one.
      expect(readFileSync(join(b.out, c.signatureFile))).toEqual(journaled.get(c.artifact));
      expect(sha256(journaled.get(c.artifact)!)).toBe(c.signatureSha256);
    }

    // One output deleted, the other altered; the media put right.
    rmSync(join(b.out, 'one.bin.sig'));
    writeFileSync(join(b.out, 'two.bin.sig'), 'not a signature');
    writeFileSync(join(b.media, 'three.bin'), 'frozen third');
    const signs = vi.spyOn(Session.prototype, 'signWith');
    try {
      const r = await resumeSigningRun(
        w.station,
        { declarationId: b.declarationId, pin: SIGNER_PIN, actor: ACTOR },
        { gate: () => gate },
      );
      expect(r.signed).toBe(3);
      // The token signed exactly the missing artifact and the batch envelope: nothing was signed again.
      expect(signs).toHaveBeenCalledTimes(2);
    } finally {
      signs.mockRestore();
    }
    // ECDSA signatures are randomised: a signature made again could not equal the journaled bytes.
    expect(readFileSync(join(b.out, 'one.bin.sig'))).toEqual(journaled.get('one.bin'));
    expect(readFileSync(join(b.out, 'two.bin.sig'))).toEqual(journaled.get('two.bin'));
    const key = createPublicKey({ key: w.spki, format: 'der', type: 'spki' });
    for (const name of ['one.bin', 'two.bin', 'three.bin'])
      expect(
        verify(
          'sha256',
          readFileSync(join(b.media, name)),
          { key, dsaEncoding: 'der' },
          readFileSync(join(b.out, `${name}.sig`)),
        ),
      ).toBe(true);
    // The journal: each artifact intended and counted exactly once over both attempts.
    const intents = events('signing.artifact-intent')
      .filter((x) => x.body.runId === runId)
      .flatMap((x) => x.body.artifacts.map((a) => a.artifact));
    expect(intents.sort()).toEqual(['one.bin', 'three.bin', 'two.bin']);
    const all = events('signing.artifact-signed')
      .filter((x) => x.body.runId === runId)
      .flatMap((x) => x.body.artifacts.map((a) => a.artifact));
    expect(all.sort()).toEqual(['one.bin', 'three.bin', 'two.bin']);
    expect(readdirSync(b.out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('cancel stops between chunks: what was counted stays counted, the rest is never signed, the run is over', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`part-${String(i).padStart(2, '0')}.bin`] = `part ${i}`;
    const b = batch(files);
    const gate = openGate(w, b.manifest, b.declarationId);
    const session = gatedQuorum(w, gate);
    const controller = new AbortController();
    const e = await refusal(
      startSigningRun(w.station, request(b, session), {
        gate: () => gate,
        chunk: 5,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done >= 10) controller.abort();
        },
      }),
    );
    expect(e.code).toBe('SIGNING_CANCELLED');
    // The cancel is seen between chunks; the one chunk the token had already signed while the previous
    // one landed still lands and is counted (nothing the token signed is thrown away), then nothing more.
    const sigs = readdirSync(b.out).filter((f) => f.endsWith('.sig'));
    expect([10, 15]).toContain(sigs.length);
    const run = signingStatus(w.station, { declarationId: b.declarationId }).runs[0]!;
    expect(run).toMatchObject({ state: 'cancelled', signed: sigs.length, total: 40, envelopeFile: null });
    const cancelled = events('signing.run-cancelled').filter((x) => x.body.runId === run.runId);
    expect(cancelled.map((x) => x.body)).toEqual([
      { runId: run.runId, signed: sigs.length, pending: 40 - sigs.length },
    ]);
    // Every intent journaled was counted: no signature the token made is in doubt after a cancel.
    const intended = events('signing.artifact-intent')
      .filter((x) => x.body.runId === run.runId)
      .flatMap((x) => x.body.artifacts.map((a) => a.artifact));
    expect(intended.sort()).toEqual(sigs.map((f) => f.slice(0, -'.sig'.length)).sort());
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBe('outcome-unknown');
  });

  it('a token signature that does not verify (small artifact on the verifying worker, large one through the verifier fed while hashing) is never written nor counted', async () => {
    for (const target of ['small.bin', 'large.img']) {
      const b = batch({
        'small.bin': 'small',
        'other.bin': 'other',
        'large.img': Buffer.alloc(2 * 1024 * 1024, 9),
      });
      const gate = openGate(w, b.manifest, b.declarationId);
      const session = gatedQuorum(w, gate);
      const wanted = b.manifest.find((a) => a.artifact === target)!.sha256;
      const original = Session.prototype.signWith;
      const signs = vi.spyOn(Session.prototype, 'signWith').mockImplementation(function (
        this: Session,
        ...args
      ) {
        const raw = original.apply(this, args);
        // The token's answer for the target artifact altered: one byte of s flipped.
        // Artifacts are signed over their digest (no data); the envelope over its PAE.
        if (args[2].length !== 0 || args[3]('sha256', args[2]).toString('hex') !== wanted) return raw;
        const bad = Buffer.from(raw);
        bad[bad.length - 1]! ^= 1;
        return bad;
      });
      let e: CodedError;
      try {
        e = await refusal(startSigningRun(w.station, request(b, session), { gate: () => gate }));
      } finally {
        signs.mockRestore();
      }
      expect(e.code).toBe('SIGNING_SIGNATURE_INVALID');
      expect(e.data.artifact).toBe(target);
      // Nothing of the chunk was written or counted.
      expect(readdirSync(b.out).filter((f) => f.endsWith('.sig'))).toEqual([]);
      const run = signingStatus(w.station, { declarationId: b.declarationId }).runs[0]!;
      expect(events('signing.artifact-signed').filter((x) => x.body.runId === run.runId)).toEqual([]);
      cancelSigningRun(w.station, { declarationId: b.declarationId, actor: ACTOR });
    }
  });
});
