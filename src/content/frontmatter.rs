//! Front matter: the TOML table between the `+++` lines at the top of a page.
//!
//! [`split`] finds it, [`parse`] checks it. The raw struct mirrors what authors write
//! (`deny_unknown_fields`, so `titel = …` is an error on its line); [`FrontMatter`] is
//! the checked value, with dates as [`Date`]s and spans kept for later diagnostics.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::date::Date;
use crate::error::{Diagnostic, Severity, toml_diagnostic};

const FENCE: &str = "+++";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Option<Spanned<String>>,
    weight: Option<i64>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    draft: bool,
    slug: Option<Spanned<String>>,
    template: Option<Spanned<String>>,
    effective: Option<Spanned<Datetime>>,
    review_by: Option<Spanned<Datetime>>,
    #[serde(default)]
    extra: toml::Table,
}

/// A page's checked front matter. Spans are byte ranges in the whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    pub title: String,
    pub weight: Option<i64>,
    pub description: String,
    pub tags: Vec<String>,
    pub draft: bool,
    pub slug: Option<String>,
    pub template: Option<(String, Range<usize>)>,
    pub effective: Option<Date>,
    pub review_by: Option<(Date, Range<usize>)>,
    pub extra: toml::Table,
}

/// Where the parts of a page are in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The TOML between the fences.
    pub toml: Range<usize>,
    /// The Markdown after the closing fence's line.
    pub body_start: usize,
}

/// Finds the front matter. Both fences must be lines of exactly `+++`.
pub fn split(path: &Path, text: &str) -> Result<Split, Diagnostic> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_line_end = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    if text[start..first_line_end].trim_end() != FENCE {
        return Err(Diagnostic::at(
            Severity::Error,
            path,
            text,
            start..first_line_end,
            "a page must start with front matter",
        )
        .with_hint(
            "begin the file with a `+++` line, then `title = \"…\"`, then another `+++` line",
        ));
    }
    let mut offset = first_line_end;
    for line in text[first_line_end..].split_inclusive('\n') {
        if line.trim_end() == FENCE {
            return Ok(Split {
                toml: first_line_end..offset,
                body_start: offset + line.len(),
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::at(
        Severity::Error,
        path,
        text,
        start..start + FENCE.len(),
        "the front matter is never closed",
    )
    .with_hint("add a line with only `+++` after the last front-matter key"))
}

/// Parses and checks the front matter found by [`split`]. Collects every problem.
pub fn parse(path: &Path, text: &str, split: &Split) -> Result<FrontMatter, Vec<Diagnostic>> {
    let toml_text = &text[split.toml.clone()];
    let offset = split.toml.start;
    let raw: RawFrontMatter =
        toml::from_str(toml_text).map_err(|e| vec![toml_diagnostic(path, text, offset, &e)])?;
    let mut problems = Vec::new();
    let shift = |r: Range<usize>| r.start + offset..r.end + offset;
    let opening = offset.saturating_sub(FENCE.len() + 1)..offset.saturating_sub(1);

    let error = |span: Range<usize>, message: String, hint: &str| {
        Diagnostic::at(Severity::Error, path, text, span, message).with_hint(hint)
    };
    let title = match raw.title {
        Some(t) if !t.get_ref().trim().is_empty() => t.into_inner(),
        Some(t) => {
            problems.push(error(
                shift(t.span()),
                "the title is empty".into(),
                "every page needs a title, e.g. title = \"退款规则\"",
            ));
            String::new()
        }
        None => {
            problems.push(error(
                opening,
                "the front matter has no `title`".into(),
                "add `title = \"…\"` between the `+++` lines",
            ));
            String::new()
        }
    };
    let slug = raw.slug.and_then(|s| {
        let slug = s.get_ref();
        let Some(why) = super::segment_problem(slug) else {
            return Some(s.into_inner());
        };
        let hint =
            "a slug is one URL segment: letters, digits, `-` and `_`, e.g. slug = \"refund-rules\"";
        problems.push(error(
            shift(s.span()),
            format!("`{slug}` is not a usable slug: {why}"),
            hint,
        ));
        None
    });
    let mut date = |field: Option<Spanned<Datetime>>| -> Option<(Date, Range<usize>)> {
        let field = field?;
        let span = shift(field.span());
        let date = to_date(field.get_ref());
        if date.is_none() {
            let hint = "write a date without time or quotes, e.g. review_by = 2027-06-30";
            problems.push(error(
                span.clone(),
                format!("`{}` is not a calendar date", field.get_ref()),
                hint,
            ));
        }
        date.map(|d| (d, span))
    };
    let effective = date(raw.effective).map(|(d, _)| d);
    let review_by = date(raw.review_by);
    let template = raw.template.map(|t| {
        let span = shift(t.span());
        (t.into_inner(), span)
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(FrontMatter {
        title,
        weight: raw.weight,
        description: raw.description,
        tags: raw.tags,
        draft: raw.draft,
        slug,
        template,
        effective,
        review_by,
        extra: raw.extra,
    })
}

fn to_date(value: &Datetime) -> Option<Date> {
    if value.time.is_some() || value.offset.is_some() {
        return None;
    }
    let d = value.date?;
    Date::new(i32::from(d.year), d.month, d.day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
        let path = Path::new("content/a.md");
        let split = split(path, text).map_err(|d| vec![d])?;
        parse(path, text, &split)
    }

    #[test]
    fn reads_every_key() {
        let fm = parse_text(
            "+++\ntitle = \"退款\"\nweight = 3\ndescription = \"d\"\ntags = [\"a\"]\ndraft = true\nslug = \"refund\"\ntemplate = \"x.html\"\neffective = 2016-03-01\nreview_by = 2027-06-30\n[extra]\nsource = \"2016\"\n+++\n正文",
        )
        .unwrap();
        assert_eq!(fm.title, "退款");
        assert_eq!(fm.weight, Some(3));
        assert_eq!(fm.slug.as_deref(), Some("refund"));
        assert_eq!(fm.review_by.unwrap().0.to_string(), "2027-06-30");
        assert_eq!(fm.extra["source"].as_str(), Some("2016"));
    }

    #[test]
    fn finds_the_body_after_the_closing_fence() {
        let text = "\u{feff}+++\ntitle = \"x\"\n+++\n# 正文\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(&text[s.body_start..], "# 正文\n");
    }

    #[test]
    fn missing_and_unclosed_fences_are_errors() {
        let e = parse_text("title = \"x\"\n").unwrap_err();
        assert!(e[0].message.contains("must start with front matter"));
        let e = parse_text("+++\ntitle = \"x\"\n# body\n").unwrap_err();
        assert!(e[0].message.contains("never closed"));
        assert_eq!(e[0].location.line, 1);
    }

    #[test]
    fn errors_point_at_the_offending_line() {
        let e = parse_text("+++\ntitle = \"x\"\nwieght = 3\n+++\n").unwrap_err();
        assert_eq!((e[0].location.line, e[0].location.col), (3, 1));
        let e = parse_text("+++\ntitle = \"x\"\nweight = \"3\"\n+++\n").unwrap_err();
        assert_eq!(e[0].location.line, 3);
        let e = parse_text("+++\ntitle = \"x\"\nreview_by = \"2027-06-30\"\n+++\n").unwrap_err();
        assert_eq!(e[0].location.line, 3);
    }

    #[test]
    fn dates_must_be_real_and_without_time() {
        let e = parse_text("+++\ntitle = \"x\"\nreview_by = 2027-02-30\n+++\n").unwrap_err();
        assert_eq!(e[0].location.line, 3);
        let e =
            parse_text("+++\ntitle = \"x\"\neffective = 2027-02-01T10:00:00\n+++\n").unwrap_err();
        assert!(e[0].message.contains("not a calendar date"));
    }

    #[test]
    fn title_is_required_and_several_problems_are_reported_together() {
        let e = parse_text("+++\nslug = \"a b\"\n+++\n").unwrap_err();
        assert_eq!(e.len(), 2);
    }
}
