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
  .max(45)
  .refine(
    (v) => ipAddressBytes(v) !== null,
    'must be an IPv4 address such as 192.0.2.1 or an IPv6 address such as 2001:db8::1',
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

/** An attribute of a distinguished name, by its X.520 short name. */
export type NameAttributeType = 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN' | 'serialNumber';

/** One attribute (one single-valued RDN) of a distinguished name, its value as written (unescaped). */
export interface NameAttribute {
  readonly type: NameAttributeType;
  readonly value: string;
}

/**
 * A distinguished name in X.500 order, most significant first, as its DER lists the RDNs: C, ST, L, O,
 * OU, CN, then the attributes that tell one CN from another (serialNumber). What the encoder is given:
 * a structure, never a string a library would have to parse (and, for RFC 4514 text, reverse).
 */
export type DistinguishedName = readonly NameAttribute[];

/** The request's subject in X.500 order: C, ST, L, O, OU, CN (absent attributes left out). */
export function subjectName(s: CsrRequest['subject']): DistinguishedName {
  const present = (type: NameAttributeType, value: string | undefined): NameAttribute[] =>
    value === undefined ? [] : [{ type, value }];
  return [
    ...present('C', s.country),
    ...present('ST', s.state),
    ...present('L', s.locality),
    ...present('O', s.organization),
    ...present('OU', s.organizationalUnit),
    ...present('CN', s.commonName),
  ];
}

/** RFC 4514 string of a name: its RDNs least significant first (CN=…, O=…, C=…), values escaped. */
export function rfc4514(name: DistinguishedName): string {
  const label = (t: NameAttributeType) => (t === 'serialNumber' ? '2.5.4.5' : t);
  return [...name]
    .reverse()
    .map((a) => `${label(a.type)}=${escapeDnValue(a.value)}`)
    .join(', ');
}

/** RFC 4514 string of the subject (CN first, as the text form reverses the DER's X.500 order). */
export function subjectDn(s: CsrRequest['subject']): string {
  return rfc4514(subjectName(s));
}

/** RFC 4514 escaping of a value placed in a distinguished name. */
function escapeDnValue(value: string): string {
  return value.replace(/[,+"\\<>;=#]/g, (c) => `\\${c}`).replace(/^ | $/g, (c) => `\\${c}`);
}

/**
 * The bytes of an IP address for a subjectAltName iPAddress (RFC 5280 4.2.1.6): 4 for an IPv4
 * dotted quad (decimal, no leading zeros), 16 for IPv6 in any RFC 4291 2.2 text form, an embedded
 * IPv4 tail included (`::ffff:192.0.2.1` stays 16 bytes). Null for anything else (zone ids, prefixes).
 * Pure, so the same rule holds in the renderer, at the IPC boundary and before any login.
 */
export function ipAddressBytes(text: string): Uint8Array | null {
  return ipv4Bytes(text) ?? ipv6Bytes(text);
}

function ipv4Bytes(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return null;
    out[i] = Number(part);
  }
  return out;
}

function ipv6Bytes(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const pieces = (half: string) => (half === '' ? [] : half.split(':'));
  const head = pieces(halves[0] ?? '');
  const tail = halves.length === 2 ? pieces(halves[1] ?? '') : [];
  // Only the address's last piece may be an IPv4 address (two groups).
  const last = halves.length === 2 ? tail : head;
  const words = (list: string[], endsAddress: boolean): number[] | null => {
    const out: number[] = [];
    for (const [i, piece] of list.entries()) {
      if (endsAddress && i === list.length - 1 && piece.includes('.')) {
        const v4 = ipv4Bytes(piece);
        if (!v4) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const before = words(head, last === head);
  const after = words(tail, last === tail);
  if (!before || !after) return null;
  const given = before.length + after.length;
  // Without "::" all eight groups are written; "::" stands for at least one group of zeros.
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const all = [...before, ...Array<number>(8 - given).fill(0), ...after];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}
