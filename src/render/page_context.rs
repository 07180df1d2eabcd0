//! The value a page's template receives, and a fingerprint derived from that very value.
//!
//! Contexts are assembled from [`Hashed`] parts: a serialised context struct, a paper card shared
//! by every page that lists the paper, a list of cards. Each part can say what it holds as a
//! 64-bit hash, computed on first request from the Tera value itself (or from its parts' hashes)
//! and then remembered, so a card shared by forty pages is hashed once. Whatever a template can
//! read is in the hash by construction: there is no list of "what a page depends on" to keep up
//! to date. A one-off build never asks for a hash and pays nothing for it.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use tera::value::{Key, ValueKind};
use tera::{Map, Value};

use crate::fingerprint::{Hasher64, hasher};

/// A Tera value that can tell its fingerprint.
#[derive(Clone)]
pub struct Hashed {
    value: Value,
    parts: Parts,
    /// Computed on first request; a clone made after that keeps it, so a shared value hashed
    /// once when it is made ([`Hashed::hashed`]) is never walked again.
    hash: OnceLock<u64>,
}

#[derive(Clone)]
enum Parts {
    /// Hashed by walking the value.
    Whole,
    List(Arc<[Hashed]>),
    Map(Arc<[(Key<'static>, Hashed)]>),
}

impl Hashed {
    pub fn new(value: Value) -> Self {
        Hashed::with_parts(value, Parts::Whole)
    }

    /// A serialisable value (a context struct) as a Tera value.
    pub fn of(value: &impl serde::Serialize) -> Result<Self, tera::Error> {
        Ok(Hashed::new(Value::try_from_serializable(value)?))
    }

    pub fn list(items: Vec<Hashed>) -> Self {
        let value: Vec<Value> = items.iter().map(|item| item.value.clone()).collect();
        Hashed::with_parts(value.into(), parts(|| Parts::List(items.into())))
    }

    fn with_parts(value: Value, parts: Parts) -> Self {
        Hashed {
            value,
            parts,
            hash: OnceLock::new(),
        }
    }

    /// The value with its hash computed, for a value that many contexts will clone.
    pub fn hashed(self) -> Self {
        self.hash();
        self
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The fingerprint of everything in the value.
    pub fn hash(&self) -> u64 {
        *self.hash.get_or_init(|| {
            let mut h = hasher();
            match &self.parts {
                Parts::Whole => hash_value(&self.value, &mut h),
                Parts::List(items) => {
                    (b'l', items.len()).hash(&mut h);
                    items.iter().for_each(|item| item.hash().hash(&mut h));
                }
                Parts::Map(entries) => hash_entries(entries, &mut h),
            }
            h.finish()
        })
    }
}

/// A map put together from parts: a page's context, or a value with fields added to it.
#[derive(Default)]
pub struct HashedMap {
    entries: Vec<(Key<'static>, Hashed)>,
}

impl HashedMap {
    /// The fields of a serialisable struct, each its own part.
    pub fn of(value: &impl serde::Serialize) -> Result<Self, tera::Error> {
        let value = Value::try_from_serializable(value)?;
        Ok(HashedMap::from_value(value))
    }

    /// The fields of a map value (anything else gives an empty map).
    pub fn from_value(value: Value) -> Self {
        let entries = value
            .into_map()
            .unwrap_or_default()
            .into_iter()
            .map(|(key, value)| (key, Hashed::new(value)))
            .collect();
        HashedMap { entries }
    }

    /// Sets `key`, replacing a field of that name.
    pub fn insert(&mut self, key: &'static str, value: Hashed) {
        match self
            .entries
            .iter_mut()
            .find(|(name, _)| name.as_str() == Some(key))
        {
            Some(entry) => entry.1 = value,
            None => self.entries.push((Key::Str(key), value)),
        }
    }

    /// A field.
    pub fn get(&self, key: &str) -> Option<&Hashed> {
        let entry = self
            .entries
            .iter()
            .find(|(name, _)| name.as_str() == Some(key));
        entry.map(|(_, value)| value)
    }

    /// Takes a field out.
    pub fn remove(&mut self, key: &str) -> Option<Hashed> {
        let at = self
            .entries
            .iter()
            .position(|(name, _)| name.as_str() == Some(key))?;
        Some(self.entries.remove(at).1)
    }

    pub fn finish(self) -> Hashed {
        let mut map = Map::default();
        for (key, value) in &self.entries {
            map.insert(key.clone(), value.value.clone());
        }
        let entries = self.entries;
        Hashed::with_parts(map.into(), parts(|| Parts::Map(entries.into())))
    }

    /// The fingerprint of the whole map.
    pub fn hash(&self) -> u64 {
        let mut h = hasher();
        hash_entries(&self.entries, &mut h);
        h.finish()
    }

    /// The map as the context a template is rendered with.
    pub fn into_context(self) -> tera::Context {
        let mut context = tera::Context::new();
        for (key, value) in self.entries {
            let key: Cow<'static, str> = match key {
                Key::Str(text) => Cow::Borrowed(text),
                other => Cow::Owned(key_text(&other)),
            };
            context.insert_value(key, value.value);
        }
        context
    }
}

/// The parts of a composite value, kept only while reads are recorded (a build that compares
/// fingerprints): a one-off build never asks for a hash, and would hold the parts of every
/// card for nothing. Without them a hash walks the whole value: as deterministic, only slower.
fn parts(make: impl FnOnce() -> Parts) -> Parts {
    if super::reads::is_recording() {
        make()
    } else {
        Parts::Whole
    }
}

/// Hashes a map's entries in the order of their keys: Tera's maps have no fixed order, and
/// only a build that asks for fingerprints pays for the sort.
fn hash_entries(entries: &[(Key<'static>, Hashed)], h: &mut Hasher64) {
    let mut sorted: Vec<&(Key<'static>, Hashed)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
    (b'm', sorted.len()).hash(h);
    for (key, value) in sorted {
        (key, value.hash()).hash(h);
    }
}

fn key_text(key: &Key<'_>) -> String {
    match key.as_str() {
        Some(text) => text.to_string(),
        None => key.as_value().to_string(),
    }
}

/// Hashes what a template could read of `value`: kinds, numbers, text and whether it is marked
/// safe. Maps are hashed independently of their (unordered) iteration.
fn hash_value(value: &Value, h: &mut Hasher64) {
    let kind = value.kind();
    (kind as u8).hash(h);
    match kind {
        ValueKind::Undefined | ValueKind::None => {}
        ValueKind::Bool => value.as_bool().hash(h),
        ValueKind::U64 | ValueKind::I64 | ValueKind::U128 | ValueKind::I128 => {
            (value.as_i128(), value.as_u128()).hash(h)
        }
        ValueKind::F64 => value.as_f64().map(f64::to_bits).hash(h),
        ValueKind::String => (value.is_safe(), value.as_str()).hash(h),
        ValueKind::Bytes => value.as_bytes().hash(h),
        ValueKind::Array => {
            let items = value.as_array().unwrap_or_default();
            items.len().hash(h);
            items.iter().for_each(|item| hash_value(item, h));
        }
        ValueKind::Map => {
            let Some(map) = value.as_map() else { return };
            let mut sum = 0u64;
            for (key, item) in map {
                let mut entry = hasher();
                key.hash(&mut entry);
                hash_value(item, &mut entry);
                sum = sum.wrapping_add(entry.finish());
            }
            (map.len(), sum).hash(h);
        }
        // A kind added by a later Tera: its text is what a template would print.
        _ => value.to_string().hash(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Card<'a> {
        title: &'a str,
        count: usize,
        tags: Vec<&'a str>,
    }

    fn card(title: &str, count: usize) -> Hashed {
        Hashed::of(&Card {
            title,
            count,
            tags: vec!["a", "b"],
        })
        .unwrap()
    }

    #[test]
    fn any_field_a_template_can_read_changes_the_hash() {
        let base = card("Attention", 3).hash();
        assert_eq!(base, card("Attention", 3).hash());
        assert_ne!(base, card("Attention!", 3).hash());
        assert_ne!(base, card("Attention", 4).hash());
    }

    #[test]
    fn safe_and_escaped_text_differ() {
        let plain = Hashed::new(Value::from("<b>x</b>")).hash();
        let safe = Hashed::new(Value::safe_string("<b>x</b>")).hash();
        assert_ne!(plain, safe);
    }

    #[test]
    fn a_context_hash_follows_its_parts() {
        let build = |title: &str| {
            let mut map = HashedMap::default();
            map.insert("papers", Hashed::list(vec![card("One", 1), card(title, 2)]));
            map.insert("page", Hashed::new(Value::from("digest")));
            map
        };
        assert_eq!(build("Two").hash(), build("Two").hash());
        assert_ne!(build("Two").hash(), build("Three").hash());
        let context = build("Two").into_context();
        assert!(context.contains_key("papers") && context.contains_key("page"));
    }

    #[test]
    fn fields_added_to_a_value_are_in_its_hash() {
        let with = |extra: &str| {
            let mut map = HashedMap::from_value(card("One", 1).value().clone());
            map.insert("entries", Hashed::new(Value::from(extra)));
            map.finish().hash()
        };
        assert_ne!(with("x"), with("y"));
    }
}
