-- Admin actions: an exam reset voids the agent's open attempt (kept, never graded,
-- never counted) and starts a fresh count of attempts and retake waits; a revoked
-- certificate keeps its reason. Graded attempts are never deleted.
ALTER TABLE attempts ADD COLUMN voided_ms BIGINT;
DROP INDEX attempts_one_open;
-- One open (not submitted, not voided) attempt per agent per exam.
CREATE UNIQUE INDEX attempts_one_open ON attempts(user_id, exam_id)
    WHERE submitted_ms IS NULL AND voided_ms IS NULL;

-- Attempts started before an agent's latest reset of an exam no longer count toward
-- its attempt limit and retake wait.
CREATE TABLE exam_resets (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    exam_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX exam_resets_user_exam ON exam_resets(user_id, exam_id);

ALTER TABLE certificates ADD COLUMN revoked_reason TEXT;
