import type { Station } from '../../station/station';
import { liveRun } from './live';
import { quarantinedFor, signingRuns } from './runs';

/** One run as the CLI and the UI show it (the journal's counts; never greener than the journal). */
export interface SigningRunView {
  readonly runId: string;
  readonly state: 'open' | 'completed' | 'cancelled';
  readonly packetId: string;
  readonly version: number;
  readonly manifestSha256: string;
  readonly tokenSerial: string;
  readonly keyId: string;
  readonly quorumSessionId: string;
  readonly startedAt: string;
  readonly outDir: string;
  readonly total: number;
  readonly signed: number;
  readonly adopted: number;
  /** Intended (C_Sign may have run) but not counted: a resume adopts or signs them. */
  readonly inDoubt: number;
  readonly envelopeFile: string | null;
}

export interface SigningStatusView {
  readonly declarationId: string;
  readonly runs: readonly SigningRunView[];
  readonly quarantined: readonly {
    readonly runId: string | null;
    readonly artifact: string;
    readonly mediaSha256: string;
    readonly manifestSha256: string | null;
    readonly reason: 'off-manifest' | 'digest-differs';
  }[];
  /** What this process is doing for the declaration right now, or null. */
  readonly live: {
    readonly state: 'running' | 'done' | 'failed' | 'cancelled';
    readonly phase: string | null;
    readonly done: number;
    readonly total: number;
    readonly perSecond: number | null;
    readonly etaSeconds: number | null;
    readonly error: { readonly code: string; readonly message: string } | null;
  } | null;
}

export function signingStatus(
  station: Station,
  { declarationId }: { declarationId: string },
): SigningStatusView {
  const runs = signingRuns(station, declarationId).map((r): SigningRunView => {
    const b = r.started.body;
    const counted = new Set(r.signed.map((s) => s.artifact));
    return {
      runId: b.runId,
      state: r.state,
      packetId: b.packetId,
      version: b.version,
      manifestSha256: b.manifestSha256,
      tokenSerial: b.tokenSerial,
      keyId: b.keyId,
      quorumSessionId: r.attempt.quorumSessionId,
      startedAt: b.startedAt,
      outDir: b.outDir,
      total: b.artifacts.length,
      signed: counted.size,
      adopted: r.signed.filter((s) => s.adopted).length,
      inDoubt: new Set(r.intents.map((i) => i.artifact).filter((a) => !counted.has(a))).size,
      envelopeFile: r.completed?.envelopeFile ?? null,
    };
  });
  const l = liveRun(declarationId);
  return {
    declarationId,
    runs,
    quarantined: quarantinedFor(station, declarationId).map((q) => ({
      runId: q.runId,
      artifact: q.artifact,
      mediaSha256: q.mediaSha256,
      manifestSha256: q.manifestSha256,
      reason: q.reason,
    })),
    live: l
      ? {
          state: l.state,
          phase: l.progress?.phase ?? null,
          done: l.progress?.done ?? 0,
          total: l.progress?.total ?? 0,
          perSecond: l.progress?.perSecond ?? null,
          etaSeconds: l.progress?.etaSeconds ?? null,
          error: l.error,
        }
      : null,
  };
}
