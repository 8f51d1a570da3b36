-- A stop may be cleared by a custodian quorum bound to exactly that clearance; the stop stays on record.
ALTER TABLE packet_stop ADD COLUMN cleared_seq INTEGER;
ALTER TABLE packet_stop ADD COLUMN clearance TEXT;
