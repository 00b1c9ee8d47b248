//! Internal links: authors link to the `.md` file (`../rules/refund.md#小二介入`); the
//! site links to the page's URL, written relative to the linking page so the site works
//! under any sub-path and from `file://`.
//!
//! Source paths are relative to `content/` with `/` separators (`rules/refund.md`);
//! URL paths are relative to the site root and end with `/` (`rules/refund/`; the home
//! page is the empty string).

/// What a link destination written by an author points at.
#[derive(Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// `https://…`, `mailto:…`, `//cdn…`, or a site-absolute `/path`: left alone.
    External,
    /// `#anchor` on the same page.
    SamePage { anchor: &'a str },
    /// Another Markdown page, as a source path, with an optional anchor.
    Page {
        source: String,
        anchor: Option<&'a str>,
    },
    /// A file next to the pages (image, spreadsheet), as a path below `content/`.
    Asset { path: String, suffix: &'a str },
    /// A relative path that climbs out of `content/`.
    OutsideContent,
}

/// Classifies `dest` as written in a page whose source folder is `source_dir`.
pub fn classify<'a>(dest: &'a str, source_dir: &str) -> Target<'a> {
    if dest.is_empty() || dest.starts_with('/') || has_scheme(dest) {
        return Target::External;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::SamePage { anchor };
    }
    let split = dest.find(['#', '?']).unwrap_or(dest.len());
    let (path, suffix) = dest.split_at(split);
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let Some(joined) = join(source_dir, &decoded) else {
        return Target::OutsideContent;
    };
    if joined.ends_with(".md") {
        let anchor = suffix.strip_prefix('#').filter(|a| !a.is_empty());
        Target::Page {
            source: joined,
            anchor,
        }
    } else {
        Target::Asset {
            path: joined,
            suffix,
        }
    }
}

/// The schemes every site may link to; `[markdown] link_schemes` adds more.
pub const SAFE_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// The scheme of `dest` as a browser reads it, lowercased, or `None` for a relative
/// URL. Like the URL standard's parser it first drops leading and trailing control
/// characters and spaces and every tab and newline, so `JavaScript:`, ` javascript:`
/// and `java\tscript:` all give `javascript`. (Character references were decoded
/// by the Markdown parser already: `&#106;avascript:` arrives as `javascript:`.)
pub fn scheme(dest: &str) -> Option<String> {
    let cleaned: String = dest
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let end = cleaned.find(':')?;
    let name = &cleaned[..end];
    let mut chars = name.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| name.to_ascii_lowercase())
}

/// Whether a link may use `scheme`: one of [`SAFE_SCHEMES`] or of `extra`.
pub fn scheme_allowed(scheme: &str, extra: &[String]) -> bool {
    SAFE_SCHEMES.contains(&scheme) || extra.iter().any(|e| e == scheme)
}

fn has_scheme(dest: &str) -> bool {
    let end = dest.find([':', '/', '#', '?']);
    matches!(end, Some(i) if dest.as_bytes()[i] == b':' && i > 0)
}

/// Joins a relative path onto a folder, resolving `.` and `..`. `None` if it climbs
/// above the root. A trailing `/` on a folder link is dropped.
pub fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The relative URL from the page at URL path `from` to the URL path `to`.
/// Both are folder-like (`a/b/`, or `` for the root), or `to` may be a file path.
pub fn relative_url(from: &str, to: &str) -> String {
    let from_parts: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    let common = from_parts
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut url = "../".repeat(from_parts.len() - common);
    url.push_str(&to_parts[common..].join("/"));
    if to.ends_with('/') && common < to_parts.len() {
        url.push('/');
    }
    if url.is_empty() {
        url.push_str("./");
    }
    url
}

/// A `/`-separated path made of file names, written as a URL path: `a b#1.png` →
/// `a%20b%231.png`. Characters that would change what the path means (`#`, `?`, `%`)
/// or that a URL may not hold as they are (spaces, controls, quotes) are encoded;
/// others, Chinese among them, are left as they are.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        let unsafe_ascii = ch.is_ascii_control() || " \"#%:<>?\\^`{|}".contains(ch);
        if unsafe_ascii {
            out.push_str(&format!("%{:02X}", ch as u32));
        } else {
            out.push(ch);
        }
    }
    out
}

/// `../` repeated once per folder of `url_path`: the way from a page back to the root.
pub fn root_prefix(url_path: &str) -> String {
    "../".repeat(url_path.split('/').filter(|p| !p.is_empty()).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_destinations() {
        assert_eq!(classify("https://tmall.com", "rules"), Target::External);
        assert_eq!(classify("mailto:a@b.c", "rules"), Target::External);
        assert_eq!(classify("/abs/path", "rules"), Target::External);
        assert_eq!(
            classify("#小二介入", "rules"),
            Target::SamePage {
                anchor: "小二介入"
            }
        );
        assert_eq!(
            classify("../scripts/greeting.md#开场", "rules"),
            Target::Page {
                source: "scripts/greeting.md".into(),
                anchor: Some("开场")
            }
        );
        assert_eq!(
            classify("%E9%80%80%E6%AC%BE.md", ""),
            Target::Page {
                source: "退款.md".into(),
                anchor: None
            }
        );
        assert_eq!(
            classify("img/flow.png?v=2", "workflow"),
            Target::Asset {
                path: "workflow/img/flow.png".into(),
                suffix: "?v=2"
            }
        );
        assert_eq!(classify("../../x.md", "rules"), Target::OutsideContent);
    }

    #[test]
    fn schemes_are_read_as_browsers_read_them() {
        for dest in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " \u{1}javascript:x",
            "java\tscr\nipt:x",
        ] {
            assert_eq!(scheme(dest).as_deref(), Some("javascript"), "{dest:?}");
        }
        assert_eq!(scheme("DATA:text/html,x").as_deref(), Some("data"));
        assert_eq!(scheme("tel:+86-10").as_deref(), Some("tel"));
        assert_eq!(scheme("rules/a.md"), None);
        assert_eq!(scheme("#a:b"), None);
        assert_eq!(scheme("1x:y"), None);
        assert!(scheme_allowed("https", &[]) && !scheme_allowed("sms", &[]));
        assert!(scheme_allowed("sms", &["sms".to_string()]));
    }

    #[test]
    fn relative_urls_between_pages() {
        assert_eq!(
            relative_url("scripts/greeting/", "rules/refund/"),
            "../../rules/refund/"
        );
        assert_eq!(relative_url("", "rules/"), "rules/");
        assert_eq!(relative_url("rules/", "rules/refund/"), "refund/");
        assert_eq!(relative_url("rules/refund/", "rules/refund/"), "./");
        assert_eq!(relative_url("rules/refund/", ""), "../../");
        assert_eq!(relative_url("rules/refund/", "rules/img.png"), "../img.png");
        assert_eq!(root_prefix("rules/refund/"), "../../");
        assert_eq!(
            encode_path("../a b/#1?%:.png"),
            "../a%20b/%231%3F%25%3A.png"
        );
        assert_eq!(encode_path("图/流程.png"), "图/流程.png");
        assert_eq!(root_prefix(""), "");
    }
}
