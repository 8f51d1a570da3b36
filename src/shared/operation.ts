/**
 * Quorum operation texts for the renderer, which may import only src/shared: the one encoder in core
 * (src/core/custody/operation.ts), so the UI shows exactly the text the station binds a session to.
 */
export { describeOperation, encodeOperation, type QuorumOperation } from '../core/custody/operation';
