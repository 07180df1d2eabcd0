//! What the fragments of the default theme written in Rust share (`native_card`,
//! `native_related`): the wrapper that keeps a fragment's template behind its native function,
//! and the writer that escapes as the template would.

use std::collections::BTreeMap;
use std::io::Write as _;

use tera::value::Key;
use tera::{Map, Value};

/// `partials[0]` wrapped around the native `function`, when every one of `partials` (the
/// template and what it includes) is the default theme's: the function's text when it gives
/// one, the template's own body when it gives none.
pub fn wrapped<'d>(
    templates: &BTreeMap<String, (String, String)>,
    default_text: impl Fn(&str) -> Option<&'d [u8]>,
    partials: &[&str],
    function: &str,
) -> Option<String> {
    let is_default = partials.iter().all(|name| {
        let ours = templates.get(*name).map(|(_, text)| text.as_bytes());
        ours.is_some() && ours == default_text(name)
    });
    if !is_default {
        return None;
    }
    let original = &templates.get(*partials.first()?)?.1;
    // All on the template's first line, so Tera's line numbers in the original stay true.
    Some(format!(
        "{{%- set digestif_native = {function}() %}}{{% if digestif_native %}}{{{{ digestif_native }}}}{{% else %}}{original}{{% endif %}}"
    ))
}

/// Bytes as a template writes them, escaping as its autoescape setting says.
pub struct Html {
    pub buf: Vec<u8>,
    pub autoescape: bool,
}

impl Html {
    pub fn raw(&mut self, text: &str) {
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// `{{ value }}` for a string value: escaped unless marked safe (or autoescape is off).
    pub fn text(&mut self, value: &Value) -> Option<()> {
        let text = value.as_str()?;
        if self.autoescape && !value.is_safe() {
            tera::escape_html(text, &mut self.buf).ok()
        } else {
            self.buf.write_all(text.as_bytes()).ok()
        }
    }

    /// `{{ value }}` for an integer.
    pub fn integer(&mut self, value: &Value) -> Option<()> {
        if !(value.is_u64() || value.is_i64()) {
            return None;
        }
        self.raw(&value.as_i128()?.to_string());
        Some(())
    }
}

/// A map's field, as `map.name` reads it.
pub fn field<'v>(map: &'v Map, name: &'static str) -> Option<&'v Value> {
    map.get(&Key::Str(name))
}
