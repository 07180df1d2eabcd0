// Tests of search.js with node's built-in runner. `cargo test` runs them (tests/browser/search_js.rs),
// after writing what the Rust side computes into DIGESTIF_JS_FIXTURES: stems, tokens and shard
// routing to compare with, and the search fixture site built with its index.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const S = require('../../src/search/search.js');

const FIXTURES = process.env.DIGESTIF_JS_FIXTURES;
const needsFixtures = { skip: FIXTURES ? false : 'run through cargo test (DIGESTIF_JS_FIXTURES unset)' };
const read = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const NO_FILTERS = { topics: [], year: null, venue: null };

function openFixture() {
  const dir = path.join(FIXTURES, 'site', 'search');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const fetched = [];
  const load = async (url, kind) => {
    const u = new URL(url);
    assert.match(u.search, /^\?v=[0-9a-f]{16}$/, 'every index file is fetched with the build id');
    fetched.push(u.pathname);
    const bytes = fs.readFileSync(path.join(dir, u.pathname.replace(/^\/search\//, '')));
    return kind === 'json' ? JSON.parse(bytes.toString('utf8')) : new Uint8Array(bytes);
  };
  const index = new S.Index('http://127.0.0.1/search/index.json', manifest, load);
  return { index, fetched };
}

async function titles(index, query, filters = NO_FILTERS) {
  const result = await index.search(query, filters);
  const records = await Promise.all(Array.from(result.order, (d) => index.record(d)));
  return records.filter((r) => S.hasPhrases(r, result.query.phrases)).map((r) => r[1]);
}

test('stems agree with the Rust stemmer', needsFixtures, () => {
  const pairs = read('stems.json');
  assert.ok(pairs.length > 500, `${pairs.length} words`);
  const wrong = pairs.filter(([word, stem]) => S.stem(word) !== stem);
  assert.deepEqual(wrong.slice(0, 10).map(([w, s]) => [w, s, S.stem(w)]), []);
});

test('folding and tokenising agree with Rust', needsFixtures, () => {
  for (const [text, tokens] of read('tokens.json')) assert.deepEqual(S.tokens(text), tokens, text);
});

test('shard routing agrees with Rust', needsFixtures, () => {
  const routing = read('routing.json');
  for (const [key, shard] of routing.keys) assert.equal(S.shardOf(routing.separators, key), shard, key);
  for (const [prefix, shards] of routing.prefixes) assert.deepEqual(S.shardsOfPrefix(routing.separators, prefix), shards, prefix);
});

test('lists decode as Rust encoded them, in every encoding', needsFixtures, () => {
  const lists = read('lists.json');
  const kinds = new Set();
  for (const [hex, docs] of lists) {
    const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
    kinds.add(bytes[0] & 3);
    const max = docs.length ? docs[docs.length - 1] + 1 : 1;
    const bits = S.bitset(max);
    const reader = new S.Reader(bytes);
    S.readList(reader, bits);
    assert.equal(reader.at, bytes.length, 'reads exactly the list');
    const back = [];
    S.forEach(bits, max, (d) => back.push(d));
    assert.deepEqual(back, docs);
  }
  assert.deepEqual([...kinds].sort(), [0, 1, 2, 3], 'every encoding was tried');
});

test('folding drops case and diacritics', () => {
  assert.equal(S.fold('Schrödinger'), 'schrodinger');
  assert.deepEqual(S.tokens('Łukasz Straße ﬁne-tuning GPT-4'), ['lukasz', 'strasse', 'fine', 'tuning', 'gpt', '4']);
});

test('queries: words, phrases and the word being typed', () => {
  const stop = new Set(['the', 'of', 'is', 'all', 'you']);
  assert.deepEqual(S.parseQuery('Diffusion mod', stop), { words: ['diffus'], phrases: [], prefix: 'mod' });
  assert.deepEqual(S.parseQuery('diffusion models ', stop), { words: ['diffus', 'model'], phrases: [], prefix: null });
  assert.deepEqual(S.parseQuery('"language models" scal', stop),
    { words: ['languag', 'model'], phrases: [['language', 'models']], prefix: 'scal' });
  assert.deepEqual(S.parseQuery('"attention is all', stop), { words: ['attent'], phrases: [['attention', 'is', 'all']], prefix: null },
    'an unclosed quote runs to the end');
  assert.deepEqual(S.parseQuery('attention the', stop), { words: ['attent'], phrases: [], prefix: null }, 'a stop word being typed is left out');
  assert.deepEqual(S.parseQuery('attention x', stop), { words: ['attent'], phrases: [], prefix: null }, 'one letter is too short');
  assert.deepEqual(S.parseQuery('  ', stop), { words: [], phrases: [], prefix: null });
});

test('highlighting marks matched words in a window', () => {
  const query = S.parseQuery('diffusion sampl', new Set());
  const isMatch = S.matcher(query, new Set());
  const pieces = S.highlight('Fast Sampling of Diffusion Models', isMatch, 0);
  assert.deepEqual(pieces.filter((p) => p[1]).map((p) => p[0]), ['Sampling', 'Diffusion']);
  assert.equal(pieces.map((p) => p[0]).join(''), 'Fast Sampling of Diffusion Models');
  const long = Array.from({ length: 80 }, (_, i) => (i === 60 ? 'diffusion' : 'word' + i)).join(' ');
  const window = S.highlight(long, isMatch, 20).map((p) => p[0]).join('');
  assert.ok(window.startsWith('… ') && window.includes('diffusion') && window.endsWith(' …'), window);
});

test('ranking: title, then authors, then abstract; newer first on ties', needsFixtures, async () => {
  const { index } = openFixture();
  assert.deepEqual(await titles(index, 'hinton'), [
    "A Tribute to Hinton's Boltzmann Machines", // title, 2012
    'Dropout: A Simple Way to Prevent Neural Networks from Overfitting', // authors, 2014
    'Training Compute-Optimal Large Language Models', // abstract, 2022
  ]);
  const diffusionModels = await titles(index, 'diffusion models');
  assert.deepEqual(diffusionModels.slice(0, 2), [
    'Elucidating the Design Space of Diffusion-Based Generative Models', // both words in the title, 2022
    'Denoising Diffusion Probabilistic Models', // both in the title, 2020
  ]);
  assert.equal(diffusionModels[2], 'Improved Techniques for Training Consistency Models', 'one word in the title, newest');
});

test('matching: every word, prefixes, stems, folding, phrases, authors by last name', needsFixtures, async () => {
  const { index } = openFixture();
  assert.deepEqual(await titles(index, 'schrodinger'), ['Quantum Mechanics of Schrödinger Bridges']);
  assert.deepEqual(await titles(index, 'SCHRÖDINGER bridge'), ['Quantum Mechanics of Schrödinger Bridges']);
  assert.deepEqual(await titles(index, 'dupre muller'), ['Quantum Mechanics of Schrödinger Bridges'], 'authors, folded');
  assert.deepEqual(await titles(index, 'vaswani'), ['Attention Is All You Need']);
  assert.deepEqual(await titles(index, 'vasw'), ['Attention Is All You Need'], 'prefix of the last word');
  assert.deepEqual(await titles(index, 'vasw '), [], 'a finished word is not a prefix');
  assert.deepEqual(await titles(index, 'overfit'), ['Dropout: A Simple Way to Prevent Neural Networks from Overfitting']);
  assert.deepEqual(await titles(index, 'estimated gradient'), ['Generative Modeling by Estimating Gradients of the Data Distribution'], 'stems');
  assert.deepEqual(await titles(index, 'language models'), [
    'Training Compute-Optimal Large Language Models', 'Scaling Laws for Neural Language Models']);
  assert.deepEqual(await titles(index, '"models language"'), [], 'a phrase keeps its order');
  assert.deepEqual(await titles(index, '"language models"'), [
    'Training Compute-Optimal Large Language Models', 'Scaling Laws for Neural Language Models']);
  assert.deepEqual(await titles(index, 'diffusion zebra'), [], 'every word must match');
  assert.deepEqual(await titles(index, 'regularization'), ['Dropout: A Simple Way to Prevent Neural Networks from Overfitting'], 'topic names are searched');
  assert.deepEqual(await titles(index, '2310.14189'), ['Improved Techniques for Training Consistency Models'], 'arXiv ids');
});

test('filters narrow results and facets count them', needsFixtures, async () => {
  const { index } = openFixture();
  const all = await titles(index, 'song');
  assert.equal(all.length, 4);
  const consistency = await titles(index, 'song', { topics: ['consistency-models'], year: null, venue: null });
  assert.deepEqual(consistency, ['Improved Techniques for Training Consistency Models', 'Consistency Models']);
  assert.deepEqual(await titles(index, 'song', { topics: [], year: 2019, venue: null }),
    ['Generative Modeling by Estimating Gradients of the Data Distribution']);
  assert.deepEqual(await titles(index, 'song', { topics: [], year: null, venue: 'ICLR 2024' }),
    ['Improved Techniques for Training Consistency Models']);
  assert.deepEqual(await titles(index, '', { topics: ['regularization'], year: null, venue: null }),
    ['Dropout: A Simple Way to Prevent Neural Networks from Overfitting'], 'filters alone list papers');

  const result = await index.search('song', NO_FILTERS);
  const counts = S.countFacets(index, result.matches, await index.loadFacets());
  const topic = (slug) => counts.topics[index.m.topics.findIndex((t) => t[1] === slug)];
  assert.equal(topic('diffusion'), 4);
  assert.equal(topic('consistency-models'), 2);
  assert.equal(topic('transformers'), 0);
  const year = (y) => counts.years[index.m.years.findIndex((e) => e[0] === y)];
  assert.deepEqual([year(2023), year(2020), year(2019)], [2, 1, 1]);
});

test('a query fetches only the shards it needs', needsFixtures, async () => {
  const { index, fetched } = openFixture();
  await index.search('vaswani', NO_FILTERS);
  assert.ok(!fetched.some((f) => f.includes('/d/') || f.includes('facets')), fetched.join(' '));
  await index.record(0);
  assert.ok(fetched.includes('/search/d/0.json'));
});
