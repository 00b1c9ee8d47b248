//! Runs one command: composes the build, the dev server and the site server, and
//! prints progress and summaries. Diagnostics that fail a command are returned to
//! `main`, which prints them and picks the exit code.

use std::io::IsTerminal;
use std::path::Path;

use crate::build::{self, BuildOptions, OutputMode, Progress, Report};
use crate::cli::{BuildArgs, Cli, Command, SearchArgs};
use crate::content::DraftPolicy;
use crate::error::{self, Diagnostic, Error, Failure, Severity};

pub fn run(cli: Cli) -> Result<(), Failure> {
    let root = cli.root;
    match cli.command {
        Command::Init { dir } => init(&root.join(dir)),
        Command::Build(args) => build_site(&root, args),
        Command::Check { strict, drafts } => check(&root, strict, drafts),
        Command::Dev { port, open, drafts } => {
            let options = BuildOptions {
                drafts: drafts_policy(drafts),
                ..BuildOptions::new(&root)
            };
            runtime()?.block_on(crate::dev::run(options, port, open))
        }
        Command::Serve(args) => {
            let options = BuildOptions {
                progress: progress(),
                ..BuildOptions::new(&root)
            };
            let report = build::build(&options)?;
            print_built(&report);
            runtime()?.block_on(crate::operate::serve(&options, args))
        }
        Command::User { store, action } => {
            runtime()?.block_on(crate::operate::user(&root, &store, action))
        }
        Command::Db { store, action } => {
            runtime()?.block_on(crate::operate::db(&root, &store, action))
        }
        Command::Exam { store, action } => {
            runtime()?.block_on(crate::operate::exam(&root, &store, action))
        }
        Command::Certificate { store, action } => {
            runtime()?.block_on(crate::operate::certificate(&root, &store, action))
        }
        Command::Results { store, action } => {
            runtime()?.block_on(crate::operate::results(&root, &store, action))
        }
        Command::Demo { store, action } => {
            runtime()?.block_on(crate::operate::demo(&root, &store, action))
        }
        Command::Search(args) => search(&root, args),
    }
}

/// `shouce search`: the ranked pages' source paths, or JSON with everything.
fn search(root: &Path, args: SearchArgs) -> Result<(), Failure> {
    let site = args
        .site
        .map_or_else(|| root.to_path_buf(), |s| root.join(s));
    let out_dir = site.join("public");
    let env = |e: crate::search::SearchError| Failure::Env(Error::Other(e.to_string()));
    let mut searcher =
        crate::search::Searcher::open(crate::search::DirSource(out_dir.clone()), &out_dir)
            .map_err(env)?;
    let query = args.query.join(" ");
    let hits = searcher.search(&query, args.limit).map_err(env)?;
    if hits.is_empty() && !args.json {
        let suggestions = searcher.suggest(&query).map_err(env)?;
        eprint!("{}", crate::search::suggest::message(&query, &suggestions));
    }
    let text = if args.json {
        let json = serde_json::to_string_pretty(&hits)
            .map_err(|e| Failure::Env(Error::Other(e.to_string())))?;
        format!("{json}\n")
    } else {
        hits.iter().map(|hit| format!("{}\n", hit.path)).collect()
    };
    write_stdout(&text)
}

/// Prints `text`; a reader that stops early (`shouce search … | head`) is not an error.
fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Env(Error::Other(
            format!("cannot write the results: {e}"),
        ))),
        _ => Ok(()),
    }
}

fn init(dir: &Path) -> Result<(), Failure> {
    crate::scaffold::create(dir)?;
    println!("created a new handbook in {}", dir.display());
    println!("next: cd {} && shouce dev --open", dir.display());
    Ok(())
}

fn build_site(root: &Path, args: BuildArgs) -> Result<(), Failure> {
    let mut options = BuildOptions::new(root);
    options.drafts = drafts_policy(args.drafts);
    options.base_url = args.base_url;
    options.progress = progress();
    if args.no_search_index {
        options.search = build::SearchIndex::Skip;
    }
    if let Some(out) = args.out {
        // Relative to -C DIR, like every path on the command line (see cli.rs).
        options.out_dir = root.join(out);
    }
    let report = build::build(&options)?;
    print_built(&report);
    Ok(())
}

fn check(root: &Path, strict: bool, drafts: bool) -> Result<(), Failure> {
    let options = BuildOptions {
        output: OutputMode::Discard,
        drafts: drafts_policy(drafts),
        ..BuildOptions::new(root)
    };
    let report: Report = build::build(&options)?;
    if strict && !report.warnings.is_empty() {
        let promoted: Vec<Diagnostic> = report
            .warnings
            .into_iter()
            .map(|d| Diagnostic {
                severity: Severity::Error,
                ..d
            })
            .collect();
        return Err(Failure::Author(promoted));
    }
    print_warnings(&report.warnings);
    println!("{}", report.summary("checked"));
    Ok(())
}

/// What a build reports: its warnings, the summary, and what it left out on purpose.
fn print_built(report: &Report) {
    print_warnings(&report.warnings);
    println!("{}", report.summary("built"));
    for note in &report.notes {
        eprintln!("note: {note}");
    }
}

fn print_warnings(warnings: &[Diagnostic]) {
    if !warnings.is_empty() {
        eprint!("{}", error::render_all(warnings));
    }
}

fn drafts_policy(drafts: bool) -> DraftPolicy {
    if drafts {
        DraftPolicy::Include
    } else {
        DraftPolicy::Exclude
    }
}

fn progress() -> Progress {
    if std::io::stderr().is_terminal() {
        Progress::Bar
    } else {
        Progress::Hidden
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Env(Error::Other(format!("cannot start the async runtime: {e}"))))
}
