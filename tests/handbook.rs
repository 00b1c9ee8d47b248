//! The shipped handbook (content/ at the repository root) as the large happy-path
//! fixture: it builds with no warnings, has the shape the training plan needs, and its
//! structure and a few pages are snapshot so a template change that breaks it shows.

mod common;

use std::fmt::Write as _;

use common::{repo, today, unhash};
use shouce::build::{self, BuildOptions};
use shouce::content::{Child, Library};

fn build_handbook() -> (tempfile::TempDir, build::Report) {
    let out = tempfile::tempdir().unwrap();
    let options = BuildOptions {
        out_dir: out.path().join("public"),
        today: today(),
        ..BuildOptions::new(repo())
    };
    let report =
        build::build(&options).unwrap_or_else(|f| panic!("the handbook must build: {f:?}"));
    (out, report)
}

fn library() -> Library {
    let pages = walkdir::WalkDir::new(repo().join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(repo().join("content"))
                .unwrap()
                .to_string_lossy()
                .into_owned();
            shouce::content::Page::parse(&rel, std::fs::read_to_string(e.path()).unwrap()).unwrap()
        })
        .collect();
    Library::assemble(pages, shouce::content::DraftPolicy::Exclude).unwrap()
}

#[test]
fn the_handbook_builds_without_warnings() {
    let (_out, report) = build_handbook();
    assert!(
        report.warnings.is_empty(),
        "{}",
        shouce::error::render_all(&report.warnings)
    );
    assert!(report.pages >= 35, "only {} pages", report.pages);
}

#[test]
fn the_handbook_has_the_training_plan_shape() {
    let lib = library();
    let parts: Vec<&str> = lib.sections[0]
        .children
        .iter()
        .filter_map(|c| match c {
            Child::Section(s) => Some(lib.sections[*s].title.as_str()),
            Child::Page(_) => None,
        })
        .collect();
    assert_eq!(parts.len(), 5, "{parts:?}");
    let dialogues: usize = lib
        .pages
        .iter()
        .map(|p| p.body().matches("```dialogue").count())
        .sum();
    assert!(dialogues >= 25, "{dialogues} dialogue blocks");
    for page in &lib.pages {
        assert!(
            !page.meta.description.is_empty(),
            "{} has no description",
            page.source
        );
        let policy = page.body().contains("[!RULE]");
        if policy {
            assert!(
                page.meta.effective.is_some() && page.meta.review_by.is_some(),
                "{} states a rule but has no dates",
                page.source
            );
        }
    }
}

#[test]
fn structure_snapshot() {
    let lib = library();
    let mut outline = String::new();
    for child in lib.reading_order() {
        let (depth, kind) = match child {
            Child::Section(s) => (lib.depth(s), "§"),
            Child::Page(i) => (
                lib.depth(lib.page_section[i]) + usize::from(lib.page_section[i] != 0),
                "-",
            ),
        };
        let _ = writeln!(
            outline,
            "{}{kind} {} /{}",
            "  ".repeat(depth),
            lib.title(child),
            lib.url_path(child)
        );
    }
    insta::assert_snapshot!(outline);
}

#[test]
fn page_snapshots() {
    let (out, _) = build_handbook();
    for page in [
        "scripts/greeting",
        "rules/penalty-table",
        "promotion/staffing",
    ] {
        let html = std::fs::read_to_string(out.path().join("public").join(page).join("index.html"))
            .unwrap();
        let article = &html[html.find("<article").unwrap()..html.find("</article>").unwrap()];
        insta::assert_snapshot!(page.replace('/', "__"), unhash(article));
    }
}
