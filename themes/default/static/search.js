/* Shouce search runtime: window.ShouceSearch = { configure({ root }), search(query, { limit }) }.
 * search() resolves to the best `limit` hits, an array whose `total` is the number of
 * pages that matched; when none did, its `suggestions` are the site's words that read
 * or are spelt nearly like the query ([{ text, reading }], maybe empty).
 *
 * Loads only the parts of the index a query needs, as <script> files under
 * search/idx/ (so it works from file://), and ranks exactly as `shouce search` does:
 * this file is a line-by-line port of src/search/{query,rank,snippet,engine,format}.rs
 * (tests/search_parity.rs runs both over a query set). Plain ES5 + Promise; nothing
 * runs at load time except defining the global.
 *
 * Index files call back into the global: _m(manifest), _s(i, shard), _r(i, readings),
 * _d(i, documents i·dc …). configure() may also take `load(url) -> Promise` to replace the
 * <script> loader (Node tests use it). */
(function () {
  "use strict";

  var DIR = "search/idx/";
  var EXACT = 100, HOMOPHONE = 55, SWAPPED = 50, PINYIN = 90, INITIALS = 70, SYNONYM = 90, COVERAGE = 3;
  var WORD_MAX = 11, WIDTH = 80, LEAD = 16, MAX_MATCHES = 400;
  var ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  var SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;

  var root = "";
  var loader = null;
  var M = null;            // the manifest
  var syllableIds = null;  // syllable -> number
  var siteReadings = null; // the site's characters -> their commonest reading
  var data = { m: {}, s: {}, r: {}, d: {} };
  var pending = {};

  /* ---- loading ---- */

  function scriptLoader(url) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = url;
      s.async = true;
      s.onload = function () { s.parentNode && s.parentNode.removeChild(s); resolve(); };
      s.onerror = function () {
        s.parentNode && s.parentNode.removeChild(s);
        reject(new Error("cannot load the search index (" + url + ")"));
      };
      document.head.appendChild(s);
    });
  }

  function file(kind, i) {
    var store = data[kind];
    if (store[i] !== undefined) return Promise.resolve(store[i]);
    var key = kind + i;
    if (!pending[key]) {
      // The manifest's name never changes, so a cached copy could outlive a rebuild;
      // asking for it by the minute bounds that (the other files carry its version).
      var path = kind === "m" ? "manifest.js?t=" + Math.floor(Date.now() / 60000)
        : kind + "/" + i + ".js?v=" + M.v;
      pending[key] = (loader || scriptLoader)(root + DIR + path).then(function () {
        delete pending[key];
        if (store[i] === undefined) throw new Error("the search index file " + path + " is damaged");
        return store[i];
      }, function (e) {
        delete pending[key];
        throw e;
      });
    }
    return pending[key];
  }

  function manifest() {
    return file("m", 0).then(function (m) {
      if (!(m && m.s > 0 && m.r > 0 && m.dc > 0 && m.sy && m.sec)) {
        throw new Error("the search index file manifest.js is damaged; build the site again");
      }
      if (!syllableIds) {
        M = m;
        syllableIds = {};
        m.sy.forEach(function (s, i) { syllableIds[s] = i; });
        siteReadings = {};
        (m.rd || []).forEach(function (chars, i) {
          Array.from(chars).forEach(function (c) { siteReadings[c] = m.sy[i]; });
        });
      }
      return m;
    });
  }

  /* ---- format.rs ---- */

  function hash(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
  }

  function decodePostings(s) {
    var at = 0;
    function next() {
      var v = 0, shift = 0;
      while (at < s.length) {
        var d = ALPHABET.indexOf(s.charAt(at++));
        v += (d & 31) * Math.pow(2, shift);
        shift += 5;
        if (d < 32) break;
      }
      return v;
    }
    var n = next(), docs = [], last = 0, i;
    for (i = 0; i < n; i++) {
      var gap = next();
      last = i === 0 ? gap : last + gap;
      docs.push(last);
    }
    var out = [];
    for (i = 0; i < n && at + i < s.length; i++) out.push([docs[i], ALPHABET.indexOf(s.charAt(at + i))]);
    return out;
  }

  /* ---- normalize.rs, tokenize.rs ---- */

  function fold(c) {
    var cp = c.codePointAt(0);
    if (cp === 0x3000) return " ";
    if (cp >= 0xff01 && cp <= 0xff5e) c = String.fromCodePoint(cp - 0xfee0);
    return c >= "A" && c <= "Z" ? c.toLowerCase() : c;
  }

  function isCjk(c) {
    var cp = c.codePointAt(0);
    return (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2fa1f);
  }

  function isWord(c) { return (c >= "a" && c <= "z") || (c >= "0" && c <= "9"); }
  function isStop(c) { return M.stop[0].indexOf(c) >= 0; }
  function isProtected(a, b) { return M.keep.indexOf(a + b) >= 0; }

  function cut(run, f) {
    var start = 0;
    for (var i = 0; i < run.length; i++) {
      var keep = (i > 0 && isProtected(run[i - 1], run[i])) ||
        (i + 1 < run.length && isProtected(run[i], run[i + 1]));
      if (isStop(run[i]) && !keep) {
        if (i > start) f(run.slice(start, i));
        start = i + 1;
      }
    }
    if (run.length > start) f(run.slice(start));
  }

  /* The tokens of folded text as the index has them for a page's body. */
  function bodyTokens(text) {
    var out = [], word = "", run = [];
    var chars = Array.from(text);
    chars.push(" ");
    chars.forEach(function (c) {
      if (isCjk(c)) {
        if (word) { out.push(word.slice(0, WORD_MAX)); word = ""; }
        run.push(c);
        return;
      }
      if (run.length) {
        cut(run, function (part) {
          if (part.length === 1) out.push({ text: part[0] });
          for (var i = 0; i + 1 < part.length; i++) out.push({ text: part[i] + part[i + 1], pair: [part[i], part[i + 1]] });
        });
        run = [];
      }
      if (isWord(c)) word += c;
      else if (word) { out.push(word.slice(0, WORD_MAX)); word = ""; }
    });
    return out.map(function (t) { return typeof t === "string" ? { text: t } : t; });
  }

  /* ---- pinyin.rs ---- */

  function split(letters) {
    var n = letters.length, i, len;
    if (!n || !/^[a-z]+$/.test(letters)) return null;
    var fewest = [];
    fewest[n] = 0;
    for (i = n - 1; i >= 0; i--) {
      var best = null;
      for (len = 1; len <= Math.min(6, n - i); len++) {
        if (syllableIds.hasOwnProperty(letters.substr(i, len)) && fewest[i + len] !== null) {
          var f = fewest[i + len] + 1;
          if (best === null || f < best) best = f;
        }
      }
      fewest[i] = best;
    }
    if (fewest[0] === null) return null;
    var out = [], path = [];
    (function collect(at) {
      if (out.length >= 4) return;
      if (at === n) { out.push(path.slice()); return; }
      for (var l = Math.min(6, n - at); l >= 1; l--) {
        var s = letters.substr(at, l);
        if (!syllableIds.hasOwnProperty(s)) continue;
        if (fewest[at + l] !== null && fewest[at + l] + 1 === fewest[at]) {
          path.push(syllableIds[s]);
          collect(at + l);
          path.pop();
        }
      }
    })(0);
    return out;
  }

  /* ---- query.rs ---- */

  function slot(token, pair) { return { alts: [{ token: token, weight: EXACT }], pair: pair || null }; }

  /* The groups; `named` is the token of pages whose title is the query. */
  function plan(query) {
    var p = planWith(query, true);
    if (!p.length) p = planWith(query, false);
    var n = name(query);
    p.named = p.length && n ? "t:" + hash(n).toString(16) : null;
    return p;
  }

  function name(text) {
    return Array.from(text).map(fold).filter(function (c) { return isCjk(c) || isWord(c); }).join("");
  }

  function phrases() {
    var out = [];
    M.syn.forEach(function (group, g) {
      group.forEach(function (m) { out.push({ chars: Array.from(m), text: m, syn: g }); });
    });
    M.terms.forEach(function (t) {
      if (!out.some(function (p) { return p.text === t; })) out.push({ chars: Array.from(t), text: t, syn: null });
    });
    return out.filter(function (p) { return p.chars.length > 0; });
  }

  function startsWith(q, i, chars) {
    if (i + chars.length > q.length) return false;
    for (var k = 0; k < chars.length; k++) if (q[i + k] !== chars[k]) return false;
    return true;
  }

  function planWith(query, dropQuestions) {
    var q = Array.from(query).map(fold);
    var ps = phrases(), groups = [], text = [], i = 0;
    while (i < q.length) {
      var best = null;
      ps.forEach(function (p) {
        if (startsWith(q, i, p.chars) && (!best || p.chars.length > best.chars.length)) best = p;
      });
      if (best) {
        segment(text, dropQuestions, groups);
        text = [];
        groups.push(vocabGroup(best, ps));
        i += best.chars.length;
      } else {
        text.push(q[i]);
        i += 1;
      }
    }
    segment(text, dropQuestions, groups);
    return groups.filter(function (g) { return g.interps.some(function (it) { return it.slots.length > 0; }); });
  }

  function vocabGroup(p, ps) {
    var members = [p.text];
    if (p.syn !== null) {
      ps.forEach(function (o) { if (o.syn === p.syn && o.text !== p.text) members.push(o.text); });
    }
    return {
      interps: members.map(function (m, n) {
        return { weight: n === 0 ? EXACT : SYNONYM, slots: literalSlots(m, n === 0) };
      }),
      words: [],
      typed: []
    };
  }

  function literalSlots(text, typed) {
    var slots = bodyTokens(text).map(function (t) { return slot(t.text, typed ? t.pair : null); });
    if (M.terms.indexOf(text) >= 0) slots.push(slot("=" + text, null));
    return slots;
  }

  function pieces(text) {
    var out = [];
    text.forEach(function (c) {
      var kind = isCjk(c) ? "cjk" : isWord(c) ? "word" : SPACE.test(c) ? "space" : "other";
      var last = out[out.length - 1];
      if (last && last.kind === kind && kind !== "other") {
        if (kind === "cjk") last.run.push(c);
        else if (kind === "word") last.word += c;
        return;
      }
      out.push({ kind: kind, run: [c], word: c });
    });
    return out;
  }

  function segment(text, dropQuestions, groups) {
    var words = [];
    pieces(text).forEach(function (p) {
      if (p.kind === "word") { words.push(p.word); return; }
      if (p.kind === "space") return;
      wordGroups(words, groups);
      words = [];
      if (p.kind === "cjk") cjkGroups(p.run, dropQuestions, groups);
    });
    wordGroups(words, groups);
  }

  function cjkGroups(run, dropQuestions, groups) {
    var keep = run.map(function () { return true; }), i = 0, k;
    if (dropQuestions) {
      while (i < run.length) {
        var hit = null;
        for (k = 0; k < M.ask.length && !hit; k++) {
          if (startsWith(run, i, Array.from(M.ask[k]))) hit = Array.from(M.ask[k]);
        }
        if (hit) {
          for (k = 0; k < hit.length; k++) keep[i + k] = false;
          i += hit.length;
        } else {
          i += 1;
        }
      }
    }
    var start = 0;
    for (i = 0; i <= run.length; i++) {
      if (i === run.length || !keep[i]) {
        if (i > start) cut(run.slice(start, i), function (part) { groups.push(cjkGroup(part)); });
        start = i + 1;
      }
    }
  }

  function cjkGroup(part) {
    var slots = [];
    if (part.length === 1) slots.push(slot(part[0], null));
    for (var i = 0; i + 1 < part.length; i++) slots.push(slot(part[i] + part[i + 1], [part[i], part[i + 1]]));
    return { interps: [{ weight: EXACT, slots: slots }], words: [], typed: [] };
  }

  function isLetters(w) { return /^[a-z]+$/.test(w); }

  function wordGroups(words, groups) {
    if (!words.length) return;
    var splits = words.map(function (w) { return isLetters(w) ? split(w) : null; });
    var trunc = words.map(function (w) { return w.slice(0, WORD_MAX); });
    if (words.length >= 2 && splits.every(function (s) { return s !== null; })) {
      var syllables = [];
      splits.forEach(function (s) { syllables = syllables.concat(s[0]); });
      groups.push({
        interps: [
          { weight: EXACT, slots: trunc.map(function (t) { return slot(t, null); }) },
          pinyinInterp(syllables)
        ],
        words: trunc,
        typed: words.slice()
      });
      return;
    }
    words.forEach(function (w, n) {
      var interps = [{ weight: EXACT, slots: [slot(trunc[n], null)] }];
      if (splits[n] !== null) {
        splits[n].forEach(function (s) { if (s.length >= 2) interps.push(pinyinInterp(s)); });
      } else if (isLetters(w) && w.length >= 2 && w.length <= 6) {
        var slots = [];
        for (var i = 0; i + 1 < w.length; i++) slots.push(slot("i:" + w.charAt(i) + w.charAt(i + 1), null));
        interps.push({ weight: INITIALS, slots: slots });
      }
      groups.push({ interps: interps, words: [trunc[n]], typed: [w] });
    });
  }

  function pinyinInterp(syllables) {
    var slots = [];
    for (var i = 0; i + 1 < syllables.length; i++) {
      slots.push(slot("p:" + M.sy[syllables[i]] + " " + M.sy[syllables[i + 1]], null));
    }
    return { weight: PINYIN, slots: slots };
  }

  function eachSlot(groups, f) {
    groups.forEach(function (g) { g.interps.forEach(function (it) { it.slots.forEach(f); }); });
  }

  function planTokens(groups) {
    var out = [];
    eachSlot(groups, function (s) {
      s.alts.forEach(function (a) { if (out.indexOf(a.token) < 0) out.push(a.token); });
    });
    if (groups.named && out.indexOf(groups.named) < 0) out.push(groups.named);
    return out;
  }

  function planChars(groups) {
    var out = [];
    eachSlot(groups, function (s) {
      if (s.pair) s.pair.forEach(function (c) { if (out.indexOf(c) < 0) out.push(c); });
    });
    return out;
  }

  function addHomophones(groups, lookup) {
    eachSlot(groups, function (s) {
      if (!s.pair || lookup.hasOwnProperty(s.alts[0].token)) return;
      var ra = reading(s.pair[0]), rb = reading(s.pair[1]);
      if (ra && rb) s.alts.push({ token: "p:" + ra + " " + rb, weight: HOMOPHONE });
      if (s.pair[0] !== s.pair[1]) s.alts.push({ token: s.pair[1] + s.pair[0], weight: SWAPPED });
    });
  }

  /* A readings file's entry: the reading, then the simplified form of a traditional
   * character ("ping评"). */
  function readingEntry(c) {
    var shard = data.r[hash(c) % M.r];
    return shard && shard.hasOwnProperty(c) ? shard[c] : "";
  }

  function reading(c) {
    if (siteReadings.hasOwnProperty(c)) return siteReadings[c];
    return readingEntry(c).match(/^[a-z]*/)[0] || null;
  }

  /* tradition.rs: the site's characters are simplified already; another character's
   * simplified form comes with its reading (the readings file must be loaded). */
  function simplify(c) {
    if (!isCjk(c) || siteReadings.hasOwnProperty(c)) return c;
    return readingEntry(c).replace(/^[a-z]*/, "") || c;
  }

  /* Loads the readings files of the characters the manifest has no reading for. */
  function readingsOf(chars) {
    var shards = [];
    chars.forEach(function (c) {
      if (siteReadings.hasOwnProperty(c)) return;
      var i = hash(c) % M.r;
      if (shards.indexOf(i) < 0) shards.push(i);
    });
    return Promise.all(shards.map(function (i) { return file("r", i); }));
  }

  function isPhonetic(t) { return /^[pi]:/.test(t); }

  function surfaceTokens(groups, lookup) {
    var out = [];
    eachSlot(groups, function (s) {
      s.alts.forEach(function (a) {
        var p = isPhonetic(a.token) ? lookup[a.token] : null;
        (p ? p.surfaces : []).forEach(function (t) { if (out.indexOf(t) < 0) out.push(t); });
      });
    });
    return out;
  }

  /* query.rs add_surfaces: the commonest bigram read so keeps the token's weight, the
   * others half of it and no more weight x idf than the commonest. */
  function addSurfaces(groups, lookup) {
    eachSlot(groups, function (s) {
      var phonetic = s.alts.filter(function (a) { return isPhonetic(a.token); });
      phonetic.forEach(function (alt) {
        var p = lookup[alt.token];
        if (!p) return;
        var idfs = p.surfaces.map(function (t) { return lookup[t] ? lookup[t].idf : null; });
        var first = idfs.length && idfs[0] !== null ? idfs[0] : 0;
        p.surfaces.forEach(function (t, k) {
          var idf = idfs[k];
          if (idf === null || !(idf > 0)) return;
          var w = k === 0 ? alt.weight : Math.floor(alt.weight * Math.min(first, idf) / (2 * idf));
          if (w > 0 && !s.alts.some(function (a) { return a.token === t; })) s.alts.push({ token: t, weight: w });
        });
      });
    });
  }

  function preferWords(groups, lookup) {
    groups.forEach(function (g) {
      if (g.words.length && g.words.every(function (w) { return lookup.hasOwnProperty(w); })) {
        g.interps.length = 1;
      }
    });
  }

  /* ---- engine.rs: loading a plan's tokens ---- */

  function lookupTokens(tokens, lookup) {
    var wanted = tokens.filter(function (t) { return !lookup.hasOwnProperty(t); });
    return Promise.all(wanted.map(function (t) { return file("s", hash(t) % M.s); })).then(function (shards) {
      wanted.forEach(function (t, n) {
        var e = shards[n][t];
        if (!e) return;
        lookup[t] = { idf: e[0], docs: decodePostings(e[1]), surfaces: e[2] ? e[2].split(" ") : [] };
      });
    });
  }

  /* ---- rank.rs ---- */

  function score(groups, lookup) {
    var slots = [], rows = new Map();
    groups.forEach(function (g, gi) {
      var cap = idfCap(g, lookup);
      g.interps.forEach(function (it, ii) {
        it.slots.forEach(function (s) { slots.push({ slot: s, cap: ii > 0 ? cap : 0 }); });
      });
    });
    slots.forEach(function (x, n) {
      x.slot.alts.forEach(function (alt) {
        var p = lookup[alt.token];
        if (!p) return;
        var base = alt.weight * (x.cap > 0 ? Math.min(p.idf, x.cap) : p.idf);
        p.docs.forEach(function (d) {
          var v = base * d[1];
          var row = rows.get(d[0]);
          if (!row) { row = new Float64Array(slots.length); rows.set(d[0], row); }
          if (v > row[n]) row[n] = v;
        });
      });
    });
    var out = [];
    rows.forEach(function (row, doc) {
      var s = docScore(groups, row);
      if (s > 0) out.push([doc, s]);
    });
    var named = groups.named ? lookup[groups.named] : null;
    if (named) {
      var top = 0;
      out.forEach(function (x) { top = Math.max(top, x[1]); });
      out.forEach(function (x) { if (hasDoc(named.docs, x[0])) x[1] += top; });
    }
    out.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return out;
  }

  /* The highest idf of the typed reading's tokens the site has (rank.rs idf_cap). */
  function idfCap(g, lookup) {
    var cap = 0;
    if (!g.interps.length) return 0;
    g.interps[0].slots.forEach(function (s) {
      s.alts.forEach(function (a) { if (lookup[a.token]) cap = Math.max(cap, lookup[a.token].idf); });
    });
    return cap;
  }

  function docScore(groups, row) {
    var raw = 0, covered = 0, n0 = 0;
    groups.forEach(function (g) {
      var baseSlots = g.interps.length ? g.interps[0].slots.length : 1;
      var best = 0, bestCov = 0;
      g.interps.forEach(function (it) {
        var sum = 0, matched = 0;
        for (var s = 0; s < it.slots.length; s++) {
          var v = row[n0 + s];
          sum += v;
          if (v > 0) matched += 1;
        }
        n0 += it.slots.length;
        var n = it.slots.length;
        var v2 = it.weight * sum * baseSlots / n;
        if (v2 > best) { best = v2; bestCov = matched / n; }
      });
      raw += best;
      covered += bestCov;
    });
    var c = covered / groups.length;
    return raw * (1 + COVERAGE * c * c) / (1 + COVERAGE) / 1000000;
  }

  /* ---- snippet.rs ---- */

  function escapeChar(c) {
    switch (c) {
      case "&": return "&amp;";
      case "<": return "&lt;";
      case ">": return "&gt;";
      case "\"": return "&quot;";
      case "'": return "&#39;";
      default: return SPACE.test(c) ? " " : c;
    }
  }

  /* `folds`: the text's traditional characters, each followed by its simplified form. */
  function snippet(text, highlights, folds) {
    var simple = {}, f = Array.from(folds || ""), i;
    for (i = 0; i + 1 < f.length; i += 2) simple[f[i]] = f[i + 1];
    var chars = Array.from(text), matches = [];
    var folded = chars.map(function (c) { c = fold(c); return simple[c] || c; });
    outer: for (var h = 0; h < highlights.length; h++) {
      var needle = Array.from(highlights[h]);
      if (!needle.length || needle.length > folded.length) continue;
      for (i = 0; i + needle.length <= folded.length; i++) {
        if (startsWith(folded, i, needle)) {
          matches.push([i, i + needle.length, h]);
          if (matches.length >= MAX_MATCHES) break outer;
        }
      }
    }
    matches.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    var win = windowOf(matches, chars.length), start = win[0], end = win[1], marks = [];
    matches.forEach(function (m) {
      var s = Math.max(m[0], start), e = Math.min(m[1], end);
      if (s >= e) return;
      var last = marks[marks.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else marks.push([s, e]);
    });
    var out = start > 0 ? "…" : "", k = 0, open = -1;
    for (i = start; i < end; i++) {
      if (open < 0 && k < marks.length && marks[k][0] === i) {
        out += "<mark>";
        open = marks[k][1];
        k++;
      }
      out += escapeChar(chars[i]);
      if (open === i + 1) { out += "</mark>"; open = -1; }
    }
    if (end < chars.length) out += "…";
    return out;
  }

  function windowOf(matches, len) {
    var best = null;
    matches.forEach(function (m, i) {
      var limit = m[0] + WIDTH, seen = [];
      for (var j = i; j < matches.length; j++) {
        var o = matches[j];
        if (o[0] >= limit) break;
        if (o[1] <= limit && seen.indexOf(o[2]) < 0) seen.push(o[2]);
      }
      if (!best || seen.length > best[0]) best = [seen.length, i];
    });
    var first = best ? matches[best[1]][0] : 0;
    var start = Math.max(0, first - LEAD);
    var end = Math.min(start + WIDTH, len);
    if (end - start < WIDTH) start = Math.max(0, end - WIDTH);
    return [start, end];
  }

  function highlights(groups, lookup, doc) {
    var out = [];
    eachSlot(groups, function (s) {
      s.alts.forEach(function (alt) {
        var p = lookup[alt.token];
        if (!p || !hasDoc(p.docs, doc)) return;
        var t = alt.token, words;
        if (t.slice(0, 2) === "p:" || t.slice(0, 2) === "i:") words = p.surfaces;
        else if (t.charAt(0) === "=") words = [t.slice(1)];
        else words = [t];
        words.forEach(function (w) { if (out.indexOf(w) < 0) out.push(w); });
      });
    });
    return out;
  }

  function hasDoc(docs, doc) {
    var lo = 0, hi = docs.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (docs[mid][0] < doc) lo = mid + 1; else hi = mid;
    }
    return lo < docs.length && docs[lo][0] === doc;
  }

  /* ---- suggest.rs ---- */

  var MAX_SUGGESTIONS = 5, MAX_CANDIDATES = 32, MAX_WORD_EDIT = 8;
  var FUZZY_INITIALS = [["zh", "z"], ["ch", "c"], ["sh", "s"], ["z", "zh"], ["c", "ch"], ["s", "sh"],
    ["n", "l"], ["l", "n"], ["f", "h"], ["h", "f"]];
  var FUZZY_FINALS = [["ang", "an"], ["eng", "en"], ["ing", "in"], ["an", "ang"], ["en", "eng"], ["in", "ing"]];

  function candidateKey(c) { return (c.word !== undefined ? "w" + c.word : "s" + c.syllables.join(",")); }

  function pushCandidate(out, c) {
    var k = candidateKey(c);
    for (var i = 0; i < out.length; i++) if (candidateKey(out[i]) === k) return;
    out.push(c);
  }

  function candidates(groups) {
    var out = [];
    groups.forEach(function (g) {
      var mine = [], chars = [];
      if (g.interps.length) {
        g.interps[0].slots.forEach(function (s) {
          if (!s.pair) return;
          if (!chars.length) chars.push(s.pair[0]);
          chars.push(s.pair[1]);
        });
      }
      var syl = [], ok = true;
      chars.forEach(function (c) {
        var r = reading(c);
        if (r !== null && syllableIds.hasOwnProperty(r)) syl.push(syllableIds[r]); else ok = false;
      });
      if (ok && syl.length >= 2) fuzzy(syl, mine);
      var words = [];
      if (g.typed.length >= 2) words.push(g.typed.join(""));
      words = words.concat(g.typed);
      words.filter(function (w) { return /^[a-z]+$/.test(w); }).forEach(function (w) {
        edits(w).forEach(function (e) {
          if (e !== w && e.length >= 2 && e.length <= MAX_WORD_EDIT) pushCandidate(mine, { word: e });
          var sp = split(e) || [];
          for (var i = 0; i < sp.length; i++) {
            if (sp[i].length >= 2) { pushCandidate(mine, { syllables: sp[i] }); break; }
          }
        });
      });
      mine.slice(0, MAX_CANDIDATES).forEach(function (c) { pushCandidate(out, c); });
    });
    return out;
  }

  function fuzzy(syl, out) {
    pushCandidate(out, { syllables: syl.slice() });
    syl.forEach(function (id, i) {
      var text = M.sy[id], changed = [];
      FUZZY_INITIALS.forEach(function (f) {
        if (text.slice(0, f[0].length) === f[0]) changed.push(f[1] + text.slice(f[0].length));
      });
      FUZZY_FINALS.forEach(function (f) {
        if (text.length >= f[0].length && text.slice(text.length - f[0].length) === f[0]) {
          changed.push(text.slice(0, text.length - f[0].length) + f[1]);
        }
      });
      changed.forEach(function (c) {
        if (!syllableIds.hasOwnProperty(c)) return;
        var v = syl.slice();
        v[i] = syllableIds[c];
        pushCandidate(out, { syllables: v });
      });
    });
  }

  function edits(w) {
    var out = [w], i;
    for (i = 1; i < w.length; i++) out.push(w.slice(0, i - 1) + w.charAt(i) + w.charAt(i - 1) + w.slice(i + 1));
    for (i = 0; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
    return out;
  }

  function pairToken(a, b) { return "p:" + M.sy[a] + " " + M.sy[b]; }

  function candidateTokens(cands) {
    var out = [];
    cands.forEach(function (c) {
      var mine = [];
      if (c.word !== undefined) mine.push(c.word);
      else for (var i = 0; i + 1 < c.syllables.length; i++) mine.push(pairToken(c.syllables[i], c.syllables[i + 1]));
      mine.forEach(function (t) { if (out.indexOf(t) < 0) out.push(t); });
    });
    return out;
  }

  function suggestions(cands, lookup) {
    var out = [];
    for (var n = 0; n < cands.length && out.length < MAX_SUGGESTIONS; n++) {
      var c = cands[n], found = null;
      if (c.word !== undefined) {
        if (lookup[c.word] && lookup[c.word].docs.length) found = { text: c.word, reading: "" };
      } else {
        var text = chain(c.syllables, lookup);
        if (text !== null) found = { text: text, reading: c.syllables.map(function (x) { return M.sy[x]; }).join("") };
      }
      if (found && !out.some(function (o) { return o.text === found.text; })) out.push(found);
    }
    return out;
  }

  function chain(syl, lookup) {
    var word = [];
    for (var i = 0; i + 1 < syl.length; i++) {
      var p = lookup[pairToken(syl[i], syl[i + 1])];
      if (!p) return null;
      var next = null;
      for (var k = 0; k < p.surfaces.length && !next; k++) {
        var cs = Array.from(p.surfaces[k]);
        if (cs.length === 2 && (!word.length || word[word.length - 1] === cs[0])) next = cs;
      }
      if (!next) return null;
      if (!word.length) word.push(next[0]);
      word.push(next[1]);
    }
    return word.join("");
  }

  function suggest(groups) {
    var cands = candidates(groups), lookup = {};
    return lookupTokens(candidateTokens(cands), lookup).then(function () {
      return suggestions(cands, lookup);
    });
  }

  /* ---- engine.rs: one search ---- */

  function search(query, options) {
    var limit = options && options.limit > 0 ? options.limit : 10;
    var typed = [];
    return manifest().then(function () {
      typed = Array.from(String(query || "")).map(fold);
      return readingsOf(typed.filter(isCjk));
    }).then(function () {
      var groups = plan(typed.map(simplify).join(""));
      if (!groups.length) return [];
      var lookup = {};
      return Promise.all([
        lookupTokens(planTokens(groups), lookup),
        readingsOf(planChars(groups))
      ]).then(function () {
        addHomophones(groups, lookup);
        return lookupTokens(planTokens(groups), lookup);
      }).then(function () {
        preferWords(groups, lookup);
        return lookupTokens(surfaceTokens(groups, lookup), lookup);
      }).then(function () {
        addSurfaces(groups, lookup);
        var ranked = score(groups, lookup);
        if (!ranked.length) {
          return suggest(groups).then(function (s) {
            var none = [];
            none.total = 0;
            none.suggestions = s;
            return none;
          });
        }
        var top = ranked.slice(0, limit);
        return Promise.all(top.map(function (t) { return file("d", Math.floor(t[0] / M.dc)); })).then(function (chunks) {
          var hits = top.map(function (t, n) {
            var d = chunks[n][t[0] % M.dc];
            if (!d) throw new Error("the search index is damaged (document " + t[0] + ")");
            return hit(d, t[1], groups, lookup, t[0]);
          });
          // How many pages matched in all, so a caller can say "more" without loading
          // one more page's document.
          hits.total = ranked.length;
          return hits;
        });
      });
    });
  }

  function hit(d, score, groups, lookup, doc) {
    var section = [], at = d[3];
    while (at >= 0 && at < M.sec.length) {
      section.push(M.sec[at][0]);
      at = M.sec[at][1];
    }
    section.reverse();
    return {
      path: d[0],
      url: d[1],
      title: d[2],
      section: section,
      snippet: snippet(d[4], highlights(groups, lookup, doc), d[5]),
      score: score
    };
  }

  window.ShouceSearch = {
    configure: function (options) {
      root = (options && options.root) || "";
      if (options && typeof options.load === "function") loader = options.load;
      // Start loading the small manifest now, so the first query waits for one round
      // of files less; a failure here is reported by search() instead.
      manifest().catch(function () {});
    },
    search: search,
    _m: function (m) { data.m[0] = m; },
    _s: function (i, shard) { data.s[i] = shard; },
    _r: function (i, r) { data.r[i] = r; },
    _d: function (i, docs) { data.d[i] = docs; }
  };
})();
