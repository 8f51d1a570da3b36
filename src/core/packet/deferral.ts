import { isoTime } from '../schema';
import type { PacketContent } from './model';

/**
 * Rules particular to a key-rotation deferral packet (the subject names the key, the requested window
 * and the policy's rotation due date). They describe the request; they never weigh whether to grant it.
 *
 *   DEF-WINDOW   the requested window is stated, starts before it ends, and is no longer than the
 *                policy's maximum deferral
 *   DEF-RUNWAY   every certificate the packet's evidence carries stays valid through the window's end
 */
export interface DeferralPolicy {
  readonly maxDeferralDays: number;
}

export interface DeferralFinding {
  readonly id: 'DEF-WINDOW' | 'DEF-RUNWAY';
  readonly finding: string;
  readonly ref: string;
}

const DAY_MS = 86_400_000;
const real = (v: string | undefined): v is string => v !== undefined && isoTime.safeParse(v).success;

export function deferralWindow(p: PacketContent): { start: string; end: string } | null {
  const { windowStart: start, windowEnd: end } = p.subject;
  return real(start) && real(end) ? { start, end } : null;
}

export function deferralFindings(p: PacketContent, policy: DeferralPolicy): DeferralFinding[] {
  const out: DeferralFinding[] = [];
  const w = deferralWindow(p);
  if (!w) {
    out.push({
      id: 'DEF-WINDOW',
      finding: 'the requested window (windowStart, windowEnd as ISO times) is not stated',
      ref: 'subject',
    });
  } else {
    const days = Math.ceil((Date.parse(w.end) - Date.parse(w.start)) / DAY_MS);
    // The deferral is how long the rotation happens after it was due (when the due date is stated).
    const due = real(p.subject.rotationDue) ? p.subject.rotationDue : null;
    const deferred = due ? Math.ceil((Date.parse(w.end) - Date.parse(due)) / DAY_MS) : days;
    if (days <= 0)
      out.push({
        id: 'DEF-WINDOW',
        finding: `the window ends (${w.end}) before it starts (${w.start})`,
        ref: 'subject',
      });
    else if (deferred > policy.maxDeferralDays)
      out.push({
        id: 'DEF-WINDOW',
        finding: due
          ? `the window ends ${deferred} days after the rotation was due (${due.slice(0, 10)}); the policy allows at most ${policy.maxDeferralDays}`
          : `the window is ${days} days; the policy allows at most ${policy.maxDeferralDays}`,
        ref: 'subject',
      });
    for (const e of p.evidence)
      for (const c of e.certificates)
        if (c.notAfter < w.end)
          out.push({
            id: 'DEF-RUNWAY',
            finding: `${c.subject} (in ${e.evidenceId}) expires ${c.notAfter.slice(0, 10)}, before the window ends ${w.end.slice(0, 10)}`,
            ref: e.evidenceId,
          });
  }
  return out;
}
