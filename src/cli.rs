//! The command line: clap-derived commands and their typed options. No logic lives
//! here beyond turning arguments into the option structs the commands take.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "shouce",
    version,
    about = "Shouce (手册): Markdown training material → a searchable handbook site with quizzes"
)]
pub struct Cli {
    /// Run as if started in DIR: the site root (where shouce.toml is), and the folder
    /// every relative path on the command line starts from (--out, --site, init DIR),
    /// as with git -C and make -C
    #[arg(
        long,
        short = 'C',
        global = true,
        default_value = ".",
        value_name = "DIR"
    )]
    pub root: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new handbook in DIR that builds and explains itself
    Init {
        /// The folder to create (must be empty or not exist); relative to -C DIR
        dir: PathBuf,
    },
    /// Build the site into public/
    Build(BuildArgs),
    /// Run every check of build and report all problems; write nothing
    Check {
        /// Treat warnings (such as overdue reviews) as errors
        #[arg(long)]
        strict: bool,
        /// Include draft pages
        #[arg(long)]
        drafts: bool,
    },
    /// Build, serve on 127.0.0.1, and rebuild + live-reload on every change
    Dev {
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Open the site in a browser
        #[arg(long)]
        open: bool,
        /// Include draft pages
        #[arg(long)]
        drafts: bool,
    },
    /// Build the site, then serve it with the exam server (accounts, exams, certificates)
    Serve(ServeArgs),
    /// Manage accounts: add, import a CSV, reset a password, disable
    User {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Exams: give an agent a fresh start (an admin's reset, audited)
    Exam {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        action: ExamCommand,
    },
    /// Certificates: revoke one, with a reason (audited)
    Certificate {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        action: CertificateCommand,
    },
    /// The exam server's database: back it up, run migrations
    Db {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        action: DbCommand,
    },
    /// Export results as CSV (UTF-8 with a byte-order mark, for Excel) or as a workbook
    Results {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        action: ResultsCommand,
    },
    /// A demo database of a made-up company, to try the results views
    Demo {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        action: DemoCommand,
    },
    /// Search the site's index (as its last build wrote it) from the terminal
    Search(SearchArgs),
}

#[derive(Debug, Subcommand)]
pub enum ResultsCommand {
    /// Every graded attempt (one line each), streamed from the database
    Export {
        /// Only this exam (default: every exam of the site)
        #[arg(long)]
        exam: Option<String>,
        /// Only this team
        #[arg(long, default_value = "")]
        team: String,
        /// Write to FILE instead of standard output
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write an Excel workbook (.xlsx) instead of CSV; implied by `-o FILE.xlsx`
        #[arg(long)]
        xlsx: bool,
        /// Read the demo database (made by `shouce demo seed`)
        #[arg(long)]
        demo: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// (Re)create the demo database (demo.db in the state folder, never the real one)
    /// with teams, agents and fifteen months of exam attempts
    Seed {
        /// How many agents
        #[arg(long, default_value_t = 300)]
        agents: usize,
        /// Another number gives another company
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The site root, relative to -C DIR (default: -C DIR itself); the index is read
    /// from its public/ folder
    #[arg(long, value_name = "DIR")]
    pub site: Option<PathBuf>,
    /// Print titles, URLs, section paths, scores and snippets as JSON
    #[arg(long)]
    pub json: bool,
    /// How many results to print
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// What to look for (several words are one query)
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Where to write the site, relative to -C DIR (default: public/ in the site root).
    /// Only a new, empty or Shouce-made folder outside the sources is replaced
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Include draft pages
    #[arg(long)]
    pub drafts: bool,
    /// Override base_url from shouce.toml: an absolute http(s) URL (which also gets a
    /// sitemap) or a path from the host's root, such as /handbook/
    #[arg(long, value_name = "URL", value_parser = base_url)]
    pub base_url: Option<String>,
    /// Leave out the search index (for measuring its cost; the search box needs it)
    #[arg(long, hide = true)]
    pub no_search_index: bool,
}

/// Checks `--base-url` like `base_url` in shouce.toml.
fn base_url(url: &str) -> Result<String, String> {
    match crate::config::base_url_problem(url) {
        Some(problem) => Err(format!("{problem}; {}", crate::config::BASE_URL_HINT)),
        None => Ok(url.to_string()),
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, short, default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Take client addresses from X-Forwarded-For (only behind your own proxy)
    #[arg(long)]
    pub behind_proxy: bool,
    /// Serve the demo database (made by `shouce demo seed`) instead of the real one
    #[arg(long)]
    pub demo: bool,
}

/// Where the exam server keeps its data.
#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// The state folder (default: .shouce/ in the site root); holds the SQLite database
    #[arg(
        long = "state",
        value_name = "DIR",
        env = "SHOUCE_STATE",
        global = true
    )]
    pub state: Option<PathBuf>,
    /// A database URL instead of the state folder's SQLite file (postgres://…)
    #[arg(long, value_name = "URL", env = "SHOUCE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account and print its one-time link to set a password
    Add {
        /// The sign-in name (the employee id)
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        team: String,
        /// agent, trainer, supervisor or admin
        #[arg(long, default_value = "agent")]
        role: String,
        /// The server's address, for the printed link
        #[arg(long, default_value = "http://127.0.0.1:8080/", value_name = "URL")]
        url: String,
    },
    /// Import accounts from a CSV (employee id, name, team, role; UTF-8, with or without BOM)
    Import {
        file: PathBuf,
        /// The server's address, for the printed links
        #[arg(long, default_value = "http://127.0.0.1:8080/", value_name = "URL")]
        url: String,
    },
    /// End an account's sessions and print a one-time link to set a new password
    ResetPassword {
        login: String,
        /// The server's address, for the printed link
        #[arg(long, default_value = "http://127.0.0.1:8080/", value_name = "URL")]
        url: String,
    },
    /// Disable an account (its sessions end at once)
    Disable { login: String },
}

#[derive(Debug, Subcommand)]
pub enum ExamCommand {
    /// Void the agent's open attempt (kept as history, never graded) and let them start
    /// again: earlier attempts stop counting toward the attempt limit and retake wait
    Reset {
        /// The agent's login (employee id)
        login: String,
        /// The exam's id (its file name in quizzes/ without .toml)
        exam: String,
        /// Why (goes in the audit log)
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Revoke a certificate: /verify/ID then says revoked
    Revoke {
        /// The certificate's id (as on its page and verification URL)
        id: String,
        /// Why (goes in the audit log)
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Write a consistent copy of the live SQLite database to FILE
    Backup { file: PathBuf },
    /// Run the database migrations (serve also runs them at start)
    Migrate,
}
