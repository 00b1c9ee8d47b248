//! Bad input: every problem reported with path:line:col and a hint, all in one run,
//! the previous site untouched. The printed diagnostics are snapshot-tested.

mod common;

use common::Site;

// Unix only: one of the mistakes is a dangling symbolic link.
#[cfg(unix)]
#[test]
fn every_content_mistake_is_reported_at_once() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "ok\n")
        .file("content/no-front-matter.md", "# 标题\n正文\n")
        .file("content/unclosed.md", "+++\ntitle = \"没关上\"\n\n正文\n")
        .page("unknown-key.md", "title = \"a\"\ntitel = \"b\"", "x\n")
        .page("wrong-type.md", "title = \"a\"\nweight = \"十\"", "x\n")
        .page(
            "bad-date.md",
            "title = \"a\"\nreview_by = 2027-02-30",
            "x\n",
        )
        .page("malformed.md", "title = \"a\nweight = 1", "x\n")
        .page("no-title.md", "weight = 1", "x\n")
        .page("dup-a.md", "title = \"a\"\nslug = \"dup-b\"", "x\n")
        .page("dup-b.md", "title = \"b\"", "x\n")
        .bytes(
            "content/gbk.md",
            b"+++\ntitle = \"gbk\"\n+++\n\xc4\xe3\xba\xc3\n",
        );
    std::os::unix::fs::symlink("/nonexistent/page.md", site.path("content/dangling.md")).unwrap();
    insta::assert_snapshot!(site.build_errors());
}

#[test]
fn link_template_and_dialogue_mistakes_are_reported_at_once() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "见 [规则](rules/a.md#不存在的标题) 和 [缺页](rules/missing.md)。\n")
        .page("rules/a.md", "title = \"A\"", "## 小二介入\n\n[本页](#小二介入) [坏锚点](#小二接入)\n\n```dialogue\n客户: 在吗\n经理: 在\n```\n")
        .page("rules/b.md", "title = \"B\"\ntemplate = \"nope.html\"", "x\n");
    insta::assert_snapshot!(site.build_errors());
}

#[test]
fn broken_links_can_be_lowered_to_warnings() {
    let site = Site::new();
    site.file(
        "shouce.toml",
        "title = \"t\"\n[markdown]\nbroken_links = \"warn\"\n",
    );
    site.page("_index.md", "title = \"首页\"", "[缺页](missing.md)\n");
    let report = site.build().unwrap();
    assert_eq!(report.warnings.len(), 1);
    assert!(site.path("public/index.html").exists());
}

#[test]
fn a_broken_template_is_reported_with_its_own_line() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "x\n");
    let page = site.read("themes/default/templates/page.html");
    site.file(
        "themes/default/templates/page.html",
        &page.replacen("{{ page.title }}", "{{ page.title }", 1),
    );
    let errors = site.build_errors();
    assert!(
        errors.contains("--> themes/default/templates/page.html:"),
        "{errors}"
    );
    insta::assert_snapshot!(errors);
}

#[test]
fn a_template_render_error_names_the_template_line() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "x\n")
        .page("a.md", "title = \"a\"", "x\n");
    site.file("templates/page.html", "{% extends \"base.html\" %}\n{% block main %}\n{{ page.no_such_field }}\n{% endblock main %}\n");
    insta::assert_snapshot!(site.build_errors());
}

#[test]
fn an_empty_handbook_and_a_bad_config_are_explained() {
    let site = Site::new();
    std::fs::create_dir_all(site.path("content")).unwrap();
    insta::assert_snapshot!("empty_content", site.build_errors());
    site.file("shouce.toml", "title = \"t\"\nthem = \"dark\"\n");
    insta::assert_snapshot!("bad_config", site.build_errors());
}

#[test]
fn pages_cannot_take_the_handbooks_own_urls() {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "x\n")
        .page("print.md", "title = \"打印\"", "x\n")
        .page("search/a.md", "title = \"搜索技巧\"", "x\n");
    let errors = site.build_errors();
    assert!(errors.contains("content/print.md"), "{errors}");
    assert!(
        errors.contains("the URL /print/ is the handbook's own page"),
        "{errors}"
    );
    assert!(errors.contains("content/search"), "{errors}");
    assert!(
        errors.contains("the URL /search/ is the handbook's own page"),
        "{errors}"
    );
}

#[test]
fn hostile_source_lines_cannot_drive_the_terminal_or_flood_it() {
    // (file under content/, its bytes, what the printed diagnostics must contain)
    let binary: Vec<u8> = [b"\x00\x1b[2J\x07\x7f".as_slice(), b"garbage "]
        .concat()
        .repeat(10_000);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "escape.md",
            b"+++\ntitle = \"a\"\nweight = \"\x1b]0;pwned\x07\x1b[2J\"\n+++\nx\n".to_vec(),
            "weight = \"\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\"",
        ),
        ("binary.md", binary, "…"),
        (
            "long.md",
            format!(
                "+++\ntitle = \"a\"\nweight = 1 {}\n+++\n",
                "长".repeat(50_000)
            )
            .into_bytes(),
            "weight = 1 长",
        ),
    ];
    for (name, bytes, shows) in cases {
        let site = Site::new();
        site.page("_index.md", "title = \"首页\"", "ok\n")
            .bytes(&format!("content/{name}"), &bytes);
        let printed = site.build_errors();
        assert!(printed.contains(shows), "{name}: {printed}");
        assert!(
            !printed.chars().any(|c| c.is_control() && c != '\n'),
            "{name}: control characters printed: {printed:?}"
        );
        assert!(
            printed.len() < 2_000,
            "{name}: {} bytes printed",
            printed.len()
        );
    }
}
