import { useEffect, useState } from 'react';
import type { Output } from '../../../shared/contract';
import { hexDigestWords } from '../../../shared/words';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { Digest } from '../../components/Digest';
import { refLabel, type Finding, type Focus, type RecordRef } from './model';

type Version = Output<'recordsShow'>['versions'][number];

/** The right-hand pane: the record behind a finding (provenance and every version), or a rule's findings. */
export function DetailPane(props: {
  focus: Focus;
  findings: readonly Finding[];
  titles: ReadonlyMap<string, string>;
  onFocus: (f: Focus) => void;
}) {
  const { focus } = props;
  if (!focus) return <p className="hint">Select a finding&apos;s check ID or record to see it here.</p>;
  if (focus.type === 'record') return <RecordDetail key={refLabel(focus.ref)} ref_={focus.ref} />;
  const mine = props.findings.filter((f) => f.checkId === focus.checkId);
  return (
    <>
      <h2>
        <code>{focus.checkId}</code>
      </h2>
      <p>{props.titles.get(focus.checkId) ?? 'This rule is not in the workflow’s rule list.'}</p>
      <h3>Found ({mine.length})</h3>
      <ul className="plain">
        {mine.map((f) => (
          <li key={`${f.subject}:${f.sentence}`}>
            <strong>{f.subject}</strong> <span className="muted">{f.category}</span>
            <div>{f.sentence}</div>
            {f.records.map((r) => (
              <div key={refLabel(r)}>
                <button
                  type="button"
                  className="link"
                  onClick={() => props.onFocus({ type: 'record', ref: r })}
                >
                  {refLabel(r)}
                </button>
              </div>
            ))}
          </li>
        ))}
      </ul>
    </>
  );
}

function RecordDetail({ ref_ }: { ref_: RecordRef }) {
  const api = useStation((s) => s.api);
  const [versions, setVersions] = useState<readonly Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.recordsShow(ref_).then((r) => {
      if (!live) return;
      if (r.ok) setVersions(r.value.versions);
      else setError(`${r.error.code}: ${r.error.message}`);
    });
    return () => {
      live = false;
    };
  }, [api, ref_]);
  const latest = versions?.[versions.length - 1];
  return (
    <>
      <h2>
        Record {ref_.recordId} <span className="muted">({ref_.family})</span>
      </h2>
      {error ? <p role="alert">{error}</p> : null}
      {latest ? (
        <>
          <section aria-label="Provenance">
            <h3>Provenance</h3>
            <dl className="facts">
              <dt>System</dt>
              <dd>{latest.provenance.system}</dd>
              <dt>Record id</dt>
              <dd>
                <code>{latest.provenance.recordId}</code>
              </dd>
              <dt>Exported at</dt>
              <dd>{latest.provenance.exportedAt}</dd>
              <dt>Origin</dt>
              <dd>
                {latest.provenance.firstHand ? (
                  <Badge word="FIRST-HAND" detail="made by this station" />
                ) : (
                  <Badge word="IMPORTED" detail={`import entry ${latest.importSeq}`} />
                )}
              </dd>
              <dt>Versions</dt>
              <dd>{versions?.length}</dd>
            </dl>
            <Digest
              hex={latest.provenance.fileSha256}
              words={hexDigestWords(latest.provenance.fileSha256)}
              label="File SHA-256"
            />
          </section>
          <h3>Content</h3>
          {[...(versions ?? [])].reverse().map((v, i) => (
            <details key={v.digest} open={i === 0}>
              <summary>
                {i === 0 ? 'Current version' : 'Earlier version'}: exported {v.provenance.exportedAt} (import
                entry {v.importSeq})
              </summary>
              <pre className="body">{JSON.stringify(v.content, null, 2)}</pre>
            </details>
          ))}
        </>
      ) : error ? null : (
        <p className="muted">Loading…</p>
      )}
    </>
  );
}
