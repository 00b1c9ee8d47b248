//! Full-text search for Chinese handbooks, offline: the index the build writes, and
//! the same search `search.js` runs in the browser (for `shouce search` and tests).
//!
//! ```text
//! pages ──index::build──▶ search/idx/{manifest, s/*, r/*, d/*}.js ──▶ search.js (browser)
//!                                                           └──────▶ engine (shouce search)
//! ```
//!
//! | part | does | chosen because |
//! | --- | --- | --- |
//! | [`normalize`] | full-width → half-width, lowercase | one char in, one char out: snippet positions stay valid |
//! | [`tokenize`] | CJK bigrams (+ unigrams of short fields), ASCII words, site terms, pinyin and initials bigrams; particles cut, question words dropped | no dictionary: finds any word, phrase or part of a word; ~40× cheaper to build than jieba segmentation, nothing to ship to the browser |
//! | [`pinyin`] | 20,924 characters, common readings only, every one indexed | polyphones (银行, 重新) never break; 77 KB instead of the `pinyin` crate's full table |
//! | [`query`] | query → groups of slots of alternatives (typed, homophone, pinyin, initials, synonym) | one scoring rule covers every kind of query |
//! | [`rank`] | layered field impacts, BM25 body term, idf, coverage | title matches first; integer inputs give identical doubles in Rust and JS |
//! | [`index`] | parallel tokenizing, partitioned aggregation, top-320 postings per token, shards by token hash | the first query on 10,000 pages loads tens of KB, not the whole index |
//! | [`snippet`] | the 80 characters showing most of the query, `<mark>`ed | same code point arithmetic in JS |
//! | [`engine`] | the search steps over index files | the CLI and the tests run exactly what the browser runs |
//!
//! **Why not jieba-rs or Pagefind.** Word segmentation (jieba-rs: ~3.2 MB of binary,
//! 40–50 MB/s) finds a query only when the query is segmented the way the page was,
//! and the browser would need the dictionary too; a match inside a longer word (无理由
//! in 七天无理由) is lost. Bigrams need neither, and a phrase still outranks its words
//! found apart because the bigram across the words matches only the phrase. Pagefind
//! needs a server (no `file://`) and has no pinyin or typo tolerance.
//!
//! **Typos.** A one-character typo in a query of three or more characters leaves most
//! bigrams intact, so the right page still matches most slots; an input-method typo
//! (只能指针 for 智能指针, 小二介如 for 小二介入) also meets the pinyin tokens of the
//! page's title, headings and terms through the homophone alternatives.
//!
//! Quiz and exam content never reaches the index: it is not part of a page's Markdown
//! text (practice quizzes are spliced into the HTML after rendering).

pub mod engine;
pub mod format;
pub mod index;
pub mod normalize;
pub mod pinyin;
pub mod query;
pub mod rank;
pub mod snippet;
pub mod tokenize;

pub use engine::{DirSource, Hit, MemorySource, SearchError, Searcher, Source};
pub use index::{Document, IndexFiles, Memo, SectionEntry, Vocabulary, build, build_with};
