import { custodyRegisterSchema, type CustodyRegisterInput } from '../../../shared/contract';

/**
 * The register form's fields, each with the limits it is held to, in the operator's words. The limits are
 * the journal's own (contract/custody.ts reuses EVENT_BODIES), checked against that schema by the unit
 * test beside this file, so what the form says is what the station refuses.
 */
export const REGISTER_FIELDS = {
  itemId: {
    label: 'Item id',
    rule: '1 to 40 characters: lowercase letters, digits and dashes, starting with a letter or digit',
  },
  itemKind: { label: 'Kind', rule: 'one of the kinds listed' },
  description: { label: 'Description', rule: '1 to 500 characters' },
  'seal.bagSerial': {
    label: 'Bag serial',
    rule: '3 to 40 letters, digits and dashes, such as TB-104233',
  },
  'seal.location': { label: 'Location', rule: '1 to 200 characters' },
  'seal.holder': { label: 'Holder', rule: "a person's name, 1 to 80 characters, single spaces" },
  'seal.witnesses': {
    label: 'Witnesses',
    rule: "up to 10 names, one per line, each a person's name of 1 to 80 characters",
  },
} as const;

export type RegisterField = keyof typeof REGISTER_FIELDS;

export function isRegisterField(path: string): path is RegisterField {
  return Object.hasOwn(REGISTER_FIELDS, path);
}

/** A problem the channel's schema finds in a draft (its zod issue). */
type Issue = NonNullable<ReturnType<typeof custodyRegisterSchema.safeParse>['error']>['issues'][number];

/** One zod issue in plain words, naming the field as the form labels it and the limit it broke. */
export function plainIssue(issue: Issue): { field: RegisterField; message: string } | null {
  const [head, second, third] = issue.path;
  const field = (head === 'seal' ? `seal.${String(second)}` : String(head)) as string;
  if (!isRegisterField(field)) return null;
  const { label, rule } = REGISTER_FIELDS[field];
  // A witness is named by its line: "Witness 3".
  const who = field === 'seal.witnesses' && typeof third === 'number' ? `Witness ${third + 1}` : label;
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string'
        ? { field, message: `${who} is required: ${rule}.` }
        : { field, message: `${who}: ${rule}.` };
    case 'too_big':
      return issue.origin === 'array'
        ? { field, message: `${who}: at most ${String(issue.maximum)} (${rule}).` }
        : { field, message: `${who} is too long: at most ${String(issue.maximum)} characters.` };
    case 'invalid_format':
    case 'invalid_value':
      return { field, message: `${who} is not accepted: ${rule}.` };
    default:
      // A name rule's own sentence, with its check ID (e.g. NAME-SPACE), says exactly what is wrong.
      return { field, message: `${who} ${issue.message}.` };
  }
}

/** The draft checked by the channel's own schema: the first problem of each field, in plain words. */
export function checkRegisterDraft(draft: CustodyRegisterInput): Partial<Record<RegisterField, string>> {
  const r = custodyRegisterSchema.safeParse(draft);
  const errors: Partial<Record<RegisterField, string>> = {};
  if (r.success) return errors;
  for (const issue of r.error.issues) {
    const p = plainIssue(issue);
    if (p && !errors[p.field]) errors[p.field] = p.message;
  }
  return errors;
}

/** Witnesses as typed, one per line; blank lines are not witnesses. */
export function witnessLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
