//! The judged query set (`tests/search/queries.toml`) and the shipped handbook built
//! once into a temp dir, shared by `search_eval.rs` and `search_parity.rs`.

#![allow(dead_code)]

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct QuerySet {
    pub query: Vec<Judged>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Judged {
    pub q: String,
    pub kind: String,
    pub relevant: Vec<String>,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn judged() -> Vec<Judged> {
    let text = std::fs::read_to_string(repo().join("tests/search/queries.toml")).unwrap();
    toml::from_str::<QuerySet>(&text).unwrap().query
}

/// Builds the shipped handbook; returns the temp dir and its output folder.
pub fn build_handbook() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let options = shouce::build::BuildOptions {
        out_dir: out.clone(),
        today: shouce::date::Date::parse("2026-11-25").unwrap(),
        ..shouce::build::BuildOptions::new(repo())
    };
    shouce::build::build(&options).unwrap_or_else(|f| panic!("the handbook must build: {f:?}"));
    (dir, out)
}
