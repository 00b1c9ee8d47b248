//! The two kinds of failure Shouce reports, kept apart on purpose.
//!
//! * [`Diagnostic`]: an author's mistake in a file they wrote (a page, a template, the
//!   config). It carries a [`Location`] (`path:line:col`), the offending source line,
//!   and a hint. All of them are collected and printed at once, sorted; they exit 1.
//! * [`Error`]: the environment failed (a disk, a socket). Exit 2.
//!
//! Rendering follows rustc/ripgrep: a header, a `-->` location, the source line with a
//! marker under the span, and a `= hint:` line. Output is plain text so that it can be
//! snapshot-tested and shown in the dev server's browser overlay alike.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

/// How serious a diagnostic is. `check --strict` promotes warnings to errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A position in an author's file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl Location {
    /// The start of a file, for problems that concern the whole file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: 1,
            col: 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.col)
    }
}

/// An author's mistake (or, as a warning, something they should look at).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Location,
    pub message: String,
    pub hint: Option<String>,
    /// The source line the location points into, without its newline.
    pub source_line: Option<String>,
    /// How many characters of `source_line` to underline (at least one).
    pub span_chars: usize,
}

impl Diagnostic {
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
            hint: None,
            source_line: None,
            span_chars: 1,
        }
    }

    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(location, message)
        }
    }

    /// A diagnostic at byte range `span` of `source` (the whole text of `path`).
    pub fn at(
        severity: Severity,
        path: &Path,
        source: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let pos = SourcePos::of(source, span.start);
        let line_text = pos.line_text(source);
        let end_in_line = span.end.clamp(span.start, pos.line_start + line_text.len());
        let span_chars = source
            .get(span.start..end_in_line)
            .map_or(1, |s| s.chars().count().max(1));
        Diagnostic {
            severity,
            location: Location {
                path: path.to_path_buf(),
                line: pos.line,
                col: pos.col,
            },
            message: message.into(),
            hint: None,
            source_line: Some(line_text.to_string()),
            span_chars,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: path, line, column, then message, so output is stable.
    fn key(&self) -> (&Location, &str) {
        (&self.location, &self.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", escape_controls(&self.message))?;
        let gutter = " ".repeat(self.location.line.to_string().len());
        writeln!(f, "{gutter}--> {}", self.location)?;
        if let Some(line) = &self.source_line {
            let line = line.trim_end_matches('\r');
            let shown = Excerpt::of(line, self.location.col - 1, self.span_chars);
            let pad = " ".repeat(shown.pad);
            let marker = "^".repeat(shown.marker.max(1));
            writeln!(f, "{gutter} |")?;
            writeln!(f, "{} | {}", self.location.line, shown.text)?;
            writeln!(f, "{gutter} | {pad}{marker}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "{gutter} = hint: {}", escape_controls(hint))?;
        }
        Ok(())
    }
}

/// The widest source excerpt printed, in terminal columns: a long line (a minified
/// file, a binary file named `.md`) is cut around the mistake.
const EXCERPT_COLUMNS: usize = 160;
/// How many columns before the mistake a cut line keeps.
const EXCERPT_LEAD: usize = 60;

/// A source line as printed: control characters escaped, cut to fit.
struct Excerpt {
    text: String,
    /// Columns before the marker.
    pad: usize,
    /// Columns the marker spans.
    marker: usize,
}

impl Excerpt {
    /// `start` and `span` count characters of `line`.
    fn of(line: &str, start: usize, span: usize) -> Excerpt {
        // Only the characters that can be shown are looked at (a line can be megabytes).
        let skipped = start.saturating_sub(EXCERPT_COLUMNS);
        let mut chars = line.chars().skip(skipped);
        let cells: Vec<String> = chars
            .by_ref()
            .take(4 * EXCERPT_COLUMNS)
            .map(shown)
            .collect();
        let more = chars.next().is_some();
        let start = (start - skipped).min(cells.len());
        let end = (start + span).min(cells.len());
        let columns = |cells: &[String]| cells.iter().map(|c| c.width()).sum::<usize>();
        let too_wide = skipped > 0 || more || columns(&cells) > EXCERPT_COLUMNS;
        let mut from = 0;
        if too_wide && columns(&cells[..start]) > EXCERPT_LEAD {
            from = start;
            let mut lead = 0;
            while from > 0 && lead + cells[from - 1].width() <= EXCERPT_LEAD {
                from -= 1;
                lead += cells[from].width();
            }
        }
        let (mut to, mut width) = (from, 0);
        while to < cells.len() && width + cells[to].width() <= EXCERPT_COLUMNS {
            width += cells[to].width();
            to += 1;
        }
        let left = if from > 0 { "…" } else { "" };
        let right = if to < cells.len() || more { "…" } else { "" };
        Excerpt {
            text: format!("{left}{}{right}", cells[from..to].concat()),
            pad: left.width() + columns(&cells[from..start.min(to)]),
            marker: columns(&cells[start.min(to)..end.min(to)]),
        }
    }
}

/// One character as printed: a tab as a space, and control characters and the ones
/// that reorder text (bidi overrides) escaped, so a file cannot drive the terminal.
fn shown(c: char) -> String {
    match c {
        '\t' => " ".into(),
        c if c.is_control() || is_bidi_control(c) => c.escape_unicode().to_string(),
        c => c.into(),
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with control characters other than newlines escaped.
fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && c != '\n') || is_bidi_control(c);
    if !text.chars().any(unsafe_char) {
        return text.into();
    }
    text.chars()
        .map(|c| match c {
            '\n' => c.to_string(),
            c if unsafe_char(c) => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect::<String>()
        .into()
}

/// Sorts diagnostics into their printing order and drops exact duplicates.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.key().cmp(&b.key()));
    diagnostics.dedup();
}

/// All diagnostics rendered one after another, followed by a count line.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let _ = writeln!(out, "{d}");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let _ = writeln!(out, "{}", summary_line(errors, warnings));
    out
}

fn summary_line(errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (0, 0) => "no problems found".to_string(),
        (e, 0) => format!("{e} error{}", plural(e)),
        (0, w) => format!("{w} warning{}", plural(w)),
        (e, w) => format!("{e} error{}, {w} warning{}", plural(e), plural(w)),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A byte offset turned into a 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePos {
    pub line: usize,
    pub col: usize,
    /// Byte offset where the line starts.
    pub line_start: usize,
}

impl SourcePos {
    pub fn of(source: &str, offset: usize) -> Self {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &source[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        SourcePos {
            line: before.matches('\n').count() + 1,
            col: source[line_start..offset].chars().count() + 1,
            line_start,
        }
    }

    fn line_text<'a>(&self, source: &'a str) -> &'a str {
        let rest = &source[self.line_start..];
        rest.split('\n').next().unwrap_or("")
    }
}

/// A failure of the environment: not the author's fault, exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot watch {}: {message}", path.display())]
    Watch { path: PathBuf, message: String },
    /// The output folder may not be written; `hint` says what to do instead.
    #[error("{}: {problem}\n  = hint: {hint}", path.display())]
    Output {
        path: PathBuf,
        problem: String,
        hint: String,
    },
    #[error("{0}")]
    Other(String),
}

/// Why a command did not succeed: the author's mistakes, or the environment.
#[derive(Debug)]
pub enum Failure {
    Author(Vec<Diagnostic>),
    Env(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Env(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let src = "第一行\n标题 = 3\n";
        let pos = SourcePos::of(src, src.find('=').unwrap());
        assert_eq!((pos.line, pos.col), (2, 4));
    }

    #[test]
    fn marker_sits_under_wide_characters() {
        let src = "+++\n标题 = \"x\"\n+++\n";
        let start = src.find('标').unwrap();
        let d = Diagnostic::at(
            Severity::Error,
            Path::new("content/a.md"),
            src,
            start..start + "标题".len(),
            "unknown key `标题`",
        )
        .with_hint("did you mean `title`?");
        let text = d.to_string();
        assert!(text.contains("--> content/a.md:2:1"), "{text}");
        assert!(text.contains("2 | 标题 = \"x\"\n  | ^^^^\n"), "{text}");
        assert!(text.ends_with("= hint: did you mean `title`?\n"), "{text}");
    }

    /// The source line and marker of a diagnostic at `span` of the one-line `src`.
    fn excerpt(src: &str, span: std::ops::Range<usize>) -> Vec<String> {
        let d = Diagnostic::at(Severity::Error, Path::new("a.md"), src, span, "x");
        let text = d.to_string();
        text.lines()
            .skip(3)
            .take(2)
            .map(|l| l.split_once(" | ").map_or("", |(_, rest)| rest).to_string())
            .collect()
    }

    #[test]
    fn source_lines_are_escaped_and_cut_around_the_mistake() {
        let long = format!("{}坏{}", "a".repeat(5_000), "b".repeat(5_000));
        let bad = long.find('坏').unwrap();
        // (line, span of the mistake, the line as printed, the marker under it)
        let cases: Vec<(String, std::ops::Range<usize>, String, String)> = vec![
            (
                "title = \"\x1b[2J\x1b]0;pwned\x07\"".into(),
                9..12,
                "title = \"\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\"".into(),
                "         ^^^^^^^^".into(),
            ),
            ("a\tb = 1".into(), 2..3, "a b = 1".into(), "  ^".into()),
            (
                "x = \"\u{202e}evil\"".into(),
                4..5,
                "x = \"\\u{202e}evil\"".into(),
                "    ^".into(),
            ),
            (
                long.clone(),
                bad..bad + 3,
                format!("…{}坏{}…", "a".repeat(60), "b".repeat(98)),
                format!("{}^^", " ".repeat(61)),
            ),
            (
                long.clone(),
                0..1,
                format!("{}…", "a".repeat(160)),
                "^".into(),
            ),
        ];
        for (line, span, shown, marker) in cases {
            assert_eq!(excerpt(&line, span), [shown, marker], "{:?}", &line[..20]);
        }
        let binary = String::from_utf8_lossy(&[0u8, 1, 2, 0xff, 27].repeat(4_000)).into_owned();
        let d = Diagnostic::at(Severity::Error, Path::new("a.md"), &binary, 10..11, "x");
        let text = d.to_string();
        assert!(text.len() < 2_000, "{} bytes", text.len());
        assert!(!text.contains('\u{1b}') && !text.contains('\0'), "{text:?}");
    }

    #[test]
    fn messages_and_hints_cannot_drive_the_terminal() {
        let d = Diagnostic::error(Location::file("a.md"), "unknown key `\x1b[31m`")
            .with_hint("did you mean\n`\u{9b}x`?");
        let text = d.to_string();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{9b}'),
            "{text:?}"
        );
        assert!(
            text.contains("`\\u{1b}[31m`") && text.contains("mean\n"),
            "{text}"
        );
    }

    #[test]
    fn sorting_orders_by_path_then_line_and_removes_duplicates() {
        let a = Diagnostic::error(Location::file("b.md"), "x");
        let b = Diagnostic::error(Location::file("a.md"), "y");
        let mut all = vec![a.clone(), b.clone(), a.clone()];
        sort(&mut all);
        assert_eq!(all, vec![b, a]);
    }

    #[test]
    fn summary_counts_errors_and_warnings() {
        let mut w = Diagnostic::error(Location::file("a.md"), "x");
        w.severity = Severity::Warning;
        let e = Diagnostic::error(Location::file("a.md"), "y");
        assert!(render_all(&[w, e]).ends_with("1 error, 1 warning\n"));
    }
}

/// Turns a TOML deserialization error into a diagnostic. `offset` is where the TOML
/// text starts inside `source` (non-zero for front matter inside a Markdown file).
pub fn toml_diagnostic(
    path: &Path,
    source: &str,
    offset: usize,
    err: &toml::de::Error,
) -> Diagnostic {
    let span = err
        .span()
        .map_or(offset..offset, |s| s.start + offset..s.end + offset);
    let message = err.message().trim().to_string();
    let hint = toml_hint(&message, source.get(span.clone()).unwrap_or(""));
    let d = Diagnostic::at(Severity::Error, path, source, span, message);
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

fn toml_hint(message: &str, found: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        return Some(match closest(key, &expected) {
            Some(best) => format!(
                "did you mean `{best}`? allowed keys: {}",
                expected.join(", ")
            ),
            None => format!("allowed keys: {}", expected.join(", ")),
        });
    }
    if message.starts_with("missing field") {
        return Some("add the key; it is required".into());
    }
    if message.contains("invalid type") || message.starts_with("invalid value") {
        let expected = message.rsplit("expected ").next().unwrap_or("");
        let wanted = match expected.trim() {
            e if e.starts_with('i') || e.starts_with('u') => "a whole number, e.g. weight = 10",
            "a boolean" => "true or false, without quotes",
            "a sequence" => "a list, e.g. tags = [\"退款\", \"售后\"]",
            "a string" => "text in double quotes, e.g. title = \"退款规则\"",
            e if e.contains("date") => "a date without quotes, e.g. review_by = 2027-06-30",
            e if e.contains("variant") => "one of the values listed above, in double quotes",
            _ => "a value of another type",
        };
        return Some(format!(
            "`{}` is not valid here; this key takes {wanted}",
            found.trim()
        ));
    }
    if message.starts_with("unknown variant") {
        return Some("write one of the expected values, in double quotes".into());
    }
    if message.contains("date") || message.contains("datetime") {
        return Some("write dates as YYYY-MM-DD, e.g. 2027-06-30, without quotes".into());
    }
    Some("see the TOML syntax at https://toml.io; strings need double quotes".into())
}

/// The candidate nearest to `word` by edit distance, if it is plausibly a typo of it.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// swaps of two neighbours (the commonest typo, `titel`) each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod toml_tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        weight: Option<i64>,
    }

    #[test]
    fn unknown_key_points_at_the_key_and_suggests_the_nearest() {
        let src = "+++\ntitel = \"x\"\n+++\n";
        let err = toml::from_str::<T>(&src[4..16]).unwrap_err();
        let d = toml_diagnostic(Path::new("a.md"), src, 4, &err);
        assert_eq!((d.location.line, d.location.col), (2, 1));
        let hint = d.hint.unwrap();
        assert!(
            hint.starts_with("did you mean `title`?"),
            "{} / {hint}",
            d.message
        );
    }

    #[test]
    fn closest_ignores_unrelated_words() {
        assert_eq!(closest("wieght", &["weight", "title"]), Some("weight"));
        assert_eq!(closest("colour", &["weight", "title"]), None);
    }
}
