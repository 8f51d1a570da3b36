/**
 * The jobs domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * Long-running work with progress and cancellation.
 */
export * from './jobs';
