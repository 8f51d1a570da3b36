import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  algorithmForTokenKey,
  type HashName,
  type SignatureAlgorithm,
} from '../../../core/crypto/algorithms';
import { parseCsrRequest, subjectDn, subjectName } from '../../../core/hsm/csr-request';
import { parseKeySpec } from '../../../core/hsm/key-spec';
import { assertActor } from '../../../core/journal/events';
import { canonicalBytes } from '../../../core/canonical';
import { CodedError } from '../../../core/errors';
import { digestWords } from '../../../core/words';
import type { Anchoring, KeyView, ModuleView, TokenView } from '../../../shared/contract';
import { Pkcs11Module, type KeyInfo, type TokenHold, type TokenInfo } from '../../adapters/hsm/module';
import { findProfile, resolveModulePath } from '../../adapters/hsm/profiles';
import { describeRecipe, type RecipeDescription } from '../../adapters/hsm/templates';
import { stationError, toErrorPayload } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import { certificationRequest } from '../identity';
import { journalRegistration, keyEvidence, keyView, registeredModules } from './queries';
import { anchorAfterAct, checkBeforeAct, stationTokenAct } from '../identity';
import { assertNotShareActivated } from '../custodians/queries';
import type { Station } from '../../station/station';

const sha = (alg: HashName, d: Buffer) => createHash(alg).update(d).digest();
const sha256hex = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

export function tokenView(t: TokenInfo, busy: TokenHold | null = null): TokenView {
  return {
    serial: t.serial,
    label: t.label,
    manufacturer: t.manufacturer,
    model: t.model,
    firmware: t.firmware,
    hardware: t.hardware,
    flags: Object.entries(t.flags)
      .filter(([, on]) => on)
      .map(([name]) => name),
    warnings: [...t.warnings],
    busy: busy ? { ...busy } : null,
  };
}

/** Every registered module with its tokens; a module that cannot be opened reports its error instead. */
export function describeModules(
  station: Station,
  log: (m: string, e: unknown) => void = () => {},
): ModuleView[] {
  return registeredModules(station).map((reg) => {
    const base = {
      moduleId: reg.moduleId,
      profile: reg.profile,
      path: reg.path,
      librarySha256: reg.librarySha256,
    };
    try {
      return openedModuleView(base, station.hsm.module(reg.moduleId));
    } catch (e) {
      return { ...base, library: null, cryptoki: null, tokens: [], error: toErrorPayload(e, log) };
    }
  });
}

/** The modules view of an opened module: the one shape `hsm list` and the UI's devices page show. */
function openedModuleView(
  base: Pick<ModuleView, 'moduleId' | 'profile' | 'path' | 'librarySha256'>,
  m: Pkcs11Module,
): ModuleView {
  const info = m.info();
  return {
    ...base,
    library: `${info.manufacturer} ${info.library} ${info.libraryVersion}`,
    cryptoki: info.cryptoki,
    tokens: m.tokens().map((t) => tokenView(t, m.busy(t.serial))),
    error: null,
  };
}

/**
 * The public key of a token key as PEM (public objects need no login): how a custodian's own key is
 * taken from their token into the roster.
 */
export function exportPublicKey(station: Station, moduleId: string, serial: string, keyId: string): string {
  const key = station.hsm
    .module(moduleId)
    .withSession(serial, { write: false, purpose: 'public key export' }, (s) =>
      s.listKeys().find((k) => k.id === keyId),
    );
  if (!key?.spki)
    throw stationError('KEY_NOT_FOUND', `no public key with CKA_ID ${keyId} on token ${serial}`, {
      field: 'key',
    });
  return createPublicKey({ key: key.spki, format: 'der', type: 'spki' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

/** Keys on a token, as the user sees them after logging in (private keys are invisible before). */
export function listTokenKeys(
  station: Station,
  { moduleId, serial, pin }: { moduleId: string; serial: string; pin: string },
): KeyView[] {
  assertNotShareActivated(station, serial);
  // The station token's PIN goes only to its pinned module (MODULE_PINNED otherwise).
  stationTokenAct(station, moduleId, serial);
  const m = station.hsm.module(moduleId);
  return m
    .withSession(serial, { write: false, login: { user: 'user', pin }, purpose: 'key listing' }, (s) =>
      s.listKeys(),
    )
    .map(keyView);
}

/**
 * Records first-hand residency evidence: the token's info and every key's read-back attributes, with a
 * digest over exactly that content, so packets can cite it instead of a pasted export. On the station
 * token the journal's marks are checked before and the record anchored after, in the same login.
 */
/**
 * An online (portal) station records no token in its journal (issue #16): inventories, key generation
 * and CSRs belong to the offline ceremony station, even on the online station's own identity token.
 */
function refuseOnOnlineStation(station: Station, what: string): void {
  if (station.stationRecord().mode === 'online')
    throw stationError(
      'HSM_ONLINE_MODE',
      `this is an online (portal) station: ${what} is done on the offline ceremony station, never here`,
      { field: 'module' },
    );
}

export function recordInventory(
  station: Station,
  opts: { moduleId: string; serial: string; pin: string; actor: string },
): { seq: number; digest: string; keys: number; anchoring: Anchoring | null } {
  station.assertWritable();
  refuseOnOnlineStation(station, 'a token inventory');
  assertNotShareActivated(station, opts.serial);
  // The registration the module was loaded from (for the station token, the pinned one).
  const reg = journalRegistration(station, opts.moduleId);
  const act = stationTokenAct(station, opts.moduleId, opts.serial);
  const m = station.hsm.module(opts.moduleId);
  const token = m.tokens().find((t) => t.serial === opts.serial);
  if (!reg || !token)
    throw stationError('TOKEN_NOT_FOUND', `no token with serial ${opts.serial}`, { serial: opts.serial });
  // Read/write on the station token: the same login anchors the record (review 2, item 6).
  return m.withSession(
    opts.serial,
    { write: act !== null, login: { user: 'user', pin: opts.pin }, purpose: 'inventory' },
    (s) => {
      checkBeforeAct(station, act, s);
      const keys = s.listKeys();
      const recorded = recordInventoryOf(station, opts, reg.librarySha256, token, keys);
      return { ...recorded, anchoring: anchorAfterAct(station, act, s) };
    },
  );
}

function recordInventoryOf(
  station: Station,
  opts: { moduleId: string; actor: string },
  librarySha256: string,
  token: TokenInfo,
  keys: readonly KeyInfo[],
): { seq: number; digest: string; keys: number } {
  const tokenEvidence = tokenView(token);
  const content = {
    token: {
      serial: tokenEvidence.serial,
      label: tokenEvidence.label,
      manufacturer: tokenEvidence.manufacturer,
      model: tokenEvidence.model,
      firmware: tokenEvidence.firmware,
      hardware: tokenEvidence.hardware,
      flags: tokenEvidence.flags,
    },
    keys: keys.map(keyEvidence),
  };
  const digest = sha256hex(canonicalBytes(content));
  const r = station.record([
    {
      kind: 'hsm.inventory-recorded',
      actor: opts.actor,
      body: { moduleId: opts.moduleId, librarySha256, ...content, digest },
    },
  ]);
  return { seq: r.lastSeq, digest, keys: keys.length };
}

/** What a generation will create, attribute by attribute (validated spec, no token access). */
/**
 * What a generation on this module will request, attribute by attribute, and a digest of exactly that:
 * generation refuses to run unless the caller confirms the digest it was shown (RECIPE_NOT_CONFIRMED).
 */
export function previewKey(
  station: Station,
  { moduleId, key: spec }: { moduleId: string; key: unknown },
): RecipeDescription & { digest: string } {
  const recipe = describeRecipe(parseKeySpec(spec), moduleProfile(station, moduleId).quirks);
  return { ...recipe, digest: sha256hex(canonicalBytes(recipe)) };
}

function moduleProfile(station: Station, moduleId: string) {
  const reg = registeredModules(station).find((r) => r.moduleId === moduleId);
  const profile = reg ? findProfile(reg.profile) : null;
  if (!profile)
    throw stationError('MODULE_NOT_REGISTERED', `no PKCS#11 module "${moduleId}" is registered`, {
      field: 'module',
    });
  return profile;
}

/**
 * Generates a key pair on a token (policy-checked by the adapter) and records it with its read-back
 * attributes. On the station token the journal's marks are checked before the key is made (a refusal
 * then makes nothing) and the record is anchored after it in the same login; a failure to anchor then
 * is a warning on the result, never an error: the key exists and is recorded (review 2, item 3).
 */
export async function generateTokenKey(
  station: Station,
  opts: {
    moduleId: string;
    serial: string;
    pin: string;
    key: unknown;
    confirmedRecipe: string;
    actor: string;
  },
): Promise<KeyView & { anchoring: Anchoring | null }> {
  station.assertWritable();
  refuseOnOnlineStation(station, 'key generation');
  assertNotShareActivated(station, opts.serial);
  assertActor(opts.actor);
  const spec = parseKeySpec(opts.key);
  if (previewKey(station, { moduleId: opts.moduleId, key: spec }).digest !== opts.confirmedRecipe) {
    throw stationError(
      'RECIPE_NOT_CONFIRMED',
      'the key template shown to the operator is not the one that would be used: show it again',
      {
        field: 'confirmedRecipe',
      },
    );
  }
  const act = stationTokenAct(station, opts.moduleId, opts.serial);
  const m = station.hsm.module(opts.moduleId);
  const { key, anchoring } = await m.withSessionAsync(
    opts.serial,
    { write: true, login: { user: 'user', pin: opts.pin }, purpose: 'key generation' },
    async (s) => {
      checkBeforeAct(station, act, s);
      const made = await s.generateKeyPair(spec);
      recordGeneratedKey(station, opts.moduleId, opts.serial, made, opts.actor);
      // Same login: on the station token the record is anchored at once (checkpoint, token marks).
      return { key: made, anchoring: anchorAfterAct(station, act, s) };
    },
  );
  return { ...keyView(key), anchoring };
}

/**
 * Records a key that now exists on a token. The event is validated before the key is made (the actor
 * by assertActor, the rest by the adapter's read-back), so this fails only if the store does: then the
 * operator is told exactly which key exists unrecorded.
 */
export function recordGeneratedKey(
  station: Station,
  moduleId: string,
  serial: string,
  key: KeyInfo,
  actor: string,
): void {
  try {
    station.record([
      {
        kind: 'hsm.key-generated',
        actor,
        body: {
          moduleId,
          tokenSerial: serial,
          key: keyEvidence(key),
          spki: (key.spki as Buffer).toString('base64'),
        },
      },
    ]);
  } catch (e) {
    throw stationError(
      'KEY_UNRECORDED',
      `key "${key.label}" (CKA_ID ${key.id}) was generated on token ${serial} but could not be recorded: ${(e as Error).message}`,
      { serial, id: key.id, label: key.label },
    );
  }
}

/** The algorithm a token key signs a request with, from the algorithm table; none: MECHANISM_UNSUPPORTED. */
function requestAlgorithm(k: KeyInfo): SignatureAlgorithm {
  const algorithm = algorithmForTokenKey(k.keyType, k.size);
  if (algorithm) return algorithm;
  throw stationError('MECHANISM_UNSUPPORTED', `cannot make a request with a ${k.keyType} ${k.size} key`, {
    field: 'keyId',
  });
}

/**
 * A PKCS#10 request for a key on the token, verified against the public key read from the token,
 * recorded with its digest. With `outPath` it is also written to a new file (never overwritten). On the
 * station token the journal's marks are checked before it is signed and the record is anchored after,
 * in the same (read/write) login (review 2, item 6).
 */
export async function createTokenCsr(
  station: Station,
  opts: {
    moduleId: string;
    serial: string;
    pin: string;
    keyId: string;
    request: unknown;
    actor: string;
    outPath?: string;
  },
): Promise<{ pem: string; sha256: string; words: string[]; seq: number; anchoring: Anchoring | null }> {
  station.assertWritable();
  refuseOnOnlineStation(station, 'a certificate signing request');
  assertNotShareActivated(station, opts.serial);
  assertActor(opts.actor);
  const request = parseCsrRequest(opts.request);
  const subject = subjectDn(request.subject);
  const san = [
    ...request.san.dns.map((d) => `DNS:${d}`),
    ...request.san.email.map((e) => `email:${e}`),
    ...request.san.ip.map((i) => `IP:${i}`),
  ];
  if (opts.outPath && existsSync(opts.outPath)) {
    throw new CodedError('OUTPUT_EXISTS', `${opts.outPath} already exists`, {
      field: 'out',
      path: opts.outPath,
    });
  }
  const act = stationTokenAct(station, opts.moduleId, opts.serial);
  const m = station.hsm.module(opts.moduleId);
  const made = await m.withSessionAsync(
    opts.serial,
    { write: act !== null, login: { user: 'user', pin: opts.pin }, purpose: 'CSR signing' },
    async (s) => {
      checkBeforeAct(station, act, s);
      const key = s.key(opts.keyId);
      if (!key.spki || !key.hasPrivate) {
        throw stationError(
          'KEY_NOT_FOUND',
          `key ${opts.keyId} needs both halves on the token to make a request`,
          { field: 'keyId' },
        );
      }
      const algorithm = requestAlgorithm(key);
      const handle = s.privateKey(opts.keyId);
      const pem = await certificationRequest({
        spki: key.spki,
        algorithm: algorithm.name,
        subject: subjectName(request.subject),
        san: request.san,
        sign: async (data) => s.signWith(handle, algorithm.token, Buffer.from(data), sha),
      });
      const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      const digest = sha256hex(der);
      const r = station.record([
        {
          kind: 'hsm.csr-created',
          actor: opts.actor,
          body: {
            moduleId: opts.moduleId,
            tokenSerial: opts.serial,
            keyId: opts.keyId,
            subject,
            san,
            csrSha256: digest,
            csrPem: pem,
          },
        },
      ]);
      return { pem, digest, seq: r.lastSeq, anchoring: anchorAfterAct(station, act, s) };
    },
  );
  // The request is in the journal now; the file is an export of it, written without overwriting.
  if (opts.outPath) writeExclusive(opts.outPath, made.pem, { mode: 0o644, field: 'out' });
  return {
    pem: made.pem,
    sha256: made.digest,
    words: digestWords(Buffer.from(made.digest, 'hex')),
    seq: made.seq,
    anchoring: made.anchoring,
  };
}

/**
 * A module profile opened directly (e.g. to find the station token's serial before `init`), in the
 * modules view's shape: the library's digest is the one registering it would record.
 */
export function listProfile(
  profileId: string,
  path: string | undefined,
  environment: Record<string, string>,
): ModuleView {
  const profile = findProfile(profileId);
  if (!profile) throw stationError('INVALID_INPUT', `no module profile "${profileId}"`, { field: 'profile' });
  const modulePath = path ?? resolveModulePath(profile);
  if (!modulePath)
    throw stationError('HSM_MODULE_LOAD_FAILED', `none of ${profile.modulePaths.join(', ')} exists`, {
      field: 'module-path',
    });
  const m = Pkcs11Module.open(profile, modulePath, { environment });
  try {
    const librarySha256 = createHash('sha256').update(readFileSync(modulePath)).digest('hex');
    return openedModuleView(
      { moduleId: profile.id, profile: profile.id, path: modulePath, librarySha256 },
      m,
    );
  } finally {
    m.close();
  }
}
