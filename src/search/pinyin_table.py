#!/usr/bin/env python3
"""Generates `pinyin_table.txt` (beside this script) from mozillazg/pinyin-data
(MIT License, https://github.com/mozillazg/pinyin-data; the data the `pinyin` crate
ships, itself drawn from the Unicode Unihan database):

    python3 src/search/pinyin_table.py DIR     # DIR holds pinyin.txt, kHanyuPinlu.txt,
                                               # kMandarin.txt, kMandarin_overwrite.txt

Per character of the CJK Unified Ideographs block (U+4E00..U+9FFF), readings without
tones (ü written v):
  * the ~3,800 common characters with a kHanyuPinlu entry (readings attested in the
    Modern Chinese Frequency Dictionary, commonest first) keep those, at most
    MAX_READINGS;
  * the others keep their kMandarin reading (the usual one) and the next reading of
    pinyin.txt, at most two: pinyin.txt lists rare and archaic readings too (服 bo,
    款 xin), which would only add noise.
Vowel-less interjection syllables (m, n, ng, hm, hng) are dropped. One line per
syllable, sorted, so the file reads well in a diff (~80 KB in the binary):
`syllable<TAB>characters whose usual reading it is<TAB>characters that also read so`.
Standard library only.
"""

import os
import re
import sys
import unicodedata

MAX_READINGS = 3
LINE = re.compile(r"^U\+([0-9A-F]+): ([^#]+)#")


def toneless(reading):
    decomposed = unicodedata.normalize("NFD", reading.strip()).replace("u\u0308", "v")
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def load(path):
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            cp = int(m.group(1), 16)
            if not 0x4E00 <= cp <= 0x9FFF:
                continue
            readings = []
            for r in m.group(2).split(","):
                r = toneless(r)
                if re.fullmatch(r"[a-z]+", r) and re.search(r"[aeiouv]", r) and r not in readings:
                    readings.append(r)
            if readings:
                table[cp] = readings
    return table


def main():
    src = sys.argv[1]
    everything = load(os.path.join(src, "pinyin.txt"))
    frequent = load(os.path.join(src, "kHanyuPinlu.txt"))
    usual = load(os.path.join(src, "kMandarin.txt"))
    usual.update(load(os.path.join(src, "kMandarin_overwrite.txt")))
    by_syllable = {}
    for cp, readings in everything.items():
        if cp in frequent:
            chosen = frequent[cp][:MAX_READINGS]
        else:
            chosen = usual.get(cp, [])[:1]
            chosen += [r for r in readings if r not in chosen][: 2 - len(chosen)]
        for n, r in enumerate(chosen):
            by_syllable.setdefault(r, ([], []))[min(n, 1)].append(chr(cp))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pinyin_table.txt")
    with open(out, "w", encoding="utf-8") as f:
        for syllable in sorted(by_syllable):
            first, other = by_syllable[syllable]
            f.write(syllable + "\t" + "".join(sorted(first)) + "\t" + "".join(sorted(other)) + "\n")


if __name__ == "__main__":
    main()
