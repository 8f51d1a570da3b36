import { AsyncLocalStorage } from 'node:async_hooks';
import pkcs11js, { type Handle, type Mechanism, type Template } from 'pkcs11js';
import {
  algorithmForEcParams,
  SIGNATURE_ALGORITHMS,
  signatureAlgorithm,
  tokenAlgorithm,
  type HashName,
  type KeyFamily,
  type KeyType,
  type TokenAlgorithm,
} from '../../../core/crypto/algorithms';
import { describeAlgorithm, type KeySpec } from '../../../core/hsm/key-spec';
import { residencyOf, type Residency } from '../../../core/hsm/residency';
import { decodeTokenFlags, pinWarnings, type TokenFlags } from '../../../core/hsm/token-flags';
import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import { CK, CKR_NAMES } from './ck';
import { ckrOf, mapPkcs11Error } from './errors';
import type { ModuleProfile } from './profiles';
import { spkiDer, unwrapEcPoint, type PublicKeyAttributes } from './public-key';
import {
  BACKUP_POLICY_ATTRIBUTE_TYPES,
  backupPolicyViolations,
  keyPairRecipe,
  type BackupPolicyAttribute,
  type KeyPairRecipe,
  policyViolations,
  POLICY_ATTRIBUTE_TYPES,
  PUBLIC_POLICY_ATTRIBUTE_TYPES,
  publicPolicyViolations,
  type PolicyAttribute,
  type PublicPolicyAttribute,
} from './templates';

/** The part of pkcs11js the station uses: a test can inject a binding that fails like a real device. */
export type Pkcs11Binding = Pick<
  pkcs11js.PKCS11,
  | 'load'
  | 'close'
  | 'C_Initialize'
  | 'C_Finalize'
  | 'C_GetInfo'
  | 'C_GetSlotList'
  | 'C_GetTokenInfo'
  | 'C_GetMechanismList'
  | 'C_InitToken'
  | 'C_InitPIN'
  | 'C_SetPIN'
  | 'C_OpenSession'
  | 'C_CloseSession'
  | 'C_CloseAllSessions'
  | 'C_Login'
  | 'C_Logout'
  | 'C_FindObjectsInit'
  | 'C_FindObjects'
  | 'C_FindObjectsFinal'
  | 'C_GetAttributeValue'
  | 'C_GenerateKeyPairAsync'
  | 'C_DestroyObject'
  | 'C_CreateObject'
  | 'C_SignInit'
  | 'C_Sign'
  | 'C_VerifyInit'
  | 'C_Verify'
  | 'C_GenerateRandom'
  | 'C_GenerateKey'
  | 'C_WrapKey'
  | 'C_UnwrapKey'
>;

export interface TokenInfo {
  readonly label: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  readonly hardware: string;
  readonly flags: TokenFlags;
  readonly warnings: readonly string[];
}

export type KeyAttributes = Readonly<Record<PolicyAttribute, boolean | null>>;

export interface KeyInfo {
  readonly label: string;
  /** CKA_ID, lowercase hex. */
  readonly id: string;
  readonly keyType: KeyType;
  /** Curve name or modulus bits. */
  readonly size: string;
  readonly hasPrivate: boolean;
  readonly hasPublic: boolean;
  /** Private-key attributes as read back from the token (null where there is no private key). */
  readonly attributes: KeyAttributes | null;
  readonly residency: Residency | null;
  /** SubjectPublicKeyInfo (DER) when a public key object is on the token. */
  readonly spki: Buffer | null;
}

/** A data object (CKO_DATA) found on a token, with its value. */
export interface DataObject {
  readonly handle: Handle;
  readonly value: Buffer;
}

export interface SessionOptions {
  readonly write: boolean;
  readonly login?: { readonly user: 'user' | 'so'; readonly pin: string };
  /** What the session is for, named to whoever finds the token busy (e.g. "checkpoint signing"). */
  readonly purpose?: string;
}

/** An operation holding a token: the station runs one at a time per token (see withSessionAsync). */
export interface TokenHold {
  readonly purpose: string;
  readonly loggedIn: boolean;
  /** ISO time the operation took the token. */
  readonly since: string;
  /** Operations queued behind it. */
  readonly waiting: number;
}

interface TokenQueue {
  holder: Omit<TokenHold, 'waiting'> | null;
  readonly waiters: { hold: Omit<TokenHold, 'waiting'>; start: () => void }[];
}

/** The token holds of the operation running in this async context, so its own nested sessions pass. */
const heldHere = new AsyncLocalStorage<ReadonlySet<TokenQueue['holder']>>();

/** A signature made on a token, by the name `hsm.signed` records carry (src/core/crypto/algorithms.ts). */
export type SignAlgorithm = TokenAlgorithm;

/** CKA_KEY_TYPE values → the family the station lists a key under (from the algorithm table). */
const KEY_FAMILY_OF_CKK: ReadonlyMap<number, KeyFamily> = new Map(
  Object.values(SIGNATURE_ALGORITHMS).map((r) => [CK[r.pkcs11.keyType], r.family]),
);

const trim = (s: string) => s.replace(/\0/g, '').trim();
const version = (v: { major: number; minor: number }) => `${v.major}.${v.minor}`;
const ulong = (b: Buffer) => (b.length >= 8 ? Number(b.readBigUInt64LE(0)) : b.readUInt32LE(0));

/**
 * Modules are process-wide in PKCS#11 (one C_Initialize per library, reading its environment then):
 * share one instance per path, and refuse a second environment for a library that is still open.
 */
const loaded = new Map<string, { module: Pkcs11Module; refs: number; env: string }>();

/**
 * One loaded PKCS#11 library. Tokens are addressed by serial only; every session is closed (and logged
 * out) on every path, which `openSessions` lets tests count.
 */
export class Pkcs11Module {
  private sessions = 0;
  /** Open sessions per slot: the close-all fallback may only run when no other one is open there. */
  private readonly openOnSlot = new Map<Handle, number>();
  private loginAttempts = 0;
  /** Per token serial, the operation holding it and those waiting (see withSessionAsync). */
  private readonly queues = new Map<string, TokenQueue>();

  private constructor(
    readonly path: string,
    readonly profile: ModuleProfile,
    private readonly p11: Pkcs11Binding,
  ) {}

  static open(
    profile: ModuleProfile,
    path: string,
    opts: { environment?: Readonly<Record<string, string>>; binding?: Pkcs11Binding } = {},
  ): Pkcs11Module {
    // A module sees only the variables its profile declares (the writer below sets nothing else).
    const undeclared = Object.keys(opts.environment ?? {}).filter((k) => !profile.environment.includes(k));
    if (undeclared.length > 0)
      throw stationError(
        'HSM_MODULE_LOAD_FAILED',
        `the ${profile.id} profile does not declare the environment ${undeclared.join(', ')}: nothing was loaded`,
        { path, variables: undeclared },
      );
    const env = JSON.stringify(Object.entries(opts.environment ?? {}).sort());
    const shared = loaded.get(path);
    if (shared && !opts.binding) {
      if (shared.env !== env) {
        throw stationError(
          'HSM_MODULE_LOAD_FAILED',
          `${path} is already open with another environment in this process`,
          {
            path,
          },
        );
      }
      shared.refs++;
      return shared.module;
    }
    // The one place the station writes its process environment (lint allows it here only). A PKCS#11
    // module reads its configuration with getenv() — SoftHSM 2 its SOFTHSM2_CONF during C_Initialize, the
    // fault shim its plan on every call — and the API offers no other channel (C_Initialize's pReserved
    // must be NULL: SoftHSM 2 answers CKR_ARGUMENTS_BAD otherwise). So the variables go into the
    // environment before loading and stay while the library is loaded: restoring them after C_Initialize
    // would pull the plan from under the shim. Only names the profile declares (native/pkcs11/*.json
    // `environment`, checked above) are ever written.
    for (const [k, v] of Object.entries(opts.environment ?? {})) process.env[k] = v;
    const binding = opts.binding;
    const p11 = binding ?? new pkcs11js.PKCS11();
    try {
      p11.load(path);
      p11.C_Initialize();
    } catch (e) {
      const ckr = ckrOf(e);
      if (ckr !== CK.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        // A library that failed C_Initialize is released, so the next attempt starts clean.
        try {
          p11.close();
        } catch {
          // It never loaded.
        }
        throw stationError(
          'HSM_MODULE_LOAD_FAILED',
          `cannot load PKCS#11 module ${path}: ${(e as Error).message}`,
          {
            path,
            ...(ckr === null ? {} : { ckr: CKR_NAMES[ckr] ?? `0x${ckr.toString(16)}` }),
          },
        );
      }
    }
    const module = new Pkcs11Module(path, profile, p11);
    if (!binding) loaded.set(path, { module, refs: 1, env });
    return module;
  }

  /** Releases this reference; the library is finalised when the last one goes. */
  close(): void {
    const shared = loaded.get(this.path);
    if (shared?.module === this && --shared.refs > 0) return;
    loaded.delete(this.path);
    try {
      this.p11.C_Finalize();
    } finally {
      this.p11.close();
    }
  }

  get openSessions(): number {
    return this.sessions;
  }

  /** C_Login calls made through this module (tests prove some refusals happen before any login). */
  get logins(): number {
    return this.loginAttempts;
  }

  info(): { manufacturer: string; library: string; cryptoki: string; libraryVersion: string } {
    const i = this.call('C_GetInfo', () => this.p11.C_GetInfo());
    return {
      manufacturer: trim(i.manufacturerID),
      library: trim(i.libraryDescription),
      cryptoki: version(i.cryptokiVersion),
      libraryVersion: version(i.libraryVersion),
    };
  }

  /** Every initialised token present, in slot order (empty slots of a SoftHSM2-like module are left out). */
  tokens(): TokenInfo[] {
    return this.slotsWithTokens().map((s) => s.info);
  }

  private slotsWithTokens(): { slot: Handle; info: TokenInfo }[] {
    const slots = this.call('C_GetSlotList', () => this.p11.C_GetSlotList(true));
    return slots
      .map((slot) => ({ slot, info: this.tokenInfo(slot) }))
      .filter((s) => s.info.flags.tokenInitialized);
  }

  private tokenInfo(slot: Handle): TokenInfo {
    const t = this.call('C_GetTokenInfo', () => this.p11.C_GetTokenInfo(slot));
    const flags = decodeTokenFlags(t.flags);
    return {
      label: trim(t.label),
      manufacturer: trim(t.manufacturerID),
      model: trim(t.model),
      serial: trim(t.serialNumber),
      firmware: version(t.firmwareVersion),
      hardware: version(t.hardwareVersion),
      flags,
      warnings: pinWarnings(flags),
    };
  }

  /** Exactly one token with this serial, or TOKEN_NOT_FOUND / TOKEN_AMBIGUOUS. Never by label alone. */
  private slotOf(serial: string): { slot: Handle; info: TokenInfo } {
    const matches = this.slotsWithTokens().filter((s) => s.info.serial === serial);
    if (matches.length === 0)
      throw stationError('TOKEN_NOT_FOUND', `no token with serial ${serial} in ${this.profile.name}`, {
        serial,
      });
    if (matches.length > 1)
      throw stationError('TOKEN_AMBIGUOUS', `${matches.length} tokens report serial ${serial}`, { serial });
    return matches[0] as { slot: Handle; info: TokenInfo };
  }

  /** Serial of the single token with this label; label alone is ambiguous when tokens share it. */
  serialByLabel(label: string): string {
    const matches = this.tokens().filter((t) => t.label === label);
    if (matches.length === 0)
      throw stationError('TOKEN_NOT_FOUND', `no token labelled "${label}"`, { label });
    if (matches.length > 1) {
      throw stationError(
        'TOKEN_AMBIGUOUS',
        `${matches.length} tokens are labelled "${label}": address one by serial`,
        {
          label,
          serials: matches.map((m) => m.serial),
        },
      );
    }
    return (matches[0] as TokenInfo).serial;
  }

  mechanisms(serial: string): number[] {
    const { slot } = this.slotOf(serial);
    return this.call('C_GetMechanismList', () => this.p11.C_GetMechanismList(slot), serial);
  }

  /**
   * Initialises the first uninitialised slot as a new token (SO PIN, label, then the user PIN) and
   * returns its serial. For rehearsal tokens (SoftHSM2) and tokens whose profile allows C_InitToken.
   */
  initToken(label: string, soPin: string, userPin: string): string {
    const all = this.call('C_GetSlotList', () => this.p11.C_GetSlotList(false));
    const before = new Set(this.tokens().map((t) => t.serial));
    const free = all.find((slot) => {
      try {
        return !decodeTokenFlags(this.p11.C_GetTokenInfo(slot).flags).tokenInitialized;
      } catch {
        return false;
      }
    });
    if (!free)
      throw stationError('TOKEN_NOT_FOUND', 'no uninitialised slot is available for a new token', {});
    this.call('C_InitToken', () => this.p11.C_InitToken(free, soPin, label));
    const created = this.tokens().filter((t) => !before.has(t.serial) && t.label === label);
    const serial = created[0]?.serial;
    if (!serial || created.length !== 1)
      throw stationError('DEVICE_ERROR', `token "${label}" was not found after C_InitToken`, {});
    this.withSession(serial, { write: true, login: { user: 'so', pin: soPin } }, (s) =>
      s.initUserPin(userPin),
    );
    return serial;
  }

  /**
   * Opens a session on the token with this serial, optionally logs in, runs `fn`, then logs out and
   * closes the session whatever happens. A login never repeats on its own after a failure. A
   * synchronous caller cannot wait: while another operation has the token logged in (or any operation
   * holds it and this one would log in) it gets TOKEN_BUSY naming that operation.
   */
  withSession<T>(serial: string, opts: SessionOptions, fn: (s: Session) => T): T {
    const release = this.takeNow(serial, opts);
    try {
      const { session, end } = this.begin(serial, opts);
      try {
        const result = this.holding(serial, () => fn(session));
        if (result instanceof Promise)
          throw new Error('withSession takes a synchronous function; use withSessionAsync');
        return result;
      } finally {
        end();
      }
    } finally {
      release();
    }
  }

  /**
   * As withSession, for token operations that await (key generation off the main thread, signing in
   * steps). PKCS#11 login state belongs to the token and the application, not the session: a second
   * login while one is open fails CKR_USER_ALREADY_LOGGED_IN, and the first logout would end both. So
   * operations on one token run one at a time, in the order they asked; the others wait their turn.
   */
  async withSessionAsync<T>(
    serial: string,
    opts: SessionOptions,
    fn: (s: Session) => Promise<T>,
  ): Promise<T> {
    const release = await this.take(serial, opts);
    try {
      const { session, end } = this.begin(serial, opts);
      try {
        return await this.holding(serial, () => fn(session));
      } finally {
        end();
      }
    } finally {
      release();
    }
  }

  /** The operation holding this token right now, or null: the "token busy" state the UI shows. */
  busy(serial: string): TokenHold | null {
    const q = this.queues.get(serial);
    return q?.holder ? { ...q.holder, waiting: q.waiters.length } : null;
  }

  private queueOf(serial: string): TokenQueue {
    let q = this.queues.get(serial);
    if (!q) {
      q = { holder: null, waiters: [] };
      this.queues.set(serial, q);
    }
    return q;
  }

  /** Takes the token for an awaiting operation, in line behind the one that holds it. */
  private async take(serial: string, opts: SessionOptions): Promise<() => void> {
    const q = this.queueOf(serial);
    if (this.heldByCaller(q)) return this.nested(serial, q, opts);
    const hold = holdFor(opts);
    if (q.holder) await new Promise<void>((start) => q.waiters.push({ hold, start }));
    else q.holder = hold;
    return () => this.release(serial, q);
  }

  /** Takes the token for a synchronous operation, which cannot wait. */
  private takeNow(serial: string, opts: SessionOptions): () => void {
    const q = this.queueOf(serial);
    if (this.heldByCaller(q)) return this.nested(serial, q, opts);
    if (q.holder && (q.holder.loggedIn || opts.login)) throw busyError(serial, q.holder);
    // A public read beside an operation that is not logged in shares nothing with it.
    if (q.holder) return () => {};
    q.holder = holdFor(opts);
    return () => this.release(serial, q);
  }

  /** A session opened inside the operation that holds the token shares its login; a second login cannot. */
  private nested(serial: string, q: TokenQueue, opts: SessionOptions): () => void {
    if (opts.login && q.holder) throw busyError(serial, q.holder);
    return () => {};
  }

  private heldByCaller(q: TokenQueue): boolean {
    return q.holder !== null && (heldHere.getStore()?.has(q.holder) ?? false);
  }

  /** Hands the token straight to the next in line, so nobody can slip in between. */
  private release(serial: string, q: TokenQueue): void {
    const next = q.waiters.shift();
    q.holder = next ? { ...next.hold, since: new Date().toISOString() } : null;
    if (next) next.start();
    else this.queues.delete(serial);
  }

  /** Runs `fn` marked as the holder of this token, so its own nested sessions are not refused. */
  private holding<T>(serial: string, fn: () => T): T {
    const holder = this.queues.get(serial)?.holder;
    if (!holder) return fn();
    return heldHere.run(new Set([...(heldHere.getStore() ?? []), holder]), fn);
  }

  private begin(serial: string, opts: SessionOptions): { session: Session; end: () => void } {
    const { slot } = this.slotOf(serial);
    const flags = CK.CKF_SERIAL_SESSION | (opts.write ? CK.CKF_RW_SESSION : 0);
    const handle = this.call('C_OpenSession', () => this.p11.C_OpenSession(slot, flags), serial);
    this.sessions++;
    this.openOnSlot.set(slot, (this.openOnSlot.get(slot) ?? 0) + 1);
    try {
      if (opts.login)
        this.login(slot, handle, serial, opts.login.user === 'so' ? CK.CKU_SO : CK.CKU_USER, opts.login.pin);
    } catch (e) {
      this.endSession(slot, handle, false);
      throw e;
    }
    return {
      session: new Session(this, this.p11, handle, serial),
      end: () => this.endSession(slot, handle, Boolean(opts.login)),
    };
  }

  private login(slot: Handle, handle: Handle, serial: string, user: number, pin: string): void {
    // A locked PIN is refused before C_Login: the station never spends a try on a token that says no,
    // nor on one that cannot say (its C_GetTokenInfo failure is the error, and no login is tried).
    const before = this.call(
      'C_GetTokenInfo',
      () => pinFlags(this.p11.C_GetTokenInfo(slot).flags, user),
      serial,
    );
    if (before.locked) {
      throw stationError(
        'PIN_LOCKED',
        `the ${user === CK.CKU_SO ? 'SO' : 'user'} PIN of token ${serial} is locked`,
        {
          serial,
          operation: 'login',
        },
      );
    }
    this.loginAttempts++;
    try {
      this.p11.C_Login(handle, user, pin);
    } catch (e) {
      const after = ckrOf(e) === CK.CKR_PIN_INCORRECT ? this.pinState(slot, user) : null;
      if (after?.locked) {
        throw stationError('PIN_LOCKED', `wrong PIN on token ${serial}: the PIN is now locked`, {
          serial,
          operation: 'login',
          ckr: 'CKR_PIN_INCORRECT',
        });
      }
      throw mapPkcs11Error(e, 'login', { serial, ...(after ? { pinState: after } : {}) });
    }
  }

  /** The PIN state flags for this user type, or null when the token will not say. */
  private pinState(
    slot: Handle,
    user: number,
  ): { countLow: boolean; finalTry: boolean; locked: boolean } | null {
    try {
      return pinFlags(this.p11.C_GetTokenInfo(slot).flags, user);
    } catch {
      return null;
    }
  }

  private endSession(slot: Handle, handle: Handle, loggedIn: boolean): void {
    try {
      if (loggedIn) {
        try {
          this.p11.C_Logout(handle);
        } catch {
          // The session may already be gone (device removed); closing it below still ends the login.
        }
      }
      try {
        this.p11.C_CloseSession(handle);
      } catch {
        // A session that will not close could keep the token logged in for this process (a device
        // saying "no such session" may be wrong about it too). Closing all of this application's
        // sessions on the slot ends it — but only when no other session of ours is open there (a
        // public read beside a queued operation, a nested session): that one's work must not be cut.
        if ((this.openOnSlot.get(slot) ?? 0) <= 1) {
          try {
            this.p11.C_CloseAllSessions(slot);
          } catch {
            // A removed token has nothing left to close; otherwise the next login on it would say so.
          }
        }
      }
    } finally {
      this.sessions--;
      const open = (this.openOnSlot.get(slot) ?? 1) - 1;
      if (open > 0) this.openOnSlot.set(slot, open);
      else this.openOnSlot.delete(slot);
    }
  }

  /** Runs one PKCS#11 call, mapping a failure by its CKR code. */
  call<T>(operation: string, fn: () => T, serial?: string): T {
    try {
      return fn();
    } catch (e) {
      throw mapPkcs11Error(e, operation, serial ? { serial } : {});
    }
  }
}

/** An open session on one token. Obtained only through Pkcs11Module.withSession. */
export class Session {
  constructor(
    private readonly module: Pkcs11Module,
    private readonly p11: Pkcs11Binding,
    private readonly handle: Handle,
    readonly serial: string,
  ) {}

  private call<T>(operation: string, fn: () => T): T {
    return this.module.call(operation, fn, this.serial);
  }

  initUserPin(pin: string): void {
    this.call('C_InitPIN', () => this.p11.C_InitPIN(this.handle, pin));
  }

  /** Changes the user PIN (C_SetPIN in a read/write session; the token checks the old PIN). */
  setUserPin(oldPin: string, newPin: string): void {
    this.call('C_SetPIN', () => this.p11.C_SetPIN(this.handle, oldPin, newPin));
  }

  random(bytes: number): Buffer {
    return this.call('C_GenerateRandom', () => this.p11.C_GenerateRandom(this.handle, Buffer.alloc(bytes)));
  }

  find(template: Template): Handle[] {
    return this.call('C_FindObjects', () => {
      this.p11.C_FindObjectsInit(this.handle, template);
      try {
        const out: Handle[] = [];
        for (;;) {
          const batch = this.p11.C_FindObjects(this.handle, 64);
          out.push(...batch);
          if (batch.length < 64) return out;
        }
      } finally {
        this.p11.C_FindObjectsFinal(this.handle);
      }
    });
  }

  /** One attribute, or null when the token does not have it for this object (or will not reveal it). */
  attribute(object: Handle, type: number): Buffer | null {
    try {
      const [a] = this.p11.C_GetAttributeValue(this.handle, object, [{ type }]);
      return a?.value ?? null;
    } catch (e) {
      const ckr = ckrOf(e);
      if (ckr === CK.CKR_ATTRIBUTE_TYPE_INVALID || ckr === CK.CKR_ATTRIBUTE_SENSITIVE) return null;
      throw mapPkcs11Error(e, 'C_GetAttributeValue', { serial: this.serial });
    }
  }

  private bool(object: Handle, type: number): boolean | null {
    const v = this.attribute(object, type);
    return v && v.length > 0 ? v[0] !== 0 : null;
  }

  /** The policy attributes of a private key, read back from the token. */
  privateKeyAttributes(object: Handle): KeyAttributes {
    const out = {} as Record<PolicyAttribute, boolean | null>;
    for (const [name, type] of Object.entries(POLICY_ATTRIBUTE_TYPES) as [PolicyAttribute, number][]) {
      out[name] = this.bool(object, type);
    }
    return out;
  }

  /** The policy attributes of a backup-capable private key (the default set and CKA_WRAP_WITH_TRUSTED). */
  backupKeyAttributes(object: Handle): Readonly<Record<BackupPolicyAttribute, boolean | null>> {
    const out = {} as Record<BackupPolicyAttribute, boolean | null>;
    for (const [name, type] of Object.entries(BACKUP_POLICY_ATTRIBUTE_TYPES) as [
      BackupPolicyAttribute,
      number,
    ][]) {
      out[name] = this.bool(object, type);
    }
    return out;
  }

  /**
   * Generates a one-time key pair from a recipe in templates.ts (the escrow transport pair). Ceremony
   * keys are made by generateKeyPair only, which checks them against the station policy.
   */
  async generateTransportKeyPair(recipe: KeyPairRecipe): Promise<pkcs11js.KeyPair> {
    try {
      return await this.p11.C_GenerateKeyPairAsync(
        this.handle,
        { mechanism: recipe.mechanism },
        recipe.publicTemplate,
        recipe.privateTemplate,
      );
    } catch (e) {
      throw mapPkcs11Error(e, `generate ${recipe.mechanismName} transport key`, { serial: this.serial });
    }
  }

  /** C_GenerateKey: a secret key from a template in templates.ts (one-time transport keys). */
  generateSecretKey(mechanism: number, template: Template): Handle {
    return this.call('C_GenerateKey', () => this.p11.C_GenerateKey(this.handle, { mechanism }, template));
  }

  /** C_CreateObject from a template in templates.ts (a transport or escrow public key). */
  createObject(template: Template): Handle {
    return this.call('C_CreateObject', () => this.p11.C_CreateObject(this.handle, template));
  }

  /** C_WrapKey: the wrapped bytes, which the caller keeps in memory only and wipes after use. */
  wrapKey(mechanism: Mechanism, wrappingKey: Handle, key: Handle): Buffer {
    return this.call('C_WrapKey', () =>
      this.p11.C_WrapKey(this.handle, mechanism, wrappingKey, key, Buffer.alloc(16384)),
    );
  }

  /** C_UnwrapKey under a template in templates.ts. */
  unwrapKey(mechanism: Mechanism, unwrappingKey: Handle, wrapped: Buffer, template: Template): Handle {
    return this.call('C_UnwrapKey', () =>
      this.p11.C_UnwrapKey(this.handle, mechanism, unwrappingKey, wrapped, template),
    );
  }

  /** C_DestroyObject on one object found in this session. */
  destroyObject(object: Handle): void {
    this.call('C_DestroyObject', () => this.p11.C_DestroyObject(this.handle, object));
  }

  /** Every key on the token, private and public halves grouped by CKA_ID and label. */
  listKeys(): KeyInfo[] {
    return this.keysMatching([]);
  }

  /** Keys whose objects also match `extra` (e.g. one CKA_ID), grouped as listKeys does. */
  private keysMatching(extra: Template): KeyInfo[] {
    const groups = new Map<string, { label: string; id: string; priv?: Handle; pub?: Handle }>();
    for (const [cls, slot] of [
      [CK.CKO_PRIVATE_KEY, 'priv'],
      [CK.CKO_PUBLIC_KEY, 'pub'],
    ] as const) {
      for (const h of this.find([{ type: CK.CKA_CLASS, value: cls }, ...extra])) {
        const label = this.attribute(h, CK.CKA_LABEL)?.toString('utf8') ?? '';
        const id = this.attribute(h, CK.CKA_ID)?.toString('hex') ?? '';
        const key = `${id}\0${label}`;
        const g = groups.get(key) ?? { label, id };
        g[slot] = h;
        groups.set(key, g);
      }
    }
    return [...groups.values()]
      .sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id))
      .map((g) => this.describeKey(g));
  }

  private describeKey(g: { label: string; id: string; priv?: Handle; pub?: Handle }): KeyInfo {
    const any = (g.priv ?? g.pub) as Handle;
    const kt = this.attribute(any, CK.CKA_KEY_TYPE);
    const keyType: KeyType = (kt && KEY_FAMILY_OF_CKK.get(ulong(kt))) ?? 'other';
    const pubAttrs = g.pub ? this.publicAttributes(g.pub, keyType) : null;
    let size = '?';
    if (keyType === 'RSA') {
      const modulus = g.pub ? this.attribute(g.pub, CK.CKA_MODULUS) : null;
      size = modulus ? String(modulus.length * 8) : '?';
    } else if (pubAttrs?.kind === 'ec') size = curveName(pubAttrs.params);
    else if (keyType === 'EdDSA') size = signatureAlgorithm('ed25519').curve.name;
    const attributes = g.priv ? this.privateKeyAttributes(g.priv) : null;
    return {
      label: g.label,
      id: g.id,
      keyType,
      size,
      hasPrivate: Boolean(g.priv),
      hasPublic: Boolean(g.pub),
      attributes,
      residency: attributes ? residencyOf(attributes) : null,
      spki: pubAttrs ? safeSpki(pubAttrs) : null,
    };
  }

  private publicAttributes(pub: Handle, keyType: KeyInfo['keyType']): PublicKeyAttributes | null {
    const encoding = this.module.profile.quirks.ecPointEncoding;
    if (keyType === 'EC') {
      const params = this.attribute(pub, CK.CKA_EC_PARAMS);
      const point = this.attribute(pub, CK.CKA_EC_POINT);
      return params && point ? { kind: 'ec', params, point: unwrapEcPoint(point, encoding) } : null;
    }
    if (keyType === 'EdDSA') {
      const point = this.attribute(pub, CK.CKA_EC_POINT);
      return point ? { kind: 'ed25519', point: unwrapEcPoint(point, encoding) } : null;
    }
    if (keyType === 'RSA') {
      const modulus = this.attribute(pub, CK.CKA_MODULUS);
      const exponent = this.attribute(pub, CK.CKA_PUBLIC_EXPONENT);
      return modulus && exponent ? { kind: 'rsa', modulus, exponent } : null;
    }
    return null;
  }

  private objectsWith(cls: number, attr: number, value: string | Buffer): Handle[] {
    return this.find([
      { type: CK.CKA_CLASS, value: cls },
      { type: attr, value },
    ]);
  }

  /** The private key with this CKA_ID (hex): exactly one, or KEY_NOT_FOUND / TOKEN_AMBIGUOUS. */
  privateKey(id: string): Handle {
    const found = this.objectsWith(CK.CKO_PRIVATE_KEY, CK.CKA_ID, Buffer.from(id, 'hex'));
    if (found.length === 0)
      throw stationError('KEY_NOT_FOUND', `no private key with CKA_ID ${id} on token ${this.serial}`, {
        field: 'id',
        id,
      });
    if (found.length > 1)
      throw stationError(
        'KEY_EXISTS',
        `${found.length} private keys share CKA_ID ${id} on token ${this.serial}`,
        { id },
      );
    return found[0] as Handle;
  }

  /** The key (both halves) with this CKA_ID, found by it: no reading of every key on the token. */
  key(id: string): KeyInfo {
    const k = this.keysMatching([{ type: CK.CKA_ID, value: Buffer.from(id, 'hex') }]).find(
      (x) => x.id === id,
    );
    if (!k)
      throw stationError('KEY_NOT_FOUND', `no key with CKA_ID ${id} on token ${this.serial}`, {
        field: 'id',
        id,
      });
    return k;
  }

  /**
   * Generates a key pair from the one template builder, then reads the private key's attributes back
   * and destroys the pair if they break the policy. Refuses a label or CKA_ID already on the token.
   */
  async generateKeyPair(spec: KeySpec): Promise<KeyInfo> {
    const quirks = this.module.profile.quirks;
    if (spec.algorithm === 'ed25519' && !quirks.supportsEd25519) {
      throw stationError(
        'MECHANISM_UNSUPPORTED',
        `${this.module.profile.name} does not generate Ed25519 keys (module profile)`,
        {
          field: 'key.algorithm',
        },
      );
    }
    const id = spec.id ? Buffer.from(spec.id, 'hex') : this.random(16);
    for (const cls of [CK.CKO_PRIVATE_KEY, CK.CKO_PUBLIC_KEY, CK.CKO_CERTIFICATE, CK.CKO_SECRET_KEY]) {
      if (this.objectsWith(cls, CK.CKA_LABEL, spec.label).length > 0) {
        throw stationError(
          'KEY_EXISTS',
          `an object labelled "${spec.label}" already exists on token ${this.serial}`,
          {
            field: 'key.label',
          },
        );
      }
      if (this.objectsWith(cls, CK.CKA_ID, id).length > 0) {
        throw stationError(
          'KEY_EXISTS',
          `an object with CKA_ID ${id.toString('hex')} already exists on token ${this.serial}`,
          {
            field: 'key.id',
          },
        );
      }
    }
    const recipe = keyPairRecipe(spec, id, quirks);
    const what = `${describeAlgorithm(spec.algorithm).type} ${describeAlgorithm(spec.algorithm).size}`;
    let pair: pkcs11js.KeyPair;
    try {
      pair = await this.p11.C_GenerateKeyPairAsync(
        this.handle,
        { mechanism: recipe.mechanism },
        recipe.publicTemplate,
        recipe.privateTemplate,
      );
    } catch (e) {
      throw mapPkcs11Error(e, `generate ${what} key`, { serial: this.serial });
    }
    // From here a key exists on the token: it is either returned fully checked, or destroyed.
    let key: KeyInfo;
    let violations: string[];
    try {
      violations = [
        ...(spec.backup === 'wrap-with-trusted'
          ? backupPolicyViolations(this.backupKeyAttributes(pair.privateKey))
          : policyViolations(this.privateKeyAttributes(pair.privateKey))),
        ...publicPolicyViolations(this.publicKeyAttributes(pair.publicKey)),
      ];
      key = this.key(id.toString('hex'));
      if (!key.spki) violations.push('the public key cannot be read back');
    } catch (e) {
      const destroyed = this.destroyPair(pair);
      throw readBackFailure(e, {
        serial: this.serial,
        label: spec.label,
        id: id.toString('hex'),
        what,
        destroyed,
      });
    }
    if (violations.length > 0) {
      const destroyed = this.destroyPair(pair);
      throw stationError(
        'KEY_POLICY_VIOLATION',
        `the token created a key that breaks the policy: ${violations.join(', ')}`,
        {
          serial: this.serial,
          violations,
          destroyed,
        },
      );
    }
    return key;
  }

  /** Destroys both halves of a non-compliant pair; says whether both went (never throws). */
  private destroyPair(pair: pkcs11js.KeyPair): boolean {
    let ok = true;
    for (const h of [pair.privateKey, pair.publicKey]) {
      try {
        this.p11.C_DestroyObject(this.handle, h);
      } catch {
        ok = false;
      }
    }
    return ok;
  }

  /** The public half's policy attributes, read back from the token. */
  publicKeyAttributes(object: Handle): Record<PublicPolicyAttribute, boolean | null> {
    const out = {} as Record<PublicPolicyAttribute, boolean | null>;
    for (const [name, type] of Object.entries(PUBLIC_POLICY_ATTRIBUTE_TYPES) as [
      PublicPolicyAttribute,
      number,
    ][]) {
      out[name] = this.bool(object, type);
    }
    return out;
  }

  /**
   * Signs with the private key `id`. ECDSA hashes in software and returns the token's raw r||s (IEEE
   * P1363); RSA uses the token's SHA256-RSA-PKCS; Ed25519 signs the message (CKM_EDDSA).
   */
  sign(
    id: string,
    algorithm: SignAlgorithm,
    data: Buffer,
    digest: (alg: HashName, d: Buffer) => Buffer,
  ): Buffer {
    return this.signWith(this.privateKey(id), algorithm, data, digest);
  }

  signWith(
    key: Handle,
    algorithm: SignAlgorithm,
    data: Buffer,
    digest: (alg: HashName, d: Buffer) => Buffer,
  ): Buffer {
    const { mechanism, input } = mechanismFor(algorithm, data, digest);
    return this.call('C_Sign', () => {
      this.p11.C_SignInit(this.handle, { mechanism }, key);
      return this.p11.C_Sign(this.handle, input, Buffer.alloc(1024));
    });
  }

  /**
   * Verifies a signature on the token with the public key `id` (false for a signature that does not
   * verify; other failures are coded errors).
   */
  verify(
    id: string,
    algorithm: SignAlgorithm,
    data: Buffer,
    signature: Buffer,
    digest: (alg: HashName, d: Buffer) => Buffer,
  ): boolean {
    const found = this.objectsWith(CK.CKO_PUBLIC_KEY, CK.CKA_ID, Buffer.from(id, 'hex'));
    if (found.length !== 1) {
      throw stationError('KEY_NOT_FOUND', `no single public key with CKA_ID ${id} on token ${this.serial}`, {
        field: 'id',
        id,
      });
    }
    const { mechanism, input } = mechanismFor(algorithm, data, digest);
    try {
      this.p11.C_VerifyInit(this.handle, { mechanism }, found[0] as Handle);
      return this.p11.C_Verify(this.handle, input, signature);
    } catch (e) {
      const ckr = ckrOf(e);
      if (ckr === CK.CKR_SIGNATURE_INVALID || ckr === CK.CKR_SIGNATURE_LEN_RANGE) return false;
      throw mapPkcs11Error(e, 'C_Verify', { serial: this.serial });
    }
  }

  /**
   * Token data objects (CKO_DATA) with this CKA_APPLICATION and CKA_LABEL, with their CKA_VALUE: the
   * public ones (no login needed: the journal high-water mark's public copy is read this way at
   * verify), or the private ones (CKA_PRIVATE: only a logged-in session sees them).
   */
  dataObjects(application: string, label: string, visibility: 'public' | 'private' = 'public'): DataObject[] {
    return this.find([
      { type: CK.CKA_CLASS, value: CK.CKO_DATA },
      { type: CK.CKA_TOKEN, value: true },
      { type: CK.CKA_PRIVATE, value: visibility === 'private' },
      { type: CK.CKA_APPLICATION, value: application },
      { type: CK.CKA_LABEL, value: label },
    ]).map((handle) => ({ handle, value: this.attribute(handle, CK.CKA_VALUE) ?? Buffer.alloc(0) }));
  }

  /**
   * Creates a token data object (needs a read/write session; a private one also the user's login, and
   * only a login can read or destroy it). Not modifiable: a new value is a new object, so a crash never
   * leaves a half-written one.
   */
  createDataObject(
    application: string,
    label: string,
    value: Buffer,
    visibility: 'public' | 'private' = 'public',
  ): Handle {
    return this.call('C_CreateObject', () =>
      this.p11.C_CreateObject(this.handle, [
        { type: CK.CKA_CLASS, value: CK.CKO_DATA },
        { type: CK.CKA_TOKEN, value: true },
        { type: CK.CKA_PRIVATE, value: visibility === 'private' },
        { type: CK.CKA_MODIFIABLE, value: false },
        { type: CK.CKA_APPLICATION, value: application },
        { type: CK.CKA_LABEL, value: label },
        { type: CK.CKA_VALUE, value },
      ]),
    );
  }

  /** Destroys a data object found in this session (a superseded one). */
  destroyDataObject(object: DataObject): void {
    this.call('C_DestroyObject', () => this.p11.C_DestroyObject(this.handle, object.handle));
  }
}

function pinFlags(flags: number, user: number): { countLow: boolean; finalTry: boolean; locked: boolean } {
  const f = decodeTokenFlags(flags);
  return user === CK.CKU_SO
    ? { countLow: f.soPinCountLow, finalTry: f.soPinFinalTry, locked: f.soPinLocked }
    : { countLow: f.userPinCountLow, finalTry: f.userPinFinalTry, locked: f.userPinLocked };
}

function holdFor(opts: SessionOptions): Omit<TokenHold, 'waiting'> {
  return {
    purpose: opts.purpose ?? (opts.login ? 'a logged-in operation' : 'a token read'),
    loggedIn: Boolean(opts.login),
    since: new Date().toISOString(),
  };
}

function busyError(serial: string, holder: Omit<TokenHold, 'waiting'>): CodedError {
  return stationError(
    'TOKEN_BUSY',
    `token ${serial} is busy: ${holder.purpose} has it ${holder.loggedIn ? 'logged in' : 'open'} since ${holder.since}`,
    { serial, holder: holder.purpose, loggedIn: holder.loggedIn, since: holder.since },
  );
}

/**
 * A key pair the token made that could not be read back. Not destroyed either: it exists unrecorded,
 * and KEY_UNRECORDED names it. Destroyed after a device failure: that failure, mapped by its CKR code.
 * Destroyed after any other read-back failure: the token does not answer as the policy needs.
 */
function readBackFailure(
  e: unknown,
  k: { serial: string; label: string; id: string; what: string; destroyed: boolean },
): CodedError {
  const coded = e instanceof CodedError ? e : null;
  const ckr = coded?.data.ckr;
  const reason = coded ? coded.code : (e as Error).message;
  if (!k.destroyed) {
    return stationError(
      'KEY_UNRECORDED',
      `the new ${k.what} key "${k.label}" (CKA_ID ${k.id}) was made on token ${k.serial} but could neither be read back (${reason}) nor destroyed`,
      { serial: k.serial, id: k.id, label: k.label, destroyed: false, ...(ckr ? { ckr } : {}) },
    );
  }
  if (coded && typeof ckr === 'string') {
    return new CodedError(coded.code, `${coded.message}; the new ${k.what} key was destroyed`, {
      ...coded.data,
      destroyed: true,
    });
  }
  return stationError(
    'KEY_POLICY_VIOLATION',
    `the new ${k.what} key could not be read back (${reason}); destroyed: true`,
    { serial: k.serial, destroyed: true },
  );
}

/** The token mechanism for a signature algorithm, and what it signs (ECDSA: the digest, made in software). */
function mechanismFor(
  algorithm: SignAlgorithm,
  data: Buffer,
  digest: (alg: HashName, d: Buffer) => Buffer,
): { mechanism: number; input: Buffer } {
  const row = tokenAlgorithm(algorithm);
  return {
    mechanism: CK[row.pkcs11.sign],
    input: row.pkcs11.digestFirst && row.hash ? digest(row.hash, data) : data,
  };
}

function curveName(params: Buffer): string {
  return algorithmForEcParams('EC', params.toString('hex'))?.curve?.name ?? `EC(${params.toString('hex')})`;
}

function safeSpki(attrs: PublicKeyAttributes): Buffer | null {
  try {
    return spkiDer(attrs);
  } catch {
    return null;
  }
}
