/** PKCS#11 token flags (CK_TOKEN_INFO.flags) the operator must see, decoded from their bit values. */
const FLAGS = {
  rng: 0x1,
  writeProtected: 0x2,
  loginRequired: 0x4,
  userPinInitialized: 0x8,
  clockOnToken: 0x40,
  protectedAuthenticationPath: 0x100,
  tokenInitialized: 0x400,
  userPinCountLow: 0x10000,
  userPinFinalTry: 0x20000,
  userPinLocked: 0x40000,
  userPinToBeChanged: 0x80000,
  soPinCountLow: 0x100000,
  soPinFinalTry: 0x200000,
  soPinLocked: 0x400000,
  soPinToBeChanged: 0x800000,
} as const;

export type TokenFlag = keyof typeof FLAGS;
export type TokenFlags = Readonly<Record<TokenFlag, boolean>>;

export function decodeTokenFlags(bits: number): TokenFlags {
  const out = {} as Record<TokenFlag, boolean>;
  for (const [name, bit] of Object.entries(FLAGS) as [TokenFlag, number][]) out[name] = (bits & bit) !== 0;
  return out;
}

/** The flags that warn the operator before a login attempt. */
export function pinWarnings(f: TokenFlags): string[] {
  const w: string[] = [];
  if (f.userPinLocked) w.push('user PIN locked: the security officer must unlock it');
  else if (f.userPinFinalTry) w.push('user PIN: final try — one more wrong PIN locks the token');
  else if (f.userPinCountLow) w.push('user PIN: a wrong PIN was entered since the last good login');
  if (f.soPinLocked) w.push('SO PIN locked');
  if (f.userPinToBeChanged) w.push('user PIN must be changed before use');
  return w;
}
