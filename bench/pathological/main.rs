//! The pathological-page benchmark: builds a one-page site for each page of
//! `pages.rs` at its test size and at twice that, and prints both times and their
//! ratio. Near 2 the stage is linear; near 4 it is quadratic.
//!
//! ```sh
//! cargo run --release --example pathological            # every page
//! cargo run --release --example pathological nested-html
//! ```

mod pages;

use std::path::Path;
use std::time::{Duration, Instant};

use shouce::build::{self, BuildOptions};
use shouce::error::Failure;

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    println!(
        "{:<20} {:>9} {:>10} {:>10} {:>6}",
        "page", "size", "time", "time ×2", "ratio"
    );
    for (name, size, make) in pages::ALL {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let (once, outcome) = time_build(&make(size));
        let (twice, _) = time_build(&make(size * 2));
        println!(
            "{name:<22} {size:>9} {:>8.0}ms {:>8.0}ms {:>6.2}  {outcome}",
            once.as_secs_f64() * 1e3,
            twice.as_secs_f64() * 1e3,
            twice.as_secs_f64() / once.as_secs_f64()
        );
    }
}

/// The best of three builds of a site whose one lesson is `body`, and whether the
/// build went through or refused the page (the time to refuse counts as much).
fn time_build(body: &str) -> (Duration, &'static str) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let root = dir.path();
    copy_theme(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &root.join("themes/default"),
    );
    write(root, "shouce.toml", "title = \"bench\"\n");
    write(
        root,
        "content/_index.md",
        "+++\ntitle = \"首页\"\n+++\n首页\n",
    );
    write(
        root,
        "content/a.md",
        &format!("+++\ntitle = \"a\"\n+++\n{body}"),
    );
    let mut outcome = "built";
    let best = (0..3)
        .map(|_| {
            let started = Instant::now();
            match build::build(&BuildOptions::new(root)) {
                Ok(_) => {}
                Err(Failure::Author(_)) => outcome = "refused",
                Err(Failure::Env(e)) => panic!("the build failed: {e}"),
            }
            started.elapsed()
        })
        .min()
        .expect("three runs");
    (best, outcome)
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
    std::fs::write(path, text).expect("a file");
}

fn copy_theme(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let target = to.join(entry.path().strip_prefix(from).expect("below the theme"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}
