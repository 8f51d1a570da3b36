import { escapeForDisplay } from '../core/names';

/**
 * The CLI's only way to the terminal. Everything written is escaped (names and messages may carry
 * control or bidi characters from hostile media or a typo: a terminal would execute or reorder them),
 * and a stream closed by its reader (`station journal export | head`) never kills the process with an
 * unhandled EPIPE: output stops, the command finishes its act and exits with its own code.
 */
const closed = { stdout: false, stderr: false };

function guard(stream: NodeJS.WriteStream, name: keyof typeof closed): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    closed[name] = true;
    if (e.code !== 'EPIPE' && name === 'stdout' && !closed.stderr) {
      closed.stderr = !process.stderr.write(`[station] standard output failed: ${e.code ?? e.message}\n`);
    }
  });
}

let guarded = false;
/** Installs the stream guards once, before the first write. */
export function guardTerminal(): void {
  if (guarded) return;
  guarded = true;
  guard(process.stdout, 'stdout');
  guard(process.stderr, 'stderr');
}

export function writeOut(s: string): void {
  if (!closed.stdout) process.stdout.write(escapeForDisplay(s));
}

export function writeErr(s: string): void {
  if (!closed.stderr) process.stderr.write(escapeForDisplay(s));
}
