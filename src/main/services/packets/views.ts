import { journalTime } from '../../../core/journal/events';
import { freshness } from '../../../core/packet/checks';
import { digestWords } from '../../../core/words';
import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { evaluationStatus } from '../findings';
import { derivedPacket } from './derived';
import { runwayOf } from './print';
import { checkDraft, handoffs, packetDraft, packetVersions, type PacketVersion } from './packets';

/**
 * What the UI shows of one packet, built once here so `station packet show` prints the same facts
 * (src/shared/contract/packets.ts).
 */

/** A recorded version as listed: its digest and words, parent, gate and failed checks (no content). */
export function packetVersionView({ content: _content, ...v }: PacketVersion): View<'packetRecordVersion'> {
  return { ...v, words: digestWords(Buffer.from(v.digest, 'hex')) };
}

/**
 * One packet: its draft, completeness now (a packet with an open stop is STOPPED), its stops, versions
 * and handoffs, each evidence item's freshness now under its own rule (PKT-EVIDENCE-FRESH), and for a
 * derived packet its latest evaluation, outcome, register and claim statuses (`derived`).
 */
export function packetView(station: Station, input: { packetId: string }): View<'packetGet'> {
  const { stopped, ...completeness } = checkDraft(station, input.packetId);
  const draft = packetDraft(station, input.packetId);
  const now = journalTime(station.deps.clock());
  return {
    draft,
    completeness,
    stops: stopped,
    versions: packetVersions(station, input.packetId).map(packetVersionView),
    handoffs: handoffs(station, input.packetId).map((h) => {
      if (!h.evaluation) return h;
      const e = evaluationStatus(station, { seq: h.evaluation.seq });
      return {
        ...h,
        basis:
          e.status === 'FRESH'
            ? { status: 'FRESH' as const, sentence: `the facts it was decided on stand (${e.sentence})` }
            : {
                status: 'STALE-BASIS' as const,
                sentence: `the facts it was decided on changed since (${e.sentence}): do not rely on it; hand off a new version`,
              },
      };
    }),
    freshness: Object.fromEntries(draft.evidence.map((e) => [e.evidenceId, freshness(e, now)])),
    derived: derivedPacket(station, draft),
    runway: runwayOf(station, draft),
  };
}
