import type { PacketView } from '../../../shared/contract';

type Evidence = PacketView['draft']['evidence'][number];

const DAY = 86_400_000;
const WIDTH = 640;
const LEFT = 190;
const ROW = 26;

/**
 * Certificate validity runway: one bar per certificate the evidence carries (notBefore → notAfter),
 * today, the requested deferral window (shaded) and the policy's rotation due date. A bar that ends
 * before the window does is drawn hatched red and named in words, never by colour alone.
 */
export function RunwayChart(props: {
  evidence: readonly Evidence[];
  subject: Readonly<Record<string, string>>;
  now: string;
}) {
  const certs = props.evidence.flatMap((e) =>
    e.certificates.map((c) => ({ ...c, evidenceId: e.evidenceId })),
  );
  const windowStart = Date.parse(props.subject.windowStart ?? '');
  const windowEnd = Date.parse(props.subject.windowEnd ?? '');
  const rotationDue = Date.parse(props.subject.rotationDue ?? '');
  const now = Date.parse(props.now);
  if (certs.length === 0 && Number.isNaN(windowEnd))
    return <p className="muted">No certificates in the evidence yet, and no requested window.</p>;

  const times = [
    now,
    ...certs.flatMap((c) => [Date.parse(c.notBefore), Date.parse(c.notAfter)]),
    ...[windowStart, windowEnd, rotationDue].filter((t) => !Number.isNaN(t)),
  ];
  const min = Math.min(...times) - 30 * DAY;
  const max = Math.max(...times) + 30 * DAY;
  const x = (t: number) => LEFT + ((t - min) / (max - min)) * (WIDTH - LEFT - 10);
  const height = 46 + certs.length * ROW;
  const short = certs.filter((c) => !Number.isNaN(windowEnd) && Date.parse(c.notAfter) < windowEnd);
  const years: number[] = [];
  for (let y = new Date(min).getUTCFullYear() + 1; Date.UTC(y, 0, 1) < max; y++) years.push(y);
  const label = `Validity runway: ${certs.length} certificate${certs.length === 1 ? '' : 's'}${
    Number.isNaN(windowEnd)
      ? ''
      : `, ${short.length} expire${short.length === 1 ? 's' : ''} before the window ends`
  }`;

  return (
    <figure className="runway" aria-label={label}>
      <figcaption>{label}</figcaption>
      <svg width={WIDTH} height={height} role="img" aria-hidden="true">
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
        {years.map((y) => (
          <g key={y}>
            <line x1={x(Date.UTC(y, 0, 1))} x2={x(Date.UTC(y, 0, 1))} y1={14} y2={height - 4} stroke="#ddd" />
            <text x={x(Date.UTC(y, 0, 1)) + 2} y={12} fontSize="11" fill="#555">
              {y}
            </text>
          </g>
        ))}
        {!Number.isNaN(windowStart) && !Number.isNaN(windowEnd) ? (
          <rect
            x={x(windowStart)}
            y={16}
            width={Math.max(2, x(windowEnd) - x(windowStart))}
            height={height - 20}
            fill="#fff3cd"
            stroke="#8a6100"
            strokeDasharray="4 2"
          />
        ) : null}
        {certs.map((c, i) => {
          const y = 24 + i * ROW;
          const bad = short.includes(c);
          return (
            <g key={`${c.evidenceId}-${c.sha256}`}>
              <text x={4} y={y + 13} fontSize="12">
                {c.subject.replace(/^CN=/, '').slice(0, 28)}
              </text>
              <rect
                x={x(Date.parse(c.notBefore))}
                y={y}
                width={Math.max(2, x(Date.parse(c.notAfter)) - x(Date.parse(c.notBefore)))}
                height={16}
                fill={bad ? 'url(#hatch)' : '#cfe8d5'}
                stroke={bad ? '#9b1c1c' : '#1e6b34'}
              />
              <text
                x={x(Date.parse(c.notAfter)) + 3}
                y={y + 12}
                fontSize="11"
                fill={bad ? '#9b1c1c' : '#1e6b34'}
              >
                {c.notAfter.slice(0, 10)}
                {bad ? ' EXPIRES IN WINDOW' : ''}
              </text>
            </g>
          );
        })}
        <line x1={x(now)} x2={x(now)} y1={14} y2={height - 4} stroke="#000" strokeWidth="2" />
        <text x={x(now) + 3} y={height - 6} fontSize="11">
          today
        </text>
        {!Number.isNaN(rotationDue) ? (
          <>
            <line
              x1={x(rotationDue)}
              x2={x(rotationDue)}
              y1={14}
              y2={height - 4}
              stroke="#1d4ed8"
              strokeWidth="2"
              strokeDasharray="6 3"
            />
            <text x={x(rotationDue) + 3} y={24} fontSize="11" fill="#1d4ed8">
              rotation due
            </text>
          </>
        ) : null}
      </svg>
      <ul className="plain" aria-label="Runway facts">
        {!Number.isNaN(windowEnd) ? (
          <li>
            Requested window {props.subject.windowStart?.slice(0, 10)} →{' '}
            {props.subject.windowEnd?.slice(0, 10)}
            {!Number.isNaN(rotationDue) ? `; rotation due ${props.subject.rotationDue?.slice(0, 10)}` : ''}
          </li>
        ) : null}
        {certs.map((c) => (
          <li key={`${c.evidenceId}-${c.sha256}`}>
            {c.subject} ({c.evidenceId}): valid {c.notBefore.slice(0, 10)} → {c.notAfter.slice(0, 10)}
            {short.includes(c) ? ' — expires before the window ends (DEF-RUNWAY)' : ''}
          </li>
        ))}
      </ul>
    </figure>
  );
}
