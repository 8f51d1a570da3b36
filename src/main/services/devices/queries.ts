import type { RegisteredModule } from '../../station/hsm-registry';
import type { Station } from '../../station/station';
import { createHash } from 'node:crypto';
import { digestWords } from '../../../core/words';
import type { KeyView } from '../../../shared/contract';
import type { KeyInfo } from '../../adapters/hsm/module';
import { moduleRows } from '../../adapters/store/repos/devices';

const sha256hex = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');
export function registeredModules(station: Station): RegisteredModule[] {
  return moduleRows(station.store.db);
}

/** Which registration of a module the station follows, and the ones it does not. */
export interface ModuleRegistration {
  readonly registration: RegisteredModule | null;
  /** Seq of the `hsm.module-registered` event followed. */
  readonly seq: number | null;
  /** Later registrations of the station token's module, never followed (see moduleRegistration). */
  readonly ignored: readonly number[];
}

/** The station token's module id and the seq of `station.identity-created`, as the journal stores them. */
export function identityModule(station: Station): { moduleId: string; registeredBefore: number } | null {
  const first = station.journal.eventsOfKind('station.identity-created')[0];
  return first ? { moduleId: first.body.moduleId, registeredBefore: first.seq } : null;
}

/**
 * The registration a module is loaded from, as the journal stores it. The station token's module is
 * pinned (review 2, item 8): its latest registration recorded before `station.identity-created`. A later
 * registration of that id — refused by registerModule, so written only by an older station or by
 * someone with write access to the file, in the unsigned tail — is never followed: it could point the
 * station token's PIN, verification and every anchoring at another library. Any other module: its
 * latest registration.
 */
export function moduleRegistration(station: Station, moduleId: string): ModuleRegistration {
  const pinned = identityModule(station);
  const before = pinned?.moduleId === moduleId ? pinned.registeredBefore : Number.POSITIVE_INFINITY;
  let registration: RegisteredModule | null = null;
  let seq: number | null = null;
  const ignored: number[] = [];
  for (const { seq: at, body: r } of station.journal.eventsOfKind('hsm.module-registered')) {
    if (r.moduleId !== moduleId) continue;
    if (at < before) {
      registration = r;
      seq = at;
    } else ignored.push(at);
  }
  return { registration, seq, ignored };
}

/** The registration this module is loaded from (moduleRegistration). */
export function journalRegistration(station: Station, moduleId: string): RegisteredModule | null {
  return moduleRegistration(station, moduleId).registration;
}

export function keyView(k: KeyInfo): KeyView {
  const spkiSha256 = k.spki ? sha256hex(k.spki) : null;
  return {
    label: k.label,
    id: k.id,
    keyType: k.keyType,
    size: k.size,
    hasPrivate: k.hasPrivate,
    hasPublic: k.hasPublic,
    spkiSha256,
    spkiWords: spkiSha256 ? digestWords(Buffer.from(spkiSha256, 'hex')) : null,
    attributes: k.attributes ? { ...k.attributes } : null,
    residency: k.residency
      ? { verdict: k.residency.verdict, failed: [...k.residency.failed], unknown: [...k.residency.unknown] }
      : null,
  };
}

/** A key as journal evidence: the view without display words, the verdict by name. */
export function keyEvidence(k: KeyInfo) {
  const { spkiWords, residency, ...rest } = keyView(k);
  return { ...rest, residency: residency?.verdict ?? null, failedChecks: residency ? residency.failed : [] };
}
