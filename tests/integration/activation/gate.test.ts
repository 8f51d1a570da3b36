import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalSubjectName, PREDICATE_TYPES, STATEMENT_TYPE } from '../../../src/core/bundle/statement';
import { canonicalBytes } from '../../../src/core/canonical';
import { DEMO_GATE_PACKET } from '../../../src/main/demo/activation';
import { systemDeps } from '../../../src/main/runtime';
import {
  evaluateGate,
  gateLineage,
  gateView,
  openGateForSigning,
  recordGateVersion,
} from '../../../src/main/services/activation';
import { acceptApprovalBytes } from '../../../src/main/services/bundles/approvals';
import { importRecordsFile } from '../../../src/main/services/records';
import { journalEvents } from '../../../src/main/adapters/store/repos/events';
import { Station } from '../../../src/main/station/station';
import { stationCli } from '../../e2e/harness';
import { envelopeFor, forgeKey, sha256, type ForgeKey } from '../../helpers/bundle-forge';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The activation gate end to end on a real demo station (SQLite journal, SoftHSM2 token, the demo's
 * records imported through the normal path, the signing key read back first-hand): version 1 awaits the
 * named owner; an approval by anyone else of the same role does not open it; the owner's opens it; a
 * signer withdrawing (a record) makes the evaluation STALE, then a non-waivable HOLD no act clears; the
 * new version leaves the v1 approval invalidated; a record restoring the commitment and a third version
 * await a fresh approval; the lineage names exactly the shift that changed and the hold that opened and
 * cleared. (The exported bundle is recorded at the journal boundary here; bundle export and approval
 * import themselves are tested in tests/integration/bundles.)
 */
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
const ACTOR = 'operator:test';
const owner = forgeKey();
const other = forgeKey();
let bundle1 = '';

function trust(trustId: string, name: string, key: ForgeKey) {
  return {
    kind: 'trust.registered' as const,
    actor: ACTOR,
    body: {
      trustId,
      name,
      entryKind: 'reviewer' as const,
      roles: ['release-security-owner'],
      spki: key.spki.toString('base64'),
      fingerprint: key.fingerprint,
      algorithm: key.algorithm,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2099-06-01T00:00:00.000Z',
      registrationDigest: sha256(key.spki),
      confirmedBy: 'Security Officer',
    },
  };
}

/**
 * Records the export of a version as `bundle export` journals it: the bundle statement's digest, which is
 * not the packet version's digest (approvals sign the bundle's). Returns that digest.
 */
function exported(version: number): string {
  const digest = sha256(Buffer.from(`bundle statement of ${DEMO_GATE_PACKET} v${version}`));
  station.record([
    {
      kind: 'bundle.exported',
      actor: ACTOR,
      body: {
        bundleKind: 'packet',
        packetId: DEMO_GATE_PACKET,
        version,
        title: 'Offline-signing continuity activation gate',
        digest,
        fileSha256: sha256(Buffer.from(`file ${version}`)),
        fileName: `${DEMO_GATE_PACKET}-v${version}.bundle.zip`,
        volume: '/media/usb',
        sizeBytes: 4,
        files: [],
        requiredRoles: ['release-security-owner'],
        journalToSeq: 1,
        checkpoint: null,
      },
    },
  ]);
  return digest;
}

function approve(key: ForgeKey, name: string, version: number, digest: string, sequence: number) {
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: approvalSubjectName(DEMO_GATE_PACKET, version), digest: { sha256: digest } }],
    predicateType: PREDICATE_TYPES.approval,
    predicate: {
      packetId: DEMO_GATE_PACKET,
      packetVersion: version,
      packetDigest: digest,
      role: 'release-security-owner',
      decision: 'approve',
      comment: 'Ledger reviewed; activation approved for this version only.',
      expiresAt: '2099-01-01T00:00:00.000Z',
      sequence,
      reviewer: { name },
      signedAt: new Date().toISOString(),
    },
  };
  const bytes = Buffer.from(JSON.stringify(envelopeFor(Buffer.from(canonicalBytes(statement)), key)));
  return acceptApprovalBytes(station, bytes, ACTOR);
}

function commitment(status: 'committed' | 'withdrawn', recordedAt: string): string {
  const file = join(suite.dir, `commitment-${status}-${Date.now()}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      family: 'signer-commitment',
      familyVersion: 1,
      system: 'dual-custody-schedule',
      exportedAt: recordedAt,
      records: [
        {
          commitmentId: 'SC-004',
          shiftId: 'SH-1201-NIGHT',
          person: 'Dev Patel',
          role: 'release-signer',
          status,
          recordedAt,
        },
      ],
    }),
  );
  return file;
}

beforeAll(() => {
  suite = suiteTempDir();
  const dir = join(suite.dir, 'station');
  expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
  station = Station.open(dir, systemDeps);
  station.record([trust('dana', 'Dana Whitfield', owner), trust('eve', 'Eve Stand-in', other)]);
}, 120_000);
afterAll(() => {
  station?.close();
  suite?.remove();
});

describe('activation gate: versions, approvals, holds', () => {
  it('version 1 of the demo awaits the named owner; another holder of the role does not open it', () => {
    const g = gateView(station, DEMO_GATE_PACKET);
    expect(g.state).toBe('AWAITING-APPROVAL');
    expect(g.holds).toEqual([]);
    expect(g.quarantine.map((q) => q.subject)).toEqual(['STG-004']);
    expect(g.ledger?.lines.find((l) => l.area === 'enclave')?.facts.readFirstHand).toBe(true);
    expect(() => openGateForSigning(station, 'DECL-2026-0611')).toThrowError(
      expect.objectContaining({ code: 'GATE_NOT_OPEN' }),
    );
    bundle1 = exported(1);
    // Eve holds the role and writes the owner's name into her statement: the signature is hers.
    approve(other, 'Dana Whitfield', 1, bundle1, 1);
    const after = gateView(station, DEMO_GATE_PACKET);
    expect(after.state).toBe('AWAITING-APPROVAL');
    expect(after.approvals.map((a) => [a.reviewer, a.standing])).toEqual([['Eve Stand-in', 'not-the-owner']]);
    expect(after.approvals[0]?.why).toContain('the statement names Dana Whitfield');
  });

  it("the owner's approval of exactly this version opens it; the open gate names the manifest and key", () => {
    const v1 = gateView(station, DEMO_GATE_PACKET).versions[0]!;
    approve(owner, 'Dana Whitfield', 1, bundle1, 1);
    const g = gateView(station, DEMO_GATE_PACKET);
    expect(g.state).toBe('OPEN');
    const open = openGateForSigning(station, 'DECL-2026-0611');
    expect(open.version).toBe(1);
    expect(open.packetDigest).toBe(v1.digest);
    expect(open.manifest.artifacts.map((a) => a.artifact)).toEqual([
      'patchd-7.4.1-linux-amd64.tar.gz',
      'patchd-7.4.1-linux-arm64.tar.gz',
      'patchd-7.4.1.sbom.spdx.json',
    ]);
    expect(open.signingKey.keyId).toMatch(/^[0-9a-f]+$/);
  });

  it('a withdrawn signer: STALE, then a non-waivable HOLD; the new version invalidates the v1 approval', async () => {
    await importRecordsFile(station, {
      path: commitment('withdrawn', new Date().toISOString()),
      actor: ACTOR,
    });
    expect(gateView(station, DEMO_GATE_PACKET).state).toBe('STALE');
    expect(() => openGateForSigning(station, 'DECL-2026-0611')).toThrowError(
      expect.objectContaining({ code: 'GATE_NOT_OPEN' }),
    );
    const held = evaluateGate(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
    expect(held.state).toBe('HOLD');
    expect(held.holds.map((h) => `${h.checkId} ${h.subject} ${h.kind} ${h.waivable}`)).toEqual([
      'ACT-QUORUM-SHIFT SH-1201-NIGHT signer-quorum false',
    ]);
    const v2 = recordGateVersion(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
    expect(v2.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(v2.state).toBe('HOLD');
    expect(v2.approvals.filter((a) => a.reviewer === 'Dana Whitfield').map((a) => a.standing)).toEqual([
      'invalidated',
    ]);
  });

  it('a record restoring the commitment clears the hold; v3 awaits a fresh approval; the lineage says what moved', async () => {
    await importRecordsFile(station, {
      path: commitment('committed', new Date().toISOString()),
      actor: ACTOR,
    });
    const g = evaluateGate(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
    expect(g.state).toBe('VERSION-NEEDED');
    const v3 = recordGateVersion(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
    expect(v3.state).toBe('AWAITING-APPROVAL');
    const steps = gateLineage(station, DEMO_GATE_PACKET);
    expect(steps.map((s) => s.version)).toEqual([1, 2, 3]);
    expect(steps.every((s) => s.reproduced)).toBe(true);
    expect(steps[1]!.holdsOpened).toEqual(['ACT-QUORUM-SHIFT SH-1201-NIGHT']);
    const night = steps[1]!.changes.find((c) => c.area === 'signers' && c.item === 'SH-1201-NIGHT');
    expect(night?.facts.find((f) => f.fact === 'committed')).toEqual({
      fact: 'committed',
      before: 'Chiara Rossi, Dev Patel',
      after: 'Chiara Rossi',
    });
    expect(steps[2]!.holdsCleared).toEqual(['ACT-QUORUM-SHIFT SH-1201-NIGHT']);
    expect(steps[2]!.changes.filter((c) => c.area !== 'signers')).toEqual([]);
  });

  it('an approval whose key was revoked since speaks for nobody: the gate closes again', () => {
    const v3 = gateView(station, DEMO_GATE_PACKET).versions.at(-1)!;
    const bundle3 = exported(v3.version);
    approve(owner, 'Dana Whitfield', v3.version, bundle3, 2);
    expect(gateView(station, DEMO_GATE_PACKET).state).toBe('OPEN');
    station.record([
      { kind: 'trust.revoked', actor: ACTOR, body: { trustId: 'dana', reason: 'key reported lost' } },
    ]);
    const g = gateView(station, DEMO_GATE_PACKET);
    expect(g.state).toBe('AWAITING-APPROVAL');
    const latest = g.approvals.at(-1)!;
    expect([latest.version, latest.standing]).toEqual([v3.version, 'key-revoked']);
    expect(() => openGateForSigning(station, 'DECL-2026-0611')).toThrowError(
      expect.objectContaining({ code: 'GATE_NOT_OPEN' }),
    );
  });

  it('key material is bound: another key under the same name changes the ledger; a key the read no longer finds holds', () => {
    const reads = journalEvents(station.store.db, ['hsm.inventory-recorded']);
    const last = reads.filter((e) => e.body.keys.some((k) => k.label === 'patch-signing-2026')).at(-1)!;
    const before = evaluateGate(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
    // The same label and CKA_ID over other key material (a key deleted and generated again).
    const swapped = {
      ...last.body,
      keys: last.body.keys.map((k) =>
        k.label === 'patch-signing-2026' ? { ...k, spkiSha256: 'e'.repeat(64) } : k,
      ),
    };
    station.record([{ kind: 'hsm.inventory-recorded', actor: ACTOR, body: swapped }]);
    const after = evaluateGate(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
    expect(after.state).toBe('VERSION-NEEDED');
    expect(after.evaluation?.ledgerDigest).not.toBe(before.evaluation?.ledgerDigest);
    expect(after.ledger?.lines.find((l) => l.area === 'enclave')?.facts.spkiSha256).toBe('e'.repeat(64));
    // A read of the token that no longer finds the key: absent, never left standing as resident.
    station.record([{ kind: 'hsm.inventory-recorded', actor: ACTOR, body: { ...last.body, keys: [] } }]);
    const gone = evaluateGate(station, { packetId: DEMO_GATE_PACKET, actor: ACTOR });
    expect(gone.state).toBe('HOLD');
    expect(gone.holds.map((h) => `${h.checkId} ${h.category}`)).toContain('ACT-ENCLAVE disputed');
    expect(gone.holds.find((h) => h.checkId === 'ACT-ENCLAVE')?.sentence).toMatch(/absent/);
  });
});
