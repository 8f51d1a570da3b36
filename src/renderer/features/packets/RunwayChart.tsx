import type { PacketView } from '../../../shared/contract';
import { runwayLayout, type RunwayText } from '../../../shared/runway';

/**
 * Certificate validity runway: one bar per certificate the evidence carries (notBefore → notAfter),
 * today, the requested deferral window (shaded) and the policy's rotation due date. A bar that ends
 * before the window does is drawn hatched red and named in words, never by colour alone. The layout is
 * shared with the printed packet (src/shared/runway.ts); the SVG scales with its pane (viewBox, width
 * 100%), so no label is cut at any width.
 */
export function RunwayChart(props: { runway: PacketView['runway']; now: string }) {
  const { from, ...input } = props.runway;
  const layout = runwayLayout({ ...input, now: props.now, nowLabel: 'today' });
  if (!layout) return <p className="muted">No certificates and no requested window to draw ({from}).</p>;
  const { width, height, top, bottom } = layout;

  return (
    <figure className="runway" aria-label={layout.summary}>
      <figcaption>{layout.summary}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
        style={{ maxWidth: `${width * 1.5}px`, display: 'block' }}
        role="img"
        aria-hidden="true"
        data-testid="runway-svg"
      >
        <defs>
          <pattern
            id="hatch"
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <rect width="6" height="6" fill="#f6d5d5" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="#9b1c1c" strokeWidth="3" />
          </pattern>
        </defs>
        {layout.years.map((m) => (
          <g key={m.x}>
            <line x1={m.x} x2={m.x} y1={top} y2={bottom} stroke="#ddd" />
            {m.label.text ? <Label t={m.label} fill="#555" /> : null}
          </g>
        ))}
        {layout.window ? (
          <>
            <rect
              x={layout.window.x}
              y={top + 30}
              width={layout.window.width}
              height={bottom - top - 30}
              fill="#fff3cd"
              stroke="#8a6100"
              strokeDasharray="4 2"
            />
            <Label t={layout.window.label} fill="#6b4b00" />
          </>
        ) : null}
        {layout.rows.map((r) => {
          const tone = r.short ? '#9b1c1c' : r.inactive ? '#555' : '#1e6b34';
          return (
            <g key={r.certificate.key}>
              {r.label.map((t, i) => (
                <Label key={i} t={t} />
              ))}
              <rect
                {...r.bar}
                fill={r.short ? 'url(#hatch)' : r.inactive ? '#fff' : '#cfe8d5'}
                stroke={tone}
                strokeDasharray={r.inactive ? '3 2' : undefined}
              />
              <Label t={r.end} fill={tone} />
            </g>
          );
        })}
        <line x1={layout.now.x} x2={layout.now.x} y1={top} y2={bottom} stroke="#000" strokeWidth="2" />
        <Label t={layout.now.label} />
        {layout.rotation ? (
          <>
            <line
              x1={layout.rotation.x}
              x2={layout.rotation.x}
              y1={top}
              y2={bottom}
              stroke="#1d4ed8"
              strokeWidth="2"
              strokeDasharray="6 3"
            />
            <Label t={layout.rotation.label} fill="#1d4ed8" />
          </>
        ) : null}
      </svg>
      <p className="muted">{from}.</p>
      <ul className="plain" aria-label="Runway facts">
        {input.windowEnd ? (
          <li>
            Requested window {input.windowStart?.slice(0, 10)} → {input.windowEnd.slice(0, 10)}
            {input.rotationDue ? `; rotation due ${input.rotationDue.slice(0, 10)}` : ''}
          </li>
        ) : null}
        {layout.rows.map((r) => (
          <li key={r.certificate.key}>
            {r.certificate.subject} ({r.certificate.source}): valid {r.certificate.notBefore.slice(0, 10)} →{' '}
            {r.certificate.notAfter.slice(0, 10)}
            {r.short ? ' — expires before the window ends (DEF-RUNWAY)' : ''}
          </li>
        ))}
      </ul>
    </figure>
  );
}

function Label({ t, fill }: { t: RunwayText; fill?: string }) {
  return (
    <text
      x={t.x}
      y={t.y}
      fontSize={t.size}
      textAnchor={t.anchor}
      fill={fill}
      className="runway-label"
      fontFamily="'DejaVu Sans', sans-serif"
    >
      {t.text}
    </text>
  );
}
