/**
 * The portal domain's door (online stations only, docs/portal-submission.md): submission runs of
 * approved issuance requests through a browser-only PKI portal, their pre-checks, reconciliation of an
 * unknown outcome, and the runs as the journal holds them.
 */
export * from './port';
export * from './runs';
export * from './submit';
export * from './views';
export * from './browser';
export * from './evidence';
