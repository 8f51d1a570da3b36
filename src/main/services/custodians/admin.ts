import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { encodeOperation } from '../../../core/custody/operation';
import { digestWords } from '../../../core/words';
import type { View } from '../../../shared/contract';
import { listVolumes } from '../../adapters/media/volumes';
import { journalEvents } from '../../adapters/store/repos/events';
import { stationError } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import type { Station } from '../../station/station';
import { ceremonySign } from './ceremony-ops';
import { rosterEntries } from './queries';
import {
  addCustodian,
  credentialsOperation,
  custodianCredentials,
  proposeCustodian,
  revokeCustodian,
  revokeOperation,
  setCustodianCredentials,
  type CustodianInput,
} from './roster';
import { splitActivationSecret } from './shares';
import { findSplit } from './splits';
import { rosterView } from './views';

/**
 * The custodian acts the console drives (src/shared/contract/custodians.ts): for each, the exact quorum
 * operation it needs, computed here as the act will compute it, and the act itself, reporting what the
 * UI shows. The CLI calls the same roster, shares and ceremony services underneath.
 */

const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const wordsOf = (hex: string) => digestWords(Buffer.from(hex, 'hex'));

/** The operation a quorum must be opened for to add this custodian, and the key a witness compares. */
export function rosterAddOperation(input: { custodian: CustodianInput }): View<'rosterAddOperation'> {
  const { body, operation } = proposeCustodian(input.custodian);
  return {
    operation: encodeOperation(operation),
    fingerprint: body.fingerprint,
    words: wordsOf(body.fingerprint),
    algorithm: body.algorithm,
  };
}

/** Adds a custodian under the quorum session bound to exactly this addition; the roster entry as listed. */
export function addCustodianView(
  station: Station,
  input: { custodian: CustodianInput; quorumSessionId: string; actor: string },
): View<'rosterAdd'> {
  const added = addCustodian(station, input);
  const entry = rosterView(station).custodians.find((c) => c.custodianId === added.custodianId);
  if (!entry) throw stationError('CUSTODIAN_NOT_FOUND', `${added.custodianId} is not on the roster`, {});
  return entry;
}

export function rosterRevokeOperation(input: {
  custodianId: string;
  reason: string;
}): View<'rosterRevokeOperation'> {
  return { operation: encodeOperation(revokeOperation(input.custodianId, input.reason)) };
}

/** Revokes a custodian under the quorum session bound to exactly this revocation (and its reason). */
export function revokeCustodianView(
  station: Station,
  input: { custodianId: string; reason: string; quorumSessionId: string; actor: string },
): View<'rosterRevoke'> {
  revokeCustodian(station, input);
  const entry = rosterEntries(station).find((e) => e.custodianId === input.custodianId);
  return { custodianId: input.custodianId, revokedAt: entry?.revokedAt ?? null };
}

export function rosterCredentialsOperation(input: {
  custodianId: string;
  keyFile: boolean;
}): View<'rosterCredentialsOperation'> {
  return { operation: encodeOperation(credentialsOperation(input.custodianId, input.keyFile)) };
}

/** Allows or withdraws key-file sign-in under the quorum session bound to exactly that change. */
export function setCredentialsView(
  station: Station,
  input: { custodianId: string; keyFile: boolean; quorumSessionId: string; actor: string },
): View<'rosterSetCredentials'> {
  setCustodianCredentials(station, input);
  return {
    custodianId: input.custodianId,
    credentials: [...custodianCredentials(station, input.custodianId)],
  };
}

/**
 * The removable volume named by the window, as the station lists it now: it must be listed and ready
 * (writable, with room). Share sheets and signatures go nowhere else from the console.
 */
function readyVolume(station: Station, path: string, field: string): string {
  const v = listVolumes(station.config.mediaDirs).volumes.find((x) => x.path === path);
  if (!v) throw stationError('MEDIA_NOT_READY', `${path} is not a listed removable volume`, { field });
  if (v.state !== 'ready')
    throw stationError('MEDIA_NOT_READY', `${path} is ${v.state}: ${v.detail}`, { field });
  return v.path;
}

/**
 * `station shares split` from the console: the share texts and PDF sheets are written to a listed, ready
 * removable volume (the CLI's --out-dir), with every check of splitActivationSecret. The token's current
 * PIN is the act's `pin` (never previewed, never journaled).
 */
export async function splitToVolume(
  station: Station,
  input: {
    moduleId: string;
    serial: string;
    pin: string;
    holders: readonly string[];
    threshold: number;
    volume: string;
    actor: string;
  },
): Promise<View<'sharesSplit'>> {
  const outDir = readyVolume(station, input.volume, 'volume');
  const r = await splitActivationSecret(station, {
    moduleId: input.moduleId,
    serial: input.serial,
    currentPin: input.pin,
    holders: input.holders,
    threshold: input.threshold,
    outDir,
    actor: input.actor,
  });
  return {
    splitId: r.splitId,
    volume: outDir,
    files: r.files.map((path) => ({ name: basename(path), path })),
  };
}

/** The largest file the console signs on a ceremony token (it is read whole, then hashed). */
export const CEREMONY_SIGN_MAX_BYTES = 64 * 1024 * 1024;

/** Reads a listed media file to sign: a regular file (no link), bounded. */
function readToSign(path: string): Buffer {
  let size: number;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch {
    throw stationError('EVIDENCE_UNREADABLE', `${path} is not a regular file the station can read`, {
      field: 'path',
    });
  }
  if (size > CEREMONY_SIGN_MAX_BYTES)
    throw stationError(
      'INVALID_INPUT',
      `${basename(path)} is ${size} bytes; the console signs files of at most ${CEREMONY_SIGN_MAX_BYTES} bytes`,
      { field: 'path' },
    );
  return readFileSync(path);
}

/** Where a file's signature is written: beside it on the same volume, never over an existing file. */
const signaturePath = (path: string, keyId: string) => join(dirname(path), `${basename(path)}.${keyId}.sig`);

/**
 * The exact operation a quorum must be opened for to sign this file with this ceremony key: bound to
 * the token, the key and the file's SHA-256 now (the act refuses a file that changed since).
 */
export function ceremonySignOperation(
  station: Station,
  input: { splitId: string; keyId: string; path: string },
): View<'ceremonySignOperation'> {
  const split = findSplit(station, input.splitId);
  const data = readToSign(input.path);
  const dataSha256 = sha256Hex(data);
  return {
    operation: encodeOperation({
      kind: 'ceremony-sign',
      tokenSerial: split.tokenSerial,
      keyId: input.keyId,
      dataSha256,
    }),
    name: basename(input.path),
    size: data.length,
    dataSha256,
    words: wordsOf(dataSha256),
    signatureName: basename(signaturePath(input.path, input.keyId)),
  };
}

/**
 * Signs a listed media file with a key on the share-activated ceremony token (ceremonySign: quorum bound
 * to exactly this signing, M shares, one login) and writes the raw signature beside the file. The file
 * must still have the digest the operator was shown; the signature's name must be free before the token
 * is touched. Should the write fail after signing, the signature is in the journal (`hsm.signed`).
 */
export async function ceremonySignFile(
  station: Station,
  input: {
    splitId: string;
    keyId: string;
    path: string;
    dataSha256: string;
    quorumSessionId: string;
    shares: readonly { text: string; enteredBy?: string }[];
    actor: string;
  },
): Promise<View<'ceremonySign'>> {
  const data = readToSign(input.path);
  const dataSha256 = sha256Hex(data);
  if (dataSha256 !== input.dataSha256)
    throw stationError(
      'INVALID_INPUT',
      `${basename(input.path)} changed since its operation was shown (SHA-256 now ${dataSha256}): nothing was signed; show the operation again`,
      { field: 'dataSha256' },
    );
  const out = signaturePath(input.path, input.keyId);
  if (lstatSync(out, { throwIfNoEntry: false }))
    throw stationError('OUTPUT_EXISTS', `${out} already exists; the station never overwrites a file`, {
      field: 'path',
      path: out,
    });
  const r = await ceremonySign(station, {
    splitId: input.splitId,
    shares: input.shares,
    quorumSessionId: input.quorumSessionId,
    keyId: input.keyId,
    data,
    actor: input.actor,
  });
  writeExclusive(out, r.signature, { mode: 0o644, field: 'path' });
  const signatureSha256 = sha256Hex(r.signature);
  return {
    path: out,
    name: basename(out),
    algorithm: r.algorithm,
    dataSha256: r.dataSha256,
    signatureSha256,
    words: wordsOf(signatureSha256),
    signatureHex: r.signature.toString('hex'),
  };
}

/** The keys the journal records as generated on a split's ceremony token (its keys cannot be listed without its PIN). */
export function ceremonyKeys(station: Station, input: { splitId: string }): View<'ceremonyKeys'> {
  const split = findSplit(station, input.splitId);
  return journalEvents(station.store.db, ['hsm.key-generated'])
    .filter((e) => e.body.tokenSerial === split.tokenSerial && e.body.moduleId === split.moduleId)
    .filter((e) => e.body.key.hasPrivate)
    .map((e) => ({
      id: e.body.key.id,
      label: e.body.key.label,
      keyType: e.body.key.keyType,
      size: e.body.key.size,
    }));
}
