import { controlText, PortalRun, type Halt, type OpenPortalOptions, type Screenshot } from './driver';
import type { PortalProfile } from './profile';

/**
 * Probe: walks a portal as its profile describes it — signs in, opens every tab and the review — and
 * reports every locator that is missing or whose label differs, every control the profile does not
 * name, and the halts shown. It types nothing and never clicks submit; it moves between tabs by their
 * paths where the profile gives them (plain page loads), else with each tab's `next` (which posts the
 * tab's form as the portal shows it, empty). Opening the start page may create an empty draft.
 */

export interface ProbeMismatch {
  readonly tab: string;
  readonly locator: string;
  readonly expectedLabel: string;
  /** What is there instead: the label found, `(missing)`, `(hidden)`, `N elements`, or the path. */
  readonly found: string;
}

export interface ProbeResult {
  /** True only when every locator and label matched, no unknown control showed and nothing halted. */
  readonly ok: boolean;
  readonly mismatches: readonly ProbeMismatch[];
  readonly halts: readonly Halt[];
  readonly screenshots: readonly Screenshot[];
  readonly blocked: readonly string[];
}

/** Halts after which the walk cannot go on (the page is not the portal's wizard any more). */
const STOPPING = new Set<Halt['kind']>([
  'login-required',
  'session-expired',
  'navigation-blocked',
  'error-page',
  'timeout',
]);

export async function probe(
  profile: PortalProfile,
  baseUrl: string,
  opts: Omit<OpenPortalOptions, 'profile' | 'baseUrl'> = {},
): Promise<ProbeResult> {
  const run = await PortalRun.open({ ...opts, profile, baseUrl });
  const mismatches: ProbeMismatch[] = [];
  const halts: Halt[] = [];
  /** Records a halt; true when the walk must stop. */
  const halted = (h: Halt | null): boolean => {
    if (!h) return false;
    halts.push(h);
    return STOPPING.has(h.kind);
  };
  try {
    await walk();
  } finally {
    await run.close();
  }
  return {
    ok: mismatches.length === 0 && halts.length === 0,
    mismatches,
    halts,
    screenshots: run.screenshots,
    blocked: run.blocked,
  };

  async function walk(): Promise<void> {
    if (halted((await run.goto(run.url(profile.start))) ?? (await run.signIn()))) return;
    for (const [i, tab] of profile.tabs.entries()) {
      if (halted(await run.pageHalt(tab.id))) return;
      const at = run.tabPathHalt(tab.id, tab.path);
      if (at)
        mismatches.push({
          tab: tab.id,
          locator: '(path)',
          expectedLabel: tab.path ?? '',
          found: at.found ?? '',
        });
      for (const f of tab.fields) {
        const c = await run.fieldControl(tab.id, f);
        if ('kind' in c) {
          mismatches.push({
            tab: tab.id,
            locator: f.locator,
            expectedLabel: f.label,
            found: c.found ?? c.detail,
          });
          continue;
        }
        const label = run.labelHalt(tab.id, f, c.state);
        if (label)
          mismatches.push({
            tab: tab.id,
            locator: f.locator,
            expectedLabel: f.label,
            found: label.found ?? '',
          });
        const offered = c.state.options.flatMap((o) => [o.value, o.label]);
        const absent = (f.options ?? []).filter((o) => !offered.includes(o));
        if (absent.length) {
          mismatches.push({
            tab: tab.id,
            locator: f.locator,
            expectedLabel: f.label,
            found: `options without ${absent.join(', ')}`,
          });
        }
      }
      for (const x of await run.unexpectedControls(tab)) {
        mismatches.push({
          tab: tab.id,
          locator: x.what,
          expectedLabel: '(not in the profile)',
          found: x.label,
        });
      }
      const controls = [tab.next, ...(profile.saveDraft ? [profile.saveDraft.control] : [])];
      for (const c of controls) {
        if ((await run.page.locator(c).count()) !== 1) {
          mismatches.push({ tab: tab.id, locator: c, expectedLabel: '(a control)', found: '(missing)' });
        }
      }
      await run.screenshot(`probe-${tab.id}`);
      const following = profile.tabs[i + 1]?.path ?? profile.review.path;
      const move =
        following && run.draftId
          ? await run.goto(run.url(following, { draft: run.draftId }))
          : await run.clickAndLoad(run.page.locator(tab.next));
      if (halted(move)) return;
    }
    await probeReview();
  }

  async function probeReview(): Promise<void> {
    if (halted(await run.pageHalt('review'))) return;
    const at = run.tabPathHalt('review', profile.review.path);
    if (at)
      mismatches.push({
        tab: 'review',
        locator: '(path)',
        expectedLabel: profile.review.path ?? '',
        found: at.found ?? '',
      });
    if ((await run.page.locator(profile.review.values).count()) === 0) {
      mismatches.push({
        tab: 'review',
        locator: profile.review.values,
        expectedLabel: '(summary entries)',
        found: '(missing)',
      });
    }
    const submit = run.page.locator(profile.submit.control);
    const n = await submit.count();
    const text = n === 1 ? await controlText(submit) : '';
    if (n !== 1 || text !== profile.submit.label) {
      mismatches.push({
        tab: 'review',
        locator: profile.submit.control,
        expectedLabel: profile.submit.label,
        found: n === 1 ? text : n === 0 ? '(missing)' : `${n} elements`,
      });
    }
    await run.screenshot('probe-review');
  }
}
