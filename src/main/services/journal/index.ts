/**
 * The journal domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * The hash-chained journal: pages, entries, verification against checkpoints and the token mark, export.
 */
export * from './commands';
export * from './queries';
export * from './verify-job';
