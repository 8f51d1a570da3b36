/**
 * The acts domain's door: previews of irreversible acts and the check that an act runs only on the
 * preview its operator confirmed (contract/acts.ts).
 */
export * from './preview';
