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
//! | [`normalize`] | full-width → half-width, lowercase, traditional → simplified | one char in, one char out: snippet positions stay valid |
//! | [`tradition`] | OpenCC's TSCharacters (Apache-2.0), 3,222 characters | 評價 finds 评价; the browser gets a character's simplified form with its reading, only for characters the site does not use |
//! | [`tokenize`] | CJK bigrams (+ unigrams of short fields), ASCII words, site terms, a page's whole title; pinyin and initials bigrams only as a dictionary to the site's bigrams (surfaces); particles cut, question words dropped | no dictionary: finds any word, phrase or part of a word; ~185 MB/s on one core here, nothing to ship to the browser |
//! | [`pinyin`] | 20,924 characters, common readings only, every one indexed | polyphones (银行, 重新) never break; a 77 KB table instead of the `pinyin` crate's full one |
//! | [`query`] | query → groups of slots of alternatives (typed, homophone, pinyin, initials, synonym); pinyin read as the site's bigrams that sound so | one scoring rule covers every kind of query; pinyin finds what its characters find, body text included |
//! | [`rank`] | layered field impacts (title, heading, tag above any body frequency), BM25 body term, idf (synonyms capped at the typed word's), coverage, pages named for the query first | the page a reader looks up comes first; integer inputs give identical doubles in Rust and JS |
//! | [`index`] | parallel tokenizing, per-job token maps, top-320 postings per token, ~3 KB shards by token hash, documents in pairs | a query loads a few dozen KB, not the whole index; dev rebuilds reuse unchanged pages' tokens |
//! | [`snippet`] | the 80 characters showing most of the query, `<mark>`ed | same code point arithmetic in JS |
//! | [`suggest`] | for a query that finds nothing: the site's words read like it (fuzzy pinyin) or spelt like it (a letter dropped or swapped), with their pinyin | one more round of shards, only when nothing matched |
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
//! (只能指针 for 智能指针, 小二介如 for 小二介入) also meets the words it meant: a typed
//! bigram the site does not have gains the pinyin of its characters as an alternative,
//! read as the site's bigrams that sound so.
//!
//! **Measured** (2-core machine shared with other work; `bench/README.md` has the
//! details and how to rerun):
//!
//! * Quality, recall@5 / MRR: the shipped handbook's 143 judged queries 0.993 / 0.984
//!   (`tests/search_eval.rs`; word 41 queries 1.000 / 1.000, traditional 24 1.000 /
//!   1.000, typo 36 0.972 / 0.950 with a right page in the top 5 for 35, pinyin 1.000);
//!   a second book never tuned on (ES6 入门, 277 sections, 81 queries,
//!   `bench/search/es6-queries.toml`) 0.959 / 0.951 (word 0.963 / 0.963, traditional
//!   0.944, typo 0.948, pinyin 0.936).
//! * Pinyin over the handbook's vocabulary (the 4,334 bigrams and terms in two or more
//!   pages, `tests/search_pinyin.rs`): full pinyin, run on or spaced, finds 0.998 of
//!   the pages the characters find (0.975 of their top 10) and puts the same page first
//!   for 0.89; initials of two-character words find 0.955 (but order them alike only by
//!   chance: tk is a dozen words).
//! * 10,000-page reference corpus: 25,000 tokens, 1.14 M postings; the index is 6,281
//!   files, 3.3 KB a page on disk (1.4 KB gzipped). It adds ~25 % to the build's wall
//!   time (best of runs; ~33 % of its CPU, built while the print view renders). The
//!   first query downloads ~35 KB gzipped (search.js and the manifest included), later
//!   ones 11–35 KB; ranking and snippets take 1–4 ms in Chromium once the files are
//!   there. A cold query waits for its files: one `<script>` load costs ~3.5 ms from
//!   `file://` here, and a query loads one shard per token and one document file per
//!   result (~13 files: 35–160 ms). The manifest carries the readings of the site's own
//!   characters, so readings files load only for characters the site never uses, and
//!   homophones of a mistyped bigram cost a second round of shards only for typos.
//! * Session 4 (issue 15, `bench/README.md`): on the same corpus the first query still
//!   downloads ~39 KB and later ones 6–41 KB, ranking takes 1–4 ms; the index is 2 %
//!   smaller; pinyin and typo queries wait for one more round of shards (the bigrams
//!   their readings stand for). The build share could not be settled on a loaded
//!   machine (+29 % CPU before and after in one run, +29 % / +45 % in another).
//! * `shouce dev` on 1,000 pages: unchanged pages keep their tokens and document
//!   entries, and when the rounded average page length holds, only the edited pages'
//!   tokens get new entries (`index::Memo`); a body edit rebuilds in ~100 ms with the
//!   index (`bench/build_bench.py`).
//!
//! Quiz and exam content never reaches the index: it is not part of a page's Markdown
//! text (practice quizzes are spliced into the HTML after rendering; a test checks).

pub mod engine;
pub mod format;
pub mod index;
pub mod normalize;
pub mod pinyin;
pub mod query;
pub mod rank;
pub mod snippet;
pub mod suggest;
pub mod tokenize;
pub mod tradition;

pub use engine::{DirSource, Hit, MemorySource, SearchError, Searcher, Source};
pub use index::{Document, IndexFiles, Memo, SectionEntry, Vocabulary, build, build_with};
pub use suggest::Suggestion;
