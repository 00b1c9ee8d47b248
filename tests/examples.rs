//! Every example Shouce ships works as shipped: the site `shouce init` writes passes
//! `check --strict`, and the complete quiz example (`src/quiz/example.toml`, which the
//! README calls complete) checks inside a site that has the pages it cites (the sample
//! handbook in this repository).

mod common;

use shouce::build::{self, BuildOptions, OutputMode};
use shouce::error::{self, Failure};

fn check(options: BuildOptions) -> Result<build::Report, String> {
    let options = BuildOptions {
        output: OutputMode::Discard,
        today: common::today(),
        ..options
    };
    build::build(&options).map_err(|e| match e {
        Failure::Author(d) => error::render_all(&d),
        Failure::Env(e) => e.to_string(),
    })
}

#[test]
fn the_new_site_passes_check_strict_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("handbook");
    shouce::scaffold::create(&site).unwrap();
    let report = check(BuildOptions::new(&site)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        report.warnings.is_empty(),
        "check --strict would fail:\n{}",
        error::render_all(&report.warnings)
    );
    assert!(site.join("quizzes/example.toml.txt").is_file());
    build::build(&BuildOptions::new(&site)).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        site.join("public/quizzes/guide-practice/index.html")
            .is_file()
    );
}

#[test]
fn the_quiz_example_checks_in_the_sample_handbook() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    let repo = common::repo();
    common::copy_dir(&repo.join("content"), &site.join("content"));
    common::copy_dir(&repo.join("themes/default"), &site.join("themes/default"));
    std::fs::copy(repo.join("shouce.toml"), site.join("shouce.toml")).unwrap();
    std::fs::create_dir(site.join("quizzes")).unwrap();
    std::fs::write(
        site.join("quizzes/example.toml"),
        include_str!("../src/quiz/example.toml"),
    )
    .unwrap();
    let report = check(BuildOptions::new(site)).unwrap_or_else(|e| panic!("{e}"));
    let about_quizzes: Vec<_> = (report.warnings.iter())
        .filter(|d| d.location.path.starts_with("quizzes"))
        .cloned()
        .collect();
    assert!(
        about_quizzes.is_empty(),
        "{}",
        error::render_all(&about_quizzes)
    );
}
