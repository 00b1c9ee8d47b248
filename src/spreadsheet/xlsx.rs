//! The same rows as an Excel workbook (`.xlsx`), for `shouce results export --xlsx`.
//!
//! A CSV file opens in Excel as text; a workbook carries numbers as numbers and
//! instants as dates that sort and filter, with a bold frozen header that has a filter
//! button, and needs no byte-order mark. Text is stored as text: a workbook never runs a
//! string as a formula, so nothing is neutralised here (unlike the CSV writer).
//!
//! Rows go to a temporary file as they are written (rust_xlsxwriter's constant-memory
//! mode, one file per sheet, in the directory [`XlsxWriter::new`] is given), so an export
//! of every result is not held in memory; [`XlsxWriter::finish`] zips the workbook into
//! the output. A sheet holds at most Excel's 1,048,576 rows: the rows beyond go on in a
//! next sheet (`成绩 (2)`, …) that starts with the header again.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use super::Cell;

/// Rows per sheet, the header included: Excel's limit.
pub const SHEET_ROWS: u32 = 1_048_576;

/// The longest text a cell holds (Excel's limit, in characters); longer text is cut.
pub const CELL_CHARS: usize = 32_767;

/// Writes rows into a workbook of one or more sheets named after `title`.
pub struct XlsxWriter {
    book: Workbook,
    title: String,
    header: Vec<String>,
    sheet_rows: u32,
    /// The sheet being written (an index into the workbook's sheets) and its next row.
    sheet: usize,
    row: u32,
    bold: Format,
    when: Format,
}

impl std::fmt::Debug for XlsxWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxWriter")
            .field("title", &self.title)
            .field("sheet", &self.sheet)
            .field("row", &self.row)
            .finish_non_exhaustive()
    }
}

impl XlsxWriter {
    /// A workbook whose sheets are called `title` and start with `header`; the rows are
    /// kept in temporary files in `scratch` (the system's temporary folder if `None`).
    pub fn new(title: &str, header: &[&str], scratch: Option<&Path>) -> Result<Self, XlsxError> {
        Self::with_sheet_rows(title, header, scratch, SHEET_ROWS)
    }

    /// [`XlsxWriter::new`] with a smaller sheet, so that tests can reach the limit.
    pub fn with_sheet_rows(
        title: &str,
        header: &[&str],
        scratch: Option<&Path>,
        sheet_rows: u32,
    ) -> Result<Self, XlsxError> {
        let mut book = Workbook::new();
        if let Some(dir) = scratch {
            book.set_tempdir(dir)?;
        }
        let mut writer = XlsxWriter {
            book,
            title: title.to_owned(),
            header: header.iter().map(|&h| h.to_owned()).collect(),
            sheet_rows: sheet_rows.clamp(2, SHEET_ROWS),
            sheet: 0,
            row: 0,
            bold: Format::new().set_bold(),
            when: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        };
        writer.start_sheet(1)?;
        Ok(writer)
    }

    /// Appends one row (to a new sheet when the current one is full).
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        if self.row == self.sheet_rows {
            self.close_sheet()?;
            self.start_sheet(self.sheet + 2)?;
        }
        let row = self.row;
        let when = self.when.clone();
        let sheet = self.book.worksheet_from_index(self.sheet)?;
        for (col, cell) in (0u16..).zip(cells) {
            match *cell {
                Cell::Text(text) => {
                    sheet.write_string(row, col, cut(text))?;
                }
                Cell::Number(n) if n.is_finite() => {
                    sheet.write_number(row, col, n)?;
                }
                // Whole numbers up to 2^53 are exact as a double, which is all Excel has.
                Cell::Integer(n) => {
                    sheet.write_number(row, col, n as f64)?;
                }
                Cell::Time(ms) => {
                    let at = ExcelDateTime::from_timestamp(ms.div_euclid(1000))?;
                    sheet.write_datetime_with_format(row, col, &at, &when)?;
                }
                Cell::Number(_) | Cell::Empty => {}
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Zips the workbook into `out`.
    pub fn finish<W: Write + Send>(mut self, out: W) -> Result<(), XlsxError> {
        self.close_sheet()?;
        self.book.save_to_writer(out)
    }

    /// Puts the filter buttons on the current sheet's header, over the rows written.
    fn close_sheet(&mut self) -> Result<(), XlsxError> {
        let last = u16::try_from(self.header.len().saturating_sub(1)).unwrap_or(u16::MAX);
        let sheet = self.book.worksheet_from_index(self.sheet)?;
        sheet.autofilter(0, 0, self.row.saturating_sub(1), last)?;
        Ok(())
    }

    /// Adds sheet number `number` (1-based) and writes the header into it.
    fn start_sheet(&mut self, number: usize) -> Result<(), XlsxError> {
        let name = if number == 1 {
            self.title.clone()
        } else {
            format!("{} ({number})", self.title)
        };
        let sheet = self.book.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        for (col, title) in (0u16..).zip(&self.header) {
            sheet.set_column_width(col, column_width(title))?;
            sheet.write_string_with_format(0, col, title, &self.bold)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        self.sheet = self.book.worksheets_mut().len() - 1;
        self.row = 1;
        Ok(())
    }
}

/// A column wide enough for its header (a Chinese character is two widths) and for a
/// date and time (16 characters), whichever is wider.
fn column_width(header: &str) -> f64 {
    let width: usize = header
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum();
    (width.max(16) + 2) as f64
}

/// `text`, cut to the characters a cell can hold.
fn cut(text: &str) -> &str {
    match text.char_indices().nth(CELL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_character_boundary() {
        let long = "退".repeat(CELL_CHARS + 5);
        assert_eq!(cut(&long).chars().count(), CELL_CHARS);
        assert_eq!(cut("短"), "短");
    }

    #[test]
    fn columns_fit_chinese_headers_and_dates() {
        assert_eq!(column_width("工号"), 18.0);
        assert_eq!(column_width("一二三四五六七八九十"), 22.0);
    }

    /// Text that looks like a formula stays text (it is never run).
    #[test]
    fn a_full_sheet_continues_in_the_next_one_under_the_header() {
        use calamine::{Data, Reader, Xlsx};
        let mut writer = XlsxWriter::with_sheet_rows("成绩", &["工号", "得分"], None, 3).unwrap();
        for (login, score) in [("=1+1", 1.5), ("A2", 2.0), ("A3", -3.0)] {
            writer
                .row(&[Cell::Text(login), Cell::Number(score)])
                .unwrap();
        }
        let mut bytes = Vec::new();
        writer.finish(&mut bytes).unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["成绩", "成绩 (2)"]);
        let text = |cell: &Data| match cell {
            Data::String(s) => s.clone(),
            Data::Float(n) => n.to_string(),
            other => format!("{other:?}"),
        };
        let sheets: Vec<Vec<Vec<String>>> = ["成绩", "成绩 (2)"]
            .iter()
            .map(|name| {
                let range = book.worksheet_range(name).unwrap();
                range.rows().map(|r| r.iter().map(text).collect()).collect()
            })
            .collect();
        assert_eq!(
            sheets,
            [
                vec![vec!["工号", "得分"], vec!["=1+1", "1.5"], vec!["A2", "2"]],
                vec![vec!["工号", "得分"], vec!["A3", "-3"]],
            ]
        );
    }
}
