/**
 * The custodians domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * The approved roster, quorum sessions proven on custodians' own tokens, M-of-N activation shares and the ceremony acts they unlock.
 */
export * from './admin';
export * from './ceremony-ops';
export * from './operators';
export * from './queries';
export * from './quorum';
export * from './roster';
export * from './share-sheet';
export * from './shares';
export * from './splits';
export * from './views';
