import { describe, expect, it } from 'vitest';
import { runwayLayout, textWidth, wrapLabel, type RunwayCertificate, type RunwayText } from './runway';

const cert = (
  subject: string,
  notBefore: string,
  notAfter: string,
  status: string | null = null,
): RunwayCertificate => ({
  key: subject,
  subject,
  serial: '01',
  notBefore,
  notAfter,
  source: 'ev-1',
  status,
});

/** The horizontal extent a label takes, by the same generous estimate the layout uses. */
const extent = (t: RunwayText) => {
  const w = textWidth(t.text, t.size);
  return t.anchor === 'start' ? [t.x, t.x + w] : [t.x - w, t.x];
};

describe('runwayLayout', () => {
  const layout = runwayLayout({
    certificates: [
      cert(
        'CN=Release Signing Intermediate 2024 Extended Validation Subordinate Authority',
        '2024-12-16',
        '2036-12-16',
      ),
      cert('CN=svc-short', '2026-01-01', '2027-01-19'),
      cert('CN=old', '2022-12-01', '2025-12-01', 'superseded'),
    ],
    windowStart: '2026-12-15',
    windowEnd: '2027-02-28',
    rotationDue: '2036-12-01',
    now: '2026-12-07T00:00:00.000Z',
    nowLabel: 'today',
  })!;

  it('keeps every label inside the drawing, the last bar’s end date and a marker at the right edge included', () => {
    const labels = [
      ...layout.rows.flatMap((r) => [...r.label, r.end]),
      ...layout.years.map((y) => y.label),
      layout.now.label,
      layout.rotation!.label,
      layout.window!.label,
    ].filter((t) => t.text !== '');
    for (const t of labels) {
      const [from, to] = extent(t);
      expect(from, t.text).toBeGreaterThanOrEqual(0);
      expect(to, t.text).toBeLessThanOrEqual(layout.width);
      expect(t.y, t.text).toBeLessThanOrEqual(layout.height);
    }
    // The rotation marker sits near the right edge: its label flips to the left of the line.
    expect(layout.rotation!.label.anchor).toBe('end');
  });

  it('wraps a long subject instead of cutting it, and names a short or inactive certificate in words', () => {
    const [long, short, old] = layout.rows;
    expect(long!.label.length).toBeGreaterThan(1);
    expect(long!.label.map((t) => t.text).join(' ')).toBe(
      'Release Signing Intermediate 2024 Extended Validation Subordinate Authority',
    );
    expect(short!.short).toBe(true);
    expect(short!.end.text).toBe('2027-01-19 EXPIRES IN WINDOW');
    expect(old!.inactive).toBe(true);
    expect(old!.short).toBe(false);
    expect(old!.end.text).toBe('2025-12-01 SUPERSEDED');
    expect(layout.summary).toBe('Validity runway: 3 certificates, 1 expires before the window ends');
    // Rows never overlap: each starts below the previous one's end label.
    for (let i = 1; i < layout.rows.length; i++)
      expect(layout.rows[i]!.bar.y).toBeGreaterThan(layout.rows[i - 1]!.end.y);
  });

  it('draws nothing without a certificate or a window', () => {
    expect(
      runwayLayout({
        certificates: [],
        windowStart: null,
        windowEnd: null,
        rotationDue: null,
        now: '2026-01-01',
        nowLabel: 'today',
      }),
    ).toBeNull();
  });

  it('wrapLabel breaks a word longer than a line rather than letting it run over', () => {
    const lines = wrapLabel('x'.repeat(80), 100, 12);
    expect(lines.join('')).toBe('x'.repeat(80));
    for (const l of lines) expect(textWidth(l, 12)).toBeLessThanOrEqual(100);
  });
});
