//! `shouce dev` rebuilds in place from a cache; after any sequence of edits the output
//! must be exactly what a full build of the same sources writes, and a failed rebuild
//! must change nothing. Edits are drawn at random (proptest) from every kind of source:
//! pages, the config, the theme's templates and static files, the site's `static/`,
//! attachments, and edits that break the build.

mod common;

use std::collections::BTreeMap;

use common::Site;
use proptest::prelude::*;
use shouce::build::{self, BuildOptions};

/// One edit to the site's sources; the `u8` picks a variant of the new text.
#[derive(Debug, Clone)]
enum Edit {
    Body(u8),
    Title(u8),
    AddPage,
    RemovePage,
    Config(u8),
    BreakConfig,
    PageTemplate(u8),
    ThemeStylesheet(u8),
    ThemeScript(Option<u8>),
    SiteStatic(Option<u8>),
    Attachment(Option<u8>),
    LinkToAttachment(bool),
    BreakFrontMatter,
}

fn edit() -> impl Strategy<Value = Edit> {
    let variant = 0u8..3;
    prop_oneof![
        variant.clone().prop_map(Edit::Body),
        variant.clone().prop_map(Edit::Title),
        Just(Edit::AddPage),
        Just(Edit::RemovePage),
        variant.clone().prop_map(Edit::Config),
        Just(Edit::BreakConfig),
        variant.clone().prop_map(Edit::PageTemplate),
        variant.clone().prop_map(Edit::ThemeStylesheet),
        proptest::option::of(variant.clone()).prop_map(Edit::ThemeScript),
        proptest::option::of(variant.clone()).prop_map(Edit::SiteStatic),
        proptest::option::of(variant).prop_map(Edit::Attachment),
        any::<bool>().prop_map(Edit::LinkToAttachment),
        Just(Edit::BreakFrontMatter),
    ]
}

const CONFIGS: [&str; 3] = [
    "title = \"测试手册\"\nbase_url = \"https://kb.example/\"\n",
    "title = \"测试手册（新版）\"\ndescription = \"改过\"\nbase_url = \"https://kb.example/kb/\"\n",
    "title = \"测试手册\"\nbase_url = \"https://kb.example/\"\n\n[markdown]\nbroken_links = \"warn\"\n\n[dialogue]\ncustomer_roles = [\"顾客\"]\nagent_roles = [\"客服\"]\n\n[search]\nterms = [\"小二介入\"]\n",
];

fn shipping(title: &str, body: &str) -> (String, String) {
    (format!("title = \"{title}\"\nweight = 2"), body.to_owned())
}

impl Edit {
    fn apply(&self, site: &Site, state: &mut SiteState) {
        let theme = "themes/default";
        match *self {
            Edit::Body(v) => state.body = format!("第 {v} 版正文。见 [退款](refund.md)。\n"),
            Edit::Title(v) => state.title = format!("发货时限 {v}"),
            Edit::AddPage => {
                site.page(
                    "rules/new.md",
                    "title = \"新页\"\nweight = 3",
                    "## 新标题\n",
                );
            }
            Edit::RemovePage => {
                let _ = std::fs::remove_file(site.path("content/rules/new.md"));
            }
            Edit::Config(v) => {
                site.file("shouce.toml", CONFIGS[usize::from(v)]);
            }
            Edit::BreakConfig => {
                site.file("shouce.toml", "title = 3\n");
            }
            Edit::PageTemplate(v) => {
                let page = site.read(&format!("{theme}/templates/page.html"));
                let page = page.replace("<h1", &format!("<!-- v{v} --><h1"));
                site.file(&format!("{theme}/templates/page.html"), &page);
            }
            Edit::ThemeStylesheet(v) => {
                let css = site.read(&format!("{theme}/static/style.css"));
                site.file(
                    &format!("{theme}/static/style.css"),
                    &format!("{css}\n/* v{v} */\n"),
                );
            }
            Edit::ThemeScript(v) => set(site, &format!("{theme}/static/extra.js"), v, "x"),
            Edit::SiteStatic(v) => set(site, "static/robots.txt", v, "Disallow: /v"),
            Edit::Attachment(v) => set(site, "content/rules/notes.txt", v, "笔记"),
            Edit::LinkToAttachment(on) => state.link = on,
            Edit::BreakFrontMatter => state.broken = !state.broken,
        }
        let (mut front, mut body) = shipping(&state.title, &state.body);
        if state.link {
            body.push_str("附件：[笔记](notes.txt)。\n");
        }
        if state.broken {
            front.push_str("\nbogus_key = 1");
        }
        site.page("rules/shipping.md", &front, &body);
    }
}

/// What the random edits have done to `rules/shipping.md` so far.
#[derive(Debug)]
struct SiteState {
    title: String,
    body: String,
    link: bool,
    broken: bool,
}

/// Writes variant `v` of a file, or removes it for `None`.
fn set(site: &Site, relative: &str, v: Option<u8>, text: &str) {
    match v {
        Some(v) => {
            site.file(relative, &format!("{text} {v}\n"));
        }
        None => {
            let _ = std::fs::remove_file(site.path(relative));
        }
    }
}

fn site() -> Site {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "欢迎。\n")
        .page(
            "rules/_index.md",
            "title = \"平台规则\"\nweight = 10",
            "规则。\n",
        )
        .page(
            "rules/refund.md",
            "title = \"退款与小二介入\"\nweight = 1",
            "## 小二介入\n\n```dialogue\n顾客: 退款呢？\n客服: 亲，马上处理。\n```\n\n![流程图](flow.png)\n",
        )
        .bytes("content/rules/flow.png", b"\x89PNG fake");
    site
}

/// The output of a fresh full build of the current sources, or `None` if it fails.
fn full_build(site: &Site) -> Option<BTreeMap<String, Vec<u8>>> {
    let options = BuildOptions {
        out_dir: site.path("full"),
        ..site.options()
    };
    build::build(&options).ok().map(|_| site.tree("full"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn dev_rebuilds_equal_full_builds_after_any_edits(edits in prop::collection::vec(edit(), 1..8)) {
        let site = site();
        let mut state = SiteState {
            title: "发货时限".into(),
            body: "正文。\n".into(),
            link: false,
            broken: false,
        };
        Edit::Body(0).apply(&site, &mut state);
        let options = site.options();
        let mut cache = build::Cache::default();
        build::build_incremental(&options, &mut cache).unwrap();
        for (step, edit) in edits.iter().enumerate() {
            let before = site.tree("public");
            edit.apply(&site, &mut state);
            let incremental = build::build_incremental(&options, &mut cache);
            match full_build(&site) {
                Some(full) => {
                    prop_assert!(incremental.is_ok(), "step {step} ({edit:?}): only the dev rebuild failed");
                    prop_assert!(site.tree("public") == full, "step {step} ({edit:?}): the dev rebuild differs from a full build");
                }
                None => {
                    prop_assert!(incremental.is_err(), "step {step} ({edit:?}): only the full build failed");
                    prop_assert!(site.tree("public") == before, "step {step} ({edit:?}): a failed dev rebuild changed the output");
                }
            }
        }
    }
}
