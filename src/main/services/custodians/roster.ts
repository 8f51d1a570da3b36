import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { canonicalBytes } from '../../../core/canonical';
import { algorithmForPublicKey } from '../../../core/crypto/algorithms';
import {
  keyHolder,
  validCustodians,
  type RosterEntry,
  type SignatureAlgorithm,
} from '../../../core/custody/roster';
import { CodedError } from '../../../core/errors';
import { journalTime, type NewEvent } from '../../../core/journal/events';
import { isErrorCode } from '../../../shared/errors';
import { escapeForDisplay, nameClash } from '../../../core/names';
import { stationError } from '../../errors';
import { quorumUsed, requireQuorum } from './quorum';
import type { Station } from '../../station/station';
import { rosterEntries, rosterPolicy } from './queries';
import type { QuorumOperation } from '../../../core/custody/operation';
import { rosterCredentials, type CredentialKind, type CredentialsChange } from '../../../core/custody/signin';
import { journalEvents } from '../../adapters/store/repos/events';
export interface CustodianInput {
  readonly custodianId: string;
  readonly name: string;
  readonly roles: readonly string[];
  /** The custodian's public key or certificate: PEM, or SubjectPublicKeyInfo DER as base64. */
  readonly publicKey: string;
  readonly validFrom: string;
  readonly validUntil: string;
}

/** The signature algorithm a roster key implies (what its token will produce for a challenge). */
export function algorithmOf(key: KeyObject): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  const algorithm = algorithmForPublicKey({
    type,
    namedCurve: details?.namedCurve,
    modulusLength: details?.modulusLength,
  });
  if (algorithm) return algorithm.name;
  throw stationError('ROSTER_INVALID', `unsupported custodian key type ${type ?? '?'}`, {
    field: 'publicKey',
  });
}

/** Reads a public key from PEM (public key or certificate) or base64 SPKI, to SPKI DER. */
export function readPublicKey(text: string): KeyObject {
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(text).publicKey;
    if (text.includes('-----BEGIN')) return createPublicKey(text);
    return createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw stationError(
      'ROSTER_INVALID',
      'the public key is not a PEM public key, certificate or base64 SubjectPublicKeyInfo',
      {
        field: 'publicKey',
      },
    );
  }
}

/**
 * Ids the journal's actors already use for the station itself: a custodian named so would record
 * `operator:station`, which reads as the station's own act (docs/operators.md).
 */
const RESERVED_IDS = new Set(['station', 'cli', 'demo', 'system']);

function toEntryBody(c: CustodianInput) {
  if (RESERVED_IDS.has(c.custodianId))
    throw stationError(
      'ROSTER_INVALID',
      `custodian id "${c.custodianId}" is reserved for the station's own acts: choose another`,
      { field: 'custodianId' },
    );
  const key = readPublicKey(c.publicKey);
  const der = key.export({ type: 'spki', format: 'der' });
  if (!(c.validFrom < c.validUntil)) {
    throw stationError('ROSTER_INVALID', `${c.custodianId}: valid-from must come before valid-until`, {
      field: 'validUntil',
    });
  }
  return {
    custodianId: c.custodianId,
    name: c.name,
    roles: [...c.roles],
    spki: der.toString('base64'),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    algorithm: algorithmOf(key),
    validFrom: c.validFrom,
    validUntil: c.validUntil,
  };
}

function assertUnique(
  entries: readonly { custodianId: string; name: string; fingerprint: string }[],
  existing: readonly RosterEntry[],
): void {
  const ids = new Set(existing.map((e) => e.custodianId));
  // Revoked custodians keep their name: a newcomer spelled like them would read as them in old records.
  const names = existing.map((e) => e.name);
  for (const e of entries) {
    if (ids.has(e.custodianId))
      throw stationError('ROSTER_INVALID', `custodian id ${e.custodianId} is already on the roster`, {
        field: 'custodianId',
      });
    ids.add(e.custodianId);
    const clash = nameClash(e.name, names);
    if (clash)
      throw stationError(
        'ROSTER_INVALID',
        `${e.custodianId}'s name "${escapeForDisplay(e.name)}" reads as "${escapeForDisplay(clash)}", already on the roster (NAME-CLASH)`,
        { field: 'name', check: 'NAME-CLASH' },
      );
    names.push(e.name);
    const holder = keyHolder(existing, e.fingerprint);
    if (holder)
      throw stationError('ROSTER_KEY_REUSED', `${e.custodianId}'s key is already registered to ${holder}`, {
        field: 'publicKey',
      });
  }
  const fps = entries.map((e) => e.fingerprint);
  const twice = fps.find((f, i) => fps.indexOf(f) !== i);
  if (twice)
    throw stationError('ROSTER_KEY_REUSED', 'two custodians were given the same key', { field: 'publicKey' });
}

/**
 * The first approved roster, by the security officer with named witnesses: allowed only while the
 * station has no roster (every later change needs the quorum of this one).
 */
export function initRoster(
  station: Station,
  opts: {
    quorum: number;
    custodians: readonly CustodianInput[];
    witnesses: readonly string[];
    actor: string;
  },
): RosterEntry[] {
  station.assertWritable();
  if (rosterPolicy(station))
    throw stationError('ROSTER_EXISTS', 'this station already has an approved roster', {});
  const bodies = opts.custodians.map(toEntryBody);
  assertUnique(bodies, []);
  if (opts.quorum > bodies.length) {
    throw stationError(
      'ROSTER_INVALID',
      `a quorum of ${opts.quorum} cannot be met by ${bodies.length} custodians`,
      { field: 'quorum' },
    );
  }
  station.record([
    {
      kind: 'roster.initialised',
      actor: opts.actor,
      body: { quorum: opts.quorum, custodians: bodies, witnesses: [...opts.witnesses] },
    },
  ]);
  return rosterEntries(station);
}

/** The exact operation a quorum must authorise for a roster change (bound to the change's content). */
export function rosterChangeOperation(change: object): QuorumOperation {
  return {
    kind: 'roster-change',
    changeSha256: createHash('sha256').update(canonicalBytes(change)).digest('hex'),
  };
}

export function proposeCustodian(c: CustodianInput): {
  body: ReturnType<typeof toEntryBody>;
  operation: QuorumOperation;
} {
  const body = toEntryBody(c);
  return { body, operation: rosterChangeOperation({ add: body }) };
}

export function addCustodian(
  station: Station,
  opts: { custodian: CustodianInput; quorumSessionId: string; actor: string },
): RosterEntry {
  station.assertWritable();
  if (!rosterPolicy(station))
    throw stationError('ROSTER_MISSING', 'there is no approved roster to add to', {});
  const { body, operation } = proposeCustodian(opts.custodian);
  assertUnique([body], rosterEntries(station));
  requireQuorum(station, opts.quorumSessionId, operation);
  // Again inside the write transaction: another process may have used this quorum meanwhile.
  station.record(
    [
      {
        kind: 'roster.custodian-added',
        actor: opts.actor,
        body: { custodian: body, quorumSessionId: opts.quorumSessionId },
      },
      quorumUsed(opts.quorumSessionId, operation, opts.actor),
    ],
    () => void requireQuorum(station, opts.quorumSessionId, operation),
  );
  return rosterEntries(station).find((e) => e.custodianId === body.custodianId) as RosterEntry;
}

export function revokeOperation(custodianId: string, reason: string): QuorumOperation {
  return rosterChangeOperation({ revoke: { custodianId, reason } });
}

export function revokeCustodian(
  station: Station,
  opts: { custodianId: string; reason: string; quorumSessionId: string; actor: string },
): void {
  station.assertWritable();
  const entry = rosterEntries(station).find((e) => e.custodianId === opts.custodianId);
  if (!entry || entry.revokedAt)
    throw stationError('CUSTODIAN_NOT_FOUND', `no active custodian ${opts.custodianId}`, {
      field: 'custodianId',
    });
  const operation = revokeOperation(opts.custodianId, opts.reason);
  requireQuorum(station, opts.quorumSessionId, operation);
  // Again inside the write transaction: another process may have used this quorum meanwhile.
  station.record(
    [
      {
        kind: 'roster.custodian-revoked',
        actor: opts.actor,
        body: { custodianId: opts.custodianId, reason: opts.reason, quorumSessionId: opts.quorumSessionId },
      },
      quorumUsed(opts.quorumSessionId, operation, opts.actor),
    ],
    () => void requireQuorum(station, opts.quorumSessionId, operation),
  );
}

/** What a roster change of credentials may set: a token always, and a key file where allowed. */
export type RosterCredentials = ['token'] | ['token', 'key-file'];

/** The exact operation a quorum must authorise to set a custodian's sign-in credentials (OPS-CREDENTIAL). */
export function credentialsOperation(custodianId: string, keyFile: boolean): QuorumOperation {
  return rosterChangeOperation({ credentials: { custodianId, credentials: credentialsFor(keyFile) } });
}

const credentialsFor = (keyFile: boolean): RosterCredentials => (keyFile ? ['token', 'key-file'] : ['token']);

/** Every credentials change the roster recorded, in journal order (`roster.credentials-set`). */
export function rosterCredentialChanges(station: Station): CredentialsChange[] {
  return journalEvents(station.store.db, ['roster.credentials-set']).map((e) => ({
    custodianId: e.body.custodianId,
    credentials: e.body.credentials,
  }));
}

/** The credentials a custodian may sign in with now (a token always; a key file where allowed). */
export function custodianCredentials(station: Station, custodianId: string): readonly CredentialKind[] {
  return rosterCredentials(custodianId, rosterCredentialChanges(station));
}

/**
 * Allows (or withdraws) sign-in with a passphrase-protected key file for a custodian on the roster: a
 * roster change, so a quorum session bound to exactly this change must authorise it. The key file's key
 * is the one the roster registered for them; nothing else about the entry changes.
 */
export function setCustodianCredentials(
  station: Station,
  opts: { custodianId: string; keyFile: boolean; quorumSessionId: string; actor: string },
): readonly CredentialKind[] {
  station.assertWritable();
  const entry = rosterEntries(station).find((e) => e.custodianId === opts.custodianId);
  if (!entry || entry.revokedAt)
    throw stationError('CUSTODIAN_NOT_FOUND', `no active custodian ${opts.custodianId}`, {
      field: 'custodianId',
    });
  const operation = credentialsOperation(opts.custodianId, opts.keyFile);
  requireQuorum(station, opts.quorumSessionId, operation);
  // Again inside the write transaction: another process may have used this quorum meanwhile.
  station.record(
    [
      {
        kind: 'roster.credentials-set',
        actor: opts.actor,
        body: {
          custodianId: opts.custodianId,
          credentials: credentialsFor(opts.keyFile),
          quorumSessionId: opts.quorumSessionId,
        },
      },
      quorumUsed(opts.quorumSessionId, operation, opts.actor),
    ],
    () => void requireQuorum(station, opts.quorumSessionId, operation),
  );
  return custodianCredentials(station, opts.custodianId);
}

/**
 * One compound roster change (a roster-change ceremony): who joins, who is revoked and why, and the
 * roster's new quorum M. It is applied whole, under one quorum bound to exactly this change, or not at all.
 */
export interface RosterChangeInput {
  readonly add: readonly CustodianInput[];
  readonly revoke: readonly { readonly custodianId: string; readonly reason: string }[];
  /** The roster's new quorum M, or null to keep the quorum it has. */
  readonly quorum: number | null;
  /** N, when the change states it: how many custodians are VALID once it is applied (checked, not set). */
  readonly validAfter?: number | null | undefined;
}

/** What a compound change would make of the roster: every refusal checked, nothing written. */
export interface RosterChangePlan {
  /** The change as the operation binds it: entry bodies (keys as SPKI with fingerprints), revocations, quorum. */
  readonly change: {
    readonly add: ReturnType<typeof toEntryBody>[];
    readonly revoke: { custodianId: string; reason: string }[];
    readonly quorum: number | null;
  };
  readonly operation: QuorumOperation;
  /** The roster once the change is applied (revoked entries stamped at the station's clock). */
  readonly roster: RosterEntry[];
  /** The roster's quorum once the change is applied. */
  readonly quorum: number;
  /** How many of `roster` are VALID at the station's clock. */
  readonly valid: number;
}

/** Re-raises a roster entry's refusal with its place in the change (`add[1].publicKey`). */
function inChange<T>(at: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CodedError && isErrorCode(e.code)) {
      const field = typeof e.data.field === 'string' ? `${at}.${e.data.field}` : at;
      throw stationError(e.code, `${at}: ${e.message}`, { ...e.data, field });
    }
    throw e;
  }
}

/** The exact operation a quorum must authorise for a compound change: a session for one add never fits it. */
export function rosterChangeSetOperation(change: RosterChangePlan['change']): QuorumOperation {
  return rosterChangeOperation({ change });
}

/** The change's entry bodies and its operation, from the change alone (no roster is read). */
export function proposeRosterChange(
  input: RosterChangeInput,
): Pick<RosterChangePlan, 'change' | 'operation'> {
  const change = {
    add: input.add.map((c, i) => inChange(`add[${i}]`, () => toEntryBody(c))),
    revoke: input.revoke.map((r) => ({ custodianId: r.custodianId, reason: r.reason.trim() })),
    quorum: input.quorum,
  };
  return { change, operation: rosterChangeSetOperation(change) };
}

/**
 * Every check applyRosterChange makes before it writes, against the roster as the journal holds it now,
 * and the roster that would result. A rehearsal shows this (nothing applied); the real act applies it.
 */
export function planRosterChange(station: Station, input: RosterChangeInput): RosterChangePlan {
  const policy = rosterPolicy(station);
  if (!policy) throw stationError('ROSTER_MISSING', 'there is no approved roster to change', {});
  const { change, operation } = proposeRosterChange(input);
  if (change.add.length === 0 && change.revoke.length === 0 && change.quorum === null)
    throw stationError('ROSTER_INVALID', 'the change adds nobody, revokes nobody and sets no quorum', {
      field: 'add',
    });
  const existing = rosterEntries(station);
  change.add.forEach((body, i) => inChange(`add[${i}]`, () => assertUnique([body], existing)));
  assertUnique(change.add, existing);
  const now = journalTime(station.deps.clock());
  const revoked = new Set<string>();
  change.revoke.forEach((r, i) => {
    const entry = existing.find((e) => e.custodianId === r.custodianId);
    if (!entry || entry.revokedAt || revoked.has(r.custodianId))
      throw stationError(
        'CUSTODIAN_NOT_FOUND',
        `revoke[${i}]: no active custodian ${r.custodianId} on the roster${entry?.revokedAt ? ` (revoked at ${entry.revokedAt})` : ''}`,
        { field: `revoke[${i}].custodianId`, custodianId: r.custodianId },
      );
    if (r.reason === '')
      throw stationError('ROSTER_INVALID', `revoke[${i}]: a revocation names its reason`, {
        field: `revoke[${i}].reason`,
      });
    revoked.add(r.custodianId);
  });
  const roster: RosterEntry[] = [
    ...existing.map((e) => (revoked.has(e.custodianId) ? { ...e, revokedAt: now } : e)),
    ...change.add.map((b) => ({ ...b, revokedAt: null })),
  ].sort((a, b) => (a.custodianId < b.custodianId ? -1 : 1));
  const quorum = change.quorum ?? policy.quorum;
  const valid = validCustodians(roster, now).length;
  if (!Number.isInteger(quorum) || quorum < 2 || quorum > 32)
    throw stationError(
      'ROSTER_QUORUM_INVALID',
      `a roster quorum of ${quorum} is not allowed: it is at least 2 (one person never authorises alone) and at most 32`,
      { field: 'quorum', quorum },
    );
  if (quorum > valid)
    throw stationError(
      'ROSTER_QUORUM_INVALID',
      `a quorum of ${quorum} cannot be met by the ${valid} custodian(s) VALID once the change is applied`,
      { field: 'quorum', quorum, valid },
    );
  if (input.validAfter !== undefined && input.validAfter !== null && input.validAfter !== valid)
    throw stationError(
      'ROSTER_QUORUM_INVALID',
      `the change states ${input.validAfter} custodians VALID once it is applied; the roster would have ${valid}`,
      { field: 'quorum.n', stated: input.validAfter, valid },
    );
  return { change, operation, roster, quorum, valid };
}

/**
 * Applies a compound roster change in ONE append: the adds, the revocations and the new quorum, with the
 * quorum session that authorised exactly this change closed as used. Every refusal comes before anything
 * is written; the plan and the quorum are checked again inside the append (another process may have
 * changed the roster or used the session meanwhile).
 */
export function applyRosterChange(
  station: Station,
  opts: { change: RosterChangeInput; quorumSessionId: string; actor: string },
): RosterChangePlan {
  station.assertWritable();
  const plan = planRosterChange(station, opts.change);
  const sessionId = opts.quorumSessionId;
  requireQuorum(station, sessionId, plan.operation);
  const { change } = plan;
  station.record(
    [
      ...change.add.map((custodian): NewEvent => ({
        kind: 'roster.custodian-added',
        actor: opts.actor,
        body: { custodian, quorumSessionId: sessionId },
      })),
      ...change.revoke.map((r): NewEvent => ({
        kind: 'roster.custodian-revoked',
        actor: opts.actor,
        body: { custodianId: r.custodianId, reason: r.reason, quorumSessionId: sessionId },
      })),
      ...(change.quorum === null
        ? []
        : [
            {
              kind: 'roster.quorum-set',
              actor: opts.actor,
              body: { quorum: change.quorum, quorumSessionId: sessionId },
            } satisfies NewEvent<'roster.quorum-set'>,
          ]),
      quorumUsed(sessionId, plan.operation, opts.actor),
    ],
    () => {
      planRosterChange(station, opts.change);
      requireQuorum(station, sessionId, plan.operation);
    },
  );
  return plan;
}
