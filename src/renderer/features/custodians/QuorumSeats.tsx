/**
 * Quorum state as a picture: one seat per custodian who may check in, filled when they have, with the
 * threshold marked — readable from two metres. The words beside it carry the same facts.
 */
export function QuorumSeats(props: {
  seats: readonly { custodianId: string; name: string }[];
  checkedIn: readonly string[];
  threshold: number;
}) {
  const r = 26;
  // Wide enough for a name under each seat.
  const gap = 56;
  const width = props.seats.length * (2 * r + gap) + gap;
  const reached = props.checkedIn.length >= props.threshold;
  // Every valid check-in counts and is shown, but the count against the threshold stops at it: never
  // "3 of 2 needed" — the ones beyond are said as extra.
  const counted = Math.min(props.checkedIn.length, props.threshold);
  const extra = props.checkedIn.length - counted;
  const beyond = extra > 0 ? ` (+${extra} more checked in)` : '';
  return (
    <figure
      className="seats"
      aria-label={`Quorum: ${counted} of ${props.threshold} needed${beyond}, ${props.seats.length} seats`}
    >
      <svg width={width} height={2 * r + 40} role="img" aria-hidden="true">
        {props.seats.map((s, i) => {
          const cx = gap + r + i * (2 * r + gap);
          const filled = props.checkedIn.includes(s.custodianId);
          return (
            <g key={s.custodianId}>
              <circle
                cx={cx}
                cy={r + 4}
                r={r}
                fill={filled ? (reached ? '#166534' : '#1e3a8a') : '#ffffff'}
                stroke="#111820"
                strokeWidth={3}
              />
              <text
                x={cx}
                y={r + 10}
                textAnchor="middle"
                fontSize="18"
                fontWeight="700"
                fill={filled ? '#ffffff' : '#111820'}
              >
                {filled ? '✓' : ''}
              </text>
              <text x={cx} y={2 * r + 30} textAnchor="middle" fontSize="13" fill="#111820">
                {s.name}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <strong>
          {counted} of {props.threshold}
        </strong>{' '}
        needed{beyond} · {reached ? 'quorum reached' : `${props.threshold - counted} more needed`} ·{' '}
        {props.seats.length} on the roster
      </figcaption>
    </figure>
  );
}
