//! The default theme's related-papers section, written in Rust.
//!
//! Every paper page includes `partials/related.html`: up to five entries, each with a loop over
//! its digests, which Tera's interpreter takes about as long to render as the rest of the page's
//! body. As with the paper card (`native_card`), while the partial is exactly the default
//! theme's it is compiled wrapped: a native function writes the bytes the template would, and
//! the template's own body stays behind it for any value the function does not recognise. A theme
//! or site that changes the partial gets its own template, rendered by Tera as usual. The tests
//! render the partial both ways and compare the bytes, on every fixture site and on random lists.
//!
//! While a paper page renders, the renderer names its related list ([`with_page`]); for that
//! very list the section is put together from each entry's HTML, made once per build
//! ([`EntryHtml`]) instead of once per list that names the paper.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use tera::{Kwargs, State, TeraResult, Value};

use super::native::{Html, field, wrapped};

/// The template the wrapper replaces; it includes no other.
pub const RELATED_TEMPLATE: &str = "partials/related.html";

/// Not a name a template would use for its own function.
const FUNCTION: &str = "__digestif_native_related";

/// Digests an entry names before "and N more".
const DIGESTS_SHOWN: usize = 3;

/// The related template wrapped around the native section, when the theme's is the default
/// theme's: `default_text` gives the default theme's text of a template.
pub fn wrapped_related<'d>(
    templates: &BTreeMap<String, (String, String)>,
    default_text: impl Fn(&str) -> Option<&'d [u8]>,
) -> Option<String> {
    wrapped(templates, default_text, &[RELATED_TEMPLATE], FUNCTION)
}

/// Registers the function [`wrapped_related`]'s template calls.
pub fn register(tera: &mut tera::Tera) {
    tera.register_function(FUNCTION, |_: Kwargs, state: &State| -> TeraResult<Value> {
        let related = state.get::<Value>("related")?;
        let autoescape = state.autoescaping_enabled();
        let html = related.as_ref().and_then(|related| {
            prepared_section(related, autoescape).or_else(|| write_related(related, autoescape))
        });
        Ok(html.map_or_else(Value::none, |html| Value::safe_string(&html)))
    });
}

/// The section `partials/related.html` renders for `related`, or `None` when the list is empty
/// (the template writes only its last line break) or holds a value not of the kind the
/// renderer makes (then the template renders it).
pub fn write_related(related: &Value, autoescape: bool) -> Option<String> {
    let entries = related.as_array()?;
    if entries.is_empty() {
        return None;
    }
    let mut out = Html {
        buf: Vec::with_capacity(400 * entries.len() + 200),
        autoescape,
    };
    out.raw(SECTION_START);
    for entry in entries {
        write_entry(&mut out, entry)?;
    }
    out.raw(SECTION_END);
    String::from_utf8(out.buf).ok()
}

const SECTION_START: &str = "\n<section class=\"related\" id=\"related\" aria-labelledby=\"related-heading\">\n\
     <h2 id=\"related-heading\">Related papers</h2>\n<ul>";

// The template's own last line break follows its `{%- endif %}`.
const SECTION_END: &str = "\n</ul>\n</section>\n";

/// One entry of the list, `<li>` to `</li>`.
fn write_entry(out: &mut Html, entry: &Value) -> Option<()> {
    let entry = entry.as_map()?;
    out.raw("\n<li><a href=\"");
    out.text(field(entry, "url")?)?;
    out.raw("\">");
    out.raw(field(entry, "title_html")?.as_str()?);
    out.raw("</a>\n<span class=\"related-by\">");
    for (i, author) in field(entry, "authors")?.as_array()?.iter().enumerate() {
        if i > 0 {
            out.raw(", ");
        }
        out.text(author)?;
    }
    let more_authors = field(entry, "more_authors")?;
    if !(more_authors.is_u64() || more_authors.is_i64()) {
        return None;
    }
    if more_authors.as_i128()? != 0 {
        out.raw(" and ");
        out.integer(more_authors)?;
        out.raw(" more");
    }
    out.raw("</span>");
    let digests = field(entry, "digests")?.as_array()?;
    if !digests.is_empty() {
        out.raw("\n<span class=\"related-in\">In ");
        for (i, digest) in digests.iter().take(DIGESTS_SHOWN).enumerate() {
            let digest = digest.as_map()?;
            out.raw("<a href=\"");
            out.text(field(digest, "url")?)?;
            out.raw("\">");
            out.text(field(digest, "title")?)?;
            out.raw("</a>");
            if i + 1 < DIGESTS_SHOWN && i + 1 < digests.len() {
                out.raw(", ");
            }
        }
        if digests.len() > DIGESTS_SHOWN {
            out.raw(&format!(" and {} more", digests.len() - DIGESTS_SHOWN));
        }
        out.raw("</span>");
    }
    out.raw("\n</li>");
    Some(())
}

/// Each paper's entry as the section writes it with autoescape on, made on first use: a paper
/// is in about as many related lists as it has related papers, and reading an entry's fields
/// again for every list took longer than the rest of the section (the entries are scattered
/// over a large site's memory). Shared by the renderer and the threads rendering pages.
pub struct EntryHtml(Box<[OnceLock<Option<Box<str>>>]>);

impl EntryHtml {
    /// Room for the entries of `papers` papers.
    pub fn new(papers: usize) -> Self {
        EntryHtml((0..papers).map(|_| OnceLock::new()).collect())
    }
}

/// A paper page's related list while the page renders: the very value the renderer put in its
/// context, the papers it lists, and where their entries' HTML is kept.
pub struct PageRelated {
    pub list: Value,
    pub papers: Box<[u32]>,
    pub entries: Arc<EntryHtml>,
}

thread_local! {
    static PAGE: RefCell<Option<PageRelated>> = const { RefCell::new(None) };
}

/// Runs `render` with `page` as the related list of the page this thread renders.
pub fn with_page<R>(page: PageRelated, render: impl FnOnce() -> R) -> R {
    /// Forgets the page however `render` ends.
    struct Done;
    impl Drop for Done {
        fn drop(&mut self) {
            PAGE.set(None);
        }
    }
    PAGE.set(Some(page));
    let _done = Done;
    render()
}

/// The section from the entries' kept HTML, when `related` is the list the renderer made for
/// the page being rendered: compared by identity, so a template that sets `related` to a list
/// of its own gets that list written (by [`write_related`] or the template). The list keeps
/// its value alive while it is set, so no other list can be at its address.
fn prepared_section(related: &Value, autoescape: bool) -> Option<String> {
    PAGE.with_borrow(|page| {
        let page = page.as_ref()?;
        let entries = related.as_array()?;
        let is_the_page_list = std::ptr::eq(entries, page.list.as_array()?);
        if !autoescape || !is_the_page_list || entries.is_empty() {
            return None;
        }
        if entries.len() != page.papers.len() {
            return None;
        }
        let mut section = String::with_capacity(400 * entries.len() + 200);
        section.push_str(SECTION_START);
        for (entry, &paper) in entries.iter().zip(&page.papers) {
            let kept = page.entries.0.get(paper as usize)?.get_or_init(|| {
                let mut out = Html {
                    buf: Vec::with_capacity(400),
                    autoescape: true,
                };
                write_entry(&mut out, entry)?;
                String::from_utf8(out.buf).ok().map(String::into_boxed_str)
            });
            section.push_str(kept.as_deref()?);
        }
        section.push_str(SECTION_END);
        Some(section)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::random_values::{random_string, text};
    use crate::render::templates::default_template;
    use tera::Map;

    fn default_text() -> String {
        String::from_utf8(default_template(RELATED_TEMPLATE).unwrap().to_vec()).unwrap()
    }

    /// The default partial as Tera compiles it: as it is, or wrapped.
    fn related_tera(native: bool) -> tera::Tera {
        let mut templates = BTreeMap::new();
        templates.insert(
            RELATED_TEMPLATE.to_string(),
            (RELATED_TEMPLATE.to_string(), default_text()),
        );
        let wrapped = wrapped_related(&templates, default_template).expect("default partial");
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html"]);
        if native {
            register(&mut tera);
            templates.get_mut(RELATED_TEMPLATE).unwrap().1 = wrapped;
        }
        let page = "<p>before</p>\n{%- include \"partials/related.html\" %}\n<p>after</p>";
        tera.add_raw_templates(
            templates
                .iter()
                .map(|(name, (_, text))| (name.as_str(), text.as_str()))
                .chain([("page.html", page)]),
        )
        .unwrap();
        tera
    }

    /// What both Teras make of `related` (left undefined for `None`): text or the error.
    fn render_both(related: Option<Value>) -> [Result<String, String>; 2] {
        [false, true].map(|native| {
            let mut context = tera::Context::new();
            if let Some(related) = &related {
                context.insert_value("related", related.clone());
            }
            related_tera(native)
                .render("page.html", &context)
                .map_err(|e| e.to_string())
        })
    }

    /// An entry as the renderer makes them, with every field drawn at random.
    fn random_entry(rng: &mut impl FnMut(usize) -> usize) -> Map {
        let mut entry = Map::default();
        entry.insert("url".into(), random_string(rng));
        entry.insert("title".into(), random_string(rng));
        entry.insert("title_html".into(), random_string(rng));
        let authors: Vec<Value> = (0..rng(4)).map(|_| random_string(rng)).collect();
        entry.insert("authors".into(), Value::from(authors));
        entry.insert(
            "more_authors".into(),
            Value::from([0, 0, 1, 2, 17][rng(5)] as u64),
        );
        let digests: Vec<Value> = (0..[0, 1, 2, 3, 4, 6][rng(6)])
            .map(|_| {
                let mut digest = Map::default();
                digest.insert("url".into(), random_string(rng));
                digest.insert("title".into(), random_string(rng));
                digest.insert("date".into(), text("not shown"));
                Value::from(digest)
            })
            .collect();
        entry.insert("digests".into(), Value::from(digests));
        entry
    }

    #[test]
    fn the_native_section_is_the_templates_bytes() {
        let mut rng = crate::test_rng(5);
        for round in 0..300 {
            let entries: Vec<Value> = (0..rng(6))
                .map(|_| Value::from(random_entry(&mut rng)))
                .collect();
            let related = Value::from(entries.clone());
            assert_eq!(
                write_related(&related, true).is_some(),
                !entries.is_empty(),
                "round {round}: {entries:?}"
            );
            let [tera, native] = render_both(Some(related));
            let tera = tera.unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert_eq!(native.as_ref(), Ok(&tera), "round {round}: {entries:?}");
        }
    }

    #[test]
    fn values_of_another_kind_are_left_to_the_template() {
        let mut rng = crate::test_rng(9);
        let changes: Vec<(&str, Value)> = vec![
            ("more_authors", Value::from(2.5f64)),
            ("more_authors", text("3")),
            ("more_authors", Value::none()),
            ("authors", Value::from(vec![text("A"), Value::from(3u64)])),
            ("authors", text("A, B")),
            ("title_html", Value::from(7u64)),
            ("url", Value::none()),
            ("digests", Value::none()),
            ("digests", Value::from(vec![text("not a digest")])),
        ];
        for (key, value) in changes {
            let mut entry = random_entry(&mut rng);
            entry.insert(key.into(), value.clone());
            let related = Value::from(vec![Value::from(entry)]);
            assert!(
                write_related(&related, true).is_none(),
                "{key} = {value:?} should be left to the template"
            );
            let [tera, native] = render_both(Some(related));
            assert_eq!(tera, native, "{key} = {value:?}");
        }
        // No list, an empty one, none, and something that is not a list.
        for related in [
            None,
            Some(Value::from(Vec::<Value>::new())),
            Some(Value::none()),
            Some(text("")),
        ] {
            let [tera, native] = render_both(related.clone());
            assert_eq!(tera, native, "{related:?}");
        }
        let mut entry = random_entry(&mut rng);
        entry.remove(&tera::value::Key::Str("authors"));
        let [tera, native] = render_both(Some(Value::from(vec![Value::from(entry)])));
        assert_eq!(tera, native);
    }

    /// What the native Tera makes of `related` while `page` is the page being rendered.
    fn render_as_page(related: &Value, page: PageRelated) -> String {
        let mut context = tera::Context::new();
        context.insert_value("related", related.clone());
        let tera = related_tera(true);
        with_page(page, || tera.render("page.html", &context)).unwrap()
    }

    #[test]
    fn the_pages_own_list_is_written_from_the_kept_entries() {
        let mut rng = crate::test_rng(11);
        for round in 0..100 {
            let entries: Vec<Value> = (0..1 + rng(5))
                .map(|_| Value::from(random_entry(&mut rng)))
                .collect();
            let related = Value::from(entries.clone());
            let papers: Box<[u32]> = (0..entries.len() as u32).map(|i| i * 3).collect();
            let kept = Arc::new(EntryHtml::new(3 * entries.len()));
            let page = || PageRelated {
                list: related.clone(),
                papers: papers.clone(),
                entries: Arc::clone(&kept),
            };
            let [tera, _] = render_both(Some(related.clone()));
            // Made on first use, kept for the next page that lists the same papers.
            assert_eq!(
                render_as_page(&related, page()),
                tera.unwrap(),
                "round {round}"
            );
            assert!(kept.0[0].get().is_some_and(Option::is_some));
            assert_eq!(
                render_as_page(&related, page()),
                render_as_page(&related, page())
            );
        }
        assert!(
            PAGE.with_borrow(Option::is_none),
            "the page is forgotten after rendering"
        );
    }

    #[test]
    fn only_the_very_list_of_the_page_is_written_from_kept_entries() {
        let mut rng = crate::test_rng(12);
        let entry = Value::from(random_entry(&mut rng));
        let related = Value::from(vec![entry.clone()]);
        let kept = Arc::new(EntryHtml::new(1));
        kept.0[0].set(Some("\n<li>kept</li>".into())).unwrap();
        let page = |list: &Value| PageRelated {
            list: list.clone(),
            papers: Box::new([0]),
            entries: Arc::clone(&kept),
        };
        assert!(render_as_page(&related, page(&related)).contains("<li>kept</li>"));
        // An equal list made apart (as a template's `set` makes one) is not the page's.
        let equal = Value::from(vec![entry]);
        let [tera, _] = render_both(Some(equal.clone()));
        assert_eq!(render_as_page(&equal, page(&related)), tera.unwrap());
        // Without autoescape the kept HTML (escaped) would be wrong: the list is written anew.
        let mut context = tera::Context::new();
        context.insert_value("related", related.clone());
        let tera = related_tera(true);
        let page_text = "{% include \"partials/related.html\" %}";
        let plain = with_page(page(&related), || {
            tera.render_str(page_text, &context, false)
        });
        let escaped = with_page(page(&related), || {
            tera.render_str(page_text, &context, true)
        });
        assert!(!plain.unwrap().contains("<li>kept</li>"));
        assert!(escaped.unwrap().contains("<li>kept</li>"));
    }

    #[test]
    fn a_changed_partial_keeps_the_template() {
        let mut templates = BTreeMap::new();
        templates.insert(
            RELATED_TEMPLATE.to_string(),
            (RELATED_TEMPLATE.to_string(), default_text()),
        );
        assert!(wrapped_related(&templates, default_template).is_some());
        templates
            .get_mut(RELATED_TEMPLATE)
            .unwrap()
            .1
            .push_str("{# mine #}");
        assert!(wrapped_related(&templates, default_template).is_none());
        assert!(wrapped_related(&BTreeMap::new(), default_template).is_none());
    }
}
