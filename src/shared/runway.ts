/**
 * The certificate validity runway, laid out once for the screen (RunwayChart) and the printed packet
 * (adapters/print): one bar per certificate (notBefore → notAfter), the requested deferral window, the
 * rotation due date and "today" (or the print instant). Pure geometry in a fixed coordinate system
 * (a viewBox): the drawing scales with its pane, so whatever fits here fits at every width.
 *
 * Labels are never cut: a subject wraps onto as many lines as it needs in the left column, each bar's
 * end date sits on its own line under the bar and is kept inside the drawing, and every marker label
 * flips to the left of its line when the right edge is near. Text widths are estimated generously (a
 * wide sans-serif), so a label drawn narrower than estimated only leaves more room.
 */

export interface RunwayCertificate {
  /** Stable key (evidence id or record id plus serial). */
  readonly key: string;
  readonly subject: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Where the certificate was read: an evidence id, or the certificate inventory record. */
  readonly source: string;
  /** The inventory's status when the source says (valid / revoked / superseded); null from a file. */
  readonly status: string | null;
}

export interface RunwayInput {
  readonly certificates: readonly RunwayCertificate[];
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  readonly rotationDue: string | null;
  /** The instant the marker line stands for, and its word ("today", "printed"). */
  readonly now: string;
  readonly nowLabel: string;
}

export interface RunwayText {
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly anchor: 'start' | 'end';
  readonly size: number;
}

export interface RunwayRow {
  readonly certificate: RunwayCertificate;
  /** Expires before the requested window ends (DEF-RUNWAY's concern): drawn hatched and named in words. */
  readonly short: boolean;
  /** Not the key's runway (revoked, superseded): drawn outlined and named in words. */
  readonly inactive: boolean;
  readonly label: readonly RunwayText[];
  readonly bar: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly end: RunwayText;
}

export interface RunwayMarker {
  readonly x: number;
  readonly label: RunwayText;
}

export interface RunwayLayout {
  readonly width: number;
  readonly height: number;
  /** Top and bottom of the plot (where marker lines run). */
  readonly top: number;
  readonly bottom: number;
  readonly years: readonly RunwayMarker[];
  readonly window: { readonly x: number; readonly width: number; readonly label: RunwayText } | null;
  readonly rotation: RunwayMarker | null;
  readonly now: RunwayMarker;
  readonly rows: readonly RunwayRow[];
  /** How many certificates end before the window does. */
  readonly shortCount: number;
  /** One sentence for a screen reader or a caption. */
  readonly summary: string;
}

const DAY = 86_400_000;
export const RUNWAY_WIDTH = 600;
const LABEL_COLUMN = 160;
const LEFT = LABEL_COLUMN + 10;
const PAD = 6;
const LABEL_SIZE = 12;
const SMALL = 11;
const LINE = 14;
const BAR = 14;

/** A generous estimate of a text's width in a sans-serif face (DejaVu Sans is among the widest). */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) {
    if (ch === ' ') em += 0.34;
    else if (/[A-Z@MW]/.test(ch)) em += 0.76;
    else if (/[0-9]/.test(ch)) em += 0.66;
    else if (/[a-z]/.test(ch)) em += ch === 'm' || ch === 'w' ? 0.9 : 0.62;
    else em += 0.7;
  }
  return em * size;
}

/** Breaks a label into lines that each fit `max` wide: at spaces, commas and '=' first, else mid-word. */
export function wrapLabel(text: string, max: number, size: number): string[] {
  const tokens = text.split(/(?<=[\s,=])/).filter((t) => t !== '');
  const lines: string[] = [];
  let line = '';
  const push = () => {
    if (line.trim() !== '') lines.push(line.trimEnd());
    line = '';
  };
  for (const token of tokens) {
    if (textWidth(line + token.trimEnd(), size) <= max) {
      line += token;
      continue;
    }
    push();
    let rest = token;
    while (textWidth(rest.trimEnd(), size) > max) {
      let n = rest.length - 1;
      while (n > 1 && textWidth(rest.slice(0, n), size) > max) n--;
      lines.push(rest.slice(0, n));
      rest = rest.slice(n);
    }
    line = rest;
  }
  push();
  return lines.length ? lines : [''];
}

const parse = (v: string | null): number => (v ? Date.parse(v) : NaN);
const day = (v: string): string => v.slice(0, 10);

/** A label beside a vertical line: to its right, or to its left when the right edge is too near. */
function besideLine(
  x: number,
  y: number,
  text: string,
  size: number,
  right: number,
  left: number,
): RunwayText {
  const w = textWidth(text, size);
  if (x + 3 + w <= right) return { x: x + 3, y, text, anchor: 'start', size };
  return { x: Math.max(x - 3, left + w), y, text, anchor: 'end', size };
}

/** Null when there is nothing to draw: no certificate and no requested window. */
export function runwayLayout(input: RunwayInput): RunwayLayout | null {
  const windowStart = parse(input.windowStart);
  const windowEnd = parse(input.windowEnd);
  const rotationDue = parse(input.rotationDue);
  const now = parse(input.now);
  const certs = input.certificates.filter(
    (c) => !Number.isNaN(Date.parse(c.notBefore)) && !Number.isNaN(Date.parse(c.notAfter)),
  );
  if (certs.length === 0 && Number.isNaN(windowEnd)) return null;

  const times = [
    now,
    ...certs.flatMap((c) => [Date.parse(c.notBefore), Date.parse(c.notAfter)]),
    ...[windowStart, windowEnd, rotationDue].filter((t) => !Number.isNaN(t)),
  ];
  const min = Math.min(...times) - 30 * DAY;
  const max = Math.max(...times) + 30 * DAY;
  const right = RUNWAY_WIDTH - PAD;
  const x = (t: number) => LEFT + ((t - min) / (max - min)) * (right - LEFT);

  // Header band: years, then the rotation due date, then the window.
  const yearsY = 12;
  const rotationY = 26;
  const windowY = 40;
  const top = 16;
  let y = 48;

  const rows: RunwayRow[] = certs.map((c) => {
    const inactive = c.status !== null && c.status !== 'valid';
    const short = !inactive && !Number.isNaN(windowEnd) && Date.parse(c.notAfter) < windowEnd;
    const lines = wrapLabel(c.subject.replace(/^CN=/, ''), LABEL_COLUMN, LABEL_SIZE);
    const x0 = x(Date.parse(c.notBefore));
    const x1 = x(Date.parse(c.notAfter));
    const endText = `${day(c.notAfter)}${short ? ' EXPIRES IN WINDOW' : ''}${inactive ? ` ${String(c.status).toUpperCase()}` : ''}`;
    const endWidth = textWidth(endText, SMALL);
    const rowTop = y;
    const barY = rowTop + 2;
    const end: RunwayText = {
      // Right-aligned to the bar's end, pushed right when it would run into the label column.
      x: Math.min(right, Math.max(x1, LEFT + endWidth)),
      y: barY + BAR + SMALL + 1,
      text: endText,
      anchor: 'end',
      size: SMALL,
    };
    const label = lines.map((text, i) => ({
      x: 4,
      y: rowTop + LABEL_SIZE + i * LINE,
      text,
      anchor: 'start' as const,
      size: LABEL_SIZE,
    }));
    y = rowTop + Math.max(lines.length * LINE, BAR + SMALL + 4) + 8;
    return {
      certificate: c,
      short,
      inactive,
      label,
      bar: { x: x0, y: barY, width: Math.max(2, x1 - x0), height: BAR },
      end,
    };
  });
  const bottom = y + 2;
  const height = bottom + SMALL + 6;

  const years: RunwayMarker[] = [];
  let free = LEFT;
  for (let yr = new Date(min).getUTCFullYear() + 1; Date.UTC(yr, 0, 1) < max; yr++) {
    const xx = x(Date.UTC(yr, 0, 1));
    const label = besideLine(xx, yearsY, String(yr), SMALL, right, LEFT);
    const w = textWidth(label.text, SMALL);
    const start = label.anchor === 'start' ? label.x : label.x - w;
    // A year whose label would run into the previous one keeps its line and loses its label.
    years.push({ x: xx, label: start >= free ? label : { ...label, text: '' } });
    if (start >= free) free = start + w + 4;
  }
  const window =
    Number.isNaN(windowStart) || Number.isNaN(windowEnd)
      ? null
      : {
          x: x(windowStart),
          width: Math.max(2, x(windowEnd) - x(windowStart)),
          label: besideLine(
            x(windowStart),
            windowY,
            `deferral window ${day(input.windowStart ?? '')} → ${day(input.windowEnd ?? '')}`,
            SMALL,
            right,
            LEFT,
          ),
        };
  const rotation = Number.isNaN(rotationDue)
    ? null
    : {
        x: x(rotationDue),
        label: besideLine(
          x(rotationDue),
          rotationY,
          `rotation due ${day(input.rotationDue ?? '')}`,
          SMALL,
          right,
          LEFT,
        ),
      };
  const nowMarker = { x: x(now), label: besideLine(x(now), height - 5, input.nowLabel, SMALL, right, LEFT) };
  const shortCount = rows.filter((r) => r.short).length;
  const summary = `Validity runway: ${certs.length} certificate${certs.length === 1 ? '' : 's'}${
    Number.isNaN(windowEnd)
      ? ''
      : `, ${shortCount} expire${shortCount === 1 ? 's' : ''} before the window ends`
  }`;
  return {
    width: RUNWAY_WIDTH,
    height,
    top,
    bottom,
    years,
    window,
    rotation,
    now: nowMarker,
    rows,
    shortCount,
    summary,
  };
}
