/**
 * The attest domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * Custody attestation: requirement statuses against the control library, the recommendation, the owner's signed decision.
 */
export * from './attest';
export * from './acts';
export * from './views';
