import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CodedError } from '../core/errors';

/**
 * Reads a PIN for one operation: the first line of stdin with --pin-stdin, else a terminal prompt that
 * does not echo. The PIN is never printed, logged or stored.
 */
export async function readPin(prompt: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) return firstLine();
  if (!process.stdin.isTTY) {
    throw new CodedError('INVALID_INPUT', 'a PIN is needed: type it at a terminal, or pass --pin-stdin', {
      field: 'pin',
    });
  }
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/**
 * Several PINs for one act, in the order of `prompts`: from successive lines of stdin (`--pin-stdin`),
 * else asked one by one at the terminal. Used where one act logs in to more than one token (a key backup:
 * the source token's user PIN, the escrow token's user PIN, the SO PIN).
 */
export async function readPins(prompts: readonly string[], fromStdin: boolean): Promise<string[]> {
  if (!fromStdin) {
    const pins: string[] = [];
    for (const p of prompts) pins.push(await readPin(p, false));
    return pins;
  }
  const lines = (await allStdin()).split(/\r?\n/);
  if (lines.length < prompts.length || lines.slice(0, prompts.length).some((l) => l === ''))
    throw new CodedError('INVALID_INPUT', `stdin must hold ${prompts.length} PINs, one per line`, {
      field: 'pin',
    });
  return lines.slice(0, prompts.length);
}

function allStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (data += chunk));
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}

function firstLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      data += chunk;
      const nl = data.indexOf('\n');
      if (nl >= 0) {
        process.stdin.pause();
        resolve(data.slice(0, nl).replace(/\r$/, ''));
      }
    });
    process.stdin.on('end', () => resolve(data.replace(/\r?\n$/, '')));
    process.stdin.on('error', reject);
  });
}

/**
 * A deliberate human step at a terminal: the operator types back (a prefix of) what was shown. Used
 * where the CLI would otherwise confirm its own output, e.g. a key template's digest.
 */
export async function readConfirmation(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CodedError('RECIPE_NOT_CONFIRMED', 'confirmation is needed and no terminal is attached', {
      field: 'confirm',
    });
  }
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return (await new Promise<string>((resolve) => rl.question('', resolve))).trim();
  } finally {
    rl.close();
  }
}
