/**
 * The devices domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * PKCS#11 modules and tokens: registration, keys with residency verdicts, generation, CSRs, inventory.
 */
export * from './devices';
export * from './modules';
export * from './queries';
