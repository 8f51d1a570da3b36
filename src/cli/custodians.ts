import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { KEY_ALGORITHMS } from '../core/crypto/algorithms';
import { CodedError } from '../core/errors';
import {
  ceremonyKeygen,
  ceremonyKeygenOperation,
  ceremonySign,
  listShares,
  rosterView,
} from '../main/services/custodians';
import {
  custodyItems,
  coverage,
  recordCustodyAct,
  registerCustodyItem,
  setAvailability,
  type CustodyAct,
} from '../main/services/custody';
import {
  cancelQuorumSession,
  checkInWithToken,
  listQuorumSessions,
  openQuorumSession,
  quorumSessionView,
  submitCheckIn,
} from '../main/services/custodians';
import {
  addCustodian,
  credentialsOperation,
  initRoster,
  setCustodianCredentials,
  proposeCustodian,
  revokeCustodian,
  revokeOperation,
  type CustodianInput,
} from '../main/services/custodians';
import {
  findSplit,
  recoverReissue,
  reissueActivationShares,
  reissueOperation,
  splitActivationSecret,
  verifyShare,
} from '../main/services/custodians';
import type { Station } from '../main/station/station';
import { collect, moduleOf, withStation, writeNewFile, type Out, type TokenFlags } from './context';
import { EXIT } from './exit-codes';
import { readPin } from './pin';
import { encodeOperation } from '../core/custody/operation';

interface CustodianFile {
  custodianId: string;
  name: string;
  roles: string[];
  publicKey?: string;
  publicKeyFile?: string;
  validFrom: string;
  validUntil: string;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new CodedError('INVALID_INPUT', `${path} is not readable JSON: ${(e as Error).message}`, {
      field: 'file',
    });
  }
}

/** A custodian as described in a roster file; publicKeyFile is relative to that file. */
function custodianInput(c: CustodianFile, base: string): CustodianInput {
  const publicKey =
    c.publicKey ??
    (c.publicKeyFile
      ? readFileSync(isAbsolute(c.publicKeyFile) ? c.publicKeyFile : join(base, c.publicKeyFile), 'utf8')
      : '');
  return {
    custodianId: c.custodianId,
    name: c.name,
    roles: c.roles,
    publicKey,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
  };
}

function shareTexts(files: string[], enteredBy: string[]): { text: string; enteredBy?: string }[] {
  return files.map((f, i) => ({
    text: readFileSync(f, 'utf8').replace(/^[^\n]*:\n/gm, ''),
    ...(enteredBy[i] ? { enteredBy: enteredBy[i] } : {}),
  }));
}

export function registerCustodianCommands(program: Command, out: Out): void {
  const roster = program.command('roster').description('the approved custodian roster');

  roster
    .command('init')
    .description('the first roster (only while the station has none): quorum and custodians from a JSON file')
    .requiredOption(
      '--file <roster.json>',
      '{ "quorum": M, "custodians": [{ custodianId, name, roles, publicKeyFile|publicKey, validFrom, validUntil }] }',
    )
    .requiredOption('--witness <name>', 'a witness present (repeatable)', collect, [])
    .option('--actor <actor>', 'the security officer, e.g. operator:so-1')
    .action(async function (this: Command, o: { file: string; witness: string[]; actor: string }) {
      const file = readJson(o.file) as { quorum: number; custodians: CustodianFile[] };
      const base = dirname(resolve(o.file));
      await withStation(this, (s) => {
        const entries = initRoster(s, {
          quorum: file.quorum,
          custodians: file.custodians.map((c) => custodianInput(c, base)),
          witnesses: o.witness,
          actor: o.actor,
        });
        out(`roster initialised: quorum ${file.quorum} of ${entries.length}\n`);
      });
    });

  roster
    .command('list')
    .description(
      'the approved roster as the UI shows it: each custodian’s validity now (ROSTER-VALID) and key',
    )
    .option('--json', 'print JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const roster = rosterView(s);
        if (o.json) return out(`${JSON.stringify(roster, null, 2)}\n`);
        out(`quorum ${roster.quorum ?? '-'}\n`);
        for (const e of roster.custodians) {
          out(
            `${e.status.padEnd(13)} ${e.custodianId}  ${e.name}  [${e.roles.join(', ')}]  ${e.algorithm}  ${e.validFrom.slice(0, 10)}..${e.validUntil.slice(0, 10)}${e.revokedAt ? `  revoked ${e.revokedAt}` : ''}\n    sign-in: ${e.credentials.join(', ')}\n    ${e.fingerprint}\n    ${e.words.join(' ')}\n`,
          );
        }
      });
    });

  roster
    .command('add')
    .description(
      'add a custodian, authorised by a quorum session bound to this exact change (--print-operation shows it)',
    )
    .requiredOption(
      '--file <custodian.json>',
      '{ custodianId, name, roles, publicKeyFile|publicKey, validFrom, validUntil }',
    )
    .option('--quorum <session>', 'the quorum session that authorises the change')
    .option('--print-operation', 'print the operation a quorum session must be opened for, and stop')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: { file: string; quorum?: string; printOperation?: boolean; actor: string },
    ) {
      const input = custodianInput(readJson(o.file) as CustodianFile, dirname(resolve(o.file)));
      if (o.printOperation) return out(`${encodeOperation(proposeCustodian(input).operation)}\n`);
      if (!o.quorum)
        throw new CodedError('INVALID_INPUT', '--quorum is required to change the roster', {
          field: 'quorum',
        });
      const quorumSessionId = o.quorum;
      await withStation(this, (s) => {
        const e = addCustodian(s, { custodian: input, quorumSessionId, actor: o.actor });
        out(`added ${e.custodianId}\n`);
      });
    });

  roster
    .command('revoke')
    .requiredOption('--custodian <id>', 'custodian id')
    .requiredOption('--reason <text>', 'why')
    .option('--quorum <session>', 'the quorum session that authorises the change')
    .option('--print-operation', 'print the operation a quorum session must be opened for, and stop')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: { custodian: string; reason: string; quorum?: string; printOperation?: boolean; actor: string },
    ) {
      if (o.printOperation) return out(`${encodeOperation(revokeOperation(o.custodian, o.reason))}\n`);
      if (!o.quorum)
        throw new CodedError('INVALID_INPUT', '--quorum is required to change the roster', {
          field: 'quorum',
        });
      const quorumSessionId = o.quorum;
      await withStation(this, (s) => {
        revokeCustodian(s, { custodianId: o.custodian, reason: o.reason, quorumSessionId, actor: o.actor });
        out(`revoked ${o.custodian}\n`);
      });
    });

  roster
    .command('credentials')
    .description(
      'allow (or withdraw) sign-in with a key file for a custodian (OPS-CREDENTIAL), authorised by a quorum session bound to this exact change (--print-operation shows it)',
    )
    .requiredOption('--custodian <id>', 'custodian id')
    .option('--allow-key-file', 'the custodian may also sign in with their passphrase-protected key file')
    .option('--token-only', 'the custodian signs in with their token only')
    .option('--quorum <session>', 'the quorum session that authorises the change')
    .option('--print-operation', 'print the operation a quorum session must be opened for, and stop')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: {
        custodian: string;
        allowKeyFile?: boolean;
        tokenOnly?: boolean;
        quorum?: string;
        printOperation?: boolean;
        actor: string;
      },
    ) {
      if (Boolean(o.allowKeyFile) === Boolean(o.tokenOnly))
        throw new CodedError('INVALID_INPUT', 'give exactly one of --allow-key-file and --token-only', {
          field: 'credentials',
        });
      const keyFile = Boolean(o.allowKeyFile);
      if (o.printOperation) return out(`${encodeOperation(credentialsOperation(o.custodian, keyFile))}\n`);
      if (!o.quorum)
        throw new CodedError('INVALID_INPUT', '--quorum is required to change the roster', {
          field: 'quorum',
        });
      const quorumSessionId = o.quorum;
      await withStation(this, (s) => {
        const now = setCustodianCredentials(s, {
          custodianId: o.custodian,
          keyFile,
          quorumSessionId,
          actor: o.actor,
        });
        out(`${o.custodian} signs in with: ${now.join(', ')}\n`);
      });
    });

  const quorum = program
    .command('quorum')
    .description('quorum sessions: custodians check in with their own tokens');

  quorum
    .command('open')
    .requiredOption('--operation <op>', 'what the quorum authorises, exactly (e.g. from --print-operation)')
    .requiredOption('--ceremony <id>', 'ceremony id')
    .requiredOption('--step <step>', 'ceremony step')
    .option('--threshold <m>', 'custodians needed (default: the roster quorum)', (v) => Number(v))
    .option('--ttl <minutes>', 'how long the challenge stays valid', (v) => Number(v), 60)
    .option('--actor <actor>', 'who opens it', 'operator:cli')
    .action(async function (
      this: Command,
      o: {
        operation: string;
        ceremony: string;
        step: string;
        threshold?: number;
        ttl: number;
        actor: string;
      },
    ) {
      await withStation(this, (s) => {
        const session = openQuorumSession(s, {
          operation: o.operation,
          ceremonyId: o.ceremony,
          step: o.step,
          ...(o.threshold ? { threshold: o.threshold } : {}),
          ttlMinutes: o.ttl,
          actor: o.actor,
        });
        const view = quorumSessionView(s, { sessionId: session.sessionId });
        out(
          `session ${session.sessionId}\nchallenge ${view.challenge.sha256}\n  words: ${view.challenge.words.join(' ')}\n`,
        );
      });
    });

  quorum
    .command('challenge')
    .description('write the exact challenge bytes custodians sign (for signing elsewhere)')
    .requiredOption('--session <id>', 'session id')
    .requiredOption('--out <file>', 'new file')
    .action(async function (this: Command, o: { session: string; out: string }) {
      await withStation(this, (s) =>
        writeNewFile(o.out, quorumSessionView(s, { sessionId: o.session }).challenge.text),
      );
    });

  quorum
    .command('checkin')
    .description('a custodian checks in: their token signs the challenge after their PIN login')
    .requiredOption('--session <id>', 'session id')
    .requiredOption('--token <serial>', 'the custodian’s own token')
    .option('--module <id>', 'registered module id (default: the only one)')
    .option('--pin-stdin', 'read the custodian’s PIN from stdin')
    .option(
      '--actor <actor>',
      'optional: the check-in is recorded under the roster entry of the key that signs; a different name is refused',
    )
    .action(async function (this: Command, o: TokenFlags & { session: string; actor?: string }) {
      await withStation(this, async (s) => {
        const pin = await readPin(`PIN of custodian token ${o.token}: `, Boolean(o.pinStdin));
        const v = checkInWithToken(s, {
          sessionId: o.session,
          moduleId: moduleOf(s, o.module),
          serial: o.token,
          pin,
          actor: o.actor,
        });
        reportCheckIn(s, o.session, v, out);
      });
    });

  quorum
    .command('submit')
    .description(
      'submit a check-in signed elsewhere: the statement it signed, the raw signature, the key fingerprint',
    )
    .requiredOption('--session <id>', 'session id')
    .requiredOption('--statement <file>', 'the signed statement')
    .requiredOption('--signature <file>', 'the signature (raw bytes; ECDSA as r||s)')
    .requiredOption('--key-fingerprint <hex>', 'SHA-256 of the signer’s SubjectPublicKeyInfo')
    .option(
      '--actor <actor>',
      'optional: the check-in is recorded under the roster entry of the key that signed; a different name is refused',
    )
    .action(async function (
      this: Command,
      o: { session: string; statement: string; signature: string; keyFingerprint: string; actor?: string },
    ) {
      await withStation(this, (s) => {
        const v = submitCheckIn(
          s,
          o.session,
          {
            statement: readFileSync(o.statement),
            signature: readFileSync(o.signature),
            fingerprint: o.keyFingerprint,
          },
          o.actor,
        );
        reportCheckIn(s, o.session, v, out);
      });
    });

  quorum
    .command('status')
    .description(
      'who has checked in, and whether an act holds the session; exit 0 when quorum is reached and the session is usable, 6 when not',
    )
    .requiredOption('--session <id>', 'session id')
    .option('--json', 'print JSON')
    .action(async function (this: Command, o: { session: string; json?: boolean }) {
      await withStation(this, (s) => {
        const v = quorumSessionView(s, { sessionId: o.session });
        if (o.json) out(`${JSON.stringify(v, null, 2)}\n`);
        else {
          out(
            `${v.state.reached ? 'QUORUM REACHED' : 'QUORUM NOT REACHED'}: ${v.state.checkedIn.length} of ${v.state.threshold}${v.closed && !v.claim ? ` (closed: ${v.closedReason})` : ''}\n`,
          );
          // QUORUM-CLAIM: an act holds the session, or the station stopped during it.
          if (v.claim)
            out(
              `  ${v.status === 'CLAIMED' ? 'CLAIMED' : 'EXPIRED while claimed'} [QUORUM-CLAIM]: by ${v.claim.actor} at ${v.claim.at} (seq ${v.claim.seq}); no other act may use it; it expires at ${v.session.expiresAt}\n`,
            );
          for (const c of v.state.checkedIn) out(`  checked in: ${c.custodianId} at ${c.at}\n`);
          const waiting = v.seats.filter(
            (x) => !v.state.checkedIn.some((c) => c.custodianId === x.custodianId),
          );
          if (!v.closed && waiting.length > 0)
            out(`  may check in: ${waiting.map((x) => `${x.custodianId} (${x.name})`).join(', ')}\n`);
          for (const r of v.refusals) out(`  refused (${r.code}): ${r.reason}\n`);
        }
        if (!v.state.reached || v.claim) process.exitCode = EXIT.STATE;
      });
    });

  quorum
    .command('cancel')
    .requiredOption('--session <id>', 'session id')
    .option('--actor <actor>', 'who cancels', 'operator:cli')
    .action(async function (this: Command, o: { session: string; actor: string }) {
      await withStation(this, (s) => cancelQuorumSession(s, o.session, o.actor));
    });

  quorum.command('list').action(async function (this: Command) {
    await withStation(this, (s) => {
      for (const q of listQuorumSessions(s))
        out(`${q.sessionId}  ${q.closedReason ?? 'open'}  ${q.ceremonyId}/${q.step}  ${q.operation}\n`);
    });
  });

  const shares = program.command('shares').description('M-of-N activation of a ceremony token');

  shares
    .command('split')
    .description('set a random PIN on the token and split it among custodians; share sheets go to --out-dir')
    .requiredOption('--token <serial>', 'the ceremony token')
    .option('--module <id>', 'registered module id (default: the only one)')
    .requiredOption('--holders <ids>', 'custodian ids, comma separated, in share order')
    .requiredOption('--threshold <m>', 'shares needed', (v) => Number(v))
    .requiredOption('--out-dir <dir>', 'where the share sheets are written (the custodians’ media)')
    .option('--pin-stdin', 'read the token’s current user PIN from stdin')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: TokenFlags & { holders: string; threshold: number; outDir: string; actor: string },
    ) {
      await withStation(this, async (s) => {
        const currentPin = await readPin(`current user PIN of token ${o.token}: `, Boolean(o.pinStdin));
        const r = await splitActivationSecret(s, {
          moduleId: moduleOf(s, o.module),
          serial: o.token,
          currentPin,
          holders: o.holders.split(',').map((h) => h.trim()),
          threshold: o.threshold,
          outDir: resolve(o.outDir),
          actor: o.actor,
        });
        out(`split ${r.splitId}\n${r.files.map((f) => `  ${f}\n`).join('')}`);
      });
    });

  shares
    .command('verify')
    .description(
      'share health: check a share against its commitment (nothing is reconstructed); exit 0 when it matches',
    )
    .requiredOption('--split <id>', 'split id')
    .requiredOption('--custodian <id>', 'whose share this is')
    .requiredOption('--share-file <file>', 'the share as printed (text)')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: { split: string; custodian: string; shareFile: string; actor: string },
    ) {
      await withStation(this, (s) => {
        const r = verifyShare(s, {
          splitId: o.split,
          custodianId: o.custodian,
          shareText: readFileSync(o.shareFile, 'utf8'),
          actor: o.actor,
        });
        out(`${r.ok ? 'MATCHES' : `REFUSED (${r.code})`}: ${r.message}\n`);
        if (!r.ok) process.exitCode = EXIT.INTEGRITY;
      });
    });

  shares
    .command('reissue')
    .description(
      'rebuild the token’s PIN from M current shares in memory, set a new one and split it anew among --holders; the current split becomes VOID',
    )
    .requiredOption('--token <serial>', 'the share-activated ceremony token')
    .option('--share-file <file>', 'a current share (repeatable; at least the threshold)', collect, [])
    .option('--entered-by <id>', 'who entered each share, in the same order (repeatable)', collect, [])
    .option('--holders <ids>', 'the new holders: custodian ids, comma separated, in share order')
    .option('--threshold <m>', 'new shares needed', (v) => Number(v))
    .option('--out <dir>', 'where the new share files and sheets are written (the custodians’ media)')
    .option('--quorum-session <id>', 'the quorum session opened for the re-issue (see --print-operation)')
    .option('--print-operation', 'print the operation a quorum session must be opened for, and stop')
    .option('--json', 'machine-readable output (a refusal too, on stdout)')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: {
        token: string;
        shareFile: string[];
        enteredBy: string[];
        holders?: string;
        threshold?: number;
        out?: string;
        quorumSession?: string;
        printOperation?: boolean;
        json?: boolean;
        actor: string;
      },
    ) {
      await withStation(this, async (s) => {
        if (o.printOperation) return out(`${reissueOperation(s, { serial: o.token })}\n`);
        try {
          const need = <T>(value: T | undefined, flag: string): T => {
            if (value === undefined || value === '' || Number.isNaN(value))
              throw new CodedError('INVALID_INPUT', `--${flag} is required`, { field: flag });
            return value;
          };
          const r = await reissueActivationShares(s, {
            serial: o.token,
            shares: shareTexts(o.shareFile, o.enteredBy),
            holders: need(o.holders, 'holders')
              .split(',')
              .map((h) => h.trim()),
            threshold: need(o.threshold, 'threshold'),
            outDir: resolve(need(o.out, 'out')),
            quorumSessionId: need(o.quorumSession, 'quorum-session'),
            actor: o.actor,
          });
          if (o.json) return out(`${JSON.stringify({ ok: true, ...r })}\n`);
          out(
            `split ${r.splitId} (supersedes ${r.supersedes}: VOID)\n${r.files.map((f) => `  ${f}\n`).join('')}`,
          );
        } catch (e) {
          if (o.json && e instanceof CodedError) out(`${JSON.stringify({ ok: false, error: e.toJSON() })}\n`);
          throw e;
        }
      });
    });

  shares
    .command('recover')
    .description(
      'resolve an unresolved re-issue (SHARES_REISSUE_PENDING): M shares of the pending new split or of the old one, one login; the journal records which split the token holds',
    )
    .requiredOption('--token <serial>', 'the token whose re-issue is unresolved')
    .option('--share-file <file>', 'a share of the new or of the old split (repeatable)', collect, [])
    .option('--entered-by <id>', 'who entered each share, in the same order (repeatable)', collect, [])
    .option('--json', 'machine-readable output (a refusal too, on stdout)')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: { token: string; shareFile: string[]; enteredBy: string[]; json?: boolean; actor: string },
    ) {
      await withStation(this, async (s) => {
        try {
          const r = await recoverReissue(s, {
            serial: o.token,
            shares: shareTexts(o.shareFile, o.enteredBy),
            actor: o.actor,
          });
          if (o.json) return out(`${JSON.stringify({ ok: true, ...r })}\n`);
          out(
            r.outcome === 'recorded'
              ? `split ${r.splitId} recorded: it opens token ${o.token} (supersedes ${r.supersedes}: VOID)\n`
              : `re-issue to split ${r.splitId} abandoned: token ${o.token} still opens with split ${r.supersedes}\n`,
          );
        } catch (e) {
          if (o.json && e instanceof CodedError) out(`${JSON.stringify({ ok: false, error: e.toJSON() })}\n`);
          throw e;
        }
      });
    });

  shares.command('list').action(async function (this: Command) {
    await withStation(this, (s) => {
      for (const x of listShares(s)) {
        out(
          `${x.splitId}  token ${x.tokenSerial}  ${x.threshold} of ${x.total}: ${x.holders.map((h) => `${h.position}=${h.custodianId}`).join(', ')}  ${x.supersededBy ? `SUPERSEDED by ${x.supersededBy.splitId} on ${x.supersededBy.at}: its shares open nothing` : x.pendingReissue ? `PENDING re-issue to ${x.pendingReissue.splitId} (${x.pendingReissue.at}): run station shares recover --token ${x.tokenSerial}` : 'current'}\n`,
        );
      }
    });
  });

  const ceremony = program
    .command('ceremony')
    .description(
      'key ceremonies: ceremony files (check, script) and operations on a share-activated token, under quorum',
    );
  const activation = (cmd: Command) =>
    cmd
      .requiredOption('--split <id>', 'activation split id')
      .option('--quorum <session>', 'the quorum session bound to this operation')
      .option('--share-file <file>', 'a custodian’s share (repeatable)', collect, [])
      .option('--entered-by <id>', 'who entered each share, in the same order (repeatable)', collect, [])
      .option('--print-operation', 'print the operation a quorum session must be opened for, and stop')
      .option('--actor <actor>', 'who records it', 'operator:cli');
  type ActivationFlags = {
    split: string;
    quorum?: string;
    shareFile: string[];
    enteredBy: string[];
    printOperation?: boolean;
    actor: string;
  };
  const needQuorum = (o: ActivationFlags) => {
    if (!o.quorum) throw new CodedError('INVALID_INPUT', '--quorum is required', { field: 'quorum' });
    return o.quorum;
  };

  activation(ceremony.command('keygen').description('generate a key on the ceremony token'))
    .requiredOption('--label <label>', 'CKA_LABEL')
    .requiredOption('--algorithm <alg>', KEY_ALGORITHMS.join(' | '))
    .action(async function (this: Command, o: ActivationFlags & { label: string; algorithm: string }) {
      await withStation(this, async (s) => {
        if (o.printOperation)
          return out(
            `${ceremonyKeygenOperation(s, { splitId: o.split, key: { label: o.label, algorithm: o.algorithm } }).operation}\n`,
          );
        const key = await ceremonyKeygen(s, {
          splitId: o.split,
          shares: shareTexts(o.shareFile, o.enteredBy),
          quorumSessionId: needQuorum(o),
          key: { label: o.label, algorithm: o.algorithm },
          actor: o.actor,
        });
        out(
          `generated ${key.keyType} ${key.size} "${key.label}" id ${key.id} (${key.residency?.verdict ?? '?'})\n`,
        );
      });
    });

  activation(ceremony.command('sign').description('sign a file with a key on the ceremony token'))
    .requiredOption('--key <id>', 'CKA_ID of the key')
    .requiredOption('--in <file>', 'the file to sign')
    .option('--out <file>', 'new file for the raw signature')
    .action(async function (this: Command, o: ActivationFlags & { key: string; in: string; out?: string }) {
      const data = readFileSync(o.in);
      await withStation(this, async (s) => {
        const { createHash } = await import('node:crypto');
        if (o.printOperation)
          return out(
            `${encodeOperation({
              kind: 'ceremony-sign',
              tokenSerial: findSplit(s, o.split).tokenSerial,
              keyId: o.key,
              dataSha256: createHash('sha256').update(data).digest('hex'),
            })}\n`,
          );
        const r = await ceremonySign(s, {
          splitId: o.split,
          shares: shareTexts(o.shareFile, o.enteredBy),
          quorumSessionId: needQuorum(o),
          keyId: o.key,
          data,
          actor: o.actor,
        });
        if (o.out) writeNewFile(o.out, r.signature);
        out(`signed ${r.dataSha256} with ${r.algorithm}${o.out ? ` → ${o.out}` : ''}\n`);
      });
    });

  const custody = program.command('custody').description('custody log of sealed media and devices');
  custody
    .command('register')
    .requiredOption('--item <id>', 'item id')
    .requiredOption('--kind <kind>', 'hsm | backup-token | escrow-envelope | share-media | other')
    .requiredOption('--description <text>', 'what it is')
    .option('--bag <serial>', 'first seal: tamper-evident bag serial (with --location and --holder)')
    .option('--location <place>', 'first seal: where it is kept')
    .option('--holder <name>', 'first seal: who holds it')
    .option('--witness <name>', 'first seal: witness (repeatable)', collect, [])
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: {
        item: string;
        kind: string;
        description: string;
        bag?: string;
        location?: string;
        holder?: string;
        witness: string[];
        actor: string;
      },
    ) {
      // The first seal is all of bag, location and holder, or none of them (then `custody seal` later).
      const { bag, location, holder } = o;
      const seal =
        bag !== undefined && location !== undefined && holder !== undefined
          ? { bagSerial: bag, location, holder, witnesses: o.witness }
          : undefined;
      if (!seal && (bag ?? location ?? holder) !== undefined)
        throw new CodedError(
          'INVALID_INPUT',
          'a first seal needs --bag, --location and --holder together (or none, and `custody seal` later)',
          { field: bag === undefined ? 'bag' : location === undefined ? 'location' : 'holder' },
        );
      if (!seal && o.witness.length > 0)
        throw new CodedError(
          'INVALID_INPUT',
          '--witness belongs to a first seal: give --bag, --location and --holder too',
          { field: 'witness' },
        );
      const v = await withStation(this, (s) =>
        registerCustodyItem(s, {
          itemId: o.item,
          itemKind: o.kind as 'other',
          description: o.description,
          ...(seal ? { seal } : {}),
          actor: o.actor,
        }),
      );
      out(`${v.itemId}: ${v.status}${v.sealed ? `, sealed in ${v.bagSerial}` : ', not sealed'}\n`);
    });
  const act = (name: string) =>
    custody
      .command(name)
      .requiredOption('--item <id>', 'item id')
      .option('--actor <actor>', 'who records it', 'operator:cli');
  act('seal')
    .requiredOption('--bag <serial>', 'tamper-evident bag serial')
    .requiredOption('--location <place>', 'where it is kept')
    .requiredOption('--holder <name>', 'who holds it')
    .option('--witness <name>', 'witness (repeatable)', collect, [])
    .action(async function (
      this: Command,
      o: { item: string; bag: string; location: string; holder: string; witness: string[]; actor: string },
    ) {
      await custodyAct(
        this,
        o.item,
        { type: 'sealed', bagSerial: o.bag, location: o.location, holder: o.holder, witnesses: o.witness },
        o.actor,
        out,
      );
    });
  act('unseal')
    .requiredOption('--bag <serial>', 'the bag serial read before opening')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--holder <name>', 'who opens it')
    .action(async function (
      this: Command,
      o: { item: string; bag: string; reason: string; holder: string; actor: string },
    ) {
      await custodyAct(
        this,
        o.item,
        { type: 'unsealed', bagSerialObserved: o.bag, reason: o.reason, holder: o.holder },
        o.actor,
        out,
      );
    });
  act('transfer')
    .requiredOption('--bag <serial>', 'the bag serial read at hand-over')
    .requiredOption('--from <name>', 'from')
    .requiredOption('--to <name>', 'to')
    .requiredOption('--location <place>', 'new location')
    .action(async function (
      this: Command,
      o: { item: string; bag: string; from: string; to: string; location: string; actor: string },
    ) {
      await custodyAct(
        this,
        o.item,
        { type: 'transferred', bagSerialObserved: o.bag, from: o.from, to: o.to, location: o.location },
        o.actor,
        out,
      );
    });
  act('inspect')
    .requiredOption('--bag <serial>', 'the bag serial read')
    .requiredOption('--inspector <name>', 'who inspects')
    .option('--broken', 'the seal is not intact')
    .option('--note <text>', 'remarks', '')
    .action(async function (
      this: Command,
      o: { item: string; bag: string; inspector: string; broken?: boolean; note: string; actor: string },
    ) {
      await custodyAct(
        this,
        o.item,
        {
          type: 'inspected',
          bagSerialObserved: o.bag,
          sealIntact: !o.broken,
          inspector: o.inspector,
          note: o.note,
        },
        o.actor,
        out,
      );
    });
  act('replace-media')
    .requiredOption('--note <text>', 'what was replaced and why')
    .action(async function (this: Command, o: { item: string; note: string; actor: string }) {
      await custodyAct(this, o.item, { type: 'media-replaced', note: o.note }, o.actor, out);
    });
  custody
    .command('list')
    .option('--json', 'print JSON')
    .option('--max-age <days>', 'inspection freshness policy', (v) => Number(v), 90)
    .action(async function (this: Command, o: { json?: boolean; maxAge: number }) {
      await withStation(this, (s) => {
        const items = custodyItems(s, o.maxAge);
        if (o.json) return out(`${JSON.stringify(items, null, 2)}\n`);
        for (const i of items) {
          out(
            `${i.itemId}  ${i.status}  ${i.sealed ? `sealed in ${i.bagSerial}` : 'unsealed'}  ${i.location ?? ''}  inspection ${i.inspection.status} (${i.inspection.reason})\n`,
          );
          for (const b of i.breaks) out(`  CUSTODY BREAK [${b.check}] seq ${b.seq}: ${b.message}\n`);
        }
      });
    });

  const cov = program.command('coverage').description('signer coverage by shift');
  cov
    .command('set')
    .requiredOption('--custodian <id>', 'custodian id')
    .requiredOption('--date <yyyy-mm-dd>', 'day')
    .requiredOption('--shift <name>', 'shift, e.g. day or night')
    .option('--unavailable', 'not available (default: available)')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      o: { custodian: string; date: string; shift: string; unavailable?: boolean; actor: string },
    ) {
      await withStation(this, (s) =>
        setAvailability(
          s,
          { custodianId: o.custodian, date: o.date, shift: o.shift, available: !o.unavailable },
          o.actor,
        ),
      );
    });
  cov
    .command('show')
    .requiredOption('--from <yyyy-mm-dd>', 'first day')
    .option('--days <n>', 'days', (v) => Number(v), 7)
    .option('--shifts <names>', 'shift names, comma separated', 'day,night')
    .option('--json', 'print JSON')
    .action(async function (
      this: Command,
      o: { from: string; days: number; shifts: string; json?: boolean },
    ) {
      await withStation(this, (s) => {
        const grid = coverage(s, { from: o.from, days: o.days, shifts: o.shifts.split(',') });
        if (o.json) return out(`${JSON.stringify(grid, null, 2)}\n`);
        for (const c of grid.cells) {
          out(
            `${c.date} ${c.shift.padEnd(8)} ${c.covered ? 'COVERED' : 'SHORT  '} ${c.available.length}/${grid.threshold}  ${c.available.join(', ')}\n`,
          );
          // Who said what for this shift, as the console's cell title says it.
          for (const st of c.statements)
            out(
              `  ${st.custodianId}: ${st.available ? 'available' : 'not available'} — set by ${st.actor}, ${st.at} (entry ${st.seq})\n`,
            );
        }
      });
    });
}

async function custodyAct(
  cmd: Command,
  item: string,
  act: CustodyAct,
  actor: string,
  out: Out,
): Promise<void> {
  await withStation(cmd, (s: Station) => {
    const v = recordCustodyAct(s, { itemId: item, act, actor });
    out(`${item}: ${v.status}${v.breaks.length ? ` — ${v.breaks.map((b) => b.message).join('; ')}` : ''}\n`);
  });
}

function reportCheckIn(s: Station, sessionId: string, v: ReturnType<typeof submitCheckIn>, out: Out): void {
  const view = quorumSessionView(s, { sessionId });
  if (v.ok)
    out(
      `checked in: ${v.custodianId} (${view.state.checkedIn.length} of ${view.state.threshold}${view.state.reached ? ', QUORUM REACHED' : ''})\n`,
    );
  else throw new CodedError('CHECK_IN_REFUSED', `${v.code}: ${v.reason}`, { code: v.code });
}
