import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DECISIONS, type Decision } from '../core/bundle/statement';
import { DSSE_CURVES } from '../core/crypto/algorithms';
import { CodedError } from '../core/errors';
import { digestWords } from '../core/words';
import { importedBundles, importMediaFile, issuedPackets, mediaRefusalsView } from '../main/services/bundles';
import type { VerifiedBundle } from '../main/services/bundles';
import { verifyBundleArchive } from '../main/services/bundles';
import {
  exportBundle,
  inspectRegistration,
  registerTrust,
  revokeTrust,
  scanMedia,
  trustAnchors,
  trustEntries,
  type ExportKind,
} from '../main/services/bundles';
import { softwareSigner } from '../main/services/bundles';
import { withTokenSigner, type ReviewerSigner } from '../main/services/bundles';
import type { StationConfig } from '../main/config';
import type { JobProgress } from '../main/services/jobs';
import {
  generateReviewerKey,
  loadKeyFile,
  openAnyKeyFile,
  protectKey,
  readKeyFile,
  SCRYPT_DEFAULT,
  signApproval,
  verifyWithCertificate,
  writeKeyFile,
  writeRegistrationBundle,
} from '../main/services/bundles';
import { journalTime } from '../core/journal/events';
import { collect, configOf, positiveInt, withStation, type Out } from './context';
import { readPin } from './pin';
import { writeErr } from './terminal';

/** The curves a reviewer key file may use, from the algorithm table: "p256, p384 or ed25519". */
const CURVE_CHOICES = `${DSSE_CURVES.slice(0, -1).join(', ')} or ${DSSE_CURVES[DSSE_CURVES.length - 1]}`;

const EXPORT_KINDS: readonly ExportKind[] = [
  'journal-segment',
  'custody-report',
  'evidence',
  'identity',
  'packet',
  'packet-broad',
];

export function stderrProgress(): JobProgress {
  let phase = '';
  let total = 0;
  let done = 0;
  let shown = -1;
  return {
    phase(name, t) {
      phase = name;
      total = t;
      done = 0;
      shown = -1;
      writeErr(`${name}…\n`);
    },
    add(n) {
      done += n;
      const pct = total > 0 ? Math.floor((done / total) * 10) * 10 : 100;
      if (pct !== shown && total > 1024 * 1024) {
        shown = pct;
        writeErr(`  ${phase}: ${pct}% (${done} of ${total} bytes)\n`);
      }
    },
  };
}

function printVerified(out: Out, v: VerifiedBundle, fileName: string): void {
  const p = v.statement.predicate;
  out(`VERIFIED ${fileName}\n`);
  out(`  kind ${p.bundleKind} · packet ${p.packetId} version ${p.version} · ${p.title}\n`);
  out(`  signer ${v.signer.name} · key ${v.signer.info.fingerprint}\n`);
  out(`  digest ${v.digest}\n  words  ${digestWords(Buffer.from(v.digest, 'hex')).join(' ')}\n`);
  if (p.journal) out(`  journal 1..${p.journal.toSeq}, checkpoint ${p.journal.checkpoint?.n ?? 'none'}\n`);
  for (const f of v.files) out(`  ${f.sha256}  ${f.size.toString().padStart(12)}  ${f.name}\n`);
}

function isoOrDays(expires: string | undefined, days: number, now: Date): string {
  if (expires) {
    const d = new Date(expires);
    if (Number.isNaN(d.getTime()))
      throw new CodedError('INVALID_INPUT', `--expires ${expires} is not a date`, { field: 'expires' });
    return journalTime(d);
  }
  return journalTime(new Date(now.getTime() + days * 86_400_000));
}

export function registerBundleCommands(program: Command, out: Out): void {
  const media = program
    .command('media')
    .description(
      'removable volumes the station can write bundles to (STATION_MEDIA_DIRS adds rehearsal folders); removes this station’s interrupted exports (.partial)',
    )
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const m = scanMedia(s, {});
        if (o.json) return out(`${JSON.stringify(m)}\n`);
        out(`media: ${m.state}\n`);
        for (const v of m.volumes)
          out(
            `  ${v.state.padEnd(16)} ${v.path} (${v.source}${v.device ? ` ${v.device}` : ''}) ${v.detail}\n`,
          );
        for (const r of m.removedPartials)
          out(`  removed interrupted export ${r.name} (${r.size} bytes) from ${r.volume}\n`);
      });
    });

  media
    .command('refusals')
    .description('bundle and approval files the station refused to import, each with its check and reason')
    .option('--json', 'print the mediaRefusals view as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      // `media` has a --json of its own, which takes the flag when it is written after `refusals` too.
      const json = Boolean(o.json) || this.parent?.opts<{ json?: boolean }>().json === true;
      await withStation(this, (s) => {
        const r = mediaRefusalsView(s);
        if (json) return out(`${JSON.stringify(r)}\n`);
        if (r.bundles.length + r.approvals.length === 0) out('no refusals\n');
        const check = (c: string | null) => (c ? ` [${c}]` : '');
        for (const b of r.bundles)
          out(`REFUSED${check(b.check)} ${b.code} ${b.fileName}: ${b.detail} (seq ${b.seq}, ${b.at})\n`);
        for (const a of r.approvals)
          out(
            `REFUSED${check(a.check)} ${a.code} approval${a.packetId ? ` for ${a.packetId}` : ''}: ${a.detail} (seq ${a.seq}, ${a.at})\n`,
          );
      });
    });

  const bundle = program.command('bundle').description('signed bundles on removable media');
  bundle
    .command('export')
    .description('write a signed bundle to a removable volume and verify it by reading it back')
    .requiredOption('--kind <kind>', `one of ${EXPORT_KINDS.join(', ')}`)
    .option('--volume <path>', 'the volume (default: the only ready one)')
    .option('--evidence <file>', 'an evidence file to carry (repeat; kind evidence)', collect, [])
    .option('--title <text>', 'a title for the bundle')
    .option('--packet <id>', 'kind packet: the governance packet')
    .option(
      '--packet-version <n>',
      'kind packet: the recorded version (default: the latest)',
      positiveInt('--packet-version'),
    )
    .option(
      '--evaluation <seq>',
      'kind packet-broad: the compromise-authority evaluation (journal seq) whose broad view to carry',
      positiveInt('--evaluation'),
    )
    .option('--pin-stdin', 'read the station token PIN from the first line of stdin')
    .option('--actor <actor>', 'who exports', 'operator:cli')
    .option('--json', 'machine-readable result')
    .action(async function (
      this: Command,
      o: {
        kind: string;
        packet?: string;
        packetVersion?: number;
        evaluation?: number;
        volume?: string;
        evidence: string[];
        title?: string;
        pinStdin?: boolean;
        actor: string;
        json?: boolean;
      },
    ) {
      if (!EXPORT_KINDS.includes(o.kind as ExportKind))
        throw new CodedError('INVALID_INPUT', `--kind must be one of ${EXPORT_KINDS.join(', ')}`, {
          field: 'kind',
        });
      await withStation(this, async (s) => {
        const pin = await readPin('Station token PIN: ', o.pinStdin === true);
        const r = await exportBundle(
          s,
          {
            kind: o.kind as ExportKind,
            volume: o.volume ? resolve(o.volume) : undefined,
            evidence: o.evidence.map((e) => resolve(e)),
            title: o.title,
            packetId: o.packet,
            packetVersion: o.packetVersion,
            evaluationSeq: o.evaluation,
            pin,
            actor: o.actor,
          },
          stderrProgress(),
        );
        if (o.json) return out(`${JSON.stringify(r)}\n`);
        out(`exported ${r.path} (${r.sizeBytes} bytes), read back and verified\n`);
        out(
          `  packet ${r.packetId} version ${r.version}\n  digest ${r.digest}\n  words  ${r.words.join(' ')}\n`,
        );
        out(`  approvals needed from: ${r.requiredRoles.join(', ') || 'none'}\n`);
      });
    });

  bundle
    .command('verify <file>')
    .description('verify a bundle: signature against the trust store (or --trust), then every file digest')
    .option(
      '--trust <pem>',
      'a station certificate or public key you confirmed out of band (no station needed)',
    )
    .option('--self', 'a key-registration or identity bundle: check it is signed by the key it carries')
    .action(async function (this: Command, file: string, o: { trust?: string; self?: boolean }) {
      const path = resolve(file);
      const now = new Date();
      if (o.trust)
        return printVerified(
          out,
          await verifyWithCertificate(path, readFileSync(resolve(o.trust), 'utf8'), now),
          file,
        );
      if (o.self) {
        const v = await verifyBundleArchive(path, { trust: { self: true }, now: journalTime(now) });
        printVerified(out, v, file);
        return out(`  (self-signed: compare the key fingerprint with its holder before trusting it)\n`);
      }
      await withStation(this, async (s) =>
        printVerified(
          out,
          await verifyBundleArchive(path, {
            trust: { anchors: trustAnchors(s) },
            now: journalTime(s.deps.clock()),
          }),
          file,
        ),
      );
    });

  bundle
    .command('import <file>')
    .description('import a bundle or an approval from media (staged copy, verified before use)')
    .option('--actor <actor>', 'who imports', 'operator:cli')
    .action(async function (this: Command, file: string, o: { actor: string }) {
      await withStation(this, async (s) => {
        const r = await importMediaFile(s, { path: resolve(file), actor: o.actor });
        if (r.type === 'approval') {
          const a = r.approval;
          out(
            `ACCEPTED approval by ${a.reviewer} as ${a.role}: ${a.decision} on ${a.packetId} v${a.packetVersion}\n`,
          );
          out(
            `  roles satisfied: ${a.status.satisfiedRoles.join(', ') || 'none'}; missing: ${a.status.missingRoles.join(', ') || 'none'}\n`,
          );
          return;
        }
        const b = r.bundle;
        out(
          `IMPORTED ${b.bundleKind} ${b.packetId} v${b.version} signed by ${b.signer}\n  digest ${b.digest}\n  words  ${b.words.join(' ')}\n`,
        );
        for (const f of b.files) out(`  ${f.sha256}  ${f.name}\n`);
      });
    });

  bundle
    .command('list')
    .description('bundles this station issued, with every valid approval and the roles still missing')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const issued = issuedPackets(s);
        if (o.json) return out(`${JSON.stringify(issued)}\n`);
        for (const v of issued) {
          out(
            `${v.packetId} v${v.version}${v.current ? '' : ' (superseded)'}  ${v.digest.slice(0, 16)}…  ${v.fileName}\n`,
          );
          for (const a of v.status.approvals)
            out(
              `  ${a.decision.padEnd(15)} ${a.role} by ${a.reviewer} (seq ${a.sequence}${a.expired ? ', EXPIRED' : ''})\n`,
            );
          out(`  missing: ${v.status.missingRoles.join(', ') || 'none'}\n`);
        }
      });
    });

  bundle
    .command('imported')
    .description('bundles imported from media and verified: signer, digest and the files they carry')
    .option('--json', 'print the bundleImported view as JSON')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const imported = importedBundles(s);
        if (o.json) return out(`${JSON.stringify(imported)}\n`);
        if (imported.length === 0) out('no bundle imported\n');
        for (const b of imported) {
          out(
            `${b.packetId} v${b.version}  ${b.bundleKind}  ${b.title}  signed by ${b.signer} (seq ${b.seq})\n`,
          );
          out(`  digest ${b.digest}\n  words  ${b.words.join(' ')}\n`);
          for (const f of b.files) out(`  ${f.sha256}  ${f.name}\n`);
        }
      });
    });

  const trust = program
    .command('trust')
    .description('the trust store: reviewer and station keys, with roles');
  trust.command('list').action(async function (this: Command) {
    await withStation(this, (s) => {
      for (const t of trustEntries(s))
        out(
          `${t.status.padEnd(13)} ${t.trustId}  ${t.name}  [${t.roles.join(', ')}]  until ${t.validUntil}\n    ${t.fingerprint}\n    ${t.words.join(' ')}\n`,
        );
    });
  });
  trust
    .command('inspect <file>')
    .description(
      'show the key a registration bundle carries (verified as signed by that key); records nothing',
    )
    .action(async function (this: Command, file: string) {
      await withStation(this, async (s) => {
        const r = await inspectRegistration(s, { path: resolve(file) });
        out(
          `${r.bundleKind} for ${r.holder}${r.organisation ? ` (${r.organisation})` : ''}, ${r.algorithm}\n`,
        );
        out(`  fingerprint ${r.fingerprint}\n  words       ${r.words.join(' ')}\n`);
        if (r.alreadyRegistered) out(`  already registered as ${r.alreadyRegistered}\n`);
      });
    });
  trust
    .command('register <file>')
    .description('register the key after comparing its fingerprint with the holder out of band')
    .requiredOption('--id <trustId>', 'trust entry id (lowercase letters, digits, dashes)')
    .requiredOption('--roles <roles>', 'comma-separated roles from the approval policy')
    .requiredOption('--valid-until <iso>', 'end of validity (ISO 8601)')
    .requiredOption(
      '--fingerprint <hexOrWords>',
      'the fingerprint as the holder read it to you (hex or the words)',
    )
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      file: string,
      o: {
        id: string;
        roles: string;
        validUntil: string;
        fingerprint: string;
        actor: string;
      },
    ) {
      await withStation(this, async (s) => {
        const t = await registerTrust(s, {
          path: resolve(file),
          trustId: o.id,
          roles: o.roles
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean),
          validUntil: isoOrDays(o.validUntil, 0, new Date()),
          confirmFingerprint: o.fingerprint,
          actor: o.actor,
        });
        out(`registered ${t.trustId} (${t.name}) with roles ${t.roles.join(', ')} until ${t.validUntil}\n`);
      });
    });
  trust
    .command('revoke <trustId>')
    .requiredOption('--reason <text>', 'why')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (this: Command, trustId: string, o: { reason: string; actor: string }) {
      await withStation(this, (s) => {
        const t = revokeTrust(s, { trustId, reason: o.reason, actor: o.actor });
        out(`revoked ${t.trustId} at ${t.revokedAt}\n`);
      });
    });

  const reviewer = program
    .command('reviewer')
    .description("a reviewer's workstation: key file and registration request");
  reviewer
    .command('keygen')
    .description('create a passphrase-protected key file (scrypt N=2^17 r=8 p=1, AES-256-GCM; mode 0600)')
    .requiredOption('--out <file>', 'the key file to create (never overwritten)')
    .option('--curve <curve>', CURVE_CHOICES, 'p256')
    .option('--passphrase-stdin', 'read the passphrase from the first line of stdin')
    .action(async (o: { out: string; curve: string; passphraseStdin?: boolean }) => {
      const curve = DSSE_CURVES.find((c) => c === o.curve);
      if (!curve)
        throw new CodedError('INVALID_INPUT', `--curve must be ${CURVE_CHOICES}`, { field: 'curve' });
      const passphrase = await readPin('Key passphrase: ', o.passphraseStdin === true);
      const k = generateReviewerKey(passphrase, curve);
      writeKeyFile(resolve(o.out), k.text);
      out(
        `wrote ${o.out}\n  fingerprint ${k.info.fingerprint}\n  words       ${digestWords(Buffer.from(k.info.fingerprint, 'hex')).join(' ')}\n`,
      );
    });
  reviewer
    .command('rekey')
    .description(
      're-protect a key file with today’s key derivation (reads old PBKDF2 files); the key itself stays the same',
    )
    .requiredOption('--key <file>', 'the key file to read')
    .requiredOption(
      '--out <file>',
      'the new key file (never overwritten; the old one is left for you to delete)',
    )
    .option('--passphrase-stdin', 'read the passphrase from the first line of stdin (kept for the new file)')
    .action(async (o: { key: string; out: string; passphraseStdin?: boolean }) => {
      const old = readKeyFile(resolve(o.key));
      const passphrase = await readPin('Key passphrase: ', o.passphraseStdin === true);
      const opened = openAnyKeyFile(old.text, passphrase);
      writeKeyFile(resolve(o.out), protectKey(opened.key, passphrase));
      const fingerprint = softwareSigner(opened.key).info.fingerprint;
      // The old file still holds the same key under the old protection: say so, and how exposed it is.
      out(
        `wrote ${o.out} (scrypt N=${SCRYPT_DEFAULT.N} r=${SCRYPT_DEFAULT.r} p=${SCRYPT_DEFAULT.p}, AES-256-GCM)${opened.weakness ? `; the old file was weak: ${opened.weakness}` : ''}\n  fingerprint ${fingerprint} (unchanged)\n  the old file ${o.key} remains and still holds this key${old.exposedMode === null ? '' : `; it is readable by other accounts (mode ${old.exposedMode.toString(8).padStart(4, '0')})`}: delete it once ${o.out} works\n`,
      );
    });
  reviewerKeyOptions(
    reviewer
      .command('request')
      .description('write a key-registration bundle (signed by the key itself) for the station operator'),
  )
    .requiredOption('--name <name>', 'your name as the station should record it')
    .option('--organisation <org>', 'your organisation', '')
    .requiredOption('--out-dir <dir>', 'where to write the bundle (e.g. the removable volume)')
    .action(
      async (
        o: ReviewerKeyOptions & {
          name: string;
          organisation: string;
          outDir: string;
        },
      ) => {
        const r = await withReviewerSigner(o, configOf(program), (signer) =>
          writeRegistrationBundle({
            signer,
            holder: o.name,
            organisation: o.organisation,
            outDir: resolve(o.outDir),
            now: new Date(),
          }),
        );
        out(
          `wrote ${r.path}\n  read these to the station operator: ${r.words.join(' ')}\n  fingerprint ${r.fingerprint}\n`,
        );
      },
    );

  const approve = program
    .command('approve <file>')
    .description(
      'reviewer side: verify a station bundle, then sign an approval of exactly that packet version',
    )
    .requiredOption('--trust <pem>', 'the station certificate you confirmed out of band')
    .requiredOption('--role <role>', 'the role you approve in')
    .requiredOption('--name <name>', 'your name')
    .option('--decision <decision>', DECISIONS.join(' | '), 'approve')
    .option('--comment <text>', 'comment', '')
    .option('--expires <iso>', 'when the approval lapses (default: in 30 days)')
    .option('--expires-in-days <n>', 'days until the approval lapses', '30')
    .option('--sequence <n>', 'your decision counter for this packet (default: milliseconds since 1970)')
    .requiredOption('--out-dir <dir>', 'where to write the approval file');
  reviewerKeyOptions(approve).action(
    async (
      file: string,
      o: ReviewerKeyOptions & {
        trust: string;
        role: string;
        name: string;
        decision: string;
        comment: string;
        expires?: string;
        expiresInDays: string;
        sequence?: string;
        outDir: string;
      },
    ) => {
      if (!DECISIONS.includes(o.decision as Decision))
        throw new CodedError('INVALID_INPUT', `--decision must be one of ${DECISIONS.join(', ')}`, {
          field: 'decision',
        });
      const now = new Date();
      const verified = await verifyWithCertificate(
        resolve(file),
        readFileSync(resolve(o.trust), 'utf8'),
        now,
      );
      printVerified(out, verified, file);
      const sequence = o.sequence === undefined ? now.getTime() : Number(o.sequence);
      if (!Number.isSafeInteger(sequence) || sequence < 1)
        throw new CodedError('INVALID_INPUT', '--sequence must be a whole number ≥ 1', {
          field: 'sequence',
        });
      const r = await withReviewerSigner(o, configOf(program), (signer) =>
        signApproval({
          bundle: verified,
          sign: signer,
          role: o.role,
          decision: o.decision as Decision,
          comment: o.comment,
          expiresAt: isoOrDays(o.expires, Number(o.expiresInDays), now),
          sequence,
          reviewer: o.name,
          now,
          outDir: resolve(o.outDir),
        }),
      );
      out(`wrote ${r.path}: ${o.decision} as ${o.role}, sequence ${sequence}\n`);
    },
  );
}

/** A key file others can read: the sealed key is one offline passphrase guess away from them. */
export function warnExposedKeyFile(path: string, mode: number): void {
  writeErr(
    `warning: the key file ${path} is readable by other accounts (mode ${mode.toString(8).padStart(4, '0')}); restrict it: chmod 600 ${path}\n`,
  );
}

export interface ReviewerKeyOptions {
  key?: string;
  passphraseStdin?: boolean;
  token?: string;
  keyId?: string;
  pkcs11: string;
  module?: string;
  pinStdin?: boolean;
}

/** The reviewer's key: a passphrase-protected key file, or a key pair on their own PKCS#11 token. */
export function reviewerKeyOptions(cmd: Command): Command {
  return cmd
    .option('--key <file>', 'your passphrase-protected key file')
    .option('--passphrase-stdin', 'read the key passphrase from the first line of stdin')
    .option('--token <serial>', 'or: the serial of your PKCS#11 token')
    .option('--key-id <hex>', 'with --token: the CKA_ID of your key pair (hex, e.g. 01)')
    .option('--pkcs11 <profile>', 'with --token: module profile (native/pkcs11)', 'opensc')
    .option('--module <path>', "with --token: the module library (default: the profile's)")
    .option('--pin-stdin', 'with --token: read the token PIN from the first line of stdin');
}

/** `config`: the program's configuration, whose module environment a reviewer's own token module sees. */
export async function withReviewerSigner<T>(
  o: ReviewerKeyOptions,
  config: StationConfig,
  fn: (signer: ReviewerSigner) => Promise<T>,
): Promise<T> {
  if ((o.key === undefined) === (o.token === undefined))
    throw new CodedError('INVALID_INPUT', 'name exactly one key: --key FILE or --token SERIAL --key-id HEX', {
      field: 'key',
    });
  if (o.token === undefined) {
    const file = readKeyFile(resolve(o.key ?? ''));
    if (file.exposedMode !== null) warnExposedKeyFile(o.key ?? '', file.exposedMode);
    const passphrase = await readPin('Key passphrase: ', o.passphraseStdin === true);
    return fn(softwareSigner(loadKeyFile(file.text, passphrase)));
  }
  if (o.keyId === undefined)
    throw new CodedError('INVALID_INPUT', '--token needs --key-id (the CKA_ID of your key pair)', {
      field: 'keyId',
    });
  const pin = await readPin('Token PIN: ', o.pinStdin === true);
  return withTokenSigner(
    {
      profile: o.pkcs11,
      modulePath: o.module,
      environment: config.moduleEnvironment,
      serial: o.token,
      keyId: o.keyId.toLowerCase(),
      pin,
    },
    fn,
  );
}
