import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { KEY_ALGORITHMS } from '../core/crypto/algorithms';
import { CodedError } from '../core/errors';
import { ERROR_CATALOGUE, isErrorCode } from '../shared/errors';
import { createDemoStation } from '../main/demo/demo';
import { repairJournalMark, signCheckpoint } from '../main/services/identity';
import { initStation } from '../main/setup/init';
import {
  createTokenCsr,
  exportPublicKey,
  generateTokenKey,
  describeModules,
  listProfile,
  listTokenKeys,
  previewKey,
  recordInventory,
} from '../main/services/devices';
import {
  exportJournal,
  journalEntry,
  journalPage,
  listCheckpoints,
  verifyStationJournal,
} from '../main/services/journal/queries';
import { rebuildStationProjections } from '../main/services/journal';
import { Station } from '../main/station/station';
import { configProblems, readConfig, type StationConfig } from '../main/config';
import { registerBundleCommands } from './bundles';
import { registerCustodianCommands } from './custodians';
import { registerPacketCommands } from './packets';
import { registerAttestCommands } from './attest';
import { registerAuthorityCommands } from './authority';
import { registerGateCommands } from './gate';
import { registerAuthorityRedirectCommands } from './authority-redirect';
import { registerRecordsCommands } from './records';
import { registerSessionCommands } from './session';
import { registerDecisionsCommands } from './decisions';
import { registerSigningCommands } from './signing';
import { registerPortalCommands } from './portal';
import { registerCeremonyCommands } from './ceremony';
import { serve } from './serve';
import { guardTerminal, writeErr, writeOut } from './terminal';
import { EXIT, EXIT_HELP, exitCodeFor } from './exit-codes';
import { readConfirmation, readPin } from './pin';
import {
  bindConfig,
  collect,
  dataDirOf,
  depsOf,
  moduleOf,
  parseEnv,
  positiveInt,
  refuseOnOnlineStation,
  withStation,
  writeNewFile,
  type InitFlags,
  type TokenFlags,
} from './context';
import { stationInfo } from '../main/services/identity';
import { contract, type ModuleView } from '../shared/contract';

/** The `station` program over the configuration `main` read from the environment (src/main/config.ts). */
export function buildProgram(config: StationConfig, out: (s: string) => void = writeOut): Command {
  const program = new Command('station')
    .description('Ceremony Station: offline key-ceremony, custody and signing station')
    .option('--data-dir <dir>', `station data directory (default: ${config.dataDir})`)
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr });

  program
    .command('init')
    .description('create a new station: its journal, and its identity key on the station token')
    .requiredOption('--name <name>', 'station display name')
    .requiredOption('--token <serial>', 'serial number of the station token that will hold the identity key')
    .option('--profile <id>', 'PKCS#11 module profile (native/pkcs11)', 'softhsm2')
    .option('--module-path <path>', 'PKCS#11 library (default: the profile’s first path that exists)')
    .option(
      '--module-env <KEY=VALUE>',
      'environment the module needs, e.g. SOFTHSM2_CONF=/path (repeatable)',
      collect,
      [],
    )
    .option('--mode <mode>', 'offline | online', 'offline')
    .option('--actor <actor>', 'who creates it, e.g. operator:alice', 'operator:cli')
    .option('--pin-stdin', 'read the token user PIN from the first line of stdin')
    .action(async function (this: Command, o: InitFlags) {
      if (o.mode !== 'offline' && o.mode !== 'online') {
        throw new CodedError('INVALID_INPUT', '--mode must be offline or online', { field: 'mode' });
      }
      const environment = parseEnv(o.moduleEnv);
      const pin = await readPin(`user PIN of token ${o.token}: `, Boolean(o.pinStdin));
      const s = await initStation(
        dataDirOf(this),
        {
          name: o.name,
          mode: o.mode,
          actor: o.actor,
          profile: o.profile,
          modulePath: o.modulePath,
          environment,
          tokenSerial: o.token,
          pin,
        },
        depsOf(this),
      );
      const id = stationInfo(s, 'browser').identity;
      out(`created station ${s.stationRecord().stationId} in ${s.dataDir}\n`);
      if (id) out(`identity key fingerprint ${id.fingerprint}\n  words: ${id.words.join(' ')}\n`);
      s.close();
    });

  program
    .command('demo')
    .description(
      'create a demo station (real journal, SoftHSM2 token, sample scenario) in the data directory',
    )
    .action(async function (this: Command) {
      const s = await createDemoStation(dataDirOf(this), depsOf(this));
      out(`created demo station ${s.stationRecord().stationId} in ${s.dataDir}\n`);
      out(`demo token PINs are in ${join(s.dataDir, 'DEMO-PINS.txt')}\n`);
      s.close();
    });

  program
    .command('info')
    .description('print the station identity and store state as JSON')
    .action(async function (this: Command) {
      await withStation(this, (s) => out(`${JSON.stringify(stationInfo(s, 'browser'), null, 2)}\n`));
    });

  const journal = program.command('journal').description('the hash-chained journal');

  journal
    .command('verify')
    .description('verify the hash chain and checkpoints; exit 0 only when VERIFIED')
    .option('--json', 'print the verdict as JSON')
    .option(
      '--pin-stdin',
      'also log in to the station token (PIN from the first line of stdin) and judge its PIN-protected journal mark, which nobody without the PIN can remove or replace',
    )
    .action(async function (this: Command, o: { json?: boolean; pinStdin?: boolean }) {
      const report = await withStation(this, async (s) => {
        const pin = o.pinStdin ? await readPin('station token user PIN: ', true) : undefined;
        return verifyStationJournal(s, pin === undefined ? {} : { pin });
      });
      const { verdict } = report;
      if (o.json) out(`${JSON.stringify(report)}\n`);
      else if (verdict.status === 'VERIFIED') {
        const cp = verdict.checkpoint;
        const event = cp.eventSeq === null ? '' : `, its event seq ${cp.eventSeq}`;
        out(`VERIFIED ${verdict.entries} entries to checkpoint ${cp.n} (seq ${cp.size}${event})\n`);
      } else if (verdict.status === 'UNANCHORED') {
        out(`UNANCHORED [${verdict.check}] ${verdict.entries} entries intact; ${verdict.reason}\n`);
      } else {
        const at = verdict.firstBadSeq !== null ? ` AT seq ${verdict.firstBadSeq}` : '';
        out(`TAMPERED${at} [${verdict.check}] ${verdict.reason}\n`);
      }
      if (!o.json && report.identity) {
        out(
          `identity key ${report.identity.fingerprint.slice(0, 16)}… on token ${report.identity.tokenSerial}: ${report.identity.token.status} — ${report.identity.token.reason}\n`,
        );
      }
      if (!o.json && report.identity && report.identity.module.ignored.length > 0) {
        const m = report.identity.module;
        out(
          `module ${m.moduleId} registered again at seq ${m.ignored.join(', ')}: ignored — the station token is loaded from the registration at seq ${m.registeredAt ?? '?'} (MODULE_PINNED)\n`,
        );
      }
      if (!o.json && verdict.status !== 'TAMPERED') {
        const which = report.markChecked === 'private' ? ' (PIN-protected)' : '';
        out(`journal mark on the station token${which}: ${verdict.mark.status} — ${verdict.mark.reason}\n`);
      }
      if (!o.json && report.markResets.length > 0) {
        out(
          `journal mark re-established at seq ${report.markResets.join(', ')} (journal repair-mark --reset): a rollback before that cannot be seen\n`,
        );
      }
      // VERIFIED counts only when the station token confirms the identity key the checkpoints were
      // checked with and its journal mark names the latest checkpoint (JNL-ROLLBACK checked); without
      // them the result is as good as UNANCHORED.
      const confirmed =
        report.identity?.token.status === 'CONFIRMED' &&
        verdict.status === 'VERIFIED' &&
        verdict.mark.status === 'CONFIRMED';
      process.exitCode =
        verdict.status === 'VERIFIED'
          ? confirmed
            ? EXIT.OK
            : EXIT.UNANCHORED
          : verdict.status === 'UNANCHORED'
            ? EXIT.UNANCHORED
            : EXIT.INTEGRITY;
    });

  journal
    .command('checkpoint')
    .description(
      'sign a checkpoint over the journal head with the station identity key (asks for the token PIN)',
    )
    .option('--pin-stdin', 'read the token user PIN from the first line of stdin')
    .action(async function (this: Command, o: { pinStdin?: boolean }) {
      const station = Station.open(dataDirOf(this), depsOf(this));
      try {
        const pin = await readPin('station token user PIN: ', Boolean(o.pinStdin));
        const before = station.journal.lastCheckpointNumber();
        const cp = await signCheckpoint(station, { pin });
        out(
          cp.n > before
            ? `checkpoint ${cp.n} signed over ${cp.size} entries (head ${cp.headHash}), recorded at seq ${cp.eventSeq ?? '?'}; the station token's journal mark names it\n`
            : `the journal is already anchored: its head is checkpoint ${cp.n}'s own event (seq ${cp.eventSeq ?? '?'}); the station token's journal mark names it\n`,
        );
        printWarnings(cp.warnings);
      } finally {
        station.close();
      }
    });

  journal
    .command('repair-mark')
    .description(
      'with the station token PIN: record in the journal, then remove, objects where the journal mark lives that are not valid marks (JNL-MARK); with --reset, re-establish a missing mark',
    )
    .option('--actor <actor>', 'who repairs it, e.g. operator:alice')
    .requiredOption('--reason <text>', 'why (recorded): e.g. the incident or examination that explains it')
    .option(
      '--reset',
      'the token holds no valid mark although the journal holds chained checkpoints: re-establish it from the journal as it is now — a rollback before this can then never be detected',
    )
    .option('--pin-stdin', 'read the token user PIN from the first line of stdin')
    .action(async function (
      this: Command,
      o: { actor: string; reason: string; reset?: boolean; pinStdin?: boolean },
    ) {
      await withStation(this, async (s) => {
        if (o.reset)
          writeErr(
            'journal repair-mark --reset: the journal mark is re-established from this journal as it is now; a rollback done before this act can never be detected afterwards. The act is recorded.\n',
          );
        const pin = await readPin('station token user PIN: ', Boolean(o.pinStdin));
        const r = await repairJournalMark(s, {
          pin,
          actor: o.actor,
          reason: o.reason,
          reset: Boolean(o.reset),
        });
        out(
          r.seq === null
            ? `nothing to repair; the station token's journal marks name checkpoint ${r.checkpoint.n}\n`
            : `recorded at seq ${r.seq}: ${r.removed} object(s) removed from the token${r.reset ? ', journal mark RE-ESTABLISHED (a rollback before this cannot be seen)' : ''}; the marks name checkpoint ${r.checkpoint.n}\n`,
        );
        printWarnings(r.warnings);
      });
    });

  journal
    .command('rebuild-projections')
    .description(
      'rebuild every table the station derives from the journal (e.g. after an upgrade a stored row is refused as STORE_ROW_INVALID); only from a journal that verifies; the journal is unchanged',
    )
    .action(async function (this: Command) {
      await withStation(this, async (s) => {
        const r = await rebuildStationProjections(s);
        out(`projections rebuilt from ${r.entries} journal entries (journal ${r.verdict})\n`);
      });
    });

  journal
    .command('note')
    .description('record a free-text note from a named operator (e.g. a witness remark)')
    .option('--actor <actor>', 'who says it, e.g. operator:witness-1')
    .argument('<text>', 'the note')
    .action(async function (this: Command, text: string, o: { actor: string }) {
      await withStation(this, (s) => {
        const r = s.record([{ kind: 'operator.note', actor: o.actor, body: { text } }]);
        out(`recorded seq ${r.lastSeq}\n`);
      });
    });

  journal
    .command('export')
    .description('write entries as JSON lines (stdout, or a new file with --out)')
    .option('--from <seq>', 'first seq', positiveInt('--from'), 1)
    .option('--to <seq>', 'last seq (default: the head)', positiveInt('--to'))
    .option('--out <file>', 'write to this new file (never overwritten)')
    .action(async function (this: Command, o: { from: number; to?: number; out?: string }) {
      await withStation(this, (s) => {
        const toSeq = o.to ?? s.journal.head().seq;
        const target = o.out ? { path: resolve(o.out) } : { write: out };
        const n = exportJournal(s, { fromSeq: o.from, toSeq }, target);
        if (o.out) writeErr(`exported ${n} entries to ${o.out}\n`);
      });
    });

  journal
    .command('show')
    .description(
      'a page of entries, each with a one-line preview of its body (the UI’s journal list); filtered by kind, actor and seq range',
    )
    .option('--from <seq>', 'first seq (of the page, and of the range filtered)', positiveInt('--from'))
    .option('--to <seq>', 'last seq of the range filtered', positiveInt('--to'))
    .option('--kind <kind>', 'only entries of this kind (repeatable: any of them)', collect, [])
    .addOption(new FilterOption('--actor <actor>', 'only entries recorded by this actor (exactly)'))
    .option('--limit <n>', `entries on the page (at most ${JOURNAL_PAGE_MAX})`, positiveInt('--limit'), 50)
    .option('--json', 'print the journalPage view as JSON')
    .action(async function (
      this: Command,
      o: { from?: number; to?: number; kind: string[]; actorFilter?: string; limit: number; json?: boolean },
    ) {
      if (o.limit > JOURNAL_PAGE_MAX)
        throw new CodedError('INVALID_INPUT', `--limit must be at most ${JOURNAL_PAGE_MAX}`, {
          field: 'limit',
        });
      const filter = {
        ...(o.kind.length > 0 ? { kinds: o.kind } : {}),
        ...(o.actorFilter !== undefined ? { actor: o.actorFilter } : {}),
        ...(o.to !== undefined ? { toSeq: o.to } : {}),
      };
      // --from alone pages from a seq, as it always did; with a filter it is also the range's first seq
      // (checked: inside the journal, not after --to), so the next page is --from <last shown + 1>.
      const filtered = Object.keys(filter).length > 0;
      const input = filtered
        ? {
            fromSeq: o.from ?? 1,
            limit: o.limit,
            filter: { ...filter, ...(o.from !== undefined ? { fromSeq: o.from } : {}) },
          }
        : { fromSeq: o.from ?? 1, limit: o.limit };
      const page = await withStation(this, (s) => {
        try {
          return journalPage(s, input);
        } catch (e) {
          // The range is refused by the station's own rule; here its fields are the flags.
          const field = e instanceof CodedError ? e.data.field : undefined;
          if (e instanceof CodedError && (field === 'fromSeq' || field === 'toSeq'))
            throw new CodedError(e.code, e.message, { field: field === 'fromSeq' ? 'from' : 'to' });
          throw e;
        }
      });
      if (o.json) return out(`${JSON.stringify(page)}\n`);
      for (const e of page.entries) out(`${e.seq}  ${e.at}  ${e.actor}  ${e.kind}  ${e.preview}\n`);
      const [first, last] = [page.entries.at(0)?.seq, page.entries.at(-1)?.seq];
      const from = o.from ?? 1;
      if (filtered) {
        const shown =
          first === undefined || last === undefined ? 'none shown' : `seq ${first}..${last} shown`;
        out(`${page.matched ?? page.total} of ${page.total} entries match; ${shown}\n`);
      } else
        out(
          first === undefined || last === undefined
            ? `no entries from seq ${from}; the journal holds ${page.total}\n`
            : `seq ${first}..${last} of ${page.total}\n`,
        );
    });

  journal
    .command('entry')
    .description('one entry: its hashes and its stored body, exactly as hashed')
    .argument('<seq>', 'the entry’s seq', positiveInt('seq'))
    .option('--json', 'print the journalEntry view as JSON')
    .action(async function (this: Command, seq: number, o: { json?: boolean }) {
      const e = await withStation(this, (s) => journalEntry(s, { seq }));
      if (o.json) return out(`${JSON.stringify(e)}\n`);
      out(`seq ${e.seq}  ${e.kind}\n  at ${e.at}\n  actor ${e.actor}\n`);
      out(`  hash ${e.hash}\n  prev ${e.prevHash}\n${e.bodyText}\n`);
    });

  journal
    .command('checkpoints')
    .description('the signed checkpoints: the head each one signs and its chained event')
    .option('--json', 'print the journalCheckpoints view as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      const cps = await withStation(this, (s) => listCheckpoints(s));
      if (o.json) return out(`${JSON.stringify(cps)}\n`);
      if (cps.length === 0) out('no checkpoint yet\n');
      for (const c of cps)
        out(
          `checkpoint ${c.n}  seq ${c.size}  head ${c.headHash}  ${c.at}  ${c.alg} key ${c.keyId}  ${c.eventSeq === null ? 'legacy (no chained event)' : `event seq ${c.eventSeq}`}\n`,
        );
    });

  const hsm = program.command('hsm').description('PKCS#11 modules, tokens and keys');

  hsm
    .command('list')
    .description(
      'tokens of a module profile (before a station exists), or of every module the station registered',
    )
    .option('--profile <id>', 'list this module profile directly instead of the station’s modules')
    .option('--module-path <path>', 'PKCS#11 library for --profile')
    .option(
      '--module-env <KEY=VALUE>',
      'environment for --profile, e.g. SOFTHSM2_CONF=/path (repeatable)',
      collect,
      [],
    )
    .option('--json', 'print JSON')
    .action(async function (
      this: Command,
      o: { profile?: string; modulePath?: string; moduleEnv: string[]; json?: boolean },
    ) {
      // The modules view the UI's devices page shows (devicesModules): a module that cannot be opened is
      // listed with its error, the others still with their tokens.
      if (o.profile) refuseOnOnlineStation(this);
      const listing = o.profile
        ? [listProfile(o.profile, o.modulePath, parseEnv(o.moduleEnv))]
        : await withStation(this, (s) => describeModules(s));
      if (o.json) return out(`${JSON.stringify(listing, null, 2)}\n`);
      for (const m of listing) {
        out(`${m.moduleId} (${m.profile})  ${m.path}\n`);
        out(
          `  ${m.library ?? 'not loaded'} · Cryptoki ${m.cryptoki ?? '?'} · library SHA-256 ${m.librarySha256}\n`,
        );
        if (m.error) out(`  BLOCKED ${m.error.code}: ${m.error.message}\n`);
        for (const t of m.tokens) {
          out(
            `  serial ${t.serial}  "${t.label}"  ${t.manufacturer} ${t.model}  fw ${t.firmware}  hw ${t.hardware}\n`,
          );
          if (t.flags.length > 0) out(`    flags: ${t.flags.join(', ')}\n`);
          if (t.busy) out(`    BUSY ${busyText(t.busy)}\n`);
          for (const w of t.warnings) out(`    ! ${w}\n`);
        }
      }
    });

  const tokenOptions = (cmd: Command) =>
    cmd
      .requiredOption('--token <serial>', 'token serial number')
      .option('--module <id>', 'registered module id (default: the only one)')
      .option('--pin-stdin', 'read the token user PIN from the first line of stdin');

  hsm
    .command('pubkey')
    .description(
      'write a token key’s public key as PEM (no login: public objects) — e.g. a custodian’s roster key',
    )
    .requiredOption('--token <serial>', 'token serial number')
    .option('--module <id>', 'registered module id (default: the only one)')
    .requiredOption('--key <id>', 'CKA_ID (hex)')
    .requiredOption('--out <file>', 'new file')
    .action(async function (this: Command, o: { token: string; module?: string; key: string; out: string }) {
      await withStation(this, (s) => {
        writeNewFile(o.out, exportPublicKey(s, moduleOf(s, o.module), o.token, o.key));
        out(`wrote ${o.out}\n`);
      });
    });

  tokenOptions(
    hsm.command('keys').description('keys on a token with their read-back attributes and residency verdict'),
  )
    .option('--json', 'print JSON')
    .action(async function (this: Command, o: TokenFlags & { json?: boolean }) {
      await withStation(this, async (s) => {
        const pin = await readPin(`user PIN of token ${o.token}: `, Boolean(o.pinStdin));
        const keys = listTokenKeys(s, { moduleId: moduleOf(s, o.module), serial: o.token, pin });
        if (o.json) return out(`${JSON.stringify(keys, null, 2)}\n`);
        for (const k of keys) {
          const verdict = k.residency
            ? `${k.residency.verdict}${k.residency.failed.length ? ` [${k.residency.failed.join(', ')}]` : ''}`
            : 'public key only';
          out(`${k.label}  id ${k.id}  ${k.keyType} ${k.size}  ${verdict}\n`);
        }
      });
    });

  tokenOptions(
    hsm
      .command('keygen')
      .description('generate a key pair on a token (shows the template first with --dry-run)'),
  )
    .requiredOption('--label <label>', 'CKA_LABEL of the new key')
    .requiredOption('--algorithm <alg>', KEY_ALGORITHMS.join(' | '))
    .option('--id <hex>', 'CKA_ID (default: 16 random bytes from the token)')
    .option('--dry-run', 'print the exact attributes that would be requested, and stop')
    .option(
      '--confirm <digest>',
      'the template digest you reviewed (from --dry-run); without it, type it back at the prompt',
    )
    .option('--actor <actor>', 'who generates it, e.g. operator:alice')
    .action(async function (
      this: Command,
      o: TokenFlags & {
        label: string;
        algorithm: string;
        id?: string;
        dryRun?: boolean;
        confirm?: string;
        actor: string;
      },
    ) {
      const key = { label: o.label, algorithm: o.algorithm, ...(o.id ? { id: o.id } : {}) };
      await withStation(this, async (s) => {
        const moduleId = moduleOf(s, o.module);
        // The exact template is shown before the PIN is asked for; generation confirms this digest.
        const recipe = previewKey(s, { moduleId, key });
        out(`mechanism ${recipe.mechanism}\npublic key:\n`);
        for (const a of recipe.publicKey) out(`  ${a.attribute} = ${a.value}\n`);
        out('private key:\n');
        for (const a of recipe.privateKey) out(`  ${a.attribute} = ${a.value}\n`);
        out(`template digest ${recipe.digest}\n`);
        if (o.dryRun) return;
        // A human confirms the template: passed after reviewing --dry-run, or typed back here. The CLI
        // never confirms its own output.
        const confirmed =
          o.confirm ??
          (await readConfirmation(
            `type the template digest shown above (at least its first ${CONFIRM_PREFIX} characters) to generate: `,
          ));
        const full = o.confirm === undefined ? expandConfirmation(confirmed, recipe.digest) : confirmed;
        const pin = await readPin(`user PIN of token ${o.token}: `, Boolean(o.pinStdin));
        const k = await generateTokenKey(s, {
          moduleId,
          serial: o.token,
          pin,
          key,
          confirmedRecipe: full,
          actor: o.actor,
        });
        out(`generated ${k.keyType} ${k.size} key "${k.label}" id ${k.id}: ${k.residency?.verdict ?? '?'}\n`);
        printWarnings(k.anchoring?.warnings ?? []);
        if (k.spkiSha256)
          out(`public key SHA-256 ${k.spkiSha256}\n  words: ${(k.spkiWords ?? []).join(' ')}\n`);
      });
    });

  tokenOptions(
    hsm
      .command('inventory')
      .description('record the token info and every key’s read-back attributes in the journal'),
  )
    .option('--actor <actor>', 'who records it, e.g. operator:alice')
    .action(async function (this: Command, o: TokenFlags & { actor: string }) {
      await withStation(this, async (s) => {
        const pin = await readPin(`user PIN of token ${o.token}: `, Boolean(o.pinStdin));
        const r = recordInventory(s, {
          moduleId: moduleOf(s, o.module),
          serial: o.token,
          pin,
          actor: o.actor,
        });
        out(`recorded inventory of ${r.keys} key(s) at seq ${r.seq}, digest ${r.digest}\n`);
        printWarnings(r.anchoring?.warnings ?? []);
      });
    });

  tokenOptions(
    hsm
      .command('csr')
      .description('make a PKCS#10 request with a token key; verified against the key before it is written'),
  )
    .requiredOption('--key <id>', 'CKA_ID of the key (hex)')
    .requiredOption('--cn <name>', 'subject commonName')
    .option('--o <org>', 'subject organization')
    .option('--ou <unit>', 'subject organizational unit')
    .option('--c <country>', 'subject country (two letters)')
    .option('--dns <name>', 'subjectAltName DNS name (repeatable)', collect, [])
    .option('--email <address>', 'subjectAltName email (repeatable)', collect, [])
    .option('--ip <address>', 'subjectAltName IP address (repeatable)', collect, [])
    .requiredOption('--out <file>', 'new file for the PEM request (never overwritten)')
    .option('--actor <actor>', 'who makes it, e.g. operator:alice')
    .action(async function (
      this: Command,
      o: TokenFlags & {
        key: string;
        cn: string;
        o?: string;
        ou?: string;
        c?: string;
        dns: string[];
        email: string[];
        ip: string[];
        out: string;
        actor: string;
      },
    ) {
      await withStation(this, async (s) => {
        const request = {
          subject: {
            commonName: o.cn,
            ...(o.o ? { organization: o.o } : {}),
            ...(o.ou ? { organizationalUnit: o.ou } : {}),
            ...(o.c ? { country: o.c } : {}),
          },
          san: { dns: o.dns, email: o.email, ip: o.ip },
        };
        const pin = await readPin(`user PIN of token ${o.token}: `, Boolean(o.pinStdin));
        const r = await createTokenCsr(s, {
          moduleId: moduleOf(s, o.module),
          serial: o.token,
          pin,
          keyId: o.key,
          request,
          actor: o.actor,
          outPath: resolve(o.out),
        });
        out(`wrote ${o.out}: SHA-256 ${r.sha256}\n  words: ${r.words.join(' ')}\n`);
        printWarnings(r.anchoring?.warnings ?? []);
      });
    });

  registerCustodianCommands(program, out);
  registerBundleCommands(program, out);
  registerPacketCommands(program, out);
  registerAttestCommands(program, out);
  registerAuthorityCommands(program, out);
  registerRecordsCommands(program, out);
  registerSessionCommands(program, out);
  registerDecisionsCommands(program, out);
  // After the authority group's own commands (src/cli/authority.ts), into the same group.
  registerAuthorityRedirectCommands(program, out);
  registerGateCommands(program, out);
  registerSigningCommands(program, out);
  registerPortalCommands(program, out);
  registerCeremonyCommands(program, out);

  program
    .command('serve')
    .description(
      'browser mode: serve the station UI on 127.0.0.1; the one-time launch token goes to a file only you can read',
    )
    .option('--port <port>', 'port (default: a random free port)', positiveInt('--port'))
    .option('--no-open', 'do not open the Chromium app window')
    .option(
      '--print-launch-url',
      'also print the one-time launch URL (a secret: anyone who reads it first can take the session)',
    )
    .action(async function (this: Command, o: { port?: number; open: boolean; printLaunchUrl?: boolean }) {
      await serve({
        dataDir: dataDirOf(this),
        port: o.port,
        open: o.open,
        printLaunchUrl: o.printLaunchUrl === true,
        out,
        config,
      });
    });

  return bindConfig(program, config);
}

/**
 * Warnings on an act that succeeded (e.g. JOURNAL_NOT_ANCHORED: recorded, not anchored), on stderr with
 * the catalogue's next step; the exit code stays 0 — the act happened and must not be repeated.
 */
function printWarnings(warnings: readonly { code: string; message: string }[]): void {
  for (const w of warnings) {
    const next = isErrorCode(w.code) ? `\n  → ${ERROR_CATALOGUE[w.code].action}` : '';
    writeErr(`warning ${w.code}: ${w.message}${next}\n`);
  }
}

/**
 * A read's filter option named like an act's: `journal show --actor` picks entries by who recorded
 * them. Stored under its own attribute (actorFilter) because an `actor` option marks a command as an
 * act done by the signed-in operator (context.ts actAsSignedIn), which a listing is not.
 */
class FilterOption extends Option {
  override attributeName(): string {
    return `${super.attributeName()}Filter`;
  }
}

/** The journalPage channel's largest page, from its input schema (src/shared/contract/journal.ts). */
const JOURNAL_PAGE_MAX = contract.journalPage.input.shape.limit.maxValue ?? 0;

/** Token busy: what holds it and since when, as the devices page says it. */
function busyText(busy: NonNullable<ModuleView['tokens'][number]['busy']>): string {
  const waiting = busy.waiting > 0 ? `, ${busy.waiting} waiting` : '';
  return `${busy.purpose}${busy.loggedIn ? ' (logged in)' : ''} since ${busy.since}${waiting}`;
}

/** How much of a digest an operator types back at the prompt (64 bits: no accidental match). */
const CONFIRM_PREFIX = 16;

/** What the operator typed, as the digest it confirms; anything shorter or different confirms nothing. */
function expandConfirmation(typed: string, digest: string): string {
  const t = typed.toLowerCase().replace(/\s+/g, '');
  if (t.length >= CONFIRM_PREFIX && digest.startsWith(t)) return digest;
  throw new CodedError(
    'RECIPE_NOT_CONFIRMED',
    `what was typed is not the template digest shown (first ${CONFIRM_PREFIX} characters at least): nothing was generated`,
    { field: 'confirm' },
  );
}

export async function main(argv: string[]): Promise<number> {
  guardTerminal();
  try {
    // The environment is read here, once, and handed down. A bad value refuses (CONFIG_INVALID, exit 2)
    // only the commands that use it; every other command, --help included, runs and is warned.
    const config = readConfig();
    for (const p of configProblems(config))
      writeErr(`warning ${p.code}: ${p.message} (commands that use it are refused)\n`);
    const program = buildProgram(config);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return EXIT.OK;
      // A value that parses but is wrong (e.g. --from x) is invalid input; anything else is usage.
      return e.code === 'commander.invalidArgument' ? EXIT.INVALID_INPUT : EXIT.USAGE;
    }
    if (e instanceof CodedError && isErrorCode(e.code)) {
      const entry = ERROR_CATALOGUE[e.code];
      writeErr(`error ${e.code}: ${e.message}\n  → ${entry.action}\n`);
      return exitCodeFor(entry.class);
    }
    writeErr(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.INTERNAL;
  }
}

// Run when executed (bin/station.js imports this module and calls main).
