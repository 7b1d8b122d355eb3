-- newsrec store, schema version 1.
--
-- Applied by SchemaMigrator inside one transaction that also sets PRAGMA user_version = 1. The program sets
-- page_size = 8192 and journal_mode = WAL before this runs (neither can be set inside a transaction). A later
-- file NNN_name.sql upgrades version NNN-1 to NNN (e.g. 002_embeddings.sql for cached news vectors).
--
-- Splits are stored as their names: 'train', 'dev', 'test'. Times are Unix seconds (UTC).

-- One row per news article ever ingested (the union of all news.tsv files; a re-ingest updates in place).
CREATE TABLE news (
    id                TEXT PRIMARY KEY,   -- e.g. 'N37378'
    category          TEXT NOT NULL,
    subcategory       TEXT NOT NULL,
    title             TEXT NOT NULL,
    abstract          TEXT NOT NULL,      -- '' when the file has none
    url               TEXT NOT NULL,
    title_entities    TEXT NOT NULL,      -- JSON array of entity objects, keys as in news.tsv ('[]' when none)
    abstract_entities TEXT NOT NULL
);

-- The same entities, one row each, for queries by WikiData id or type.
CREATE TABLE news_entities (
    news          TEXT    NOT NULL,
    field         TEXT    NOT NULL CHECK (field IN ('title', 'abstract')),
    position      INTEGER NOT NULL,       -- 0-based index in the JSON array
    label         TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    wikidata_id   TEXT    NOT NULL,
    confidence    REAL    NOT NULL,
    offsets       TEXT    NOT NULL,       -- JSON array of character offsets
    surface_forms TEXT    NOT NULL,       -- JSON array of strings
    PRIMARY KEY (news, field, position)
) WITHOUT ROWID;
CREATE INDEX news_entities_by_wikidata_id ON news_entities (wikidata_id);

-- Which news each split's news.tsv defines (a split's rows are replaced when its news file is ingested again).
CREATE TABLE split_news (
    split TEXT NOT NULL CHECK (split IN ('train', 'dev', 'test')),
    news  TEXT NOT NULL,
    PRIMARY KEY (split, news)
) WITHOUT ROWID;

-- One row per line of behaviors.tsv. A split's impressions (and their candidates) are replaced as a whole when
-- its behaviors file is ingested again.
CREATE TABLE impressions (
    split         TEXT    NOT NULL CHECK (split IN ('train', 'dev', 'test')),
    impression_id INTEGER NOT NULL,       -- the ImpressionID column as written
    user          TEXT    NOT NULL,
    time          INTEGER NOT NULL,
    history       TEXT    NOT NULL,       -- clicked news ids before the impression, oldest first, space-separated
    candidates    INTEGER NOT NULL,       -- number of candidate rows
    clicks        INTEGER,                -- number of clicked candidates; NULL when unlabelled (test split)
    UNIQUE (split, impression_id)         -- also the index for "impressions of a split in order"
);
CREATE INDEX impressions_by_user_time ON impressions (user, time);

-- The candidates of each impression in file order; the primary key is the index for "candidates of an impression".
CREATE TABLE candidates (
    split         TEXT    NOT NULL,
    impression_id INTEGER NOT NULL,
    position      INTEGER NOT NULL,       -- 0-based, file order
    news          TEXT    NOT NULL,
    label         INTEGER CHECK (label IN (0, 1)),  -- 1 clicked, 0 not clicked, NULL unlabelled
    PRIMARY KEY (split, impression_id, position)
) WITHOUT ROWID;

-- Per split, every news id the behaviors file mentions, with how often (counts of that split's file). Ids that
-- no row of `news` defines are the "unknown news" an ingest reports.
CREATE TABLE news_references (
    split             TEXT    NOT NULL,
    news              TEXT    NOT NULL,
    history_count     INTEGER NOT NULL,   -- occurrences in histories
    impression_count  INTEGER NOT NULL,   -- occurrences as a candidate
    click_count       INTEGER NOT NULL,   -- occurrences as a clicked candidate
    PRIMARY KEY (split, news)
) WITHOUT ROWID;

-- Per user, the history of their latest impression by time over all ingested splits (ties: later split name,
-- then higher impression id). Recomputed from `impressions` by every ingest of a behaviors file.
CREATE TABLE user_histories (
    user          TEXT    PRIMARY KEY,
    split         TEXT    NOT NULL,
    impression_id INTEGER NOT NULL,
    time          INTEGER NOT NULL,
    history       TEXT    NOT NULL        -- space-separated news ids, oldest first
);

-- Clicks recorded after ingest (e.g. by a serving front end), appended to the latest history in (time, seq) order.
CREATE TABLE clicks (
    user TEXT    NOT NULL,
    seq  INTEGER NOT NULL,                -- 1, 2, … per user, in recording order
    news TEXT    NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (user, seq)
) WITHOUT ROWID;

-- One row per successful `newsrec ingest` run.
CREATE TABLE ingest_runs (
    id               INTEGER PRIMARY KEY,
    split            TEXT    NOT NULL,
    news_file        TEXT,
    behaviors_file   TEXT,
    started_at       REAL    NOT NULL,    -- Unix seconds
    seconds          REAL    NOT NULL,    -- wall time of the run
    news_rows        INTEGER NOT NULL,
    impressions      INTEGER NOT NULL,
    candidates       INTEGER NOT NULL,
    skipped_lines    INTEGER NOT NULL,
    unknown_news     INTEGER NOT NULL     -- distinct ids in this split's histories/candidates not in `news`
);
