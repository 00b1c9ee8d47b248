//! A plausible company for a demo (and for the results benchmark): teams, a trainer,
//! a supervisor per team, an admin and some hundreds of agents, whose exam attempts
//! are spread over the last fifteen months — so certificates come in every state:
//! valid, expiring, expired, revoked, and "re-certification needed" where the
//! certificate was issued against an older text of a cited paragraph.
//!
//! Answers are simulated from an item-response model: each agent has an ability,
//! each question a difficulty (from its id, so it is stable between runs), and the
//! chance of a right answer is the logistic of their difference; a wrong answer
//! picks a wrong option, some options more often than others. The papers are drawn
//! and graded by the same code as real exams, so every statistic the dashboard shows
//! is computed from data shaped like real data. Deterministic for a given seed.
//!
//! One rule changed ten days ago (a sentence dropped from a cited policy paragraph):
//! about two agents in three have acknowledged it, the others have not. Agents have
//! read the handbook in order, most of them all of it, some part-way, a few not yet,
//! and practised on the lessons they reached.
//!
//! Only ever writes to the database it is given; `shouce demo seed` gives it a
//! separate demo database, never the real one.

use std::collections::BTreeMap;

use crate::quiz::draw::{self, displayed};
use crate::quiz::simulate::{right_answer, wrong_answer};
use crate::quiz::view::answer_json;
use crate::quiz::{ExamSettings, Kind};
use crate::site::passages::passages;
use crate::site::{QuizFile, Site};
use crate::store::{
    Finished, NewAttempt, NewCertificate, NewUser, PracticeRow, PublishedPassage, Role, RuleChange,
    Store, StoreError, Submission,
};

use super::certificates::{Cited, cited_json};
use super::grading::{grade_paper, responses_json};

/// The password of every demo account (printed by `shouce demo seed`).
pub const PASSWORD: &str = "shouce-demo";
pub const TEAMS: [&str; 5] = ["售前一组", "售前二组", "售后一组", "售后二组", "大促支援组"];
const DAY_MS: i64 = 86_400_000;
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲";

/// What a seeding made.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub agents: usize,
    pub attempts: usize,
    pub certificates: usize,
    /// Acknowledgements of rule changes.
    pub acknowledged: usize,
    /// Lessons opened, over every agent.
    pub lessons_opened: usize,
}

/// splitmix64, as the paper draw uses: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A question's difficulty in [-1.5, 1.5], from its id.
fn difficulty(id: &str) -> f64 {
    let hash = blake3::hash(id.as_bytes());
    let byte = hash.as_bytes()[0];
    f64::from(byte) / 255.0 * 3.0 - 1.5
}

fn name(rng: &mut Rng) -> String {
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let mut name = String::new();
    name.push(surnames[rng.below(surnames.len())]);
    for _ in 0..=rng.below(2) {
        name.push(given[rng.below(given.len())]);
    }
    name
}

/// Fills `store` with a demo company of `agents` agents, as of `now_ms`.
pub async fn seed(
    store: &Store,
    site: &Site,
    password_hash: &str,
    agents: usize,
    seed: u64,
    now_ms: i64,
) -> Result<Seeded, StoreError> {
    let rng = Rng(seed);
    let account = |login: String, name: String, team: &str, role: Role| NewUser {
        login,
        name,
        team: team.to_owned(),
        role,
        password_hash: Some(password_hash.to_owned()),
    };
    let start = now_ms - 450 * DAY_MS;
    seed_staff(store, password_hash, start).await?;
    let exams = exams(site);
    let mut company = Company {
        store,
        site,
        rng,
        seeded: Seeded::default(),
    };
    let mut agent_ids = Vec::with_capacity(agents);
    for n in 0..agents {
        let team = TEAMS[n % TEAMS.len()];
        let user = store
            .add_user(
                &account(
                    format!("A{:04}", n + 1),
                    name(&mut company.rng),
                    team,
                    Role::Agent,
                ),
                start,
            )
            .await?;
        company.seeded.agents += 1;
        agent_ids.push(user.id.clone());
        let ability = company.rng.normal() * 0.8 + 1.3;
        for &(file, settings) in &exams {
            // Some never sit an exam; the others start at a random time and retake
            // after failing, up to the exam's limit.
            if company.rng.unit() < 0.12 {
                continue;
            }
            let mut at = start
                + (company.rng.unit() * 430.0) as i64 * DAY_MS
                + company.rng.below(8 * 3_600_000) as i64;
            let limit = settings.max_attempts.unwrap_or(3).min(3) as usize;
            for retake in 0..limit {
                // Agents study between attempts.
                let ability = ability + 0.4 * retake as f64;
                if at >= now_ms {
                    break;
                }
                let passed = sit(&mut company, (file, settings), &user.id, ability, at).await?;
                if passed {
                    break;
                }
                at += (i64::from(settings.retake_after_hours) * 3_600_000).max(DAY_MS)
                    + company.rng.below(10) as i64 * DAY_MS;
            }
        }
    }
    let changes = rule_changes(store, site, 1, start, now_ms).await?;
    let agents: Vec<(String, i64)> = agent_ids.into_iter().map(|id| (id, start)).collect();
    let done = activity(store, site, &agents, &changes, seed, now_ms).await?;
    company.seeded.acknowledged = done.acknowledged;
    company.seeded.lessons_opened = done.lessons_opened;
    Ok(company.seeded)
}

/// The admin, the trainer and a supervisor per team.
async fn seed_staff(store: &Store, password_hash: &str, at: i64) -> Result<Seeded, StoreError> {
    let account = |login: &str, name: String, team: &str, role: Role| NewUser {
        login: login.to_owned(),
        name,
        team: team.to_owned(),
        role,
        password_hash: Some(password_hash.to_owned()),
    };
    store
        .add_user(&account("admin", "演示管理员".into(), "", Role::Admin), at)
        .await?;
    store
        .add_user(
            &account("trainer", "演示培训师".into(), "", Role::Trainer),
            at,
        )
        .await?;
    for (i, team) in TEAMS.iter().enumerate() {
        let login = format!("sup{}", i + 1);
        store
            .add_user(
                &account(&login, format!("{team}主管"), team, Role::Supervisor),
                at,
            )
            .await?;
    }
    Ok(Seeded::default())
}

/// The site's exams.
fn exams(site: &Site) -> Vec<(&QuizFile, &ExamSettings)> {
    site.quizzes
        .iter()
        .filter_map(|q| match &q.quiz.kind {
            Kind::Exam(settings) => Some((q, settings)),
            Kind::Practice => None,
        })
        .collect()
}

/// Rule changes the results benchmark records (the demo records one).
pub const VOLUME_CHANGES: usize = 6;

/// Agents whose activity is seeded at once (their writes share commits).
const TOGETHER: usize = 64;

/// The handbook as first published (the first `count` cited policy paragraphs in an
/// older wording, or the first passage when no exam cites one), a change to today's
/// text of each — the newest ten days ago, the others 45 days apart before it — so
/// that serving the handbook finds nothing new. Returns each change's id and time,
/// newest first.
async fn rule_changes(
    store: &Store,
    site: &Site,
    count: usize,
    start: i64,
    now_ms: i64,
) -> Result<Vec<(String, i64)>, StoreError> {
    let current = passages(&site.library, &site.quizzes);
    let mut cited: Vec<String> = Vec::new();
    for key in site
        .quizzes
        .iter()
        .filter(|q| q.quiz.is_exam())
        .flat_map(|q| &q.quiz.items)
        .filter_map(|i| i.question.source.as_ref())
        .filter_map(crate::site::lessons::resolve_source)
        .map(|r| match r.anchor {
            Some(a) => format!("{}#{a}", r.page),
            None => r.page.to_owned(),
        })
    {
        if !cited.contains(&key) {
            cited.push(key);
        }
    }
    let mut changed: Vec<&crate::site::passages::Passage> = cited
        .iter()
        .filter_map(|k| current.iter().find(|p| &p.key == k))
        .take(count)
        .collect();
    if changed.is_empty() {
        changed.extend(current.first());
    }
    let published = |p: &crate::site::passages::Passage, text: &str| PublishedPassage {
        key: p.key.clone(),
        page: p.page.clone(),
        title: p.title.clone(),
        hash: blake3::hash(text.as_bytes()).to_hex().to_string(),
        text: text.to_owned(),
    };
    let old = |p: &crate::site::passages::Passage| format!("{}{OLD_SENTENCE}", p.text);
    let first: Vec<PublishedPassage> = current
        .iter()
        .map(|p| match changed.iter().find(|c| c.key == p.key) {
            Some(c) => published(p, &old(c)),
            None => published(p, &p.text),
        })
        .collect();
    store.publish_passages(&first, &[], start).await?;
    // Oldest first, so that each publishes over the last.
    for (i, p) in changed.iter().enumerate().rev() {
        let change = RuleChange {
            id: String::new(),
            passage: p.key.clone(),
            page: p.page.clone(),
            title: p.title.clone(),
            old_text: old(p),
            new_text: p.text.clone(),
            changed_ms: 0,
        };
        let at = now_ms - 10 * DAY_MS - i as i64 * 45 * DAY_MS;
        store
            .publish_passages(&[published(p, &p.text)], &[change], at)
            .await?;
    }
    Ok(store
        .rule_changes()
        .await?
        .into_iter()
        .map(|c| (c.id, c.changed_ms))
        .collect())
}

/// What every agent did besides exams: their onboarding progress (lessons opened in
/// reading order, practice quizzes on the lessons reached) and their acknowledgements
/// of `changes` (newest first: about two agents in three have read the newest one,
/// nearly everyone the older ones). `agents` are (id, account created).
async fn activity(
    store: &Store,
    site: &Site,
    agents: &[(String, i64)],
    changes: &[(String, i64)],
    seed: u64,
    now_ms: i64,
) -> Result<Seeded, StoreError> {
    let lib = &site.library;
    let lessons: Vec<&str> = lib
        .reading_order()
        .into_iter()
        .filter_map(|child| lib.page(child).map(|p| p.source.as_str()))
        .collect();
    // Each practice quiz, with the position of its first lesson in reading order.
    let practice: Vec<(&QuizFile, usize)> = site
        .quizzes
        .iter()
        .filter(|q| !q.quiz.is_exam())
        .map(|q| {
            let at = q
                .quiz
                .lessons
                .iter()
                .filter_map(crate::site::lessons::resolve_lesson)
                .find_map(|r| lessons.iter().position(|l| *l == r.page))
                .unwrap_or(0);
            (q, at)
        })
        .collect();
    let mut total = Seeded::default();
    for (k, chunk) in agents.chunks(TOGETHER).enumerate() {
        let tasks = chunk.iter().enumerate().map(|(j, (user_id, created))| {
            let n = (k * TOGETHER + j) as u64;
            let mut rng = Rng(seed ^ 0x5EED ^ n.wrapping_mul(0x9FB2_1C65_1E98_DF25));
            let (lessons, practice) = (&lessons, &practice);
            async move {
                let mut made = Seeded::default();
                // How far they have read: most all of it, some part-way, a few nothing.
                let u = rng.unit();
                let reach = if u < 0.06 {
                    0
                } else if u < 0.6 {
                    lessons.len()
                } else {
                    rng.below(lessons.len()) + 1
                };
                let span = (now_ms - DAY_MS - created).max(DAY_MS);
                let mut at = created + (rng.unit() * span as f64) as i64;
                let mut opened_at = Vec::with_capacity(reach);
                let mut opens = Vec::with_capacity(reach);
                for lesson in &lessons[..reach.min(lessons.len())] {
                    at = (at + rng.below(8 * 3_600_000) as i64).min(now_ms);
                    opened_at.push(at);
                    // Those still reading skip a lesson now and then.
                    if reach == lessons.len() || rng.below(10) > 0 {
                        opens.push(((*lesson).to_owned(), at));
                    }
                }
                let mut rows = Vec::new();
                for &(quiz, first) in practice {
                    let Some(&reached) = opened_at.get(first) else {
                        continue;
                    };
                    if rng.unit() < 0.15 {
                        continue;
                    }
                    let total = quiz.quiz.items.len();
                    let checked = if rng.unit() < 0.7 {
                        total
                    } else {
                        rng.below(total) + 1
                    };
                    let correct = (0..checked).filter(|_| rng.unit() < 0.78).count();
                    rows.push(PracticeRow {
                        quiz_id: quiz.quiz.id.clone(),
                        checked: checked as i64,
                        correct: correct as i64,
                        total: total as i64,
                        updated_ms: (reached + rng.below(3 * 3_600_000) as i64).min(now_ms),
                    });
                }
                store.record_lesson_opens(user_id, &opens).await?;
                store.record_practice(user_id, &rows).await?;
                made.lessons_opened += opens.len();
                for (i, (change, changed)) in changes.iter().enumerate() {
                    let reads = if i == 0 {
                        rng.below(3) < 2
                    } else {
                        rng.below(20) > 0
                    };
                    if *changed >= *created && reads {
                        let when = (changed + rng.below(9 * 24) as i64 * 3_600_000).min(now_ms);
                        store.acknowledge(change, user_id, when).await?;
                        made.acknowledged += 1;
                    }
                }
                Ok::<_, StoreError>(made)
            }
        });
        for made in futures_util::future::join_all(tasks).await {
            let made = made?;
            total.lessons_opened += made.lessons_opened;
            total.acknowledged += made.acknowledged;
        }
    }
    Ok(total)
}

/// For the results benchmark: [`VOLUME_CHANGES`] rule changes and every active
/// agent's onboarding progress and acknowledgements (see [`activity`]), added to a
/// database seeded with [`seed_volume`] (or one seeded before this existed).
pub async fn seed_activity(
    store: &Store,
    site: &Site,
    seed: u64,
    now_ms: i64,
) -> Result<Seeded, StoreError> {
    let start = now_ms - 450 * DAY_MS;
    let changes = rule_changes(store, site, VOLUME_CHANGES, start, now_ms).await?;
    let agents: Vec<(String, i64)> = store
        .agents("")
        .await?
        .into_iter()
        .map(|a| (a.id, start))
        .collect();
    activity(store, site, &agents, &changes, seed, now_ms).await
}

/// Where the attempts go, and the generator and tally they share.
struct Company<'a> {
    store: &'a Store,
    site: &'a Site,
    rng: Rng,
    seeded: Seeded,
}

/// One attempt: draw, answer as an agent of `ability` would, grade, store; a pass
/// earns a certificate. Returns whether it passed.
async fn sit(
    company: &mut Company<'_>,
    (file, settings): (&QuizFile, &ExamSettings),
    user_id: &str,
    ability: f64,
    at: i64,
) -> Result<bool, StoreError> {
    let Company {
        store,
        site,
        rng,
        seeded,
    } = company;
    let items = &file.quiz.items;
    let paper = draw::draw(items, settings, rng.next());
    let mut answers = serde_json::Map::new();
    for (i, pq) in paper.questions.iter().enumerate() {
        let item = &items[pq.item];
        let (question, key) = displayed(item, pq);
        let chance = 1.0 / (1.0 + (-(1.7 * (ability - difficulty(&question.id)))).exp());
        let answer = if rng.unit() < chance {
            right_answer(&question, &key)
        } else {
            // Wrong options are not equally tempting: the first wrong one most.
            wrong_answer(
                &key,
                usize::from(rng.unit() > 0.6) + usize::from(rng.unit() > 0.85),
            )
        };
        answers.insert(i.to_string(), answer_json(&answer));
    }
    let graded = grade_paper(items, settings, &paper, &answers);
    let limit_ms = i64::from(settings.time_limit_minutes) * 60_000;
    let taken = (limit_ms as f64 * (0.35 + 0.6 * rng.unit())) as i64;
    let paper_json = serde_json::to_string(&paper).unwrap_or_default();
    let attempt = store
        .start_attempt(&NewAttempt {
            user_id,
            exam_id: &file.quiz.id,
            seed: 0,
            paper: &paper_json,
            started_ms: at,
            deadline_ms: at + limit_ms,
        })
        .await?;
    let results = serde_json::to_string(&graded.results).unwrap_or_default();
    let responses = responses_json(items, &paper, &answers, &graded.results);
    let submitted = at + taken;
    let certificate = match &settings.certificate {
        Some(certificate) if graded.passed => {
            let mut cited = cited_json(&site.library, &file.quiz);
            // One certificate in twelve was issued before a cited rule was rewritten.
            if rng.below(12) == 0 {
                cited = older_text(&cited);
            }
            Some(NewCertificate {
                user_id: user_id.to_owned(),
                exam_id: file.quiz.id.clone(),
                attempt_id: attempt.id.clone(),
                name: certificate.name.clone(),
                score_percent: graded.points * 100.0 / graded.max_points.max(1.0),
                issued_ms: submitted,
                expires_ms: certificate
                    .valid_days
                    .map(|d| submitted + i64::from(d) * DAY_MS),
                cited,
            })
        }
        _ => None,
    };
    let done = store
        .grade_attempt(
            &attempt.id,
            &Submission {
                answers: &serde_json::Value::Object(answers).to_string(),
                submitted_ms: submitted,
                points: graded.points,
                max_points: graded.max_points,
                passed: graded.passed,
                results: &results,
                responses: &responses,
            },
            certificate,
        )
        .await?;
    seeded.attempts += 1;
    if let Finished::Now {
        certificate: Some(id),
    } = done
    {
        seeded.certificates += 1;
        if rng.below(60) == 0 {
            store
                .revoke_certificate(&id, submitted + 30 * DAY_MS)
                .await?;
        }
    }
    Ok(graded.passed)
}

/// The sentence the demo's older rules had and the handbook no longer has.
const OLD_SENTENCE: &str = "\n\n（旧版规则：以上时限按自然日计算，节假日不顺延。）";

/// The cited paragraphs as they might have read before a rule change: the first one's
/// text with a sentence that the handbook no longer has.
fn older_text(cited: &str) -> String {
    let mut paragraphs: Vec<Cited> = serde_json::from_str(cited).unwrap_or_default();
    if let Some(first) = paragraphs.first_mut() {
        first.text.push_str(OLD_SENTENCE);
        first.hash = blake3::hash(first.text.as_bytes()).to_hex().to_string();
    }
    let by_source: BTreeMap<&str, &Cited> =
        paragraphs.iter().map(|c| (c.source.as_str(), c)).collect();
    serde_json::to_string(&by_source.into_values().collect::<Vec<_>>())
        .unwrap_or_else(|_| cited.to_owned())
}

/// Volume for the results benchmark: `agents` agents (and the demo's staff), each with
/// `attempts` graded attempts cycling through the exams over the last fifteen months
/// (retakes and renewals: an agent keeps sitting exams after passing). Agents are
/// seeded many at a time so that their writes share commits; each has its own
/// generator, seeded from `seed` and its number, so the data is the same every run.
/// Then their onboarding progress and acknowledgements ([`seed_activity`]).
pub async fn seed_volume(
    store: &Store,
    site: &Site,
    password_hash: &str,
    agents: usize,
    attempts: usize,
    seed: u64,
    now_ms: i64,
) -> Result<Seeded, StoreError> {
    let mut total = seed_staff(store, password_hash, now_ms - 450 * DAY_MS).await?;
    let exams = exams(site);
    if exams.is_empty() {
        return Ok(total);
    }
    let first = now_ms - 450 * DAY_MS;
    let spacing = 440 * DAY_MS / attempts.max(1) as i64;
    for chunk in (0..agents).collect::<Vec<_>>().chunks(TOGETHER) {
        let tasks = chunk.iter().map(|&n| {
            let exams = &exams;
            async move {
                let mut company = Company {
                    store,
                    site,
                    rng: Rng(seed ^ (n as u64).wrapping_mul(0xA24B_AED4_963E_E407)),
                    seeded: Seeded::default(),
                };
                let team = TEAMS[n % TEAMS.len()];
                let user = store
                    .add_user(
                        &NewUser {
                            login: format!("V{:05}", n + 1),
                            name: name(&mut company.rng),
                            team: team.to_owned(),
                            role: Role::Agent,
                            password_hash: Some(password_hash.to_owned()),
                        },
                        first,
                    )
                    .await?;
                company.seeded.agents += 1;
                let ability = company.rng.normal() * 0.8 + 1.3;
                for k in 0..attempts {
                    let exam = exams[(n + k) % exams.len()];
                    let at = first + k as i64 * spacing + company.rng.below(20 * 3_600_000) as i64;
                    sit(&mut company, exam, &user.id, ability + 0.05 * k as f64, at).await?;
                }
                Ok::<_, StoreError>(company.seeded)
            }
        });
        for made in futures_util::future::join_all(tasks).await {
            let made = made?;
            total.agents += made.agents;
            total.attempts += made.attempts;
            total.certificates += made.certificates;
        }
    }
    let done = seed_activity(store, site, seed, now_ms).await?;
    total.acknowledged = done.acknowledged;
    total.lessons_opened = done.lessons_opened;
    Ok(total)
}
