import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { pae } from '../../src/core/bundle/dsse';
import { canonicalBytes } from '../../src/core/canonical';
import { forgeZip, type ForgeEntry, type ForgeOptions } from './zip-forge';

/** A software signing key for forged bundles, with its SPKI fingerprint (the DSSE keyid). */
export interface ForgeKey {
  readonly privateKey: KeyObject;
  readonly spki: Buffer;
  readonly fingerprint: string;
}

export function forgeKey(): ForgeKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, spki, fingerprint: createHash('sha256').update(spki).digest('hex') };
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function bundleStatement(
  files: readonly { name: string; data: Buffer }[],
  over: Record<string, unknown> = {},
) {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: files.map((f) => ({ name: f.name, digest: { sha256: sha256(f.data) } })),
    predicateType: 'https://ceremony-station.example/predicate/bundle/v1',
    predicate: {
      bundleKind: 'evidence',
      packetId: 'evidence',
      version: 1,
      title: 'Forged for a test',
      createdAt: '2026-11-25T10:00:00.000Z',
      station: null,
      holder: null,
      journal: null,
    },
    ...over,
  };
}

export function envelopeFor(
  payload: Buffer,
  key: ForgeKey,
  opts: { payloadType?: string; keyid?: string; signOver?: Buffer } = {},
): Record<string, unknown> {
  const payloadType = opts.payloadType ?? 'application/vnd.in-toto+json';
  const sig = sign('sha256', pae(payloadType, opts.signOver ?? payload), {
    key: key.privateKey,
    dsaEncoding: 'der',
  });
  return {
    payload: payload.toString('base64'),
    payloadType,
    signatures: [{ keyid: opts.keyid ?? key.fingerprint, sig: sig.toString('base64') }],
  };
}

/**
 * A bundle as the station would accept it, with hooks to break one thing at a time: the statement, the
 * envelope, the entries (after the envelope is added) and the zip layout.
 */
export function forgeBundle(
  files: readonly ForgeEntry[],
  key: ForgeKey,
  hooks: {
    statement?: (s: ReturnType<typeof bundleStatement>) => unknown;
    payload?: (p: Buffer) => Buffer;
    envelope?: (e: Record<string, unknown>) => unknown;
    envelopeBytes?: (b: Buffer) => Buffer;
    entries?: (e: ForgeEntry[]) => ForgeEntry[];
    zip?: ForgeOptions;
    signOpts?: Parameters<typeof envelopeFor>[2];
  } = {},
): Buffer {
  const named = files.map((f) => ({
    name: typeof f.name === 'string' ? f.name : f.name.toString('latin1'),
    data: f.data,
  }));
  const base = bundleStatement(named);
  const statement = hooks.statement ? hooks.statement(base) : base;
  const rawPayload = Buffer.from(canonicalBytes(statement));
  const payload = hooks.payload ? hooks.payload(rawPayload) : rawPayload;
  const env = envelopeFor(payload, key, hooks.signOpts);
  const envelope = hooks.envelope ? hooks.envelope(env) : env;
  const envBytes = Buffer.from(JSON.stringify(envelope));
  const envelopeEntry: ForgeEntry = {
    name: 'bundle.dsse.json',
    data: hooks.envelopeBytes ? hooks.envelopeBytes(envBytes) : envBytes,
  };
  const entries = [...files, envelopeEntry];
  return forgeZip(hooks.entries ? hooks.entries(entries) : entries, hooks.zip);
}
