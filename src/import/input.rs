//! Reading an importer's input file (or standard input): at most [`MAX_INPUT_BYTES`], and only
//! text. Everything after this works on a `String` of bounded size, so no input can make an
//! import read without end (`/dev/zero`) or turn binary noise into papers.
//!
//! Text is UTF-8, or Latin-1 when it is not valid UTF-8 (old .bib files often are); UTF-16 and
//! UTF-32 are named as such, the way the build names them (src/content/discover.rs).

use std::io::Read;
use std::path::Path;

use crate::content::discover::{line_and_column, wide_encoding, wide_encoding_error};
use crate::error::{Diagnostic, Error, Location, Result};

/// Larger inputs are refused: a digest file holds at most 32 MB
/// ([`crate::content::discover::MAX_FILE_BYTES`]), and a source twice that size, even with the
/// fields an import leaves out, would make more than one digest can hold.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The most entries one import reads, each format's items counted (a BibTeX file's `@…` items,
/// bad ones included; a CSL-JSON list's items; a pasted list's paragraphs; a response's
/// `<entry>`s): twice the largest site the build is measured on, and a bound on the memory an
/// input of a million tiny entries would take.
pub const MAX_ENTRIES: usize = 100_000;

/// The error for an input with more than [`MAX_ENTRIES`] entries, at the line of the first one
/// too many when it is known.
pub fn too_many_entries(label: &Path, line: Option<usize>) -> Error {
    let location = match line {
        Some(line) => Location::at(label, line, None),
        None => Location::file(label),
    };
    Error::Invalid(vec![
        Diagnostic::error(
            location,
            format!("the input has more than {MAX_ENTRIES} entries, more than an import reads; reading stopped here"),
        )
        .with_hint("split it into smaller files and import each"),
    ])
}

/// Text holds a few stray control characters at most (pasted PDF text); binary data holds one in
/// four bytes or so. More than one character in this many is taken for binary.
const CONTROL_SHARE: usize = 20;

/// Reads an input file, or standard input for `-`, as text.
pub fn read_input(path: &Path) -> Result<String> {
    let label = if path == Path::new("-") {
        Path::new("<stdin>")
    } else {
        path
    };
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        read_at_most(std::io::stdin().lock(), &mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| {
            // A buffer of the file's size, not one doubled until it holds the file.
            let size = file
                .metadata()
                .map_or(0, |m| m.len())
                .min(MAX_INPUT_BYTES + 1);
            bytes.reserve_exact(usize::try_from(size).unwrap_or(0));
            read_at_most(file, &mut bytes)
        })
    };
    read.map_err(|e| Error::io(label, e))?;
    decode(label, bytes)
}

/// Reads one byte more than [`MAX_INPUT_BYTES`] at most, so that a larger input is seen without
/// reading it all.
fn read_at_most(reader: impl Read, bytes: &mut Vec<u8>) -> std::io::Result<()> {
    reader.take(MAX_INPUT_BYTES + 1).read_to_end(bytes)?;
    Ok(())
}

/// The text of an input's bytes, or an error naming the file (and the line) when they are too
/// many or not text.
pub fn decode(label: &Path, bytes: Vec<u8>) -> Result<String> {
    let invalid = |diagnostic: Diagnostic| Error::Invalid(vec![diagnostic]);
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(invalid(
            Diagnostic::error(
                Location::file(label),
                format!(
                    "the input is larger than the {} MB an import reads",
                    MAX_INPUT_BYTES / (1024 * 1024)
                ),
            )
            .with_hint(
                "split it into smaller files and import each (a digest file holds at most 32 MB)",
            ),
        ));
    }
    if let Some(encoding) = wide_encoding(&bytes) {
        return Err(invalid(wide_encoding_error(
            Location::file(label),
            encoding,
        )));
    }
    if let Some(nul) = memchr::memchr(0, &bytes) {
        let (line, column) = line_and_column(&bytes[..nul]);
        return Err(invalid(
            Diagnostic::error(
                Location::at(label, line, Some(column)),
                "the input holds a NUL byte, so it is not a text file",
            )
            .with_hint("import a .bib, CSL-JSON, Atom XML or text file"),
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        // Old .bib files are often Latin-1; every byte is then one character.
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if let Some((first, at)) = binary_control(&text) {
        let (line, column) = line_and_column(&text.as_bytes()[..at]);
        return Err(invalid(
            Diagnostic::error(
                Location::at(label, line, Some(column)),
                format!(
                    "the input does not look like text: more than one character in {CONTROL_SHARE} is a control character (U+{:04X} here is the first)",
                    u32::from(first)
                ),
            )
            .with_hint("import a .bib, CSL-JSON, Atom XML or text file; if this is one, it was saved in an encoding other than UTF-8 or Latin-1"),
        ));
    }
    Ok(text)
}

/// The error for an input that holds nothing the importer can read as an entry.
pub fn no_entry(label: &Path, message: &str, hint: &str) -> Error {
    Error::Invalid(vec![
        Diagnostic::error(Location::file(label), message).with_hint(hint),
    ])
}

/// The first control character and its byte offset, when text has too many of them to be text.
fn binary_control(text: &str) -> Option<(char, usize)> {
    let is_odd = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}');
    let mut first = None;
    let (mut odd, mut chars) = (0usize, 0usize);
    for (at, c) in text.char_indices() {
        chars += 1;
        if is_odd(c) {
            odd += 1;
            first.get_or_insert((c, at));
        }
    }
    (odd * CONTROL_SHARE > chars).then_some(first).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(bytes: &[u8]) -> String {
        decode(Path::new("in.bib"), bytes.to_vec())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn text_in_utf8_or_latin1_is_read() {
        let latin1 = decode(Path::new("in.bib"), b"G\xf6del\n".to_vec()).unwrap();
        assert_eq!(latin1, "Gödel\n");
        let bom = decode(Path::new("in.bib"), "\u{feff}@misc{x}".as_bytes().to_vec()).unwrap();
        assert_eq!(bom, "@misc{x}");
        // A stray control character from pasted PDF text is not binary.
        let stray = format!("{}\u{8}{}", "a".repeat(50), "b".repeat(50));
        assert!(decode(Path::new("in.bib"), stray.into_bytes()).is_ok());
    }

    #[test]
    fn binary_input_is_refused_with_its_line() {
        assert!(
            message(b"@misc{x,\n title={a\0b}}")
                .contains("in.bib:2:10: error: the input holds a NUL byte"),
            "{}",
            message(b"@misc{x,\n title={a\0b}}")
        );
        let noise: Vec<u8> = (0..4000u32).map(|i| (i * 37 % 251 + 1) as u8).collect();
        assert!(
            message(&noise).contains("does not look like text"),
            "{}",
            message(&noise)
        );
        assert!(message(b"\xff\xfe@\0m\0").contains("UTF-16"));
    }

    #[test]
    fn input_over_the_limit_is_refused_unread() {
        let mut bytes = Vec::new();
        read_at_most(std::io::repeat(b'a'), &mut bytes).unwrap();
        assert_eq!(bytes.len() as u64, MAX_INPUT_BYTES + 1);
        let error = decode(Path::new("in.bib"), bytes).unwrap_err().to_string();
        assert!(
            error.contains("in.bib: error: the input is larger than the 64 MB"),
            "{error}"
        );
    }
}
