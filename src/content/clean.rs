//! Text as every output can hold it: no control characters (U+0000–U+001F but tab and line
//! feed, and U+007F), which XML forbids and pages would show raw, and in Unicode NFC, so that
//! `café` typed with one code point or with `e` and a combining accent is one topic, one author,
//! one id.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Whether `c` is removed from text: a control character other than tab and line feed.
pub fn is_removed_control(c: char) -> bool {
    (c < ' ' && c != '\t' && c != '\n') || c == '\u{7f}'
}

/// Whether `value` has a character that [`clean`] removes. Written as a fold without an early
/// exit so that it compiles to vector code: it runs over every abstract of every build.
fn has_control(value: &str) -> bool {
    value.bytes().fold(false, |found, b| {
        found | ((b < b' ') & (b != b'\t') & (b != b'\n')) | (b == 0x7f)
    })
}

/// `value` cleaned, when cleaning changes it, with the first control character removed (none
/// when only line endings or the normal form changed: `\r\n` becomes `\n` without a word).
/// Names (`normalize`) are put in NFC too, since they are matched; prose is left as written.
pub fn clean(value: &str, normalize: bool) -> Option<(String, Option<char>)> {
    let has_control = has_control(value);
    let is_nfc = !normalize || is_nfc(value);
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

/// Whether `value` is in NFC, sure of it without a table lookup when every character is below
/// U+0300 (UTF-8 lead bytes below 0xCC), where no character composes or reorders.
fn is_nfc(value: &str) -> bool {
    let below_combining_marks = value.bytes().fold(true, |below, b| below & (b < 0xCC));
    below_combining_marks || is_nfc_quick(value.chars()) == IsNormalized::Yes
}

/// `value` in NFC.
pub fn nfc(value: &str) -> std::borrow::Cow<'_, str> {
    if is_nfc(value) {
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
        assert_eq!(clean("plain\ttext\n", true), None);
        assert_eq!(
            clean("a\u{1}b\u{7f}c", true),
            Some(("abc".to_string(), Some('\u{1}')))
        );
        assert_eq!(
            clean("one\r\ntwo", true),
            Some(("one\ntwo".to_string(), None))
        );
        assert_eq!(
            clean("lone\rcr", true),
            Some(("lonecr".to_string(), Some('\r')))
        );
        assert_eq!(
            clean("cafe\u{301}", true),
            Some(("caf\u{e9}".to_string(), None))
        );
        assert_eq!(clean("caf\u{e9}", true), None);
        assert_eq!(clean("cafe\u{301}", false), None, "prose stays as written");
        assert!(!is_nfc("e\u{301}") && is_nfc("\u{e9}\u{2013}\u{3b1}"));
        assert_eq!(nfc("cafe\u{301}"), "caf\u{e9}");
    }
}
