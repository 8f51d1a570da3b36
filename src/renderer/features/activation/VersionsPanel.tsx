import { hexDigestWords } from '../../../shared/words';
import { Badge } from '../../components/Badge';
import { Digest } from '../../components/Digest';
import { decisionWord, shortTime, STANDING_WORD, type GateView } from './model';

/**
 * The packet's versions — each binding one evaluation's ledger by digest, the newest current — and every
 * approval given on any of them with its standing: only a valid approval of the current version by the
 * named owner in the policy's role counts; the others say why not (invalidated by a newer version,
 * expired, not the owner, wrong role).
 */
export function VersionsPanel({ gate: g }: { gate: GateView }) {
  const current = g.versions.find((v) => v.current) ?? null;
  return (
    <>
      <section className="module" aria-label="Versions">
        <h2>Versions ({g.versions.length})</h2>
        {g.versions.length === 0 ? (
          <p className="muted">No version recorded yet.</p>
        ) : (
          <table className="grid" aria-label="Packet versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Packet digest</th>
                <th scope="col">Ledger digest</th>
                <th scope="col">Evaluation</th>
                <th scope="col">Recorded</th>
              </tr>
            </thead>
            <tbody>
              {[...g.versions].reverse().map((v) => (
                <tr key={v.version} className={v.current ? 'selected' : undefined}>
                  <th scope="row">
                    {v.version} {v.current ? <Badge word="CURRENT" /> : <Badge word="SUPERSEDED" />}
                  </th>
                  <td>
                    <code className="hash">{v.digest}</code>
                  </td>
                  <td>
                    <code className="hash">{v.ledgerDigest ?? 'none bound'}</code>
                  </td>
                  <td>{v.evaluationSeq === null ? '—' : `#${v.evaluationSeq}`}</td>
                  <td>{shortTime(v.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {current ? (
          <Digest
            label={`Version ${current.version} digest (what the approval owner signs)`}
            hex={current.digest}
            words={hexDigestWords(current.digest)}
          />
        ) : null}
      </section>
      <section className="module" aria-label="Approvals">
        <h2>Approvals ({g.approvals.length})</h2>
        <p className="muted">
          The gate opens only on a valid approval by {g.approvalOwner ?? 'the named owner'} ({g.approvalRole})
          of the current version.
        </p>
        {g.approvals.length === 0 ? (
          <p className="muted">No approval imported for any version.</p>
        ) : (
          <table className="grid" aria-label="Approvals of the versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Reviewer</th>
                <th scope="col">Decision</th>
                <th scope="col">Standing</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {g.approvals.map((a) => (
                <tr key={a.seq} data-standing={a.standing}>
                  <th scope="row">{a.version}</th>
                  <td>
                    {a.reviewer} <span className="muted">({a.role})</span>
                  </td>
                  <td>
                    <Badge word={decisionWord(a.decision)} />
                  </td>
                  <td>
                    <Badge word={STANDING_WORD[a.standing]} />
                    <div>{a.why}</div>
                  </td>
                  <td>{shortTime(a.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
