import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { pae } from '../../src/core/bundle/dsse';
import type { ArchiveLimits } from '../../src/core/bundle/archive-policy';
import { BUNDLE_KINDS } from '../../src/core/bundle/statement';
import { canonicalBytes } from '../../src/core/canonical';
import { writeArchive } from '../../src/main/adapters/media/zip-writer';
import { forgeZip, type ForgeEntry, type ForgeOptions, type ZipPatch } from './zip-forge';

/** A software signing key for forged bundles, with its SPKI fingerprint (the DSSE keyid). */
export interface ForgeKey {
  readonly privateKey: KeyObject;
  readonly spki: Buffer;
  readonly fingerprint: string;
  readonly algorithm: 'ecdsa-p256-sha256' | 'ecdsa-p384-sha384' | 'ed25519';
}

export function forgeKey(curve: 'p256' | 'p384' | 'ed25519' = 'p256'): ForgeKey {
  const { privateKey } =
    curve === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: curve === 'p384' ? 'secp384r1' : 'prime256v1' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    privateKey,
    spki,
    fingerprint: createHash('sha256').update(spki).digest('hex'),
    algorithm: curve === 'ed25519' ? 'ed25519' : curve === 'p384' ? 'ecdsa-p384-sha384' : 'ecdsa-p256-sha256',
  };
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function envelopeFor(
  payload: Buffer,
  key: ForgeKey,
  opts: { payloadType?: string; keyid?: string | null; signOver?: Buffer; truncate?: number } = {},
): { payload: string; payloadType: string; signatures: { keyid?: string; sig: string }[] } {
  const payloadType = opts.payloadType ?? 'application/vnd.in-toto+json';
  const hash =
    key.algorithm === 'ed25519' ? null : key.algorithm === 'ecdsa-p384-sha384' ? 'sha384' : 'sha256';
  let sig = sign(hash, pae(payloadType, opts.signOver ?? payload), {
    key: key.privateKey,
    dsaEncoding: 'der',
  });
  if (opts.truncate) sig = sig.subarray(0, sig.length - opts.truncate);
  const keyid = opts.keyid === undefined ? key.fingerprint : opts.keyid;
  return {
    payload: payload.toString('base64'),
    payloadType,
    signatures: [keyid === null ? { sig: sig.toString('base64') } : { keyid, sig: sig.toString('base64') }],
  };
}

// ---------------------------------------------------------------------------------------------------
// The declarative case format of tests/fixtures/hostile-bundles/*/case.json

/** Bytes in a case file: text, hex, base64, repeats, zeros, seeded pseudo-random, extra fields, concatenations. */
export type BytesSpec =
  | string
  | { readonly hex: string }
  | { readonly base64: string }
  | { readonly repeat: string; readonly times: number }
  | { readonly zeros: number }
  | { readonly random: number; readonly seed?: string }
  | { readonly field: number | string; readonly data: BytesSpec; readonly size?: number }
  | { readonly concat: readonly BytesSpec[] };

const bytesSpec: z.ZodType<BytesSpec> = z.lazy(() =>
  z.union([
    z.string(),
    z.strictObject({ hex: z.string().regex(/^([0-9a-fA-F]{2}|\s)*$/) }),
    z.strictObject({ base64: z.string() }),
    z.strictObject({ repeat: z.string(), times: z.number().int().min(0) }),
    z.strictObject({ zeros: z.number().int().min(0) }),
    z.strictObject({ random: z.number().int().min(0), seed: z.string().optional() }),
    z.strictObject({
      field: z.union([z.number().int(), z.string().regex(/^0x[0-9a-fA-F]{1,4}$/)]),
      data: bytesSpec,
      size: z.number().int().min(0).max(0xffff).optional(),
    }),
    z.strictObject({ concat: z.array(bytesSpec) }),
  ]),
);

export function bytesOf(b: BytesSpec): Buffer {
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if ('hex' in b) return Buffer.from(b.hex.replace(/\s+/g, ''), 'hex');
  if ('base64' in b) return Buffer.from(b.base64, 'base64');
  if ('repeat' in b) return Buffer.from(b.repeat.repeat(b.times), 'utf8');
  if ('zeros' in b) return Buffer.alloc(b.zeros);
  if ('random' in b) {
    // Deterministic: the same case builds the same bytes on every run.
    const out = Buffer.alloc(b.random);
    for (let i = 0, block = 0; i < out.length; block++) {
      const h = createHash('sha256')
        .update(`${b.seed ?? 'seed'}:${block}`)
        .digest();
      i += h.copy(out, i);
    }
    return out;
  }
  if ('field' in b) {
    const data = bytesOf(b.data);
    const head = Buffer.alloc(4);
    head.writeUInt16LE(typeof b.field === 'number' ? b.field : parseInt(b.field, 16), 0);
    head.writeUInt16LE(b.size ?? data.length, 2);
    return Buffer.concat([head, data]);
  }
  return Buffer.concat(b.concat.map(bytesOf));
}

const num = z.number().int();
/** Every ForgeEntry knob a case can set, with byte fields as BytesSpec. */
const fileFields = z.strictObject({
  data: bytesSpec.optional(),
  method: num.optional(),
  utf8: z.boolean().optional(),
  mode: num.optional(),
  host: num.optional(),
  externalAttributes: num.optional(),
  internalAttributes: num.optional(),
  specVersion: num.optional(),
  versionNeeded: num.optional(),
  localVersionNeeded: num.optional(),
  extra: bytesSpec.optional(),
  localExtra: bytesSpec.optional(),
  centralExtra: bytesSpec.optional(),
  comment: bytesSpec.optional(),
  localName: bytesSpec.optional(),
  encrypted: z.boolean().optional(),
  flags: num.optional(),
  localFlags: num.optional(),
  localMethod: num.optional(),
  dosTime: num.optional(),
  localDosTime: num.optional(),
  declaredSize: num.optional(),
  declaredCompressedSize: num.optional(),
  crc: num.optional(),
  localCrc: num.optional(),
  localSize: num.optional(),
  localCompressedSize: num.optional(),
  packed: bytesSpec.optional(),
  sameOffsetAs: num.optional(),
  offsetDelta: num.optional(),
  diskStart: num.optional(),
  descriptor: z.boolean().optional(),
  descriptorCrc: num.optional(),
  descriptorSize: num.optional(),
  descriptorCompressedSize: num.optional(),
  descriptorNoSignature: z.boolean().optional(),
  descriptorWithoutFlag: z.boolean().optional(),
  descriptorOmitted: z.boolean().optional(),
  descriptorLocalSizes: z.boolean().optional(),
  zip64: z.boolean().optional(),
  zip64Delta: z.tuple([num, num]).optional(),
  descriptor64: z.boolean().optional(),
});
type FileFields = z.infer<typeof fileFields>;
const fileSpec = fileFields.extend({ name: z.union([z.string(), z.strictObject({ hex: z.string() })]) });
type FileSpec = z.infer<typeof fileSpec>;

const entryOp = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('set'),
    at: z.union([num, z.string()]),
    name: z.string().optional(),
    fields: fileFields,
  }),
  z.strictObject({ op: z.literal('drop'), at: z.union([num, z.string()]) }),
  z.strictObject({ op: z.literal('insert'), at: num, file: fileSpec }),
  z.strictObject({ op: z.literal('move'), at: z.union([num, z.string()]), to: num }),
]);

const subjectOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('duplicate') }),
  z.strictObject({ op: z.literal('drop'), name: z.string() }),
  z.strictObject({ op: z.literal('add'), name: z.string(), data: bytesSpec }),
]);

const zipPatch = z.strictObject({
  place: z.string(),
  offset: num,
  u8: num.optional(),
  u16: num.optional(),
  u32: num.optional(),
  bytes: bytesSpec.optional(),
});

const zipSpec = z.strictObject({
  prefix: bytesSpec.optional(),
  gapAfter: z.strictObject({ index: num, bytes: bytesSpec }).optional(),
  comment: bytesSpec.optional(),
  trailing: bytesSpec.optional(),
  centralOrder: z.array(num).optional(),
  uncounted: z.array(z.strictObject({ name: z.string(), pointsTo: num })).optional(),
  centralGapAfter: z.strictObject({ index: num, bytes: bytesSpec }).optional(),
  afterCentral: bytesSpec.optional(),
  countDelta: num.optional(),
  diskCountDelta: num.optional(),
  centralSizeDelta: num.optional(),
  centralOffsetDelta: num.optional(),
  declaredCommentLength: num.optional(),
  diskNumber: num.optional(),
  centralDisk: num.optional(),
  zip64End: z
    .strictObject({
      countDelta: num.optional(),
      diskCountDelta: num.optional(),
      extensible: bytesSpec.optional(),
      gapBeforeLocator: bytesSpec.optional(),
      locatorDisks: num.optional(),
      locatorOffsetDelta: num.optional(),
      classicValues: z.boolean().optional(),
    })
    .optional(),
  patches: z.array(zipPatch).optional(),
});

const kind = z.enum(BUNDLE_KINDS);
const prior = z.strictObject({
  version: num.optional(),
  signer: z.string().optional(),
  kind: kind.optional(),
  files: z.array(fileSpec).optional(),
  createdAt: z.string().optional(),
});

/** One case folder's case.json: how to build the bundle, and what the station must answer. */
export const caseSchema = z.strictObject({
  title: z.string().min(1).max(200),
  expect: z.union([
    z.strictObject({ code: z.string().regex(/^BUNDLE_[A-Z_]+$/), check: z.string().regex(/^BND-[A-Z-]+$/) }),
    z.strictObject({ accept: z.literal(true) }),
  ]),
  signer: z.string().optional(),
  kind: kind.optional(),
  version: num.optional(),
  createdAt: z.string().optional(),
  files: z.array(fileSpec).optional(),
  predicate: z.record(z.string(), z.unknown()).optional(),
  statement: z.record(z.string(), z.unknown()).optional(),
  subjects: z.array(subjectOp).optional(),
  payload: bytesSpec.optional(),
  envelope: z
    .strictObject({ merge: z.record(z.string(), z.unknown()).optional(), raw: bytesSpec.optional() })
    .optional(),
  sign: z
    .strictObject({
      by: z.string().optional(),
      payloadType: z.string().optional(),
      keyid: z.string().nullable().optional(),
      signOver: bytesSpec.optional(),
      truncate: num.optional(),
    })
    .optional(),
  envelopeEntry: fileFields.optional(),
  entries: z.array(entryOp).optional(),
  zip: zipSpec.optional(),
  glued: z.boolean().optional(),
  limits: z.record(z.string(), z.number()).optional(),
  before: z.array(prior).optional(),
  writer: z.enum(['forge', 'yazl']).optional(),
  media: z.enum(['symlink', 'fifo', 'directory']).optional(),
  /** The whole file instead of a bundle (not a zip at all), or a bundle cut short by this many bytes. */
  raw: bytesSpec.optional(),
  truncate: num.optional(),
});
export type CaseSpec = z.infer<typeof caseSchema>;

/** The keys a corpus run signs with (built once per run), by the names case files use. */
export interface CorpusKey extends ForgeKey {
  readonly name: string;
  readonly stationId: string;
}

const defaultFiles: FileSpec[] = [{ name: 'evidence/report.txt', data: 'evidence bytes\n' }];

function entryOf(f: FileSpec): ForgeEntry {
  const { name, ...fields } = f;
  return applyFields(
    { name: typeof name === 'string' ? name : Buffer.from(name.hex, 'hex'), data: Buffer.alloc(0) },
    {
      data: 'evidence bytes\n',
      ...fields,
    },
  );
}

function applyFields(e: ForgeEntry, f: FileFields): ForgeEntry {
  const out: Record<string, unknown> = { ...e };
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined) continue;
    out[k] = ['data', 'extra', 'localExtra', 'centralExtra', 'comment', 'localName', 'packed'].includes(k)
      ? bytesOf(v as BytesSpec)
      : v;
  }
  return out as unknown as ForgeEntry;
}

const nameOf = (e: ForgeEntry) => (typeof e.name === 'string' ? e.name : e.name.toString('latin1'));

function resolve(value: unknown, keys: ReadonlyMap<string, CorpusKey>): unknown {
  if (typeof value === 'string') {
    const m = /^\$(fp|station):(.+)$/.exec(value);
    if (!m) return value;
    const k = keys.get(m[2] as string);
    if (!k) throw new Error(`no corpus key ${m[2]}`);
    return m[1] === 'fp' ? k.fingerprint : k.stationId;
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, keys));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, keys)]));
  return value;
}

function keyOf(keys: ReadonlyMap<string, CorpusKey>, name: string): CorpusKey {
  const k = keys.get(name);
  if (!k) throw new Error(`no corpus key ${name}`);
  return k;
}

function statementFor(
  spec: Pick<CaseSpec, 'kind' | 'version' | 'predicate' | 'statement' | 'createdAt'> & { packetId: string },
  signer: CorpusKey,
  files: readonly { name: string; data: Buffer }[],
  keys: ReadonlyMap<string, CorpusKey>,
): Record<string, unknown> {
  const bundleKind = spec.kind ?? 'evidence';
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: files.map((f) => ({ name: f.name, digest: { sha256: sha256(f.data) } })),
    predicateType: 'https://ceremony-station.example/predicate/bundle/v1',
    predicate: {
      bundleKind,
      packetId: bundleKind === 'key-registration' ? 'key-registration' : spec.packetId,
      version: spec.version ?? 1,
      title: 'Forged for the hostile-bundle corpus',
      createdAt: spec.createdAt ?? '2026-11-25T10:00:00.000Z',
      station:
        bundleKind === 'key-registration'
          ? null
          : { stationId: signer.stationId, name: signer.name, fingerprint: signer.fingerprint },
      holder: bundleKind === 'key-registration' ? { name: signer.name, organisation: 'Example' } : null,
      journal: null,
      ...(resolve(spec.predicate ?? {}, keys) as Record<string, unknown>),
    },
    ...(resolve(spec.statement ?? {}, keys) as Record<string, unknown>),
  };
}

/**
 * Builds one case's bundle file at `path` (or, for the media cases, the link / FIFO / directory the
 * station is handed). `packetId` keeps each case's high-water mark its own.
 */
export async function buildCase(
  spec: CaseSpec,
  keys: ReadonlyMap<string, CorpusKey>,
  path: string,
  packetId: string,
): Promise<void> {
  if (spec.media) {
    const real = `${path}.target`;
    writeFileSync(real, await buildBytes({ ...spec, media: undefined }, keys, packetId, path));
    if (spec.media === 'symlink') symlinkSync(real, path);
    else if (spec.media === 'fifo') spawnSync('mkfifo', [path]);
    else mkdirSync(path);
    return;
  }
  const bytes = await buildBytes(spec, keys, packetId, path);
  writeFileSync(path, bytes);
}

async function buildBytes(
  spec: CaseSpec,
  keys: ReadonlyMap<string, CorpusKey>,
  packetId: string,
  path: string,
): Promise<Buffer> {
  if (spec.raw !== undefined) return bytesOf(spec.raw);
  const signer = keyOf(keys, spec.signer ?? 'station-b');
  const files = (spec.files ?? defaultFiles).map(entryOf);
  const named = files.map((f) => ({ name: nameOf(f), data: f.data }));
  const statement = statementFor({ ...spec, packetId }, signer, named, keys);
  for (const op of spec.subjects ?? []) {
    const subjects = statement.subject as { name: string; digest: { sha256: string } }[];
    if (op.op === 'duplicate') statement.subject = [...subjects, ...subjects];
    else if (op.op === 'drop') statement.subject = subjects.filter((s) => s.name !== op.name);
    else statement.subject = [...subjects, { name: op.name, digest: { sha256: sha256(bytesOf(op.data)) } }];
  }
  const sealEnvelope = (payloadIn: Buffer) => {
    const payload = spec.payload ? bytesOf(spec.payload) : payloadIn;
    const by = keyOf(keys, spec.sign?.by ?? signer.name);
    let env: Record<string, unknown> = envelopeFor(payload, by, {
      payloadType: spec.sign?.payloadType,
      keyid: spec.sign?.keyid === undefined ? undefined : (resolve(spec.sign.keyid, keys) as string | null),
      signOver: spec.sign?.signOver ? bytesOf(spec.sign.signOver) : undefined,
      truncate: spec.sign?.truncate,
    });
    if (spec.envelope?.merge) env = { ...env, ...(resolve(spec.envelope.merge, keys) as object) };
    return spec.envelope?.raw ? bytesOf(spec.envelope.raw) : Buffer.from(JSON.stringify(env));
  };
  if (spec.writer === 'yazl') {
    // The station's own writer (yazl: data descriptors, central timestamps), signed with the case key.
    const dir = join(path, '..', `.yazl-${packetId}`);
    mkdirSync(dir, { recursive: true });
    try {
      const written = await writeArchive({
        dir,
        fileName: 'out.bundle.zip',
        files: files.map((f) => ({ name: nameOf(f), source: { bytes: f.data }, size: f.data.length })),
        mtime: new Date('2026-11-25T10:00:00.000Z'),
        sign: async () => sealEnvelope(Buffer.from(canonicalBytes(statement))),
      });
      return readFileSync(written.path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const envelopeEntry = applyFields(
    { name: 'bundle.dsse.json', data: sealEnvelope(Buffer.from(canonicalBytes(statement))) },
    spec.envelopeEntry ?? {},
  );
  let entries: ForgeEntry[] = [...files, envelopeEntry];
  const indexOf = (at: number | string) => {
    const i = typeof at === 'number' ? at : entries.findIndex((e) => nameOf(e) === at);
    if (i < 0 || i >= entries.length) throw new Error(`no entry ${at}`);
    return i;
  };
  for (const op of spec.entries ?? []) {
    if (op.op === 'set') {
      const i = indexOf(op.at);
      const renamed = op.name === undefined ? (entries[i] as ForgeEntry) : { ...entries[i]!, name: op.name };
      entries[i] = applyFields(renamed, op.fields);
    } else if (op.op === 'drop') entries = entries.filter((_, j) => j !== indexOf(op.at));
    else if (op.op === 'insert') entries.splice(op.at, 0, entryOf(op.file));
    else {
      const i = indexOf(op.at);
      const [e] = entries.splice(i, 1);
      entries.splice(op.to, 0, e as ForgeEntry);
    }
  }
  const zip = spec.zip ? zipOptions(spec.zip) : undefined;
  const bytes = forgeZip(entries, zip);
  if (spec.truncate) return bytes.subarray(0, bytes.length - spec.truncate);
  return spec.glued ? Buffer.concat([bytes, bytes]) : bytes;
}

function zipOptions(z: z.infer<typeof zipSpec>): ForgeOptions {
  const b = (x: BytesSpec | undefined) => (x === undefined ? undefined : bytesOf(x));
  return {
    ...z,
    prefix: b(z.prefix),
    gapAfter: z.gapAfter && { index: z.gapAfter.index, bytes: bytesOf(z.gapAfter.bytes) },
    comment: b(z.comment),
    trailing: b(z.trailing),
    centralGapAfter: z.centralGapAfter && {
      index: z.centralGapAfter.index,
      bytes: bytesOf(z.centralGapAfter.bytes),
    },
    afterCentral: b(z.afterCentral),
    zip64End: z.zip64End && {
      ...z.zip64End,
      extensible: b(z.zip64End.extensible),
      gapBeforeLocator: b(z.zip64End.gapBeforeLocator),
    },
    patches: z.patches?.map((p): ZipPatch => ({ ...p, bytes: b(p.bytes) })),
  };
}

/** The bundles a case imports first (valid ones of the same packet), for replay and rollback. */
export function priorSpecs(spec: CaseSpec): CaseSpec[] {
  return (spec.before ?? []).map((p) => ({
    title: `${spec.title} (imported first)`,
    expect: { accept: true as const },
    signer: p.signer ?? spec.signer,
    kind: p.kind ?? spec.kind,
    version: p.version ?? 1,
    files: p.files ?? spec.files,
    createdAt: p.createdAt,
  }));
}

export function limitsOf(spec: CaseSpec, base: ArchiveLimits): ArchiveLimits {
  return { ...base, ...(spec.limits ?? {}) };
}
