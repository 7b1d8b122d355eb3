-- newsrec store, schema version 3: title changes and cache invalidation.
--
-- A news vector depends only on what the news encoder reads — the title — and a user vector on the vectors of the
-- user's history. When an ingest (or a live article update) changes the title of a stored news, it deletes that
-- news' vectors of every model and the user vectors whose history contains it, in the same transaction, and
-- records the change here. The largest `seq` is the invalidation epoch: the ranker reads it with a user vector's
-- inputs and caches the vector only if the epoch is unchanged when it writes (see SQL.upsertUserVector), so a vector
-- computed from a title that changed meanwhile is never cached.

CREATE TABLE news_title_changes (
    seq        INTEGER PRIMARY KEY,       -- 1, 2, … in the order of the changes
    news       TEXT    NOT NULL,
    old_title  TEXT    NOT NULL,
    new_title  TEXT    NOT NULL,
    changed_at REAL    NOT NULL           -- Unix seconds
);
