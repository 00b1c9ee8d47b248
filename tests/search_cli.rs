//! `shouce search`: ranked source paths, `--json` with the contract's fields, and a
//! clear environment error (exit 2) before the site has been built.

mod common;

use std::process::Command;

use common::Site;

const SHOUCE: &str = env!("CARGO_BIN_EXE_shouce");

fn site() -> Site {
    let site = Site::new();
    site.file(
        "shouce.toml",
        "title = \"测试手册\"\n[search]\nterms = [\"小二介入\"]\nsynonyms = [[\"退款\", \"退钱\"]]\n",
    );
    site.page("_index.md", "title = \"首页\"", "欢迎。\n");
    site.page("rules/_index.md", "title = \"平台规则\"", "规则入门。\n");
    site.page(
        "rules/intervention.md",
        "title = \"72 小时与小二介入\"\ntags = [\"退款\"]",
        "买家申请退款 72 小时后可以申请小二介入。\n",
    );
    site.page(
        "rules/refund.md",
        "title = \"退款原因\"",
        "买家选错退款原因时，先联系买家修改。\n",
    );
    site.page(
        "scripts/greeting.md",
        "title = \"打招呼\"",
        "先看买家在看哪件商品。\n",
    );
    site
}

fn search(site: &Site, args: &[&str]) -> std::process::Output {
    Command::new(SHOUCE)
        .arg("search")
        .arg("--site")
        .arg(site.root())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn before_a_build_it_says_to_build_and_exits_2() {
    let site = site();
    let out = search(&site, &["退款"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("shouce build"), "{err}");
}

#[test]
fn it_prints_ranked_source_paths_or_json() {
    let site = site();
    site.build().unwrap();
    let out = search(&site, &["小二介如"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().next(), Some("rules/intervention.md"), "{text}");
    let out = search(&site, &["--json", "-n", "2", "退钱"]);
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 2);
    for field in ["path", "url", "title", "section", "snippet", "score"] {
        assert!(hits[0].get(field).is_some(), "{field} in {}", hits[0]);
    }
    assert_eq!(hits[0]["section"][0], "平台规则");
    assert!(
        hits[0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>退款</mark>")
    );
    let out = search(&site, &["tuikuan"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("rules/"));
}

#[test]
fn no_hits_say_so_with_the_nearest_words() {
    let site = site();
    site.build().unwrap();
    let out = search(&site, &["xiaoerjeiru"]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "no paths on stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no pages match “xiaoerjeiru”"), "{err}");
    assert!(err.contains("小二介入 (xiaoerjieru)"), "{err}");
    let out = search(&site, &["饕餮"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no pages match") && err.contains("pinyin"),
        "{err}"
    );
    let out = search(&site, &["--json", "饕餮"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
}

/// A damaged index is an environment error that names the file (exit 2), never a panic.
#[test]
fn a_damaged_index_is_reported_not_a_panic() {
    let site = site();
    site.build().unwrap();
    let idx = site.root().join("public/search/idx");
    let manifest = std::fs::read_to_string(idx.join("manifest.js")).unwrap();
    let shard = |text: &str| {
        let v = shouce::search::format::parse_script(text).unwrap();
        v["s"].as_u64().unwrap()
    };
    let shards = shard(&manifest);
    let zero = |key: &str| {
        manifest.replacen(
            &format!("\"{key}\":"),
            &format!("\"{key}\":0,\"_{key}\":"),
            1,
        )
    };
    let cases: Vec<(&str, String, Option<&str>)> = vec![
        ("shard count 0", zero("s"), None),
        ("readings count 0", zero("r"), None),
        ("document chunk 0", zero("dc"), None),
        ("not a script", "garbage".into(), None),
        ("truncated", manifest[..manifest.len() / 2].into(), None),
        (
            "a shard cut short",
            manifest.clone(),
            Some("ShouceSearch._s(0,{\"x"),
        ),
    ];
    for (what, text, shard_text) in cases {
        std::fs::write(idx.join("manifest.js"), &text).unwrap();
        if let Some(s) = shard_text {
            for i in 0..shards {
                std::fs::write(idx.join(format!("s/{i}.js")), s).unwrap();
            }
        }
        let out = search(&site, &["退款"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("damaged") && !err.contains("panicked"),
            "{what}: {err}"
        );
    }
}
