import type { FailureClass } from '../shared/errors';

/** Distinct exit codes per failure class; printed by `station --help`. */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  INVALID_INPUT: 3,
  INTEGRITY: 4,
  DEVICE: 5,
  STATE: 6,
  UNANCHORED: 7,
} as const;

export function exitCodeFor(cls: FailureClass): number {
  switch (cls) {
    case 'usage':
      return EXIT.USAGE;
    case 'invalid-input':
      return EXIT.INVALID_INPUT;
    case 'integrity':
      return EXIT.INTEGRITY;
    case 'device':
      return EXIT.DEVICE;
    case 'state':
      return EXIT.STATE;
    case 'internal':
      return EXIT.INTERNAL;
    default: {
      const never: never = cls;
      throw new Error(`unknown failure class ${String(never)}`);
    }
  }
}

export const EXIT_HELP = `
Exit codes:
  0  success (journal verify: VERIFIED, identity key confirmed on the station token)
  1  internal fault (a bug: keep the output and report it)
  2  usage error (unknown command or option, missing argument)
  3  invalid input (a value failed validation; the message names the field)
  4  integrity failure (journal TAMPERED, database corrupt or read-only)
  5  device failure (HSM or removable media)
  6  wrong state (no station yet, station already exists, newer database)
  7  journal intact but UNANCHORED (no signed checkpoint covers its head, or the station token is
     not there to confirm the identity key the checkpoints were checked with)
`;
