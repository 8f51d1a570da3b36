import { createHash } from 'node:crypto';
import { Pkcs11Module, type SignAlgorithm } from '../../adapters/hsm/module';
import { findProfile, MODULE_PROFILES, resolveModulePath } from '../../adapters/hsm/profiles';
import { stationError } from '../../errors';
import { signatureAlgorithm, type HashName } from '../../../core/crypto/algorithms';
import { dsseSignatureFromToken, publicKeyInfo, verifyPae, type PublicKeyInfo } from './dsse';

/** What signs a reviewer's statements: a key file in this process, or a key on the reviewer's token. */
export interface ReviewerSigner {
  readonly info: PublicKeyInfo;
  sign(pae: Uint8Array): Promise<Uint8Array>;
}

export interface ReviewerTokenKey {
  /** A module profile id from native/pkcs11 (e.g. opensc for a smart card or YubiKey PIV, softhsm2). */
  readonly profile: string;
  /** The module library; default: the first path the profile names that exists here. */
  readonly modulePath?: string;
  /** The environment the station's config holds for PKCS#11 modules (StationConfig.moduleEnvironment). */
  readonly environment: Readonly<Record<string, string>>;
  readonly serial: string;
  /** CKA_ID of the key pair, hex. */
  readonly keyId: string;
  readonly pin: string;
}

const digest = (alg: HashName, d: Buffer) => createHash(alg).update(d).digest();

/**
 * Runs `fn` with a signer backed by the reviewer's own PKCS#11 token: one login for the whole act, the
 * public key read from the token (its SPKI fingerprint is the key's identity, as for key files), ECDSA
 * signatures turned into DER like every other DSSE signature here. The module sees only the environment
 * variables its profile names, taken from the station's config. Session and module are always
 * closed, and a signature that does not verify with the token's own public key is never returned.
 */
export async function withTokenSigner<T>(
  key: ReviewerTokenKey,
  fn: (signer: ReviewerSigner) => Promise<T>,
): Promise<T> {
  const profile = findProfile(key.profile);
  if (!profile)
    throw stationError(
      'INVALID_INPUT',
      `no module profile ${key.profile}; known: ${MODULE_PROFILES.map((p) => p.id).join(', ')}`,
      { field: 'pkcs11' },
    );
  const path = key.modulePath ?? resolveModulePath(profile);
  if (!path)
    throw stationError('HSM_MODULE_LOAD_FAILED', `the ${profile.id} module is not installed here`, {
      field: 'module',
    });
  const environment = Object.fromEntries(
    profile.environment.flatMap((name) => {
      const v = key.environment[name];
      return v === undefined ? [] : [[name, v]];
    }),
  );
  const module = Pkcs11Module.open(profile, path, { environment });
  try {
    return await withSessionSigner(module, key, fn);
  } finally {
    module.close();
  }
}

/**
 * A signer over one login to a token in an already loaded module (the reviewer's own module above, or a
 * module the station has registered — e.g. an owner's token plugged into the station).
 */
export async function withSessionSigner<T>(
  module: Pkcs11Module,
  key: { serial: string; keyId: string; pin: string },
  fn: (signer: ReviewerSigner) => Promise<T>,
): Promise<T> {
  if (!/^[0-9a-f]{2,128}$/.test(key.keyId))
    throw stationError('INVALID_INPUT', 'the key id is the CKA_ID in lowercase hex, e.g. 01', {
      field: 'keyId',
    });
  return module.withSessionAsync(
    key.serial,
    { write: false, login: { user: 'user', pin: key.pin } },
    async (session) => {
      const found = session.key(key.keyId);
      if (!found.spki || !found.hasPrivate)
        throw stationError(
          'KEY_NOT_FOUND',
          `the token holds no key pair with CKA_ID ${key.keyId} (it needs both halves)`,
          { field: 'keyId', id: key.keyId },
        );
      const info = publicKeyInfo(found.spki);
      const handle = session.privateKey(key.keyId);
      const alg: SignAlgorithm = signatureAlgorithm(info.algorithm).token;
      const signer: ReviewerSigner = {
        info,
        sign: async (pae) => {
          const raw = session.signWith(handle, alg, Buffer.from(pae), digest);
          const sig = dsseSignatureFromToken(raw, info.algorithm);
          if (!verifyPae(info, pae, sig))
            throw stationError(
              'DEVICE_ERROR',
              `the token's signature does not verify with its own public key ${info.fingerprint.slice(0, 16)}…`,
              { serial: key.serial },
            );
          return sig;
        },
      };
      return fn(signer);
    },
  );
}
