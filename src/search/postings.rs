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
//! | 3 | varint `k`, varint count, then bits (from the lowest bit of each byte): per number, the gap (the first number, then each difference minus one) Rice-coded: `gap >> k` one bits, a zero bit, the `k` low bits of the gap |
//!
//! Rice coding costs about 2 + log2(mean gap) bits a number, against 8 or more for varints:
//! it wins for the lists in between, like a topic's papers or a common word's.
//! `search.js` (`decodeList`) reads the same format.

pub const EMPTY: u8 = 0;
pub const DELTAS: u8 = 1;
pub const BITSET: u8 = 2;
pub const RICE: u8 = 3;

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
    let gaps = || {
        docs.iter().scan(None, |previous: &mut Option<u32>, &doc| {
            debug_assert!(
                previous.is_none_or(|p| doc > p),
                "postings must be strictly increasing"
            );
            let gap = previous.map_or(doc, |p| doc - p - 1);
            *previous = Some(doc);
            Some(u64::from(gap))
        })
    };
    let deltas_len: usize = docs
        .iter()
        .scan(0, |previous, &doc| {
            let delta = doc - *previous;
            *previous = doc;
            Some(varint_len(u64::from(delta)))
        })
        .sum();
    let first_byte = (first / 8) as usize;
    let bitset_bytes = (last / 8) as usize + 1 - first_byte;
    let bitset_len = varint_len(first_byte as u64) + bitset_bytes;
    let (k, rice_bits) = rice_parameter(docs.len(), gaps);
    let rice_len =
        varint_len(u64::from(k)) + varint_len(docs.len() as u64) + rice_bits.div_ceil(8) as usize;

    if rice_len < deltas_len && rice_len < bitset_len {
        push_varint(out, ((rice_len as u64) << 2) | u64::from(RICE));
        push_varint(out, u64::from(k));
        push_varint(out, docs.len() as u64);
        let mut bits = BitWriter::new(out);
        for gap in gaps() {
            bits.ones(gap >> k);
            bits.push(0, 1);
            bits.push(gap & ((1 << k) - 1), k);
        }
        bits.finish();
    } else if bitset_len < deltas_len {
        push_varint(out, ((bitset_len as u64) << 2) | u64::from(BITSET));
        push_varint(out, first_byte as u64);
        let start = out.len();
        out.resize(start + bitset_bytes, 0);
        for &doc in docs {
            let bit = doc as usize - first_byte * 8;
            out[start + bit / 8] |= 1 << (bit % 8);
        }
    } else {
        push_varint(out, ((deltas_len as u64) << 2) | u64::from(DELTAS));
        let mut previous = 0;
        for &doc in docs {
            push_varint(out, u64::from(doc - previous));
            previous = doc;
        }
    }
}

/// The Rice parameter for these gaps, and the bits they then take: the best of the three
/// parameters around log2 of the mean gap.
fn rice_parameter<I: Iterator<Item = u64>>(count: usize, gaps: impl Fn() -> I) -> (u32, u64) {
    let total: u64 = gaps().sum();
    let mean = total / count as u64;
    let guess = 63 - mean.max(1).leading_zeros();
    let cost =
        |k: u32| -> u64 { count as u64 * u64::from(k + 1) + gaps().map(|g| g >> k).sum::<u64>() };
    (guess.saturating_sub(1)..=(guess + 1).min(31))
        .map(|k| (k, cost(k)))
        .min_by_key(|&(_, bits)| bits)
        .expect("a range of three")
}

/// Appends bits to a byte vector, lowest bit of each byte first.
struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    word: u64,
    used: u32,
}

impl<'a> BitWriter<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        BitWriter {
            out,
            word: 0,
            used: 0,
        }
    }

    /// The low `n` bits of `value` (n ≤ 32).
    fn push(&mut self, value: u64, n: u32) {
        self.word |= value << self.used;
        self.used += n;
        while self.used >= 8 {
            self.out.push(self.word as u8);
            self.word >>= 8;
            self.used -= 8;
        }
    }

    fn ones(&mut self, mut n: u64) {
        while n > 0 {
            let step = n.min(32) as u32;
            self.push((1u64 << step) - 1, step);
            n -= u64::from(step);
        }
    }

    fn finish(mut self) {
        if self.used > 0 {
            self.out.push(self.word as u8);
            self.used = 0;
        }
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
        RICE => {
            let k = read_varint(bytes, at)? as u32;
            let count = read_varint(bytes, at)?;
            let mut bit = *at * 8;
            let mut read_bit = || -> Option<u64> {
                let byte = *bytes[..end].get(bit / 8)?;
                let value = u64::from((byte >> (bit % 8)) & 1);
                bit += 1;
                Some(value)
            };
            let mut previous: Option<u64> = None;
            for _ in 0..count {
                let mut gap = 0u64;
                while read_bit()? == 1 {
                    gap += 1 << k;
                }
                for i in 0..k {
                    gap |= read_bit()? << i;
                }
                let doc = previous.map_or(gap, |p| p + gap + 1);
                docs.push(u32::try_from(doc).ok()?);
                previous = Some(doc);
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

        // In between: one paper in about twenty, as a topic's papers are.
        let between: Vec<u32> = (0..5000u32).map(|i| i * 20 + (i * 7919) % 13).collect();
        let (bytes, back) = round_trip(&between);
        assert_eq!(back, between);
        assert_eq!(bytes[0] & 3, RICE);
        assert!(
            bytes.len() < 5000 * 7 / 8 + 16,
            "{} bytes: about 6 bits a paper",
            bytes.len()
        );
        for list in [
            vec![0],
            vec![0, 1, 2, 1000],
            vec![5, 6, 7, 8, 9, 10, 11, 12, 400_000],
        ] {
            assert_eq!(round_trip(&list).1, list);
        }
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
