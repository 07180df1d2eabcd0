/* Digestif search: reads the static index under search/ (written by src/search/) and draws results
   as you type. No dependencies, no request to another host. Text rules mirror src/search/text.rs;
   tests/js/ checks that both sides agree. */
(function (root) {
  'use strict';

  // ---------------------------------------------------------------- text (mirrors text.rs)

  var RUN = /[\p{Alphabetic}\p{N}\p{M}]+/gu;
  var MARKS = /\p{M}/gu;
  var NOT_WORD = /[^\p{Alphabetic}\p{N}]+/u;
  var ASCII = /^[\x00-\x7f]*$/;
  var SPELLED = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ð': 'd', 'ł': 'l', 'þ': 'th', 'ı': 'i', 'ħ': 'h', 'ŧ': 't' };
  var SPELLED_ANY = /[ßæœøđðłþıħŧ]/g;

  function fold(run) {
    if (ASCII.test(run)) return run.toLowerCase();
    return run.normalize('NFKD').replace(MARKS, '').toLowerCase()
      .replace(SPELLED_ANY, function (c) { return SPELLED[c]; });
  }

  /** Runs of `text` with their folded tokens: [{start, end, tokens}]. */
  function runs(text) {
    var out = [];
    RUN.lastIndex = 0;
    var m;
    while ((m = RUN.exec(text))) {
      var folded = fold(m[0]);
      var tokens = ASCII.test(m[0]) ? [folded] : folded.split(NOT_WORD).filter(Boolean);
      if (tokens.length) out.push({ start: m.index, end: m.index + m[0].length, tokens: tokens });
    }
    return out;
  }

  function tokens(text) {
    var out = [];
    runs(text).forEach(function (r) { out.push.apply(out, r.tokens); });
    return out;
  }

  function charCount(s) { var n = 0; for (var _ of s) n++; return n; }

  function isIndexed(token, stop) { return charCount(token) >= 2 && !stop.has(token); }

  // ---------------------------------------------------------------- Snowball English (Porter2)

  var EXCEPTIONS = {
    skis: 'ski', skies: 'sky', dying: 'die', lying: 'lie', tying: 'tie', idly: 'idl', gently: 'gentl',
    ugly: 'ugli', early: 'earli', only: 'onli', singly: 'singl', sky: 'sky', news: 'news', howe: 'howe',
    atlas: 'atlas', cosmos: 'cosmos', bias: 'bias', andes: 'andes'
  };
  var EXCEPTIONS_AFTER_1A = ['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed'];
  var STEP2 = [
    ['ization', 'ize'], ['ational', 'ate'], ['fulness', 'ful'], ['ousness', 'ous'], ['iveness', 'ive'],
    ['tional', 'tion'], ['biliti', 'ble'], ['lessli', 'less'], ['entli', 'ent'], ['ation', 'ate'],
    ['alism', 'al'], ['aliti', 'al'], ['ousli', 'ous'], ['iviti', 'ive'], ['fulli', 'ful'], ['enci', 'ence'],
    ['anci', 'ance'], ['abli', 'able'], ['izer', 'ize'], ['ator', 'ate'], ['alli', 'al'], ['bli', 'ble'],
    ['ogi', 'og'], ['li', '']
  ];
  var STEP3 = [['ational', 'ate'], ['tional', 'tion'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'],
    ['ative', ''], ['ical', 'ic'], ['ness', ''], ['ful', '']];
  var STEP4 = ['ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ism', 'ate', 'iti', 'ous',
    'ive', 'ize', 'ion', 'al', 'er', 'ic'];

  function isVowel(c) { return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y'; }
  function hasVowel(s) { for (var i = 0; i < s.length; i++) if (isVowel(s[i])) return true; return false; }
  /** Index after the first non-vowel that follows a vowel, from `from`; the length if none. */
  function region(s, from) {
    for (var i = from + 1; i < s.length; i++) if (!isVowel(s[i]) && isVowel(s[i - 1])) return i + 1;
    return s.length;
  }
  /** Whether `s` ends in a short syllable. */
  function shortSyllable(s) {
    var n = s.length;
    if (n >= 3 && !isVowel(s[n - 1]) && 'wxY'.indexOf(s[n - 1]) < 0 && isVowel(s[n - 2]) && !isVowel(s[n - 3])) return true;
    return n === 2 && !isVowel(s[1]) && isVowel(s[0]);
  }
  function ends(s, suffix) { return s.length >= suffix.length && s.slice(s.length - suffix.length) === suffix; }
  function longest(s, list) {
    var best = null;
    for (var i = 0; i < list.length; i++) {
      var suffix = typeof list[i] === 'string' ? list[i] : list[i][0];
      if (ends(s, suffix) && (!best || suffix.length > (typeof best === 'string' ? best : best[0]).length)) best = list[i];
    }
    return best;
  }

  function stem(word) {
    if (word.length <= 2 || !/^[a-z]+$/.test(word)) return word;
    if (Object.prototype.hasOwnProperty.call(EXCEPTIONS, word)) return EXCEPTIONS[word];
    var s = word[0] === 'y' ? 'Y' + word.slice(1) : word;
    for (var i = 1; i < s.length; i++) {
      if (s[i] === 'y' && isVowel(s[i - 1])) s = s.slice(0, i) + 'Y' + s.slice(i + 1);
    }
    var special = /^(gener|commun|arsen)/.exec(s);
    var p1 = special ? special[0].length : region(s, 0);
    var p2 = region(s, p1);

    // Step 1a
    if (ends(s, 'sses')) s = s.slice(0, -2);
    else if (ends(s, 'ied') || ends(s, 'ies')) s = s.length - 3 >= 2 ? s.slice(0, -2) : s.slice(0, -1);
    else if (ends(s, 'us') || ends(s, 'ss')) { /* unchanged */ }
    else if (ends(s, 's') && hasVowel(s.slice(0, -2))) s = s.slice(0, -1);

    if (EXCEPTIONS_AFTER_1A.indexOf(s) < 0) {
      // Step 1b
      var b = longest(s, ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed']);
      if (b === 'eed' || b === 'eedly') {
        if (s.length - b.length >= p1) s = s.slice(0, s.length - b.length) + 'ee';
      } else if (b) {
        var before = s.slice(0, s.length - b.length);
        if (hasVowel(before)) {
          s = before;
          if (ends(s, 'at') || ends(s, 'bl') || ends(s, 'iz')) s += 'e';
          else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(s)) s = s.slice(0, -1);
          else if (s.length === p1 && shortSyllable(s)) s += 'e';
        }
      }
      // Step 1c
      var n = s.length;
      if (n > 2 && (s[n - 1] === 'y' || s[n - 1] === 'Y') && !isVowel(s[n - 2])) s = s.slice(0, -1) + 'i';
      // Step 2
      var two = longest(s, STEP2);
      if (two && s.length - two[0].length >= p1) {
        var stem2 = s.slice(0, s.length - two[0].length);
        if (two[0] === 'ogi') { if (ends(stem2, 'l')) s = stem2 + 'og'; }
        else if (two[0] === 'li') { if (/[cdeghkmnrt]$/.test(stem2)) s = stem2; }
        else s = stem2 + two[1];
      }
      // Step 3
      var three = longest(s, STEP3);
      if (three && s.length - three[0].length >= p1) {
        if (three[0] !== 'ative' || s.length - 5 >= p2) s = s.slice(0, s.length - three[0].length) + three[1];
      }
      // Step 4
      var four = longest(s, STEP4);
      if (four && s.length - four.length >= p2) {
        var stem4 = s.slice(0, s.length - four.length);
        if (four !== 'ion' || /[st]$/.test(stem4)) s = stem4;
      }
      // Step 5
      if (ends(s, 'e')) {
        var at = s.length - 1;
        if (at >= p2 || (at >= p1 && !shortSyllable(s.slice(0, -1)))) s = s.slice(0, -1);
      } else if (ends(s, 'l')) {
        if (s.length - 1 >= p2 && ends(s.slice(0, -1), 'l')) s = s.slice(0, -1);
      }
    }
    return s.replace(/Y/g, 'y');
  }

  // ---------------------------------------------------------------- binary formats (postings.rs, shards.rs)

  function Reader(bytes, at) { this.b = bytes; this.at = at || 0; }
  Reader.prototype.varint = function () {
    var value = 0, scale = 1, byte;
    do {
      if (this.at >= this.b.length) throw new Error('truncated index file');
      byte = this.b[this.at++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };
  var UTF8 = new TextDecoder();

  /** A set of paper numbers as 32-bit words. */
  function bitset(papers) { return new Uint32Array((papers + 31) >>> 5); }
  function has(bits, doc) { return (bits[doc >>> 5] >>> (doc & 31)) & 1; }

  /** ORs the list at `reader` into `bits` (or skips it when `bits` is null). */
  function readList(reader, bits) {
    var header = reader.varint();
    var length = Math.floor(header / 4), kind = header & 3, end = reader.at + length;
    if (bits && kind === 1) {
      var doc = 0;
      while (reader.at < end) { doc += reader.varint(); bits[doc >>> 5] |= 1 << (doc & 31); }
    } else if (bits && kind === 2) {
      // Byte-aligned, so each byte lands inside one 32-bit word.
      var first = reader.varint() * 8 - reader.at * 8, bytes = reader.b;
      for (var j = reader.at; j < end; j++) {
        var byte = bytes[j];
        if (byte) { var d = first + j * 8; bits[d >>> 5] |= byte << (d & 31); }
      }
    } else if (bits && kind === 3) {
      // Rice-coded gaps, lowest bit of each byte first.
      var k = reader.varint(), count = reader.varint(), b = reader.b, pos = reader.at * 8, last = end * 8, doc = -1;
      for (var c = 0; c < count; c++) {
        var gap = 0;
        while ((b[pos >>> 3] >>> (pos & 7)) & 1) { gap += 1 << k; pos++; }
        pos++;
        for (var bit = 0; bit < k; bit++, pos++) gap += ((b[pos >>> 3] >>> (pos & 7)) & 1) * (1 << bit);
        if (pos > last) throw new Error('truncated list');
        doc += gap + 1;
        bits[doc >>> 5] |= 1 << (doc & 31);
      }
    }
    reader.at = end;
  }

  /** A parsed shard: sorted keys, and for each either a list offset or an alias target. */
  function parseShard(bytes) {
    var r = new Reader(bytes), count = r.varint(), keys = [], values = [], previous = new Uint8Array(0);
    function key(base) {
      var shared = r.varint(), n = r.varint();
      var k = new Uint8Array(shared + n);
      k.set(base.subarray(0, shared));
      k.set(bytes.subarray(r.at, r.at + n), shared);
      r.at += n;
      return k;
    }
    for (var i = 0; i < count; i++) {
      var k = key(previous);
      previous = k;
      keys.push(UTF8.decode(k));
      var kind = bytes[r.at++];
      if (kind === 1) {
        values.push({ alias: UTF8.decode(key(k)) });
      } else {
        values.push({ at: r.at });
        for (var f = 0; f < 3; f++) readList(r, null);
      }
    }
    return { bytes: bytes, keys: keys, values: values };
  }

  /** Code-point order, like Rust's `str` order. */
  function compare(a, b) {
    if (a === b) return 0;
    var i = 0;
    for (;;) {
      if (i >= a.length) return -1;
      if (i >= b.length) return 1;
      var x = a.codePointAt(i), y = b.codePointAt(i);
      if (x !== y) return x < y ? -1 : 1;
      i += x > 0xffff ? 2 : 1;
    }
  }
  function startsWith(s, prefix) { return s.slice(0, prefix.length) === prefix; }

  /** The shard that holds `key` (shard_of in shards.rs). */
  function shardOf(separators, key) {
    var lo = 0, hi = separators.length;
    while (lo < hi) { var mid = (lo + hi) >>> 1; if (compare(separators[mid], key) <= 0) lo = mid + 1; else hi = mid; }
    return Math.max(0, lo - 1);
  }
  /** The shards that may hold keys starting with `prefix` (shards_of_prefix in shards.rs). */
  function shardsOfPrefix(separators, prefix) {
    var first = shardOf(separators, prefix), end = first + 1;
    while (end < separators.length && (compare(separators[end], prefix) <= 0 || startsWith(separators[end], prefix))) end++;
    var out = [];
    for (var i = first; i < end; i++) out.push(i);
    return out;
  }

  // ---------------------------------------------------------------- queries

  /**
   * Splits what the reader typed into words, phrases and the word being typed.
   * `"exact phrase"` is a phrase (an unclosed quote runs to the end); the last word is a prefix
   * unless the query ends with a space or a quote.
   */
  function parseQuery(text, stop, minPrefix) {
    minPrefix = minPrefix || 2;
    var query = { words: [], phrases: [], prefix: null };
    var parts = /"([^"]*)"?|([^\s"]+)/g, m, lastWord = null;
    while ((m = parts.exec(text))) {
      if (m[1] !== undefined) {
        var phrase = tokens(m[1]);
        if (phrase.length > 1) query.phrases.push(phrase);
        phrase.forEach(function (t) { if (isIndexed(t, stop)) query.words.push(stem(t)); });
        lastWord = null;
      } else {
        var ts = tokens(m[2]);
        ts.forEach(function (t, i) {
          var isLast = parts.lastIndex === text.length && i === ts.length - 1;
          if (isLast && !/[\s"]$/.test(text)) { lastWord = t; return; }
          if (isIndexed(t, stop)) query.words.push(stem(t));
        });
      }
    }
    // A stop word being typed is left out, like a finished one, until it grows into another word.
    if (lastWord !== null && charCount(lastWord) >= minPrefix && !stop.has(lastWord)) query.prefix = lastWord;
    var seen = new Set();
    query.words = query.words.filter(function (w) { if (seen.has(w)) return false; seen.add(w); return true; });
    return query;
  }

  function isEmptyQuery(q) { return !q.words.length && !q.prefix && !q.phrases.length; }

  // ---------------------------------------------------------------- the index

  /** Opens the index whose manifest is at `url`; `load(url, kind)` fetches bytes or JSON. */
  function Index(url, manifest, load) {
    this.url = url;
    this.m = manifest;
    this.load = load;
    this.papers = manifest.papers;
    this.stop = new Set(manifest.stop_words);
    this.files = new Map();
    this.facets = null;
  }
  Index.prototype.file = function (path, kind) {
    var key = path;
    if (!this.files.has(key)) {
      var promise = this.load(new URL(path + '?v=' + this.m.build, this.url).href, kind);
      var files = this.files;
      promise.catch(function () { files.delete(key); });
      this.files.set(key, promise);
    }
    return this.files.get(key);
  };
  Index.prototype.shard = function (dir, i) {
    return this.file(dir + '/' + i + '.bin', 'bytes').then(function (bytes) {
      if (!bytes.parsed) bytes.parsed = parseShard(bytes);
      return bytes.parsed;
    });
  };

  /** Three bitsets (title, authors, body) for `entry` of a parsed shard. */
  Index.prototype.lists = function (shard, at) {
    var r = new Reader(shard.bytes, at), out = [bitset(this.papers), bitset(this.papers), bitset(this.papers)];
    for (var f = 0; f < 3; f++) readList(r, out[f]);
    return out;
  };

  function lowerBound(keys, key) {
    var lo = 0, hi = keys.length;
    while (lo < hi) { var mid = (lo + hi) >>> 1; if (compare(keys[mid], key) < 0) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function find(shard, key) {
    var i = lowerBound(shard.keys, key);
    return i < shard.keys.length && shard.keys[i] === key ? i : -1;
  }

  /** The lists of one term, or null when no paper has it. Decoded lists are kept for a while. */
  Index.prototype.term = function (term) {
    var self = this, cache = this.terms || (this.terms = new Map());
    if (cache.has(term)) return cache.get(term);
    if (cache.size > 256) cache.clear();
    var promise = this.shard('t', shardOf(this.m.terms, term)).then(function (shard) {
      var i = find(shard, term);
      if (i < 0) return null;
      var v = shard.values[i];
      return v.alias !== undefined ? self.term(v.alias) : self.lists(shard, v.at);
    });
    promise.catch(function () { cache.delete(term); });
    cache.set(term, promise);
    return promise;
  };

  function orInto(target, lists) {
    if (!lists) return;
    for (var f = 0; f < 3; f++) { var t = target[f], s = lists[f]; for (var i = 0; i < t.length; i++) t[i] |= s[i]; }
  }

  /** The union of the lists of every term a word starting with `prefix` is indexed under. */
  Index.prototype.prefix = function (prefix) {
    var self = this, whole = stem(prefix);
    var exact = startsWith(whole, prefix) ? Promise.resolve(null) : this.term(whole);
    var list = this.m.prefix_list;
    var union = list && find({ keys: list }, prefix) < 0 ? this.expand(prefix) : this.shard('p', shardOf(this.m.prefixes, prefix)).then(function (shard) {
      var i = find(shard, prefix);
      if (i >= 0) return self.lists(shard, shard.values[i].at);
      return self.expand(prefix);
    });
    return Promise.all([union, exact]).then(function (parts) {
      var out = [bitset(self.papers), bitset(self.papers), bitset(self.papers)];
      orInto(out, parts[0]);
      orInto(out, parts[1]);
      return out;
    });
  };
  Index.prototype.expand = function (prefix) {
    var self = this;
    var shards = shardsOfPrefix(this.m.terms, prefix).map(function (i) { return self.shard('t', i); });
    return Promise.all(shards).then(function (shards) {
      var out = [bitset(self.papers), bitset(self.papers), bitset(self.papers)], aliases = new Set(), pending = [];
      shards.forEach(function (shard) {
        for (var i = lowerBound(shard.keys, prefix); i < shard.keys.length && startsWith(shard.keys[i], prefix); i++) {
          var v = shard.values[i];
          if (v.alias === undefined) orInto(out, self.lists(shard, v.at));
          else if (!startsWith(v.alias, prefix)) aliases.add(v.alias);
        }
      });
      aliases.forEach(function (term) { pending.push(self.term(term)); });
      return Promise.all(pending).then(function (lists) {
        lists.forEach(function (l) { orInto(out, l); });
        return out;
      });
    });
  };

  /** Topic and venue lists, per-paper topics and venues, loaded once. */
  Index.prototype.loadFacets = function () {
    var self = this;
    if (!this.facets) {
      this.facets = this.file('facets.bin', 'bytes').then(function (bytes) {
        var r = new Reader(bytes), n = self.papers;
        function group(count) {
          var sets = [];
          for (var i = 0; i < count; i++) { var b = bitset(n); readList(r, b); sets.push(b); }
          return sets;
        }
        var topics = group(r.varint());
        var venues = group(r.varint());
        // Per paper: its topics (CSR) and venue (+1, 0 for none), for counting.
        var starts = new Uint32Array(n + 1), count = new Uint32Array(n);
        topics.forEach(function (b) { forEach(b, n, function (d) { count[d]++; }); });
        for (var d = 0; d < n; d++) starts[d + 1] = starts[d] + count[d];
        var of = new Uint16Array(starts[n]), fill = starts.slice(0, n);
        topics.forEach(function (b, t) { forEach(b, n, function (d) { of[fill[d]++] = t; }); });
        var venueOf = new Uint16Array(n);
        venues.forEach(function (b, v) { forEach(b, n, function (d) { venueOf[d] = v + 1; }); });
        return { topics: topics, venues: venues, topicStarts: starts, topicsOf: of, venueOf: venueOf };
      });
    }
    return this.facets;
  };

  function forEach(bits, n, f) {
    for (var w = 0; w < bits.length; w++) {
      var word = bits[w];
      while (word) {
        var low = word & -word, d = (w << 5) + (31 - Math.clz32(low));
        if (d < n) f(d);
        word ^= low;
      }
    }
  }

  /** Paper records of chunk `c`: [slug, title, authors, date, topics, venue, abstract]. */
  Index.prototype.chunk = function (c) { return this.file('d/' + c + '.json', 'json'); };
  Index.prototype.record = function (doc) {
    var size = this.m.chunk;
    return this.chunk(Math.floor(doc / size)).then(function (records) { return records[doc % size]; });
  };

  /** Paper numbers of year `year` as [first, end). */
  Index.prototype.yearRange = function (year) {
    var ys = this.m.years;
    for (var i = 0; i < ys.length; i++) if (ys[i][0] === year) return [ys[i][1], i + 1 < ys.length ? ys[i + 1][1] : this.papers];
    return [0, 0];
  };

  // ---------------------------------------------------------------- matching and ranking

  /**
   * Runs a query. `filters`: {topics: [slug], year: number|null, venue: name|null}.
   * Resolves to {order (ranked paper numbers), matches (bitset), query, phrases, needsFacets}.
   */
  Index.prototype.search = function (text, filters) {
    var self = this, query = parseQuery(text, this.stop, this.m.min_prefix), n = this.papers;
    var hasFilters = filters.topics.length || filters.year !== null || filters.venue !== null;
    var wanted = query.words.map(function (w) { return self.term(w); });
    if (query.prefix) wanted.push(this.prefix(query.prefix));
    var facets = hasFilters ? this.loadFacets() : Promise.resolve(null);
    return Promise.all([Promise.all(wanted), facets]).then(function (got) {
      var lists = got[0], f = got[1];
      var result = { query: query, order: new Uint32Array(0), matches: bitset(n), total: 0 };
      if (isEmptyQuery(query) && !hasFilters) return result;
      if (lists.some(function (l) { return !l; })) return result;
      var started = now();
      var matches = result.matches;
      matches.fill(0xffffffff);
      if (n & 31) matches[matches.length - 1] = (1 << (n & 31)) - 1;
      lists.forEach(function (l) {
        for (var i = 0; i < matches.length; i++) matches[i] &= l[0][i] | l[1][i] | l[2][i];
      });
      if (f) self.applyFilters(matches, filters, f);
      result.order = rank(matches, lists, n);
      result.total = result.order.length;
      result.ms = now() - started;
      return result;
    });
  };

  Index.prototype.applyFilters = function (matches, filters, f) {
    var self = this;
    filters.topics.forEach(function (slug) {
      var t = self.m.topics.findIndex(function (x) { return x[1] === slug; });
      var b = t >= 0 ? f.topics[t] : null;
      for (var i = 0; i < matches.length; i++) matches[i] &= b ? b[i] : 0;
    });
    if (filters.venue !== null) {
      var v = self.m.venues.indexOf(filters.venue), vb = v >= 0 ? f.venues[v] : null;
      for (var i = 0; i < matches.length; i++) matches[i] &= vb ? vb[i] : 0;
    }
    if (filters.year !== null) keepRange(matches, self.yearRange(filters.year));
  };
  /** Clears every paper number outside [range[0], range[1]). */
  function keepRange(bits, range) {
    for (var w = 0; w < bits.length; w++) {
      var base = w << 5;
      if (base + 32 <= range[0] || base >= range[1]) { bits[w] = 0; continue; }
      for (var b = 0; b < 32; b++) if (base + b < range[0] || base + b >= range[1]) bits[w] &= ~(1 << b);
    }
  }

  /**
   * Ranks matching papers: more query words in the title first, then more in the authors, then
   * newer first (paper numbers are newest first). A bucket sort: linear in the matches.
   */
  function rank(matches, lists, n) {
    var words = lists.length, base = words + 1, buckets = base * base, total = 0, w, m;
    for (w = 0; w < matches.length; w++) total += popcount(matches[w]);
    var docs = new Uint32Array(total), score = new Uint32Array(total), counts = new Uint32Array(buckets), k = 0;
    for (w = 0; w < matches.length; w++) {
      for (m = matches[w]; m; m ^= m & -m) {
        var low = m & -m, title = 0, authors = 0;
        for (var i = 0; i < words; i++) {
          if (lists[i][0][w] & low) title++;
          else if (lists[i][1][w] & low) authors++;
        }
        var s = title * base + authors;
        docs[k] = (w << 5) + 31 - Math.clz32(low);
        score[k++] = s;
        counts[s]++;
      }
    }
    if (buckets === 1) return docs;
    var starts = new Uint32Array(buckets), at = 0;
    for (var b = buckets - 1; b >= 0; b--) { starts[b] = at; at += counts[b]; }
    var order = new Uint32Array(total);
    for (var j = 0; j < total; j++) order[starts[score[j]]++] = docs[j];
    return order;
  }

  function popcount(x) {
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }

  /** Per topic, year and venue, how many of `matches` have it. */
  function countFacets(index, matches, f) {
    var topics = new Uint32Array(index.m.topics.length), venues = new Uint32Array(index.m.venues.length);
    var ys = index.m.years, years = new Uint32Array(ys.length), y = 0;
    var starts = f.topicStarts, of = f.topicsOf, venueOf = f.venueOf;
    for (var w = 0; w < matches.length; w++) {
      for (var m = matches[w]; m; m ^= m & -m) {
        var d = (w << 5) + 31 - Math.clz32(m & -m);
        if (d >= index.papers) break;
        for (var k = starts[d]; k < starts[d + 1]; k++) topics[of[k]]++;
        if (venueOf[d]) venues[venueOf[d] - 1]++;
        while (y + 1 < ys.length && d >= ys[y + 1][1]) y++;
        years[y]++;
      }
    }
    return { topics: topics, venues: venues, years: years };
  }

  /** Whether a paper record contains every phrase of the query, word for word. */
  function hasPhrases(record, phrases) {
    if (!phrases.length) return true;
    var fields = [tokens(record[1]), tokens(record[2].join(' ; ')), tokens(record[6] || '')];
    return phrases.every(function (phrase) {
      return fields.some(function (words) {
        outer: for (var i = 0; i + phrase.length <= words.length; i++) {
          for (var j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
          return true;
        }
        return false;
      });
    });
  }

  function now() { return typeof performance !== 'undefined' ? performance.now() : Date.now(); }

  // ---------------------------------------------------------------- highlighting

  /** A test for "does this folded token match the query". */
  function matcher(query, stop) {
    var stems = new Set(query.words), exact = new Set();
    query.phrases.forEach(function (p) { p.forEach(function (t) { exact.add(t); }); });
    var prefix = query.prefix, prefixStem = prefix && stem(prefix), known = new Map();
    return function (token) {
      if (known.has(token)) return known.get(token);
      var hit = exact.has(token);
      if (!hit && isIndexed(token, stop)) {
        var s = stem(token);
        hit = stems.has(s) || (prefix !== null && (startsWith(token, prefix) || s === prefixStem || startsWith(s, prefix)));
      }
      known.set(token, hit);
      return hit;
    };
  }

  /** Pieces of `text`, [string, isMatch], for a window of about `words` runs around the matches. */
  function highlight(text, isMatch, words) {
    var rs = runs(text), hits = rs.map(function (r) { return r.tokens.some(isMatch); });
    var start = 0, end = rs.length;
    if (words && rs.length > words) {
      var best = -1, bestStart = 0, inWindow = 0;
      for (var i = 0; i < rs.length; i++) {
        if (hits[i]) inWindow++;
        if (i >= words && hits[i - words]) inWindow--;
        if (inWindow > best) { best = inWindow; bestStart = Math.max(0, i - words + 1); }
      }
      // Start a few words before the first hit of the best window.
      var first = bestStart;
      while (first < rs.length && !hits[first]) first++;
      start = best > 0 ? Math.max(0, Math.min(first - 4, rs.length - words)) : 0;
      end = Math.min(rs.length, start + words);
    }
    var pieces = [], from = start > 0 ? rs[start].start : 0;
    if (start > 0) pieces.push(['… ', false]);
    for (var k = start; k < end; k++) {
      if (!hits[k]) continue;
      if (rs[k].start > from) pieces.push([text.slice(from, rs[k].start), false]);
      pieces.push([text.slice(rs[k].start, rs[k].end), true]);
      from = rs[k].end;
    }
    var stop = end < rs.length ? rs[end - 1].end : text.length;
    if (stop > from) pieces.push([text.slice(from, stop), false]);
    if (end < rs.length) pieces.push([' …', false]);
    return pieces;
  }

  var api = {
    fold: fold, runs: runs, tokens: tokens, isIndexed: isIndexed, stem: stem, parseQuery: parseQuery,
    Reader: Reader, parseShard: parseShard, readList: readList, bitset: bitset, has: has, forEach: forEach,
    shardOf: shardOf, shardsOfPrefix: shardsOfPrefix, compare: compare, rank: rank, Index: Index,
    countFacets: countFacets, hasPhrases: hasPhrases, matcher: matcher, highlight: highlight
  };
  if (typeof module === 'object' && module.exports) module.exports = api;
  if (typeof document === 'undefined') return;

  // ---------------------------------------------------------------- the interface

  var MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
    'October', 'November', 'December'];
  var PAGE_SIZE = 10, POPUP_SIZE = 6, SNIPPET_WORDS = 32, DEBOUNCE_MS = 60;
  var opened = new Map();
  var stats = { searches: [] };
  root.digestifSearch = { api: api, stats: stats };

  function fetchFile(url, kind) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status + ' for ' + url);
      return kind === 'json' ? response.json() : response.arrayBuffer().then(function (b) { return new Uint8Array(b); });
    });
  }

  function openIndex(url) {
    var href = new URL(url, location.href).href;
    if (!opened.has(href)) {
      var promise = fetch(href, { cache: 'no-cache' }).then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status + ' for ' + href);
        return response.json();
      }).then(function (manifest) {
        if (manifest.format !== 1) throw new Error('unsupported index format ' + manifest.format);
        return new Index(href, manifest, fetchFile);
      });
      promise.catch(function () { opened.delete(href); });
      opened.set(href, promise);
    }
    return opened.get(href);
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined) return;
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function marked(pieces) {
    var span = el('span');
    pieces.forEach(function (p) { span.appendChild(p[1] ? el('mark', { text: p[0] }) : document.createTextNode(p[0])); });
    return span;
  }
  function displayDate(iso) {
    var p = iso.split('-');
    return Number(p[2]) + ' ' + MONTHS[Number(p[1]) - 1] + ' ' + p[0];
  }
  function plural(n, word) { return n.toLocaleString('en') + ' ' + word + (n === 1 ? '' : 's'); }

  /** One result: title, authors, date, topic chips, snippet. */
  function resultItem(index, record, isMatch, id, compact) {
    var url = new URL('../papers/' + record[0] + '/', index.url).pathname;
    var authors = record[2];
    var shown = authors.length > 6 ? authors.slice(0, 5).join(', ') + ' and ' + (authors.length - 5) + ' more' : authors.join(', ');
    var meta = el('p', { class: 'meta' }, [
      el('time', { datetime: record[3], text: displayDate(record[3]) }),
      record[5] !== null && record[5] !== undefined ? el('span', { text: index.m.venues[record[5]] }) : null
    ]);
    var chips = null;
    if (record[4].length) {
      chips = el('ul', { class: 'chips', 'aria-label': 'Topics' }, record[4].map(function (t) {
        var topic = index.m.topics[t];
        return el('li', null, [el('a', { href: new URL('../topics/' + topic[1] + '/', index.url).pathname, tabindex: compact ? '-1' : null, text: topic[0] })]);
      }));
    }
    var snippet = record[6] ? el('p', { class: 'snippet' }, [marked(highlight(record[6], isMatch, compact ? 20 : SNIPPET_WORDS))]) : null;
    // Under the header box the list is a listbox of options; on the search page a result holds
    // links a reader tabs to, which an option must not (axe: nested-interactive), so it is a
    // plain list item there.
    var item = compact ? { class: 'search-result', id: id, role: 'option', 'aria-selected': 'false' } : { class: 'search-result', id: id };
    return el('li', item, [
      // In the list under the header box the arrows choose a result; on the search page, Tab too.
      el('a', { class: 'result-title', href: url, tabindex: compact ? '-1' : null }, [marked(highlight(record[1], isMatch, 0))]),
      shown ? el('p', { class: 'authors' }, [marked(highlight(shown, isMatch, 0))]) : null,
      meta, chips, snippet
    ]);
  }

  /** Reads and writes the state in the page's address: q, topic (repeated), year, venue. */
  function stateFromUrl() {
    var p = new URLSearchParams(location.search);
    var year = p.get('year');
    return {
      q: p.get('q') || '',
      filters: {
        topics: p.getAll('topic').filter(Boolean),
        year: year && /^\d+$/.test(year) ? Number(year) : null,
        venue: p.get('venue') || null
      }
    };
  }
  function urlFor(state) {
    var p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    state.filters.topics.forEach(function (t) { p.append('topic', t); });
    if (state.filters.year !== null) p.set('year', String(state.filters.year));
    if (state.filters.venue !== null) p.set('venue', state.filters.venue);
    var s = p.toString();
    return location.pathname + (s ? '?' + s : '');
  }

  /**
   * Keyboard selection over result items: in a listbox (`isListbox`) announced through
   * aria-activedescendant, on the search page's plain list shown with `data-selected`.
   */
  function Selection(input, list, isListbox) {
    this.input = input; this.list = list; this.at = -1; this.isListbox = isListbox;
  }
  Selection.prototype.items = function () { return Array.prototype.slice.call(this.list.querySelectorAll('.search-result')); };
  Selection.prototype.move = function (step) {
    var items = this.items();
    if (!items.length) return;
    this.at = Math.max(-1, Math.min(items.length - 1, this.at + step));
    this.show(items);
  };
  Selection.prototype.reset = function () { this.at = -1; this.show(this.items()); };
  Selection.prototype.show = function (items) {
    var at = this.at, isListbox = this.isListbox;
    items.forEach(function (item, i) {
      if (isListbox) item.setAttribute('aria-selected', i === at ? 'true' : 'false');
      else if (i === at) item.setAttribute('data-selected', '');
      else item.removeAttribute('data-selected');
    });
    if (at >= 0 && !isListbox) {
      items[at].scrollIntoView({ block: 'nearest' });
    } else if (at >= 0) {
      this.input.setAttribute('aria-activedescendant', items[at].id);
      items[at].scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  };
  Selection.prototype.link = function () {
    var items = this.items();
    return this.at >= 0 && items[this.at] ? items[this.at].querySelector('a.result-title') : null;
  };

  /**
   * What a search cost, for window.digestifSearch.stats: milliseconds from the query to the
   * results drawn (`ms`), of which matching and ranking (`rankMs`), and the index files fetched
   * by this page so far (`files`, `bytes` as transferred, compressed or not).
   */
  function measure(q, started, result, indexUrl) {
    if (stats.searches.length > 50) stats.searches.splice(0, 25);
    var dir = new URL('.', new URL(indexUrl, location.href)).href, bytes = 0, files = 0;
    if (typeof performance !== 'undefined' && performance.getEntriesByType) {
      performance.getEntriesByType('resource').forEach(function (e) {
        if (e.name.slice(0, dir.length) === dir) { bytes += e.encodedBodySize || 0; files++; }
      });
    }
    return { q: q, ms: now() - started, rankMs: result.ms || 0, total: result.total, bytes: bytes, files: files };
  }

  function failure(error) {
    return 'Search is unavailable: the index could not be loaded (' + (error && error.message || error) + ').';
  }

  /** The search page: results, facets and "show more", with the state in the address. */
  function SearchPage(form, input, page) {
    var self = this;
    this.form = form; this.input = input;
    this.status = page.querySelector('[data-search-status]');
    this.list = page.querySelector('[data-search-results]');
    this.more = page.querySelector('[data-search-more]');
    this.facetBox = page.querySelector('[data-search-facets]');
    this.selection = new Selection(input, this.list, false);
    this.generation = 0;
    this.state = stateFromUrl();
    input.value = this.state.q;
    input.setAttribute('aria-controls', this.list.id);
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        self.state.q = input.value;
        history.replaceState(null, '', urlFor(self.state));
        self.run();
      }, DEBOUNCE_MS);
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearTimeout(timer);
      self.state.q = input.value;
      self.go(false);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        self.selection.move(e.key === 'ArrowDown' ? 1 : -1);
      } else if (e.key === 'Enter' && self.selection.link()) {
        e.preventDefault();
        location.href = self.selection.link().href;
      } else if (e.key === 'Escape') {
        self.selection.reset();
      }
    });
    this.more.addEventListener('click', function () { self.showMore(); });
    page.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('a[data-filter]');
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      self.state = stateFromHref(a.href);
      self.go(true);
    });
    window.addEventListener('popstate', function () {
      self.state = stateFromUrl();
      input.value = self.state.q;
      self.run();
    });
    this.run();
  }
  function stateFromHref(href) {
    var p = new URL(href).searchParams, year = p.get('year');
    return {
      q: p.get('q') || '',
      filters: { topics: p.getAll('topic'), year: year ? Number(year) : null, venue: p.get('venue') || null }
    };
  }
  SearchPage.prototype.go = function (push) {
    var url = urlFor(this.state);
    if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
    this.input.value = this.state.q;
    this.run();
  };
  SearchPage.prototype.run = function () {
    var self = this, generation = ++this.generation, started = now();
    var state = { q: this.state.q, filters: this.state.filters };
    openIndex(this.form.getAttribute('data-index')).then(function (index) {
      self.index = index;
      return index.search(state.q, state.filters).then(function (result) {
        if (generation !== self.generation) return null;
        self.result = result;
        self.verified = [];
        self.checked = 0;
        self.list.textContent = '';
        self.selection.reset();
        return self.fill(PAGE_SIZE).then(function () {
          if (generation !== self.generation) return;
          stats.searches.push(measure(state.q, started, result, self.form.getAttribute('data-index')));
          self.facets(state);
        });
      });
    }).catch(function (error) {
      if (generation !== self.generation) return;
      self.status.textContent = failure(error);
      self.list.textContent = '';
      self.more.hidden = true;
    });
  };

  /** Shows `count` more results, checking phrases on the way. */
  SearchPage.prototype.fill = function (count) {
    var self = this, index = this.index, result = this.result, generation = this.generation;
    var want = this.verified.length + count, phrases = result.query.phrases;
    var isMatch = matcher(result.query, index.stop);
    function step() {
      if (generation !== self.generation) return Promise.resolve();
      if (self.verified.length >= want || self.checked >= result.order.length) return Promise.resolve();
      var batch = Array.prototype.slice.call(result.order, self.checked, self.checked + (phrases.length ? 3 * PAGE_SIZE : want - self.verified.length));
      self.checked += batch.length;
      return Promise.all(batch.map(function (d) { return index.record(d); })).then(function (records) {
        records.forEach(function (r, i) { if (hasPhrases(r, phrases)) self.verified.push([batch[i], r]); });
        return step();
      });
    }
    return step().then(function () {
      if (generation !== self.generation) return;
      var shown = self.list.children.length;
      self.verified.slice(shown, want).forEach(function (pair, i) {
        self.list.appendChild(resultItem(index, pair[1], isMatch, 'search-result-' + (shown + i), false));
      });
      self.more.hidden = !(self.verified.length > want || self.checked < result.order.length);
      self.describe();
    });
  };
  SearchPage.prototype.showMore = function () {
    var first = this.list.children.length;
    var self = this;
    this.fill(PAGE_SIZE).then(function () {
      var item = self.list.children[first];
      if (item) { var a = item.querySelector('a'); if (a) a.focus(); }
    });
  };
  SearchPage.prototype.describe = function () {
    var r = this.result, q = r.query, f = this.state.filters, status = this.status;
    var filtered = f.topics.length || f.year !== null || f.venue !== null;
    status.textContent = '';
    if (isEmptyQuery(q) && !filtered) {
      status.textContent = this.state.q.trim()
        ? 'Keep typing: words of one letter and very common words are not searched.'
        : 'Search ' + plural(this.index.papers, 'paper') + ' by title, author, abstract or topic. Use "quotes" for an exact phrase.';
      this.more.hidden = true;
      return;
    }
    var fullyChecked = this.checked >= r.order.length;
    if (!this.verified.length && fullyChecked) {
      status.appendChild(document.createTextNode(filtered
        ? 'No papers match this search with the current filters. '
        : 'No papers match this search. Try fewer words, or check the spelling.'));
      if (filtered) status.appendChild(el('a', { href: urlFor({ q: this.state.q, filters: { topics: [], year: null, venue: null } }), 'data-filter': '', text: 'Search without filters' }));
      return;
    }
    var count = q.phrases.length && !fullyChecked
      ? this.verified.length + '+ papers with the exact phrase (' + plural(r.total, 'paper') + ' have all the words)'
      : plural(q.phrases.length ? this.verified.length : r.total, 'paper');
    status.textContent = count;
  };

  /** The filter panel: active filters, then topic, year and venue counts for this query. */
  SearchPage.prototype.facets = function (state) {
    var self = this, index = this.index, generation = this.generation, result = this.result;
    if (!this.facetBox) return;
    index.loadFacets().then(function (f) {
      if (generation !== self.generation) return;
      var matches = result.matches;
      if (isEmptyQuery(result.query) && !state.filters.topics.length && state.filters.year === null && state.filters.venue === null) {
        matches = bitset(index.papers);
        matches.fill(0xffffffff);
      }
      var counts = countFacets(index, matches, f);
      var box = self.facetBox;
      box.textContent = '';
      var active = [];
      state.filters.topics.forEach(function (slug) {
        var t = index.m.topics.find(function (x) { return x[1] === slug; });
        active.push([t ? t[0] : slug, withFilter(state, 'topic', slug, false)]);
      });
      if (state.filters.year !== null) active.push([String(state.filters.year), withFilter(state, 'year', null, false)]);
      if (state.filters.venue !== null) active.push([state.filters.venue, withFilter(state, 'venue', null, false)]);
      if (active.length) {
        box.appendChild(el('h2', { text: 'Filters' }));
        box.appendChild(el('ul', { class: 'active-filters' }, active.map(function (a) {
          return el('li', null, [el('a', { href: a[1], 'data-filter': '', 'aria-label': 'Remove filter ' + a[0] }, [a[0] + ' ', el('span', { 'aria-hidden': 'true', text: '×' })])]);
        })));
      }
      var topicItems = [];
      counts.topics.forEach(function (c, t) {
        var slug = index.m.topics[t][1];
        if (c && state.filters.topics.indexOf(slug) < 0) topicItems.push([index.m.topics[t][0], c, withFilter(state, 'topic', slug, true)]);
      });
      topicItems.sort(function (a, b) { return b[1] - a[1] || compare(a[0], b[0]); });
      section(box, 'Topic', topicItems, 12);
      if (state.filters.year === null) {
        var yearItems = [];
        counts.years.forEach(function (c, y) { if (c) yearItems.push([String(index.m.years[y][0]), c, withFilter(state, 'year', index.m.years[y][0], true)]); });
        section(box, 'Year', yearItems, 12);
      }
      if (state.filters.venue === null && index.m.venues.length) {
        var venueItems = [];
        counts.venues.forEach(function (c, v) { if (c) venueItems.push([index.m.venues[v], c, withFilter(state, 'venue', index.m.venues[v], true)]); });
        section(box, 'Venue', venueItems, 8);
      }
    }).catch(function (error) {
      if (generation === self.generation) self.facetBox.textContent = failure(error);
    });
  };
  function withFilter(state, key, value, add) {
    var s = { q: state.q, filters: { topics: state.filters.topics.slice(), year: state.filters.year, venue: state.filters.venue } };
    if (key === 'topic') {
      s.filters.topics = s.filters.topics.filter(function (t) { return t !== value; });
      if (add) s.filters.topics.push(value);
    } else {
      s.filters[key] = add ? value : null;
    }
    return urlFor(s);
  }
  function section(box, title, items, limit) {
    if (!items.length) return;
    var list = el('ul', { class: 'facet-list' });
    items.forEach(function (item, i) {
      var li = el('li', i >= limit ? { hidden: '' } : null, [el('a', { href: item[2], 'data-filter': '' }, [item[0] + ' ', el('span', { class: 'count', text: item[1].toLocaleString('en') })])]);
      list.appendChild(li);
    });
    var group = el('section', { class: 'facet' }, [el('h2', { text: title }), list]);
    if (items.length > limit) {
      var button = el('button', { type: 'button', class: 'facet-more', text: 'Show all ' + items.length });
      button.addEventListener('click', function () {
        Array.prototype.forEach.call(list.children, function (li) { li.hidden = false; });
        button.remove();
      });
      group.appendChild(button);
    }
    box.appendChild(group);
  }

  /** The header box on other pages: a list of top results under the box as you type. */
  function Popup(form, input) {
    var self = this;
    this.form = form; this.input = input;
    this.box = form.querySelector('[data-search-popup]');
    this.list = el('ol', { class: 'search-results', id: 'search-popup-results', role: 'listbox', 'aria-label': 'Search results' });
    this.status = el('p', { class: 'search-status', role: 'status', 'aria-live': 'polite' });
    this.box.appendChild(this.list);
    this.box.appendChild(this.status);
    this.selection = new Selection(input, this.list, true);
    this.generation = 0;
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-controls', this.list.id);
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-autocomplete', 'list');
    var timer = null;
    input.addEventListener('focus', function () {
      openIndex(form.getAttribute('data-index')).catch(function () {});
      if (input.value.trim() && self.list.children.length) self.open(true);
    });
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.run(); }, DEBOUNCE_MS);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (self.box.hidden && input.value.trim()) self.open(true);
        self.selection.move(e.key === 'ArrowDown' ? 1 : -1);
      } else if (e.key === 'Enter' && self.selection.link()) {
        e.preventDefault();
        location.href = self.selection.link().href;
      } else if (e.key === 'Escape') {
        if (!self.box.hidden) { e.preventDefault(); self.open(false); }
      }
    });
    form.addEventListener('focusout', function (e) {
      if (!form.contains(e.relatedTarget)) self.open(false);
    });
  }
  Popup.prototype.open = function (show) {
    this.box.hidden = !show;
    this.input.setAttribute('aria-expanded', show ? 'true' : 'false');
    if (!show) this.selection.reset();
  };
  Popup.prototype.run = function () {
    var self = this, generation = ++this.generation, text = this.input.value, started = now();
    if (!text.trim()) { this.open(false); this.list.textContent = ''; return; }
    openIndex(this.form.getAttribute('data-index')).then(function (index) {
      return index.search(text, { topics: [], year: null, venue: null }).then(function (result) {
        if (generation !== self.generation) return null;
        var isMatch = matcher(result.query, index.stop), picked = [], checked = 0;
        function step() {
          if (picked.length >= POPUP_SIZE || checked >= result.order.length) return Promise.resolve();
          var batch = Array.prototype.slice.call(result.order, checked, checked + POPUP_SIZE);
          checked += batch.length;
          return Promise.all(batch.map(function (d) { return index.record(d); })).then(function (records) {
            records.forEach(function (r) { if (picked.length < POPUP_SIZE && hasPhrases(r, result.query.phrases)) picked.push(r); });
            return result.query.phrases.length ? step() : null;
          });
        }
        return step().then(function () {
          if (generation !== self.generation) return;
          self.list.textContent = '';
          self.selection.reset();
          picked.forEach(function (r, i) { self.list.appendChild(resultItem(index, r, isMatch, 'search-popup-' + i, true)); });
          var all = self.form.getAttribute('action') + '?q=' + encodeURIComponent(text);
          self.status.textContent = '';
          if (isEmptyQuery(result.query)) {
            self.status.textContent = 'Keep typing…';
          } else if (!picked.length) {
            self.status.textContent = 'No papers match this search.';
          } else {
            var more = result.query.phrases.length || result.total > picked.length;
            self.status.appendChild(el('a', { href: all, text: more
              ? 'See all ' + (result.query.phrases.length ? 'results' : plural(result.total, 'result')) + ', with filters →'
              : 'Open on the search page, with filters →' }));
          }
          self.open(true);
          stats.searches.push(measure(text, started, result, self.form.getAttribute('data-index')));
        });
      });
    }).catch(function (error) {
      if (generation !== self.generation) return;
      self.list.textContent = '';
      self.status.textContent = failure(error);
      self.open(true);
    });
  };

  function start() {
    var page = document.querySelector('[data-search-page]');
    var forms = Array.prototype.slice.call(document.querySelectorAll('form[data-search-form]'));
    var inputs = [];
    forms.forEach(function (form) {
      var input = form.querySelector('input[name="q"]');
      if (!input) return;
      inputs.push(input);
      if (page && page.contains(form)) new SearchPage(form, input, page);
      else if (form.querySelector('[data-search-popup]')) new Popup(form, input);
    });
    document.addEventListener('keydown', function (e) {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || !inputs.length) return;
      var t = e.target, tag = t && t.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (t && t.isContentEditable)) return;
      e.preventDefault();
      var input = page ? inputs.find(function (i) { return page.contains(i); }) || inputs[0] : inputs[0];
      input.focus();
      input.select();
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(typeof window !== 'undefined' ? window : this);
