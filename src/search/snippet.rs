//! Snippets: the stretch of a page's text that shows the most of the query, as escaped
//! HTML with the matches in `<mark>`. `search.js` has the same function, character for
//! character (positions are Unicode code points in both).

use super::normalize;

/// Characters shown.
pub const WIDTH: usize = 80;
/// Characters shown before the first match of the chosen stretch.
pub const LEAD: usize = 16;
const MAX_MATCHES: usize = 400;

/// The snippet of `text` for the strings to highlight (already folded).
pub fn snippet(text: &str, highlights: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = chars.iter().map(|c| normalize::fold(*c)).collect();
    let mut matches: Vec<(usize, usize, usize)> = Vec::new();
    'all: for (h, s) in highlights.iter().enumerate() {
        let needle: Vec<char> = s.chars().collect();
        if needle.is_empty() || needle.len() > folded.len() {
            continue;
        }
        for i in 0..=folded.len() - needle.len() {
            if folded[i..i + needle.len()] == needle[..] {
                matches.push((i, i + needle.len(), h));
                if matches.len() >= MAX_MATCHES {
                    break 'all;
                }
            }
        }
    }
    matches.sort_unstable();
    let (start, end) = window(&matches, chars.len());
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for &(s, e, _) in &matches {
        let (s, e) = (s.max(start), e.min(end));
        if s >= e {
            continue;
        }
        match marks.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => marks.push((s, e)),
        }
    }
    let mut out = String::with_capacity((end - start) * 3 + 40);
    if start > 0 {
        out.push('…');
    }
    let mut next = marks.iter().peekable();
    let mut open = None;
    for (i, c) in chars.iter().enumerate().take(end).skip(start) {
        if open.is_none()
            && let Some(&&(s, e)) = next.peek()
            && s == i
        {
            out.push_str("<mark>");
            open = Some(e);
            next.next();
        }
        escape(*c, &mut out);
        if open == Some(i + 1) {
            out.push_str("</mark>");
            open = None;
        }
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// The stretch [start, end) holding the most different highlights (earliest wins).
fn window(matches: &[(usize, usize, usize)], len: usize) -> (usize, usize) {
    let mut best: Option<(usize, usize)> = None; // (count, match index)
    for (i, m) in matches.iter().enumerate() {
        let limit = m.0 + WIDTH;
        let mut seen: Vec<usize> = Vec::new();
        for o in &matches[i..] {
            if o.0 >= limit {
                break;
            }
            if o.1 <= limit && !seen.contains(&o.2) {
                seen.push(o.2);
            }
        }
        if best.is_none_or(|b| seen.len() > b.0) {
            best = Some((seen.len(), i));
        }
    }
    let first = best.map_or(0, |(_, i)| matches[i].0);
    let mut start = first.saturating_sub(LEAD);
    let end = (start + WIDTH).min(len);
    if end - start < WIDTH {
        start = end.saturating_sub(WIDTH);
    }
    (start, end)
}

fn escape(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c if c.is_whitespace() => out.push(' '),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_marked_and_merged() {
        let s = snippet(
            "买家申请退款原因选错了",
            &["退款".into(), "款原".into(), "原因".into()],
        );
        assert_eq!(s, "买家申请<mark>退款原因</mark>选错了");
        let s = snippet("a<b> DSR", &["dsr".into()]);
        assert_eq!(s, "a&lt;b&gt; <mark>DSR</mark>");
    }

    #[test]
    fn the_window_goes_where_most_of_the_query_is() {
        let text = format!(
            "{}退款{}退款运费{}",
            "甲".repeat(100),
            "乙".repeat(100),
            "丙".repeat(100)
        );
        let s = snippet(&text, &["退款".into(), "运费".into()]);
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert!(s.contains("<mark>退款运费</mark>"), "{s}");
        let plain = snippet("短文本", &[]);
        assert_eq!(plain, "短文本");
    }
}
