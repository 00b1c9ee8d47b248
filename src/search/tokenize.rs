//! Tokens: what the index stores and a query looks up.
//!
//! Chinese is written without spaces, so instead of segmenting words with a dictionary
//! (jieba-rs: ~3.2 MB of binary, 40–50 MB/s, and a query has to be segmented the same
//! way in the browser) every run of CJK characters becomes its **bigrams** (退款原因 →
//! 退款 款原 原因). Any word or phrase of two or more characters, and any part of a
//! longer word, is then found by the bigrams it contains; the bigram that crosses two
//! words (款原) is what makes a phrase rank above its words found apart. Bigrams run at
//! ~130 MB/s and need no data at all. Single characters are tokens only where they are
//! short text (titles, headings, tags, descriptions) or stand alone.
//!
//! Other tokens:
//! * ASCII words and numbers (`dsr`, `72`), lowercased, cut to [`WORD_MAX`] letters.
//! * Site terms from `[search] terms` (七天无理由), whole, wherever they occur.
//! * Pinyin bigrams (`p:tui kuan`) and initials bigrams (`i:tk`) have no postings: the
//!   index keeps, for each, the site's commonest CJK bigrams read that way (its
//!   surfaces), and a query reads them as those bigrams. So a pinyin query finds what
//!   its characters find, in the body too, and a homophone typed by an input method
//!   (只能 for 智能) meets the word it meant wherever it occurs.
//!
//! **Particles** (的 了 吗 呢 …, [`STOP_CHARS`]) cut a run instead of joining bigrams,
//! so 退款的原因 and 退款原因 share 退款 and 原因, and no index space goes to 款的/的原.
//! A few words contain one (了解, 目的: [`PROTECTED`]) and are kept. Question words
//! (如何, 怎么, 什么, [`QUESTION_WORDS`]) are dropped from queries only.
//!
//! A token is a `u64` [`Key`] while the index is built (no string per occurrence);
//! its text form is what index files and `search.js` use.

use super::normalize::fold;
use super::pinyin::{self, Syllable};

/// Particles that cut a run of CJK characters (in pages and queries alike).
pub const STOP_CHARS: &str = "的了吗呢吧啊呀嘛哦啦哟呐";
/// Words containing a stop character that stay whole.
pub const PROTECTED: &[&str] = &[
    "目的", "的确", "了解", "为了", "除了", "了结", "吗啡", "呢子", "酒吧", "吧台",
];
/// Question words dropped from a query (unless nothing else is left).
pub const QUESTION_WORDS: &[&str] = &[
    "怎么办",
    "怎么样",
    "为什么",
    "可不可以",
    "能不能",
    "要不要",
    "有没有",
    "是不是",
    "如何",
    "怎么",
    "怎样",
    "什么",
    "为何",
    "哪些",
    "哪个",
    "哪里",
    "哪儿",
    "是否",
    "能否",
    "请问",
];
/// ASCII words longer than this are cut (the rest is ignored).
pub const WORD_MAX: usize = 11;

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// A character of an ASCII word or number (after folding).
pub fn is_word(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

pub fn is_stop(c: char) -> bool {
    // The same characters as STOP_CHARS (a test checks), as a match for speed.
    matches!(
        c,
        '的' | '了' | '吗' | '呢' | '吧' | '啊' | '呀' | '嘛' | '哦' | '啦' | '哟' | '呐'
    )
}

fn protected(a: char, b: char) -> bool {
    PROTECTED.iter().any(|w| {
        let mut cs = w.chars();
        cs.next() == Some(a) && cs.next() == Some(b)
    })
}

/// Splits a run of CJK characters at its stop characters; calls `f` with each part.
pub fn cut(run: &[char], mut f: impl FnMut(&[char])) {
    let mut start = 0;
    for i in 0..run.len() {
        if !is_stop(run[i]) {
            continue;
        }
        let keep = (i > 0 && protected(run[i - 1], run[i]))
            || (i + 1 < run.len() && protected(run[i], run[i + 1]));
        if !keep {
            if i > start {
                f(&run[start..i]);
            }
            start = i + 1;
        }
    }
    if run.len() > start {
        f(&run[start..]);
    }
}

/// A token while the index is built. The top four bits say what kind it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(pub u64);

const KIND_SHIFT: u32 = 60;
const BIGRAM: u64 = 1;
const UNIGRAM: u64 = 2;
const WORD: u64 = 3;
const TERM: u64 = 4;
const PINYIN: u64 = 5;
const INITIALS: u64 = 6;
const TITLE: u64 = 7;

impl Key {
    pub fn bigram(a: char, b: char) -> Key {
        Key(BIGRAM << KIND_SHIFT | (a as u64) << 21 | b as u64)
    }
    pub fn unigram(c: char) -> Key {
        Key(UNIGRAM << KIND_SHIFT | c as u64)
    }
    /// An ASCII word of at most [`WORD_MAX`] lowercase letters and digits.
    pub fn word(w: &[u8]) -> Key {
        let packed = w
            .iter()
            .take(WORD_MAX)
            .fold(0u64, |acc, b| acc * 37 + word_digit(*b));
        Key(WORD << KIND_SHIFT | packed)
    }
    pub fn term(i: usize) -> Key {
        Key(TERM << KIND_SHIFT | i as u64)
    }
    pub fn pinyin(a: Syllable, b: Syllable) -> Key {
        Key(PINYIN << KIND_SHIFT | (a as u64) << 16 | b as u64)
    }
    /// Initials bigram: two letters 0..26.
    pub fn initials(a: u8, b: u8) -> Key {
        Key(INITIALS << KIND_SHIFT | (a as u64) << 8 | b as u64)
    }

    /// A page's whole title (see [`title_text`]), by the hash of its name.
    pub fn title(name: &str) -> Key {
        Key(TITLE << KIND_SHIFT | u64::from(crate::search::format::hash(name)))
    }

    pub fn is_bigram(self) -> bool {
        self.0 >> KIND_SHIFT == BIGRAM
    }

    /// The two characters of a bigram key.
    pub fn chars(self) -> Option<(char, char)> {
        self.is_bigram().then(|| {
            let a = char::from_u32((self.0 >> 21 & 0x1F_FFFF) as u32).unwrap_or(' ');
            let b = char::from_u32((self.0 & 0x1F_FFFF) as u32).unwrap_or(' ');
            (a, b)
        })
    }

    /// Whether the token's postings carry the surfaces (CJK bigrams) it stands for.
    pub fn is_phonetic(self) -> bool {
        matches!(self.0 >> KIND_SHIFT, PINYIN | INITIALS)
    }

    /// Whether this is an initials bigram (`i:tk`).
    pub fn is_initials(self) -> bool {
        self.0 >> KIND_SHIFT == INITIALS
    }

    /// The token as index files and `search.js` spell it; `terms` are the site's terms.
    pub fn text(self, terms: &[String]) -> String {
        let low = self.0 & ((1 << KIND_SHIFT) - 1);
        match self.0 >> KIND_SHIFT {
            BIGRAM => {
                let (a, b) = self.chars().unwrap_or((' ', ' '));
                format!("{a}{b}")
            }
            UNIGRAM => char::from_u32(low as u32)
                .map(String::from)
                .unwrap_or_default(),
            WORD => {
                let mut digits = Vec::new();
                let mut v = low;
                while v > 0 {
                    digits.push(word_char(v % 37));
                    v /= 37;
                }
                digits.iter().rev().collect()
            }
            TERM => format!("={}", terms.get(low as usize).map_or("", |t| t.as_str())),
            PINYIN => pinyin_text(
                pinyin::syllable((low >> 16) as u16),
                pinyin::syllable(low as u16),
            ),
            INITIALS => initials_text((low >> 8) as u8, low as u8),
            TITLE => format!("t:{low:x}"),
            _ => String::new(),
        }
    }
}

pub fn pinyin_text(a: &str, b: &str) -> String {
    format!("p:{a} {b}")
}

/// The token of pages whose title has this name ([`super::normalize::name`]): the
/// FNV hash of the name in hex (a collision only promotes a page that matched anyway).
pub fn title_text(name: &str) -> String {
    format!("t:{:x}", crate::search::format::hash(name))
}

pub fn initials_text(a: u8, b: u8) -> String {
    format!("i:{}{}", (b'a' + a) as char, (b'a' + b) as char)
}

fn word_digit(b: u8) -> u64 {
    match b {
        b'0'..=b'9' => u64::from(b - b'0') + 1,
        _ => u64::from(b - b'a') + 11,
    }
}

fn word_char(d: u64) -> char {
    match d {
        1..=10 => (b'0' + (d - 1) as u8) as char,
        _ => (b'a' + (d - 11) as u8) as char,
    }
}

/// Every pinyin and initials token of the bigram `a b`, deduplicated, in a fixed order.
pub fn phonetic(a: char, b: char, out: &mut Vec<Key>) {
    let start = out.len();
    for ra in pinyin::readings(a) {
        for rb in pinyin::readings(b) {
            out.push(Key::pinyin(ra, rb));
            let i = Key::initials(pinyin::initial(ra), pinyin::initial(rb));
            if !out[start..].contains(&i) {
                out.push(i);
            }
        }
    }
}

/// What to emit for one field of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Titles, headings, tags, descriptions: unigrams too.
    Short,
    /// The body: bigrams, words, lone characters.
    Body,
}

/// Tokenizes text (folding it on the way), calling `emit` for every token occurrence.
/// Reuses `run`.
pub fn tokens(text: &str, depth: Depth, run: &mut Vec<char>, emit: &mut impl FnMut(Key)) {
    let mut word: Vec<u8> = Vec::new();
    run.clear();
    for c in text.chars().map(fold).chain(std::iter::once(' ')) {
        if is_cjk(c) {
            if !word.is_empty() {
                emit(Key::word(&word));
                word.clear();
            }
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            cjk_run(run, depth, emit);
            run.clear();
        }
        if is_word(c) {
            word.push(c as u8);
        } else if !word.is_empty() {
            emit(Key::word(&word));
            word.clear();
        }
    }
}

fn cjk_run(run: &[char], depth: Depth, emit: &mut impl FnMut(Key)) {
    cut(run, |part| {
        if depth == Depth::Short || part.len() == 1 {
            for c in part {
                emit(Key::unigram(*c));
            }
        }
        for pair in part.windows(2) {
            emit(Key::bigram(pair[0], pair[1]));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, depth: Depth) -> Vec<String> {
        let mut out = Vec::new();
        let mut run = Vec::new();
        tokens(text, depth, &mut run, &mut |k| out.push(k.text(&[])));
        out
    }

    #[test]
    fn cjk_runs_become_bigrams_and_words_stay_whole() {
        assert_eq!(texts("退款原因", Depth::Body), ["退款", "款原", "原因"]);
        assert_eq!(
            texts("dsr评分 72小时", Depth::Body),
            ["dsr", "评分", "72", "小时"]
        );
        assert_eq!(
            texts("7天无理由", Depth::Body),
            ["7", "天无", "无理", "理由"]
        );
        assert_eq!(texts("税", Depth::Body), ["税"]);
        assert_eq!(texts("supercalifragilistic", Depth::Body), ["supercalifr"]);
    }

    #[test]
    fn particles_cut_runs_but_protected_words_stay() {
        assert_eq!(texts("退款的原因", Depth::Body), ["退款", "原因"]);
        assert_eq!(texts("了解规则", Depth::Body), ["了解", "解规", "规则"]);
        assert_eq!(texts("好了吗", Depth::Body), ["好"]);
    }

    #[test]
    fn short_fields_add_unigrams_and_bigrams_read_every_way() {
        assert_eq!(texts("退款", Depth::Short), ["退", "款", "退款"]);
        let mut phon = Vec::new();
        phonetic('银', '行', &mut phon);
        let t: Vec<String> = phon.iter().map(|k| k.text(&[])).collect();
        assert!(t.contains(&"p:yin hang".to_string()) && t.contains(&"p:yin xing".to_string()));
        assert!(t.contains(&"i:yh".to_string()) && t.contains(&"i:yx".to_string()));
    }

    #[test]
    fn the_stop_test_matches_the_list() {
        for c in STOP_CHARS.chars() {
            assert!(is_stop(c));
        }
        assert!(!is_stop('退') && !is_stop('么'));
        assert_eq!(texts("ＤＳＲ评分", Depth::Body), ["dsr", "评分"]);
    }

    #[test]
    fn keys_round_trip_through_text() {
        let terms = vec!["七天无理由".to_string()];
        assert_eq!(Key::term(0).text(&terms), "=七天无理由");
        assert_eq!(Key::word(b"a1z").text(&terms), "a1z");
        assert_eq!(Key::word(b"0").text(&terms), "0");
        assert_eq!(Key::bigram('退', '款').chars(), Some(('退', '款')));
        assert_eq!(Key::initials(19, 10).text(&terms), "i:tk");
        assert_eq!(Key::title("退款率").text(&terms), title_text("退款率"));
    }
}
