-- The import high-water mark (BND-REPLAY): the newest version imported per signer key, packet and kind is
-- looked up before every bundle import. An index over exactly that key, with the version last, answers it
-- from the index alone.
CREATE INDEX bundle_imported_high_water ON bundle_imported (signer_fingerprint, packet_id, bundle_kind, version);
