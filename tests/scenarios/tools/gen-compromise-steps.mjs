// Run from tests/scenarios/compromise-authority: the later exports of scenarios 13 and 14 and the prior
// packet of 13, whose basis digest is SHA-256 of the canonical JSON (RFC 8785) of the record it rests on.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
const ce = JSON.parse(
  fs.readFileSync('11-succession-invoked/sources/custody-evidence.json', 'utf8'),
).records.find((r) => r.evidenceId === 'CE-0417-01');
const digest = createHash('sha256').update(canonicalize(ce)).digest('hex');
const w = (p, v) => {
  fs.mkdirSync(p.split('/').slice(0, -1).join('/'), { recursive: true });
  fs.writeFileSync(p, JSON.stringify(v, null, 2) + '\n');
};
w('13-contractual-notice-arrives-in-window/sources/prior-recommendations.json', {
  family: 'prior-recommendation',
  system: 'authority-packets',
  exportedAt: '2026-12-03T16:45:00.000Z',
  records: [
    {
      packetRef: 'PKT-0417-ECC-v1',
      incidentId: 'INC-2026-0417',
      version: 1,
      recommendedLane: 'executive-cyber-command',
      matrixVersion: "Example authority matrix (a default only: import the organisation's own)",
      basis: [{ family: 'custody-evidence', system: 'custody-registry', recordId: 'CE-0417-01', digest }],
      issuedBy: 'Arjun Mehta',
      issuedAt: '2026-12-03T16:40:00.000Z',
    },
  ],
});
w('13-contractual-notice-arrives-in-window/later/legal-register-1730.json', {
  family: 'disclosure-register',
  system: 'legal-register',
  exportedAt: '2026-12-03T17:30:00.000Z',
  records: [
    {
      entryId: 'REG-0417-DA',
      product: 'desktop-agent',
      obligation: 'contractual-notice',
      deadlineAt: '2026-12-05T12:00:00.000Z',
      constraint: 'none',
      constraintText: '',
      counterparty: 'Contoso Retail (MSA 2024-117, section 9.3)',
      status: 'open',
      recordedAt: '2026-12-03T17:20:00.000Z',
    },
  ],
});
w('14-exposure-ruled-out-in-window/later/custody-forensics-1710.json', {
  family: 'custody-evidence',
  system: 'forensics',
  exportedAt: '2026-12-03T17:10:00.000Z',
  records: [
    {
      evidenceId: 'FX-0417-01',
      keyId: 'K-ART-PROD-2025',
      hsmSerial: 'HSM-LUNA-0619',
      kind: 'forensic-finding',
      conclusion: 'ruled-out',
      location: 'DC-FRA-2 cage 14, safe 3',
      detail:
        'backup token BT-0612-2 found in the DR safe, tamper seal intact, object count unchanged; no wrapped copy of the key exists',
      observedBy: 'Yuki Tanaka',
      observedAt: '2026-12-03T17:00:00.000Z',
    },
  ],
});
console.log(digest);
