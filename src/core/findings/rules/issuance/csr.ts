import { base64 } from '@scure/base';

/**
 * A PKCS#10 certificate signing request (RFC 2986) as the ISS-CSR check reads it: the DER bytes the
 * locked fingerprint is taken over, the subject's attributes, the SubjectPublicKeyInfo (whose SHA-256
 * names the key the custody attestation speaks for) and the subject alternative names of its
 * extensionRequest. A strict DER reader of exactly this structure, in core (src/core reaches no X.509
 * library): definite lengths only, no trailing bytes, every length inside its parent. The request's
 * signature (proof of possession) is not verified here: core has no public-key crypto.
 */
export interface ParsedCsr {
  readonly der: Uint8Array;
  /** Subject attributes in the order the CSR writes them, by short name (CN, O, OU, C, ST, L, …). */
  readonly subject: readonly { readonly type: string; readonly value: string }[];
  /** The SubjectPublicKeyInfo, DER (tag and length included). */
  readonly spki: Uint8Array;
  /** Subject alternative names written `<type>:<value>` (dns, email, uri, ip; `other:<tag>` otherwise). */
  readonly sans: readonly string[];
}

export class CsrParseError extends Error {}

const PEM =
  /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1?CERTIFICATE REQUEST-----\s*$/;

/** The DER of the one CERTIFICATE REQUEST block a PEM holds (nothing but whitespace around it). */
export function csrDer(pem: string): Uint8Array {
  const m = pem.trim().match(PEM);
  if (!m) throw new CsrParseError('not one PEM block "CERTIFICATE REQUEST"');
  try {
    return base64.decode((m[2] ?? '').replace(/[\r\n]/g, ''));
  } catch {
    throw new CsrParseError('the PEM body is not base64');
  }
}

interface Tlv {
  readonly tag: number;
  /** Where the element starts (its tag byte) and where its content starts and ends. */
  readonly start: number;
  readonly body: number;
  readonly end: number;
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new CsrParseError(`truncated at byte ${at}`);
  const tag = der[at] as number;
  if ((tag & 0x1f) === 0x1f) throw new CsrParseError(`multi-byte tag at byte ${at}`);
  let len = der[at + 1] as number;
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3) throw new CsrParseError(`unsupported length form at byte ${at}`);
    if (body + n > limit) throw new CsrParseError(`truncated length at byte ${at}`);
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + (der[body + k] as number);
    if (len < 0x80 || (n > 1 && der[body] === 0)) throw new CsrParseError(`non-minimal length at byte ${at}`);
    body += n;
  }
  const end = body + len;
  if (end > limit) throw new CsrParseError(`length at byte ${at} runs past its container`);
  return { tag, start: at, body, end };
}

/** The elements of a constructed element's content, in order, exactly filling it. */
function children(der: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.body; at < t.end;) {
    const c = readTlv(der, at, t.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag)
    throw new CsrParseError(
      `${what}: expected tag 0x${tag.toString(16)}, found ${t ? `0x${t.tag.toString(16)}` : 'nothing'}`,
    );
  return t;
}

function oid(der: Uint8Array, t: Tlv): string {
  expectTag(t, 0x06, 'object identifier');
  const bytes = der.subarray(t.body, t.end);
  if (bytes.length === 0) throw new CsrParseError('empty object identifier');
  const arcs: number[] = [];
  let v = 0;
  for (const b of bytes) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function text(der: Uint8Array, t: Tlv): string {
  const bytes = der.subarray(t.body, t.end);
  switch (t.tag) {
    case 0x0c: // UTF8String
      return utf8.decode(bytes);
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString (read as Latin-1)
      return latin1.decode(bytes);
    case 0x1e: {
      // BMPString: UTF-16BE
      let s = '';
      for (let k = 0; k + 1 < bytes.length; k += 2)
        s += String.fromCharCode(((bytes[k] as number) << 8) | (bytes[k + 1] as number));
      return s;
    }
    default:
      throw new CsrParseError(`unsupported string type 0x${t.tag.toString(16)}`);
  }
}

const NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'emailAddress',
};
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SUBJECT_ALT_NAME = '2.5.29.17';

function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let k = 0; k < 16; k += 2)
      groups.push((((bytes[k] as number) << 8) | (bytes[k + 1] as number)).toString(16));
    return groups.join(':');
  }
  throw new CsrParseError(`an iPAddress of ${bytes.length} bytes`);
}

function generalNames(der: Uint8Array, t: Tlv): string[] {
  expectTag(t, 0x30, 'GeneralNames');
  return children(der, t).map((g) => {
    const bytes = der.subarray(g.body, g.end);
    switch (g.tag) {
      case 0x81:
        return `email:${latin1.decode(bytes)}`;
      case 0x82:
        return `dns:${latin1.decode(bytes)}`;
      case 0x86:
        return `uri:${latin1.decode(bytes)}`;
      case 0x87:
        return `ip:${ipText(bytes)}`;
      default:
        return `other:0x${g.tag.toString(16)}`;
    }
  });
}

/** Parses a PEM CSR; throws CsrParseError naming what is wrong. */
export function parseCsr(pem: string): ParsedCsr {
  const der = csrDer(pem);
  const outer = readTlv(der, 0, der.length);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new CsrParseError('not one DER SEQUENCE');
  const [info, sigAlg, sig, ...rest] = children(der, outer);
  expectTag(info, 0x30, 'certificationRequestInfo');
  expectTag(sigAlg, 0x30, 'signatureAlgorithm');
  expectTag(sig, 0x03, 'signature');
  if (rest.length > 0) throw new CsrParseError('extra elements after the signature');
  const [version, name, spki, attrs, ...more] = children(der, info as Tlv);
  const v = expectTag(version, 0x02, 'version');
  if (v.end - v.body !== 1 || der[v.body] !== 0) throw new CsrParseError('version is not v1 (0)');
  expectTag(name, 0x30, 'subject');
  expectTag(spki, 0x30, 'subjectPKInfo');
  if (more.length > 0) throw new CsrParseError('extra elements in certificationRequestInfo');
  const subject: { type: string; value: string }[] = [];
  for (const rdn of children(der, name as Tlv)) {
    expectTag(rdn, 0x31, 'relative distinguished name');
    for (const atv of children(der, rdn)) {
      const [type, value, ...x] = children(der, expectTag(atv, 0x30, 'attribute'));
      if (!type || !value || x.length > 0) throw new CsrParseError('malformed subject attribute');
      const o = oid(der, type);
      subject.push({ type: NAMES[o] ?? o, value: text(der, value) });
    }
  }
  const sans: string[] = [];
  if (attrs) {
    expectTag(attrs, 0xa0, 'attributes');
    for (const attr of children(der, attrs)) {
      const [type, values] = children(der, expectTag(attr, 0x30, 'attribute'));
      if (!type || !values) throw new CsrParseError('malformed attribute');
      if (oid(der, type) !== EXTENSION_REQUEST) continue;
      for (const exts of children(der, expectTag(values, 0x31, 'attribute values')))
        for (const ext of children(der, expectTag(exts, 0x30, 'extensions'))) {
          const parts = children(der, expectTag(ext, 0x30, 'extension'));
          const id = parts[0];
          const value = parts[parts.length - 1];
          if (!id || !value || parts.length < 2) throw new CsrParseError('malformed extension');
          if (oid(der, id) !== SUBJECT_ALT_NAME) continue;
          const octets = expectTag(value, 0x04, 'extnValue');
          const inner = readTlv(der, octets.body, octets.end);
          if (inner.end !== octets.end) throw new CsrParseError('trailing bytes in the SAN extension');
          sans.push(...generalNames(der, inner));
        }
    }
  }
  return { der, subject, spki: der.slice((spki as Tlv).start, (spki as Tlv).end), sans };
}
