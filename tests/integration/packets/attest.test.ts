import { createPublicKey, verify } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pae } from '../../../src/core/bundle/dsse';
import { demoSuite, registerTrust, stationCli } from '../../e2e/harness';

/**
 * Custody attestation (workflow B) from the command line on the demo station: the control library
 * evaluated against first-hand data catches the planted gaps; the owner's decision is signed with the
 * owner's own key, verified against the trust store, and journaled — never signed by the station.
 */
let suite: ReturnType<typeof demoSuite>;
let dir: string;
let media: string;
let env: Record<string, string>;
const P = 'attest-release-2026-q4';
const PASS = 'correct horse battery staple\n';

const cli = (args: string[], input?: string) => stationCli([...args, '--data-dir', dir], input, env);
const journal = () =>
  stationCli(['journal', 'export', '--data-dir', dir], undefined, env)
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; body: string; seq: number });

beforeAll(() => {
  suite = demoSuite();
  ({ dir, media, env } = suite);
});
afterAll(() => suite?.remove());

describe('attest evaluate', () => {
  it('catches the temporary operator, the inspection before the media replacement and the uncovered hotfix path; recommends remediation', () => {
    const r = cli(['attest', 'evaluate', P, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const e = JSON.parse(r.stdout) as {
      recommendation: string;
      because: string[];
      seq: number;
      requirements: {
        id: string;
        status: string;
        findings: { kind: string; text: string; refs: string[] }[];
      }[];
    };
    const by = Object.fromEntries(e.requirements.map((x) => [x.id, x]));
    expect(by['ATT-HSM-BACKED']!.status).toBe('satisfied');
    expect(by['ATT-ROSTER-MATCH']!.findings[0]).toMatchObject({
      kind: 'mismatch',
      text: expect.stringMatching(/names operator "Tom Temp", who is not on the approved roster/),
      refs: ['evidence:ev-ceremony-log'],
    });
    const escrow = by['ATT-ESCROW-FRESH']!.findings.find((f) => f.kind === 'stale')!;
    expect(escrow.text).toMatch(/backup-token-b: .*predates the media replacement/);
    expect(escrow.refs[0]).toBe('custody:backup-token-b');
    expect(by['ATT-EXCEPTION-SCOPE']!.findings).toContainEqual(
      expect.objectContaining({
        kind: 'escalation',
        text: expect.stringMatching(/hotfix-signing .* not in the approved exception scope/),
      }),
    );
    expect(e.recommendation).toBe('remediate');
    expect(e.because.some((b) => b.startsWith('ATT-ROSTER-MATCH (mismatch)'))).toBe(true);
    // Journaled, with what it read.
    const entry = journal().find((j) => j.seq === e.seq)!;
    expect(entry.kind).toBe('attestation.evaluated');
    expect(JSON.parse(entry.body)).toMatchObject({
      packetId: P,
      recommendation: 'remediate',
      inputs: {
        evidence: expect.arrayContaining([expect.objectContaining({ evidenceId: 'ev-ceremony-log' })]),
      },
    });
    // Each requirement is a claim of the packet, linked to its records; the packet holds.
    const draft = (
      JSON.parse(cli(['packet', 'show', P, '--json']).stdout) as {
        draft: {
          claims: { claimId: string; status: string; evidence: string[] }[];
        };
      }
    ).draft;
    expect(draft.claims.find((c) => c.claimId === 'att-roster-match')).toMatchObject({
      status: 'disputed',
      evidence: ['ev-ceremony-log'],
    });
    expect(draft.claims.find((c) => c.claimId === 'att-hsm-backed')!.status).toBe('supported');
    expect(cli(['packet', 'check', P]).stdout).toMatch(/gate HOLD-SOURCE/);
  });

  it('refuses a packet of another kind, and a record that declares a schema it does not follow', () => {
    const other = cli(['attest', 'evaluate', 'deferral-rsk-2024']);
    expect(other.stderr).toContain('not a custody attestation');
    expect(other.status).toBe(3);
    expect(
      cli(['packet', 'new', 'attest-bad', '--kind', 'custody-attestation', '--covers', 'bad records']).status,
    ).toBe(0);
    writeFileSync(
      join(media, 'bad-register.json'),
      JSON.stringify({ schema: 'key-register/v1', keys: [{ keyId: 'K' }] }),
    );
    // Refused at import, before it enters the evidence index (so it can never block an evaluation).
    const before = journal().length;
    const bad = cli([
      'packet',
      'import-evidence',
      'attest-bad',
      join(media, 'bad-register.json'),
      '--id',
      'ev-bad',
      '--title',
      'bad',
    ]);
    expect(bad.stderr).toMatch(
      /EVIDENCE_UNREADABLE: bad-register\.json declares key-register\/v1 but keys\.0\.label/,
    );
    expect(bad.status).toBe(3);
    expect(readdirSync(join(dir, 'staging')).length).toBe(0);
    // Evaluating the packet without records is possible: every requirement that needs them is missing.
    const e = JSON.parse(cli(['attest', 'evaluate', 'attest-bad', '--json']).stdout) as {
      requirements: { id: string; status: string }[];
    };
    expect(e.requirements.find((r) => r.id === 'ATT-HSM-BACKED')!.status).toBe('missing');
    expect(journal().length).toBeGreaterThan(before);
  });
});

describe('attest decide', () => {
  const key = () => join(suite.root, 'owner.key');
  const decide = (decision: string) =>
    cli(
      [
        'attest',
        'decide',
        P,
        '--decision',
        decision,
        '--name',
        'Riley Shah',
        '--comment',
        'fix the roster first',
        '--key',
        key(),
        '--passphrase-stdin',
      ],
      PASS,
    );

  it('is signed with the owner’s own registered key holding release-security-owner; the station never signs', () => {
    expect(stationCli(['reviewer', 'keygen', '--out', key(), '--passphrase-stdin'], PASS).status).toBe(0);
    const before = journal().length;
    const unknown = decide('remediate');
    expect(unknown.stderr).toContain('APPROVAL_SIGNER_UNKNOWN');
    expect(journal().length).toBe(before);

    const req = stationCli(
      [
        'reviewer',
        'request',
        '--key',
        key(),
        '--name',
        'Riley Shah',
        '--out-dir',
        media,
        '--passphrase-stdin',
      ],
      PASS,
    );
    const path = /^wrote (.+)$/m.exec(req.stdout)![1]!;
    const words = /read these to the station operator: (.+)$/m.exec(req.stdout)![1]!;
    expect(registerTrust(dir, path, { id: 'riley', roles: 'board-reviewer', words }, env).status).toBe(0);
    const noRole = decide('remediate');
    expect(noRole.stderr).toContain('APPROVAL_ROLE_NOT_HELD');
    expect(journal().length).toBe(before + 1);

    expect(cli(['trust', 'revoke', 'riley', '--reason', 'wrong role']).status).toBe(0);
    const reg = registerTrust(dir, path, { id: 'riley-owner', roles: 'release-security-owner', words }, env);
    // One key, one entry: even revoked, the key stays registered under its first id.
    expect(reg.stderr).toContain('TRUST_DUPLICATE_KEY');
  });

  it('records the decision, says when it differs from the recommendation, and the envelope verifies with the owner key', () => {
    const ownerKey = join(suite.root, 'owner2.key');
    expect(stationCli(['reviewer', 'keygen', '--out', ownerKey, '--passphrase-stdin'], PASS).status).toBe(0);
    const req = stationCli(
      [
        'reviewer',
        'request',
        '--key',
        ownerKey,
        '--name',
        'Riley Shah',
        '--out-dir',
        media,
        '--passphrase-stdin',
      ],
      PASS,
    );
    const regPath = /^wrote (.+)$/m.exec(req.stdout)![1]!;
    const words = /read these to the station operator: (.+)$/m.exec(req.stdout)![1]!;
    const fingerprint = /fingerprint ([0-9a-f]{64})/.exec(req.stdout)![1]!;
    expect(
      registerTrust(dir, regPath, { id: 'riley-owner', roles: 'release-security-owner', words }, env).status,
    ).toBe(0);
    const impostor = cli(
      [
        'attest',
        'decide',
        P,
        '--decision',
        'approve',
        '--name',
        'Someone Else',
        '--key',
        ownerKey,
        '--passphrase-stdin',
      ],
      PASS,
    );
    expect(impostor.stderr).toContain('belongs to Riley Shah in the trust store, not Someone Else');
    expect(impostor.status).toBe(3);
    const r = cli(
      [
        'attest',
        'decide',
        P,
        '--decision',
        'approve',
        '--name',
        'Riley Shah',
        '--comment',
        'accepting the risk for this quarter',
        '--key',
        ownerKey,
        '--passphrase-stdin',
      ],
      PASS,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /recorded approve by Riley Shah \(riley-owner\) on evaluation seq \d+ — differs from the recommendation/,
    );
    const last = journal().at(-1)!;
    expect(last.kind).toBe('attestation.decided');
    const body = JSON.parse(last.body) as {
      envelope: string;
      signerFingerprint: string;
      followsRecommendation: boolean;
    };
    expect(body.followsRecommendation).toBe(false);
    expect(body.signerFingerprint).toBe(fingerprint);
    const envelope = JSON.parse(Buffer.from(body.envelope, 'base64').toString()) as {
      payload: string;
      payloadType: string;
      signatures: { sig: string }[];
    };
    const payload = Buffer.from(envelope.payload, 'base64');
    const statement = JSON.parse(payload.toString()) as {
      predicateType: string;
      predicate: { decision: string; recommendation: string };
    };
    expect(statement.predicateType).toBe(
      'https://ceremony-station.example/predicate/attestation-decision/v1',
    );
    expect(statement.predicate).toMatchObject({ decision: 'approve', recommendation: 'remediate' });
    // Verify with the owner's public key (as the key file records it), independently of the station's verifier.
    const { publicKey } = JSON.parse(readFileSync(ownerKey, 'utf8')) as { publicKey: string };
    const pub = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    expect(
      verify(
        'sha256',
        pae(envelope.payloadType, payload),
        { key: pub, dsaEncoding: 'der' },
        Buffer.from(envelope.signatures[0]!.sig, 'base64'),
      ),
    ).toBe(true);
  });
});
