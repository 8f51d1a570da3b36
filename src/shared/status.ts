/**
 * The one status vocabulary (docs/status.md is generated from it): every word the station shows for a
 * state — on screen, in print and in `--json` — with its colour class and what it means. A badge takes
 * its colour from here, never from the place that shows it, so one word is one colour everywhere; a
 * word that is not here is a defect (tests/integration/status-doc.test.ts finds it).
 *
 * Colour classes: good = the evidence it needs is there and was checked; warn = not yet, or not any
 * more, but nothing is wrong; bad = something is wrong, refused or missing; neutral = no judgement (not
 * checked, ended, a fact); info = a label. Green is never given without evidence: NOT CHECKED is grey.
 */
export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'info';

export interface StatusWord {
  readonly tone: Tone;
  readonly meaning: string;
}

export const STATUS_WORDS = {
  // Checks, evidence and verification
  VERIFIED: {
    tone: 'good',
    meaning: 'Checked now against its evidence (a chain, a signature) and it holds.',
  },
  SATISFIED: { tone: 'good', meaning: 'A check or requirement passed on the records it needs.' },
  FRESH: {
    tone: 'good',
    meaning: 'Read facts that have not changed since (an evaluation, evidence within its rule).',
  },
  STALE: {
    tone: 'warn',
    meaning:
      'The facts under it changed, or it is older than its rule allows: evaluate or inspect again; nothing may be decided on it.',
  },
  PARTIAL: { tone: 'warn', meaning: 'Some of what is required is there, not all.' },
  'EXCEPTION-BACKED': { tone: 'warn', meaning: 'Not met, but covered by a recorded, still-valid exception.' },
  MISSING: { tone: 'bad', meaning: 'The record or evidence a check needs is not there.' },
  MISMATCH: { tone: 'bad', meaning: 'Two records that must agree do not (a seal serial, a key on a token).' },
  'NOT CHECKED': { tone: 'neutral', meaning: 'Not judged (yet): no colour, never green.' },
  'ASSERTED / NOT CHECKED': { tone: 'neutral', meaning: 'A claim a person made that no check is bound to.' },
  ASSERTED: { tone: 'neutral', meaning: 'A claim a person made that no check is bound to.' },
  TAMPERED: { tone: 'bad', meaning: 'The journal chain or a signature does not verify: stop and escalate.' },
  UNANCHORED: {
    tone: 'warn',
    meaning: 'The journal verifies but its newest entries are not covered by a signed checkpoint yet.',
  },
  CONFIRMED: { tone: 'good', meaning: 'The station token confirms it (the identity key, the journal mark).' },
  BEHIND: {
    tone: 'bad',
    meaning: 'The journal is behind the mark the station token holds: entries may have been removed.',
  },
  CANCELLED: { tone: 'neutral', meaning: 'Stopped by a person before it finished: nothing was judged.' },
  RUNNING: {
    tone: 'info',
    meaning:
      'Work this station is doing now (a gated-signing batch, a portal run entering values): not finished, nothing to decide on yet.',
  },
  COMPLETED: {
    tone: 'good',
    meaning:
      'A signing run counted every manifest artifact — each signature verified against the token’s public key and read back — and wrote its provenance envelope. A ceremony run: every step was checked, acted and checked off by its witnesses with their own roster keys.',
  },
  INCOMPLETE: {
    tone: 'warn',
    meaning:
      'A signing run started and not finished (stopped, crashed or holding an artifact): resume it — nothing counted is signed again — or end it.',
  },
  FAILED: { tone: 'bad', meaning: 'It ran and did not succeed.' },
  REFUSED: {
    tone: 'bad',
    meaning:
      'The station refused it (a coded error says why); nothing was recorded but the refusal. An activation gate: the approval owner answered the current version with an objection.',
  },
  // Portal submission runs (docs/portal-submission.md)
  HALTED: {
    tone: 'warn',
    meaning:
      'A portal run stopped safely before submit (the reason, masked screenshots and the draft are kept): a person takes over or starts a new run. A ceremony run: a deviation holds it at its step until the master of ceremonies decides (RUN-HALT).',
  },
  SUBMITTING: {
    tone: 'info',
    meaning: 'The submit intent is journaled and the portal’s answer is awaited.',
  },
  'HALTED-AMBIGUOUS': {
    tone: 'bad',
    meaning:
      'After the submit click there was no positive confirmation (or the station stopped): the request may exist. Reconcile before anything else; never resubmit.',
  },
  SUBMITTED: {
    tone: 'good',
    meaning:
      'The portal holds the request: it confirmed an id, or reconciliation found it. The station never issues or activates the certificate.',
  },
  'NOT-FOUND': {
    tone: 'warn',
    meaning:
      'Reconciliation searched the portal and found no request for the run: a person may start a new run.',
  },
  // Ceremony runs (docs/ceremonies.md)
  REHEARSAL: {
    tone: 'warn',
    meaning:
      'A ceremony run on a scratch token the station made: everything it records or writes is marked REHEARSAL and may never be used in production.',
  },
  PRODUCTION: {
    tone: 'info',
    meaning: 'A ceremony run on the HSM token the file names, after a completed rehearsal of the same bytes.',
  },
  ABORTED: {
    tone: 'neutral',
    meaning: 'A ceremony run the master of ceremonies ended on a deviation: it takes no more steps.',
  },
  RECORDED: {
    tone: 'good',
    meaning: 'A ceremony step’s act was performed and its record is in the journal.',
  },
  'NOT DONE': { tone: 'neutral', meaning: 'A ceremony step’s act has not been performed yet.' },
  'NOT VALID': {
    tone: 'bad',
    meaning:
      'A ceremony participant whose roster entry is not valid now (revoked, expired or not yet valid): a run refuses to start.',
  },
  // Gates and outcomes
  READY: { tone: 'good', meaning: 'Every check the gate needs passed: a person may now act on it.' },
  HOLD: { tone: 'warn', meaning: 'Not ready: something still has to come in or be done.' },
  'HOLD-SOURCE': {
    tone: 'warn',
    meaning: 'Held by source checks (records or evidence still missing or stale).',
  },
  'HOLD-ROUTING': { tone: 'warn', meaning: 'Held by routing (reviewers or roles not named).' },
  BLOCKED: { tone: 'bad', meaning: 'A rule failed that nobody may waive here.' },
  STOPPED: {
    tone: 'bad',
    meaning:
      'Evidence triggered a stop: escalate; nothing continues until a quorum clears it. A portal run: a pre-check failed, nothing was entered or submitted; the request goes back to its owner.',
  },
  'STOP TO CLEAR': {
    tone: 'bad',
    meaning: 'A stop waits for a custodian quorum bound to exactly its clearance.',
  },
  BLOCKING: { tone: 'bad', meaning: 'This finding keeps the gate closed.' },
  'NOT BLOCKING': { tone: 'neutral', meaning: 'This finding does not keep the gate closed.' },
  WAIVABLE: { tone: 'warn', meaning: 'Policy lets a named person acknowledge this finding.' },
  'NOT WAIVABLE': { tone: 'neutral', meaning: 'Policy lets nobody acknowledge this finding here.' },
  'REFUSES HANDOFF': { tone: 'bad', meaning: 'A handoff is refused until a record resolves this finding.' },
  APPROVABLE: { tone: 'good', meaning: 'The station finds nothing against it; the owner decides.' },
  REMEDIATE: { tone: 'bad', meaning: 'Fix what the findings name, then evaluate again.' },
  ESCALATE: { tone: 'bad', meaning: 'Take it to the authority named in the policy.' },
  ESCALATION: { tone: 'bad', meaning: 'A finding that must be escalated, not fixed here.' },
  // Finding categories (what the rules found; docs/findings.md)
  STOP: {
    tone: 'bad',
    meaning: 'Evidence indicating compromise or unauthorised signing: stop and escalate.',
  },
  'SCOPE-UNCLEAR': {
    tone: 'bad',
    meaning: 'The subject or its boundary cannot be established from the records.',
  },
  'ROUTING-UNCLEAR': { tone: 'warn', meaning: 'Who must review or decide cannot be established.' },
  INVALID: { tone: 'bad', meaning: 'A record fails its own rules (a signature, a format, a date).' },
  CARRYOVER: { tone: 'warn', meaning: 'An exception carried over from an earlier period.' },
  'POLICY-CRITERION-UNMET': { tone: 'bad', meaning: 'A number the policy sets is not met.' },
  APPROVE: { tone: 'info', meaning: 'A person’s signed decision to approve (a human act, not a check).' },
  REJECT: { tone: 'info', meaning: 'A person’s signed decision to reject (a human act, not a check).' },
  'OWNER DECIDES': { tone: 'info', meaning: 'Waiting for the owner’s signed decision.' },
  OVERDUE: { tone: 'bad', meaning: 'Its due day has passed.' },
  // Claims
  SUPPORTED: { tone: 'good', meaning: 'A claim whose bound checks passed on evidence.' },
  PENDING: { tone: 'warn', meaning: 'A claim not yet established (its subject or evidence is not there).' },
  DISPUTED: { tone: 'bad', meaning: 'A claim a bound check contradicts.' },
  UNSUPPORTED: { tone: 'bad', meaning: 'A claim without the evidence it needs.' },
  // Validity (roster, trust store, sessions)
  VALID: { tone: 'good', meaning: 'Inside its validity window and not revoked.' },
  'NOT-YET-VALID': { tone: 'warn', meaning: 'Its validity window has not started.' },
  EXPIRED: { tone: 'bad', meaning: 'Its validity window or lifetime has ended.' },
  REVOKED: { tone: 'bad', meaning: 'Withdrawn by a recorded act.' },
  ACTIVE: { tone: 'good', meaning: 'A signed-in session that may act now.' },
  'SIGNED IN': { tone: 'good', meaning: 'A roster member proved who they are at this console.' },
  'NOT SIGNED IN': { tone: 'warn', meaning: 'Nobody is signed in: acts are refused.' },
  LOCKED: { tone: 'warn', meaning: 'The session locked after a time without acts: sign in again.' },
  ENDED: { tone: 'neutral', meaning: 'The session was signed out or replaced.' },
  'OFF-ROSTER': { tone: 'bad', meaning: 'The roster entry that proved it is no longer valid.' },
  'NO ROSTER': { tone: 'warn', meaning: 'No roster yet: nobody can sign in.' },
  // Quorum sessions and coverage
  OPEN: {
    tone: 'info',
    meaning:
      'A quorum session waiting for check-ins. An activation gate: the named owner approved exactly the current version and ledger (signing still needs its own quorum; never green).',
  },
  REACHED: { tone: 'good', meaning: 'Enough custodians checked in for the bound operation.' },
  CLAIMED: { tone: 'warn', meaning: 'An act holds the session (it is being used).' },
  CLOSED: { tone: 'neutral', meaning: 'The session was used, cancelled or closed.' },
  CLEARED: {
    tone: 'neutral',
    meaning: 'A stop cleared under a quorum bound to its clearance (it stays on record).',
  },
  COVERED: { tone: 'good', meaning: 'Enough custodians are available for the shift to reach quorum.' },
  SHORT: { tone: 'bad', meaning: 'Fewer custodians are available than the quorum needs.' },
  // Devices, keys and media
  PRESENT: { tone: 'good', meaning: 'The token answers.' },
  BUSY: { tone: 'warn', meaning: 'The token is in use by another act.' },
  ABSENT: { tone: 'bad', meaning: 'The token is not there.' },
  ERROR: { tone: 'bad', meaning: 'The module or token failed to answer.' },
  UNAVAILABLE: { tone: 'warn', meaning: 'It cannot be asked now (the token is absent or locked).' },
  UNKNOWN: { tone: 'neutral', meaning: 'The station could not tell.' },
  RESIDENT: { tone: 'good', meaning: 'The key was generated on the token and never left it.' },
  IMPORTED: { tone: 'warn', meaning: 'The key was imported: its history before the token is not known.' },
  EXPOSABLE: { tone: 'bad', meaning: 'The key could be extracted from the token.' },
  UNPROTECTED: { tone: 'bad', meaning: 'The key is not marked sensitive.' },
  'SESSION-ONLY': { tone: 'bad', meaning: 'The key is not stored on the token.' },
  'READ-ONLY': { tone: 'warn', meaning: 'It can be read but not written.' },
  'NOT-ENOUGH-SPACE': { tone: 'warn', meaning: 'The volume has too little free space.' },
  'NO-DEVICE': { tone: 'warn', meaning: 'No removable volume is there.' },
  'SEVERAL-DEVICES': {
    tone: 'warn',
    meaning: 'More than one removable volume is there: keep only the one to use.',
  },
  'SEAL BROKEN': { tone: 'bad', meaning: 'The seal was found broken or tampered.' },
  // Compromise authority (workflow 002): lanes, the matrix's rules, option effects
  RECOMMENDED: {
    tone: 'info',
    meaning:
      'The lane the station computes should own the decision: a computation, never an approval (not green); the owner decides.',
  },
  VIABLE: {
    tone: 'neutral',
    meaning:
      'An unblocked lane that is triggered, may be, or stands by the matrix: it could own the decision.',
  },
  'NOT REQUIRED': {
    tone: 'neutral',
    meaning: 'Nothing calls for this lane: routing the decision there would over-escalate.',
  },
  HOLDS: {
    tone: 'info',
    meaning: 'A rule of the matrix holds on the facts (a trigger fired, a requirement applies).',
  },
  'DOES NOT HOLD': { tone: 'neutral', meaning: 'A rule of the matrix does not hold on the facts.' },
  EXCEEDED: { tone: 'bad', meaning: 'A lane’s limit is passed: the lane may not decide.' },
  WITHIN: { tone: 'neutral', meaning: 'The facts show a lane’s limit is not passed.' },
  'NOT SHOWN': {
    tone: 'warn',
    meaning: 'The facts cannot show a limit is not passed (a fact is unknown): it counts as passed.',
  },
  REVERSIBLE: { tone: 'neutral', meaning: 'An effect that can be undone.' },
  'PARTLY REVERSIBLE': { tone: 'warn', meaning: 'An effect that can be undone only in part.' },
  IRREVERSIBLE: { tone: 'bad', meaning: 'An effect that cannot be undone once taken.' },
  RESTRICTED: {
    tone: 'info',
    meaning: 'Custody, exposure or disclosure detail: for the approved channel only, never a broad audience.',
  },
  REDIRECTED: {
    tone: 'info',
    meaning: 'A person with a redirect role recorded a different lane; the computed lane stays beside it.',
  },
  'STALE-BASIS': {
    tone: 'warn',
    meaning: 'A recommendation handed off earlier rests on a record that has since been superseded.',
  },
  // Activation gate (workflow 003): the gate's state, ledger lines, holds and approvals' standing
  'NOT-EVALUATED': {
    tone: 'neutral',
    meaning: 'The declaration has not been evaluated: nothing is judged yet, never green.',
  },
  'VERSION-NEEDED': {
    tone: 'warn',
    meaning: 'The ledger changed since the current packet version (or none exists): record a new version.',
  },
  'AWAITING-APPROVAL': {
    tone: 'warn',
    meaning: 'The current version binds this ledger and waits for the named approval owner’s signed answer.',
  },
  QUARANTINED: {
    tone: 'bad',
    meaning:
      'A candidate artifact not in the frozen manifest, or with another digest: it will not be signed.',
  },
  'NON-WAIVABLE': {
    tone: 'bad',
    meaning: 'A hold no act clears — not an approval, not a waiver: only a record that fixes the fact.',
  },
  'NO SHIFT': { tone: 'bad', meaning: 'A stretch of the signing window no scheduled shift covers.' },
  CURRENT: { tone: 'info', meaning: 'The newest version: the one an approval must be bound to.' },
  INVALIDATED: {
    tone: 'bad',
    meaning:
      'An approval of an earlier version: a newer version changed what it approved, so it no longer counts.',
  },
  'NOT-THE-OWNER': {
    tone: 'bad',
    meaning: 'Given by someone other than the named approval owner: it does not count.',
  },
  'WRONG-ROLE': {
    tone: 'bad',
    meaning: 'Given in a role other than the one the gate needs: it does not count.',
  },
  'REQUEST-CHANGES': {
    tone: 'info',
    meaning: 'A person’s signed answer asking for changes (a human act, not a check).',
  },
  // Labels
  'FIRST-HAND': { tone: 'good', meaning: 'A record this station made itself (its own journal).' },
  SUPERSEDED: { tone: 'neutral', meaning: 'A later version replaces it.' },
  DEMO: { tone: 'info', meaning: 'A demo station: rehearsal data only.' },
  DISCONNECTED: { tone: 'bad', meaning: 'The window lost its connection to the station.' },
  OFFLINE: { tone: 'info', meaning: 'The station’s mode: no network.' },
  ONLINE: { tone: 'info', meaning: 'The station’s mode: the portal workstation.' },
  ADDED: { tone: 'info', meaning: 'In the newer version only.' },
  CHANGED: { tone: 'info', meaning: 'Different between the two versions.' },
  REMOVED: { tone: 'bad', meaning: 'In the older version only.' },
  EVALUATE: { tone: 'info', meaning: 'An evaluation is due.' },
  HANDOFF: { tone: 'info', meaning: 'A version waits to be handed off.' },
  'CHECK-IN': { tone: 'info', meaning: 'A quorum session waits for custodians to check in.' },
  FINDING: { tone: 'info', meaning: 'An owned finding waits for its owner.' },
  PACKET: { tone: 'info', meaning: 'A packet of this workflow waits for a person (open it to see what).' },
  WITHHELD: {
    tone: 'warn',
    meaning: 'Restricted detail left out of what a broader audience receives; it is in the full packet.',
  },
  'IN CRITICAL WINDOW': {
    tone: 'warn',
    meaning: 'The change falls inside the critical window after the incident was declared.',
  },
  APPEARED: { tone: 'warn', meaning: 'A finding the later evaluation has and the earlier did not.' },
  RESOLVED: { tone: 'neutral', meaning: 'A finding the earlier evaluation had and the later does not.' },
  EVALUATION: { tone: 'neutral', meaning: 'A lineage entry: an evaluation was recorded.' },
  RECORDS: { tone: 'neutral', meaning: 'A lineage entry: source records were imported.' },
  MATRIX: { tone: 'neutral', meaning: 'A lineage entry: a version of the authority matrix came in.' },
  REDIRECT: {
    tone: 'warn',
    meaning: 'No lane can own a compromise decision: a person with a redirect role decides where it goes.',
  },
} as const satisfies Record<string, StatusWord>;

export type StatusWordName = keyof typeof STATUS_WORDS;

/** The colour of a status word; a word not in the vocabulary is neutral (and a defect the tests find). */
export function toneOf(word: string): Tone {
  return (STATUS_WORDS as Record<string, StatusWord>)[word]?.tone ?? 'neutral';
}

export function isStatusWord(word: string): word is StatusWordName {
  return Object.hasOwn(STATUS_WORDS, word);
}
