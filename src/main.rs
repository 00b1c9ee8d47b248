//! Shouce (手册): Markdown training material → a searchable handbook site.
//!
//! `main` parses arguments, runs the command, prints what it reports and maps the
//! outcome to an exit code: 0 ok, 1 the author's mistakes, 2 the environment.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use shouce::error::{self, Failure};
use shouce::{cli, commands};

// A build allocates many small strings on every thread (template values, Markdown
// events); mimalloc spends about a third of the instructions glibc's malloc does on
// them (measured with callgrind on a 1,000-page build; see bench/README.md).
// Built with `no_thp`: with transparent huge pages every fresh 2 MB of heap is zeroed
// whole at its first touch; that zeroing was a quarter of a 10,000-page build's CPU
// samples (perf, the search section of bench/README.md), and a fifth of what the
// search index added.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The server warns of slow database statements (with their SQL) for its operator;
    // a one-off command (an export streaming 200,000 rows, a demo seed) is expected to
    // take its time, and whoever ran it needs no SQL on their terminal.
    let default = match cli.command {
        cli::Command::Serve(_) | cli::Command::Dev { .. } => "warn",
        _ => "warn,sqlx::query=error",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SHOUCE_LOG")
                .unwrap_or_else(|_| default.into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal, never into a file or a pipe.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Author(diagnostics)) => {
            eprint!("{}", error::render_all(&diagnostics));
            ExitCode::from(1)
        }
        Err(Failure::Env(err)) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
