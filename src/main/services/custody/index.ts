/**
 * The custody domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * Sealed items and their custody log (seals, inspections, transfers), and signer coverage by shift.
 */
export * from './custody';
