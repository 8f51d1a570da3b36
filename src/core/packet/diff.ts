import { canonicalJson } from '../canonical';
import type { PacketContent } from './model';

/** One difference between two packet versions, by section and item id. */
export interface PacketChange {
  readonly section: 'scope' | 'subject' | 'routing' | 'claims' | 'evidence' | 'annotations';
  readonly id: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** The fields that differ, for a changed item. */
  readonly fields: readonly string[];
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

function fieldsOf(a: object, b: object): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => !same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function byId<T extends object>(
  section: PacketChange['section'],
  from: readonly T[],
  to: readonly T[],
  id: (x: T) => string,
): PacketChange[] {
  const before = new Map(from.map((x) => [id(x), x]));
  const after = new Map(to.map((x) => [id(x), x]));
  const out: PacketChange[] = [];
  for (const [k, a] of before) {
    const b = after.get(k);
    if (!b) out.push({ section, id: k, change: 'removed', fields: [] });
    else if (!same(a, b)) out.push({ section, id: k, change: 'changed', fields: fieldsOf(a, b) });
  }
  for (const k of after.keys()) if (!before.has(k)) out.push({ section, id: k, change: 'added', fields: [] });
  return out;
}

/** What changed from one version to the next (items matched by id; field names for changed items). */
export function diffPackets(from: PacketContent, to: PacketContent): PacketChange[] {
  const whole = (section: 'scope' | 'subject' | 'routing', a: object, b: object): PacketChange[] =>
    same(a, b) ? [] : [{ section, id: section, change: 'changed', fields: fieldsOf(a, b) }];
  return [
    ...whole('scope', from.scope, to.scope),
    ...whole('subject', from.subject, to.subject),
    ...whole('routing', from.routing, to.routing),
    ...byId('claims', from.claims, to.claims, (c) => c.claimId),
    ...byId('evidence', from.evidence, to.evidence, (e) => e.evidenceId),
    // Annotations are appended, never edited: what a later version adds, by position.
    ...byId(
      'annotations',
      from.annotations.map((a, i) => ({ ...a, n: i + 1 })),
      to.annotations.map((a, i) => ({ ...a, n: i + 1 })),
      (a) => `${a.checkId} ${a.subject} #${a.n}`,
    ),
  ];
}
