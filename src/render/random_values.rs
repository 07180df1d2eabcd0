//! Random template values for the tests that compare a native fragment with its template.

use tera::Value;

pub fn text(s: &str) -> Value {
    Value::normal_string(s)
}

/// A string of awkward pieces: markup, references, quotes, non-ASCII, or nothing.
fn random_text(rng: &mut impl FnMut(usize) -> usize) -> String {
    const PIECES: &[&str] = &[
        "Attention",
        " ",
        "<script>alert(1)</script>",
        "&",
        "&amp;",
        "\"",
        "'",
        "/",
        "Ünïcödé",
        "x<y",
        "a > b",
        "https://arxiv.org/abs/1706.03762",
        "{{ x }}",
        "%}",
    ];
    (0..rng(5)).map(|_| PIECES[rng(PIECES.len())]).collect()
}

/// A string value that is normal, marked safe (a theme's own value), or empty.
pub fn random_string(rng: &mut impl FnMut(usize) -> usize) -> Value {
    let s = random_text(rng);
    if rng(6) == 0 {
        Value::safe_string(&s)
    } else {
        text(&s)
    }
}
