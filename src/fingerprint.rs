//! The hasher behind every fingerprint and cache key.
//!
//! Fast on long texts, and with fixed seeds so that equal inputs give equal keys for the whole
//! life of a `serve`. Every stage that keys a cache by its inputs hashes them with this one, so
//! no stage needs to import another to share it.

use std::hash::{BuildHasher, Hash, Hasher};

pub type Hasher64 = ahash::AHasher;

pub fn hasher() -> Hasher64 {
    ahash::RandomState::with_seeds(0x6469_6765, 0x7374_6966, 0x7061_7065, 0x7273_2121)
        .build_hasher()
}

/// The fingerprint of one hashable value.
pub fn hash_of(value: impl Hash) -> u64 {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}
