//! How typed answers are read: width folding, normalisation for comparison, character
//! counts and numbers with units. Kept in one place so the browser's grader can copy
//! the same steps (and the parity test can hold it to them).

/// Full-width ASCII (`０-９`, `Ａ-Ｚ`, `％`, `，`) to half-width, the ideographic
/// space to a space; everything else unchanged.
pub fn fold_width(text: &str) -> String {
    text.chars().map(crate::width::fold).collect()
}

/// The form two short answers are compared in: width folded, lower case, without
/// whitespace, without trailing sentence punctuation.
pub fn normalize(text: &str) -> String {
    let folded: String = fold_width(text)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    folded
        .trim_end_matches(['。', '.', '!', '?', ',', '、', ';', '…', '~'])
        .to_string()
}

/// The form a script reply is searched in: width folded, lower case, without
/// whitespace (so `第 一` is still `第一`), punctuation kept.
pub fn searchable(text: &str) -> String {
    fold_width(text)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Characters of a reply, not counting whitespace.
pub fn char_count(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Why a typed number could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberProblem {
    Empty,
    NotANumber,
    /// A trailing unit that is not one of the question's.
    WrongUnit(String),
}

/// Reads `72`, `７２`, `72 小时`, `72小时`, `1,500`, `0.25`, `1/4`, `-3`. A trailing
/// unit must be one of `units` (compared normalised); none is also fine.
pub fn parse_number(text: &str, units: &[String]) -> Result<f64, NumberProblem> {
    let folded = fold_width(text);
    let trimmed = folded.trim();
    if trimmed.is_empty() {
        return Err(NumberProblem::Empty);
    }
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '/' | '-' | '+')))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = normalize(unit);
    if !unit.is_empty() && !units.iter().any(|u| normalize(u) == unit) {
        return Err(NumberProblem::WrongUnit(unit));
    }
    read_number(number.trim()).ok_or(NumberProblem::NotANumber)
}

fn read_number(text: &str) -> Option<f64> {
    if let Some((top, bottom)) = text.split_once('/') {
        let (top, bottom) = (read_decimal(top)?, read_decimal(bottom)?);
        return (bottom != 0.0).then(|| top / bottom);
    }
    read_decimal(text)
}

/// A decimal with optional sign, and commas only as thousands separators.
fn read_decimal(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.contains(',') {
        let mut groups = whole.split(',');
        let first = groups.next()?;
        let grouped = (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3);
        if !grouped {
            return None;
        }
    }
    let digits_ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let whole = whole.replace(',', "");
    if (whole.is_empty() && fraction.is_empty()) || !digits_ok(&whole) || !digits_ok(fraction) {
        return None;
    }
    let value: f64 = text.replace(',', "").parse().ok()?;
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_normalises() {
        assert_eq!(fold_width("７２　小时ＡＢ％"), "72 小时AB%");
        assert_eq!(normalize(" 小二 介入。"), "小二介入");
        assert_eq!(normalize("ＤＳＲ"), "dsr");
        assert_eq!(char_count("您好 亲"), 3);
    }

    #[test]
    fn reads_numbers_with_units() {
        let units = vec!["小时".to_string(), "h".to_string()];
        for (text, want) in [
            ("72", Ok(72.0)),
            ("７２", Ok(72.0)),
            ("72 小时", Ok(72.0)),
            ("72小时", Ok(72.0)),
            ("72H", Ok(72.0)),
            ("1,500", Ok(1500.0)),
            ("1/4", Ok(0.25)),
            ("-3.5", Ok(-3.5)),
            ("", Err(NumberProblem::Empty)),
            ("   ", Err(NumberProblem::Empty)),
            ("七十二", Err(NumberProblem::WrongUnit("七十二".into()))),
            ("72 天", Err(NumberProblem::WrongUnit("天".into()))),
            ("1,5", Err(NumberProblem::NotANumber)),
            ("1/0", Err(NumberProblem::NotANumber)),
            ("--1", Err(NumberProblem::NotANumber)),
            (".", Err(NumberProblem::NotANumber)),
        ] {
            assert_eq!(parse_number(text, &units), want, "{text:?}");
        }
    }
}
