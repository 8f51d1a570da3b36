import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ENTRY_KEYS, type EntryKey } from '../../../core/portal/model';
import { CodedError } from '../../../core/errors';
import { moduleId } from '../../../core/schema';
import { firstIssue } from '../../../core/validate';

/**
 * Portal profiles: everything the station knows about one PKI portal's pages, as data
 * (resources/portals/<id>.yaml, documented in docs/portal-profiles.md). A new portal is a new profile,
 * never new code. Decoding is strict: an unknown key, an empty locator, a pattern without exactly one
 * capture group, an origin that is not one, or an absolute path is refused with the YAML path (and line)
 * that holds it, before any browser starts.
 */

/**
 * The codes the portal adapter raises. Not yet in the shared catalogue (src/shared/errors.ts), which the
 * lead adds them to with their class and operator action.
 */
export type PortalErrorCode =
  | 'PORTAL_PROFILE_INVALID'
  | 'PORTAL_PROFILE_UNKNOWN'
  | 'PORTAL_URL_NOT_ALLOWED'
  | 'PORTAL_BROWSER_UNAVAILABLE'
  | 'PORTAL_VALUES_INVALID'
  | 'PORTAL_NOT_READY'
  | 'PORTAL_HALTED';

export function portalError(
  code: PortalErrorCode,
  message: string,
  data: Record<string, string | number | boolean | null | readonly string[]> = {},
): CodedError<PortalErrorCode> {
  return new CodedError(code, message, data);
}

/** The packet values a profile field may take: the issuance entry's fixed vocabulary (core/portal/model). */
export const PORTAL_TAKES = ENTRY_KEYS;
export type PortalTake = EntryKey;
/** Takes that are lists (one entry a line in the portal's control); every other take is one string. */
export const LINE_TAKES: ReadonlySet<PortalTake> = new Set(['sans', 'approvalRefs']);

/** Halt groups a profile names selectors for, and the halt kind each one raises. */
export const HALT_GROUPS = {
  warning: 'warning-banner',
  duplicate: 'duplicate-notice',
  captcha: 'captcha',
  error: 'error-page',
} as const;
export type HaltGroup = keyof typeof HALT_GROUPS;

/** Hosts a profile may reach over plain http: this machine's loopback only. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const ORIGIN_RE =
  /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\*|\d{1,5}))?$/;

/** An allowed origin, parsed: `port` null means any port (`*`). */
export interface AllowedOrigin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number | null;
}

/** Parses one `allow` entry, or says why it is not an origin the station may reach. */
export function parseAllowedOrigin(entry: string): AllowedOrigin | string {
  const m = entry.match(ORIGIN_RE);
  if (!m?.[1] || !m[2]) {
    return 'must be an origin: http(s)://host[:port], no path, no wildcard but `*` as the whole port';
  }
  const scheme = m[1] as 'http' | 'https';
  const host = m[2].toLowerCase();
  if (scheme === 'http' && !LOOPBACK_HOSTS.has(host)) {
    return 'must use https: plain http is allowed only for 127.0.0.1, localhost and [::1]';
  }
  const portText = m[3];
  if (portText === undefined) return { scheme, host, port: scheme === 'https' ? 443 : 80 };
  if (portText === '*') return { scheme, host, port: null };
  const port = Number(portText);
  if (port < 1 || port > 65535) return 'has a port outside 1–65535';
  return { scheme, host, port };
}

/** True when a URL's origin is one of `allow` (ws/wss count as http/https). */
export function originAllowed(url: string, allow: readonly AllowedOrigin[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const scheme = { 'http:': 'http', 'ws:': 'http', 'https:': 'https', 'wss:': 'https' }[u.protocol];
  if (!scheme) return false;
  const port = u.port ? Number(u.port) : scheme === 'https' ? 443 : 80;
  const host = u.hostname.toLowerCase();
  return allow.some((a) => a.scheme === scheme && a.host === host && (a.port === null || a.port === port));
}

/** How many capture groups a regular expression source holds (the `|` alternative matches ''). */
function captureGroups(re: RegExp): number {
  return (''.match(new RegExp(`${re.source}|`)) ?? ['']).length - 1;
}

const nonEmpty = z.string().trim().min(1, 'must not be empty');
/** A CSS selector the driver hands to Playwright; its syntax is the browser's to judge (probe does). */
const locator = nonEmpty;
const selectors = z.array(locator).min(1, 'must name at least one selector');

/** A pattern that compiles and holds exactly one capture group: the id it yields. */
const idPattern = z.string().superRefine((src, ctx) => {
  let re: RegExp;
  try {
    re = new RegExp(src);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `does not compile: ${(e as Error).message}` });
    return;
  }
  const groups = captureGroups(re);
  if (groups !== 1) {
    ctx.addIssue({ code: 'custom', message: `must hold exactly one capture group (it holds ${groups})` });
  }
});

/**
 * A path relative to the base URL given at run time: starts with one `/`, no scheme, no host, no `..`,
 * and only the placeholders named.
 */
function relativePath(placeholders: readonly string[], required: readonly string[] = []) {
  return z.string().superRefine((p, ctx) => {
    const problem =
      !p.startsWith('/') || p.startsWith('//')
        ? 'must be a path relative to the base URL, starting with one /'
        : /[\\\s]/.test(p) || /:\/\//.test(p)
          ? 'must be a path, without scheme, host, backslash or spaces'
          : p.split(/[/?#]/).includes('..')
            ? 'must not climb out of the base URL (..)'
            : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return;
    }
    for (const [, name] of p.matchAll(/\{([^}]*)\}/g)) {
      if (name === undefined || !placeholders.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `has the placeholder {${name}}; allowed here: ${placeholders.map((x) => `{${x}}`).join(', ') || 'none'}`,
        });
      }
    }
    for (const name of required) {
      if (!p.includes(`{${name}}`)) ctx.addIssue({ code: 'custom', message: `must hold {${name}}` });
    }
  });
}

const originEntry = z.string().superRefine((o, ctx) => {
  const r = parseAllowedOrigin(o);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
});

const fieldSchema = z
  .strictObject({
    take: z.enum(PORTAL_TAKES),
    locator,
    label: nonEmpty,
    kind: z.enum(['text', 'select', 'lines']),
    /** For a select: the option values or labels the portal is expected to offer. */
    options: z.array(nonEmpty).min(1).optional(),
  })
  .superRefine((f, ctx) => {
    if (LINE_TAKES.has(f.take) !== (f.kind === 'lines')) {
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: LINE_TAKES.has(f.take)
          ? `must be lines: ${f.take} is a list`
          : `must not be lines: ${f.take} is one value`,
      });
    }
    if (f.options && f.kind !== 'select') {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'is allowed only for kind select' });
    }
  });

const tabSchema = z.strictObject({
  id: moduleId,
  /** Where the tab is expected: checked against the URL when the tab is reached. */
  path: relativePath(['draft']).optional(),
  fields: z.array(fieldSchema).min(1, 'must list at least one field'),
  /** Controls the tab's form may hold besides its fields and buttons (never typed into). */
  allowControls: z.array(locator).optional(),
  next: locator,
});

export const portalProfileSchema = z
  .strictObject({
    /** The same grammar as a PKCS#11 module profile's id: lowercase letters, digits and dashes. */
    profile: moduleId,
    title: nonEmpty,
    version: z.number().int().positive(),
    allow: z.array(originEntry).min(1, 'must name at least one origin'),
    start: relativePath([]),
    login: z.strictObject({
      page: relativePath([]),
      form: locator,
      username: locator,
      password: locator,
      submit: locator,
    }),
    sessionExpired: selectors,
    halt: z.strictObject({
      warning: selectors.optional(),
      duplicate: selectors.optional(),
      captcha: selectors.optional(),
      error: selectors.optional(),
    }),
    tabs: z.array(tabSchema).min(1, 'must list at least one tab'),
    review: z.strictObject({
      path: relativePath(['draft']).optional(),
      /** Each element is one summary entry; its `key` attribute names the field it shows. */
      values: locator,
      key: nonEmpty.default('data-field'),
      /** Summary keys → packet takes, where a key is neither the take nor the field locator's id. */
      fields: z.record(nonEmpty, z.enum(PORTAL_TAKES)).optional(),
      /** Summary keys shown that carry no packet value (e.g. the draft id): read, never compared. */
      ignore: z.array(nonEmpty).optional(),
    }),
    saveDraft: z
      .strictObject({
        control: locator,
        saved: locator,
        idPattern,
      })
      .optional(),
    submit: z.strictObject({ control: locator, label: nonEmpty }),
    confirmation: z.strictObject({ selector: locator, pattern: idPattern }),
    search: z.strictObject({
      path: relativePath(['query'], ['query']),
      row: locator,
      columns: z.strictObject({
        requestId: locator,
        subject: locator.optional(),
        fingerprint: locator.optional(),
        state: locator.optional(),
      }),
    }),
    mask: z.array(locator).default([]),
  })
  .superRefine((p, ctx) => {
    const tabIds = new Map<string, number>();
    const takes = new Map<string, string>();
    p.tabs.forEach((t, i) => {
      if (tabIds.has(t.id)) {
        ctx.addIssue({ code: 'custom', path: ['tabs', i, 'id'], message: `repeats tab ${t.id}` });
      }
      tabIds.set(t.id, i);
      t.fields.forEach((f, j) => {
        const seen = takes.get(f.take);
        if (seen !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['tabs', i, 'fields', j, 'take'],
            message: `takes ${f.take} again (already at ${seen})`,
          });
        }
        takes.set(f.take, `tabs.${i}.fields.${j}`);
      });
    });
    for (const [key, take] of Object.entries(p.review.fields ?? {})) {
      if (!takes.has(take)) {
        ctx.addIssue({
          code: 'custom',
          path: ['review', 'fields', key],
          message: `maps to ${take}, which no tab's field takes`,
        });
      }
    }
  });

export type PortalProfileInput = z.input<typeof portalProfileSchema>;
type ParsedProfile = z.output<typeof portalProfileSchema>;
export type PortalField = ParsedProfile['tabs'][number]['fields'][number];
export type PortalTab = ParsedProfile['tabs'][number];

/** A validated profile, with its `allow` origins parsed and where it came from. */
export interface PortalProfile extends ParsedProfile {
  readonly origins: readonly AllowedOrigin[];
  /** The file it was read from (or the name it was given). */
  readonly source: string;
  /** The profile text's SHA-256 (hex), for the evidence of which profile drove a run. */
  readonly sha256: string;
}

/**
 * Validates decoded data as a profile; every refusal names the path (`tabs.2.fields.0.locator`) and,
 * when `lineOf` can tell, the line.
 */
export function validatePortalProfile(
  data: unknown,
  source: string,
  opts: { sha256?: string; lineOf?: (path: readonly string[]) => number | null } = {},
): PortalProfile {
  const r = portalProfileSchema.safeParse(data);
  if (!r.success) {
    const issue = firstIssue(r.error);
    // An unknown key is refused at its object; the path names the key itself.
    const unknown = /^Unrecognized keys?: "([^"]+)"/.exec(issue.message)?.[1];
    const path = unknown === undefined ? [...issue.path] : [...issue.path, unknown];
    const field = path.join('.') || '(profile)';
    const line = opts.lineOf?.(path) ?? null;
    const message = unknown === undefined ? issue.message : 'is not a profile key';
    throw portalError(
      'PORTAL_PROFILE_INVALID',
      `${source}${line ? ` line ${line}` : ''}: ${field} ${message}`,
      { field, source, line },
    );
  }
  const origins = r.data.allow.map((a) => parseAllowedOrigin(a) as AllowedOrigin);
  const sha256 = opts.sha256 ?? createHash('sha256').update(JSON.stringify(data), 'utf8').digest('hex');
  return { ...r.data, origins, source, sha256 };
}

/** Parses a profile's YAML text (duplicate keys refused) and validates it. */
export function parsePortalProfile(text: string, source: string): PortalProfile {
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const line = lineCounter.linePos(err.pos[0]).line;
    throw portalError(
      'PORTAL_PROFILE_INVALID',
      `${source} line ${line}: not a YAML profile: ${err.message.split('\n')[0]}`,
      { field: '(profile)', source, line },
    );
  }
  const lineOf = (path: readonly string[]): number | null => {
    // The deepest node the path reaches (an unknown key's own node, else its parent's).
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return null;
  };
  return validatePortalProfile(doc.toJS(), source, { sha256, lineOf });
}

/** Reads and validates one profile file; its `profile` id must be its file name without `.yaml`. */
export function loadPortalProfileFile(path: string): PortalProfile {
  const profile = parsePortalProfile(readFileSync(path, 'utf8'), path);
  const id = basename(path).replace(/\.ya?ml$/, '');
  if (profile.profile !== id) {
    throw portalError('PORTAL_PROFILE_INVALID', `${path}: profile ${profile.profile} must be named ${id}`, {
      field: 'profile',
      source: path,
      line: null,
    });
  }
  return profile;
}

/** Every profile in a folder (resources/portals), sorted by id. */
export function loadPortalProfiles(dir: string): PortalProfile[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => loadPortalProfileFile(join(dir, f)));
}

/** The station's own profiles, bundled from resources/portals at build time. */
const BUNDLED = import.meta.glob<string>('../../../../resources/portals/*.yaml', {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** The bundled profile of that id (resources/portals/<id>.yaml), validated on each call. */
export function bundledPortalProfile(id: string): PortalProfile {
  const entry = Object.entries(BUNDLED).find(([path]) => basename(path) === `${id}.yaml`);
  if (!entry) {
    throw portalError('PORTAL_PROFILE_UNKNOWN', `No portal profile ${id} (resources/portals/${id}.yaml)`, {
      field: 'profile',
      known: Object.keys(BUNDLED).map((p) => basename(p, '.yaml')),
    });
  }
  const source = `resources/portals/${id}.yaml`;
  const profile = parsePortalProfile(entry[1], source);
  if (profile.profile !== id) {
    throw portalError('PORTAL_PROFILE_INVALID', `${source}: profile ${profile.profile} must be named ${id}`, {
      field: 'profile',
      source,
      line: null,
    });
  }
  return profile;
}

/** The ids of the bundled profiles. */
export function bundledPortalProfileIds(): string[] {
  return Object.keys(BUNDLED)
    .map((p) => basename(p, '.yaml'))
    .sort();
}

/** The profile's path for a URL, joined under the base URL (which may carry a path prefix). */
export function portalUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
