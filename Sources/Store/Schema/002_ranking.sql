-- newsrec store, schema version 2: the ranking cache.
--
-- Vectors are cached per model. A model id is the 64-bit FNV-1a hash of its checkpoint files (model.safetensors,
-- config.json, vocab.txt) as 16 hex digits, so a retrained or edited checkpoint never reads another one's vectors.
-- Vectors are BLOBs of `dimension` IEEE-754 float32 values, little-endian, no header.

-- Every model whose vectors the store caches.
CREATE TABLE models (
    id            TEXT    PRIMARY KEY,    -- FNV-1a 64 of the checkpoint files, 16 lowercase hex digits
    dimension     INTEGER NOT NULL CHECK (dimension > 0),  -- length of news and user vectors
    config        TEXT    NOT NULL,       -- the checkpoint's config.json as written
    checkpoint    TEXT    NOT NULL,       -- directory the model was first registered from (informational)
    registered_at REAL    NOT NULL        -- Unix seconds
);

-- The news encoder's output for each (model, news). A rowid table: rows of 1–2 KB are too large for WITHOUT ROWID.
CREATE TABLE news_vectors (
    model  TEXT NOT NULL REFERENCES models (id),
    news   TEXT NOT NULL,
    vector BLOB NOT NULL,                 -- dimension × float32, little-endian
    PRIMARY KEY (model, news)
);

-- The user encoder's output over a user's last clicks. `version` identifies the history it was computed from
-- (FNV-1a 64 of the clicked ids, oldest first); a lookup with another version is a miss and the ranker recomputes.
CREATE TABLE user_vectors (
    model          TEXT    NOT NULL REFERENCES models (id),
    user           TEXT    NOT NULL,
    version        TEXT    NOT NULL,
    history_length INTEGER NOT NULL,      -- number of clicks the vector was computed from
    vector         BLOB    NOT NULL,      -- dimension × float32, little-endian
    PRIMARY KEY (model, user)
);

-- "Impressions of the last hours" (fresh candidates, click popularity) and recent recorded clicks.
CREATE INDEX impressions_by_time ON impressions (time);
CREATE INDEX clicks_by_time ON clicks (time);
