//! The gradebook: every graded attempt, with its responses and the certificate it
//! earned, mirrored in memory from the store's log (`graded_attempts`) for the
//! results views.
//!
//! A readiness table or an item analysis reads all of a company's results (10,000
//! agents × 20 attempts); reading them from the database at every request took
//! seconds. The log only grows: a grade is never changed or deleted, and a certificate
//! changes only by being revoked. So at each request the mirror reads only what was
//! graded since it last looked, in one query that also counts the log and the
//! revocations in the same snapshot:
//!
//! * new rows are added in log order;
//! * if the mirror then holds fewer rows than the log counts, a grade numbered earlier
//!   became visible late (PostgreSQL numbers rows when they are inserted, not when
//!   they commit, and many servers may share one database): the recent part of the
//!   log is read again, and if that is not enough, all of it;
//! * if the number of revocations changed, the revoked certificates are read again.
//!
//! So a page sees every grade committed before it asked, as a query would, at the
//! cost of one small query. Each set of cited paragraphs is compared once with the
//! handbook this server serves, to tell which certificates need re-certification.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::quiz::analysis::{self, Response};
use crate::site::{LessonIndex, Site};
use crate::store::{GradebookRow, Store, StoreError};

use super::certificates::Cited;

/// How far back in the log a grade that became visible late is looked for before the
/// whole log is read again.
const LATE_WINDOW: i64 = 10_000;

/// Names (user ids, exam ids, question ids, cited-set hashes) as small numbers.
#[derive(Debug, Default, Clone)]
struct Names {
    numbers: HashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    fn number(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.numbers.get(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.numbers.insert(name.to_owned(), n);
        self.names.push(name.to_owned());
        n
    }

    fn get(&self, name: &str) -> Option<u32> {
        self.numbers.get(name).copied()
    }
}

/// One graded attempt in the mirror.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub seq: i64,
    pub user: u32,
    pub exam: u32,
    pub started_ms: i64,
    pub submitted_ms: i64,
    pub points: f64,
    pub max_points: f64,
    pub passed: bool,
    /// Where its responses are in [`Mirror::responses`].
    responses: (u32, u32),
}

impl Graded {
    /// The score in percent of the paper's marks.
    pub fn percent(&self) -> f64 {
        if self.max_points > 0.0 {
            self.points * 100.0 / self.max_points
        } else {
            0.0
        }
    }

    /// Minutes from start to submission.
    pub fn minutes(&self) -> f64 {
        (self.submitted_ms - self.started_ms) as f64 / 60_000.0
    }
}

/// A certificate in the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub issued_ms: i64,
    pub expires_ms: Option<i64>,
    /// A paragraph it cites reads differently in the handbook this server serves.
    pub stale: bool,
    pub revoked: bool,
    set: u32,
}

impl Certificate {
    /// A certificate as a test of the standings builds it.
    #[cfg(test)]
    pub fn new(issued_ms: i64, expires_ms: Option<i64>, stale: bool) -> Certificate {
        Certificate {
            issued_ms,
            expires_ms,
            stale,
            revoked: false,
            set: 0,
        }
    }
}

/// An agent's record on one exam.
#[derive(Debug, Clone, Default)]
struct Record {
    graded: u32,
    /// Into [`Mirror::certificates`], oldest issued first.
    certificates: Vec<u32>,
}

/// The mirrored log at one moment.
#[derive(Debug, Clone, Default)]
pub struct Mirror {
    /// The last log number read.
    last_seq: i64,
    /// Revocations counted when they were last read.
    revocations: i64,
    users: Names,
    exams: Names,
    questions: Names,
    sets: Names,
    /// Per set: whether it cites a paragraph that changed (`None`: not compared yet).
    stale: Vec<Option<bool>>,
    /// In log order.
    attempts: Vec<Graded>,
    responses: Vec<Response>,
    certificates: Vec<Certificate>,
    certificate_ids: HashMap<String, u32>,
    revoked: HashSet<String>,
    records: HashMap<(u32, u32), Record>,
    damaged: usize,
}

/// A response as the log's JSON has it (see `grading::responses_json`).
#[derive(Deserialize)]
struct Outcome<'a>(#[serde(borrow)] Cow<'a, str>, f64, Option<Vec<usize>>);

impl Mirror {
    /// Every graded attempt, in log order.
    pub fn attempts(&self) -> &[Graded] {
        &self.attempts
    }

    /// An attempt's responses, in paper order.
    pub fn responses(&self, attempt: &Graded) -> &[Response] {
        let (start, len) = attempt.responses;
        &self.responses[start as usize..(start + len) as usize]
    }

    pub fn user(&self, id: &str) -> Option<u32> {
        self.users.get(id)
    }

    pub fn exam(&self, id: &str) -> Option<u32> {
        self.exams.get(id)
    }

    /// The number responses name a question by.
    pub fn question(&self, id: &str) -> Option<u32> {
        self.questions.get(id)
    }

    /// How many of an agent's attempts at an exam were graded.
    pub fn graded(&self, user: u32, exam: u32) -> u32 {
        self.records.get(&(user, exam)).map_or(0, |r| r.graded)
    }

    /// An agent's newest unrevoked certificate for an exam.
    pub fn newest_certificate(&self, user: u32, exam: u32) -> Option<&Certificate> {
        let record = self.records.get(&(user, exam))?;
        record
            .certificates
            .iter()
            .rev()
            .map(|&c| &self.certificates[c as usize])
            .find(|c| !c.revoked)
    }

    /// Grades the mirror could not read (damaged JSON), counted without responses.
    pub fn damaged(&self) -> usize {
        self.damaged
    }

    fn add(&mut self, row: GradebookRow) {
        let user = self.users.number(&row.user_id);
        let exam = self.exams.number(&row.exam_id);
        let start = self.responses.len() as u32;
        match serde_json::from_str::<Vec<Outcome>>(&row.responses) {
            Ok(outcomes) => {
                for Outcome(question, share, chosen) in outcomes {
                    let question = self.questions.number(&question);
                    self.responses.push(Response {
                        question,
                        score: share.clamp(0.0, 1.0) as f32,
                        chosen: chosen.and_then(analysis::choices),
                    });
                }
            }
            Err(_) => self.damaged += 1,
        }
        let len = self.responses.len() as u32 - start;
        let graded = Graded {
            seq: row.seq,
            user,
            exam,
            started_ms: row.sitting.started_ms,
            submitted_ms: row.sitting.submitted_ms,
            points: row.sitting.points,
            max_points: row.sitting.max_points,
            passed: row.sitting.passed,
            responses: (start, len),
        };
        // In log order; a row that became visible late goes where its number says.
        match self.attempts.last() {
            Some(last) if last.seq > graded.seq => {
                let at = self.attempts.partition_point(|a| a.seq < graded.seq);
                self.attempts.insert(at, graded);
            }
            _ => self.attempts.push(graded),
        }
        self.last_seq = self.last_seq.max(row.seq);
        let record = self.records.entry((user, exam)).or_default();
        record.graded += 1;
        if let Some(c) = row.certificate {
            let set = self.sets.number(&c.cited_set);
            if self.stale.len() <= set as usize {
                self.stale.resize(set as usize + 1, None);
            }
            let number = self.certificates.len() as u32;
            self.certificates.push(Certificate {
                issued_ms: c.issued_ms,
                expires_ms: c.expires_ms,
                stale: self.stale[set as usize].unwrap_or(false),
                revoked: self.revoked.contains(&c.id),
                set,
            });
            self.certificate_ids.insert(c.id, number);
            let certificates = &self.certificates;
            let at = record
                .certificates
                .partition_point(|&k| certificates[k as usize].issued_ms <= c.issued_ms);
            record.certificates.insert(at, number);
        }
    }

    fn has(&self, seq: i64) -> bool {
        self.attempts.binary_search_by_key(&seq, |a| a.seq).is_ok()
    }

    /// Sets not yet compared with the handbook.
    fn uncompared(&self) -> Vec<String> {
        self.stale
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| self.sets.names[i].clone())
            .collect()
    }

    fn compared(&mut self, stale: &[(String, bool)]) {
        for (hash, is_stale) in stale {
            if let Some(set) = self.sets.get(hash) {
                self.stale[set as usize] = Some(*is_stale);
            }
        }
        for c in &mut self.certificates {
            c.stale = self.stale[c.set as usize].unwrap_or(false);
        }
    }

    fn revoke(&mut self, ids: Vec<String>, revocations: i64) {
        for id in &ids {
            if let Some(&c) = self.certificate_ids.get(id) {
                self.certificates[c as usize].revoked = true;
            }
        }
        self.revoked.extend(ids);
        self.revocations = revocations;
    }
}

/// The mirror, and the lock that lets one request at a time bring it up to date.
#[derive(Debug, Default)]
pub struct Gradebook {
    refreshing: tokio::sync::Mutex<()>,
    mirror: RwLock<Mirror>,
}

impl Gradebook {
    /// The mirror, brought up to date with the store. Hold it only while computing,
    /// not while rendering or writing a response: bringing it up to date waits for
    /// every reader.
    pub async fn read(
        &self,
        store: &Store,
        site: &Site,
    ) -> Result<RwLockReadGuard<'_, Mirror>, StoreError> {
        self.refresh(store, site).await?;
        Ok(self.mirror.read().await)
    }

    async fn refresh(&self, store: &Store, site: &Site) -> Result<(), StoreError> {
        let _one = self.refreshing.lock().await;
        let (last_seq, held, revocations, known) = {
            let m = self.current().await;
            (
                m.last_seq,
                m.attempts.len() as i64,
                m.revocations,
                m.sets.numbers.len(),
            )
        };
        if held == 0 {
            return self.reload(store, site).await;
        }
        let mut rows = Vec::new();
        let totals = store
            .gradebook_since(last_seq, |row| rows.push(row))
            .await?;
        let added = rows.len() as i64;
        if added > 0 {
            let mut m = self.write().await;
            for row in rows {
                m.add(row);
            }
        }
        if let Some(graded) = totals.graded
            && held + added < graded
        {
            self.catch_up(store, last_seq, graded).await?;
            if (self.current().await.attempts.len() as i64) < graded {
                return self.reload(store, site).await;
            }
        }
        if self.current().await.sets.numbers.len() > known {
            self.compare_sets(store, site).await?;
        }
        if totals.revoked != revocations {
            let ids = store.revoked_certificates().await?;
            self.write().await.revoke(ids, totals.revoked);
        }
        Ok(())
    }

    /// Reads the recent part of the log again for grades that became visible late.
    async fn catch_up(&self, store: &Store, last_seq: i64, graded: i64) -> Result<(), StoreError> {
        let mut rows = Vec::new();
        store
            .gradebook_since(last_seq.saturating_sub(LATE_WINDOW), |row| rows.push(row))
            .await?;
        let mut m = self.write().await;
        for row in rows {
            if !m.has(row.seq) {
                m.add(row);
            }
        }
        tracing::debug!(graded, held = m.attempts.len(), "gradebook caught up");
        Ok(())
    }

    /// Reads the whole log into a new mirror, then puts it in place.
    async fn reload(&self, store: &Store, site: &Site) -> Result<(), StoreError> {
        let mut fresh = Mirror::default();
        let totals = store
            .gradebook_since(i64::MIN, |row| fresh.add(row))
            .await?;
        let stale = compare(store, site, fresh.uncompared()).await?;
        fresh.compared(&stale);
        let ids = store.revoked_certificates().await?;
        fresh.revoke(ids, totals.revoked);
        if fresh.damaged > 0 {
            tracing::warn!(
                attempts = fresh.damaged,
                "graded attempts with unreadable responses are left out of item analysis"
            );
        }
        *self.write().await = fresh;
        Ok(())
    }

    async fn compare_sets(&self, store: &Store, site: &Site) -> Result<(), StoreError> {
        let uncompared = self.current().await.uncompared();
        let stale = compare(store, site, uncompared).await?;
        self.write().await.compared(&stale);
        Ok(())
    }

    async fn current(&self) -> RwLockReadGuard<'_, Mirror> {
        self.mirror.read().await
    }

    async fn write(&self) -> RwLockWriteGuard<'_, Mirror> {
        self.mirror.write().await
    }
}

/// Adds to the log the attempts graded before it existed (a server's first start on
/// migration 0004), reading their questions against the handbook `site` serves; how
/// many it added. Attempts at an exam the handbook no longer has are added without
/// responses.
pub async fn index_earlier_grades(store: &Store, site: &Site) -> Result<u64, StoreError> {
    const BATCH: i64 = 1_000;
    let mut added = 0;
    let mut after = String::new();
    loop {
        let attempts = store.unindexed_attempts(&after, BATCH).await?;
        let Some(last) = attempts.last() else {
            return Ok(added);
        };
        after = last.id.clone();
        let indexed: Vec<(String, String)> = attempts
            .into_iter()
            .map(|a| {
                let responses = site
                    .quiz(&a.exam_id)
                    .map(|file| {
                        let paper = serde_json::from_str(&a.paper).unwrap_or_default();
                        let answers = serde_json::from_str(&a.answers).unwrap_or_default();
                        let results: Vec<super::grading::QuestionResult> =
                            serde_json::from_str(&a.results).unwrap_or_default();
                        super::grading::responses_json(&file.quiz.items, &paper, &answers, &results)
                    })
                    .unwrap_or_else(|| "[]".into());
                (a.id, responses)
            })
            .collect();
        added += indexed.len() as u64;
        store.index_attempts(&indexed).await?;
    }
}

/// Whether each set cites a paragraph that reads differently in `site` now.
async fn compare(
    store: &Store,
    site: &Site,
    hashes: Vec<String>,
) -> Result<Vec<(String, bool)>, StoreError> {
    let current = current_paragraphs(site);
    let mut out = Vec::with_capacity(hashes.len());
    for hash in hashes {
        let json = store.cited_set(&hash).await?.unwrap_or_default();
        let cited: Vec<Cited> = serde_json::from_str(&json).unwrap_or_default();
        let stale = cited
            .iter()
            .any(|c| current.get(&c.source).is_some_and(|now| *now != c.hash));
        out.push((hash, stale));
    }
    Ok(out)
}

/// The hash of each paragraph the exams cite, as `site` has it.
fn current_paragraphs(site: &Site) -> HashMap<String, String> {
    let mut hashes = HashMap::new();
    for file in site.quizzes.iter().filter(|q| q.quiz.is_exam()) {
        for link in file
            .quiz
            .items
            .iter()
            .filter_map(|i| i.question.source.as_ref())
        {
            hashes.entry(link.target.clone()).or_insert_with(|| {
                let text = site.library.cited_text(link).unwrap_or_default();
                blake3::hash(text.as_bytes()).to_hex().to_string()
            });
        }
    }
    hashes
}

#[cfg(test)]
mod tests;
