/**
 * Ceremony files (docs/ceremony-format.md): the format, its closed vocabularies, strict validation with
 * field paths, the file digest, and the printable script model. Pure: the YAML decoding and file reading
 * live in src/main/adapters/ceremony.
 */
export * from './vocabulary';
export {
  actSchema,
  bagSchema,
  ceremonyFileSchema,
  deviceSchema,
  escrowSchema,
  keySchema,
  participantSchema,
  preconditionSchema,
  quorumSchema,
  rosterChangeSchema,
  sharesSchema,
  stepSchema,
  type CeremonyAct,
  type CeremonyFile,
  type CeremonyStep,
  type Precondition,
} from './schema';
export {
  CEREMONY_FILE_MAX_BYTES,
  ceremonyDigest,
  ceremonyFileError,
  checkCeremonySize,
  fieldPath,
  findCredentialKey,
  isCredentialKey,
  validateCeremony,
  type CeremonyDigest,
  type CeremonyErrorCode,
  type FieldPath,
  type LineOf,
  type LoadedCeremony,
} from './validate';
export {
  actSentence,
  ceremonyScript,
  postconditionSentence,
  preconditionSentence,
  scriptText,
  type CeremonyScript,
  type ScriptLine,
  type ScriptLineKind,
  type ScriptSection,
} from './script';
