//! "Keep it true": checks over the shipped handbook (`content/` and `quizzes/`) for the
//! kinds of slip a line-by-line review against the source texts found (issue 14) and
//! that a machine can see again:
//!
//! - a link whose text names a heading of the page it points at, but whose anchor is a
//!   near miss (`[客服客单价](glossary.md#客单价)` when the glossary has `## 客服客单价`);
//! - a text question that accepts the handbook's word for a thing but not the source's
//!   own term (`商品知识` without `产品知识`), or whose answers its cited lesson never uses;
//! - a start page promising more about RULE callouts than the pages keep.
//!
//! These read the shipped handbook, not small fixtures: they are about its content. A
//! near-miss link warning could live in `shouce check` itself; until it does, this test
//! keeps the shipped handbook clean.

mod common;

use std::collections::BTreeMap;

use common::repo;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use shouce::build;
use shouce::content::Page;
use shouce::markdown::heading::{IdAllocator, slugify};
use shouce::markdown::links::{self, Target};
use shouce::quiz::Rule;

/// Every page under `content/`, by source path (`rules/intervention.md`), sorted.
fn pages() -> BTreeMap<String, Page> {
    let root = repo().join("content");
    walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap().to_string_lossy();
            let rel = rel.replace('\\', "/");
            let page = Page::parse(&rel, std::fs::read_to_string(e.path()).unwrap()).unwrap();
            (rel, page)
        })
        .collect()
}

fn cmark() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A page's headings: id → heading text, ids allocated as the renderer does.
fn headings(body: &str) -> BTreeMap<String, String> {
    let mut ids = IdAllocator::default();
    let mut out = BTreeMap::new();
    let mut open: Option<(Option<String>, String)> = None;
    for event in Parser::new_ext(body, cmark()) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                open = Some((id.map(|i| i.to_string()), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = &mut open {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((id, text)) = open.take() {
                    let id = ids.unique(id.unwrap_or_else(|| slugify(&text)));
                    out.insert(id, text);
                }
            }
            _ => {}
        }
    }
    out
}

/// A Markdown link as written: its visible text and its destination.
struct Link {
    text: String,
    dest: String,
}

fn links_in(body: &str) -> Vec<Link> {
    let mut out = Vec::new();
    let mut open: Option<Link> = None;
    for event in Parser::new_ext(body, cmark()) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                open = Some(Link {
                    text: String::new(),
                    dest: dest_url.to_string(),
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(link) = &mut open {
                    link.text.push_str(&t);
                }
            }
            Event::End(TagEnd::Link) => out.extend(open.take()),
            _ => {}
        }
    }
    out
}

/// Links written in a quiz file's Markdown fields (prompts, options, feedback,
/// explanations). They are relative to `quizzes/`, so `../content/` is the content root.
fn links_in_quiz(text: &str) -> Vec<Link> {
    let link = regex::Regex::new(r"\[([^\[\]]+)\]\(([^()\s]+)\)").unwrap();
    link.captures_iter(text)
        .filter_map(|c| {
            let dest = c[2].strip_prefix("../content/")?;
            Some(Link {
                text: c[1].to_string(),
                dest: dest.to_string(),
            })
        })
        .collect()
}

/// Why `link`, written in a file whose folder below `content/` is `dir`, names one
/// heading of its target page but points somewhere else on it; `None` when it doesn't.
fn near_miss(
    dir: &str,
    link: &Link,
    headings: &BTreeMap<String, BTreeMap<String, String>>,
) -> Option<String> {
    let Target::Page { source, anchor } = links::classify(&link.dest, dir) else {
        return None;
    };
    let target = headings.get(&source)?;
    let named = slugify(link.text.trim());
    let heading = target.get(&named)?;
    let anchor = anchor.map(|a| percent_encoding::percent_decode_str(a).decode_utf8_lossy());
    match anchor.as_deref() {
        Some(a) if a == named => None,
        Some(a) => Some(format!(
            "[{}]({}) points at #{a}, but {source} has a heading `{heading}` (#{named}) that the text names",
            link.text, link.dest
        )),
        None => Some(format!(
            "[{}]({}) names the heading `{heading}` of {source}: link to #{named}",
            link.text, link.dest
        )),
    }
}

#[test]
fn links_point_at_the_heading_their_text_names() {
    let pages = pages();
    let headings: BTreeMap<String, BTreeMap<String, String>> = pages
        .iter()
        .map(|(source, page)| (source.clone(), headings(page.body())))
        .collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (source, page) in &pages {
        let dir = source.rsplit_once('/').map_or("", |(d, _)| d);
        for link in links_in(page.body()) {
            checked += 1;
            if let Some(p) = near_miss(dir, &link, &headings) {
                problems.push(format!("content/{source}: {p}"));
            }
        }
    }
    let (quizzes, _) = build::quizzes::load(&repo(), None);
    for file in &quizzes {
        for link in links_in_quiz(&file.text) {
            checked += 1;
            if let Some(p) = near_miss("", &link, &headings) {
                problems.push(format!("{}: {p}", file.file.display()));
            }
        }
    }
    assert!(checked > 200, "only {checked} links checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_near_miss_check_sees_a_near_miss() {
    let glossary = "## 客单价\n\n定义。\n\n## 客服客单价\n\n定义。\n";
    let headings = BTreeMap::from([("metrics/glossary.md".to_string(), headings(glossary))]);
    let link = |text: &str, dest: &str| Link {
        text: text.to_string(),
        dest: dest.to_string(),
    };
    let near = link("客服客单价", "../metrics/glossary.md#客单价");
    assert!(near_miss("promotion", &near, &headings).is_some());
    let bare = link("客服客单价", "../metrics/glossary.md");
    assert!(near_miss("promotion", &bare, &headings).is_some());
    let right = link("客服客单价", "../metrics/glossary.md#客服客单价");
    assert!(near_miss("promotion", &right, &headings).is_none());
    let other = link("指标词汇表", "../metrics/glossary.md#客单价");
    assert!(near_miss("promotion", &other, &headings).is_none());
}

/// The source texts' own word for a thing, with the handbook's other words for it. A
/// text question that accepts one of the other words must accept the source's too: a
/// trainee who learnt the source's term is right.
const SOURCE_TERMS: &[(&str, &[&str])] = &[
    ("产品知识", &["商品知识"]),
    ("攻坚客服", &["攻坚", "攻坚岗"]),
    ("钻石卡", &["钻石", "钻石会员", "钻石卡会员"]),
    ("谁过错，谁承担", &["谁过错谁承担", "谁的过错谁承担"]),
    ("询单转化率", &["咨询转化率"]),
    ("积分", &["积分形式", "淘宝积分", "天猫积分"]),
    ("小二", &["淘宝小二", "天猫小二", "平台小二"]),
];

/// What is wrong with an accepted-answer list, measured against [`SOURCE_TERMS`].
fn missing_source_terms(accepted: &[String]) -> Vec<&'static str> {
    SOURCE_TERMS
        .iter()
        .filter(|(term, others)| {
            accepted.iter().any(|a| others.contains(&a.as_str()))
                && !accepted.iter().any(|a| a == term)
        })
        .map(|(term, _)| *term)
        .collect()
}

#[test]
fn text_answers_accept_the_source_terms_and_the_lesson_teaches_one() {
    let pages = pages();
    let (quizzes, _) = build::quizzes::load(&repo(), None);
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &quizzes {
        for item in &file.quiz.items {
            let Rule::Text { accepted } = &item.key.rule else {
                continue;
            };
            checked += 1;
            let at = format!("{}/{}", file.quiz.id, item.question.id);
            for term in missing_source_terms(accepted) {
                problems.push(format!(
                    "{at}: accepts {accepted:?} but not the source's `{term}`"
                ));
            }
            let cited = item.question.source.as_ref().and_then(|s| {
                let path = s.target.strip_prefix("../content/")?;
                pages.get(path.split('#').next()?)
            });
            match cited {
                Some(page) if accepted.iter().any(|a| page.body().contains(a.as_str())) => {}
                Some(page) => problems.push(format!(
                    "{at}: none of {accepted:?} occurs in the cited lesson {}",
                    page.source
                )),
                None => problems.push(format!("{at}: cites no lesson")),
            }
        }
    }
    assert!(checked >= 8, "only {checked} text questions");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_source_term_check_sees_a_missing_term() {
    let list = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(missing_source_terms(&list(&["商品知识"])), ["产品知识"]);
    assert!(missing_source_terms(&list(&["产品知识", "商品知识"])).is_empty());
    assert!(missing_source_terms(&list(&["不想买了"])).is_empty());
}

/// A `> [!RULE] title` callout: its title and its text (the lines after the marker).
struct Callout {
    page: String,
    title: String,
    text: String,
}

fn rule_callouts(pages: &BTreeMap<String, Page>) -> Vec<Callout> {
    let mut out = Vec::new();
    for (source, page) in pages {
        let mut fenced = false;
        let mut open: Option<Callout> = None;
        for line in page.body().lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            }
            let quoted = line.strip_prefix('>').map(str::trim);
            match (&mut open, quoted) {
                (Some(callout), Some(text)) => callout.text.push_str(text),
                (Some(_), None) => out.extend(open.take()),
                (None, Some(text)) if !fenced && text.starts_with("[!RULE]") => {
                    open = Some(Callout {
                        page: source.clone(),
                        title: text["[!RULE]".len()..].trim().to_string(),
                        text: String::new(),
                    });
                }
                (None, _) => {}
            }
        }
        out.extend(open);
    }
    out
}

/// Whether a callout that speaks of a deduction says how many points, links to the
/// table that lists them, or says that there are none or that the source gives none.
fn states_its_points(callout: &Callout) -> bool {
    let points = regex::Regex::new(r"扣\s*\d+\s*分").unwrap();
    let deducts = callout.text.contains("扣分") || points.is_match(&callout.text);
    !deducts
        || points.is_match(&callout.text)
        || [
            "不扣分",
            "不涉及扣分",
            "没有给出",
            "未给出",
            "没有对应的扣分",
            "penalty-table.md",
        ]
        .iter()
        .any(|p| callout.text.contains(p))
}

/// What the start page may promise about RULE callouts, each with the check that the
/// pages keep it. A promise the start page makes that is not in this list fails the
/// test, so a new promise comes with its check.
type Check = fn(&Callout) -> bool;
const PROMISES: &[(&str, Check)] = &[
    ("一定写明扣分或赔付", |c| {
        c.text.contains('扣') || c.text.contains('赔')
    }),
    ("标题写明是哪一条", |c| !c.title.is_empty()),
    ("涉及扣分的，框里写明扣几分", states_its_points),
];

/// The start page's row for RULE callouts in its table of callout kinds.
fn start_page_rule_row(pages: &BTreeMap<String, Page>) -> String {
    let start = &pages["start.md"];
    start
        .body()
        .lines()
        .find(|l| l.starts_with('|') && l.contains("RULE"))
        .expect("start.md explains the RULE callout in a table row")
        .to_string()
}

fn broken_promises(row: &str, callouts: &[Callout]) -> Vec<String> {
    PROMISES
        .iter()
        .filter(|(promise, _)| row.contains(promise))
        .flat_map(|(promise, keeps)| {
            callouts
                .iter()
                .filter(|c| !keeps(c))
                .map(move |c| format!("content/{}: `{}` breaks “{promise}”", c.page, c.title))
        })
        .collect()
}

#[test]
fn the_start_page_keeps_its_promise_about_rule_callouts() {
    let pages = pages();
    let callouts = rule_callouts(&pages);
    assert!(
        callouts.len() >= 30,
        "only {} RULE callouts",
        callouts.len()
    );
    let row = start_page_rule_row(&pages);
    let made = PROMISES.iter().filter(|(p, _)| row.contains(p)).count();
    assert!(
        made >= 2,
        "start.md's RULE row makes fewer than two of the promises this test checks: {row}"
    );
    let broken = broken_promises(&row, &callouts);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_old_promise_would_have_failed() {
    let pages = pages();
    let callouts = rule_callouts(&pages);
    let old = "| 规则（RULE） | 平台规则，框里一定写明扣分或赔付 |";
    assert!(!broken_promises(old, &callouts).is_empty());
}
