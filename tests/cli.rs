//! The binary: exit codes (0 ok, 1 author errors, 2 environment), what it prints.

mod common;

use std::process::{Command, Output};

use common::Site;

fn shouce(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shouce"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn init_then_build_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("kb");
    let out = shouce(&["init", site.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = shouce(&["-C", site.to_str().unwrap(), "build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        regex::Regex::new(r"^built \d+ pages in \d+ sections? \(\d+ files\) in \d+\.\d\d s\n$")
            .unwrap()
            .is_match(&stdout),
        "{stdout}"
    );
    assert!(site.join("public/index.html").exists());
}

#[test]
fn author_errors_exit_1_with_locations() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "[坏链接](nope.md)\n")
        .page("a.md", "title = \"a\"\nwieght = 1", "x\n");
    let out = shouce(&["-C", site.root().to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--> content/a.md:3:1"), "{stderr}");
    assert!(
        stderr.contains("--> content/_index.md:4:7") && stderr.ends_with("2 errors\n"),
        "a front-matter mistake does not hide the other pages' link errors: {stderr}"
    );
    assert!(!site.path("public").exists(), "check writes nothing");
}

#[test]
fn check_strict_turns_warnings_into_errors() {
    let site = Site::new();
    site.page(
        "_index.md",
        "title = \"首页\"\nreview_by = 2020-01-01",
        "x\n",
    );
    let root = site.root().to_str().unwrap();
    let out = shouce(&["-C", root, "check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("warning: overdue for review since 2020-01-01"));
    let out = shouce(&["-C", root, "check", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error: overdue for review since 2020-01-01"));
}

#[test]
fn a_missing_site_is_an_environment_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = shouce(&["-C", dir.path().to_str().unwrap(), "build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no shouce.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn build_out_and_base_url_flags() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "x\n");
    let out_dir = site.path("elsewhere");
    let out = shouce(&[
        "-C",
        site.root().to_str().unwrap(),
        "build",
        "--out",
        out_dir.to_str().unwrap(),
        "--base-url",
        "https://b.example/x",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(out_dir.join("sitemap.xml"))
            .unwrap()
            .contains("https://b.example/x/")
    );
}
