/**
 * The offline-signing continuity activation gate (workflow activation-gate, issue #15): the readiness
 * ledger and hold register derived from records, packet versions bound to a ledger, the approval owner's
 * approval of exactly that version, and the open gate a signing run checks. The station finds, people decide.
 */
export * from './gate';
