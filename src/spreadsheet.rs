//! CSV that spreadsheet programs open as they should, written row by row.
//!
//! Supervisors export results and item statistics to Excel, WPS or Numbers. Three
//! things make a CSV file work there, and this module does all of them:
//!
//! * A UTF-8 byte-order mark first: without it Excel reads the file as the system's
//!   legacy code page and Chinese names turn into mojibake.
//! * RFC 4180 quoting: a field with a comma, a quote or a line break is quoted, quotes
//!   doubled; records end with CRLF.
//! * No formulas from data: a field that starts with `=`, `+`, `-`, `@`, a tab or a
//!   carriage return is run as a formula by spreadsheets (CSV injection, e.g. an agent
//!   named `=HYPERLINK(…)`), so it gets a leading `'`, as OWASP recommends. Numbers
//!   are written through [`Cell::Number`], which is never altered.
//!
//! The writer takes any `io::Write` and holds one row at a time, so an export of every
//! result streams without being held in memory. The same rows go to an Excel workbook
//! through [`xlsx`].

pub mod xlsx;

use std::io::{self, Write};

/// One field of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Integer(i64),
    /// An instant (milliseconds since the Unix epoch), shown in UTC to the minute:
    /// `2027-03-01 09:05` in CSV, a date and time in a workbook.
    Time(i64),
    Empty,
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Cell<'a> {
        Cell::Text(text)
    }
}

/// Writes CSV records to `out`, starting with the byte-order mark.
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    out: W,
    line: String,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the byte-order mark and the header row.
    pub fn new(mut out: W, header: &[&str]) -> io::Result<CsvWriter<W>> {
        out.write_all(BOM.as_bytes())?;
        let mut writer = CsvWriter {
            out,
            line: String::new(),
        };
        let cells: Vec<Cell> = header.iter().map(|h| Cell::Text(h)).collect();
        writer.row(&cells)?;
        Ok(writer)
    }

    /// Writes one record.
    pub fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        self.line.clear();
        push_record(&mut self.line, cells);
        self.out.write_all(self.line.as_bytes())
    }

    /// Flushes and hands back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// What a file starts with, so that spreadsheets read it as UTF-8.
pub const BOM: &str = "\u{feff}";

/// One record with its line end, for callers that stream records themselves (the
/// first chunk of such a stream is [`BOM`] and the header's record).
pub fn record(cells: &[Cell]) -> String {
    let mut line = String::new();
    push_record(&mut line, cells);
    line
}

fn push_record(line: &mut String, cells: &[Cell]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        match *cell {
            Cell::Text(text) => push_text(line, text),
            Cell::Number(n) if n.is_finite() => line.push_str(&n.to_string()),
            Cell::Integer(n) => line.push_str(&n.to_string()),
            Cell::Time(ms) => line.push_str(&minute(ms)),
            Cell::Number(_) | Cell::Empty => {}
        }
    }
    line.push_str("\r\n");
}

/// An instant as `2027-03-01 09:05` (UTC), as exports and tables show it; an instant
/// out of range shows as the epoch.
pub fn minute(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    at.format(format).unwrap_or_else(|_| at.to_string())
}

fn push_text(line: &mut String, text: &str) {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || text.contains([',', '"', '\n', '\r']);
    if quote {
        line.push('"');
    }
    if formula {
        line.push('\'');
    }
    for c in text.chars() {
        if c == '"' {
            line.push('"');
        }
        line.push(c);
    }
    if quote {
        line.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(header: &[&str], rows: &[Vec<Cell>]) -> String {
        let mut writer = CsvWriter::new(Vec::new(), header).unwrap();
        for row in rows {
            writer.row(row).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    #[test]
    fn starts_with_a_bom_and_ends_records_with_crlf() {
        let text = csv(
            &["工号", "姓名", "得分"],
            &[vec!["A001".into(), "张三".into(), Cell::Number(87.5)]],
        );
        assert_eq!(text, "\u{feff}工号,姓名,得分\r\nA001,张三,87.5\r\n");
    }

    #[test]
    fn quotes_fields_with_separators_quotes_and_line_breaks() {
        let text = csv(
            &["a"],
            &[
                vec!["一,二".into()],
                vec!["说\"好\"".into()],
                vec!["两\n行".into()],
                vec![Cell::Empty],
                vec![Cell::Integer(-3)],
                vec![Cell::Number(f64::NAN)],
                vec![Cell::Time(1_772_355_900_000)],
            ],
        );
        let body: Vec<&str> = text.split("\r\n").skip(1).collect();
        assert_eq!(
            body,
            [
                "\"一,二\"",
                "\"说\"\"好\"\"\"",
                "\"两\n行\"",
                "",
                "-3",
                "",
                "2026-03-01 09:05",
                ""
            ]
        );
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised() {
        for attack in [
            "=HYPERLINK(\"http://evil\",\"点我\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
        ] {
            let text = csv(&["name"], &[vec![attack.into()]]);
            let field = text.split("\r\n").nth(1).unwrap();
            assert!(field.starts_with("\"'"), "{attack:?} → {field:?}");
        }
        // Numbers are numbers: a negative score is not a formula.
        assert!(csv(&["n"], &[vec![Cell::Number(-1.5)]]).ends_with("\r\n-1.5\r\n"));
    }
}
