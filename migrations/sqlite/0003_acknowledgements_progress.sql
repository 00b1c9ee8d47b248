-- Rule-change acknowledgements and onboarding progress.
-- The last published version of each tracked passage of the handbook
-- (site::passages: policy pages cut at headings, and cited paragraphs).
CREATE TABLE passages (
    key TEXT PRIMARY KEY,
    page TEXT NOT NULL,
    title TEXT NOT NULL,
    hash TEXT NOT NULL,
    text TEXT NOT NULL,
    published_ms BIGINT NOT NULL
);

-- A passage that read differently when a server started on a rebuilt handbook.
-- old_text is '' for a passage that is new, new_text '' for one that was removed.
CREATE TABLE rule_changes (
    id TEXT PRIMARY KEY,
    passage TEXT NOT NULL,
    page TEXT NOT NULL,
    title TEXT NOT NULL,
    old_text TEXT NOT NULL,
    new_text TEXT NOT NULL,
    changed_ms BIGINT NOT NULL
);
CREATE INDEX rule_changes_at ON rule_changes(changed_ms);

-- Who confirmed having read a change, and when (one row per agent and change).
CREATE TABLE acknowledgements (
    change_id TEXT NOT NULL REFERENCES rule_changes(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (change_id, user_id)
);
CREATE INDEX acknowledgements_user ON acknowledgements(user_id);

-- Lessons a signed-in user has opened (page source path below content/).
CREATE TABLE lesson_opens (
    user_id TEXT NOT NULL REFERENCES users(id),
    page TEXT NOT NULL,
    first_ms BIGINT NOT NULL,
    last_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, page)
);

-- A user's practice progress per practice quiz, as their browser last reported it.
CREATE TABLE practice_progress (
    user_id TEXT NOT NULL REFERENCES users(id),
    quiz_id TEXT NOT NULL,
    checked BIGINT NOT NULL,
    correct BIGINT NOT NULL,
    total BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, quiz_id)
);
