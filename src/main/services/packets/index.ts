/**
 * The packets domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * Governance packets: drafts changed by journaled ops, evidence with provenance, completeness, versions, handoff, print.
 */
export * from './packets';
export * from './print';
export * from './edits';
export * from './views';
export * from './derived';
