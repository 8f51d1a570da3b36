/**
 * The decisions domain's door: what the station waits on people for, across packets, attestations and
 * quorum sessions (a read model over the other domains' doors; it records nothing).
 */
export * from './pending';
