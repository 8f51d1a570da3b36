-- The journal list filters by kind and by actor in SQL (docs/journal-format.md, "Listing and
-- filtering"): an index on each keeps a filter that matches few entries from reading every row. Each
-- index holds the rowid (seq), so matches come out in seq order within a kind or an actor.
CREATE INDEX journal_by_kind ON journal (kind);
CREATE INDEX journal_by_actor ON journal (actor);
