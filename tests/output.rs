//! The output folder never costs the user a file: only a folder Shouce made is
//! replaced, a linked `public/` stays a link, no step of a build (interrupted by a
//! failpoint) leaves the site incomplete, two builds exclude each other, and a failed
//! build leaves no staging folder behind. Each attack counts the files before and after.

mod common;

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use common::Site;
use shouce::build::failpoint::{Fault, Step};
use shouce::build::outdir::MARKER;
use shouce::build::{self, BuildOptions, Failpoints};
use shouce::error::{Error, Failure};

/// Every file below `dir` (links not followed), path → content hash.
fn files(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            let path = e.path().strip_prefix(dir).unwrap().display().to_string();
            (path, blake3::hash(&bytes).to_hex().to_string())
        })
        .collect()
}

/// A small site whose version `v` differs in a page's text, a page that comes and goes,
/// and an attachment.
fn site(v: u32) -> Site {
    let site = Site::new();
    write_version(&site, v);
    site
}

fn write_version(site: &Site, v: u32) {
    site.page("_index.md", "title = \"首页\"", &format!("版本 {v}\n"))
        .page(
            "a.md",
            "title = \"a\"",
            &format!("[guide](guide.pdf) {v}\n"),
        )
        .bytes("content/guide.pdf", format!("%PDF {v}").as_bytes());
    let gone = site.path("content/only-v1.md");
    if v == 1 {
        site.page("only-v1.md", "title = \"old\"", "x\n");
    } else if gone.exists() {
        std::fs::remove_file(gone).unwrap();
    }
}

fn out_error(result: Result<build::Report, Failure>) -> String {
    match result {
        Err(Failure::Env(e @ Error::Output { .. })) => e.to_string(),
        Err(Failure::Env(e)) => panic!("expected a refusal, got: {e}"),
        Err(Failure::Author(d)) => panic!("expected a refusal, got author errors: {d:?}"),
        Ok(_) => panic!("expected a refusal, the build succeeded"),
    }
}

fn build_into(site: &Site, out: &Path) -> Result<build::Report, Failure> {
    build::build(&BuildOptions {
        out_dir: out.to_path_buf(),
        ..site.options()
    })
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

#[test]
fn only_a_folder_shouce_made_is_replaced() {
    // (case, prepare the site and name the --out folder, what the refusal says)
    type Setup = fn(&Site) -> PathBuf;
    let cases: &[(&str, Setup, &str)] = &[
        (
            "the site root",
            |s| s.root().to_path_buf(),
            "is or contains the site",
        ),
        (
            "a folder above the site",
            |s| s.path(".."),
            "is or contains the site",
        ),
        (
            "content/",
            |s| s.path("content"),
            "inside the site's sources (content/)",
        ),
        ("inside content/", |s| s.path("content/site"), "(content/)"),
        ("inside themes/", |s| s.path("themes/out"), "(themes/)"),
        ("templates/", |s| s.path("templates"), "(templates/)"),
        ("quizzes/", |s| s.path("quizzes/site"), "(quizzes/)"),
        (
            "a file",
            |s| s.path("shouce.toml"),
            "is a file, not a folder",
        ),
        (
            "a folder of the user's",
            |s| {
                s.file("notes/todo.txt", "buy milk");
                s.path("notes")
            },
            "holds files Shouce did not write",
        ),
        (
            "a folder holding only a hidden .git",
            |s| {
                s.file("deploy/.git/HEAD", "ref: refs/heads/main");
                s.path("deploy")
            },
            "holds files Shouce did not write",
        ),
        (
            "public/ built by hand, then a marker-less copy of its ledger",
            |s| {
                s.file("public/index.html", "mine");
                s.file(".public.shouce-ledger", "shouce-ledger 1\n1\n");
                s.path("public")
            },
            "holds files Shouce did not write",
        ),
        #[cfg(unix)]
        (
            "public/ linking to a folder of the user's",
            |s| {
                s.file("notes/todo.txt", "buy milk");
                link(&s.path("notes"), &s.path("public"));
                s.path("public")
            },
            "holds files Shouce did not write",
        ),
        #[cfg(unix)]
        (
            "public/ linking into content/",
            |s| {
                link(&s.path("content"), &s.path("public"));
                s.path("public")
            },
            "(content/)",
        ),
        #[cfg(unix)]
        (
            "public/ linking nowhere",
            |s| {
                link(&s.path("nowhere"), &s.path("public"));
                s.path("public")
            },
            "cannot be reached",
        ),
    ];
    for (case, setup, problem) in cases {
        let site = site(1);
        let out = setup(&site);
        let before = files(site.root());
        let message = out_error(build_into(&site, &out));
        assert!(message.contains(problem), "{case}: {message}");
        assert!(message.contains("hint: "), "{case}: no hint in {message}");
        assert_eq!(files(site.root()), before, "{case}: files changed");
    }
}

#[test]
fn a_folder_shouce_made_empty_or_from_before_markers_is_replaced() {
    let site = site(1);
    std::fs::create_dir(site.path("empty")).unwrap();
    build_into(&site, &site.path("empty")).unwrap();
    assert!(site.path("empty/index.html").is_file());
    assert!(site.path("empty").join(MARKER).is_file());
    // A site written before sites were marked: its ledger names its folder.
    site.build().unwrap();
    std::fs::remove_file(site.path("public").join(MARKER)).unwrap();
    site.build().unwrap();
    assert!(site.path("public").join(MARKER).is_file());
}

#[cfg(unix)]
#[test]
fn a_linked_public_stays_a_link_and_keeps_what_lies_beside_it() {
    let site = site(1);
    site.file("www/robots.txt", "User-agent: *");
    std::fs::create_dir(site.path("www/kb")).unwrap();
    link(Path::new("www/kb"), &site.path("public"));
    let beside = files(&site.path("www"));
    for v in [1, 2, 3] {
        write_version(&site, v);
        site.build().unwrap();
        let meta = std::fs::symlink_metadata(site.path("public")).unwrap();
        assert!(meta.file_type().is_symlink(), "build {v} replaced the link");
        assert_eq!(
            std::fs::read_link(site.path("public")).unwrap(),
            Path::new("www/kb")
        );
        assert!(
            site.read("www/kb/index.html")
                .contains(&format!("版本 {v}"))
        );
    }
    assert_eq!(
        files(&site.path("www"))["robots.txt"],
        beside["robots.txt"],
        "a file beside the linked folder was touched"
    );
    // The staging and spare folders sit beside the linked folder, not the link.
    assert!(site.path("www/.kb.shouce-spare").is_dir());
    assert!(!site.path(".public.shouce-spare").exists());
}

/// The names a finished build may leave beside `public/`.
const LEFT_BESIDE: [&str; 4] = [
    ".public.shouce-spare",
    ".public.shouce-ledger",
    ".public.shouce-spare-ledger",
    ".public.shouce-lock",
];

fn leftovers(site: &Site) -> Vec<String> {
    std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.") && !LEFT_BESIDE.contains(&n.as_str()))
        .collect()
}

/// A hook that injects `fault` the first time the build reaches `step`.
fn once(step: Step, fault: Fault, fired: Arc<AtomicBool>) -> Failpoints {
    Failpoints::new(move |at, _| {
        (at == step && !fired.swap(true, Ordering::SeqCst)).then_some(fault)
    })
}

#[test]
fn no_step_of_a_build_can_lose_the_site() {
    let reference = site(2);
    reference.build().unwrap();
    let v2 = files(&reference.path("public"));
    // Builds before the interrupted one: none, one (no spare yet), two (a spare).
    std::thread::scope(|scope| {
        for history in 0..3 {
            let v2 = &v2;
            scope.spawn(move || {
                for step in Step::ALL {
                    for fault in [Fault::Crash, Fault::Fail(ErrorKind::Other)] {
                        interrupt(history, step, fault, v2);
                    }
                }
            });
        }
    });
}

/// Builds version 1 `history` times, then version 2 with `fault` at `step`: the site
/// is the old one or the new one, never a mix or nothing, and the next build is right.
fn interrupt(history: usize, step: Step, fault: Fault, v2: &BTreeMap<String, String>) {
    let case = format!("{step:?}, {fault:?}, after {history} builds");
    let site = site(1);
    for _ in 0..history {
        site.build().unwrap();
    }
    let before = files(&site.path("public"));
    write_version(&site, 2);
    let fired = Arc::new(AtomicBool::new(false));
    let result = build::build(&BuildOptions {
        failpoints: once(step, fault, fired.clone()),
        ..site.options()
    });
    let reached = step != Step::Prune || history == 2;
    assert_eq!(fired.load(Ordering::SeqCst), reached, "{case}");
    let after = files(&site.path("public"));
    assert!(after == before || after == *v2, "{case}: incomplete site");
    let optional = matches!(step, Step::Spare | Step::Ledger);
    if !reached || (optional && fault != Fault::Crash) {
        assert!(result.is_ok(), "{case}: {:?}", result.err());
        assert!(after == *v2, "{case}: not the new site");
    } else {
        assert!(result.is_err(), "{case}: the build reported success");
    }
    if reached && matches!(fault, Fault::Fail(_)) && !optional {
        assert!(after == before, "{case}: a failed build changed the site");
        assert_eq!(leftovers(&site), Vec::<String>::new(), "{case}");
    }
    // The next build recovers from whatever was left.
    site.build().unwrap();
    assert!(files(&site.path("public")) == *v2, "{case}: next build");
    assert_eq!(leftovers(&site), Vec::<String>::new(), "{case}");
}

#[test]
fn a_full_disk_fails_the_build_names_the_file_and_leaves_no_staging() {
    let site = site(1);
    site.build().unwrap();
    site.build().unwrap();
    let before = files(&site.path("public"));
    write_version(&site, 2);
    let options = BuildOptions {
        failpoints: Failpoints::new(|step, path| {
            (step == Step::Write && path.ends_with("guide.pdf"))
                .then_some(Fault::Fail(ErrorKind::StorageFull))
        }),
        ..site.options()
    };
    let Err(Failure::Env(err)) = build::build(&options) else {
        panic!("the build should fail");
    };
    let message = err.to_string();
    assert!(
        message.contains(".public.shouce-staging/a/guide.pdf")
            || message.contains(".public.shouce-staging/guide.pdf"),
        "the error names the file being written: {message}"
    );
    assert!(!message.contains("content/"), "not the source: {message}");
    assert_eq!(files(&site.path("public")), before);
    assert_eq!(leftovers(&site), Vec::<String>::new());
    assert!(!site.path(".public.shouce-spare").exists(), "staging kept");
    site.build().unwrap();
    assert!(site.read("public/index.html").contains("版本 2"));
}

#[test]
fn two_builds_of_one_site_exclude_each_other() {
    let site = site(1);
    site.build().unwrap();
    write_version(&site, 2);
    let (reached, wait_reached) = mpsc::channel();
    let (go, wait_go) = mpsc::channel::<()>();
    let wait_go = Mutex::new(wait_go);
    let first = BuildOptions {
        failpoints: Failpoints::new(move |step, _| {
            if step == Step::Exchange {
                reached.send(()).unwrap();
                wait_go.lock().unwrap().recv().unwrap();
            }
            None
        }),
        ..site.options()
    };
    std::thread::scope(|scope| {
        let first = scope.spawn(|| build::build(&first));
        wait_reached.recv().unwrap();
        // The first build is about to swap its site in: a second one must not start.
        let before = files(site.root());
        let message = out_error(site.build());
        assert!(message.contains("another build is writing"), "{message}");
        assert!(message.contains("hint: wait for it"), "{message}");
        assert_eq!(files(site.root()), before);
        go.send(()).unwrap();
        first.join().unwrap().unwrap();
    });
    assert!(site.read("public/index.html").contains("版本 2"));
    // The lock went with the first build.
    site.build().unwrap();
}

#[test]
fn without_an_atomic_exchange_a_kill_between_the_two_renames_loses_nothing() {
    let reference = site(2);
    reference.build().unwrap();
    let v2 = files(&reference.path("public"));
    // (fault between the renames, whether public/ is there right after)
    let cases = [
        (None, true),
        (Some(Fault::Fail(ErrorKind::Other)), true),
        (Some(Fault::Crash), false),
    ];
    for (fault, public_stays) in cases {
        let case = format!("{fault:?}");
        let site = site(1);
        site.build().unwrap();
        site.build().unwrap();
        let before = files(&site.path("public"));
        write_version(&site, 2);
        let result = build::build(&BuildOptions {
            failpoints: Failpoints::new(move |step, _| match step {
                Step::Exchange => Some(Fault::NoExchange),
                Step::Rename => fault,
                _ => None,
            }),
            ..site.options()
        });
        assert_eq!(result.is_ok(), fault.is_none(), "{case}");
        assert_eq!(site.path("public").exists(), public_stays, "{case}");
        let after = files(&site.path("public"));
        match fault {
            None => assert!(after == v2, "{case}: not the new site"),
            Some(Fault::Fail(_)) => assert!(after == before, "{case}: the site changed"),
            // The one window two renames leave: the previous site waits beside.
            _ => assert!(files(&site.path(".public.shouce-old")) == before, "{case}"),
        }
        site.build().unwrap();
        assert!(files(&site.path("public")) == v2, "{case}: next build");
        assert_eq!(leftovers(&site), Vec::<String>::new(), "{case}");
    }
}
