//! Pinyin: which syllables a character is read as, and how a string of Latin letters
//! splits into syllables.
//!
//! The table (`pinyin_table.txt`, made by `pinyin_table.py` from mozillazg/pinyin-data,
//! MIT, itself from Unicode's Unihan) covers the 20,924 characters of the CJK Unified
//! Ideographs block with toneless readings (ü written `v`), 410 syllables in all: 77 KB
//! in the binary. Common characters keep the readings attested in a frequency
//! dictionary (kHanyuPinlu: 行 xing hang, 和 he huo), others their usual reading and
//! one more; the full lists also hold archaic readings (服 bo, 款 xin) that would only
//! add noise. The `pinyin` crate ships the unfiltered data for 41,925 characters with
//! tones in several spellings and converts per character only; we need neither tones
//! nor the rare blocks, and we need the reverse direction (letters → syllables) too.
//!
//! **Polyphonic characters** (行 xing/hang, 重 zhong/chong, 了 le/liao) are indexed
//! under every reading they have, so 银行 is found by `yinhang` as well as the wrong
//! `yinxing`: a wrong reading only adds a token nobody types, while picking one reading
//! per character (what per-character converters do) breaks common words. A query's
//! characters, on the other hand, count only with their commonest reading when
//! homophones are sought: an input method offers a character for the syllable typed,
//! and that is nearly always the character's usual reading. The table keeps which
//! reading is the commonest (the data lists it first).

use std::sync::LazyLock;

const TABLE: &str = include_str!("pinyin_table.txt");
const FIRST: u32 = 0x4E00;
const LAST: u32 = 0x9FFF;
/// At most this many readings per character (the table is made with the same cap).
pub const MAX_READINGS: usize = 3;

/// A syllable's number in [`syllables`] (alphabetical order).
pub type Syllable = u16;

struct Table {
    syllables: Vec<&'static str>,
    /// Readings of `FIRST + i`, as syllable number + 1 (0 = no reading).
    readings: Vec<[u16; MAX_READINGS]>,
}

static PINYIN: LazyLock<Table> = LazyLock::new(|| {
    let mut syllables = Vec::new();
    let mut readings = vec![[0u16; MAX_READINGS]; (LAST - FIRST + 1) as usize];
    let lines: Vec<Vec<&str>> = TABLE.lines().map(|l| l.split('\t').collect()).collect();
    for line in &lines {
        syllables.push(line[0]);
    }
    // First readings first, then the others (the table is sorted by syllable).
    for column in 1..=2 {
        for (id, line) in lines.iter().enumerate() {
            for c in line.get(column).unwrap_or(&"").chars() {
                let Some(slot) = (c as u32).checked_sub(FIRST) else {
                    continue;
                };
                if let Some(r) = readings.get_mut(slot as usize)
                    && let Some(free) = r.iter_mut().find(|x| **x == 0)
                {
                    *free = id as u16 + 1;
                }
            }
        }
    }
    Table {
        syllables,
        readings,
    }
});

/// Every syllable, in alphabetical order (a syllable's number is its index here).
pub fn syllables() -> &'static [&'static str] {
    &PINYIN.syllables
}

pub fn syllable(id: Syllable) -> &'static str {
    PINYIN.syllables[id as usize]
}

/// The readings of `c` (none for characters outside the table): the commonest first,
/// then the others by number.
pub fn readings(c: char) -> impl Iterator<Item = Syllable> {
    let slot = (c as u32).wrapping_sub(FIRST) as usize;
    let r = PINYIN.readings.get(slot).copied().unwrap_or_default();
    r.into_iter().filter(|x| *x != 0).map(|x| x - 1)
}

/// The commonest reading of `c`.
pub fn first_reading(c: char) -> Option<Syllable> {
    readings(c).next()
}

/// The number of a syllable spelled `s`, if it is one.
pub fn syllable_id(s: &str) -> Option<Syllable> {
    PINYIN
        .syllables
        .binary_search(&s)
        .ok()
        .map(|i| i as Syllable)
}

/// The first letter of a syllable, 0 for `a` … 25 for `z`.
pub fn initial(id: Syllable) -> u8 {
    syllable(id).as_bytes()[0] - b'a'
}

/// Splits lowercase letters into syllables, every way that uses the fewest syllables
/// (`fangan` → `fang an` and `fan gan`), at most `MAX_SPLITS` ways, in a fixed order
/// (longer first syllable first). `None` when the letters are not pinyin.
pub fn split(letters: &str) -> Option<Vec<Vec<Syllable>>> {
    const MAX_SPLITS: usize = 4;
    const LONGEST: usize = 6; // zhuang
    let bytes = letters.as_bytes();
    let n = bytes.len();
    if n == 0 || !bytes.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    // fewest[i]: the fewest syllables that spell letters[i..], if any.
    let mut fewest = vec![None; n + 1];
    fewest[n] = Some(0usize);
    for i in (0..n).rev() {
        fewest[i] = (1..=LONGEST.min(n - i))
            .filter(|len| syllable_id(&letters[i..i + len]).is_some())
            .filter_map(|len| fewest[i + len].map(|f| f + 1))
            .min();
    }
    fewest[0]?;
    let mut out = Vec::new();
    let mut path = Vec::new();
    collect(letters, 0, &fewest, &mut path, &mut out, MAX_SPLITS);
    Some(out)
}

fn collect(
    letters: &str,
    at: usize,
    fewest: &[Option<usize>],
    path: &mut Vec<Syllable>,
    out: &mut Vec<Vec<Syllable>>,
    max: usize,
) {
    if out.len() >= max {
        return;
    }
    if at == letters.len() {
        out.push(path.clone());
        return;
    }
    let need = fewest[at].unwrap_or(usize::MAX);
    for len in (1..=6.min(letters.len() - at)).rev() {
        let Some(id) = syllable_id(&letters[at..at + len]) else {
            continue;
        };
        if fewest[at + len].map(|f| f + 1) == Some(need) {
            path.push(id);
            collect(letters, at + len, fewest, path, out, max);
            path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(c: char) -> Vec<&'static str> {
        readings(c).map(syllable).collect()
    }

    fn spelled(letters: &str) -> Vec<String> {
        split(letters)
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.into_iter().map(syllable).collect::<Vec<_>>().join(" "))
            .collect()
    }

    #[test]
    fn characters_have_all_their_common_readings() {
        assert_eq!(read('退'), ["tui"]);
        assert_eq!(read('款'), ["kuan"]);
        assert_eq!(read('服'), ["fu"]);
        assert!(read('行').contains(&"hang") && read('行').contains(&"xing"));
        assert!(read('重').contains(&"chong") && read('重').contains(&"zhong"));
        assert_eq!(read('绿'), ["lv"]);
        assert_eq!(read('款')[0], "kuan");
        assert_eq!(first_reading('行').map(syllable), Some("xing"));
        assert!(read('a').is_empty() && read('〇').is_empty());
        assert_eq!(syllables().len(), 410);
    }

    #[test]
    fn letters_split_into_the_fewest_syllables() {
        assert_eq!(spelled("tuikuan"), ["tui kuan"]);
        assert_eq!(spelled("xian"), ["xian"]);
        assert_eq!(spelled("fangan"), ["fang an", "fan gan"]);
        assert_eq!(spelled("qitianwuliyou"), ["qi tian wu li you"]);
        assert!(split("dsr").is_none());
        assert!(split("tk").is_none());
        assert!(split("").is_none());
        assert_eq!(initial(syllable_id("zhi").unwrap()), b'z' - b'a');
    }
}
