//! Searching a built index: the steps `search.js` takes in the browser, for `shouce
//! search` and the tests. Files are read through a [`Source`] (a built site on disk,
//! or the files of an [`IndexFiles`](super::IndexFiles) in memory) and kept once read.
//!
//! 1. Plan the query ([`super::query`]); load the shards of its tokens and the
//!    readings of its Chinese characters that the manifest does not have (those
//!    the site never uses).
//! 2. Add each bigram's homophones; load their shards.
//! 3. Drop pinyin readings of words the site has; read the other pinyin and initials
//!    tokens as the site's bigrams that read so, and load those; score
//!    ([`super::rank`]).
//! 4. Load the best pages' documents; cut their snippets ([`super::snippet`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::format;
use super::index::Vocabulary;
use super::query::{self, Plan};
use super::rank::{self, Postings};
use super::snippet;
use super::suggest::{self, Suggestion};

/// Where index files come from; paths are below the site root (`search/idx/…`).
pub trait Source {
    /// The file's text, or `None` if there is no such file.
    fn read(&self, path: &str) -> std::io::Result<Option<String>>;
}

/// A built site's output folder.
#[derive(Debug, Clone)]
pub struct DirSource(pub PathBuf);

impl Source for DirSource {
    fn read(&self, path: &str) -> std::io::Result<Option<String>> {
        match std::fs::read_to_string(self.0.join(path)) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Index files held in memory.
#[derive(Debug, Clone, Default)]
pub struct MemorySource(pub HashMap<String, Vec<u8>>);

impl Source for MemorySource {
    fn read(&self, path: &str) -> std::io::Result<Option<String>> {
        Ok(self
            .0
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("there is no search index in {0}; run `shouce build` first")]
    NoIndex(PathBuf),
    #[error("the search index file {0} is missing or damaged; run `shouce build` again")]
    Damaged(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// One result, as the runtime returns it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub path: String,
    pub url: String,
    pub title: String,
    pub section: Vec<String>,
    pub snippet: String,
    pub score: f64,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    s: u32,
    r: u32,
    dc: u32,
    sy: Vec<String>,
    /// The site's characters by their commonest reading (aligned with `sy`).
    #[serde(default)]
    rd: Vec<String>,
    terms: Vec<String>,
    syn: Vec<Vec<String>>,
    sec: Vec<(String, i64)>,
}

/// `[path, url, title, section, text]` and, for text with traditional characters, their
/// simplified forms (which only `search.js` needs: the engine folds with its table).
#[derive(Debug, Deserialize)]
struct Doc(
    String,
    String,
    String,
    i64,
    String,
    #[serde(default)]
    #[allow(dead_code)]
    Option<String>,
);

pub struct Searcher<S: Source> {
    source: S,
    manifest: Manifest,
    vocab: Vocabulary,
    shards: HashMap<u32, Map<String, Value>>,
    readings: HashMap<u32, Map<String, Value>>,
    /// The readings the manifest has (the site's own characters).
    site_readings: HashMap<char, String>,
    /// Document files by number.
    docs: HashMap<u32, Vec<Doc>>,
}

impl<S: Source> Searcher<S> {
    /// Opens the index; `site` names the output folder in the error when it has none.
    pub fn open(source: S, site: &Path) -> Result<Searcher<S>, SearchError> {
        let path = format::manifest_path();
        let text = read(&source, &path)?.ok_or_else(|| SearchError::NoIndex(site.into()))?;
        let manifest: Manifest = format::parse_script(&text)
            .and_then(|v| serde_json::from_value(v).ok())
            .filter(|m: &Manifest| m.s > 0 && m.r > 0 && m.dc > 0)
            .ok_or(SearchError::Damaged(path))?;
        let vocab = Vocabulary {
            terms: manifest.terms.clone(),
            synonyms: manifest.syn.clone(),
        };
        let site_readings = manifest
            .sy
            .iter()
            .zip(&manifest.rd)
            .flat_map(|(syllable, chars)| chars.chars().map(move |c| (c, syllable.clone())))
            .collect();
        Ok(Searcher {
            source,
            manifest,
            vocab,
            shards: HashMap::new(),
            readings: HashMap::new(),
            site_readings,
            docs: HashMap::new(),
        })
    }

    /// The best `limit` pages for `query`, best first.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let Some((plan, lookup, ranked)) = self.rank(query)? else {
            return Ok(Vec::new());
        };
        let mut hits = Vec::new();
        for (doc, score) in ranked.into_iter().take(limit) {
            hits.push(self.hit(doc, score, &plan, &lookup)?);
        }
        Ok(hits)
    }

    /// Every page that matches `query` (its number in the index), best first, with its
    /// score: what [`Searcher::search`] returns before it loads the pages' documents.
    pub fn ranked(&mut self, query: &str) -> Result<Vec<(u32, f64)>, SearchError> {
        Ok(self.rank(query)?.map(|r| r.2).unwrap_or_default())
    }

    /// The query's plan, the tokens it looked up, and the pages ranked; `None` when
    /// the query has nothing to search for.
    #[allow(clippy::type_complexity)]
    fn rank(
        &mut self,
        query: &str,
    ) -> Result<Option<(Plan, HashMap<String, Postings>, Vec<(u32, f64)>)>, SearchError> {
        let mut plan = query::plan(query, &self.vocab);
        if plan.groups.is_empty() {
            return Ok(None);
        }
        let mut lookup = HashMap::new();
        self.lookup(&plan.tokens(), &mut lookup)?;
        self.load_readings(&plan)?;
        plan.add_homophones(|c| self.reading_of(c), |t| lookup.contains_key(t));
        self.lookup(&plan.tokens(), &mut lookup)?;
        plan.prefer_words(|w| lookup.contains_key(w));
        self.lookup(&plan.surface_tokens(&lookup), &mut lookup)?;
        plan.add_surfaces(&lookup);
        let ranked = rank::score(&plan, &lookup);
        Ok(Some((plan, lookup, ranked)))
    }

    /// Words of the site that read or are spelt nearly like `query`, for a query that
    /// found nothing ([`suggest`]).
    pub fn suggest(&mut self, query: &str) -> Result<Vec<Suggestion>, SearchError> {
        let plan = query::plan(query, &self.vocab);
        self.load_readings(&plan)?;
        let candidates = suggest::candidates(&plan, |c| self.reading_of(c));
        let mut lookup = HashMap::new();
        self.lookup(&suggest::tokens(&candidates), &mut lookup)?;
        Ok(suggest::suggestions(&candidates, &lookup))
    }

    fn lookup(
        &mut self,
        tokens: &[String],
        out: &mut HashMap<String, Postings>,
    ) -> Result<(), SearchError> {
        for token in tokens.iter().cloned() {
            if out.contains_key(&token) {
                continue;
            }
            let shard = format::shard_of(&token, self.manifest.s);
            let map = load(&self.source, &mut self.shards, shard, format::shard_path)?;
            let Some(Value::Array(entry)) = map.get(&token) else {
                continue;
            };
            let idf = entry.first().and_then(Value::as_u64).unwrap_or(0) as u32;
            let docs = entry
                .get(1)
                .and_then(Value::as_str)
                .map(format::decode_postings)
                .unwrap_or_default();
            let surfaces = entry
                .get(2)
                .and_then(Value::as_str)
                .map(|s| s.split(' ').map(str::to_string).collect())
                .unwrap_or_default();
            out.insert(
                token,
                Postings {
                    idf,
                    docs,
                    surfaces,
                },
            );
        }
        Ok(())
    }

    /// Loads the readings of the plan's characters that the manifest does not have.
    fn load_readings(&mut self, plan: &Plan) -> Result<(), SearchError> {
        for c in plan.chars() {
            if self.site_readings.contains_key(&c) {
                continue;
            }
            let shard = format::shard_of(&c.to_string(), self.manifest.r);
            load(
                &self.source,
                &mut self.readings,
                shard,
                format::readings_path,
            )?;
        }
        Ok(())
    }

    fn reading_of(&self, c: char) -> Option<String> {
        if let Some(r) = self.site_readings.get(&c) {
            return Some(r.clone());
        }
        let shard = format::shard_of(&c.to_string(), self.manifest.r);
        let value = self
            .readings
            .get(&shard)
            .and_then(|m| m.get(&c.to_string()))
            .and_then(Value::as_str)?;
        // The reading, then the simplified form of a traditional character.
        let reading: String = value.chars().take_while(char::is_ascii_lowercase).collect();
        (!reading.is_empty()).then_some(reading)
    }

    fn hit(
        &mut self,
        doc: u32,
        score: f64,
        plan: &Plan,
        lookup: &HashMap<String, Postings>,
    ) -> Result<Hit, SearchError> {
        let chunk = doc / self.manifest.dc;
        if !self.docs.contains_key(&chunk) {
            let path = format::doc_path(chunk);
            let text = read(&self.source, &path)?.ok_or(SearchError::Damaged(path.clone()))?;
            let docs: Vec<Doc> = format::parse_script(&text)
                .and_then(|v| serde_json::from_value(v).ok())
                .ok_or(SearchError::Damaged(path))?;
            self.docs.insert(chunk, docs);
        }
        let d = self.docs[&chunk]
            .get((doc % self.manifest.dc) as usize)
            .ok_or_else(|| SearchError::Damaged(format::doc_path(chunk)))?;
        let mut section = Vec::new();
        let mut at = d.3;
        while let Some((title, parent)) = usize::try_from(at)
            .ok()
            .and_then(|i| self.manifest.sec.get(i))
        {
            section.push(title.clone());
            at = *parent;
        }
        section.reverse();
        Ok(Hit {
            path: d.0.clone(),
            url: d.1.clone(),
            title: d.2.clone(),
            section,
            snippet: snippet::snippet(&d.4, &highlights(plan, lookup, doc)),
            score,
        })
    }
}

/// The strings to mark in a page's snippet: the tokens of the plan that the page has
/// (pinyin and initials tokens by the bigrams they stand for), in plan order.
pub fn highlights(plan: &Plan, lookup: &HashMap<String, Postings>, doc: u32) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let alts = plan
        .groups
        .iter()
        .flat_map(|g| &g.interps)
        .flat_map(|i| &i.slots)
        .flat_map(|s| &s.alts);
    for alt in alts {
        let Some(p) = lookup.get(&alt.token) else {
            continue;
        };
        if p.docs.binary_search_by_key(&doc, |x| x.0).is_err() {
            continue;
        }
        let words: Vec<String> = if alt.token.starts_with("p:") || alt.token.starts_with("i:") {
            p.surfaces.clone()
        } else if let Some(term) = alt.token.strip_prefix('=') {
            vec![term.to_string()]
        } else {
            vec![alt.token.clone()]
        };
        for w in words {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

fn read<S: Source>(source: &S, path: &str) -> Result<Option<String>, SearchError> {
    source.read(path).map_err(|e| SearchError::Io {
        path: path.to_string(),
        source: e,
    })
}

fn load<'a, S: Source>(
    source: &S,
    cache: &'a mut HashMap<u32, Map<String, Value>>,
    i: u32,
    path: fn(u32) -> String,
) -> Result<&'a Map<String, Value>, SearchError> {
    match cache.entry(i) {
        std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
        std::collections::hash_map::Entry::Vacant(e) => {
            let p = path(i);
            let text = read(source, &p)?.ok_or(SearchError::Damaged(p.clone()))?;
            let Some(Value::Object(map)) = format::parse_script(&text) else {
                return Err(SearchError::Damaged(p));
            };
            Ok(e.insert(map))
        }
    }
}
