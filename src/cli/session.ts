import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { KEY_FILE_MAX_CHARS } from '../core/custody/signin';
import { CodedError } from '../core/errors';
import { cliSession, cliSignIn, cliSignOut, type OperatorSessionView } from '../main/services/custodians';
import { moduleOf, withStation, type Out, type TokenFlags } from './context';
import { EXIT } from './exit-codes';
import { readPin } from './pin';

/**
 * `station session`: a roster member signs in for the CLI with their own token (docs/operators.md), and
 * the CLI's acts are recorded under them until the session locks, ends or is signed out.
 */
export function registerSessionCommands(program: Command, out: Out): void {
  const session = program.command('session').description('who the CLI’s acts are recorded under');

  session
    .command('sign-in')
    .description(
      'sign in as yourself: your own token signs the station’s fresh challenge after your PIN — or, where the roster allows it, your passphrase-protected key file does',
    )
    .option('--token <serial>', 'your own token')
    .option('--module <id>', 'registered module id (default: the only one)')
    .option('--pin-stdin', 'read your PIN from stdin')
    .option(
      '--key-file <path>',
      'your passphrase-protected key file (encrypted PKCS#8 PEM), where your roster entry allows it',
    )
    .option('--as <custodian>', 'with --key-file: your custodian id on the roster')
    .option('--passphrase-stdin', 'with --key-file: read its passphrase from stdin')
    .option('--minutes <n>', 'how long the session lasts (default one 8-hour shift; at most 720)', Number)
    .action(async function (this: Command, o: SignInFlags) {
      const credential = await credentialFrom(o);
      await withStation(this, async (s) => {
        const opts =
          credential.credential === 'key-file'
            ? { ...credential, passphrase: await readPassphrase(credential.keyFile, o) }
            : {
                moduleId: moduleOf(s, o.module),
                serial: credential.serial,
                pin: await readPin(`PIN of your token ${credential.serial}: `, Boolean(o.pinStdin)),
              };
        const v = cliSignIn(s, { ...opts, minutes: o.minutes });
        out(`signed in as ${v.name} (${v.actor}), journal seq ${v.seq}\n`);
        out(
          `  with your ${CREDENTIAL_WORDS[v.credential]}; ends ${v.expiresAt}; locks after ${v.idleMinutes} minutes without an act\n`,
        );
      });
    });

  session
    .command('status')
    .description('who is signed in for the CLI, and until when (exit 6 unless ACTIVE)')
    .option('--json', 'the session as JSON (null when nobody signed in)')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const v = cliSession(s);
        if (o.json) out(`${JSON.stringify(v)}\n`);
        else out(describe(v));
        if (v?.state !== 'ACTIVE') process.exitCode = EXIT.STATE;
      });
    });

  session
    .command('sign-out')
    .description('end the CLI’s session (journaled under its person) and remove its file')
    .action(async function (this: Command) {
      await withStation(this, (s) => {
        const v = cliSignOut(s);
        out(v ? `signed out ${v.name} (${v.actor})\n` : 'nobody was signed in\n');
      });
    });
}

function describe(v: OperatorSessionView | null): string {
  if (!v) return 'NOT SIGNED IN: acts take --actor until somebody signs in (station session sign-in)\n';
  return `${v.state} ${v.name} (${v.actor}), roles ${v.roles.join(', ')}\n  signed in ${v.startedAt} with ${CREDENTIAL_WORDS[v.credential]} (journal seq ${v.seq}); locks ${v.locksAt}; ends ${v.expiresAt}\n`;
}

const CREDENTIAL_WORDS = { token: 'token', 'key-file': 'key file' } as const;

interface SignInFlags extends Partial<TokenFlags> {
  keyFile?: string;
  as?: string;
  passphraseStdin?: boolean;
  minutes?: number;
}

/**
 * Which credential the flags name: a token, or a key file (read here, bounded, before any passphrase is
 * asked for) with the custodian it claims to be. Exactly one.
 */
async function credentialFrom(
  o: SignInFlags,
): Promise<
  | { credential: 'token'; serial: string }
  | { credential: 'key-file'; custodianId: string; keyPem: string; keyFile: string }
> {
  if ((o.token === undefined) === (o.keyFile === undefined))
    throw new CodedError('INVALID_INPUT', 'sign in with either --token <serial> or --key-file <path>', {
      field: o.token === undefined ? 'token' : 'keyFile',
    });
  if (o.token !== undefined) return { credential: 'token', serial: o.token };
  const keyFile = o.keyFile as string;
  if (o.as === undefined)
    throw new CodedError('INVALID_INPUT', '--as <custodian>: say who you are on the roster', { field: 'as' });
  let size: number;
  try {
    const st = await stat(keyFile);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new CodedError('SIGNIN_KEY_FILE_INVALID', `${keyFile} is not a file the station can read`, {
      field: 'keyFile',
    });
  }
  if (size > KEY_FILE_MAX_CHARS)
    throw new CodedError(
      'SIGNIN_KEY_FILE_INVALID',
      `${keyFile} is ${size} bytes: a key file is at most ${KEY_FILE_MAX_CHARS}`,
      { field: 'keyFile' },
    );
  return { credential: 'key-file', custodianId: o.as, keyPem: await readFile(keyFile, 'utf8'), keyFile };
}

/** The key file's passphrase: the first line of stdin with --passphrase-stdin, else typed unechoed. */
function readPassphrase(keyFile: string, o: SignInFlags): Promise<string> {
  if (!o.passphraseStdin && !process.stdin.isTTY)
    throw new CodedError(
      'INVALID_INPUT',
      'the key file’s passphrase is needed: type it at a terminal, or pass --passphrase-stdin',
      { field: 'passphrase' },
    );
  return readPin(`passphrase of your key file ${keyFile}: `, Boolean(o.passphraseStdin));
}
