import type { CoverageView } from '../../../shared/contract';

/** Signer coverage by shift: days down, shifts across; each cell says COVERED or SHORT with the count. */
export function CoverageGrid({ grid }: { grid: CoverageView }) {
  const dates = [...new Set(grid.cells.map((c) => c.date))];
  const shifts = [...new Set(grid.cells.map((c) => c.shift))];
  return (
    <table className="grid coverage" aria-label="Signer coverage by shift">
      <thead>
        <tr>
          <th scope="col">Day</th>
          {shifts.map((s) => (
            <th key={s} scope="col">
              {s}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {dates.map((d) => (
          <tr key={d}>
            <th scope="row">{d}</th>
            {shifts.map((s) => {
              const cell = grid.cells.find((c) => c.date === d && c.shift === s);
              if (!cell) return <td key={s} />;
              return (
                <td
                  key={s}
                  className={cell.covered ? 'cell-good' : 'cell-bad'}
                  title={cell.available.join(', ')}
                >
                  <strong>{cell.covered ? 'COVERED' : 'SHORT'}</strong> {cell.available.length}/
                  {grid.threshold}
                  <div className="muted">{cell.available.join(', ')}</div>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
