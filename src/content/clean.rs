//! Text as every output can hold it: no control characters (U+0000–U+001F but tab and line
//! feed, and U+007F), which XML forbids and pages would show raw, and in Unicode NFC, so that
//! `café` typed with one code point or with `e` and a combining accent is one topic, one author,
//! one id.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Whether `c` is removed from text: a control character other than tab and line feed.
pub fn is_removed_control(c: char) -> bool {
    (c < ' ' && c != '\t' && c != '\n') || c == '\u{7f}'
}

/// `value` cleaned, when cleaning changes it, with the first control character removed (none
/// when only line endings or the normal form changed: `\r\n` becomes `\n` without a word).
pub fn clean(value: &str) -> Option<(String, Option<char>)> {
    let has_control = value
        .bytes()
        .any(|b| (b < b' ' && b != b'\t' && b != b'\n') || b == 0x7f);
    let is_nfc = value.is_ascii() || is_nfc_quick(value.chars()) == IsNormalized::Yes;
    if !has_control && is_nfc {
        return None;
    }
    let mut removed = None;
    let mut kept = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_removed_control(c) {
            kept.push(c);
        } else if c == '\r' && chars.peek() == Some(&'\n') {
            // A Windows line ending: the line feed that follows stays.
        } else {
            removed.get_or_insert(c);
        }
    }
    let text = if is_nfc { kept } else { kept.nfc().collect() };
    (text != value).then_some((text, removed))
}

/// `value` in NFC.
pub fn nfc(value: &str) -> std::borrow::Cow<'_, str> {
    if value.is_ascii() || is_nfc_quick(value.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(value)
    } else {
        std::borrow::Cow::Owned(value.nfc().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_go_and_text_becomes_nfc() {
        assert_eq!(clean("plain\ttext\n"), None);
        assert_eq!(
            clean("a\u{1}b\u{7f}c"),
            Some(("abc".to_string(), Some('\u{1}')))
        );
        assert_eq!(clean("one\r\ntwo"), Some(("one\ntwo".to_string(), None)));
        assert_eq!(clean("lone\rcr"), Some(("lonecr".to_string(), Some('\r'))));
        assert_eq!(clean("cafe\u{301}"), Some(("caf\u{e9}".to_string(), None)));
        assert_eq!(clean("caf\u{e9}"), None);
        assert_eq!(nfc("cafe\u{301}"), "caf\u{e9}");
    }
}
