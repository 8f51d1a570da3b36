/**
 * The bundles domain's door: the only module other domains, the IPC handlers and the CLI import (read
 * models alone also through ./queries where the domain has one).
 * Signed bundles on removable media (export, hardened import, trust store) and the approvals reviewers send back.
 */
export * from './approvals';
export * from './ceremony-transcript';
export * from './bundles';
export * from './dsse';
export * from './reviewer';
export * from './reviewer-token';
export * from './verify';
export * from './media';
