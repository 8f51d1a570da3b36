import { z } from 'zod';
import { keyAlgorithmSchema } from '../crypto/algorithms';
import { csrRequestSchema } from '../hsm/csr-request';
import { keySpecSchema } from '../hsm/key-spec';
import {
  bagSerial,
  custodianIdSchema,
  isoDate,
  isoTime,
  moduleId,
  pemPublicKeySchema,
  roleSchema,
} from '../schema';
import {
  ACT_NAMES,
  CEREMONY_TYPE_NAMES,
  POSTCONDITION_NAMES,
  REQUIRED_ACTS,
  ROLE_NAMES,
  actRow,
  type ACTS,
  type ActArgument,
  type ActKind,
  type CeremonyType,
  type Role,
} from './vocabulary';

/**
 * A ceremony file (docs/ceremony-format.md), decoded strictly: every object refuses unknown keys, and
 * after the shapes hold, the cross-field rules below (CER-* check ids) refuse a file whose parts do not
 * fit together, each at the exact path of the field at fault.
 *
 * Check IDs (each names the field it refuses):
 *   CER-PARTICIPANTS  unique ids; one master of ceremonies, at least one operator, at least two witnesses
 *   CER-BLOCKS        the blocks a type needs are there (hsm, key + csr, escrow, roster, shares), no others
 *   CER-STEP-IDS      step ids are unique
 *   CER-ACT-TYPE      every act is one the ceremony type allows
 *   CER-ROLES         who acts, who witnesses and the quorum's custodians are among the participants
 *   CER-LABELS        every label, token and firmware a step names is the one the file declares
 *   CER-QUORUM        a private-key or custody act binds a quorum; quorum-satisfied is checked exactly then
 *   CER-FIRMWARE      a token's firmware is checked against the attested version before its first act
 *   CER-LABEL-GUARD   generate/import check the label is absent first; destroy checks it is present
 *   CER-POST          postconditions fit the act, and the ones the act requires are there
 *   CER-REQUIRED-ACTS the acts the type requires are there, in order
 *   CER-BAGS          bags are declared; a bag is checked intact before it is opened; new bags sealed once
 *   CER-ROSTER        a roster change names each custodian once, each added key once, validFrom before
 *                     validUntil; its quorum m is at least 2 and n counts at least the custodians it adds
 */

/** Free text read aloud or printed. A YAML number or date in its place must be quoted. */
const text = (max: number) =>
  z
    .string({ error: 'must be text (quote it: YAML reads an unquoted 7.8 or 2027-01-01 as another type)' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

/** A token's label (CK_TOKEN_INFO.label is 32 bytes). */
const tokenLabel = text(32);
/** A key's CKA_LABEL, with the grammar the station generates keys with. */
const keyLabel = keySpecSchema.shape.label;
/** A participant's id: their custodian id on the roster, so a signed-in operator is matched to a seat. */
const participantId = custodianIdSchema;

const count = (min: number, max: number) => z.number().int().min(min).max(max);

export const quorumSchema = z
  .strictObject({
    /** How many custodians must check in. */
    m: count(1, 50),
    /** Of how many on the roster. */
    n: count(1, 50),
  })
  .refine((q) => q.m <= q.n, { path: ['m'], message: 'must not be more than n' });

export const participantSchema = z.strictObject({
  id: participantId,
  name: text(120),
  role: z.enum(ROLE_NAMES),
  /** Optional: whom the participant represents (an external auditor's firm). */
  organization: text(120).optional(),
});

export const deviceSchema = z.strictObject({
  /** The PKCS#11 module profile id (native/pkcs11) or registered module id. */
  module: moduleId,
  token: tokenLabel,
  model: text(120),
  /** The firmware version the vendor's attestation states; firmware-equals compares the token to it. */
  firmware: text(64),
});

export const escrowSchema = z.strictObject({
  ...deviceSchema.shape,
  /** The wrap key's label, present on both tokens before the backup. */
  wrapKey: keyLabel,
});

export const keySchema = z.strictObject({
  label: keyLabel,
  /** A key specification of the station's algorithm table (src/core/crypto/algorithms.ts). */
  algorithm: keyAlgorithmSchema,
  /** key-generation only: the subject and subjectAltNames of the request. */
  csr: csrRequestSchema.optional(),
  /**
   * key-generation only: `wrap-with-trusted` makes a key a later key-backup ceremony can copy to an
   * escrow token (it leaves the token only under a key the security officer marked trusted); omitted,
   * the key is never extractable (docs/hsm-keys-and-csrs.md).
   */
  backup: keySpecSchema.shape.backup,
});

export const bagSchema = z.strictObject({
  serial: bagSerial,
  contents: text(200),
  /** sealed: arrives sealed (checked intact before it is opened); new: an empty bag sealed in a step. */
  state: z.enum(['sealed', 'new']),
});

/** A custodian who joins: what their roster entry needs (the roster's own rules apply when applied). */
export const rosterAddSchema = z.strictObject({
  id: participantId,
  name: text(120),
  publicKey: pemPublicKeySchema,
  roles: z.array(roleSchema).min(1).max(10),
  validFrom: isoTime,
  validUntil: isoTime,
});

/** A custodian whose entry is revoked, and why (the reason is journaled with the revocation). */
export const rosterRevokeSchema = z.strictObject({ id: participantId, reason: text(500) });

export const rosterChangeSchema = z.strictObject({
  add: z.array(rosterAddSchema).default([]),
  revoke: z.array(rosterRevokeSchema).default([]),
  /** The roster's new quorum m, and n: how many custodians are valid once the change is applied. */
  quorum: quorumSchema.optional(),
});
export type RosterChange = z.output<typeof rosterChangeSchema>;

export const sharesSchema = z.strictObject({
  m: count(1, 50),
  n: count(1, 50),
  /** Participant ids (role custodian) who each receive one new share. */
  custodians: z.array(participantId).min(1),
});

export const preconditionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('firmware-equals'), token: tokenLabel, firmware: text(64) }),
  z.strictObject({ kind: z.literal('token-present'), token: tokenLabel }),
  z.strictObject({ kind: z.literal('label-absent'), label: keyLabel, token: tokenLabel }),
  z.strictObject({ kind: z.literal('label-present'), label: keyLabel, token: tokenLabel }),
  z.strictObject({ kind: z.literal('quorum-satisfied') }),
  z.strictObject({ kind: z.literal('bag-intact'), serial: bagSerial }),
]);
export type Precondition = z.output<typeof preconditionSchema>;

/** An act: its kind and exactly the arguments its row in ACTS names. */
export type CeremonyAct = {
  [K in ActKind]: { readonly kind: K } & { readonly [A in (typeof ACTS)[K]['args'][number]]: string };
}[ActKind];

const ACT_ARGUMENT_SCHEMAS: Record<ActArgument, z.ZodType<string>> = {
  label: keyLabel,
  token: tokenLabel,
  wrapKey: keyLabel,
};

/** Built from the ACTS table, so an act's fields are declared once. */
export const actSchema = z.discriminatedUnion(
  'kind',
  ACT_NAMES.map((kind) =>
    z.strictObject({
      kind: z.literal(kind),
      ...Object.fromEntries(actRow(kind).args.map((a) => [a, ACT_ARGUMENT_SCHEMAS[a]])),
    }),
  ) as unknown as [z.ZodObject<{ kind: z.ZodLiteral<ActKind> }>],
) as unknown as z.ZodType<CeremonyAct>;

export const stepSchema = z.strictObject({
  id: moduleId,
  title: text(200),
  /** What the master of ceremonies (or the acting person) says aloud. */
  say: text(4000),
  /** What is checked aloud before the step is ticked off. */
  check: text(4000),
  /** The role that performs the act. */
  by: z.enum(ROLE_NAMES),
  witnesses: z.strictObject({
    count: count(1, 20),
    roles: z.array(z.enum(ROLE_NAMES)).min(1).default(['witness']),
  }),
  quorum: quorumSchema.optional(),
  bags: z
    .strictObject({
      /** Bags opened in this step (each checked with bag-intact first). */
      in: z.array(bagSerial).default([]),
      /** New bags sealed in this step. */
      out: z.array(bagSerial).default([]),
    })
    .optional(),
  preconditions: z.array(preconditionSchema).default([]),
  act: actSchema,
  postconditions: z.array(z.enum(POSTCONDITION_NAMES)).default([]),
});
export type CeremonyStep = z.output<typeof stepSchema>;

const ceremonyShape = z.strictObject({
  /** The format version: 1. */
  ceremony: z.literal(1),
  id: moduleId,
  title: text(200),
  type: z.enum(CEREMONY_TYPE_NAMES),
  planned: z.strictObject({ date: isoDate, location: text(200) }),
  participants: z.array(participantSchema).min(1),
  hsm: deviceSchema.optional(),
  escrow: escrowSchema.optional(),
  key: keySchema.optional(),
  roster: rosterChangeSchema.optional(),
  shares: sharesSchema.optional(),
  bags: z.array(bagSchema).default([]),
  steps: z.array(stepSchema).min(1).max(200),
});
export type CeremonyFile = z.output<typeof ceremonyShape>;

export const ceremonyFileSchema = ceremonyShape.superRefine((c, ctx) => crossCheck(c, ctx));

type Path = (string | number)[];

/** The cross-field rules (CER-* above); each issue names the field at fault. */
function crossCheck(c: CeremonyFile, ctx: z.RefinementCtx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const roleCount = (roles: readonly Role[]) => c.participants.filter((p) => roles.includes(p.role)).length;

  // CER-PARTICIPANTS
  const ids = new Set<string>();
  c.participants.forEach((p, i) => {
    if (ids.has(p.id)) issue(['participants', i, 'id'], `repeats participant ${p.id}`);
    ids.add(p.id);
  });
  const needs: [Role, number, number][] = [
    ['master-of-ceremonies', 1, 1],
    ['operator', 1, Infinity],
    ['witness', 2, Infinity],
  ];
  for (const [role, min, max] of needs) {
    const n = roleCount([role]);
    if (n < min || n > max) {
      const want = min === max ? `exactly ${min}` : `at least ${min}`;
      issue(['participants'], `must name ${want} ${role} (it names ${n})`);
    }
  }

  // CER-BLOCKS
  const block = (name: 'hsm' | 'key' | 'escrow' | 'roster' | 'shares', types: readonly CeremonyType[]) => {
    const wanted = types.includes(c.type);
    if (wanted && c[name] === undefined) issue([name], `is required for a ${c.type} ceremony`);
    if (!wanted && c[name] !== undefined) issue([name], `is not allowed in a ${c.type} ceremony`);
  };
  block('hsm', ['key-generation', 'key-backup', 'key-destruction', 'share-reissue']);
  block('key', ['key-generation', 'key-backup', 'key-destruction']);
  block('escrow', ['key-backup']);
  block('roster', ['roster-change']);
  block('shares', ['share-reissue']);
  if (c.key) {
    if (c.type === 'key-generation' && !c.key.csr) issue(['key', 'csr'], 'is required for key-generation');
    if (c.type !== 'key-generation' && c.key.csr)
      issue(['key', 'csr'], `is not allowed in a ${c.type} ceremony`);
    if (c.type !== 'key-generation' && c.key.backup)
      issue(['key', 'backup'], `is not allowed in a ${c.type} ceremony: the key exists already`);
  }
  if (c.escrow && c.hsm && c.escrow.token === c.hsm.token) {
    issue(['escrow', 'token'], 'must be another token than hsm.token');
  }
  const custodians = new Set(c.participants.filter((p) => p.role === 'custodian').map((p) => p.id));
  // CER-ROSTER (what the file alone can tell; the roster it changes is checked when it is applied)
  if (c.roster) {
    const r = c.roster;
    if (r.add.length === 0 && r.revoke.length === 0 && !r.quorum) {
      issue(['roster'], 'must add, revoke or set a quorum');
    }
    const touched = new Set<string>();
    const keys = new Set<string>();
    r.add.forEach((a, i) => {
      if (touched.has(a.id)) issue(['roster', 'add', i, 'id'], `repeats ${a.id}`);
      touched.add(a.id);
      if (!(a.validFrom < a.validUntil))
        issue(['roster', 'add', i, 'validUntil'], 'must come after validFrom');
      const key = a.publicKey.replace(/\s+/g, '');
      if (keys.has(key))
        issue(['roster', 'add', i, 'publicKey'], 'is given to another custodian of the change');
      keys.add(key);
    });
    r.revoke.forEach((v, i) => {
      if (touched.has(v.id)) issue(['roster', 'revoke', i, 'id'], `names ${v.id} twice in the change`);
      touched.add(v.id);
    });
    if (r.quorum) {
      // Like roster.initialised: a roster's quorum is at least 2 (one person never authorises alone).
      if (r.quorum.m < 2)
        issue(['roster', 'quorum', 'm'], 'must be at least 2: a roster quorum is never one person');
      // The custodians who join count among the valid ones after the change.
      if (r.quorum.n < r.add.length)
        issue(['roster', 'quorum', 'n'], `must be at least ${r.add.length}, the custodians the change adds`);
    }
  }
  if (c.shares) {
    const s = c.shares;
    if (s.m > s.n) issue(['shares', 'm'], 'must not be more than n');
    if (s.custodians.length !== s.n) {
      issue(['shares', 'n'], `must equal the number of custodians listed (${s.custodians.length})`);
    }
    const seen = new Set<string>();
    s.custodians.forEach((id, i) => {
      if (!custodians.has(id))
        issue(['shares', 'custodians', i], `names ${id}, who is not a custodian participant`);
      if (seen.has(id)) issue(['shares', 'custodians', i], `repeats ${id}`);
      seen.add(id);
    });
  }

  // CER-BAGS (declarations)
  const bags = new Map<string, 'sealed' | 'new'>();
  c.bags.forEach((b, i) => {
    if (bags.has(b.serial)) issue(['bags', i, 'serial'], `repeats bag ${b.serial}`);
    bags.set(b.serial, b.state);
  });

  // Tokens and labels the file declares, for CER-LABELS.
  const firmwareOf = new Map<string, string>();
  if (c.hsm) firmwareOf.set(c.hsm.token, c.hsm.firmware);
  if (c.escrow) firmwareOf.set(c.escrow.token, c.escrow.firmware);
  const labels = new Set([c.key?.label, c.escrow?.wrapKey].filter((l): l is string => l !== undefined));
  const declaredTokens = [...firmwareOf.keys()].join(', ') || 'none';

  const stepIds = new Set<string>();
  const attested = new Set<string>();
  const sealed = new Set<string>();
  const opened = new Set<string>();
  let required = 0;
  const requiredActs = REQUIRED_ACTS[c.type];

  c.steps.forEach((s, i) => {
    const at = (...rest: Path): Path => ['steps', i, ...rest];
    const row = actRow(s.act.kind);

    // CER-STEP-IDS
    if (stepIds.has(s.id)) issue(at('id'), `repeats step ${s.id}`);
    stepIds.add(s.id);

    // CER-ACT-TYPE
    if (!row.types.includes(c.type)) {
      issue(
        at('act', 'kind'),
        `${s.act.kind} is not an act of a ${c.type} ceremony (allowed: ${allowedActs(c.type)})`,
      );
    }

    // CER-ROLES
    if (roleCount([s.by]) === 0) issue(at('by'), `names ${s.by}, and no participant holds that role`);
    s.witnesses.roles.forEach((r, j) => {
      if (r === s.by) issue(at('witnesses', 'roles', j), `is ${r}: who acts does not witness their own act`);
      else if (roleCount([r]) === 0)
        issue(at('witnesses', 'roles', j), `names ${r}, and no participant holds that role`);
    });
    const canWitness = roleCount(s.witnesses.roles.filter((r) => r !== s.by));
    if (s.witnesses.count > canWitness) {
      issue(
        at('witnesses', 'count'),
        `asks for ${s.witnesses.count} witnesses; the participants in those roles are ${canWitness}`,
      );
    }

    // CER-QUORUM
    const quorumChecked = s.preconditions.some((p) => p.kind === 'quorum-satisfied');
    if (row.quorum && !s.quorum)
      issue(at('quorum'), `is required: ${s.act.kind} uses the key or changes custody`);
    if (s.quorum && s.quorum.m > custodians.size) {
      issue(
        at('quorum', 'm'),
        `asks ${s.quorum.m} custodians to check in; the participants name ${custodians.size}`,
      );
    }
    if (s.quorum && !quorumChecked)
      issue(at('preconditions'), 'must check quorum-satisfied: the step binds a quorum');
    s.preconditions.forEach((p, j) => {
      if (p.kind === 'quorum-satisfied' && !s.quorum)
        issue(at('preconditions', j), 'checks a quorum the step does not bind (add quorum)');
    });

    // CER-LABELS (preconditions)
    s.preconditions.forEach((p, j) => {
      if ('token' in p && !firmwareOf.has(p.token)) {
        issue(at('preconditions', j, 'token'), `names token ${p.token}; the file declares ${declaredTokens}`);
      }
      if (p.kind === 'firmware-equals' && firmwareOf.has(p.token) && firmwareOf.get(p.token) !== p.firmware) {
        issue(
          at('preconditions', j, 'firmware'),
          `must be the attested version the file declares for ${p.token} (${firmwareOf.get(p.token)})`,
        );
      }
      if ((p.kind === 'label-absent' || p.kind === 'label-present') && !labels.has(p.label)) {
        issue(
          at('preconditions', j, 'label'),
          `names ${p.label}; the file's labels are ${[...labels].join(', ') || 'none'}`,
        );
      }
      if (p.kind === 'bag-intact' && !bags.has(p.serial))
        issue(at('preconditions', j, 'serial'), `names bag ${p.serial}, which bags does not declare`);
    });
    // CER-FIRMWARE: attested before the token's first act (this step's own check counts).
    for (const p of s.preconditions) if (p.kind === 'firmware-equals') attested.add(p.token);

    // CER-LABELS (act)
    const act = s.act as Partial<Record<ActArgument, string>>;
    const expect = expectedArgs(c, s.act.kind);
    for (const arg of row.args) {
      const value = act[arg];
      const want = expect[arg];
      if (value === undefined) continue;
      if (want !== undefined && value !== want)
        issue(at('act', arg), `must be ${want} (${wantSource(s.act.kind, arg)})`);
      if (arg === 'token' && !firmwareOf.has(value))
        issue(at('act', 'token'), `names token ${value}; the file declares ${declaredTokens}`);
    }
    if (act.token !== undefined && firmwareOf.has(act.token) && !attested.has(act.token)) {
      issue(
        at('preconditions'),
        `must check firmware-equals for token ${act.token} (here or in an earlier step) before its first act`,
      );
    }

    // CER-LABEL-GUARD
    const guard = labelGuard(s.act.kind);
    if (guard && act.label !== undefined && act.token !== undefined) {
      const held = s.preconditions.some(
        (p) => p.kind === guard && p.label === act.label && p.token === act.token,
      );
      if (!held)
        issue(
          at('preconditions'),
          `must check ${guard} for ${act.label} on ${act.token} before ${s.act.kind}`,
        );
    }

    // CER-POST
    const seenPost = new Set<string>();
    s.postconditions.forEach((p, j) => {
      if (!(row.post as readonly string[]).includes(p)) {
        issue(
          at('postconditions', j),
          `${p} does not follow ${s.act.kind} (allowed: ${row.post.join(', ') || 'none'})`,
        );
      }
      if (seenPost.has(p)) issue(at('postconditions', j), `repeats ${p}`);
      seenPost.add(p);
    });
    for (const p of row.requiredPost) {
      if (!seenPost.has(p)) issue(at('postconditions'), `must include ${p} after ${s.act.kind}`);
    }

    // CER-BAGS (steps)
    s.bags?.in.forEach((serial, j) => {
      const state = bags.get(serial);
      if (state === undefined) issue(at('bags', 'in', j), `names bag ${serial}, which bags does not declare`);
      else if (state === 'new' && !sealed.has(serial))
        issue(at('bags', 'in', j), `opens bag ${serial} before a step seals it`);
      else if (opened.has(serial)) issue(at('bags', 'in', j), `opens bag ${serial} a second time`);
      if (!s.preconditions.some((p) => p.kind === 'bag-intact' && p.serial === serial)) {
        issue(at('bags', 'in', j), `must be checked first: add a bag-intact precondition for ${serial}`);
      }
      opened.add(serial);
    });
    s.bags?.out.forEach((serial, j) => {
      const state = bags.get(serial);
      if (state === undefined)
        issue(at('bags', 'out', j), `names bag ${serial}, which bags does not declare`);
      else if (state === 'sealed')
        issue(at('bags', 'out', j), `seals bag ${serial}, which arrives sealed: seal into a new bag`);
      else if (sealed.has(serial)) issue(at('bags', 'out', j), `seals bag ${serial} a second time`);
      sealed.add(serial);
    });

    // CER-REQUIRED-ACTS: in order (a required act before its predecessor does not count).
    if (s.act.kind === requiredActs[required]) required++;
  });

  if (required < requiredActs.length) {
    issue(
      ['steps'],
      `must include ${requiredActs.join(', then ')} for a ${c.type} ceremony (missing: ${requiredActs.slice(required).join(', ')})`,
    );
  }
  c.bags.forEach((b, i) => {
    if (b.state === 'new' && !sealed.has(b.serial))
      issue(['bags', i, 'serial'], `is a new bag that no step seals (bags.out)`);
  });
}

function allowedActs(type: CeremonyType): string {
  return ACT_NAMES.filter((k) => actRow(k).types.includes(type)).join(', ');
}

/** The value each act argument must have, from the file's declarations. */
function expectedArgs(c: CeremonyFile, kind: ActKind): Partial<Record<ActArgument, string>> {
  const onEscrow = kind === 'unwrap-import';
  return {
    ...(c.key ? { label: c.key.label } : {}),
    ...(c.escrow ? { wrapKey: c.escrow.wrapKey } : {}),
    ...(onEscrow
      ? c.escrow
        ? { token: c.escrow.token }
        : {}
      : c.hsm && kind !== 'verify-key-attributes' && kind !== 'verify-signature'
        ? { token: c.hsm.token }
        : {}),
  };
}

function wantSource(kind: ActKind, arg: ActArgument): string {
  if (arg === 'label') return 'key.label';
  if (arg === 'wrapKey') return 'escrow.wrapKey';
  return kind === 'unwrap-import' ? 'escrow.token' : 'hsm.token';
}

/** The label precondition an act needs on its own step, if any. */
function labelGuard(kind: ActKind): 'label-absent' | 'label-present' | null {
  switch (kind) {
    case 'generate-key':
    case 'unwrap-import':
      return 'label-absent';
    case 'destroy-key':
    case 'wrap-export':
      return 'label-present';
    default:
      return null;
  }
}
