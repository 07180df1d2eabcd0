//! Sorted dictionaries cut into shards of about [`TARGET_BYTES`], so a query fetches only the
//! few shards that hold its words.
//!
//! The manifest lists each shard's *separator*: the shortest string that is above every key of
//! the shard before and at most the shard's first key (the first separator is empty). A key lives
//! in the last shard whose separator is at most the key; the keys starting with a prefix live in
//! the shards from that one on, while their separators are at most the prefix or start with it.
//!
//! A shard is a varint entry count, then entries in key order:
//!
//! ```text
//! varint shared, varint n, n bytes     key: `shared` bytes of the previous key, then these
//! u8 kind                              0: lists, 1: alias
//! kind 0: three lists (postings.rs)    title, authors, body
//! kind 1: varint shared, varint n, n bytes   the term, sharing `shared` bytes with this key
//! ```

use super::postings::push_varint;

/// Shards grow to about this size; one term with longer lists gets a shard of its own.
pub const TARGET_BYTES: usize = 12 * 1024;

pub const LISTS: u8 = 0;
pub const ALIAS: u8 = 1;

pub enum Value<'a> {
    /// Three encoded lists.
    Lists(&'a [u8]),
    /// The term a word is indexed under.
    Alias(&'a str),
}

pub struct Shards {
    pub separators: Vec<String>,
    pub files: Vec<Vec<u8>>,
}

fn shared_len(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // Share whole characters only, so the reader can decode each suffix as UTF-8.
    while !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

fn push_key(out: &mut Vec<u8>, previous: &str, key: &str) {
    let shared = shared_len(previous, key);
    push_varint(out, shared as u64);
    push_varint(out, (key.len() - shared) as u64);
    out.extend_from_slice(&key.as_bytes()[shared..]);
}

/// The shortest prefix of `first` that sorts after `previous` (which sorts before `first`).
fn separator(previous: &str, first: &str) -> String {
    for (i, c) in first.char_indices() {
        let candidate = &first[..i + c.len_utf8()];
        if candidate > previous {
            return candidate.to_string();
        }
    }
    first.to_string()
}

/// Cuts sorted, distinct entries into shards.
pub fn cut<'a>(entries: impl IntoIterator<Item = (&'a str, Value<'a>)>) -> Shards {
    let mut shards = Shards {
        separators: Vec::new(),
        files: Vec::new(),
    };
    let mut body: Vec<u8> = Vec::new();
    let mut count = 0u64;
    let mut previous_key = "";
    let mut last_in_shard = "";
    let finish = |body: &mut Vec<u8>, count: &mut u64, shards: &mut Shards| {
        let mut file = Vec::with_capacity(body.len() + 4);
        push_varint(&mut file, *count);
        file.append(body);
        shards.files.push(file);
        *count = 0;
    };
    for (key, value) in entries {
        debug_assert!(
            shards.separators.is_empty() || key > previous_key,
            "sorted, distinct"
        );
        if count > 0 && body.len() >= TARGET_BYTES {
            finish(&mut body, &mut count, &mut shards);
        }
        if count == 0 {
            shards.separators.push(if shards.files.is_empty() {
                String::new()
            } else {
                separator(previous_key, key)
            });
            last_in_shard = "";
        }
        push_key(&mut body, last_in_shard, key);
        match value {
            Value::Lists(lists) => {
                body.push(LISTS);
                body.extend_from_slice(lists);
            }
            Value::Alias(term) => {
                body.push(ALIAS);
                push_key(&mut body, key, term);
            }
        }
        count += 1;
        previous_key = key;
        last_in_shard = key;
    }
    if count > 0 || shards.files.is_empty() {
        if shards.separators.is_empty() {
            shards.separators.push(String::new());
        }
        finish(&mut body, &mut count, &mut shards);
    }
    shards
}

/// The shard that holds `key`, if the site has it (mirrors `shardOf` in search.js).
pub fn shard_of(separators: &[String], key: &str) -> usize {
    separators
        .partition_point(|s| s.as_str() <= key)
        .saturating_sub(1)
}

/// The shards that may hold keys starting with `prefix` (mirrors `shardsOfPrefix`).
pub fn shards_of_prefix(separators: &[String], prefix: &str) -> std::ops::Range<usize> {
    let first = shard_of(separators, prefix);
    let mut end = first + 1;
    while end < separators.len()
        && (separators[end].as_str() <= prefix || separators[end].starts_with(prefix))
    {
        end += 1;
    }
    first..end
}

#[cfg(test)]
mod tests {
    use super::super::postings::{self, read_varint};
    use super::*;

    /// Decodes a shard into (key, alias target or decoded body list).
    fn read(file: &[u8]) -> Vec<(String, String)> {
        let mut at = 0;
        let count = read_varint(file, &mut at).unwrap();
        let mut key = Vec::new();
        let mut out = Vec::new();
        let read_key = |base: &[u8], at: &mut usize| {
            let shared = read_varint(file, at).unwrap() as usize;
            let n = read_varint(file, at).unwrap() as usize;
            let mut k = base[..shared].to_vec();
            k.extend_from_slice(&file[*at..*at + n]);
            *at += n;
            k
        };
        for _ in 0..count {
            key = read_key(&key, &mut at);
            let kind = file[at];
            at += 1;
            let value = if kind == ALIAS {
                String::from_utf8(read_key(&key, &mut at)).unwrap()
            } else {
                let lists: Vec<Vec<u32>> = (0..3)
                    .map(|_| postings::decode(file, &mut at).unwrap())
                    .collect();
                format!("{:?}", lists[2])
            };
            out.push((String::from_utf8(key.clone()).unwrap(), value));
        }
        assert_eq!(at, file.len());
        out
    }

    fn lists(docs: &[u32]) -> Vec<u8> {
        let mut bytes = Vec::new();
        postings::encode(&[], &mut bytes);
        postings::encode(&[], &mut bytes);
        postings::encode(docs, &mut bytes);
        bytes
    }

    #[test]
    fn shards_round_trip_with_aliases_and_non_ascii_keys() {
        let a = lists(&[1, 5]);
        let b = lists(&[2]);
        let entries = vec![
            ("model", Value::Lists(&a)),
            ("modeling", Value::Alias("model")),
            ("models", Value::Alias("model")),
            ("école", Value::Lists(&b)),
            ("écoles", Value::Alias("école")),
        ];
        let shards = cut(entries);
        assert_eq!(shards.separators, [""]);
        assert_eq!(
            read(&shards.files[0]),
            [
                ("model".into(), "[1, 5]".into()),
                ("modeling".into(), "model".into()),
                ("models".into(), "model".into()),
                ("école".into(), "[2]".into()),
                ("écoles".into(), "école".into()),
            ]
        );
    }

    #[test]
    fn separators_route_every_key_and_prefix_to_its_shards() {
        let big: Vec<Vec<u8>> = (0..40u32)
            .map(|i| lists(&(0..8000).map(|d| d * 7 + i).collect::<Vec<_>>()))
            .collect();
        let keys: Vec<String> = (0..40)
            .map(|i| format!("{}{}", ["ma", "mo", "mod", "modal", "mu"][i % 5], i / 5))
            .collect();
        let mut sorted: Vec<(&str, &[u8])> = keys
            .iter()
            .map(String::as_str)
            .zip(big.iter().map(Vec::as_slice))
            .collect();
        sorted.sort();
        let shards = cut(sorted.iter().map(|&(k, l)| (k, Value::Lists(l))));
        assert!(shards.files.len() > 5, "{} shards", shards.files.len());
        let contents: Vec<Vec<String>> = shards
            .files
            .iter()
            .map(|f| read(f).into_iter().map(|(k, _)| k).collect())
            .collect();
        for (key, _) in &sorted {
            let shard = shard_of(&shards.separators, key);
            assert!(
                contents[shard].iter().any(|k| k == key),
                "{key} in shard {shard}"
            );
        }
        for prefix in ["m", "mo", "mod", "moda", "modal3", "mu", "a", "z", "modz"] {
            let range = shards_of_prefix(&shards.separators, prefix);
            let found: Vec<&String> = contents[range]
                .iter()
                .flatten()
                .filter(|k| k.starts_with(prefix))
                .collect();
            let expected = sorted.iter().filter(|(k, _)| k.starts_with(prefix)).count();
            assert_eq!(found.len(), expected, "{prefix}");
        }
        for pair in shards.separators.windows(2) {
            assert!(pair[0] < pair[1]);
        }
    }

    #[test]
    fn separator_is_the_shortest_distinguishing_prefix() {
        assert_eq!(separator("model", "modular"), "modu");
        assert_eq!(separator("mod", "model"), "mode");
        assert_eq!(separator("a", "b"), "b");
        assert_eq!(separator("éa", "éb"), "éb");
    }
}
