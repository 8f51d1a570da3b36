import { Badge } from '../../components/Badge';
import { place, shortTime, ticks, type Coverage, type Shift } from './model';

/** The drawing's width in user units; it scales to the pane (text sits outside the SVG, in HTML). */
const W = 1000;
const BAR_H = 22;

/**
 * Signer coverage by shift (../shared/UI.md, "Pictures"): the signing window as a timeline, each shift a
 * bar placed where it falls in the window, coloured by whether its quorum is met — and labelled with its
 * word and "committed n of needed", so colour is never the only signal. Stretches no scheduled shift
 * covers are drawn hatched as NO SHIFT.
 */
export function ShiftTimeline({ coverage }: { coverage: Coverage }) {
  const { window, shifts, gaps } = coverage;
  if (!window)
    return (
      <p className="muted">No signing window: the declaration line names none, so no coverage is drawn.</p>
    );
  const x = (at: string) => (place(window, at) / 100) * W;
  const axis = ticks(window);
  const short = shifts.filter((s) => !s.met).length;
  return (
    <figure className="shift-timeline" aria-label="Shift coverage">
      <figcaption>
        Signing window {shortTime(window.from)} → {shortTime(window.until)}: {shifts.length} shift(s),{' '}
        {shifts.length - short} with quorum met, {short} short
        {gaps.length ? `, ${gaps.length} stretch(es) with no shift` : ''}.
      </figcaption>
      <ol className="shift-rows">
        {gaps.length > 0 ? (
          <li
            className="shift-row"
            aria-label={`No shift: ${gaps.map((g) => `${shortTime(g.from)} to ${shortTime(g.until)}`).join('; ')}`}
          >
            <div className="shift-label">
              <Badge word="NO SHIFT" /> <span className="muted">uncovered</span>
            </div>
            <svg
              className="shift-track"
              viewBox={`0 0 ${W} ${BAR_H}`}
              preserveAspectRatio="none"
              aria-hidden="true"
            >
              <rect className="shift-window" x={0} y={0} width={W} height={BAR_H} />
              {gaps.map((g) => (
                <rect
                  key={g.from}
                  className="shift-gap"
                  x={x(g.from)}
                  y={0}
                  width={Math.max(2, x(g.until) - x(g.from))}
                  height={BAR_H}
                />
              ))}
            </svg>
          </li>
        ) : null}
        {shifts.map((s) => (
          <ShiftRow key={s.shiftId} shift={s} x={x} />
        ))}
      </ol>
      <div className="shift-axis" aria-hidden="true">
        <span className="shift-axis-pad" />
        <div className="shift-axis-track">
          {axis.map((t) => (
            <span key={t} className="shift-tick" style={{ left: `${place(window, t)}%` }}>
              {tickLabel(t)}
            </span>
          ))}
        </div>
      </div>
    </figure>
  );
}

function ShiftRow({ shift: s, x }: { shift: Shift; x: (at: string) => number }) {
  const word = s.met ? 'COVERED' : 'SHORT';
  const count = `${s.committed.length} of ${s.needed}`;
  const from = x(s.from);
  const width = Math.max(2, x(s.until) - from);
  return (
    <li
      className="shift-row"
      data-met={s.met ? 'true' : 'false'}
      aria-label={`Shift ${s.shiftId} (${s.label}), ${shortTime(s.from)} to ${shortTime(s.until)}: ${word}, committed ${count} ${s.role}`}
      title={`${s.committed.length ? `committed: ${s.committed.join(', ')}` : 'nobody committed'}${s.notCounted.length ? `; not counted: ${s.notCounted.join('; ')}` : ''}`}
    >
      <div className="shift-label">
        <Badge word={word} detail={count} /> <span className="shift-name">{s.label}</span>
      </div>
      <svg
        className="shift-track"
        viewBox={`0 0 ${W} ${BAR_H}`}
        preserveAspectRatio="none"
        aria-hidden="true"
      >
        <rect className="shift-window" x={0} y={0} width={W} height={BAR_H} />
        <rect
          className={s.met ? 'shift-bar-met' : 'shift-bar-short'}
          x={from}
          y={2}
          width={width}
          height={BAR_H - 4}
        />
        {/* The quorum's seats inside the bar: filled for a committed signer, hollow for a missing one. */}
        {Array.from({ length: Math.max(s.needed, s.committed.length) }, (_, i) => (
          <rect
            key={i}
            className={i < s.committed.length ? 'shift-seat-filled' : 'shift-seat-empty'}
            x={from + 6 + i * 14}
            y={7}
            width={10}
            height={BAR_H - 14}
          />
        ))}
      </svg>
    </li>
  );
}

/** "06:00" for a tick inside a day, "06-12" (month-day) at midnight. */
function tickLabel(iso: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(iso);
  if (!m) return iso;
  return m[3] === '00:00' ? `${m[1]}-${m[2]}` : (m[3] ?? '');
}
