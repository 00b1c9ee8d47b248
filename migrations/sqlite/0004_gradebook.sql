-- What the results views read, kept small enough to read fast at 10,000 agents.
--
-- A certificate's cited paragraphs (source, hash and text of each, as JSON) are
-- stored once per distinct set, named by the blake3 hash of the JSON: every
-- certificate of one exam on one version of the handbook cites the same set.
-- Certificates issued before this migration are moved over by the server when it
-- migrates (Store::migrate); their `cited` column is then emptied.
CREATE TABLE cited_sets (
    hash TEXT PRIMARY KEY,
    cited TEXT NOT NULL
);
ALTER TABLE certificates ADD COLUMN cited_set TEXT REFERENCES cited_sets(hash);
CREATE INDEX certificates_attempt ON certificates(attempt_id);
CREATE INDEX certificates_revoked ON certificates(revoked_ms) WHERE revoked_ms IS NOT NULL;
-- The certificates still to move into sets (none once moved: every start looks).
CREATE INDEX certificates_unmoved ON certificates(id) WHERE cited_set IS NULL;

-- Every graded attempt once, numbered in the order the grades were written (seq):
-- who sat which exam when, the score, and each question's outcome as the statistics
-- read it: JSON [[question id, share of its marks earned, [chosen option indices] or
-- null], …] in paper order. Written in the grading transaction, copied from the
-- attempt (which a grade never changes again), so the results views read this small
-- table and not the attempts' papers and answers. Attempts graded before this
-- migration are added when a server first starts on it (their questions are read
-- against the handbook it serves).
CREATE TABLE graded_attempts (
    seq INTEGER PRIMARY KEY,
    attempt_id TEXT NOT NULL UNIQUE REFERENCES attempts(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    exam_id TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    submitted_ms BIGINT NOT NULL,
    points DOUBLE PRECISION NOT NULL,
    max_points DOUBLE PRECISION NOT NULL,
    passed BIGINT NOT NULL,
    responses TEXT NOT NULL
);
