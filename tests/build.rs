//! Integration tests: small sites written into temp dirs, built through the library.

mod common;

use common::{Site, unhash};
use shouce::build::{self, BuildOptions};
use shouce::content::DraftPolicy;

fn small_site() -> Site {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"\ndescription = \"测试首页\"", "欢迎。见 [退款](rules/refund.md#小二介入)。\n")
        .page("start.md", "title = \"入门\"\nweight = 1", "从这里开始。\n")
        .page("rules/_index.md", "title = \"平台规则\"\nweight = 10\ndescription = \"售后规则\"", "本栏目讲规则。\n")
        .page(
            "rules/refund.md",
            "title = \"退款与小二介入\"\nweight = 1\ndescription = \"72 小时规则\"\ntags = [\"退款\"]\neffective = 2016-01-01\nreview_by = 2027-06-30",
            "学完本课，你将能够说明 72 小时规则。\n\n## 小二介入\n\n> [!RULE] 72 小时\n> 买家申请退款 72 小时后可申请小二介入。\n\n```dialogue\n买家: 退款怎么还没到？\n客服: 亲，我马上为您处理，请稍等。\n```\n\n| 原因 | 赔付 |\n|---|---|\n| 缺货 | 30% |\n\n![流程图](flow.png)\n\n## 小结\n\n- 72 小时内处理完。\n",
        )
        .page("rules/shipping.md", "title = \"发货时限\"\nweight = 2", "见 [退款](refund.md) 与 [入门](../start.md)。\n")
        .bytes("content/rules/flow.png", b"\x89PNG fake");
    site
}

#[test]
fn builds_pages_sections_and_site_files() {
    let site = small_site();
    let report = site.build().unwrap();
    assert_eq!((report.pages, report.sections), (3, 1));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    for file in [
        "index.html",
        "start/index.html",
        "rules/index.html",
        "rules/refund/index.html",
        "rules/shipping/index.html",
        "print/index.html",
        "search/index.html",
        "404.html",
        "sitemap.xml",
        "rules/flow.png",
    ] {
        assert!(site.path("public").join(file).exists(), "{file} missing");
    }
    let page = site.read("public/rules/refund/index.html");
    assert!(
        page.contains("href=\"../../start/\""),
        "sidebar links are relative"
    );
    assert!(
        page.contains("src=\"../flow.png\""),
        "images next to the page resolve"
    );
    let shipping = site.read("public/rules/shipping/index.html");
    assert!(shipping.contains("<a href=\"../refund/\">退款</a>"));
    let home = site.read("public/index.html");
    assert!(
        home.contains("href=\"rules/refund/#%E5%B0%8F%E4%BA%8C%E4%BB%8B%E5%85%A5\""),
        "{home}"
    );
    let sitemap = site.read("public/sitemap.xml");
    assert!(sitemap.contains("<loc>https://kb.example/rules/refund/</loc>"));
    let static_files: Vec<String> = site.tree("public/static").into_keys().collect();
    assert!(
        static_files
            .iter()
            .any(|f| regex::Regex::new(r"^style\.[0-9a-f]{8}\.css$")
                .unwrap()
                .is_match(f)),
        "{static_files:?}"
    );
    insta::assert_snapshot!("refund_page", unhash(&page));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = small_site();
    let mut options = site.options();
    options.out_dir = site.path("out-a");
    build::build(&options).unwrap();
    options.out_dir = site.path("out-b");
    build::build(&options).unwrap();
    let (a, b) = (site.tree("out-a"), site.tree("out-b"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let site = small_site();
    site.build().unwrap();
    let before = site.tree("public");
    site.page(
        "rules/shipping.md",
        "title = \"发货时限\"\nweight = \"二\"",
        "坏了。\n",
    );
    assert!(site.build().is_err());
    assert_eq!(site.tree("public"), before);
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            // The spare folder, the ledgers and the lock file are kept on purpose
            // (see write.rs and outdir.rs); a failed build's staging folder is not.
            name.contains("shouce-") && !name.ends_with("ledger") && !name.ends_with("-lock")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn a_rebuild_replaces_the_site_and_drops_removed_pages() {
    let site = small_site();
    site.build().unwrap();
    std::fs::remove_file(site.path("content/rules/shipping.md")).unwrap();
    site.build().unwrap();
    assert!(!site.path("public/rules/shipping").exists());
    assert!(site.path("public/rules/refund/index.html").exists());
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = small_site();
    site.page(
        "rules/draft.md",
        "title = \"草稿\"\ndraft = true",
        "未完成。\n",
    );
    site.build().unwrap();
    assert!(!site.path("public/rules/draft").exists());
    let options = BuildOptions {
        drafts: DraftPolicy::Include,
        ..site.options()
    };
    build::build(&options).unwrap();
    assert!(site.path("public/rules/draft/index.html").exists());
}

#[test]
fn overdue_pages_warn_and_show_a_badge() {
    let site = small_site();
    site.page(
        "rules/old.md",
        "title = \"旧规则\"\nreview_by = 2025-01-01",
        "旧。\n",
    );
    let report = site.build().unwrap();
    assert_eq!(report.warnings.len(), 1);
    let text = shouce::error::render_all(&report.warnings);
    assert!(text.contains("content/rules/old.md:3:13"), "{text}");
    assert!(
        site.read("public/rules/old/index.html")
            .contains("已过复核期限")
    );
    assert!(
        !site
            .read("public/rules/refund/index.html")
            .contains("已过复核期限")
    );
}

#[test]
fn site_templates_override_the_theme_and_pages_pick_templates() {
    let site = small_site();
    site.file("templates/special.html", "<p>special {{ page.title }}</p>");
    site.page(
        "rules/special.md",
        "title = \"特别\"\ntemplate = \"special.html\"",
        "x\n",
    );
    site.build().unwrap();
    assert_eq!(
        site.read("public/rules/special/index.html"),
        "<p>special 特别</p>"
    );
    site.file("templates/404.html", "gone");
    site.build().unwrap();
    assert_eq!(site.read("public/404.html"), "gone");
}

#[test]
fn the_search_page_is_written_outside_the_sitemap_and_every_page_has_the_box() {
    let site = small_site();
    site.build().unwrap();
    let search = site.read("public/search/index.html");
    assert!(search.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(search.contains("id=\"search-page-form\""), "{search}");
    assert!(
        search.contains("data-root=\"../\""),
        "the results page knows its root"
    );
    assert!(!site.read("public/sitemap.xml").contains("/search/"));
    let page = site.read("public/rules/refund/index.html");
    assert!(page.contains(
        "<div id=\"search\" role=\"search\" aria-label=\"搜索手册\" data-root=\"../../\">"
    ));
    assert!(
        page.contains("action=\"../../search/\""),
        "a GET form to the results page"
    );
    assert!(page.contains("role=\"combobox\""));
    let home = site.read("public/index.html");
    assert!(
        home.contains("data-root=\"\""),
        "the home page's root is empty"
    );
}

#[test]
fn base_url_can_be_overridden() {
    let site = small_site();
    let options = BuildOptions {
        base_url: Some("https://other.example/kb".into()),
        ..site.options()
    };
    build::build(&options).unwrap();
    assert!(
        site.read("public/sitemap.xml")
            .contains("<loc>https://other.example/kb/rules/refund/</loc>")
    );
    assert!(
        site.read("public/rules/refund/index.html")
            .contains("https://other.example/kb/rules/refund/")
    );
}

#[test]
fn raw_html_is_sanitised_in_the_output() {
    let site = small_site();
    site.page(
        "rules/xss.md",
        "title = \"x\"",
        "<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n",
    );
    site.build().unwrap();
    let html = site.read("public/rules/xss/index.html");
    let article = &html[html.find("<article").unwrap()..html.find("</article>").unwrap()];
    assert!(
        !article.contains("<script") && !article.contains("onerror"),
        "{article}"
    );
}

#[test]
fn check_mode_writes_nothing() {
    let site = small_site();
    let options = BuildOptions {
        output: build::OutputMode::Discard,
        ..site.options()
    };
    let report = build::build(&options).unwrap();
    assert_eq!(report.pages, 3);
    assert!(!site.path("public").exists());
}

/// `dev` rebuilds in place from a cache; after every kind of edit the result must be
/// exactly what a full build produces.
#[test]
fn incremental_rebuilds_match_full_builds() {
    let site = small_site();
    let mut cache = build::Cache::default();
    let options = site.options();
    build::build_incremental(&options, &mut cache).unwrap();
    assert_eq!(site.tree("public"), site.full_build_tree());

    type Edit<'a> = (&'a str, &'a dyn Fn(&Site));
    let edits: [Edit; 7] = [
        ("a body", &|s| {
            s.page(
                "rules/shipping.md",
                "title = \"发货时限\"\nweight = 2",
                "改过的正文。见 [退款](refund.md)。\n",
            );
        }),
        ("a title", &|s| {
            s.page(
                "rules/shipping.md",
                "title = \"发货时限（新）\"\nweight = 2",
                "改过的正文。\n",
            );
        }),
        ("a new page", &|s| {
            s.page(
                "rules/new.md",
                "title = \"新页\"\nweight = 3",
                "## 新标题\n",
            );
        }),
        ("a removed page", &|s| {
            std::fs::remove_file(s.path("content/rules/new.md")).unwrap()
        }),
        ("a template", &|s| {
            let page = s.read("themes/default/templates/page.html");
            s.file(
                "themes/default/templates/page.html",
                &page.replace("<h1>", "<h1 class=\"changed\">"),
            );
        }),
        ("the sidebar template", &|s| {
            let nav = s.read("themes/default/templates/nav.html");
            s.file(
                "themes/default/templates/nav.html",
                &format!("<!-- sidebar v2 -->{nav}"),
            );
        }),
        ("a site's own template", &|s| {
            s.file(
                "templates/404.html",
                "{% extends \"base.html\" %}{% block content %}<p>自己的 404</p>{% endblock %}",
            );
        }),
    ];
    for (what, edit) in edits {
        edit(&site);
        build::build_incremental(&options, &mut cache).unwrap();
        assert!(
            site.tree("public") == site.full_build_tree(),
            "after editing {what}, the in-place rebuild differs from a full build"
        );
    }

    let before = site.tree("public");
    site.page(
        "rules/shipping.md",
        "title = \"发货时限\"\nweight = \"二\"",
        "x\n",
    );
    assert!(build::build_incremental(&options, &mut cache).is_err());
    assert_eq!(
        site.tree("public"),
        before,
        "a failed rebuild changes nothing"
    );
    site.page(
        "rules/shipping.md",
        "title = \"发货时限\"\nweight = 2",
        "修好了。\n",
    );
    build::build_incremental(&options, &mut cache).unwrap();
    assert_eq!(site.tree("public"), site.full_build_tree());
}
