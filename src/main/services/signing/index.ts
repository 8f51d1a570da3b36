/**
 * The signing domain's door: the only module other domains, the IPC handlers and the CLI import.
 * Gated offline signing of exactly the frozen manifest, behind the activation gate and a custodian
 * quorum bound to the batch (docs/gated-signing.md).
 */
export * from './sign';
export * from './runs';
export * from './status';
export * from './live';
export * from './background';
