//! Callouts: GitHub-style alerts (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`,
//! `[!CAUTION]`) plus Shouce's `[!RULE]` for a platform rule. Text after the marker on
//! the same line becomes the callout's title; without it a Chinese default is used.

/// The kinds of callout, in the order the docs list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
    Rule,
}

impl CalloutKind {
    fn from_marker(name: &str) -> Option<CalloutKind> {
        Some(match name.to_ascii_uppercase().as_str() {
            "NOTE" => CalloutKind::Note,
            "TIP" => CalloutKind::Tip,
            "IMPORTANT" => CalloutKind::Important,
            "WARNING" => CalloutKind::Warning,
            "CAUTION" => CalloutKind::Caution,
            "RULE" => CalloutKind::Rule,
            _ => return None,
        })
    }

    pub fn class(self) -> &'static str {
        match self {
            CalloutKind::Note => "note",
            CalloutKind::Tip => "tip",
            CalloutKind::Important => "important",
            CalloutKind::Warning => "warning",
            CalloutKind::Caution => "caution",
            CalloutKind::Rule => "rule",
        }
    }

    pub fn default_title(self) -> &'static str {
        match self {
            CalloutKind::Note => "注意",
            CalloutKind::Tip => "提示",
            CalloutKind::Important => "重要",
            CalloutKind::Warning => "警告",
            CalloutKind::Caution => "小心",
            CalloutKind::Rule => "平台规则",
        }
    }
}

/// A recognised marker at the start of a blockquote's first line.
#[derive(Debug, PartialEq, Eq)]
pub struct Marker<'a> {
    pub kind: CalloutKind,
    /// The author's title, if any text followed the marker on its line.
    pub title: Option<&'a str>,
    /// Bytes of the line the marker and title take.
    pub consumed: usize,
}

/// Recognises `[!KIND] optional title` at the start of `line`.
pub fn parse_marker(line: &str) -> Option<Marker<'_>> {
    let rest = line.strip_prefix("[!")?;
    let close = rest.find(']')?;
    let kind = CalloutKind::from_marker(&rest[..close])?;
    let after = &rest[close + 1..];
    let title_line = after.split('\n').next().unwrap_or("");
    let title = title_line.trim();
    Some(Marker {
        kind,
        title: (!title.is_empty()).then_some(title),
        consumed: 2 + close + 1 + title_line.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_markers_with_and_without_titles() {
        let m = parse_marker("[!RULE] 违背承诺：扣 6 分").unwrap();
        assert_eq!(m.kind, CalloutKind::Rule);
        assert_eq!(m.title, Some("违背承诺：扣 6 分"));
        let m = parse_marker("[!note]").unwrap();
        assert_eq!((m.kind, m.title, m.consumed), (CalloutKind::Note, None, 7));
        assert!(parse_marker("[!SHOUT] x").is_none());
        assert!(parse_marker("see [!NOTE]").is_none());
    }
}
