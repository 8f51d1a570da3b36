/**
 * The identity domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * The station identity key on its token, checkpoint signing and the journal marks on the token, station info.
 */
export * from './certificates';
export * from './commands';
export * from './queries';
export * from './station-info';
