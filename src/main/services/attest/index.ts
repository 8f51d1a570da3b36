/**
 * The attest domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * Custody attestation: the 'attestation' workflow's evaluation with requirement statuses and the
 * recommendation, and the owner's signed decision on a FRESH evaluation.
 */
export * from './attest';
export * from './acts';
