-- newsrec store, schema version 4: candidates packed per impression; a covering index for the latest histories.
--
-- Until version 3 every candidate was a row of `candidates` (split, impression_id, position, news, label): 80M rows
-- for a MIND-large train split, most of the store's size and of the ingest's time. From version 4 the candidates
-- of an impression are one text column of the impression, in file order, separated by single spaces, each entry
-- the news id followed by '-1' (clicked), '-0' (not clicked) or '-?' (unlabelled), e.g. 'N55689-1 N35729-0'.
-- The id is what precedes the last '-', so ids may contain '-'. An impression without candidates has ''.
--
-- Existing stores are converted in place: the candidates are packed in position order and the table dropped (its
-- pages go to the free list; `VACUUM` returns them to the file system).

ALTER TABLE impressions ADD COLUMN candidate_list TEXT NOT NULL DEFAULT '';

UPDATE impressions SET candidate_list = coalesce((
    SELECT group_concat(entry, ' ') FROM (
        SELECT c.news || CASE c.label WHEN 1 THEN '-1' WHEN 0 THEN '-0' ELSE '-?' END AS entry
        FROM candidates AS c
        WHERE c.split = impressions.split AND c.impression_id = impressions.impression_id
        ORDER BY c.position)), '');

DROP TABLE candidates;

-- The users' latest impressions are recomputed after every ingest of a behaviors file by ranking each user's
-- impressions by (time, split, impression_id): with those columns in the index the ranking reads only the index, and
-- only the winners' rows (with their histories) are read from the table.
DROP INDEX impressions_by_user_time;
CREATE INDEX impressions_by_user_time ON impressions (user, time, split, impression_id);

-- The same rows as the old table, for ad-hoc queries and tools (the program itself reads candidate_list). A filter
-- on split and impression_id uses the impressions' index. Ids containing control characters cannot be unpacked
-- here (JSON), only by the program.
CREATE VIEW candidates (split, impression_id, position, news, label) AS
SELECT i.split, i.impression_id, j.key, substr(j.value, 1, length(j.value) - 2),
       CASE substr(j.value, -1) WHEN '1' THEN 1 WHEN '0' THEN 0 END
FROM impressions AS i,
     json_each('["' || replace(replace(replace(i.candidate_list, '\', '\\'), '"', '\"'), ' ', '","') || '"]') AS j
WHERE i.candidate_list <> '';
