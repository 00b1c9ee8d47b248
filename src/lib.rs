//! Shouce (手册): turns a folder of Markdown training material into a searchable
//! handbook site with quizzes that certify customer-service agents.
//!
//! Layers, imports pointing down only (see `DESIGN.md` at the repository root):
//!
//! ```text
//! L5  cli · commands · operate  arguments → options, dispatch · serve/user/db
//! L4  dev · server              the long-running apps (axum)
//! L3  site · store · build · scaffold  the loaded site · the database · the pipeline · `shouce init`
//! L2  content · quiz            the domain: pages and sections · quizzes
//! L1  markdown · theme · search · chart · spreadsheet   text in, text out
//! L0  error · fs · config · date · width
//! ```

pub mod build;
pub mod chart;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod date;
pub mod dev;
pub mod error;
pub mod fs;
pub mod markdown;
pub mod operate;
pub mod quiz;
pub mod scaffold;
pub mod search;
pub mod server;
pub mod site;
pub mod spreadsheet;
pub mod store;
pub mod theme;
pub mod width;
