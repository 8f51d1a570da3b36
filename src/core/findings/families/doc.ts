import type { z } from 'zod';
import { defOf, fieldShape, shapeOf } from '../csv';
import type { RecordFamily } from '../records';
import { FAMILIES } from './catalogue';

/**
 * The "Record families" section of docs/records.md, generated from the catalogue so the two cannot
 * drift apart (tests/integration/records-doc.test.ts compares them, after Prettier formats the page as
 * `npm run lint` expects, and rewrites the section with RECORDS_DOC_WRITE=1).
 */
export const FAMILIES_BEGIN =
  '<!-- record-families:begin (generated from src/core/findings/families/catalogue.ts) -->';
export const FAMILIES_END = '<!-- record-families:end -->';

/** A field's grammar in words: `text`, `instant`, `one of a, b`, `list of role`, `list of {role, count}`. */
function typeOf(schema: z.ZodType): string {
  const d = defOf(schema);
  switch (d.type) {
    case 'nullable':
    case 'optional':
    case 'default':
      return d.innerType ? typeOf(d.innerType) : d.type;
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).join(', ')}`;
    case 'array':
      return `list of ${d.element ? typeOf(d.element) : '?'}`;
    case 'object':
      return `{${Object.keys(d.shape ?? {}).join(', ')}}`;
    case 'union':
      // The catalogue's only union is `instant`: an ISO instant or a day.
      return 'instant (ISO time or YYYY-MM-DD)';
    case 'string':
      return 'text';
    default:
      return d.type;
  }
}

function fieldRow(name: string, schema: z.ZodType, family: RecordFamily): string {
  const shape = fieldShape(schema);
  const notes = [
    name === family.idField ? 'record id' : '',
    name === family.timeField ? 'time the fact applies' : '',
    shape.nullable ? 'may be null' : '',
    shape.omittable ? 'may be left out' : '',
    shape.kind === 'list'
      ? "CSV: values separated by ';'"
      : shape.kind === 'json'
        ? 'CSV: JSON in the cell'
        : '',
  ].filter(Boolean);
  return `| \`${name}\` | ${typeOf(schema).replace(/\|/g, '\\|')} | ${notes.join('; ')} |`;
}

/** The generated section, markers included. */
export function familiesSection(): string {
  const out = [FAMILIES_BEGIN, ''];
  for (const f of Object.values(FAMILIES) as RecordFamily[]) {
    const shape = shapeOf(f);
    out.push(
      `### \`${f.name}\` v${f.version} — ${f.title}`,
      '',
      `- Systems: ${f.systems}`,
      `- Record id: \`${f.idField}\`; time field: ${f.timeField === null ? 'none' : `\`${f.timeField}\``}`,
      `- Detected in a CSV header by: ${f.signature.map((s) => `\`${s}\``).join(', ')}`,
      ...(f.broadFields === undefined
        ? []
        : [
            `- Broad audience (may leave the full packet): ${f.broadFields.length === 0 ? 'nothing but its title and digest' : f.broadFields.map((s) => `\`${s}\``).join(', ')}`,
          ]),
      '',
      '| Field | Type | Notes |',
      '| --- | --- | --- |',
      ...Object.entries(shape).map(([name, schema]) => fieldRow(name, schema, f)),
      '',
    );
  }
  out.push(FAMILIES_END);
  return out.join('\n');
}
