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

fn shouce_in(cwd: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shouce"))
        .current_dir(cwd)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

/// Every file below `dir`, for counting what a refused command touched.
fn count_files(dir: &std::path::Path) -> usize {
    walkdir::WalkDir::new(dir).into_iter().count()
}

#[test]
fn relative_paths_start_from_the_dash_c_folder() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "x\n");
    let shell = tempfile::tempdir().unwrap();
    let root = site.root().to_str().unwrap();
    let out = shouce_in(shell.path(), &["-C", root, "build", "--out", "out2"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(site.path("out2/index.html").is_file(), "not in SITE/out2");
    assert_eq!(count_files(shell.path()), 1, "wrote beside the shell");
    assert!(shouce(&["-C", root, "build"]).status.success());
    let out = shouce_in(
        shell.path(),
        &["-C", root, "search", "--site", ".", "x"],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // `-C` means the same on every command, and the help says so.
    let help = text(&shouce(&["init", "--help"]).stdout);
    assert!(help.contains("Run as if started in DIR"), "{help}");
    assert!(help.contains("relative to -C DIR"), "{help}");
}

#[test]
fn a_refused_output_folder_exits_2_with_a_hint_and_touches_nothing() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "x\n");
    let root = site.root().to_str().unwrap();
    let before = count_files(site.root());
    for out_dir in [".", "content", "themes/default"] {
        let out = shouce(&["-C", root, "build", "--out", out_dir]);
        assert_eq!(out.status.code(), Some(2), "--out {out_dir}");
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("= hint: "), "{stderr}");
        assert_eq!(count_files(site.root()), before, "--out {out_dir}");
    }
}

#[test]
fn a_base_url_that_is_neither_absolute_nor_a_root_path_is_refused() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "x\n");
    let root = site.root().to_str().unwrap();
    let before = count_files(site.root());
    // (--base-url, what the error says)
    let cases = [
        ("kb.example.com", "neither an absolute URL"),
        ("https://", "no host"),
        ("//cdn.example/kb/", "protocol-relative"),
        ("javascript:alert(1)", "neither an absolute URL"),
        ("ftp://kb.example/", "other than http"),
    ];
    for (url, says) in cases {
        let out = shouce(&["-C", root, "build", "--base-url", url]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(says), "{url}: {stderr}");
        assert!(
            stderr.contains("https://kb.example.com/"),
            "no example: {stderr}"
        );
        assert_eq!(count_files(site.root()), before, "{url}");
    }
}

#[test]
fn a_sitemap_needs_an_absolute_base_url_and_the_build_says_so() {
    let site = Site::new();
    site.file("shouce.toml", "title = \"手册\"\nbase_url = \"/\"\n");
    site.page("_index.md", "title = \"首页\"", "x\n");
    let root = site.root().to_str().unwrap();
    let out = shouce(&["-C", root, "build"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!site.path("public/sitemap.xml").exists());
    assert!(text(&out.stderr).contains("note: no sitemap.xml"));
    let out = shouce(&["-C", root, "build", "--base-url", "https://kb.example/"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://kb.example/</loc>"),
        "{sitemap}"
    );
    assert!(!text(&out.stderr).contains("note:"));
}

#[test]
fn the_log_has_no_colour_codes_when_stderr_is_not_a_terminal() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "x\n");
    let root = site.root().to_str().unwrap();
    let out = shouce_in(
        site.root(),
        &["-C", root, "build"],
        &[("SHOUCE_LOG", "info")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("loaded"), "the log is on: {stderr}");
    assert!(!stderr.contains('\u{1b}'), "colour codes in {stderr:?}");
}
