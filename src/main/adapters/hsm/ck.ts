import pkcs11js from 'pkcs11js';

/**
 * PKCS#11 values used by the station. pkcs11js exports the 2.40 set; the EdDSA values come from
 * PKCS#11 3.0 (OASIS), which SoftHSM 2.6 and current HSMs implement.
 */
export const CK = {
  ...pkcs11js,
  CKK_EC_EDWARDS: 0x40,
  CKM_EC_EDWARDS_KEY_PAIR_GEN: 0x1055,
  CKM_EDDSA: 0x1057,
  CKR_CURVE_NOT_SUPPORTED: 0x140,
} as const;

/** Names of the return values the station maps; the rest are reported by their number. */
export const CKR_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(pkcs11js)
    .filter(([k, v]) => k.startsWith('CKR_') && typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);
