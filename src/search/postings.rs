//! Lists of document numbers, in the smaller of two encodings.
//!
//! A sparse list is delta-coded with LEB128 varints; a dense one is a bitset, which bounds every
//! list at one bit per paper (12.5 KB at 100,000 papers), however common the word. The encoded
//! form starts with a varint header `length << 2 | kind`, so a reader can skip a list unread:
//!
//! | kind | payload |
//! |---|---|
//! | 0 | empty (length 0) |
//! | 1 | varints: the first number, then each difference from the previous one |
//! | 2 | varint first byte index `b`, then bytes: bit `i` of byte `j` is paper `8 (b + j) + i` |
//!
//! `search.js` (`decodeList`) reads the same format.

pub const EMPTY: u8 = 0;
pub const DELTAS: u8 = 1;
pub const BITSET: u8 = 2;

pub fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub fn varint_len(mut value: u64) -> usize {
    let mut n = 1;
    while value >= 0x80 {
        value >>= 7;
        n += 1;
    }
    n
}

/// Reads a varint at `*at`, advancing it; `None` past the end.
pub fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// Encodes a strictly increasing list, header included, appending to `out`.
pub fn encode(docs: &[u32], out: &mut Vec<u8>) {
    let (Some(&first), Some(&last)) = (docs.first(), docs.last()) else {
        out.push(EMPTY);
        return;
    };
    let mut deltas = Vec::with_capacity(docs.len() + 2);
    let mut previous = 0;
    for (i, &doc) in docs.iter().enumerate() {
        debug_assert!(
            i == 0 || doc > previous,
            "postings must be strictly increasing"
        );
        push_varint(&mut deltas, u64::from(doc - previous));
        previous = doc;
    }
    let first_byte = (first / 8) as usize;
    let bitset_bytes = (last / 8) as usize + 1 - first_byte;
    let bitset_len = varint_len(first_byte as u64) + bitset_bytes;
    if bitset_len < deltas.len() {
        push_varint(out, ((bitset_len as u64) << 2) | u64::from(BITSET));
        push_varint(out, first_byte as u64);
        let start = out.len();
        out.resize(start + bitset_bytes, 0);
        for &doc in docs {
            let bit = doc as usize - first_byte * 8;
            out[start + bit / 8] |= 1 << (bit % 8);
        }
    } else {
        push_varint(out, ((deltas.len() as u64) << 2) | u64::from(DELTAS));
        out.extend_from_slice(&deltas);
    }
}

/// Decodes one list at `*at`, advancing past it; `None` if the bytes are malformed.
pub fn decode(bytes: &[u8], at: &mut usize) -> Option<Vec<u32>> {
    let header = read_varint(bytes, at)?;
    let (len, kind) = ((header >> 2) as usize, (header & 3) as u8);
    let end = at.checked_add(len).filter(|&end| end <= bytes.len())?;
    let mut docs = Vec::new();
    match kind {
        EMPTY => {}
        DELTAS => {
            let mut previous = 0u64;
            while *at < end {
                previous += read_varint(bytes, at)?;
                docs.push(u32::try_from(previous).ok()?);
            }
        }
        BITSET => {
            let first_byte = read_varint(bytes, at)? as usize;
            for (j, &byte) in bytes[*at..end].iter().enumerate() {
                for i in 0..8 {
                    if byte & (1 << i) != 0 {
                        docs.push(u32::try_from((first_byte + j) * 8 + i).ok()?);
                    }
                }
            }
        }
        _ => return None,
    }
    *at = end;
    Some(docs)
}

/// A set of papers as bits, for unions.
#[derive(Clone)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn new(papers: usize) -> Self {
        Bits(vec![0; papers.div_ceil(64)])
    }

    pub fn insert_all(&mut self, docs: &[u32]) {
        for &doc in docs {
            self.0[doc as usize / 64] |= 1 << (doc % 64);
        }
    }

    pub fn to_docs(&self) -> Vec<u32> {
        let mut docs = Vec::new();
        for (w, &word) in self.0.iter().enumerate() {
            let mut rest = word;
            while rest != 0 {
                docs.push((w * 64) as u32 + rest.trailing_zeros());
                rest &= rest - 1;
            }
        }
        docs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(docs: &[u32]) -> (Vec<u8>, Vec<u32>) {
        let mut bytes = Vec::new();
        encode(docs, &mut bytes);
        let mut at = 0;
        let back = decode(&bytes, &mut at).expect("decodes");
        assert_eq!(at, bytes.len(), "reads exactly the list");
        (bytes, back)
    }

    #[test]
    fn sparse_lists_are_deltas_and_dense_ones_bitsets() {
        let sparse = [3, 900, 100_000];
        let (bytes, back) = round_trip(&sparse);
        assert_eq!(back, sparse);
        assert_eq!(bytes[0] & 3, DELTAS);

        let dense: Vec<u32> = (1000..3000).step_by(3).collect();
        let (bytes, back) = round_trip(&dense);
        assert_eq!(back, dense);
        assert_eq!(bytes[0] & 3, BITSET);
        assert!(bytes.len() < 2000 / 8 + 8, "one bit per paper in range");

        let (bytes, back) = round_trip(&[]);
        assert_eq!((bytes, back), (vec![EMPTY], vec![]));
    }

    #[test]
    fn lists_skip_by_their_header() {
        let mut bytes = Vec::new();
        encode(
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
            &mut bytes,
        );
        encode(&[7], &mut bytes);
        let mut at = 0;
        decode(&bytes, &mut at).unwrap();
        assert_eq!(decode(&bytes, &mut at).unwrap(), [7]);
        assert_eq!(
            decode(&bytes[..bytes.len() - 1], &mut 0).map(|_| ()),
            Some(())
        );
        assert!(decode(&[0xff], &mut 0).is_none(), "truncated varint");
        assert!(
            decode(&[(5 << 2) | 1, 1], &mut 0).is_none(),
            "length past the end"
        );
    }

    #[test]
    fn bits_union_sorted() {
        let mut bits = Bits::new(200);
        bits.insert_all(&[5, 130, 64]);
        bits.insert_all(&[5, 199]);
        assert_eq!(bits.to_docs(), [5, 64, 130, 199]);
    }
}
