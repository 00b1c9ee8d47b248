-- Accounts, sessions, exam attempts, certificates and the audit log.
-- Times are milliseconds since the Unix epoch (BIGINT); flags are 0/1 (BIGINT);
-- structured values are JSON in TEXT. Ids are random text made by the server.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    password_hash TEXT,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- One-time links: the first admin's setup link, password resets.
CREATE TABLE setup_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT
);

-- Failed sign-ins per key ("addr:1.2.3.4", "login:alice") in the current window.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start_ms BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    exam_id TEXT NOT NULL,
    seed BIGINT NOT NULL,
    paper TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '{}',
    started_ms BIGINT NOT NULL,
    deadline_ms BIGINT NOT NULL,
    submitted_ms BIGINT,
    points DOUBLE PRECISION,
    max_points DOUBLE PRECISION,
    passed BIGINT,
    results TEXT
);
CREATE INDEX attempts_user_exam ON attempts(user_id, exam_id);
-- One open attempt per agent per exam.
CREATE UNIQUE INDEX attempts_one_open ON attempts(user_id, exam_id) WHERE submitted_ms IS NULL;

CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    exam_id TEXT NOT NULL,
    attempt_id TEXT NOT NULL REFERENCES attempts(id),
    name TEXT NOT NULL,
    score_percent DOUBLE PRECISION NOT NULL,
    issued_ms BIGINT NOT NULL,
    expires_ms BIGINT,
    revoked_ms BIGINT,
    cited TEXT NOT NULL
);
CREATE INDEX certificates_user ON certificates(user_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at_ms);
