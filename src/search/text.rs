//! Text to search terms: folding, tokenising, stop words and English stemming.
//!
//! The browser runs the same steps on what readers type (`search.js`, tested against this module
//! in tests/js/), so every rule here has a twin there: change both or neither.
//!
//! 1. A *run* is a maximal sequence of letters, digits and combining marks (`Alphabetic`,
//!    `Numeric` or `Mark` in Unicode terms). Everything else separates words, apostrophes and
//!    hyphens included: `GPT-4` is `gpt` and `4`, `Kaiming's` is `kaiming` and `s`.
//! 2. A run is *folded*: compatibility-decomposed (NFKD: `ﬁ` → `fi`, `²` → `2`), marks dropped
//!    (`Schrödinger` → `Schrodinger`), lower-cased, and the few Latin letters that do not
//!    decompose spelled out (`ß` → `ss`, `ø` → `o`, `ł` → `l`, …). Folding can create separators
//!    (`½` → `1⁄2`), so the folded run is split again into *tokens*.
//! 3. Tokens of one character and stop words are not indexed (phrases still check them, on text).
//! 4. A token made of ASCII letters is stemmed with the Snowball English (Porter2) stemmer; any
//!    other token (numbers, other scripts) is its own term.

use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words too common to index. Queries drop them too; quoted phrases still check them.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "also", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can",
    "do", "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it",
    "its", "may", "more", "most", "not", "of", "on", "or", "our", "over", "such", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "under",
    "using", "via", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why",
    "will", "with", "without", "you", "your",
];

/// Characters that survive NFKD and mark removal but have a plain Latin spelling.
const SPELLED_OUT: &[(char, &str)] = &[
    ('ß', "ss"),
    ('æ', "ae"),
    ('œ', "oe"),
    ('ø', "o"),
    ('đ', "d"),
    ('ð', "d"),
    ('ł', "l"),
    ('þ', "th"),
    ('ı', "i"),
    ('ħ', "h"),
    ('ŧ', "t"),
];

/// Whether `c` belongs to a run (step 1).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Folds one run (step 2), before the second split.
pub fn fold(run: &str) -> String {
    if run.is_ascii() {
        return run.to_ascii_lowercase();
    }
    let stripped: String = run.nfkd().filter(|&c| !is_combining_mark(c)).collect();
    let lower = stripped.to_lowercase();
    if !lower
        .chars()
        .any(|c| SPELLED_OUT.iter().any(|&(s, _)| s == c))
    {
        return lower;
    }
    let mut out = String::with_capacity(lower.len() + 4);
    for c in lower.chars() {
        match SPELLED_OUT.iter().find(|&&(s, _)| s == c) {
            Some((_, spelled)) => out.push_str(spelled),
            None => out.push(c),
        }
    }
    out
}

/// What a byte is to the tokeniser: not part of an ASCII word, a lower-case letter or digit, or
/// an upper-case letter. One load a byte where `is_ascii_alphanumeric` takes several range
/// checks: the scan is most of tokenising's own time.
const NOT_WORD: u8 = 0;
const LOWER_OR_DIGIT: u8 = 1;
const UPPER: u8 = 2;
const ASCII_CLASS: [u8; 256] = {
    let mut table = [NOT_WORD; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_uppercase() {
            UPPER
        } else if byte.is_ascii_alphanumeric() {
            LOWER_OR_DIGIT
        } else {
            NOT_WORD
        };
        b += 1;
    }
    table
};

/// Calls `f` with every folded token of `text`, in order.
///
/// ASCII text, nearly all of it, takes a fast path: bytes are classified by a table, and a token
/// with a capital is lower-cased into one reused buffer (the others are passed as they are), so a
/// token costs no allocation.
pub fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut lower = String::with_capacity(32);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if ASCII_CLASS[usize::from(b)] != NOT_WORD {
            // A run of ASCII letters and digits, unless a non-ASCII word character continues it.
            let start = i;
            let mut classes = 0;
            while let Some(&byte) = bytes.get(i) {
                let class = ASCII_CLASS[usize::from(byte)];
                if class == NOT_WORD {
                    break;
                }
                classes |= class;
                i += 1;
            }
            if i < bytes.len() && !bytes[i].is_ascii() && continues_run(text, i) {
                i = slow_run(text, start, &mut f);
                continue;
            }
            if classes & UPPER == 0 {
                f(&text[start..i]);
            } else {
                lower.clear();
                lower.push_str(&text[start..i]);
                lower.make_ascii_lowercase();
                f(&lower);
            }
        } else if b.is_ascii() {
            i += 1;
        } else if continues_run(text, i) {
            i = slow_run(text, i, &mut f);
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
}

/// Whether the character at byte `at` is a word character.
fn continues_run(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(is_word_char)
}

/// Folds the run starting at byte `start`, calls `f` on its tokens, returns where it ends.
fn slow_run(text: &str, start: usize, f: &mut impl FnMut(&str)) -> usize {
    let end = text[start..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(text.len(), |(i, _)| start + i);
    let folded = fold(&text[start..end]);
    for token in folded.split(|c: char| !c.is_alphanumeric()) {
        if !token.is_empty() {
            f(token);
        }
    }
    end
}

/// Every folded token of `text`, stop words included (for phrases and tests).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t.to_string()));
    out
}

pub fn is_stop_word(token: &str) -> bool {
    STOP_WORDS.binary_search(&token).is_ok()
}

/// Whether a folded token is indexed (step 3).
pub fn is_indexed(token: &str) -> bool {
    let mut chars = token.chars();
    chars.next().is_some() && chars.next().is_some() && !is_stop_word(token)
}

static STEMMER: LazyLock<rust_stemmers::Stemmer> =
    LazyLock::new(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));

/// The term a folded token is indexed under (step 4).
pub fn stem(token: &str) -> String {
    if token.len() > 2 && token.bytes().all(|b| b.is_ascii_lowercase()) {
        STEMMER.stem(token).into_owned()
    } else {
        token.to_string()
    }
}

/// The indexed terms of a text, in order, with repeats.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| {
        if is_indexed(t) {
            out.push(stem(t));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_table_knows_ascii_letters_digits_and_capitals() {
        for b in 0..=u8::MAX {
            let class = ASCII_CLASS[usize::from(b)];
            assert_eq!(class != NOT_WORD, b.is_ascii_alphanumeric(), "{b}");
            assert_eq!(class == UPPER, b.is_ascii_uppercase(), "{b}");
        }
        assert_eq!(
            tokens("GPT-4o beats ResNet50, x2"),
            ["gpt", "4o", "beats", "resnet50", "x2"]
        );
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn tokens_split_on_punctuation_and_fold_case_and_diacritics() {
        assert_eq!(
            tokens("Schrödinger's GPT-4: ALR² ﬁne-tuning"),
            ["schrodinger", "s", "gpt", "4", "alr2", "fine", "tuning"]
        );
        assert_eq!(tokens("Straße Ærø Łódź"), ["strasse", "aero", "lodz"]);
        assert_eq!(tokens("e\u{301}cole école"), ["ecole", "ecole"]);
        assert_eq!(tokens("x½y"), ["x1", "2y"]);
        assert_eq!(tokens("  "), Vec::<String>::new());
        assert_eq!(tokens("北京 大学"), ["北京", "大学"]);
    }

    #[test]
    fn indexing_drops_stop_words_and_single_characters() {
        assert!(!is_indexed("the"));
        assert!(!is_indexed("x"));
        assert!(is_indexed("3d"));
        assert!(is_indexed("42"));
        assert_eq!(
            terms("Attention Is All You Need"),
            ["attent", "need"],
            "stop words dropped, the rest stemmed"
        );
    }

    #[test]
    fn stemming_conflates_english_inflections() {
        for (word, expected) in [
            ("models", "model"),
            ("modeling", "model"),
            ("diffusion", "diffus"),
            ("happy", "happi"),
            ("generalization", "general"),
            ("skies", "sky"),
            ("news", "news"),
        ] {
            assert_eq!(stem(word), expected, "{word}");
        }
        assert_eq!(stem("2024"), "2024", "numbers are not stemmed");
        assert_eq!(
            stem("résumés"),
            "résumés",
            "only folded ASCII words are stemmed"
        );
        assert_eq!(terms("Résumés"), ["resum"]);
    }
}
