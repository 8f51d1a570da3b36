/**
 * The closed vocabularies of a ceremony file (docs/ceremony-format.md): ceremony types, participant
 * roles, step preconditions, acts and postconditions. Each is one table with the words the printed
 * script uses, so the schema, the cross-field rules, the script and the doc all derive from here and a
 * new word is one edit in one place.
 */

/** What a ceremony does; each type allows its own acts and requires some of them (ACTS below). */
export const CEREMONY_TYPES = {
  'key-generation': 'Generate a production signing key on the HSM and its certificate signing request',
  'key-backup': 'Back up a key to an escrow token under a wrap key',
  'roster-change': 'Change the custodian roster or its quorum',
  'share-reissue': "Re-issue the custodians' shares of the HSM activation secret",
  'key-destruction': 'Destroy a key on the HSM, with evidence that it is gone',
} as const;
export type CeremonyType = keyof typeof CEREMONY_TYPES;
export const CEREMONY_TYPE_NAMES = Object.keys(CEREMONY_TYPES) as [CeremonyType, ...CeremonyType[]];

/** The seats a participant can hold. The master of ceremonies decides on every deviation. */
export const ROLES = {
  'master-of-ceremonies': 'Master of ceremonies: leads the script and decides on every deviation',
  operator: 'Operator: performs the acts at the station',
  witness: 'Witness: watches each step and checks it off',
  custodian: 'Custodian: holds a share or a credential and checks in for a quorum',
  auditor: 'Auditor: independent observer who attests to the ceremony',
} as const;
export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as [Role, ...Role[]];

/** Conditions checked before a step's act; any that does not hold halts the step. */
export const PRECONDITIONS = {
  'firmware-equals': 'the firmware version the token reports equals the attested version',
  'token-present': 'the token with this label is present',
  'label-absent': 'no object with this label exists on the token',
  'label-present': 'an object with this label exists on the token',
  'quorum-satisfied': "the step's quorum of custodians has checked in",
  'bag-intact': 'the tamper-evident bag is intact and its serial matches',
} as const;
export type PreconditionKind = keyof typeof PRECONDITIONS;
export const PRECONDITION_NAMES = Object.keys(PRECONDITIONS) as [PreconditionKind, ...PreconditionKind[]];

/** Checks made after a step's act; any that fails is a deviation for the master of ceremonies. */
export const POSTCONDITIONS = {
  'attributes-read-back': "the key's attributes are read back from the token and match its template",
  'csr-verifies-against-token-key': "the CSR's signature verifies with the public key read from the token",
  'signature-verifies': "a test signature made on the token verifies with the key's public key",
  'object-absent': 'the object with the label is no longer on the token',
  'roster-applied': 'the journal shows the new roster and quorum as the file states them',
  'shares-verified': 'every new share is checked by its custodian and the secret they rebuild is the same',
} as const;
export type PostconditionKind = keyof typeof POSTCONDITIONS;
export const POSTCONDITION_NAMES = Object.keys(POSTCONDITIONS) as [PostconditionKind, ...PostconditionKind[]];

/** What an act names besides its kind. */
export type ActArgument = 'label' | 'token' | 'wrapKey';

interface ActRow {
  /** What the act does, for the script and the doc. */
  readonly text: string;
  /** Ceremony types whose files may use it. */
  readonly types: readonly CeremonyType[];
  /** The fields the act carries in the file (besides `kind`). */
  readonly args: readonly ActArgument[];
  /** Postconditions that may follow it, and those that must. */
  readonly post: readonly PostconditionKind[];
  readonly requiredPost: readonly PostconditionKind[];
  /** Uses a private key or changes custody: the step must bind a quorum (docs/architecture.md, Quorum). */
  readonly quorum: boolean;
}

const ALL_TYPES = Object.keys(CEREMONY_TYPES) as CeremonyType[];
const KEY_TYPES: readonly CeremonyType[] = ['key-generation', 'key-backup', 'key-destruction'];

/** The acts a step can perform, one row each. */
export const ACTS = {
  'generate-key': {
    text: 'generate the key pair on the token',
    types: ['key-generation'],
    args: ['label', 'token'],
    post: ['attributes-read-back', 'signature-verifies'],
    requiredPost: ['attributes-read-back'],
    quorum: true,
  },
  'create-csr': {
    text: 'make the certificate signing request with the key on the token',
    types: ['key-generation'],
    args: ['label', 'token'],
    post: ['csr-verifies-against-token-key'],
    requiredPost: ['csr-verifies-against-token-key'],
    quorum: true,
  },
  'wrap-export': {
    text: 'export the key wrapped under the wrap key',
    types: ['key-backup'],
    args: ['label', 'token', 'wrapKey'],
    post: ['attributes-read-back'],
    requiredPost: ['attributes-read-back'],
    quorum: true,
  },
  'unwrap-import': {
    text: 'import the wrapped key on the escrow token with a template that restricts its use',
    types: ['key-backup'],
    args: ['label', 'token', 'wrapKey'],
    post: ['attributes-read-back', 'signature-verifies'],
    requiredPost: ['attributes-read-back'],
    quorum: true,
  },
  'destroy-key': {
    text: 'destroy the key on the token',
    types: ['key-destruction'],
    args: ['label', 'token'],
    post: ['object-absent'],
    requiredPost: ['object-absent'],
    quorum: true,
  },
  'roster-apply': {
    text: "apply the file's roster change and quorum",
    types: ['roster-change'],
    args: [],
    post: ['roster-applied'],
    requiredPost: ['roster-applied'],
    quorum: true,
  },
  'shares-reissue': {
    text: "split the activation secret anew among the file's custodians",
    types: ['share-reissue'],
    args: ['token'],
    post: ['shares-verified'],
    requiredPost: ['shares-verified'],
    quorum: true,
  },
  'verify-key-attributes': {
    text: "read the key's attributes back from the token",
    types: KEY_TYPES,
    args: ['label', 'token'],
    post: ['attributes-read-back'],
    requiredPost: ['attributes-read-back'],
    quorum: false,
  },
  'verify-signature': {
    text: 'make a test signature with the key on the token and verify it',
    types: ['key-generation', 'key-backup'],
    args: ['label', 'token'],
    post: ['signature-verifies'],
    requiredPost: ['signature-verifies'],
    quorum: true,
  },
  'verify-object-absent': {
    text: 'search the token for the label',
    types: ['key-destruction'],
    args: ['label', 'token'],
    post: ['object-absent'],
    requiredPost: ['object-absent'],
    quorum: false,
  },
  'verify-roster': {
    text: 'show the roster and quorum the journal now holds',
    types: ['roster-change'],
    args: [],
    post: ['roster-applied'],
    requiredPost: [],
    quorum: false,
  },
  'record-note': {
    text: 'record what is said in the journal',
    types: ALL_TYPES,
    args: [],
    post: [],
    requiredPost: [],
    quorum: false,
  },
  manual: {
    text: 'perform the physical step as the script says, in view of the witnesses',
    types: ALL_TYPES,
    args: [],
    post: [],
    requiredPost: [],
    quorum: false,
  },
} as const satisfies Record<string, ActRow>;
export type ActKind = keyof typeof ACTS;
export const ACT_NAMES = Object.keys(ACTS) as [ActKind, ...ActKind[]];

/** The row of an act, widened to its shape (the table keeps literal types for the names). */
export function actRow(kind: ActKind): ActRow {
  return ACTS[kind];
}

/**
 * Acts each type must contain, in this order (other steps may come between). The cross-field rules
 * refuse a file that lacks one or has them out of order.
 */
export const REQUIRED_ACTS: Readonly<Record<CeremonyType, readonly ActKind[]>> = {
  'key-generation': ['generate-key', 'create-csr'],
  'key-backup': ['wrap-export', 'unwrap-import'],
  'roster-change': ['roster-apply'],
  'share-reissue': ['shares-reissue'],
  'key-destruction': ['destroy-key'],
};

/** Words of a key's name that mark it as holding a credential; such a key is refused anywhere in a file. */
export const CREDENTIAL_WORDS: ReadonlySet<string> = new Set([
  'pin',
  'pins',
  'sopin',
  'puk',
  'password',
  'passwords',
  'passwd',
  'pwd',
  'passphrase',
  'passphrases',
  'secret',
  'secrets',
  'credential',
  'credentials',
]);
