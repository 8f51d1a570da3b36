/**
 * The portal adapter (playwright-core): portal profiles as data, the driver that fills an approved
 * issuance request and halts safely, the probe, and the search used for reconciliation. The submission
 * service (services/portal) is its only user; it never imports another adapter.
 */
export {
  HALT_GROUPS,
  PORTAL_TAKES,
  bundledPortalProfile,
  bundledPortalProfileIds,
  originAllowed,
  loadPortalProfileFile,
  loadPortalProfiles,
  parsePortalProfile,
  portalProfileSchema,
  type PortalErrorCode,
  type PortalProfile,
  type PortalTake,
} from './profile';
export {
  HALT_KINDS,
  maskedPreview,
  openPortal,
  sha256Hex,
  type FillResult,
  type Halt,
  type HaltKind,
  type OpenPortalOptions,
  type PortalCredentials,
  type PortalSession,
  type PortalTimeouts,
  type PortalValues,
  type ReadBack,
  type Screenshot,
  type SearchRow,
  type SubmitResult,
} from './driver';
export { probe, type ProbeMismatch, type ProbeResult } from './probe';
