import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  readFileSync,
  writeFileSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  openSync,
  writeSync,
  closeSync,
  renameSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/core/errors';
import type { EventKind } from '../../../src/core/journal/events';
import { stationError } from '../../../src/main/errors';
import type { OpenGate } from '../../../src/main/services/activation';
import {
  cancelSigningRun,
  resumeSigningRun,
  signingRuns,
  signingStatus,
  startSigningRun,
  type SignRunRequest,
} from '../../../src/main/services/signing';
import { quorumSessionView } from '../../../src/main/services/custodians';
import { hashFile } from '../../../src/main/adapters/media/artifacts';
import { ERROR_CATALOGUE } from '../../../src/shared/errors';
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
 * Gated signing against a hostile review (docs/gated-signing.md): the gate rechecked between chunks,
 * the key's SPKI bound to the gate's ledger, folders confined to media volumes, non-regular media files,
 * outputs checked before completion, a completed manifest not signed again silently, the PIN first.
 */
let suite: ReturnType<typeof suiteTempDir>;
let w: SigningWorld;
let n = 0;

beforeAll(async () => {
  suite = suiteTempDir('station-signing-hard-');
  w = await signingWorld(suite.dir);
}, 60_000);

afterAll(() => {
  w?.station.close();
  suite?.remove();
});

function batch(files: Record<string, string | Buffer>) {
  const id = ++n;
  const media = join(suite.dir, `media-${id}`);
  const manifest = writeMedia(media, files);
  const out = join(suite.dir, `out-${id}`);
  mkdirSync(out);
  return { media, out, manifest, declarationId: `DECL-2026-07${String(id).padStart(2, '0')}` };
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
const ofRun = <K extends 'signing.artifact-intent' | 'signing.artifact-signed'>(kind: K, runId: string) =>
  events(kind)
    .filter((e) => e.body.runId === runId)
    .flatMap((e) => e.body.artifacts.map((a) => a.artifact));

describe('gated signing, hardened', () => {
  it('a gate that closes after the first chunk stops the batch with GATE_NOT_OPEN: counted stays counted, nothing more signed, no completion', async () => {
    const b = batch({ 'a.bin': 'a', 'b.bin': 'b', 'c.bin': 'c' });
    const gate = openGate(w, b.manifest, b.declarationId);
    const session = gatedQuorum(w, gate);
    // Open until this run has journaled its first chunk's intents; then the gate is no longer OPEN.
    let open = true;
    const provider = (): OpenGate => {
      const started = events('signing.run-started').find((e) => e.body.declarationId === b.declarationId);
      if (started && ofRun('signing.artifact-intent', started.body.runId).length > 0) open = false;
      if (!open) throw stationError('GATE_NOT_OPEN', 'the gate was closed by a new packet version', {});
      return gate;
    };
    const e = await refusal(startSigningRun(w.station, request(b, session), { gate: provider, chunk: 1 }));
    expect(e.code).toBe('GATE_NOT_OPEN');
    const run = signingStatus(w.station, { declarationId: b.declarationId }).runs[0]!;
    expect(run.state).toBe('open');
    expect(ofRun('signing.artifact-intent', run.runId)).toEqual(['a.bin']);
    expect(ofRun('signing.artifact-signed', run.runId)).toEqual(['a.bin']);
    expect(readdirSync(b.out).sort()).toEqual(['a.bin.sig']);
    expect(events('signing.run-completed').filter((x) => x.body.runId === run.runId)).toEqual([]);

    // The gate opens again for the same facts: the resume signs only what is left.
    open = true;
    const done = await resumeSigningRun(
      w.station,
      { declarationId: b.declarationId, pin: SIGNER_PIN, actor: ACTOR },
      { gate: () => gate, chunk: 1 },
    );
    expect(done.signed).toBe(3);
    expect(ofRun('signing.artifact-intent', run.runId).sort()).toEqual(['a.bin', 'b.bin', 'c.bin']);
  });

  it("refuses a key whose SPKI is not the one the gate's ledger recorded (SIGNING_KEY_CHANGED), before any claim", async () => {
    const b = batch({ 'a.bin': 'a' });
    const gate = openGate(w, b.manifest, b.declarationId);
    expect(gate.signingKey.spkiSha256).toBe(sha256(w.spki));
    const other = { ...gate, signingKey: { ...gate.signingKey, spkiSha256: 'ab'.repeat(32) } };
    const session = gatedQuorum(w, other);
    const e = await refusal(startSigningRun(w.station, request(b, session), { gate: () => other }));
    expect(e.code).toBe('SIGNING_KEY_CHANGED');
    expect(e.data).toMatchObject({ field: 'keyId', expected: 'ab'.repeat(32), found: sha256(w.spki) });
    expect(readdirSync(b.out)).toEqual([]);
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBeNull();
    expect(events('signing.run-started').filter((x) => x.body.declarationId === b.declarationId)).toEqual([]);
    // The same gate with the key's real SPKI digest signs.
    const ok = await startSigningRun(w.station, request(b, gatedQuorum(w, gate)), { gate: () => gate });
    expect(ok.signed).toBe(1);
  });

  it('media and output folders must resolve inside a listed media volume (a link out of it is followed and refused)', async () => {
    const b = batch({ 'a.bin': 'a' });
    const gate = openGate(w, b.manifest, b.declarationId);
    const session = gatedQuorum(w, gate);
    // A folder outside the station's volume (the suite folder), and a link inside it pointing out.
    const outside = mkdtempSync(join(tmpdir(), 'station-not-media-'));
    try {
      const link = join(suite.dir, `link-out-${n}`);
      symlinkSync(outside, link);
      for (const [field, req] of [
        ['outDir', { ...request(b, session), outDir: outside }],
        ['outDir', { ...request(b, session), outDir: link }],
        ['mediaDir', { ...request(b, session), mediaDir: link }],
      ] as const) {
        const e = await refusal(startSigningRun(w.station, req, { gate: () => gate }));
        expect(e.code).toBe('SIGNING_FOLDER_NOT_ON_MEDIA');
        expect(e.data.field).toBe(field);
      }
      expect(readdirSync(outside)).toEqual([]);
      expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBeNull();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a FIFO is never waited on: as a manifest name it refuses the batch, off the manifest it is ignored, hashed directly it is refused', async () => {
    const b = batch({ 'a.bin': 'a' });
    execFileSync('mkfifo', [join(b.media, 'stray.fifo')]);
    const gate = openGate(w, b.manifest, b.declarationId);
    const r = await startSigningRun(w.station, request(b, gatedQuorum(w, gate)), { gate: () => gate });
    expect(r.signed).toBe(1);
    expect(r.quarantined).toBe(0);
    expect(readdirSync(b.out).filter((f) => f.endsWith('.sig'))).toEqual(['a.bin.sig']);
    // Hashing the FIFO itself (what a swap between listing and reading would reach) refuses, not hangs.
    await expect(hashFile(b.media, 'stray.fifo', () => {})).rejects.toMatchObject({
      code: 'SIGNING_NOT_A_FILE',
    });

    const c = batch({ 'c.bin': 'c' });
    execFileSync('mkfifo', [join(c.media, 'pipe.bin')]);
    const withPipe = openGate(
      w,
      [...c.manifest, { artifact: 'pipe.bin', sha256: sha256(Buffer.from('p')), sizeBytes: 1 }],
      c.declarationId,
    );
    const session = gatedQuorum(w, withPipe);
    const e = await refusal(startSigningRun(w.station, request(c, session), { gate: () => withPipe }));
    expect(e.code).toBe('SIGNING_ARTIFACTS_MISSING');
    expect(e.data.missing).toEqual(['pipe.bin']);
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBeNull();
  });

  it("an artifact longer than the manifest's sizeBytes is not read past that size, and never signed", async () => {
    const b = batch({ 'small.bin': 'small', 'big.bin': 'frozen' });
    const gate = openGate(w, b.manifest, b.declarationId);
    writeFileSync(join(b.media, 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 1));
    const read: number[] = [];
    const e = await refusal(
      startSigningRun(w.station, request(b, gatedQuorum(w, gate)), {
        gate: () => gate,
        chunk: 1,
        onProgress: (p) => read.push(p.bytesDone),
      }),
    );
    expect(e.code).toBe('SIGNING_ARTIFACTS_MISSING');
    expect(e.data.missing).toEqual(['big.bin']);
    expect(Math.max(...read)).toBeLessThan(1024 * 1024);
    expect(readdirSync(b.out).sort()).toEqual(['small.bin.sig']);
    cancelSigningRun(w.station, { declarationId: b.declarationId, actor: ACTOR });
  });

  it('completion checks every counted output against the journal: a .sig removed or altered mid-batch is written again from the journaled bytes', async () => {
    const b = batch({ 'a.bin': 'a', 'b.bin': 'b', 'c.bin': 'c', 'd.bin': 'd' });
    const gate = openGate(w, b.manifest, b.declarationId);
    let tampered = false;
    const r = await startSigningRun(w.station, request(b, gatedQuorum(w, gate)), {
      gate: () => gate,
      chunk: 1,
      onProgress: (p) => {
        if (tampered || p.done < 2) return;
        tampered = true;
        rmSync(join(b.out, 'a.bin.sig'));
        writeFileSync(join(b.out, 'b.bin.sig'), 'not a signature');
      },
    });
    expect(tampered).toBe(true);
    expect(r.signed).toBe(4);
    const counted = events('signing.artifact-signed')
      .filter((x) => x.body.runId === r.runId)
      .flatMap((x) => x.body.artifacts);
    expect(counted.map((c) => c.artifact).sort()).toEqual(['a.bin', 'b.bin', 'c.bin', 'd.bin']);
    for (const c of counted)
      expect(readFileSync(join(b.out, c.signatureFile))).toEqual(Buffer.from(c.signature!, 'base64'));
  });

  it('completion re-reads an output this attempt wrote when anything changed since its read-back: a same-size byte rewritten in place, a same-size file renamed over it', async () => {
    const b = batch({ 'a.bin': 'a', 'b.bin': 'b', 'c.bin': 'c', 'd.bin': 'd', 'e.bin': 'e' });
    const gate = openGate(w, b.manifest, b.declarationId);
    let tampered = false;
    const r = await startSigningRun(w.station, request(b, gatedQuorum(w, gate)), {
      gate: () => gate,
      chunk: 1,
      onProgress: (p) => {
        if (tampered || p.done < 2) return;
        tampered = true;
        // a: one byte flipped in place (same inode, same size).
        const a = join(b.out, 'a.bin.sig');
        const bytes = readFileSync(a);
        const fd = openSync(a, 'r+');
        writeSync(fd, Buffer.from([bytes[bytes.length - 1]! ^ 1]), 0, 1, bytes.length - 1);
        closeSync(fd);
        // b: a file of the same size renamed over it (a new inode).
        const other = join(b.out, 'other.tmp');
        writeFileSync(other, Buffer.alloc(readFileSync(join(b.out, 'b.bin.sig')).length, 0x30));
        renameSync(other, join(b.out, 'b.bin.sig'));
      },
    });
    expect(tampered).toBe(true);
    expect(r.signed).toBe(5);
    const counted = events('signing.artifact-signed')
      .filter((x) => x.body.runId === r.runId)
      .flatMap((x) => x.body.artifacts);
    for (const c of counted)
      expect(readFileSync(join(b.out, c.signatureFile))).toEqual(Buffer.from(c.signature!, 'base64'));
  });

  it('a packet version whose run completed is not signed again without an explicit again', async () => {
    const b = batch({ 'a.bin': 'a' });
    const gate = openGate(w, b.manifest, b.declarationId);
    const first = await startSigningRun(w.station, request(b, gatedQuorum(w, gate)), { gate: () => gate });
    const out2 = join(suite.dir, `out-again-${n}`);
    mkdirSync(out2);
    const session = gatedQuorum(w, gate);
    const e = await refusal(
      startSigningRun(w.station, { ...request(b, session), outDir: out2 }, { gate: () => gate }),
    );
    expect(e.code).toBe('SIGNING_ALREADY_COMPLETED');
    expect(e.data).toMatchObject({ field: 'again', runId: first.runId });
    expect(readdirSync(out2)).toEqual([]);
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBeNull();
    const again = await startSigningRun(
      w.station,
      { ...request(b, session), outDir: out2, again: true },
      { gate: () => gate },
    );
    expect(again.runId).not.toBe(first.runId);
    expect(again.signed).toBe(1);
    // The journal says which run was asked for again, and which was not.
    const started = signingRuns(w.station, b.declarationId).map((r) => [
      r.started.body.runId,
      r.started.body.again,
    ]);
    expect(started).toEqual(
      expect.arrayContaining([
        [first.runId, undefined],
        [again.runId, true],
      ]),
    );
  });

  it('a wrong PIN is found before the quorum is claimed: no run is started, the session stays usable', async () => {
    const b = batch({ 'a.bin': 'a' });
    const gate = openGate(w, b.manifest, b.declarationId);
    const session = gatedQuorum(w, gate);
    const e = await refusal(
      startSigningRun(w.station, { ...request(b, session), pin: '000000' }, { gate: () => gate }),
    );
    expect(e.code).toMatch(/^PIN_/);
    expect(events('signing.run-started').filter((x) => x.body.declarationId === b.declarationId)).toEqual([]);
    expect(quorumSessionView(w.station, { sessionId: session }).closedReason).toBeNull();
    expect(readdirSync(b.out)).toEqual([]);
    // The same session, with the right PIN, signs.
    expect((await startSigningRun(w.station, request(b, session), { gate: () => gate })).signed).toBe(1);
  });

  it('a gate changed under an open run is refused naming the field, the facts and the fix', async () => {
    const b = batch({ 'a.bin': 'a', 'b.bin': 'frozen b' });
    const gate = openGate(w, b.manifest, b.declarationId);
    writeFileSync(join(b.media, 'b.bin'), 'swapped b');
    const first = await refusal(
      startSigningRun(w.station, request(b, gatedQuorum(w, gate)), { gate: () => gate }),
    );
    expect(first.code).toBe('SIGNING_ARTIFACTS_MISSING');
    expect(first.data).toMatchObject({ field: 'mediaDir', missing: ['b.bin'] });
    const next = { ...gate, version: 4, approvalSeq: 42 };
    const e = await refusal(
      resumeSigningRun(
        w.station,
        { declarationId: b.declarationId, pin: SIGNER_PIN, actor: ACTOR },
        { gate: () => next },
      ),
    );
    expect(e.code).toBe('SIGNING_GATE_CHANGED');
    expect(e.data).toMatchObject({ field: 'declarationId', changed: ['version', 'approval'] });
    // The catalogue's actions name the field and the fix.
    expect(ERROR_CATALOGUE.SIGNING_GATE_CHANGED.action).toMatch(/declarationId[\s\S]*station sign cancel/);
    expect(ERROR_CATALOGUE.SIGNING_ARTIFACTS_MISSING.action).toMatch(/mediaDir[\s\S]*station sign resume/);
    expect(ERROR_CATALOGUE.SIGNING_WRITE_FAILED.action).toMatch(
      /outDir[\s\S]*made durable[\s\S]*station sign resume/,
    );
    cancelSigningRun(w.station, { declarationId: b.declarationId, actor: ACTOR });
  });
});
