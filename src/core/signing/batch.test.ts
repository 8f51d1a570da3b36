import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeOperation, parseOperation } from '../custody/operation';
import { EVENT_BODIES } from '../journal/events';
import {
  artifactName,
  countedOutput,
  ecdsaRawToDer,
  gatedSignOperation,
  inDoubtOutput,
  manifestSha256,
  matchMedia,
  resumeState,
  sameManifest,
  signingManifestSchema,
} from './batch';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const manifest = [
  { artifact: 'b.tar.gz', sha256: sha('b'), sizeBytes: 1 },
  { artifact: 'a.deb', sha256: sha('a'), sizeBytes: null },
];

describe('SIGN-MATCH: media against the frozen manifest by name and SHA-256', () => {
  it('signs only exact matches; an unknown name and a differing digest are quarantined with both digests; absent is missing', () => {
    const r = matchMedia(manifest, [
      { name: 'a.deb', sha256: sha('a') },
      { name: 'b.tar.gz', sha256: sha('B') },
      { name: 'c.exe', sha256: sha('c') },
    ]);
    expect(r.matched.map((a) => a.artifact)).toEqual(['a.deb']);
    expect(r.quarantined).toEqual([
      { artifact: 'b.tar.gz', mediaSha256: sha('B'), manifestSha256: sha('b'), reason: 'digest-differs' },
      { artifact: 'c.exe', mediaSha256: sha('c'), manifestSha256: null, reason: 'off-manifest' },
    ]);
    expect(r.missing).toEqual([]);
    expect(matchMedia(manifest, [{ name: 'a.deb', sha256: sha('a') }]).missing).toEqual(['b.tar.gz']);
  });

  it('a look-alike name (case, trailing space) is not the artifact', () => {
    const r = matchMedia(manifest, [
      { name: 'A.deb', sha256: sha('a') },
      { name: 'a.deb ', sha256: sha('a') },
    ]);
    expect(r.matched).toEqual([]);
    expect(r.quarantined.map((q) => q.reason)).toEqual(['off-manifest', 'off-manifest']);
  });

  it('artifact names are file names, never paths, dot files or signature names', () => {
    for (const bad of ['../x', 'a/b', '.hidden', 'x.sig', 'a\nb', ''])
      expect(artifactName.safeParse(bad).success, bad).toBe(false);
    expect(artifactName.safeParse('app-1.2.3.tar.gz').success).toBe(true);
    const dup = signingManifestSchema.safeParse({
      manifestId: 'M',
      manifestVersion: 1,
      artifacts: [manifest[0], manifest[0]],
    });
    expect(dup.success).toBe(false);
  });
});

describe('SIGN-QUORUM: the gated-sign operation', () => {
  const gate = {
    declarationId: 'DECL-1',
    packetId: 'activation-gate-decl-1',
    version: 4,
    packetDigest: sha('p'),
    approvalSeq: 9,
    policyDigest: sha('q'),
    ledgerDigest: sha('l'),
    signingKey: { tokenSerial: '5c1e', keyId: '0a0b' },
  };
  it('binds packet version, key and manifest digest; round-trips and fits the journal', () => {
    const op = gatedSignOperation(gate, manifestSha256(manifest, sha256));
    const text = encodeOperation(op);
    expect(parseOperation(text)).toEqual(op);
    expect(EVENT_BODIES['quorum.session-opened'].shape.operation.safeParse(text).success).toBe(true);
    expect(text).toBe(`gated-sign:activation-gate-decl-1:4:5c1e:0a0b:${manifestSha256(manifest, sha256)}`);
  });
  it('the manifest digest does not depend on line order, and changes with any field', () => {
    expect(manifestSha256([...manifest].reverse(), sha256)).toBe(manifestSha256(manifest, sha256));
    expect(manifestSha256([{ ...manifest[0]!, sizeBytes: 2 }, manifest[1]!], sha256)).not.toBe(
      manifestSha256(manifest, sha256),
    );
  });
});

describe('SIGN-RESUME: the journal is the truth', () => {
  it('counted artifacts are never signed again; intended ones are in doubt; the rest pending', () => {
    const s = resumeState(manifest, [
      { type: 'intent', artifact: 'a.deb', sha256: sha('a') },
      { type: 'signed', artifact: 'a.deb', sha256: sha('a') },
      { type: 'intent', artifact: 'b.tar.gz', sha256: sha('b') },
    ]);
    expect([...s.signed]).toEqual(['a.deb']);
    expect([...s.inDoubt]).toEqual(['b.tar.gz']);
    expect(s.pending).toEqual([]);
    expect(resumeState(manifest, []).pending.map((a) => a.artifact)).toEqual(['a.deb', 'b.tar.gz']);
  });
  it('refuses a journal that counts an artifact twice, or names one the manifest does not hold', () => {
    const signed = { type: 'signed' as const, artifact: 'a.deb', sha256: sha('a') };
    expect(() => resumeState(manifest, [signed, signed])).toThrow(/twice/);
    expect(() => resumeState(manifest, [{ ...signed, sha256: sha('x') }])).toThrow(/does not hold/);
  });
});

describe("ecdsaRawToDer: the token's r||s as the DER a .sig holds", () => {
  it("round-trips node's own signatures (minimal integers, a leading zero for a high bit) and they verify", () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let highBit = 0;
    for (let i = 0; i < 300; i++) {
      const data = Buffer.from(`artifact ${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = Buffer.from(ecdsaRawToDer(raw));
      // OpenSSL re-encodes the DER it is given and refuses any other encoding: it verifies only if canonical.
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
      if ((raw[0] as number) & 0x80 || (raw[32] as number) & 0x80) highBit++;
    }
    expect(highBit).toBeGreaterThan(0);
  });

  it('encodes fixed values exactly and refuses what is not r||s', () => {
    const r = new Uint8Array(32);
    const s = new Uint8Array(32);
    r[31] = 1;
    s[0] = 0x80;
    expect(Buffer.from(ecdsaRawToDer(Uint8Array.from([...r, ...s]))).toString('hex')).toBe(
      `3026020101022100${'80'}${'00'.repeat(31)}`,
    );
    expect(() => ecdsaRawToDer(new Uint8Array(63))).toThrow(/even length/);
    expect(() => ecdsaRawToDer(new Uint8Array(0))).toThrow(/even length/);
  });
});

describe('SIGN-RESUME outputs', () => {
  const sig = Uint8Array.from([1, 2, 3]);
  const digest = Buffer.from(sha256(sig)).toString('hex');
  it('a counted output: intact when it holds the journaled signature; else rewritten from the journaled bytes; kept when the run recorded none', () => {
    expect(countedOutput({ signatureSha256: digest, signature: sig }, digest, sha256)).toBe('intact');
    expect(countedOutput({ signatureSha256: digest, signature: sig }, null, sha256)).toBe('rewrite');
    expect(countedOutput({ signatureSha256: digest, signature: sig }, sha('other'), sha256)).toBe('rewrite');
    expect(countedOutput({ signatureSha256: digest, signature: null }, null, sha256)).toBe('kept');
    expect(() => countedOutput({ signatureSha256: sha('x'), signature: sig }, null, sha256)).toThrow(
      /do not match/,
    );
  });

  it('an in-doubt output: none → sign; empty → replace then sign; verifies → adopt; anything else → foreign', () => {
    expect(inDoubtOutput(null)).toBe('sign');
    expect(inDoubtOutput({ size: 0, verifies: false })).toBe('replace-empty');
    expect(inDoubtOutput({ size: 72, verifies: true })).toBe('adopt');
    expect(inDoubtOutput({ size: 72, verifies: false })).toBe('foreign');
    expect(inDoubtOutput({ size: -1, verifies: false })).toBe('foreign');
  });
});

describe('SIGN-GATE: a re-read manifest exactly as journaled skips the parse and hash', () => {
  const known = signingManifestSchema.parse({ manifestId: 'M', manifestVersion: 2, artifacts: manifest });
  const raw = () =>
    JSON.parse(JSON.stringify({ manifestId: 'M', manifestVersion: 2, artifacts: manifest })) as {
      manifestId: string;
      manifestVersion: number;
      artifacts: Record<string, unknown>[];
    };
  it('is true only for the same fields entry by entry, and then the digest is the same', () => {
    expect(sameManifest(raw(), known)).toBe(true);
    expect(manifestSha256(signingManifestSchema.parse(raw()).artifacts, sha256)).toBe(
      manifestSha256(known.artifacts, sha256),
    );
  });
  it('is false for any difference, an extra field or another order (then the schema and the hash decide)', () => {
    const variants: ((m: ReturnType<typeof raw>) => void)[] = [
      (m) => (m.manifestId = 'N'),
      (m) => (m.manifestVersion = 3),
      (m) => (m.artifacts[0]!.sha256 = sha('x')),
      (m) => (m.artifacts[1]!.sizeBytes = 0),
      (m) => (m.artifacts[0]!.artifact = 'c.deb'),
      (m) => (m.artifacts[0]!.extra = 1),
      (m) => ((m as Record<string, unknown>).extra = 1),
      (m) => m.artifacts.reverse(),
      (m) => m.artifacts.pop(),
      (m) => m.artifacts.push({ ...m.artifacts[0]! }),
    ];
    for (const change of variants) {
      const m = raw();
      change(m);
      expect(sameManifest(m, known)).toBe(false);
    }
    expect(sameManifest(null, known)).toBe(false);
    expect(sameManifest([], known)).toBe(false);
  });
});
