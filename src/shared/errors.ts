import type { CoreErrorCode, ErrorData } from '../core/errors';

/**
 * Every error code the station can emit, with its failure class and what the operator should do next.
 * The class decides the CLI exit code (src/cli/exit-codes.ts) and the colour of the UI message.
 */
export type FailureClass = 'usage' | 'invalid-input' | 'integrity' | 'device' | 'state' | 'internal';

export const ERROR_CATALOGUE = {
  INVALID_INPUT: { class: 'invalid-input', action: 'Correct the named field and try again.' },
  CANONICAL_JSON_INVALID: {
    class: 'invalid-input',
    action: 'Remove values JSON cannot represent exactly (NaN, Infinity, undefined, cycles).',
  },
  JOURNAL_KIND_UNKNOWN: { class: 'invalid-input', action: 'Use an event kind from the journal catalogue.' },
  JOURNAL_BODY_INVALID: { class: 'invalid-input', action: 'Correct the named body field and try again.' },
  JOURNAL_ENTRY_INVALID: { class: 'invalid-input', action: 'Correct the named field and try again.' },
  UNKNOWN_CHANNEL: {
    class: 'usage',
    action: 'Update the station: the caller and the station disagree on the contract.',
  },
  UNAUTHORIZED_SENDER: {
    class: 'usage',
    action: 'Only the station window may call the station. Reload the station window.',
  },
  NOT_FOUND: { class: 'invalid-input', action: 'Check the identifier; list the items to see what exists.' },
  STATION_NOT_INITIALISED: {
    class: 'state',
    action: 'Create the station first (`station init`, or `station demo` for a demo station).',
  },
  STATION_EXISTS: {
    class: 'state',
    action: 'A station already lives in this data directory: choose another --data-dir.',
  },
  CONFIG_INVALID: {
    class: 'usage',
    action:
      'Correct or unset the environment variable named (the message says what it must be), then start again.',
  },
  STORE_READ_ONLY: {
    class: 'integrity',
    action:
      'The database failed its integrity check and is open read-only. Export the journal, then restore from backup.',
  },
  STORE_CORRUPT: {
    class: 'integrity',
    action: 'The database file cannot be read. Restore it from backup; do not delete the damaged file.',
  },
  STORE_ROW_INVALID: {
    class: 'integrity',
    action:
      'A stored row (table, row and column named) is not what the station wrote: the file was changed outside the station or is damaged. Run `station journal verify`, keep the database file, and restore from backup.',
  },
  STORE_FROM_FUTURE: {
    class: 'state',
    action:
      'This database was written by a newer station version. Use that version; never downgrade a station.',
  },
  JOURNAL_CONFLICT: { class: 'state', action: 'Another writer changed the journal head; repeat the step.' },
  JOURNAL_TAMPERED: {
    class: 'integrity',
    action: 'Stop: the journal failed verification. Preserve the database file and escalate.',
  },
  JOURNAL_ROLLED_BACK: {
    class: 'integrity',
    action:
      'Stop: the station token remembers a newer checkpoint than this database holds, so the database was rolled back or replaced (JNL-ROLLBACK). Sign and export nothing; preserve the database file and the token, and escalate.',
  },
  JOURNAL_MARK_INVALID: {
    class: 'integrity',
    action:
      'Stop: the station token carries a journal mark this station did not sign (JNL-MARK). Escalate; once the token has been examined, `station journal repair-mark` records the object in the journal and removes it.',
  },
  JOURNAL_MARK_MISSING: {
    class: 'integrity',
    action:
      'Stop: the station token holds no journal mark although the journal holds chained checkpoints (JNL-MARK), so a rollback could be hidden. Preserve the database and the token and escalate; only if the cause is known, `station journal repair-mark --reset` re-establishes the mark and records that it did.',
  },
  JOURNAL_NOT_ANCHORED: {
    class: 'state',
    action:
      'The act succeeded and is recorded: do not repeat it. Its record was not anchored by a checkpoint (the banner counts it as unsigned): sign one with `station journal checkpoint`.',
  },
  MODULE_PINNED: {
    class: 'integrity',
    action:
      'The station token is used only through the module registered before its identity was created. Use that module; a re-registration of it is never followed.',
  },
  CHECKPOINT_SIGNER_UNAVAILABLE: {
    class: 'state',
    action: 'The station identity key is needed to sign a checkpoint: connect the station HSM and log in.',
  },
  HSM_ONLINE_MODE: {
    class: 'state',
    action:
      'An online (portal) station never touches a ceremony HSM: do this on the offline ceremony station. Only the station’s own identity token is used online.',
  },
  PORTAL_OFFLINE_STATION: {
    class: 'state',
    action:
      'Portal submission runs only on a station created in online mode (`station init --mode online`); an offline ceremony station never goes online.',
  },
  PORTAL_PROFILE_INVALID: {
    class: 'usage',
    action:
      'Correct the portal profile at the file, line and key named (docs/portal-profiles.md), then probe it again.',
  },
  PORTAL_PROFILE_UNKNOWN: {
    class: 'usage',
    action: 'Name a profile in resources/portals (`station portal profiles` lists them).',
  },
  PORTAL_BROWSER_UNAVAILABLE: {
    class: 'device',
    action:
      'Install Debian’s chromium (`npm run setup` does), or run headless on a machine without a display.',
  },
  PORTAL_VALUES_INVALID: {
    class: 'invalid-input',
    action:
      'The values to enter do not fit the profile (a list for a single field, a value no option offers): fix the records or the profile.',
  },
  PORTAL_NOT_READY: {
    class: 'state',
    action:
      'This portal session cannot do that now (it submits once, after a clean fill): start a new run or reconcile.',
  },
  PORTAL_HALTED: {
    class: 'state',
    action:
      'The portal page changed before submit: nothing was clicked. A person takes over in the portal, or starts a new run.',
  },
  PORTAL_ALREADY_SUBMITTED: {
    class: 'state',
    action:
      'The portal already holds this request (confirmed or found by reconciliation): follow it there; it is never submitted twice.',
  },
  PORTAL_RECONCILE_FIRST: {
    class: 'state',
    action:
      'A run of this request may have submitted it: run `station portal reconcile --run RUN` (or Reconcile in the Portal view) before anything else.',
  },
  PORTAL_URL_NOT_ALLOWED: {
    class: 'invalid-input',
    action:
      'Use the portal address the profile’s allowlist names (resources/portals/<profile>.yaml `allow`).',
  },
  PORTAL_RUN_BUSY: { class: 'state', action: 'Wait for the run in progress to end, then look at its state.' },
  PORTAL_NOT_AMBIGUOUS: {
    class: 'state',
    action: 'Only a HALTED-AMBIGUOUS run is reconciled; see the run’s state and what it says to do.',
  },
  PORTAL_EVIDENCE_TAMPERED: {
    class: 'integrity',
    action:
      'A masked screenshot in the evidence store is missing or is not the one the journal cites (the file is named): nothing was exported. Find out who changed the evidence store; the journal still holds the original digest.',
  },
  PORTAL_ENTRY_INCOMPLETE: {
    class: 'state',
    action:
      'Import the records that give the values the portal profile takes (the pre-check names what the request lacks), then start again.',
  },
  // Ceremony files (docs/ceremony-format.md, src/core/ceremony).
  CEREMONY_FILE_INVALID: {
    class: 'invalid-input',
    action:
      'Correct the ceremony file at the file, line and field path named (docs/ceremony-format.md), have the witnesses review the corrected file, then check it again (`station ceremony check`).',
  },
  CEREMONY_FILE_CREDENTIAL: {
    class: 'invalid-input',
    action:
      'Remove the named key and its value from the ceremony file: PINs, passwords and secrets are typed at the station when a step needs them, never written in the file. Treat the value as disclosed and change it.',
  },
  CEREMONY_FILE_TOO_LARGE: {
    class: 'invalid-input',
    action: 'A ceremony file is at most 256 KiB: check that the right file was named.',
  },
  CEREMONY_FILE_UNREADABLE: {
    class: 'invalid-input',
    action: 'Name a regular file that exists and that you may read.',
  },
  // Ceremony runs (docs/ceremonies.md, src/core/ceremony/run.ts).
  CEREMONY_PARTICIPANT_UNKNOWN: {
    class: 'state',
    action:
      "Every participant's id must be a custodian id on the approved roster: correct the file's participant, or enrol the person first (a roster change under quorum), then start the run again.",
  },
  CEREMONY_PARTICIPANT_NOT_VALID: {
    class: 'state',
    action:
      "The named participant's roster entry is not VALID now (not yet valid, expired or revoked): renew the entry under quorum or name another participant, then start the run again.",
  },
  CEREMONY_NOT_REHEARSED: {
    class: 'state',
    action:
      'A production run needs a completed rehearsal of exactly this file (same SHA-256): rehearse it (`station ceremony run FILE --rehearsal`) to the end, then start production with the same bytes.',
  },
  CEREMONY_NO_SCRATCH_MODULE: {
    class: 'state',
    action:
      'A rehearsal makes a scratch token on a SoftHSM2 module: register one (`station hsm register --profile softhsm2`), then start the rehearsal again.',
  },
  CEREMONY_RUN_NOT_FOUND: {
    class: 'invalid-input',
    action: 'Check the run id (`station ceremony runs` lists them).',
  },
  CEREMONY_RUN_CLOSED: {
    class: 'state',
    action: 'The run is completed or aborted and takes no more steps: start a new run.',
  },
  CEREMONY_RUN_HALTED: {
    class: 'state',
    action:
      'A deviation is open: the master of ceremonies decides on it first (`station ceremony step decide RUN --deviation SEQ --continue|--abort --reason TEXT`).',
  },
  CEREMONY_STEP_OUT_OF_ORDER: {
    class: 'state',
    action:
      'Do what the run needs now (the message and `station ceremony step status RUN` say which step and what).',
  },
  CEREMONY_SEAT_REFUSED: {
    class: 'state',
    action:
      "Sign in as the participant whose seat this is (the message names the roles): the step's role acts, its witnesses check it off, and only the master of ceremonies decides.",
  },
  CEREMONY_WITNESS_REFUSED: {
    class: 'state',
    action:
      'A witness checks a step off once, with their own token, in a role the step names, and never for an act they performed: another witness signs.',
  },
  CEREMONY_FILE_CHANGED: {
    class: 'integrity',
    action:
      'The ceremony file no longer has the digest the run started with: restore the reviewed file, or abort this run and start a new one with the new file (it must be rehearsed again).',
  },
  CEREMONY_OUTPUT_CHANGED: {
    class: 'integrity',
    action:
      'An output the run wrote is missing or no longer has the digest its journal entry holds (the file is named): nothing was exported. Find out who changed it; the journal keeps the original digest.',
  },
  CEREMONY_LABEL_EXISTS: {
    class: 'state',
    action:
      'A key with this label is already on the token: nothing was made. Report a deviation; the master of ceremonies decides (a new label needs a new, re-reviewed file).',
  },
  CEREMONY_ACT_UNSUPPORTED: {
    class: 'state',
    action:
      'This station version cannot perform this act in a run yet: perform it with its own command under its own quorum, record a deviation, and have the master of ceremonies decide.',
  },
  CEREMONY_CONFIRMATION_REQUIRED: {
    class: 'invalid-input',
    action:
      'Give what the step needs from a person (the named field): a bag serial read aloud, or the text of a note.',
  },
  HSM_MODULE_LOAD_FAILED: {
    class: 'device',
    action: 'Check the PKCS#11 module path in the module profile and that the vendor library is installed.',
  },
  TOKEN_NOT_FOUND: {
    class: 'device',
    action: 'Insert the token with this serial number, or check the serial.',
  },
  TOKEN_AMBIGUOUS: {
    class: 'device',
    action: 'Several tokens match. Address the token by its serial number; remove look-alike tokens.',
  },
  PIN_INCORRECT: {
    class: 'device',
    action:
      'The PIN was wrong. Check the token’s PIN state before trying again: each failure counts toward lockout.',
  },
  PIN_INVALID: {
    class: 'device',
    action: 'The token refuses this PIN’s length or characters. Enter the PIN as issued.',
  },
  PIN_LOCKED: {
    class: 'device',
    action:
      'The PIN is locked. The security officer must unlock it; the station never retries a login on its own.',
  },
  TOKEN_NOT_PRESENT: {
    class: 'device',
    action: 'The token is not present. Re-insert it and repeat the step; nothing was recorded as done.',
  },
  DEVICE_REMOVED: {
    class: 'device',
    action:
      'The token was removed during the operation. Re-insert it and repeat the step; nothing was recorded as done.',
  },
  SESSION_HANDLE_INVALID: {
    class: 'device',
    action:
      'The token session was lost. Re-insert the token and repeat the step; nothing was recorded as done.',
  },
  USER_ALREADY_LOGGED_IN: {
    class: 'device',
    action:
      'Another session is already logged in to this token. Confirm the session state; do not assume the step succeeded.',
  },
  MECHANISM_UNSUPPORTED: {
    class: 'device',
    action: 'This token does not support the requested algorithm: choose another.',
  },
  ALGORITHM_UNKNOWN: {
    class: 'invalid-input',
    action:
      'The station does not know this algorithm name (its table: src/core/crypto/algorithms.ts). Use one of the names the message lists.',
  },
  DEVICE_ERROR: {
    class: 'device',
    action:
      'The token reported an error (named in the message). Note it, check the device and repeat the step.',
  },
  DEVICE_MEMORY: {
    class: 'device',
    action:
      'The token (CKR_DEVICE_MEMORY) or the station (CKR_HOST_MEMORY) ran out of memory; nothing was recorded as done. Free space on the token or restart the station, then repeat the step.',
  },
  TOKEN_BUSY: {
    class: 'state',
    action:
      'Another operation (named in the message) has this token logged in. Wait for it to finish, then repeat the step; the station never logs in twice at once.',
  },
  KEY_EXISTS: {
    class: 'invalid-input',
    action:
      'A key with this label or CKA_ID already exists on the token. Choose another; the station never overwrites keys.',
  },
  KEY_NOT_FOUND: {
    class: 'invalid-input',
    action: 'Check the label or CKA_ID; list the token’s keys to see what exists.',
  },
  SIGNATURE_VERIFY_FAILED: {
    class: 'integrity',
    action:
      'The token produced a signature that does not verify. Nothing was recorded; stop and check the device.',
  },
  KEY_MISMATCH: {
    class: 'integrity',
    action:
      'The signed object names a different public key than the token holds. Nothing was recorded; escalate.',
  },
  KEY_UNRECORDED: {
    class: 'integrity',
    action:
      'A key exists on the token that the journal does not record (named in the message). Record it, or destroy it under witness.',
  },
  RECIPE_NOT_CONFIRMED: {
    class: 'invalid-input',
    action: 'Show what will be created, read it, and confirm that exact template.',
  },
  KEY_POLICY_VIOLATION: {
    class: 'integrity',
    action:
      'The token created a key whose read-back attributes break the station policy; it was destroyed. Escalate: check the module profile and firmware.',
  },
  // Key backup to escrow and key destruction (src/main/adapters/hsm/escrow.ts).
  KEY_NOT_BACKUP_CAPABLE: {
    class: 'invalid-input',
    action:
      'This key cannot be backed up: it is never extractable (the station default) or does not leave its token only under a trusted key. Only keys generated with backup "wrap-with-trusted" can go to escrow; a default key stays on its token.',
  },
  ESCROW_COPY_INVALID: {
    class: 'integrity',
    action:
      'The escrow copy failed a read-back check (named in the message): it was destroyed on the escrow token (data.destroyed says whether) and nothing counts as backed up. Check the escrow token, its module profile and firmware, then repeat the backup.',
  },
  ESCROW_TRANSPORT_KEY_LEFT: {
    class: 'integrity',
    action:
      'A one-time trusted transport key (label named) could not be destroyed on the source token, and it can wrap the key. Destroy it under witness in a security officer session before the token leaves the ceremony.',
  },
  KEY_DESTROY_AMBIGUOUS: {
    class: 'invalid-input',
    action:
      'More than one key pair, or another object, matches this CKA_ID or label (listed): nothing was destroyed. Resolve the look-alike objects first, then destroy a single key.',
  },
  IDENTITY_EXISTS: {
    class: 'state',
    action: 'This station already has an identity key. A station has one identity for its whole life.',
  },
  MODULE_NOT_REGISTERED: {
    class: 'invalid-input',
    action: 'Register the PKCS#11 module first, or check the module id.',
  },
  IDENTITY_MISMATCH: {
    class: 'integrity',
    action:
      'Stop: the station token does not hold the identity key the journal records. Preserve the station and escalate.',
  },
  IDENTITY_TOKEN_UNKNOWN: {
    class: 'integrity',
    action:
      'The station file no longer records which token holds the identity key (table station_identity_token, written once with the identity). The file was changed outside the station: run `station journal verify`, keep the database file, and restore it from backup.',
  },
  IDENTITY_MISSING: {
    class: 'state',
    action: 'This station has no identity key yet. Create it with `station init` on a station token.',
  },
  SHARE_MALFORMED: {
    class: 'invalid-input',
    action: 'Enter the share exactly as printed on the share sheet.',
  },
  SHARE_CHECKSUM: {
    class: 'invalid-input',
    action: 'The share was copied or typed wrongly: compare it with the sheet, group by group.',
  },
  SHARES_REFUSED: {
    class: 'invalid-input',
    action:
      'Nothing was tried on the token. Replace the shares named in the message, or bring more custodians.',
  },
  ROSTER_EXISTS: {
    class: 'state',
    action: 'The roster is already initialised: change it through a quorum session.',
  },
  ROSTER_MISSING: { class: 'state', action: 'Initialise the approved roster first (`station roster init`).' },
  ROSTER_INVALID: { class: 'invalid-input', action: 'Correct the roster entry named in the message.' },
  ROSTER_KEY_REUSED: {
    class: 'invalid-input',
    action: 'Each custodian needs a key of their own: this key is already registered to another custodian.',
  },
  ROSTER_QUORUM_INVALID: {
    class: 'invalid-input',
    action:
      'Nothing was changed. Set a roster quorum of at least 2 and no more than the custodians valid once the change is applied.',
  },
  CUSTODIAN_NOT_FOUND: {
    class: 'invalid-input',
    action: 'Check the custodian id; list the roster to see who is on it.',
  },
  OPERATOR_SIGN_IN_REQUIRED: {
    class: 'state',
    action:
      'Sign in as yourself first: your own roster token and PIN (banner: Sign in; CLI: station session sign-in).',
  },
  OPERATOR_NO_ROSTER: {
    class: 'state',
    action:
      'Acts need a signed-in roster member: initialise the roster first (station custodians roster init).',
  },
  OPERATOR_SESSION_ENDED: {
    class: 'state',
    action: 'Sign in again: that session was signed out or replaced.',
  },
  OPERATOR_SESSION_EXPIRED: { class: 'state', action: 'Sign in again: the session reached its end.' },
  OPERATOR_SESSION_LOCKED: {
    class: 'state',
    action: 'Sign in again: the session locked after a time without any act.',
  },
  OPERATOR_OFF_ROSTER: {
    class: 'state',
    action:
      'The roster entry that proved this session is no longer valid (revoked, expired or replaced): acts need a valid roster member.',
  },
  PREVIEW_REQUIRED: {
    class: 'usage',
    action: 'Show the preview of the act, read what will be recorded and its digest, then confirm it.',
  },
  PREVIEW_STALE: {
    class: 'state',
    action:
      'Something changed since the preview (a field, the signed-in person or the journal): preview the act again and confirm what it shows now.',
  },
  CONFIRM_TYPED_MISMATCH: {
    class: 'invalid-input',
    action: 'Type the value the preview names, exactly, to confirm this destructive act.',
  },
  OPERATOR_ACTOR_MISMATCH: {
    class: 'invalid-input',
    action: 'Leave the name out: the act is recorded under the person who signed in (or whose key signed).',
  },
  SIGNIN_OFF_ROSTER: {
    class: 'integrity',
    action: 'Sign in with your own token: its key must be registered on the approved roster.',
  },
  SIGNIN_ENTRY_NOT_VALID: {
    class: 'state',
    action: 'Your roster entry is not valid now (not yet valid, expired or revoked): ask the roster owners.',
  },
  SIGNIN_BAD_SIGNATURE: {
    class: 'integrity',
    action:
      'The token’s signature did not verify with your registered key: use your own token, and report this.',
  },
  SIGNIN_KEY_FILE_NOT_ALLOWED: {
    class: 'state',
    action:
      'Your roster entry allows sign-in with your token only: use your token, or ask for a quorum-approved roster change that allows a key file.',
  },
  SIGNIN_KEY_NOT_REGISTERED: {
    class: 'integrity',
    action:
      'The key file’s signature did not verify with your registered roster key: choose your own key file, and report this.',
  },
  SIGNIN_PASSPHRASE_REFUSED: {
    class: 'invalid-input',
    action: 'The passphrase did not open the key file. Type it again; the attempt has been journaled.',
  },
  SIGNIN_KEY_FILE_UNENCRYPTED: {
    class: 'invalid-input',
    action:
      'A key file without a passphrase is not a credential: use your passphrase-protected (encrypted PKCS#8) key file.',
  },
  SIGNIN_KEY_FILE_INVALID: {
    class: 'invalid-input',
    action:
      'Choose your key file: one encrypted PKCS#8 PEM private key (-----BEGIN ENCRYPTED PRIVATE KEY-----).',
  },
  QUORUM_SESSION_NOT_FOUND: {
    class: 'invalid-input',
    action: 'Check the session id; list the open quorum sessions.',
  },
  QUORUM_NOT_REACHED: {
    class: 'state',
    action:
      'Not enough custodians have checked in for this session. Bring more custodians to check in; nothing was done.',
  },
  QUORUM_WRONG_OPERATION: {
    class: 'state',
    action:
      'This quorum session authorises a different operation. Open a session for exactly this operation.',
  },
  QUORUM_SESSION_CLOSED: {
    class: 'state',
    action: 'This quorum session is closed or expired: open a new one.',
  },
  QUORUM_SESSION_CLAIMED: {
    class: 'state',
    action:
      'Another act holds this quorum session (QUORUM-CLAIM); nothing was done. Wait for it to finish. If the station stopped during that act, the session stays claimed until it expires: check the token, then open a new session.',
  },
  QUORUM_ACT_UNRECORDED: {
    class: 'integrity',
    action:
      'The act ran on the token but the journal could not record it (named in the message); its quorum session stays closed. Record what the act made, or destroy it under witness, and escalate.',
  },
  QUORUM_REQUIRED: {
    class: 'state',
    action:
      'This token is activated by M-of-N custodian shares: use the ceremony commands with a quorum session.',
  },
  CHECK_IN_REFUSED: {
    class: 'invalid-input',
    action: 'The check-in was refused and recorded; the message says why.',
  },
  NO_ROSTER_KEY_ON_TOKEN: {
    class: 'device',
    action: 'No key on this token is registered on the roster. Insert your own custodian token.',
  },
  SPLIT_NOT_FOUND: { class: 'invalid-input', action: 'Check the split id; list the splits of this station.' },
  SPLIT_SUPERSEDED: {
    class: 'state',
    action:
      'These shares belong to a split a re-issue made void (the message names the split that replaced it and when): use the shares of the current split, and destroy the void ones under witness.',
  },
  SHARES_REISSUE_PENDING: {
    class: 'state',
    action:
      'A share re-issue of this token may have changed its PIN without recording the new split (named in the message); no login was tried. Run `station shares recover --token SERIAL` with M shares of the new split or of the old one, then retry.',
  },
  SHARES_REISSUE_UNRECORDED: {
    class: 'integrity',
    action:
      'C_SetPIN was called but the new split is not recorded: keep every new share file named in the message (they may be the only way into the token) and run `station shares recover --token SERIAL` with M of them (or, if the PIN did not change, M old shares).',
  },
  SHARES_NOT_RECOVERED: {
    class: 'state',
    action:
      'Neither the pending new split nor the old one opened the token with the shares given (one login was tried): nothing was recorded. Bring M shares of the other split.',
  },
  CUSTODY_ITEM_NOT_FOUND: { class: 'invalid-input', action: 'Check the item id; list the custody items.' },
  CUSTODY_ITEM_EXISTS: {
    class: 'invalid-input',
    action: 'An item with this id is already registered: choose another id.',
  },
  OUTPUT_EXISTS: {
    class: 'invalid-input',
    action: 'Choose a new output file: the station never overwrites one.',
  },
  OUTPUT_NOT_PRIVATE: {
    class: 'state',
    action:
      'This volume cannot keep the file private (its mount gives every file group or other access): write it to a volume mounted with a private mode (e.g. fmask=0077) or to a folder on the station disk. Nothing was written.',
  },
  BUNDLE_NOT_ZIP: {
    class: 'invalid-input',
    action: 'The file is not a bundle archive (zip). Check that the right file was picked; do not repair it.',
  },
  BUNDLE_TOO_LARGE: {
    class: 'invalid-input',
    action: 'The bundle file is larger than the station accepts. Ask the sender to split the evidence.',
  },
  BUNDLE_TOO_MANY_ENTRIES: {
    class: 'invalid-input',
    action: 'The bundle holds more files than the station accepts. Ask the sender to re-export it.',
  },
  BUNDLE_ENTRY_TOO_LARGE: {
    class: 'invalid-input',
    action: 'A file in the bundle is larger than the station accepts. Ask the sender to re-export it.',
  },
  BUNDLE_TOTAL_TOO_LARGE: {
    class: 'invalid-input',
    action: 'The bundle unpacks to more than the station accepts. Ask the sender to split it.',
  },
  BUNDLE_RATIO: {
    class: 'integrity',
    action: 'A file expands far beyond its packed size (a decompression bomb). Treat the media as hostile.',
  },
  BUNDLE_NAME_ENCODING: {
    class: 'integrity',
    action: 'A file name is not valid UTF-8. Treat the media as hostile; ask for a re-export.',
  },
  BUNDLE_NAME_NUL: { class: 'integrity', action: 'A file name contains NUL. Treat the media as hostile.' },
  BUNDLE_PATH_ABSOLUTE: {
    class: 'integrity',
    action: 'A file name is an absolute path. Treat the media as hostile.',
  },
  BUNDLE_PATH_TRAVERSAL: {
    class: 'integrity',
    action: 'A file name climbs out of the bundle with "..". Treat the media as hostile.',
  },
  BUNDLE_PATH_BACKSLASH: {
    class: 'integrity',
    action: 'A file name contains a backslash. Treat the media as hostile.',
  },
  BUNDLE_NAME_INVALID: {
    class: 'integrity',
    action: 'A file name is not a plain relative path. Treat the media as hostile; ask for a re-export.',
  },
  BUNDLE_NAME_DUPLICATE: {
    class: 'integrity',
    action: 'Two files in the bundle share a name. Treat the media as hostile.',
  },
  BUNDLE_NAME_CASE_COLLISION: {
    class: 'integrity',
    action: 'Two file names differ only in case. Treat the media as hostile.',
  },
  BUNDLE_NAME_AMBIGUOUS: {
    class: 'integrity',
    action: 'A file carries metadata that could rename it. Treat the media as hostile.',
  },
  BUNDLE_DIRECTORY_ENTRY: {
    class: 'integrity',
    action: 'The bundle holds a directory entry; station bundles hold files only. Ask for a re-export.',
  },
  BUNDLE_SYMLINK: {
    class: 'integrity',
    action: 'The bundle holds a symbolic link. Treat the media as hostile.',
  },
  BUNDLE_SPECIAL_FILE: {
    class: 'integrity',
    action: 'The bundle holds a device, FIFO or socket. Treat the media as hostile.',
  },
  BUNDLE_ENTRY_OVERLAP: {
    class: 'integrity',
    action: 'Two files share the same stored bytes (a zip hard link). Treat the media as hostile.',
  },
  BUNDLE_HEADER_MISMATCH: {
    class: 'integrity',
    action: 'A file’s local header disagrees with the directory. Treat the media as hostile.',
  },
  BUNDLE_HIDDEN_DATA: {
    class: 'integrity',
    action: 'The archive holds bytes no listed file accounts for. Treat the media as hostile.',
  },
  BUNDLE_TRAILING_DATA: {
    class: 'integrity',
    action: 'Data follows the end of the archive. Treat the media as hostile.',
  },
  BUNDLE_ENCRYPTED: {
    class: 'integrity',
    action: 'A file in the bundle is encrypted; station bundles never are. Ask for a re-export.',
  },
  BUNDLE_COMPRESSION_METHOD: {
    class: 'integrity',
    action: 'A file uses a compression method the station does not accept. Ask for a re-export.',
  },
  BUNDLE_SIZE_MISMATCH: {
    class: 'integrity',
    action: 'A file’s size differs from what the archive declares. Treat the media as hostile.',
  },
  BUNDLE_COMMENT: {
    class: 'integrity',
    action:
      'The archive or one of its files carries a comment; station bundles never do. Treat the media as hostile.',
  },
  BUNDLE_DIRECTORY_MISMATCH: {
    class: 'integrity',
    action:
      'The archive directory holds more or other records than it counts, so other zip tools would see other files. Treat the media as hostile.',
  },
  BUNDLE_EXTRA_FIELD: {
    class: 'integrity',
    action:
      'A file carries zip metadata (an extra field) station bundles never use. Treat the media as hostile.',
  },
  BUNDLE_EXTRA_FIELD_INVALID: {
    class: 'integrity',
    action:
      'A file’s zip metadata (extra field) is malformed, oversized or hides data. Treat the media as hostile.',
  },
  BUNDLE_FLAGS_UNSUPPORTED: {
    class: 'integrity',
    action:
      'A file sets zip flags station bundles never use. Ask for a re-export; treat the media as hostile.',
  },
  BUNDLE_ENTRY_ORDER: {
    class: 'integrity',
    action: 'The archive lists its files in another order than it stores them. Treat the media as hostile.',
  },
  BUNDLE_DESCRIPTOR_MISMATCH: {
    class: 'integrity',
    action:
      'A file’s data descriptor is missing or disagrees with the directory. Treat the media as hostile.',
  },
  BUNDLE_DESCRIPTOR_AMBIGUOUS: {
    class: 'integrity',
    action:
      'A stored file followed by a data descriptor holds the descriptor signature, so streaming zip tools would split it into other files. Treat the media as hostile.',
  },
  BUNDLE_CRC_MISMATCH: {
    class: 'integrity',
    action: 'A file does not match the CRC-32 the archive declares. Treat the media as hostile.',
  },
  BUNDLE_ENTRY_HOST: {
    class: 'integrity',
    action:
      'A file claims to be made by another system than the station’s writer (Unix, zip 6.3), so other tools would read its attributes differently (e.g. as a link). Treat the media as hostile.',
  },
  BUNDLE_ENTRY_MODE: {
    class: 'integrity',
    action:
      'A file carries other attributes than a plain 0644 file, which other tools would apply when unpacking. Treat the media as hostile.',
  },
  BUNDLE_ENTRY_VERSION: {
    class: 'integrity',
    action:
      'A file claims to need another zip version than the station writes, so other tools would skip or refuse it. Treat the media as hostile.',
  },
  BUNDLE_TIME_MISMATCH: {
    class: 'integrity',
    action:
      'A file carries two different modification times (DOS fields and extended timestamp), so tools disagree on it. Treat the media as hostile.',
  },
  BUNDLE_ENVELOPE_MISSING: {
    class: 'integrity',
    action: 'The bundle has no signature envelope (bundle.dsse.json). It cannot be trusted.',
  },
  BUNDLE_ENVELOPE_MALFORMED: {
    class: 'integrity',
    action: 'The signature envelope is not a valid DSSE envelope. Treat the media as hostile.',
  },
  BUNDLE_PAYLOAD_TYPE: {
    class: 'integrity',
    action: 'The envelope carries a payload type the station does not accept. Treat the media as hostile.',
  },
  BUNDLE_SIGNER_UNKNOWN: {
    class: 'state',
    action:
      'The bundle is signed by a key that is not in the trust store. Register the signer (fingerprint confirmed out of band) or refuse the bundle.',
  },
  BUNDLE_SIGNER_NOT_VALID: {
    class: 'state',
    action:
      'The signer’s key is expired, not yet valid or revoked in the trust store. Ask for a bundle signed with a valid key.',
  },
  BUNDLE_SIGNATURE_INVALID: {
    class: 'integrity',
    action:
      'The signature does not verify: the bundle was changed after signing. Treat the media as hostile.',
  },
  BUNDLE_ENVELOPE_NOT_LAST: {
    class: 'integrity',
    action: 'The signature envelope is not the last file of the archive. Treat the media as hostile.',
  },
  BUNDLE_SIGNER_NOT_ALLOWED: {
    class: 'integrity',
    action:
      'The key that signed the bundle may not sign this kind (e.g. a reviewer key signing a station bundle). Treat it as forged.',
  },
  BUNDLE_STATION_MISMATCH: {
    class: 'integrity',
    action:
      'The bundle names another station (or none) than the key that signed it. Treat it as forged; do not use it.',
  },
  BUNDLE_REPLAYED: {
    class: 'integrity',
    action:
      'This version of the packet was already imported from this signer (a replay). Nothing changed; ask for a new version if content changed.',
  },
  BUNDLE_ROLLBACK: {
    class: 'integrity',
    action:
      'A newer version of this packet was already imported from this signer: this older one is a rollback. Nothing changed.',
  },
  BUNDLE_STATEMENT_INVALID: {
    class: 'integrity',
    action: 'The signed statement does not have the expected form. Do not use the bundle; report it.',
  },
  BUNDLE_SUBJECT_MISSING: {
    class: 'integrity',
    action:
      'A file the signed statement lists is not in the archive. The bundle is incomplete: ask for a re-export.',
  },
  BUNDLE_EXTRA_FILE: {
    class: 'integrity',
    action: 'The archive holds a file the signed statement does not list. Treat the media as hostile.',
  },
  BUNDLE_DIGEST_MISMATCH: {
    class: 'integrity',
    action: 'A file does not match its signed digest. Treat the media as hostile.',
  },
  BUNDLE_KIND_UNEXPECTED: {
    class: 'invalid-input',
    action: 'This bundle is of another kind than the step expects. Pick the right bundle.',
  },
  BUNDLE_RESTRICTED_CONTENT: {
    class: 'state',
    action:
      'The journal a broad bundle would carry holds restricted detail (the message names the entries): it cannot go to a broad audience. Share the full packet in the approved channel instead; nothing was written.',
  },
  BUNDLE_WRITE_FAILED: {
    class: 'device',
    action:
      'Writing or reading back the bundle on the media failed. Check the media, then export again; nothing was recorded as exported.',
  },
  BUNDLE_NOT_FOUND: {
    class: 'invalid-input',
    action: 'Check the bundle file path or pick the bundle from a listed volume.',
  },
  BUNDLE_UNREADABLE: {
    class: 'device',
    action:
      'The file on the media cannot be opened or read (permissions, a link swapped in, an I/O error). Check the media; if it changed under the station, treat it as hostile.',
  },
  BUNDLE_HOLDER_MISMATCH: {
    class: 'integrity',
    action:
      'The bundle names another key holder than the trusted key that signed it. Treat the media as hostile.',
  },
  JOURNAL_VERIFY_CANCELLED: {
    class: 'state',
    action: 'Nothing was judged: the journal is not verified. Run the verification again to the end.',
  },
  BUNDLE_CANCELLED: {
    class: 'state',
    action: 'The export was cancelled; no bundle was written and nothing was recorded.',
  },
  MEDIA_NOT_READY: {
    class: 'state',
    action:
      'The chosen volume is not ready (absent, read-only or too small). Insert writable media with enough space and pick it.',
  },
  MEDIA_AMBIGUOUS: { class: 'usage', action: 'Several removable volumes are mounted: pick one explicitly.' },
  TRUST_DUPLICATE_KEY: {
    class: 'invalid-input',
    action:
      'This key is already in the trust store: one key has one entry. Change the existing entry instead.',
  },
  EXPORT_BUSY: {
    class: 'state',
    action: 'Another export of this station is running. Wait for it to finish, then export again.',
  },
  BUNDLE_EXPORT_RECOVERED: {
    class: 'state',
    action:
      'An earlier export was written but not recorded; it has been verified and recorded now. Look at the new preview (the next version) and export again.',
  },
  TRUST_NAME_CLASH: {
    class: 'invalid-input',
    action:
      'Another trusted key holder already goes by this name (ignoring case and letter forms). Ask the key holder to register under a name that tells them apart, or revoke the old entry first.',
  },
  TRUST_FINGERPRINT_MISMATCH: {
    class: 'invalid-input',
    action:
      'The fingerprint you confirmed is not the key’s fingerprint. Compare again with the key holder out of band; do not register.',
  },
  TRUST_NOT_FOUND: { class: 'invalid-input', action: 'Check the trust entry id; list the trust store.' },
  KEY_FILE_INVALID: {
    class: 'invalid-input',
    action:
      'The key file cannot be read with this passphrase, or holds an unsupported key (EC P-256/P-384 or Ed25519).',
  },
  KEY_FILE_WEAK: {
    class: 'invalid-input',
    action:
      'The reviewer key file is protected with a weak or outdated key derivation. Re-protect it: `station reviewer rekey --key FILE --out NEW`, then use the new file.',
  },
  APPROVAL_MALFORMED: {
    class: 'integrity',
    action: 'The approval is not a valid signed approval statement. Ask the reviewer to sign again.',
  },
  APPROVAL_TOO_LARGE: {
    class: 'invalid-input',
    action: 'The file is larger than any approval (64 KiB). Pick the reviewer’s approval file itself.',
  },
  APPROVAL_UNREADABLE: {
    class: 'device',
    action:
      'The approval file on the media cannot be opened or read (permissions, an I/O error). Check the media and import it again.',
  },
  APPROVAL_NOT_REGULAR_FILE: {
    class: 'integrity',
    action:
      'The approval on the media is a symbolic link, device, FIFO or directory, not a file. Treat the media as hostile.',
  },
  APPROVAL_SIGNER_UNKNOWN: {
    class: 'state',
    action: 'The approval is signed by a key not in the trust store. Register the reviewer first.',
  },
  APPROVAL_SIGNATURE_INVALID: {
    class: 'integrity',
    action: 'The approval signature does not verify. Treat it as forged; ask the reviewer to sign again.',
  },
  APPROVAL_SIGNER_NOT_VALID: {
    class: 'state',
    action: 'The reviewer key is expired, not yet valid or revoked. Ask for an approval with a valid key.',
  },
  APPROVAL_ROLE_NOT_HELD: {
    class: 'invalid-input',
    action: 'The reviewer does not hold the role the approval claims. Ask the right role holder.',
  },
  APPROVAL_ROLE_NOT_REQUIRED: {
    class: 'invalid-input',
    action: 'The packet does not ask for this role. Ask for an approval in a required role.',
  },
  APPROVAL_PACKET_UNKNOWN: {
    class: 'invalid-input',
    action: 'The approval names a packet this station never issued. Check which station it is for.',
  },
  APPROVAL_DIGEST_MISMATCH: {
    class: 'integrity',
    action:
      'The approval names a packet digest or version this station did not issue. The reviewer saw something else: re-send the bundle.',
  },
  APPROVAL_VERSION_SUPERSEDED: {
    class: 'state',
    action: 'The approval is for an older packet version. The reviewer must review the current version.',
  },
  APPROVAL_EXPIRED: {
    class: 'state',
    action: 'The approval has expired. Ask the reviewer for a fresh approval.',
  },
  APPROVAL_REPLAYED: {
    class: 'integrity',
    action:
      'The approval is not newer than one already accepted from this key (replay or rollback). Nothing changed.',
  },
  APPROVAL_KEY_COUNTED: {
    class: 'invalid-input',
    action: 'This key already counts for another role on this packet version: one key fills one role.',
  },
  PACKET_ITEM_EXISTS: {
    class: 'invalid-input',
    action:
      'Evidence is never replaced: add the corrected item under a new id and note it on the exception register.',
  },
  PACKET_EVIDENCE_UNKNOWN: {
    class: 'invalid-input',
    action: 'Import the evidence into the packet first, then cite it by its id.',
  },
  PACKET_CLAIM_UNSUPPORTED: {
    class: 'invalid-input',
    action:
      'Link at least one evidence item before marking the claim supported, or leave it pending with an exception.',
  },
  PACKET_CLAIM_DERIVED: {
    class: 'invalid-input',
    action:
      'Bind the claim to the check IDs that support it (--check); its status is computed from their findings, never typed.',
  },
  PACKET_EVALUATION_STALE: {
    class: 'state',
    action:
      'Facts or policy changed since the evaluation: evaluate the packet again (station packet evaluate), review the findings, then hand off.',
  },
  GATE_NOT_OPEN: {
    class: 'state',
    action:
      'The activation gate is not open: station gate status names its state and the holds or the missing approval; only records that fix the facts and the approval owner’s approval of the current version open it.',
  },
  PACKET_ACKNOWLEDGEMENT_REFUSED: {
    class: 'invalid-input',
    action:
      'Acknowledge exactly the blocking findings of the categories the policy lets a handoff carry (station packet show lists them); other findings are resolved only by importing the record that fixes them.',
  },
  RECORD_INVALID: {
    class: 'invalid-input',
    action:
      'Correct the named record and field in the source export (or its column mapping) and import the file again; nothing from this file was imported.',
  },
  RECORD_FAMILY_UNKNOWN: {
    class: 'invalid-input',
    action:
      'Name one of the record families in docs/records.md (and its version) in the export, or import it with --family; nothing from this file was imported.',
  },
  POLICY_UNKNOWN: {
    class: 'invalid-input',
    action:
      'Name a policy the station knows in the file (`station policy show` lists them); nothing from this file was imported.',
  },
  POLICY_INVALID: {
    class: 'invalid-input',
    action:
      'Correct the named field of the policy file and import it again; the policy in force is unchanged.',
  },
  WORKFLOW_UNKNOWN: {
    class: 'invalid-input',
    action: 'Name a workflow the station evaluates (the message lists them).',
  },
  SCENARIO_INVALID: {
    class: 'invalid-input',
    action: 'Correct the named field of scenario.json (format: docs/records.md, "Scenario folders").',
  },
  EVALUATION_NOT_FOUND: {
    class: 'invalid-input',
    action: 'Check the evaluation seq: it must be the journal seq of an evaluation.recorded entry.',
  },
  EVALUATION_STALE: {
    class: 'state',
    action:
      'Facts or policy changed since that evaluation: evaluate again (station attest evaluate) and decide on the new one.',
  },
  AUTHORITY_LANE_UNKNOWN: {
    class: 'invalid-input',
    action: 'Name a lane of the authority matrix in force for that evaluation (the message lists them).',
  },
  EVALUATION_IRREPRODUCIBLE: {
    class: 'state',
    action:
      'Recomputed from the records and policy the station held at its seq, the evaluation does not give back the digests it recorded: do not rely on it; evaluate again and report the station version that recorded it.',
  },
  PACKET_NOT_FOUND: {
    class: 'invalid-input',
    action: 'Check the packet id; `station packet list` shows them.',
  },
  PACKET_EXISTS: { class: 'invalid-input', action: 'Choose another packet id; packets are never recreated.' },
  PACKET_STOPPED: {
    class: 'state',
    action:
      'Evidence indicates compromise, unauthorised signing or a supply-chain incident: escalate to incident response. The packet stays stopped.',
  },
  PACKET_VERSION_NOT_FOUND: {
    class: 'invalid-input',
    action: 'Check the version number; list the packet versions.',
  },
  PACKET_NOT_READY: {
    class: 'state',
    action:
      'Resolve the failing completeness checks or the deciding findings (station packet check / show) — by importing the records that fix them and evaluating again — before handing off.',
  },
  EVIDENCE_UNREADABLE: {
    class: 'invalid-input',
    action: 'The file is not what its type says or exceeds the limits. Ask the source for a clean export.',
  },
  HOST_DISCONNECTED: {
    class: 'state',
    action: 'The station process stopped or the connection was lost. Restart the station (npm start).',
  },
  MESSAGE_TOO_LARGE: {
    class: 'invalid-input',
    action:
      'The request is larger than the station accepts (1 MiB). Import large files from removable media instead of pasting them.',
  },
  HOST_LAUNCH_FAILED: {
    class: 'state',
    action:
      'The launch file for the app window could not be written privately. Check that the temporary folder belongs to you and is not shared.',
  },
  SIGNING_ARTIFACTS_MISSING: {
    class: 'state',
    action:
      'The artifacts listed in field missing are not on the media as regular files, or differ from the manifest (digest or size): none of them was signed. Before a run starts nothing is claimed: put the exact frozen artifacts in the media folder (field mediaDir) and run again. During a run what was counted stays counted and the run stays open: put them right and `station sign resume`, or `station sign cancel`.',
  },
  SIGNING_RUN_OPEN: {
    class: 'state',
    action:
      'A signing run for this declaration is still open: `station sign resume` takes it up, `station sign cancel` ends it.',
  },
  SIGNING_NO_OPEN_RUN: {
    class: 'state',
    action: 'No signing run is open for this declaration: start one with `station sign run`.',
  },
  SIGNING_GATE_CHANGED: {
    class: 'state',
    action:
      'The activation gate now opens for other facts than this run was bound to (field declarationId; the message and data.changed name each fact: packet, version, approval, policy, ledger or manifest digest, token, key, key SPKI; data.runId names the run). Nothing more was signed and what was counted stays counted: `station sign cancel` the run, then open a quorum session for the new gated-sign operation and start a new run under the gate as it is now.',
  },
  SIGNING_FOLDER_NOT_ON_MEDIA: {
    class: 'invalid-input',
    action:
      'The folder named by the field (mediaDir or outDir) is not inside a listed media volume (its real path, links resolved). Insert the removable volume, or add its folder to STATION_MEDIA_DIRS, and name a folder on it.',
  },
  SIGNING_NOT_A_FILE: {
    class: 'invalid-input',
    action:
      'A name in the media folder (field mediaDir) is not a regular file (a FIFO, device, folder or link): it is never read or signed. Put the frozen artifact itself on the media, then run or resume.',
  },
  SIGNING_ARTIFACT_SIZE: {
    class: 'integrity',
    action:
      "An artifact on the media (field mediaDir) is longer than the manifest's sizeBytes: it is not the frozen artifact and was neither read to its end nor signed. Put the frozen artifact on the media, then resume.",
  },
  SIGNING_ALREADY_COMPLETED: {
    class: 'state',
    action:
      'A run of this declaration already signed this packet version (station sign status shows it). To sign the same manifest again on purpose, start the run with --again (field again), under a new quorum session.',
  },
  SIGNING_KEY_CHANGED: {
    class: 'integrity',
    action:
      "The signing key on the token (field keyId) is not the key the gate's ledger recorded (its public key digest differs): nothing was signed. Read the token's inventory again, evaluate the packet (a new version), have the approval owner approve that version, then start a new run.",
  },
  SIGNING_SIGNATURE_INVALID: {
    class: 'device',
    action:
      'A signature made on the token did not verify against the public key read from it. It was not counted or written. Check the token and key, then resume.',
  },
  SIGNING_OUTPUT_FOREIGN: {
    class: 'integrity',
    action:
      'A file in the output folder holds a name this run must write and is not a valid signature of this run. The station never overwrites: move it aside, then resume.',
  },
  SIGNING_SUPERSEDED: {
    class: 'state',
    action:
      'Another attempt took this run up (a resume elsewhere): this one stopped without counting anything more. Let that attempt finish, or check `station sign status`.',
  },
  SIGNING_QUORUM_EXPIRED: {
    class: 'state',
    action:
      "The run's quorum session expired before the batch finished. Open a new quorum session for the same gated-sign operation, have the custodians check in, and resume with --quorum-session.",
  },
  SIGNING_WRITE_FAILED: {
    class: 'device',
    action:
      'An output in the output folder (field outDir, the file in path) could not be made durable (the sync of the output volume failed) or did not read back as written; a file that read back wrong was removed, and nothing of its chunk was counted. Check the output volume (space, errors, read-only), then `station sign resume`.',
  },
  SIGNING_CANCELLED: {
    class: 'state',
    action:
      'The run was cancelled: what was counted stays counted and journaled. A new run needs a new quorum and a new output folder.',
  },
  INTERNAL: { class: 'internal', action: 'An unexpected fault. Note the time, keep the logs and report it.' },
} as const satisfies Record<string, { class: FailureClass; action: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

// Compile-time check: every code src/core raises is in the catalogue.
type MissingCoreCodes = Exclude<CoreErrorCode, ErrorCode>;
const coreCodesCatalogued: [MissingCoreCodes] extends [never] ? true : MissingCoreCodes = true;
void coreCodesCatalogued;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

export interface StationErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
  readonly data: ErrorData;
}

/** The envelope every contract call returns (after Signal's wrapResult): never a thrown exception. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StationErrorPayload };
