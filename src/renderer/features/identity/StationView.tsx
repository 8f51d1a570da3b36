import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { Digest } from '../../components/Digest';

/** Who this station is and what state its store is in. */
export function StationView() {
  const info = useStation((s) => s.info);
  if (!info) return <main className="main">Loading…</main>;
  return (
    <main className="main" aria-labelledby="station-title">
      <h1 id="station-title">Station</h1>
      <dl className="facts">
        <dt>Name</dt>
        <dd>
          {info.name} {info.demo ? <Badge word="DEMO" /> : null}
        </dd>
        <dt>Station id</dt>
        <dd>
          <code>{info.stationId}</code>
        </dd>
        <dt>Mode</dt>
        <dd>{info.mode.toUpperCase()}</dd>
        <dt>Created</dt>
        <dd>{info.createdAt}</dd>
        <dt>Shell</dt>
        <dd>{info.host === 'electron' ? 'Electron' : 'Browser-mode host (loopback, per-launch token)'}</dd>
        <dt>Database</dt>
        <dd>
          <code>{info.store.path}</code> · schema v{info.store.schemaVersion}{' '}
          {info.store.readOnly ? (
            <Badge word="READ-ONLY" detail={info.store.readOnlyReason ?? ''} />
          ) : (
            <Badge word="READY" detail="writable" />
          )}
        </dd>
      </dl>
      {info.identity ? (
        <Digest
          label="Station identity key fingerprint"
          hex={info.identity.fingerprint}
          words={info.identity.words}
        />
      ) : (
        <p>
          <Badge word="NOT CHECKED" detail="no identity key" /> This station has no identity key yet, so its
          journal checkpoints cannot be signed and the journal stays UNANCHORED.
        </p>
      )}
    </main>
  );
}
