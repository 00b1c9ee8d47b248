//! The browser runtime and the CLI rank alike: `themes/default/static/search.js`, run
//! in Node (no browser: `tests/search/node_search.mjs` loads the index files into a VM
//! context as `<script>` tags would), and the Rust engine behind `shouce search` return
//! identical results — paths, order, scores, titles, section paths and snippets — for
//! every judged query and a set of awkward ones. Needs `node` on PATH.

mod common;
#[path = "search/queries.rs"]
mod queries;

use std::path::Path;
use std::process::Command;

use shouce::search::{DirSource, Searcher};

/// Queries that exercise the edges of query planning.
const AWKWARD: &[&str] = &[
    "",
    "   ",
    "的",
    "如何",
    "？！",
    "a",
    "x",
    "tui",
    "tui kuan",
    "TuiKuan",
    "fangan",
    "xian",
    "qitian wuliyou",
    "ＴＵＩＫＵＡＮ",
    "退款的原因是什么呢",
    "了解退款规则",
    "<script>alert(1)</script>",
    "退款\"原因'",
    "七天无理由退钱",
    "7天无理由退货",
    "差评 退钱 罚分 邮费",
    "supercalifragilisticexpialidocious",
    "2016",
    "12",
    "𠀀退款",
    "dsr180",
    "退款 tk qtwly",
    "蜕款原因",
    "兔款",
    "饕餮退款",
    // No hits: suggestions (fuzzy pinyin, swapped and dropped letters, long words).
    "tuikaun",
    "xiaoerjeiru",
    "qitainwuliyou",
    "zhinegn",
    "dsrr",
    "兔欵",
    "饕餮",
    "qi tain wu li you",
];

#[test]
fn search_js_in_node_ranks_exactly_as_the_cli() {
    let (_dir, out) = queries::build_handbook();
    let mut queries: Vec<String> = queries::judged().into_iter().map(|j| j.q).collect();
    queries.extend(AWKWARD.iter().map(|s| s.to_string()));
    let (nonempty, suggested) = compare(&out, &queries);
    assert!(nonempty > 50, "most queries find something ({nonempty})");
    assert!(
        suggested >= 4,
        "queries without hits get suggestions ({suggested})"
    );
}

/// Pages written in traditional characters, and traditional queries: both fold to
/// simplified, and the snippets mark the traditional text in Node as in Rust.
#[test]
fn traditional_characters_fold_alike_in_node_and_the_cli() {
    let site = common::Site::new();
    site.page("_index.md", "title = \"首页\"", "欢迎。\n");
    site.page(
        "hk/returns.md",
        "title = \"退貨運費\"",
        "買家申請退貨時，運費由誰承擔？七天無理由退貨的運費由買家承擔。\n",
    );
    site.page(
        "cn/reviews.md",
        "title = \"评价管理\"",
        "买家的评价会影响店铺评分，差评要及时处理。\n",
    );
    site.build().unwrap();
    let queries: Vec<String> = [
        "退货运费",
        "退貨運費",
        "評價",
        "评价",
        "無理由",
        "買家",
        "鑀",
        "䥑鿏",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (nonempty, _) = compare(&site.path("public"), &queries);
    assert!(
        nonempty >= 6,
        "traditional and simplified queries find pages ({nonempty})"
    );
}

/// Runs `queries` through the Rust engine and through search.js in Node over the site
/// built into `out`; fails on any difference in results or suggestions. Returns how
/// many queries found pages, and how many without any got suggestions.
fn compare(out: &Path, queries: &[String]) -> (usize, usize) {
    let mut searcher = Searcher::open(DirSource(out.to_path_buf()), out).unwrap();
    let rust: Vec<serde_json::Value> = queries
        .iter()
        .map(|q| serde_json::to_value(searcher.search(q, 10).unwrap()).unwrap())
        .collect();
    let rust_suggestions: Vec<serde_json::Value> = queries
        .iter()
        .zip(&rust)
        .map(|(q, r)| {
            let none = r.as_array().is_some_and(Vec::is_empty);
            let s = if none {
                searcher.suggest(q).unwrap()
            } else {
                Vec::new()
            };
            serde_json::to_value(s).unwrap()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("queries.json");
    std::fs::write(&list, serde_json::to_string(&queries).unwrap()).unwrap();
    let output = node(out, &list);
    assert!(
        output.status.success(),
        "node failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let js: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(js.len(), queries.len());
    let mut differ = Vec::new();
    for (((q, r), s), j) in queries.iter().zip(&rust).zip(&rust_suggestions).zip(&js) {
        if !same(r, &j["results"]) || !same(s, &j["suggestions"]) {
            differ.push(format!(
                "query {q:?}\n  rust: {r} {s}\n  js:   {} {}",
                j["results"], j["suggestions"]
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} queries differ:\n{}",
        differ.len(),
        queries.len(),
        differ.join("\n")
    );
    let count = |v: &[serde_json::Value]| {
        v.iter()
            .filter(|r| r.as_array().is_some_and(|a| !a.is_empty()))
            .count()
    };
    (count(&rust), count(&rust_suggestions))
}

/// Runs search.js in Node over the site built into `out` for the queries in `list`.
fn node(out: &Path, list: &Path) -> std::process::Output {
    let repo = queries::repo();
    Command::new("node")
        .arg(repo.join("tests/search/node_search.mjs"))
        .arg(out)
        .arg(repo.join("themes/default/static/search.js"))
        .arg(list)
        .arg("10")
        .output()
        .expect("node must be installed (apt-get install nodejs)")
}

/// JSON equality with numbers compared as f64 (`28` from JavaScript is `28.0` in Rust).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A damaged manifest (a zero count the engine would divide by) is an error that says
/// so in Node as in the CLI, never a hang or a quiet empty answer.
#[test]
fn a_damaged_index_is_an_error_in_node_too() {
    let site = common::Site::new();
    site.page("_index.md", "title = \"首页\"", "欢迎。\n");
    site.build().unwrap();
    let out = site.path("public");
    let manifest = out.join("search/idx/manifest.js");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replacen("\"s\":", "\"s\":0,\"_s\":", 1)).unwrap();
    assert!(matches!(
        Searcher::open(DirSource(out.clone()), &out),
        Err(shouce::search::SearchError::Damaged(_))
    ));
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("queries.json");
    std::fs::write(&list, "[\"欢迎\"]").unwrap();
    let output = node(&out, &list);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "node answered: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(err.contains("manifest.js is damaged"), "{err}");
}
