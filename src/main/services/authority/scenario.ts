import { createHash, generateKeyPairSync } from 'node:crypto';
import { softwareSigner } from '../bundles';
import type { Station } from '../../station/station';
import { recordRedirect } from './redirect';

/**
 * A redirect recorded by a scenario step (`station scenario run`, workflow compromise-authority). A
 * scenario runs on a throwaway station, so the person named in the step gets an ephemeral key and a
 * trust entry holding the step's role, recorded in that station's journal like any registration
 * (confirmed by `scenario`); the redirect is then the real act — signed, verified, refused or recorded
 * exactly as at a console. Never used on a real station: only the scenario runner calls it.
 */
const keys = new WeakMap<Station, Map<string, ReturnType<typeof softwareSigner>>>();

function signerFor(station: Station, by: string, role: string): ReturnType<typeof softwareSigner> {
  let mine = keys.get(station);
  if (!mine) keys.set(station, (mine = new Map()));
  const k = `${by}\u0000${role}`;
  const known = mine.get(k);
  if (known) return known;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = softwareSigner(privateKey);
  const slug = by
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24);
  station.record([
    {
      kind: 'trust.registered',
      actor: 'operator:scenario',
      body: {
        trustId: `s${mine.size + 1}-${slug || 'person'}`.slice(0, 40),
        name: by,
        entryKind: 'reviewer',
        roles: [role],
        spki: signer.info.spki.toString('base64'),
        fingerprint: signer.info.fingerprint,
        algorithm: signer.info.algorithm,
        validFrom: '2000-01-01T00:00:00.000Z',
        validUntil: '2100-01-01T00:00:00.000Z',
        registrationDigest: createHash('sha256').update(`scenario ephemeral key of ${by}`).digest('hex'),
        confirmedBy: 'scenario',
      },
    },
  ]);
  mine.set(k, signer);
  return signer;
}

export async function scenarioRedirect(
  station: Station,
  request: {
    incidentId: string;
    evaluationSeq: number;
    by: string;
    role: string;
    toLane: string;
    reason: string;
    actor: string;
  },
): Promise<{ computedLane: string | null; targetComputedStatus: string }> {
  const { by, role, ...rest } = request;
  const r = await recordRedirect(station, { ...rest, signer: signerFor(station, by, role) });
  return { computedLane: r.computedLane, targetComputedStatus: r.targetComputedStatus };
}
