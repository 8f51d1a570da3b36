import {
  bundledPortalProfile,
  bundledPortalProfileIds,
  openPortal,
  originAllowed,
  probe,
  type PortalProfile,
  type PortalSession,
  type PortalTimeouts,
} from '../../adapters/portal';
import type { EntryKey } from '../../../core/portal/model';
import { stationError } from '../../errors';
import type { PortalAdapter, PortalProfileRef, PortalSessionPort, SearchRow } from './port';

/**
 * The real portal adapter: profiles from resources/portals, the playwright-core driver on the system
 * Chromium (adapters/portal). The submission service sees only the port.
 */
const loaded = new Map<string, PortalProfile>();

function loadBundled(name: string): PortalProfile {
  const cached = loaded.get(name);
  if (cached) return cached;
  const p = bundledPortalProfile(name);
  loaded.set(name, p);
  return p;
}

function refOf(p: PortalProfile): PortalProfileRef {
  const takes = new Set<EntryKey>();
  for (const tab of p.tabs) for (const f of tab.fields) takes.add(f.take as EntryKey);
  return { name: p.profile, sha256: p.sha256, title: p.title, takes: [...takes] };
}

function sessionPort(s: PortalSession): PortalSessionPort {
  return {
    async fill(values) {
      const r = await s.fill(values);
      return {
        state: r.state,
        halt: r.halt
          ? {
              kind: r.halt.kind,
              tab: r.halt.tab,
              field: r.halt.field,
              detail: [
                r.halt.detail,
                r.halt.expected !== undefined ? `expected ${r.halt.expected}` : '',
                r.halt.found !== undefined ? `found ${r.halt.found}` : '',
              ]
                .filter(Boolean)
                .join('; '),
            }
          : undefined,
        draftId: r.draftId,
        disposition: r.state === 'halted' ? (r.draftSaved ? 'draft-saved' : 'abandoned') : undefined,
        readBack: r.readBack,
        screenshots: r.screenshots,
      };
    },
    async saveDraft() {
      const r = await s.saveDraft();
      return { draftId: r.draftId, disposition: r.saved ? 'draft-saved' : 'abandoned' };
    },
    async submit(beforeClick) {
      const r = await s.submit(beforeClick);
      return r.state === 'confirmed'
        ? {
            state: 'confirmed',
            requestId: r.requestId,
            confirmation: r.confirmation,
            screenshots: r.screenshots,
          }
        : r;
    },
    async search(query) {
      const rows = await s.search(query);
      return {
        rows: rows.map((r): SearchRow => ({
          requestId: r.requestId,
          subject: r.subject ?? '',
          fingerprint: r.fingerprint ?? '',
          state: r.state ?? '',
        })),
        screenshots: [],
      };
    },
    async close(opts) {
      if (opts?.keepOpen) return;
      await s.close();
    },
    closed: () => s.closed(),
  };
}

/**
 * The adapter the station uses. `timeouts` (tests of a hanging portal) shorten the driver's waits; the
 * defaults are the driver's.
 */
export function browserPortal(
  opts: { timeouts?: Partial<PortalTimeouts>; extraProfiles?: readonly PortalProfile[] } = {},
): PortalAdapter {
  // Profiles beside the bundled ones (a test's fixture, parsed and validated the same way).
  const extra = new Map((opts.extraProfiles ?? []).map((p) => [p.profile, p]));
  const load = (name: string) => extra.get(name) ?? loadBundled(name);
  return {
    profile: (name) => refOf(load(name)),
    profiles: () => [...bundledPortalProfileIds(), ...extra.keys()].map((id) => refOf(load(id))),
    admit(profile, baseUrl) {
      const p = load(profile.name);
      if (!originAllowed(baseUrl, p.origins))
        throw stationError(
          'PORTAL_URL_NOT_ALLOWED',
          `${baseUrl} is not an origin profile ${profile.name} allows`,
          { field: 'url', allow: p.allow },
        );
      return new URL(baseUrl).origin;
    },
    async open(o) {
      const s = await openPortal({
        profile: load(o.profile.name),
        baseUrl: o.baseUrl,
        headless: o.headless,
        ...(o.credentials ? { login: o.credentials } : {}),
        ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
      });
      return sessionPort(s);
    },
    async probe(opts) {
      const r = await probe(load(opts.profile.name), opts.baseUrl, {
        headless: opts.headless,
        ...(opts.credentials ? { login: opts.credentials } : {}),
      });
      return {
        ok: r.ok,
        mismatches: [
          ...r.mismatches.map(
            (m) => `${m.tab}: ${m.locator} expected label "${m.expectedLabel}", found ${m.found}`,
          ),
          ...r.halts.map((h) => `halt ${h.kind}${h.tab ? ` on ${h.tab}` : ''}: ${h.detail}`),
          ...r.blocked.map((b) => `blocked request outside allow: ${b}`),
        ],
      };
    },
  };
}
