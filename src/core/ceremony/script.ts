import { subjectDn } from '../hsm/csr-request';
import { assertNever } from '../errors';
import type { CeremonyFile, CeremonyStep, Precondition } from './schema';
import type { LoadedCeremony } from './validate';
import { ACTS, CEREMONY_TYPES, POSTCONDITIONS, ROLES, type PostconditionKind, type Role } from './vocabulary';

/**
 * The printable script of a ceremony: ordered sections of lines, every one of them derived from the
 * file. The printed PDF renders exactly this model and the CLI prints it as text (`station ceremony
 * script`), so what the witnesses hold is what the station runs. Each line names the file field it comes
 * from (`source`), which is how a test proves that every step field of the file is on paper.
 */

export type ScriptLineKind = 'field' | 'text' | 'checkbox' | 'signature';

export interface ScriptLine {
  readonly kind: ScriptLineKind;
  /** The caption before the text (`Say`, `Check`, `Before`…); empty for plain text. */
  readonly label: string;
  readonly text: string;
  /** The path in the file this line shows (`steps[2].preconditions[0]`), or null for station text. */
  readonly source: string | null;
}

export interface ScriptSection {
  /** `header`, `participants`, `devices`, `key`, `roster`, `shares`, `bags`, `step:<id>`, `close`. */
  readonly id: string;
  readonly title: string;
  readonly lines: readonly ScriptLine[];
}

export interface CeremonyScript {
  readonly title: string;
  readonly sha256: string;
  readonly words: readonly string[];
  readonly sections: readonly ScriptSection[];
}

const line = (kind: ScriptLineKind, label: string, text: string, source: string | null): ScriptLine => ({
  kind,
  label,
  text,
  source,
});

/** Who holds a role, as the script names them: `Ana Ruiz (ana-ruiz)`. */
function holders(c: CeremonyFile, role: Role): string {
  return (
    c.participants
      .filter((p) => p.role === role)
      .map((p) => `${p.name} (${p.id})`)
      .join(', ') || 'nobody'
  );
}

/** One precondition as a sentence, led by its vocabulary word. */
export function preconditionSentence(p: Precondition, step: CeremonyStep, c: CeremonyFile): string {
  switch (p.kind) {
    case 'firmware-equals':
      return `[${p.kind}] Token ${p.token} reports firmware ${p.firmware}, the attested version; any other version halts the ceremony.`;
    case 'token-present':
      return `[${p.kind}] Token ${p.token} is present.`;
    case 'label-absent':
      return `[${p.kind}] No object labelled ${p.label} exists on token ${p.token}.`;
    case 'label-present':
      return `[${p.kind}] An object labelled ${p.label} exists on token ${p.token}.`;
    case 'quorum-satisfied':
      return step.quorum
        ? `[${p.kind}] ${step.quorum.m} of ${step.quorum.n} custodians have checked in with their own credential for this step.`
        : `[${p.kind}] The step's quorum has checked in.`;
    case 'bag-intact': {
      const bag = c.bags.find((b) => b.serial === p.serial);
      return `[${p.kind}] Bag ${p.serial}${bag ? ` (${bag.contents})` : ''} is intact and its serial reads ${p.serial}.`;
    }
    default:
      return assertNever(p, 'precondition');
  }
}

/** The act as a sentence: who, what, and the names it acts on. */
export function actSentence(step: CeremonyStep, c: CeremonyFile): string {
  const a = step.act as {
    kind: CeremonyStep['act']['kind'];
    label?: string;
    token?: string;
    wrapKey?: string;
  };
  const on: string[] = [];
  if (a.label !== undefined) on.push(`key ${a.label}`);
  if (a.kind === 'generate-key' && c.key) on.push(`algorithm ${c.key.algorithm}`);
  if (a.kind === 'generate-key' && c.key?.backup) on.push(`backup ${c.key.backup}`);
  if (a.kind === 'create-csr' && c.key?.csr) on.push(`subject ${subjectDn(c.key.csr.subject)}`);
  if (a.wrapKey !== undefined) on.push(`wrap key ${a.wrapKey}`);
  if (a.token !== undefined) on.push(`token ${a.token}`);
  return `[${a.kind}] ${step.by}: ${ACTS[a.kind].text}${on.length ? ` (${on.join(', ')})` : ''}.`;
}

/** A postcondition as a sentence. */
export function postconditionSentence(p: PostconditionKind): string {
  const text = POSTCONDITIONS[p];
  return `[${p}] ${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function stepSection(c: CeremonyFile, s: CeremonyStep, i: number): ScriptSection {
  const at = (...rest: (string | number)[]) =>
    `steps[${i}]${rest.map((r) => (typeof r === 'number' ? `[${r}]` : `.${r}`)).join('')}`;
  const lines: ScriptLine[] = [
    line('field', 'Step', `${i + 1} of ${c.steps.length} (${s.id})`, at('id')),
    line('field', 'Title', s.title, at('title')),
    line('field', 'By', `${s.by}: ${holders(c, s.by)}`, at('by')),
    line('field', 'Witnesses', `${s.witnesses.count} from ${s.witnesses.roles.join(', ')}`, at('witnesses')),
  ];
  if (s.quorum) {
    lines.push(
      line(
        'field',
        'Quorum',
        `${s.quorum.m} of ${s.quorum.n} custodians: ${holders(c, 'custodian')}`,
        at('quorum'),
      ),
    );
  }
  s.bags?.in.forEach((serial, j) => lines.push(line('field', 'Bag opened', serial, at('bags', 'in', j))));
  s.bags?.out.forEach((serial, j) => lines.push(line('field', 'Bag sealed', serial, at('bags', 'out', j))));
  lines.push(line('text', 'Say', s.say, at('say')));
  lines.push(line('text', 'Check', s.check, at('check')));
  s.preconditions.forEach((p, j) =>
    lines.push(line('checkbox', 'Before', preconditionSentence(p, s, c), at('preconditions', j))),
  );
  lines.push(line('checkbox', 'Act', actSentence(s, c), at('act')));
  s.postconditions.forEach((p, j) =>
    lines.push(line('checkbox', 'After', postconditionSentence(p), at('postconditions', j))),
  );
  s.bags?.out.forEach((serial, j) =>
    lines.push(
      line('checkbox', 'Sealed', `Bag ${serial} is sealed and its serial read aloud.`, at('bags', 'out', j)),
    ),
  );
  for (let w = 1; w <= s.witnesses.count; w++) {
    lines.push(line('signature', `Witness ${w}`, 'name, initials, time', at('witnesses')));
  }
  return { id: `step:${s.id}`, title: `Step ${i + 1}: ${s.title}`, lines };
}

/** The script of a loaded ceremony file. */
export function ceremonyScript(loaded: LoadedCeremony): CeremonyScript {
  const c = loaded.file;
  const { sha256, words } = loaded.digest;
  const sections: ScriptSection[] = [
    {
      id: 'header',
      title: c.title,
      lines: [
        line('field', 'Ceremony', `${c.id} (format ${c.ceremony})`, 'id'),
        line('field', 'Title', c.title, 'title'),
        line('field', 'Type', `${c.type}: ${CEREMONY_TYPES[c.type]}`, 'type'),
        line('field', 'Date', c.planned.date, 'planned.date'),
        line('field', 'Location', c.planned.location, 'planned.location'),
        line('field', 'File', `${loaded.source} (${loaded.size} bytes)`, null),
        line('field', 'SHA-256', sha256, null),
        line('field', 'Words', words.join(' '), null),
        line(
          'checkbox',
          'Digest',
          'Every witness compares the digest above with the copy of the file they reviewed.',
          null,
        ),
      ],
    },
    {
      id: 'participants',
      title: 'Participants and roles',
      lines: c.participants.map((p, i) =>
        line(
          'field',
          p.role,
          `${p.name} (${p.id})${p.organization ? `, ${p.organization}` : ''} — ${ROLES[p.role]}`,
          `participants[${i}]`,
        ),
      ),
    },
  ];

  const devices: ScriptLine[] = [];
  if (c.hsm) {
    devices.push(
      line(
        'field',
        'HSM',
        `token ${c.hsm.token}, ${c.hsm.model}, module ${c.hsm.module}, attested firmware ${c.hsm.firmware}`,
        'hsm',
      ),
    );
  }
  if (c.escrow) {
    devices.push(
      line(
        'field',
        'Escrow',
        `token ${c.escrow.token}, ${c.escrow.model}, module ${c.escrow.module}, attested firmware ${c.escrow.firmware}, wrap key ${c.escrow.wrapKey}`,
        'escrow',
      ),
    );
  }
  if (devices.length) sections.push({ id: 'devices', title: 'HSM and tokens', lines: devices });

  if (c.key) {
    const k = c.key;
    const keyLines = [line('field', 'Key', `${k.label}, ${k.algorithm}`, 'key')];
    if (k.backup)
      keyLines.push(
        line(
          'field',
          'Backup',
          `${k.backup}: leaves the HSM only under a trusted wrapping key`,
          'key.backup',
        ),
      );
    if (k.csr) {
      keyLines.push(line('field', 'CSR subject', subjectDn(k.csr.subject), 'key.csr.subject'));
      const sans = [
        ...k.csr.san.dns.map((d) => `DNS:${d}`),
        ...k.csr.san.email.map((e) => `email:${e}`),
        ...k.csr.san.ip.map((a) => `IP:${a}`),
      ];
      if (sans.length) keyLines.push(line('field', 'CSR SANs', sans.join(', '), 'key.csr.san'));
    }
    sections.push({ id: 'key', title: 'Key', lines: keyLines });
  }

  if (c.roster) {
    const r = c.roster;
    sections.push({
      id: 'roster',
      title: 'Roster change',
      lines: [
        ...r.add.flatMap((a, i) => [
          line('field', 'Add', `${a.name} (${a.id})`, `roster.add[${i}]`),
          line('field', 'Roles', a.roles.join(', '), `roster.add[${i}].roles`),
          line('field', 'Valid', `${a.validFrom} to ${a.validUntil}`, `roster.add[${i}]`),
          // Public, never a credential: the witnesses compare it with the key the custodian's token shows.
          line('field', 'Public key', a.publicKey, `roster.add[${i}].publicKey`),
        ]),
        ...r.revoke.map((v, i) => line('field', 'Revoke', `${v.id}: ${v.reason}`, `roster.revoke[${i}]`)),
        ...(r.quorum ? [line('field', 'New quorum', `${r.quorum.m} of ${r.quorum.n}`, 'roster.quorum')] : []),
      ],
    });
  }

  if (c.shares) {
    sections.push({
      id: 'shares',
      title: 'Share re-issue',
      lines: [
        line('field', 'Quorum', `${c.shares.m} of ${c.shares.n}`, 'shares'),
        ...c.shares.custodians.map((id, i) => line('field', 'Share to', id, `shares.custodians[${i}]`)),
      ],
    });
  }

  if (c.bags.length) {
    sections.push({
      id: 'bags',
      title: 'Tamper-evident bags',
      lines: c.bags.map((b, i) =>
        line(
          'field',
          b.serial,
          `${b.contents} (${b.state === 'sealed' ? 'arrives sealed' : 'new, sealed during the ceremony'})`,
          `bags[${i}]`,
        ),
      ),
    });
  }

  c.steps.forEach((s, i) => sections.push(stepSection(c, s, i)));

  sections.push({
    id: 'close',
    title: 'Close',
    lines: [
      line(
        'checkbox',
        'Deviations',
        'Every deviation is on an exception sheet with the decision of the master of ceremonies.',
        null,
      ),
      ...c.participants.map((p, i) =>
        line('signature', p.role, `${p.name} (${p.id}): signature, time`, `participants[${i}]`),
      ),
    ],
  });

  return { title: c.title, sha256, words, sections };
}

/** The script as plain text (the CLI prints this); checkboxes as `[ ]`, signatures as a rule. */
export function scriptText(script: CeremonyScript): string {
  const out: string[] = [];
  for (const s of script.sections) {
    out.push(s.title, '='.repeat(Math.min(s.title.length, 78)));
    for (const l of s.lines) {
      const caption = l.label ? `${l.label}: ` : '';
      if (l.kind === 'checkbox') out.push(`[ ] ${caption}${l.text}`);
      else if (l.kind === 'signature') out.push(`${caption}________________________ (${l.text})`);
      else out.push(`${caption}${l.text}`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
