-- Each user's onboarding progress in numbers, so that a team's list reads one row per
-- agent instead of counting thousands of lesson opens: lessons opened and when last,
-- practice quizzes finished (every question checked) and when last reported. Kept by
-- the same transactions that write lesson_opens and practice_progress, recounted from
-- them each time (so it cannot drift); filled here from what was written before.
CREATE TABLE progress_totals (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    lessons BIGINT NOT NULL,
    opened_ms BIGINT,
    practice_done BIGINT NOT NULL,
    practised_ms BIGINT
);
INSERT INTO progress_totals (user_id, lessons, opened_ms, practice_done, practised_ms)
SELECT u.id,
    (SELECT COUNT(*) FROM lesson_opens l WHERE l.user_id = u.id),
    (SELECT MAX(l.last_ms) FROM lesson_opens l WHERE l.user_id = u.id),
    (SELECT COUNT(*) FROM practice_progress p
     WHERE p.user_id = u.id AND p.total > 0 AND p.checked >= p.total),
    (SELECT MAX(p.updated_ms) FROM practice_progress p WHERE p.user_id = u.id)
FROM users u
WHERE EXISTS (SELECT 1 FROM lesson_opens l WHERE l.user_id = u.id)
   OR EXISTS (SELECT 1 FROM practice_progress p WHERE p.user_id = u.id);
