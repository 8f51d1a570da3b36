import type { EntryKey, HaltKind } from '../../../core/portal/model';

/**
 * What the submission service needs from a portal driver (the adapter in src/main/adapters/portal drives
 * a real browser; the service never touches a page). Values go in as the workflow derived them; what
 * comes back is digests, the halt and masked screenshots — never raw values or secrets.
 */
export type EntryValues = Readonly<Partial<Record<EntryKey, string | readonly string[]>>>;

export interface Screenshot {
  readonly name: string;
  /** PNG bytes, taken with the profile's masks (and every password input) applied. */
  readonly png: Uint8Array;
}

export interface ReadBack {
  readonly tab: string;
  readonly take: EntryKey;
  readonly expectedSha256: string;
  readonly foundSha256: string | null;
  readonly match: boolean;
}

export interface DriverHalt {
  readonly kind: HaltKind;
  readonly tab?: string | undefined;
  readonly field?: string | undefined;
  readonly expectedSha256?: string | undefined;
  readonly foundSha256?: string | undefined;
  readonly detail: string;
}

export interface FillOutcome {
  readonly state: 'ready-to-submit' | 'halted';
  readonly halt?: DriverHalt | undefined;
  readonly draftId: string | null;
  /** At a halt: whether the draft was saved (the profile allows it) or the session abandoned. */
  readonly disposition?: 'draft-saved' | 'abandoned' | undefined;
  readonly readBack: readonly ReadBack[];
  readonly screenshots: readonly Screenshot[];
}

export type SubmitOutcome =
  | {
      readonly state: 'confirmed';
      readonly requestId: string;
      /** The confirmation text the pattern matched (its digest is journaled). */
      readonly confirmation: string;
      readonly screenshots: readonly Screenshot[];
    }
  | { readonly state: 'ambiguous'; readonly reason: string; readonly screenshots: readonly Screenshot[] };

export interface SearchRow {
  readonly requestId: string;
  readonly subject: string;
  readonly fingerprint: string;
  readonly state: string;
}

export interface PortalSessionPort {
  /** Logs in where asked, enters every tab, reads every field back; at a halt saves the draft or abandons. */
  fill(values: EntryValues): Promise<FillOutcome>;
  /** Saves the draft where the profile allows (a stop found after filling): its id, or null when abandoned. */
  saveDraft(): Promise<{ draftId: string | null; disposition: 'draft-saved' | 'abandoned' }>;
  /**
   * `beforeClick` is awaited before the submit click and, if it throws, nothing is clicked. After the
   * click only the profile's confirmation pattern with an id is `confirmed`; anything else is ambiguous.
   */
  submit(beforeClick: () => Promise<void>): Promise<SubmitOutcome>;
  /** Reconciliation: the portal's search page, read only (never submits). */
  search(query: string): Promise<{ rows: readonly SearchRow[]; screenshots: readonly Screenshot[] }>;
  /** Ends the session; `keepOpen` leaves a headed window for a person to take over. */
  close(opts?: { keepOpen?: boolean }): Promise<void>;
  /** Settles when the window is gone (a person closed it); absent: the session leaves no window. */
  closed?(): Promise<void>;
}

export interface PortalProfileRef {
  readonly name: string;
  readonly sha256: string;
  readonly title: string;
  /** The profile's keys: what it takes from the entry (a run enters these and nothing else). */
  readonly takes: readonly EntryKey[];
}

export interface PortalAdapter {
  /** The profile resources/portals/<name>.yaml, validated; PORTAL_PROFILE_INVALID naming the path otherwise. */
  profile(name: string): PortalProfileRef;
  /** Every profile this station knows. */
  profiles(): PortalProfileRef[];
  /** Walks the portal with the profile without typing or submitting; every mismatch in words. */
  probe(opts: {
    profile: PortalProfileRef;
    baseUrl: string;
    headless: boolean;
    credentials: (() => Promise<{ username: string; password: string }>) | null;
  }): Promise<{ ok: boolean; mismatches: string[] }>;
  /** The URL's origin when the profile's allowlist admits it; PORTAL_URL_NOT_ALLOWED otherwise. */
  admit(profile: PortalProfileRef, baseUrl: string): string;
  open(opts: {
    profile: PortalProfileRef;
    baseUrl: string;
    headless: boolean;
    credentials: (() => Promise<{ username: string; password: string }>) | null;
  }): Promise<PortalSessionPort>;
}
