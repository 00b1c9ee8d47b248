//! The parts of an attempt that never change once it is started (its owner, exam,
//! drawn paper and deadline), kept in memory for the attempts in use, so that an
//! autosave needs neither to read the attempt's row nor to parse its paper.
//!
//! Only what is immutable is kept, so the copy stays true however many server
//! processes share the database: whether the attempt is still open is decided by the
//! save's own `UPDATE … WHERE submitted_ms IS NULL`, never from here. Whoever changes
//! one of these fields in the database must [`Heads::forget`] the attempt.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::quiz::draw::Paper;
use crate::store::Attempt;

/// The most attempts kept; when full the map is emptied and refills from use (the
/// open attempts of the hour, which is what matters, come back on their next save).
const CAPACITY: usize = 20_000;

/// An attempt's immutable head.
#[derive(Debug)]
pub struct AttemptHead {
    pub user_id: String,
    pub exam_id: String,
    pub deadline_ms: i64,
    pub paper: Paper,
}

/// Attempt id → head.
#[derive(Debug, Default)]
pub struct Heads(Mutex<HashMap<String, Arc<AttemptHead>>>);

impl Heads {
    pub fn get(&self, id: &str) -> Option<Arc<AttemptHead>> {
        self.map().get(id).cloned()
    }

    /// Keeps the head of `attempt` (whose paper is `paper`) and returns it.
    pub fn remember(&self, attempt: &Attempt, paper: Paper) -> Arc<AttemptHead> {
        let head = Arc::new(AttemptHead {
            user_id: attempt.user_id.clone(),
            exam_id: attempt.exam_id.clone(),
            deadline_ms: attempt.deadline_ms,
            paper,
        });
        let mut map = self.map();
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(attempt.id.clone(), head.clone());
        head
    }

    pub fn forget(&self, id: &str) {
        self.map().remove(id);
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<AttemptHead>>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(id: &str) -> Attempt {
        Attempt {
            id: id.into(),
            user_id: "u".into(),
            exam_id: "e".into(),
            seed: 1,
            paper: "{}".into(),
            answers: "{}".into(),
            started_ms: 0,
            deadline_ms: 99,
            submitted_ms: None,
            points: None,
            max_points: None,
            passed: None,
            results: None,
        }
    }

    #[test]
    fn remembers_forgets_and_stays_bounded() {
        let heads = Heads::default();
        assert!(heads.get("a").is_none());
        heads.remember(&attempt("a"), Paper::default());
        assert_eq!(heads.get("a").unwrap().deadline_ms, 99);
        heads.forget("a");
        assert!(heads.get("a").is_none());
        for i in 0..CAPACITY + 5 {
            heads.remember(&attempt(&i.to_string()), Paper::default());
        }
        assert!(heads.map().len() <= CAPACITY);
        assert!(heads.get(&(CAPACITY + 4).to_string()).is_some());
    }
}
