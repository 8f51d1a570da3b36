import { Badge } from '../../components/Badge';
import { RecordLinks } from './RecordLinks';
import {
  factText,
  groupLines,
  LINE_WORD,
  shiftCoverage,
  stateCounts,
  type GateFocus,
  type GateHold,
  type Ledger,
  type LedgerLine,
} from './model';
import { ShiftTimeline } from './ShiftTimeline';

/**
 * The readiness ledger by area, each line READY / HOLD / QUARANTINED with its facts, the checks that judge
 * it and the records it rests on. The signers area draws the shift coverage of the signing window.
 */
export function LedgerPanel(props: {
  ledger: Ledger;
  holds: readonly GateHold[];
  onFocus: (f: GateFocus) => void;
}) {
  const { ledger } = props;
  const groups = groupLines(ledger.lines);
  return (
    <section className="module" aria-label="Readiness ledger">
      <h2>
        Readiness ledger — {ledger.declarationId}
        {ledger.trainId ? `, train ${ledger.trainId}` : ''}
      </h2>
      <p className="muted">
        {ledger.manifest
          ? `Manifest ${ledger.manifest.manifestId} v${ledger.manifest.manifestVersion}, ${ledger.manifest.artifacts.length} artifact(s)`
          : 'No frozen manifest in force'}
        {ledger.signingKey
          ? ` · signing key ${ledger.signingKey.keyId} on token ${ledger.signingKey.hsmSerial}`
          : ''}
        . Every line is derived from records; none is typed.
      </p>
      {groups.map((group) => (
        <section
          key={group.area}
          className="ledger-area"
          aria-label={`Ledger: ${group.label}`}
          data-area={group.area}
        >
          <h3>
            {group.label}{' '}
            <span className="ledger-counts">
              {stateCounts(group.lines).map((c) => (
                <Badge key={c.word} word={c.word} detail={String(c.count)} />
              ))}
            </span>
          </h3>
          {group.area === 'signers' ? <ShiftTimeline coverage={shiftCoverage(ledger, props.holds)} /> : null}
          {group.lines.length === 0 ? (
            <p className="muted">
              {group.area === 'quarantine'
                ? 'No candidate artifact outside the frozen manifest.'
                : 'No line: nothing in the records for this area.'}
            </p>
          ) : (
            <table className="grid ledger-lines" aria-label={`${group.label} lines`}>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">State</th>
                  <th scope="col">Facts and records</th>
                </tr>
              </thead>
              <tbody>
                {group.lines.map((l) => (
                  <LineRow key={l.item} line={l} onFocus={props.onFocus} />
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </section>
  );
}

function LineRow({ line, onFocus }: { line: LedgerLine; onFocus: (f: GateFocus) => void }) {
  return (
    <tr data-state={line.state}>
      <th scope="row">
        <code>{line.item}</code>
      </th>
      <td>
        <Badge word={LINE_WORD[line.state]} />
        <div className="ledger-checks">
          {line.checks.map((c) => (
            <button
              key={c}
              type="button"
              className="link"
              onClick={() => onFocus({ type: 'rule', checkId: c })}
            >
              {c}
            </button>
          ))}
        </div>
      </td>
      <td>
        <dl className="ledger-facts">
          {Object.entries(line.facts).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{factText(v, k)}</dd>
            </div>
          ))}
        </dl>
        <div className="ledger-records">
          <RecordLinks records={line.records} onFocus={onFocus} />
        </div>
      </td>
    </tr>
  );
}
