/**
 * The authority domain's door (workflow 002, compromise authority): redirects of a recommendation — a
 * person's signed act recorded beside what the station computed.
 */
export * from './redirect';
