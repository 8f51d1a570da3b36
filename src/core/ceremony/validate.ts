import { toHex, type Sha256 } from '../bytes';
import { CodedError } from '../errors';
import { firstIssue } from '../validate';
import { digestWords } from '../words';
import { ceremonyFileSchema, type CeremonyFile } from './schema';
import { CREDENTIAL_WORDS } from './vocabulary';

/**
 * Turning decoded data into a ceremony, or a coded refusal that names the field path
 * (`steps[3].preconditions[0].firmware`), the file and, where the decoder can tell, the line.
 * The YAML decoding itself (duplicate keys, aliases, tags) happens in the shell, which hands the data
 * and a line lookup in here (src/main/adapters/ceremony).
 */

/** Codes this module raises (catalogued in src/shared/errors.ts). */
export type CeremonyErrorCode =
  'CEREMONY_FILE_INVALID' | 'CEREMONY_FILE_CREDENTIAL' | 'CEREMONY_FILE_TOO_LARGE';

/** A ceremony file is a script, not a data set: anything larger is refused before it is parsed. */
export const CEREMONY_FILE_MAX_BYTES = 256 * 1024;

/** A path into the decoded file, as the YAML holds it. */
export type FieldPath = readonly (string | number)[];

/** Looks up the line (1-based) of the deepest node a path reaches, or null. */
export type LineOf = (path: FieldPath) => number | null;

/** `steps[3].preconditions[0].firmware`; `(file)` for the file as a whole. */
export function fieldPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number' || /^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out || '(file)';
}

/** The one way a ceremony file is refused: `<file> line <n>: <path> <what is wrong>`. */
export function ceremonyFileError(
  code: CeremonyErrorCode,
  source: string,
  path: FieldPath,
  message: string,
  line: number | null = null,
): CodedError<CeremonyErrorCode> {
  const field = fieldPath(path);
  return new CodedError(code, `${source}${line ? ` line ${line}` : ''}: ${field} ${message}`, {
    field,
    source,
    line,
  });
}

/** Refuses a file larger than CEREMONY_FILE_MAX_BYTES. */
export function checkCeremonySize(size: number, source: string): void {
  if (size > CEREMONY_FILE_MAX_BYTES) {
    throw ceremonyFileError(
      'CEREMONY_FILE_TOO_LARGE',
      source,
      [],
      `is ${size} bytes; a ceremony file is at most ${CEREMONY_FILE_MAX_BYTES} bytes`,
    );
  }
}

/** Whether a key's name says it holds a credential: `pin`, `soPin`, `user_PIN`, `passphrase`, `secret`… */
export function isCredentialKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((w) => CREDENTIAL_WORDS.has(w)) || CREDENTIAL_WORDS.has(words.join(''));
}

/** The path of the first key, anywhere in the data, whose name says it holds a credential. */
export function findCredentialKey(data: unknown, path: (string | number)[] = []): FieldPath | null {
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      const hit = findCredentialKey(data[i], [...path, i]);
      if (hit) return hit;
    }
  } else if (data !== null && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (isCredentialKey(k)) return [...path, k];
      const hit = findCredentialKey(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Validates decoded data as a ceremony file. A credential-named key is refused first, wherever it is
 * (even where the schema would refuse it as unknown), so the refusal says why; then the schema and the
 * cross-field rules, first problem first.
 */
export function validateCeremony(data: unknown, source: string, lineOf: LineOf = () => null): CeremonyFile {
  const credential = findCredentialKey(data);
  if (credential) {
    throw ceremonyFileError(
      'CEREMONY_FILE_CREDENTIAL',
      source,
      credential,
      'names a credential: a ceremony file never holds a PIN, password, passphrase or secret (they are typed at the station when needed)',
      lineOf(credential),
    );
  }
  const r = ceremonyFileSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = firstIssue(r.error);
  // An unknown key is refused at its object; the path names the key itself.
  const unknown = /^Unrecognized keys?: "([^"]+)"/.exec(issue.message)?.[1];
  const path = unknown === undefined ? issue.path : [...issue.path, unknown];
  const message = unknown === undefined ? issue.message : 'is not a key of the ceremony format';
  throw ceremonyFileError('CEREMONY_FILE_INVALID', source, path, message, lineOf(path));
}

/** The file's digest, SHA-256 over its exact bytes, as hex and as words to compare aloud. */
export interface CeremonyDigest {
  readonly sha256: string;
  readonly words: readonly string[];
}

export function ceremonyDigest(bytes: Uint8Array, sha256: Sha256): CeremonyDigest {
  const d = sha256(bytes);
  return { sha256: toHex(d), words: digestWords(d) };
}

/** A ceremony file read and checked: what it says, where it came from, and its digest. */
export interface LoadedCeremony {
  readonly file: CeremonyFile;
  readonly source: string;
  readonly size: number;
  readonly digest: CeremonyDigest;
}
