import { z } from 'zod';
import { parseOrThrow } from '../validate';

/**
 * A certificate signing request's content, validated before anything touches the token: subject
 * attributes and subjectAltNames with their exact field paths in errors. Unknown keys are errors.
 */
const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine(
      (v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
      'must not contain control characters',
    );

const dnsName = z
  .string()
  .max(253)
  .regex(
    /^(\*\.)?(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$/,
    'must be a DNS name such as signing.example.org',
  );

const email = z
  .string()
  .max(254)
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address');

const ipAddress = z
  .string()
  .regex(
    /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*$/,
    'must be an IPv4 or IPv6 address',
  );

export const csrRequestSchema = z.strictObject({
  subject: z.strictObject({
    commonName: printable(64),
    organization: printable(64).optional(),
    organizationalUnit: printable(64).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166 code such as DE')
      .optional(),
    state: printable(128).optional(),
    locality: printable(128).optional(),
  }),
  san: z
    .strictObject({
      dns: z.array(dnsName).max(100).default([]),
      email: z.array(email).max(100).default([]),
      ip: z.array(ipAddress).max(100).default([]),
    })
    .default({ dns: [], email: [], ip: [] }),
});

export type CsrRequest = z.infer<typeof csrRequestSchema>;
export type CsrRequestInput = z.input<typeof csrRequestSchema>;

export function parseCsrRequest(input: unknown): CsrRequest {
  return parseOrThrow(csrRequestSchema, input, 'csr');
}

/** RFC 4514 string of the subject (most significant first as written: C, ST, L, O, OU, CN reversed). */
export function subjectDn(s: CsrRequest['subject']): string {
  const esc = escapeDnValue;
  const parts: string[] = [`CN=${esc(s.commonName)}`];
  if (s.organizationalUnit) parts.push(`OU=${esc(s.organizationalUnit)}`);
  if (s.organization) parts.push(`O=${esc(s.organization)}`);
  if (s.locality) parts.push(`L=${esc(s.locality)}`);
  if (s.state) parts.push(`ST=${esc(s.state)}`);
  if (s.country) parts.push(`C=${s.country}`);
  return parts.join(', ');
}

/** RFC 4514 escaping of a value placed in a distinguished name. */
export function escapeDnValue(value: string): string {
  return value.replace(/[,+"\\<>;=#]/g, (c) => `\\${c}`).replace(/^ | $/g, (c) => `\\${c}`);
}
