//! Markdown → HTML for one page: a pure function of the page's text and a view of the
//! rest of the site (which pages and files exist).
//!
//! On top of CommonMark (+ tables, footnotes, strikethrough, task lists) it adds heading
//! ids and a table of contents ([`heading`]), callouts ([`callout`]), dialogue blocks
//! ([`dialogue`]), quiz embeds ([`quiz_block`]), highlighted code ([`highlight`]) and
//! link rewriting ([`links`]).
//! Anchors on *other* pages cannot be checked while one page renders, so they are
//! returned as [`AnchorRef`]s for the build to check once every page is rendered.
//! Raw HTML is sanitised with ammonia unless the site trusts its authors.

pub mod callout;
pub mod dialogue;
pub mod heading;
pub mod highlight;
pub mod links;
pub mod marker;
pub mod quiz_block;
mod sanitize;

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options as CmarkOptions, Parser, Tag, TagEnd,
};

use crate::config::{DialogueRoles, LinkPolicy, MarkdownConfig, RawHtml};
use crate::error::{Diagnostic, Severity};
use heading::{IdAllocator, TocEntry};
use highlight::Highlighter;
use links::Target;

/// What the renderer needs to know about the rest of the site.
pub trait SiteMap {
    /// The URL path of the page whose source is `source` (`rules/refund.md`), if any.
    fn page_url(&self, source: &str) -> Option<&str>;
    /// Whether `path` (below `content/`) is a file that will be copied to the site.
    fn has_asset(&self, path: &str) -> bool;
    /// Whether the page at `source` exists but was left out for its own errors: links
    /// to it are not reported as broken (its errors are).
    fn is_skipped(&self, _source: &str) -> bool {
        false
    }
}

/// The page being rendered.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Path shown in diagnostics (`content/rules/refund.md`).
    pub file: &'a Path,
    /// The whole file, front matter included, so locations are file lines.
    pub text: &'a str,
    /// Where the Markdown body starts in `text`.
    pub body_start: usize,
    /// The page's source path below `content/` (`rules/refund.md`).
    pub source: &'a str,
    /// The page's URL path (`rules/refund/`).
    pub url_path: &'a str,
}

#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub markdown: &'a MarkdownConfig,
    pub roles: &'a DialogueRoles,
    pub highlighter: &'a Highlighter,
}

/// A link to `#anchor` on page `source`, to be checked when all pages are rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRef {
    pub source: String,
    pub anchor: String,
    /// Byte range of the link destination in the linking file.
    pub span: Range<usize>,
}

/// One page rendered.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Every id a link may point at on this page.
    pub anchors: Vec<String>,
    pub anchor_refs: Vec<AnchorRef>,
    /// ```` ```quiz ```` blocks, in order; the HTML holds a marker for each.
    pub quiz_refs: Vec<quiz_block::QuizRef>,
    /// The markers the quiz blocks left, keyed by the page's text.
    pub markers: marker::Markers,
    /// The text without markup, for word counts and search.
    pub plain: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A short piece of Markdown that is not a page (a quiz's prompt, an explanation):
/// CommonMark with the page extensions, always sanitized, no heading ids or link checks.
pub fn snippet(text: &str) -> String {
    snippet_with_links(text, &|_| None)
}

/// [`snippet`], with every link's destination offered to `link`: a `Some` replaces it
/// (before sanitizing, so the replacement is sanitized too).
pub fn snippet_with_links(text: &str, link: &dyn Fn(&str) -> Option<String>) -> String {
    let events = Parser::new_ext(text, cmark_options()).map(|event| match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: link(&dest_url).map_or(dest_url, CowStr::from),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    sanitize::clean(&html)
}

/// The destinations of the links in a piece of Markdown, in order.
pub fn link_destinations(text: &str) -> Vec<String> {
    Parser::new_ext(text, cmark_options())
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

fn cmark_options() -> CmarkOptions {
    CmarkOptions::ENABLE_TABLES
        | CmarkOptions::ENABLE_FOOTNOTES
        | CmarkOptions::ENABLE_STRIKETHROUGH
        | CmarkOptions::ENABLE_TASKLISTS
        | CmarkOptions::ENABLE_HEADING_ATTRIBUTES
}

/// Renders the body of `page`.
pub fn render(page: Source<'_>, site: &dyn SiteMap, options: Options<'_>) -> Rendered {
    let body = &page.text[page.body_start..];
    let events = merge_text(Parser::new_ext(body, cmark_options()).into_offset_iter());
    let mut renderer = Renderer {
        page,
        site,
        options,
        out: Vec::with_capacity(events.len()),
        rendered: Rendered {
            markers: marker::Markers::keyed(page.text.as_bytes()),
            ..Rendered::default()
        },
        ids: IdAllocator::default(),
        flat_toc: Vec::new(),
        callouts: Vec::new(),
        raw_html: None,
    };
    renderer.run(events);
    renderer.finish()
}

/// pulldown-cmark splits text at characters that might start markup (`[`, `!`);
/// joining neighbouring text events makes callout markers easy to see. A run of text
/// events is joined once, into one string (joining pairwise copied the growing text
/// again for every piece: quadratic on a line of 10,000 `[`).
fn merge_text<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> Vec<(Event<'a>, Range<usize>)> {
    let mut merged: Vec<(Event<'a>, Range<usize>)> = Vec::new();
    let mut run: Vec<(CowStr<'a>, Range<usize>)> = Vec::new();
    for (event, range) in events {
        match event {
            Event::Text(text) => run.push((text, range)),
            other => {
                flush_text(&mut run, &mut merged);
                merged.push((other, range));
            }
        }
    }
    flush_text(&mut run, &mut merged);
    merged
}

fn flush_text<'a>(
    run: &mut Vec<(CowStr<'a>, Range<usize>)>,
    merged: &mut Vec<(Event<'a>, Range<usize>)>,
) {
    if run.len() <= 1 {
        merged.extend(
            run.drain(..)
                .map(|(text, range)| (Event::Text(text), range)),
        );
        return;
    }
    let start = run[0].1.start;
    let end = run[run.len() - 1].1.end;
    let mut joined = String::with_capacity(run.iter().map(|(t, _)| t.len()).sum());
    for (text, _) in run.drain(..) {
        joined.push_str(&text);
    }
    merged.push((Event::Text(joined.into()), start..end));
}

struct Renderer<'p, 's> {
    page: Source<'p>,
    site: &'s dyn SiteMap,
    options: Options<'s>,
    out: Vec<Event<'p>>,
    rendered: Rendered,
    ids: IdAllocator,
    flat_toc: Vec<TocEntry>,
    /// One entry per open blockquote: whether it became a callout.
    callouts: Vec<bool>,
    /// Where the page's first raw HTML is, if it has any.
    raw_html: Option<Range<usize>>,
}

impl<'p> Renderer<'p, '_> {
    fn run(&mut self, events: Vec<(Event<'p>, Range<usize>)>) {
        let mut iter = events.into_iter().peekable();
        while let Some((event, range)) = iter.next() {
            match event {
                Event::Start(Tag::BlockQuote(_)) => self.blockquote(&mut iter, event),
                Event::End(TagEnd::BlockQuote(_)) => {
                    if self.callouts.pop() == Some(true) {
                        self.out.push(Event::Html("</aside>\n".into()));
                    } else {
                        self.out.push(event);
                    }
                }
                Event::Start(Tag::Heading {
                    level, id, classes, ..
                }) => {
                    self.heading(&mut iter, level, id, classes);
                }
                Event::Start(Tag::CodeBlock(kind)) => self.code_block(&mut iter, kind, range),
                Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                    let tag = self.rewrite_tag(tag, &range);
                    self.out.push(Event::Start(tag));
                }
                Event::Html(_) | Event::InlineHtml(_) => {
                    self.raw_html.get_or_insert(range);
                    self.out.push(event);
                }
                Event::Text(ref text) | Event::Code(ref text) => {
                    self.rendered.plain.push_str(text);
                    self.out.push(event);
                }
                Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                    self.rendered.plain.push('\n');
                    self.out.push(event);
                }
                other => self.out.push(other),
            }
        }
    }

    fn blockquote<I>(&mut self, iter: &mut std::iter::Peekable<I>, start: Event<'p>)
    where
        I: Iterator<Item = (Event<'p>, Range<usize>)>,
    {
        let is_marker_paragraph = matches!(iter.peek(), Some((Event::Start(Tag::Paragraph), _)));
        if !is_marker_paragraph {
            self.callouts.push(false);
            self.out.push(start);
            return;
        }
        let paragraph = iter.next().expect("peeked");
        let marker = match iter.peek() {
            Some((Event::Text(text), _)) => callout::parse_marker(text).map(|m| {
                let title = m.title.map(str::to_string);
                let rest = text[m.consumed..].to_string();
                (m.kind, title, rest)
            }),
            _ => None,
        };
        let Some((kind, title, _)) = marker else {
            self.callouts.push(false);
            self.out.push(start);
            self.out.push(paragraph.0);
            return;
        };
        iter.next(); // the marker text
        self.callouts.push(true);
        self.out.push(Event::Html(
            format!(
                "<aside class=\"callout callout-{}\" role=\"note\">\n<p class=\"callout-title\">",
                kind.class()
            )
            .into(),
        ));
        let mut title_html = title.map(|t| escape_html(&t)).unwrap_or_default();
        // Inline markup after the marker on its line belongs to the title too.
        let mut title_events = Vec::new();
        let paragraph_goes_on = loop {
            match iter.peek() {
                Some((Event::SoftBreak | Event::HardBreak, _)) => {
                    iter.next();
                    break true;
                }
                Some((Event::End(TagEnd::Paragraph), _)) => {
                    iter.next();
                    break false;
                }
                None => break false,
                Some(_) => title_events.push(iter.next().expect("peeked").0),
            }
        };
        if title_html.is_empty() && title_events.is_empty() {
            title_html = kind.default_title().to_string();
        }
        self.out.push(Event::Html(title_html.into()));
        self.out.extend(title_events);
        self.out.push(Event::Html("</p>\n".into()));
        if paragraph_goes_on {
            self.out.push(Event::Start(Tag::Paragraph));
        }
    }

    fn heading<I>(
        &mut self,
        iter: &mut I,
        level: HeadingLevel,
        explicit_id: Option<CowStr<'p>>,
        classes: Vec<CowStr<'p>>,
    ) where
        I: Iterator<Item = (Event<'p>, Range<usize>)>,
    {
        let placeholder = self.out.len();
        self.out.push(Event::Html("".into()));
        let mut title = String::new();
        for (event, range) in iter.by_ref() {
            match event {
                Event::End(TagEnd::Heading(_)) => break,
                Event::Text(ref t) | Event::Code(ref t) => {
                    title.push_str(t);
                    self.out.push(event);
                }
                Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                    let tag = self.rewrite_tag(tag, &range);
                    self.out.push(Event::Start(tag));
                }
                other => self.out.push(other),
            }
        }
        let wanted = explicit_id.map_or_else(|| heading::slugify(&title), |id| id.to_string());
        let id = self.ids.unique(wanted);
        let n = level as u8;
        let class_attr = if classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape_html(&classes.join(" ")))
        };
        self.out[placeholder] =
            Event::Html(format!("<h{n} id=\"{}\"{class_attr}>", escape_html(&id)).into());
        self.out.push(Event::Html(format!("</h{n}>\n").into()));
        self.rendered.plain.push_str(&title);
        self.rendered.plain.push('\n');
        if (2..=4).contains(&n) {
            self.flat_toc.push(TocEntry {
                level: n,
                id: id.clone(),
                title: title.trim().to_string(),
                children: Vec::new(),
            });
        }
        self.rendered.anchors.push(id);
    }

    fn code_block<I>(&mut self, iter: &mut I, kind: CodeBlockKind<'p>, range: Range<usize>)
    where
        I: Iterator<Item = (Event<'p>, Range<usize>)>,
    {
        let mut code = String::new();
        let mut code_start = None;
        for (event, r) in iter.by_ref() {
            match event {
                Event::End(TagEnd::CodeBlock) => break,
                Event::Text(t) => {
                    code_start.get_or_insert(r.start);
                    code.push_str(&t);
                }
                _ => {}
            }
        }
        let lang = match &kind {
            CodeBlockKind::Fenced(info) => info.trim().to_string(),
            CodeBlockKind::Indented => String::new(),
        };
        let html = if lang == "dialogue" {
            self.dialogue(&code, code_start.unwrap_or(range.start))
        } else if lang == "quiz" {
            self.quiz_ref(&code, code_start.unwrap_or(range.start), &range)
        } else {
            self.rendered.plain.push_str(&code);
            self.options.highlighter.block(&code, &lang)
        };
        self.out.push(Event::Html(html.into()));
    }

    fn dialogue(&mut self, code: &str, body_offset: usize) -> String {
        match dialogue::parse(code, self.options.roles) {
            Ok(lines) => {
                for line in &lines {
                    let text = match line {
                        dialogue::Line::Say { text, .. } | dialogue::Line::Narration(text) => text,
                    };
                    self.rendered.plain.push_str(text);
                    self.rendered.plain.push('\n');
                }
                dialogue::render(&lines)
            }
            Err(errors) => {
                for e in errors {
                    let start = self.page.body_start + body_offset + e.offset;
                    let d = Diagnostic::at(
                        Severity::Error,
                        self.page.file,
                        self.page.text,
                        start..start + e.len,
                        e.message,
                    )
                    .with_hint(e.hint);
                    self.rendered.diagnostics.push(d);
                }
                String::new()
            }
        }
    }

    /// Records a quiz embed and leaves its marker (see [`quiz_block`]).
    fn quiz_ref(&mut self, code: &str, body_offset: usize, block: &Range<usize>) -> String {
        let base = self.page.body_start;
        match quiz_block::parse(code) {
            Ok((id, at)) => {
                let start = base + body_offset + at;
                let n = self.rendered.quiz_refs.len();
                self.rendered.quiz_refs.push(quiz_block::QuizRef {
                    id: id.to_string(),
                    span: start..start + id.len(),
                });
                quiz_block::marker(&self.rendered.markers, n)
            }
            Err(message) => {
                let d = Diagnostic::at(
                    Severity::Error,
                    self.page.file,
                    self.page.text,
                    base + block.start..base + block.end,
                    message,
                )
                .with_hint("write the id of a practice quiz on the block's one line, e.g. ```quiz\nrules-practice\n```");
                self.rendered.diagnostics.push(d);
                String::new()
            }
        }
    }

    /// A link or image with its destination rewritten; other tags as they are.
    fn rewrite_tag(&mut self, tag: Tag<'p>, range: &Range<usize>) -> Tag<'p> {
        match tag {
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => Tag::Link {
                link_type,
                dest_url: self.rewrite(dest_url, range),
                title,
                id,
            },
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => Tag::Image {
                link_type,
                dest_url: self.rewrite(dest_url, range),
                title,
                id,
            },
            other => other,
        }
    }

    /// Rewrites one link destination, recording what must be checked.
    fn rewrite(&mut self, dest: CowStr<'p>, range: &Range<usize>) -> CowStr<'p> {
        let span = self.dest_span(&dest, range);
        if let Some(scheme) = links::scheme(&dest)
            && !links::scheme_allowed(&scheme, &self.options.markdown.link_schemes)
        {
            self.unsafe_scheme(span, &scheme);
            return CowStr::Borrowed("");
        }
        let source_dir = self.page.source.rsplit_once('/').map_or("", |(dir, _)| dir);
        match links::classify(&dest, source_dir) {
            Target::External => dest,
            Target::SamePage { anchor } => {
                self.anchor_ref(self.page.source.to_string(), anchor, span);
                dest
            }
            Target::Page { source, anchor } => {
                let Some(url) = self.site.page_url(&source) else {
                    if self.site.is_skipped(&source) {
                        return dest;
                    }
                    self.broken(span, format!("link to a missing page `{source}`"), "check the file name; links are relative to this page's folder and name the .md file");
                    return dest;
                };
                let mut href = links::relative_url(self.page.url_path, url);
                if let Some(anchor) = anchor {
                    href.push('#');
                    href.push_str(anchor);
                    self.anchor_ref(source, anchor, span);
                }
                href.into()
            }
            Target::Asset { path, suffix } => {
                if !self.site.has_asset(&path) {
                    self.broken(
                        span,
                        format!("link to a missing file `{path}`"),
                        "put the file next to the page in content/, or fix the path",
                    );
                    return dest;
                }
                let url = links::relative_url(self.page.url_path, &path);
                format!("{}{suffix}", links::encode_path(&url)).into()
            }
            Target::OutsideContent => {
                self.broken(
                    span,
                    "link climbs out of content/".to_string(),
                    "link to a page or file inside content/, or use an absolute URL",
                );
                dest
            }
        }
    }

    /// A link whose scheme may run code or is not on the site's list: always an error,
    /// and the link is emptied so the HTML never carries it.
    fn unsafe_scheme(&mut self, span: Range<usize>, scheme: &str) {
        let d = Diagnostic::at(
            Severity::Error,
            self.page.file,
            self.page.text,
            span,
            format!("links may not use the `{scheme}:` scheme"),
        )
        .with_hint(format!(
            "links may use {}; add a harmless scheme to `link_schemes` under [markdown] in shouce.toml",
            links::SAFE_SCHEMES.map(|s| format!("{s}:")).join(", ")
        ));
        self.rendered.diagnostics.push(d);
    }

    /// The page nests too deep to be sanitized in reasonable time (see [`sanitize`]).
    fn too_deep(&mut self, first_raw_html: Range<usize>) {
        let base = self.page.body_start;
        let d = Diagnostic::at(
            Severity::Error,
            self.page.file,
            self.page.text,
            base + first_raw_html.start..base + first_raw_html.end,
            format!(
                "this page nests HTML elements more than {} deep",
                sanitize::MAX_DEPTH
            ),
        )
        .with_hint("close the HTML elements you open, and nest lists and quotes less deeply");
        self.rendered.diagnostics.push(d);
    }

    fn anchor_ref(&mut self, source: String, anchor: &str, span: Range<usize>) {
        let anchor = percent_encoding::percent_decode_str(anchor)
            .decode_utf8_lossy()
            .into_owned();
        self.rendered.anchor_refs.push(AnchorRef {
            source,
            anchor,
            span,
        });
    }

    fn broken(&mut self, span: Range<usize>, message: String, hint: &str) {
        let severity = match self.options.markdown.broken_links {
            LinkPolicy::Error => Severity::Error,
            LinkPolicy::Warn => Severity::Warning,
        };
        let d =
            Diagnostic::at(severity, self.page.file, self.page.text, span, message).with_hint(hint);
        self.rendered.diagnostics.push(d);
    }

    /// The byte range of a link's destination in the file, found inside the link's range.
    fn dest_span(&self, dest: &str, range: &Range<usize>) -> Range<usize> {
        let base = self.page.body_start;
        let body = &self.page.text[base..];
        let within = body.get(range.clone()).and_then(|s| s.rfind(dest));
        match within {
            Some(i) if !dest.is_empty() => {
                base + range.start + i..base + range.start + i + dest.len()
            }
            _ => base + range.start..base + range.end,
        }
    }

    fn finish(mut self) -> Rendered {
        let mut html = String::with_capacity(self.page.text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, std::mem::take(&mut self.out).into_iter());
        if let Some(first) = self.raw_html.clone()
            && self.options.markdown.raw_html == RawHtml::Sanitize
        {
            html = if sanitize::too_deep(&html) {
                self.too_deep(first);
                String::new()
            } else {
                sanitize::clean(&html)
            };
        }
        self.rendered.html = html;
        self.rendered.toc = heading::nest(self.flat_toc);
        self.rendered
    }
}

#[cfg(test)]
mod tests;
