//! The generator under attack: each case is what a hostile author or a careless user
//! might put in a site, and what must come of it. A case is one line of [`CASES`].
//!
//! Every case first builds a good site, then adds its files and builds again, timed
//! against a generous budget (the pathological pages would take minutes if a stage
//! were quadratic). A refused build must leave every file of the site, `public/`
//! included, exactly as it was; a build that goes through must publish nothing the
//! case names as forbidden.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::Site;
use shouce::build::{BuildOptions, OutputMode, Report};
use shouce::error::{self, Diagnostic, Failure};

/// What a case puts in the site.
#[derive(Clone, Copy)]
enum Put {
    /// A file at this path below the site root; `.md` files under `content/` without
    /// front matter get `title = "攻击"`.
    File(&'static str, &'static str),
    /// A page whose body is one of the pathological pages, by name.
    Made(&'static str, &'static str),
    /// A symbolic link at this path to a folder outside the site holding `id_rsa`.
    LinkOutside(&'static str),
}

/// What must come of it.
#[derive(Clone, Copy)]
enum Then {
    /// The build fails with this error, located at `--> ` this (a prefix of it).
    Refused(&'static str, &'static str),
    /// The build fails with all of these errors, in one run.
    RefusedAll(&'static [(&'static str, &'static str)]),
    /// The build succeeds with this warning, located at this.
    Warned(&'static str, &'static str),
    /// The build succeeds.
    Built,
}

/// What the published site must (not) hold, checked when the build succeeds.
#[derive(Clone, Copy)]
enum Holds {
    /// No published file contains this.
    Nowhere(&'static str),
    /// This file contains this text exactly this many times.
    Times(&'static str, &'static str, usize),
    /// This file is not published.
    NoFile(&'static str),
}
use Holds::*;
use Put::*;
use Then::*;

struct Case {
    name: &'static str,
    put: &'static [Put],
    then: Then,
    holds: &'static [Holds],
}

const fn case(
    name: &'static str,
    put: &'static [Put],
    then: Then,
    holds: &'static [Holds],
) -> Case {
    Case {
        name,
        put,
        then,
        holds,
    }
}

const PRACTICE: &str = "id = \"drill\"\ntitle = \"练习\"\nkind = \"practice\"\n\n[[questions]]\nid = \"q\"\ntype = \"true_false\"\nprompt = \"QUIZ-PROMPT\"\nanswer = true\n";
const EXAM_IN_CONTENT: &str = "id = \"leak\"\ntitle = \"考试\"\nkind = \"exam\"\n\n[[questions]]\nid = \"q\"\ntype = \"true_false\"\nprompt = \"p\"\nanswer = true\n";
const SMS_ALLOWED: &str = "title = \"测试手册\"\nbase_url = \"https://kb.example/\"\n[markdown]\nlink_schemes = [\"sms\"]\n";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Never publish a script: link schemes, on pages with and without raw HTML.
    case("javascript link", &[File("content/a.md", "[x](javascript:alert(1))")], Refused("links may not use the `javascript:` scheme", "content/a.md:4:5"), &[]),
    case("mixed-case scheme", &[File("content/a.md", "[x](JaVaScRiPt:alert(1))")], Refused("`javascript:` scheme", "content/"), &[]),
    case("entity-encoded scheme", &[File("content/a.md", "[x](&#106;avascript:alert(1))")], Refused("`javascript:` scheme", "content/"), &[]),
    case("tab inside the scheme", &[File("content/a.md", "[x](java&#9;script:alert(1))")], Refused("`javascript:` scheme", "content/"), &[]),
    case("autolink", &[File("content/a.md", "<javascript:alert(1)>")], Refused("`javascript:` scheme", "content/"), &[]),
    case("reference link", &[File("content/a.md", "[x][r]\n\n[r]: vbscript:msgbox(1)")], Refused("`vbscript:` scheme", "content/"), &[]),
    case("data image", &[File("content/a.md", "![x](data:image/svg+xml;base64,PHN2Zz4=)")], Refused("`data:` scheme", "content/"), &[]),
    case("scheme with raw HTML on the page", &[File("content/a.md", "<b>b</b> [x](javascript:alert(1))")], Refused("`javascript:` scheme", "content/"), &[]),
    case("unlisted scheme", &[File("content/a.md", "[x](sms:10086)")], Refused("`sms:` scheme", "content/"), &[]),
    case("scheme the config adds", &[File("shouce.toml", SMS_ALLOWED), File("content/a.md", "[x](sms:10086) [t](tel:+86-10)")], Built, &[Times("print/index.html", "href=\"sms:10086\"", 1), Times("print/index.html", "href=\"tel:+86-10\"", 1)]),
    // The print view rebases URLs with an HTML rewriter.
    case("encoded quote in a raw href", &[File("content/a.md", "<a href=\"x%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E\">a</a>")], Built, &[Nowhere("<img src=x"), Times("print/index.html", "href=\"../a/x%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E\"", 1)]),
    case("attribute-like text", &[File("content/a.md", "x=\"y\" and src=\"../z\"")], Built, &[Times("print/index.html", "<p>x=\"y\" and src=\"../z\"</p>", 1)]),
    // Slugs and file names are URL segments.
    case("slug ..", &[File("content/a.md", "+++\ntitle = \"a\"\nslug = \"..\"\n+++\n")], Refused("`..` is not a usable slug", "content/a.md:3:8"), &[]),
    case("slug .", &[File("content/a.md", "+++\ntitle = \"a\"\nslug = \".\"\n+++\n")], Refused("is not a usable slug", "content/"), &[]),
    case("slug with a scheme", &[File("content/a.md", "+++\ntitle = \"a\"\nslug = \"javascript:alert(1)\"\n+++\n")], Refused("is not a usable slug", "content/"), &[]),
    case("slug index.html", &[File("content/a.md", "+++\ntitle = \"a\"\nslug = \"index.html\"\n+++\n")], Refused("`index.html` is not a usable slug", "content/"), &[]),
    case("slug with a control character", &[File("content/a.md", "+++\ntitle = \"a\"\nslug = \"a\\u0007\"\n+++\n")], Refused("is not a usable slug", "content/"), &[]),
    case("file name with #", &[File("content/a#b.md", "x")], Refused("`a#b` cannot be part of a page's URL", "content/a#b.md"), &[]),
    case("folder name with a colon", &[File("content/x:y/a.md", "x")], Refused("`x:y` cannot be part of a page's URL", "content/"), &[]),
    case("attachment named with # ? and spaces", &[File("content/a b#1?.txt", "t"), File("content/a.md", "[f](a%20b%231%3F.txt)")], Built, &[Times("a/index.html", "href=\"../a%20b%231%3F.txt\"", 1), Times("a b#1?.txt", "t", 1)]),
    // Attachments do not replace generated files; links out of the site and quiz banks are not published.
    case("attachment index.html", &[File("content/index.html", "<script>alert(1)</script>")], Refused("the file /index.html is one the build writes itself", "content/index.html"), &[]),
    case("attachment 404.html", &[File("content/404.html", "x")], Refused("the file /404.html is one the build writes itself", "content/"), &[]),
    case("attachment sitemap.xml", &[File("content/sitemap.xml", "x")], Refused("the file /sitemap.xml is one the build writes itself", "content/"), &[]),
    case("attachment in a page's folder", &[File("content/guide/index.html", "x")], Refused("the file /guide/index.html is one the build writes itself", "content/"), &[]),
    case("attachment where a page's folder goes", &[File("content/x", "data"), File("content/x.md", "page")], Refused("the file /x is where the folder of the page /x/ goes", "content/x"), &[]),
    case("site static file where a page's folder goes", &[File("static/guide", "data")], Refused("the file /guide is where the folder of the page /guide/ goes", "static/guide"), &[]),
    case("exam bank in content", &[File("content/exam.toml", EXAM_IN_CONTENT)], Refused("a quiz file in content/ would be published", "content/exam.toml"), &[]),
    case("symlink out of the site", &[LinkOutside("content/keys")], Warned("not published: it links to", "content/keys/id_rsa"), &[NoFile("keys/id_rsa"), Nowhere("PRIVATE KEY")]),
    // Splice markers cannot be forged.
    case("forged print marker", &[File("content/a.md", "BODY-A"), File("content/b.md", "+++\ntitle = \"\u{F8F0}1\u{F8F1}\"\n+++\n\u{F8F0}1\u{F8F1}")], Built, &[Times("print/index.html", "BODY-A", 1)]),
    case("forged quiz marker", &[File("quizzes/drill.toml", PRACTICE), File("content/a.md", "```quiz\ndrill\n```\n\n<div class=\"quiz-embed\">\u{F8F2}0\u{F8F3}</div>\n\n\u{F8F2}0\u{F8F3}")], Built, &[Times("a/index.html", "QUIZ-PROMPT", 1)]),
    case("forged quiz root mark", &[File("quizzes/drill.toml", PRACTICE), File("content/a.md", "```quiz\ndrill\n```\n\n`__shouce_root__/x`")], Built, &[Times("a/index.html", "__shouce_root__/x", 1)]),
    // Errors that help: a front-matter mistake does not hide the other pages' link errors.
    case("front matter and links", &[File("content/a.md", "+++\ntitel = \"a\"\n+++\n"), File("content/b.md", "[a](a.md) [x](missing.md) [y](guide/start.md#nowhere)")], RefusedAll(&[("unknown field `titel`", "content/a.md:2:1"), ("link to a missing page `missing.md`", "content/b.md:4:15"), ("no heading `#nowhere`", "content/b.md:4")]), &[]),
    // Never hang: pathological pages build in near-linear time.
    case("50,000 identical headings", &[Made("content/a.md", "repeated-headings")], Built, &[Times("a/index.html", "id=\"小结-49999\"", 1)]),
    case("lists nested 10,000 deep", &[Made("content/a.md", "nested-lists")], Built, &[]),
    case("blockquotes nested 10,000 deep", &[Made("content/a.md", "nested-blockquotes")], Built, &[]),
    case("raw HTML nested 10,000 deep", &[Made("content/a.md", "nested-html")], Refused("this page nests HTML elements more than 512 deep", "content/a.md:4:1"), &[]),
    case("quotes nested 10,000 deep and raw HTML", &[Made("content/a.md", "nested-quotes-and-html")], Refused("this page nests HTML elements more than 512 deep", "content/a.md:4:1"), &[]),
    case("inline HTML nested 10,000 deep", &[Made("content/a.md", "nested-inline-html")], Refused("this page nests HTML elements more than 512 deep", "content/a.md:4:3"), &[]),
    case("emphasis nested 10,000 deep", &[Made("content/a.md", "nested-emphasis")], Built, &[]),
    case("links nested 10,000 deep", &[Made("content/a.md", "nested-links")], Built, &[]),
    case("a 2 MB line", &[Made("content/a.md", "long-line")], Built, &[]),
    case("20,000 footnotes", &[Made("content/a.md", "many-footnotes")], Built, &[]),
    case("a table 5,000 columns wide", &[Made("content/a.md", "wide-table")], Built, &[]),
];

#[path = "../bench/pathological/pages.rs"]
mod pages;

#[test]
fn hostile_input_is_refused_or_made_harmless() {
    let failures: Vec<String> = CASES.iter().filter_map(|c| run(c).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Far more than any case needs when every stage is near-linear (a debug build on a
/// busy machine); a quadratic stage takes minutes.
const BUDGET: Duration = Duration::from_secs(60);

/// A symbolic link at `link` to the folder `target`.
fn link_dir(target: &std::path::Path, link: &std::path::Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).unwrap();
    #[cfg(windows)]
    std::os::windows::fs::symlink_dir(target, link).unwrap();
}

fn run(case: &Case) -> Result<(), String> {
    let site = good_site();
    site.build()
        .map_err(|e| format!("{}: the good site failed: {e:?}", case.name))?;
    let outside = tempfile::tempdir().unwrap();
    for put in case.put {
        match *put {
            File(path, text) => write(&site, path, text),
            Made(path, name) => write(&site, path, &pages::page(name)),
            LinkOutside(path) => {
                std::fs::write(outside.path().join("id_rsa"), "-----BEGIN PRIVATE KEY-----")
                    .unwrap();
                link_dir(outside.path(), &site.path(path));
            }
        }
    }
    let before = site_files(&site);
    let fail = |why: String| Err(format!("{}: {why}", case.name));
    let Some((result, elapsed)) = build_within(site.options(), BUDGET) else {
        return fail(format!("did not finish within {BUDGET:?}"));
    };
    eprintln!("{}: {elapsed:.2?}", case.name);
    match (case.then, result) {
        (Refused(expected, at), Err(Failure::Author(d))) => {
            refused(&site, &before, &d, &[(expected, at)]).or_else(fail)
        }
        (RefusedAll(expected), Err(Failure::Author(d))) => {
            refused(&site, &before, &d, expected).or_else(fail)
        }
        (Refused(..) | RefusedAll(_), other) => {
            fail(format!("expected a refusal, got {}", outcome(&other)))
        }
        (Warned(expected, at), Ok(report)) => {
            let text = error::render_all(&report.warnings);
            if !said(&text, expected, at) {
                return fail(format!(
                    "expected `{expected}` at {at} in the warnings\n{text}"
                ));
            }
            check_holds(case, &site.tree("public"))
        }
        (Built, Ok(_)) => check_holds(case, &site.tree("public")),
        (_, other) => fail(format!("expected a build, got {}", outcome(&other))),
    }
}

/// A refusal must say every `expected` (message, location), leave the site's files
/// as they were, and `check` must say exactly what `build` said.
fn refused(
    site: &Site,
    before: &BTreeMap<String, Vec<u8>>,
    diagnostics: &[Diagnostic],
    expected: &[(&str, &str)],
) -> Result<(), String> {
    let text = error::render_all(diagnostics);
    if let Some((message, at)) = expected.iter().find(|(m, at)| !said(&text, m, at)) {
        return Err(format!("expected `{message}` at {at} in\n{text}"));
    }
    let after = site_files(site);
    if &after != before {
        let changed: Vec<&String> = (before.keys().chain(after.keys()))
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        return Err(format!(
            "a refused build changed the site's files: {changed:?}"
        ));
    }
    let check = BuildOptions {
        output: OutputMode::Discard,
        ..site.options()
    };
    match build_within(check, BUDGET) {
        Some((Err(Failure::Author(d)), _)) if error::render_all(&d) == text => Ok(()),
        Some((other, _)) => Err(format!(
            "`check` disagrees with `build`:\n{text}\nagainst {}",
            outcome(&other)
        )),
        None => Err(format!("`check` did not finish within {BUDGET:?}")),
    }
}

/// Whether the printed diagnostics hold `message`, located at `at`.
fn said(text: &str, message: &str, at: &str) -> bool {
    text.split("\n\n")
        .any(|d| d.contains(message) && d.contains(&format!("--> {at}")))
}

/// Every file of the site, but the build's staging folder (`.public.shouce-spare`),
/// which `build/write.rs` keeps to recycle: `public/` and the sources are compared.
fn site_files(site: &Site) -> BTreeMap<String, Vec<u8>> {
    let mut files = site.tree("");
    files.retain(|path, _| !path.starts_with(".public."));
    files
}

/// Builds the site on another thread, giving up after `budget` (a quadratic stage
/// would otherwise hang the test instead of failing it).
fn build_within(
    options: BuildOptions,
    budget: Duration,
) -> Option<(Result<Report, Failure>, Duration)> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        let result = shouce::build::build(&options);
        let _ = sender.send((result, started.elapsed()));
    });
    receiver.recv_timeout(budget).ok()
}

fn check_holds(case: &Case, public: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    for hold in case.holds {
        let ok = match *hold {
            Nowhere(needle) => public.values().all(|b| count(b, needle) == 0),
            Times(file, needle, n) => public.get(file).is_some_and(|b| count(b, needle) == n),
            NoFile(file) => !public.contains_key(file),
        };
        if !ok {
            let shown = match *hold {
                Times(file, _, _) => public.get(file).map_or("(no such file)".into(), |b| {
                    String::from_utf8_lossy(b).into_owned()
                }),
                _ => String::new(),
            };
            return Err(format!("{}: fails {}\n{shown}", case.name, describe(hold)));
        }
    }
    Ok(())
}

fn describe(hold: &Holds) -> String {
    match hold {
        Nowhere(n) => format!("no published file holds {n:?}"),
        Times(f, n, k) => format!("{f} holds {n:?} {k} time(s)"),
        NoFile(f) => format!("{f} is not published"),
    }
}

fn count(haystack: &[u8], needle: &str) -> usize {
    String::from_utf8_lossy(haystack).matches(needle).count()
}

fn outcome(result: &Result<Report, Failure>) -> String {
    match result {
        Ok(_) => "a successful build".into(),
        Err(Failure::Author(d)) => format!("errors:\n{}", error::render_all(d)),
        Err(Failure::Env(e)) => format!("an environment failure: {e}"),
    }
}

fn good_site() -> Site {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "欢迎\n")
        .page("guide/_index.md", "title = \"指南\"", "指南\n")
        .page(
            "guide/start.md",
            "title = \"开始\"",
            "[首页](../_index.md)\n",
        );
    site
}

fn write(site: &Site, path: &str, text: &str) {
    let needs_front =
        path.starts_with("content/") && path.ends_with(".md") && !text.starts_with("+++");
    if needs_front {
        site.file(path, &format!("+++\ntitle = \"攻击\"\n+++\n{text}"));
    } else {
        site.file(path, text);
    }
}
