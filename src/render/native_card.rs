//! The default theme's paper card, written in Rust.
//!
//! Digest and topic pages repeat one fragment, `partials/paper_card.html` with the four partials it
//! includes, once per paper they list: at 10,000 papers that is about 30,000 cards, and Tera's
//! interpreter takes 5 to 9 µs for each, a fifth of a whole build. While those five files are
//! exactly the default theme's, the card template is compiled wrapped: a native function writes the
//! bytes the templates would, and the template's own body stays behind it as the fallback for any
//! value the function does not recognise (a theme that sets `paper` to something other than a
//! card, a number where a string was expected). A theme or site that changes any of the five files
//! gets its own template, rendered by Tera as usual. The tests render the templates both ways and
//! compare the bytes, on every fixture site and on random cards.

use std::collections::BTreeMap;

use tera::{Kwargs, State, TeraResult, Value};

use super::native::{Html, field, wrapped};

/// The template the wrapper replaces.
pub const CARD_TEMPLATE: &str = "partials/paper_card.html";

/// The card and every partial it includes: the native card writes what these say.
const CARD_PARTIALS: [&str; 5] = [
    CARD_TEMPLATE,
    "partials/authors.html",
    "partials/paper_meta.html",
    "partials/topic_chips.html",
    "partials/links.html",
];

/// Not a name a template would use for its own function.
const FUNCTION: &str = "__digestif_native_paper_card";

/// `partials/authors.html` as the card includes it: `author_limit = 8`.
const AUTHOR_LIMIT: usize = 5;

/// The card template wrapped around the native card, when the five card partials in `templates`
/// (name → (where it came from, text)) are the default theme's: `default_text` gives the default
/// theme's text of a template.
pub fn wrapped_card<'d>(
    templates: &BTreeMap<String, (String, String)>,
    default_text: impl Fn(&str) -> Option<&'d [u8]>,
) -> Option<String> {
    wrapped(templates, default_text, &CARD_PARTIALS, FUNCTION)
}

/// Registers the function [`wrapped_card`]'s template calls.
pub fn register(tera: &mut tera::Tera) {
    tera.register_function(FUNCTION, |_: Kwargs, state: &State| -> TeraResult<Value> {
        let paper = state.get::<Value>("paper")?;
        let page = state.get::<Value>("page")?;
        let notes = state.get::<Value>("notes_html")?;
        let compact = state.get::<Value>("compact")?;
        let card = paper.as_ref().and_then(|paper| {
            write_card(
                paper,
                page.as_ref()?,
                notes.as_ref(),
                compact.as_ref(),
                state.autoescaping_enabled(),
            )
        });
        Ok(card.map_or_else(Value::none, |html| Value::safe_string(&html)))
    });
}

/// The card `partials/paper_card.html` renders for `paper` on `page` with `notes_html` and
/// `compact`, or `None` when a value is not of the kind the card's own values are (then the
/// template renders it).
pub fn write_card(
    paper: &Value,
    page: &Value,
    notes_html: Option<&Value>,
    compact: Option<&Value>,
    autoescape: bool,
) -> Option<String> {
    let paper = paper.as_map()?;
    let kind = field(page.as_map()?, "kind")?.as_str()?;
    let is_topic_page = kind == "topic";
    let is_compact = match compact {
        None => false,
        Some(value) if value.is_none() => false,
        Some(value) => value.as_bool()?,
    };
    // Topic and most-voted pages list many papers: their cards leave the abstract out, and
    // short cards (older digests) the abstract and the topic chips.
    let shows_abstract = !matches!(kind, "topic" | "top") && !is_compact;
    let shows_chips = !is_topic_page && !is_compact;
    let notes_html = match notes_html {
        None => None,
        Some(notes) if notes.is_none() => None,
        Some(notes) => Some(notes.as_str()?),
    };
    // Room for the markup and short fields (about 1.5 KB) and the abstract and notes, so that the
    // buffer is allocated once.
    let abstract_len = match field(paper, "abstract_html") {
        Some(text) if shows_abstract => text.as_str().map_or(0, str::len),
        _ => 0,
    };
    let mut out = Html {
        buf: Vec::with_capacity(2048 + abstract_len + notes_html.map_or(0, str::len)),
        autoescape,
    };

    out.raw("<article class=\"card\">");
    out.thumbnail(field(paper, "thumbnail")?)?;
    out.raw("\n<h2><a href=\"");
    out.text(field(paper, "url")?)?;
    out.raw("\">");
    out.raw(field(paper, "title_html")?.as_str()?);
    out.raw("</a></h2>");

    out.authors(field(paper, "authors")?.as_array()?)?;
    out.meta(paper)?;
    if is_topic_page {
        out.featured_in(field(paper, "featured_in")?.as_map()?)?;
    }

    let topics = field(paper, "topics")?;
    if shows_chips {
        out.link_list(topics, "chips", "Topics", "name")?;
    }
    out.link_list(field(paper, "links")?, "links", "Links", "label")?;

    if shows_abstract && let Some(abstract_html) = optional(field(paper, "abstract_html")?)? {
        out.raw("\n<details class=\"abstract\"><summary>Abstract</summary><div class=\"prose\">");
        out.raw(abstract_html.as_str()?);
        out.raw("</div></details>");
    }
    if let Some(notes_html) = notes_html.filter(|notes| !notes.is_empty()) {
        out.raw("\n<section class=\"notes\"><h3 class=\"label\">Notes</h3><div class=\"prose\">");
        out.raw(notes_html);
        out.raw("</div></section>");
    }
    out.raw("\n</article>");
    String::from_utf8(out.buf).ok()
}

/// An upvote or comment count: none is zero; `None` for a value that is not an integer.
fn count(value: &Value) -> Option<i128> {
    if value.is_none() {
        Some(0)
    } else if value.is_u64() || value.is_i64() {
        value.as_i128()
    } else {
        None
    }
}

/// `<span>3 upvotes</span>`, `<span>1 comment</span>`.
fn counted(count: i128, noun: &str) -> String {
    let plural = if count == 1 || count == -1 { "" } else { "s" };
    format!("<span>{count} {noun}{plural}</span>")
}

/// The card's own parts; the shared writing is in `native`.
impl Html {
    /// The byline, the first [`AUTHOR_LIMIT`] authors and a count of the rest when there are
    /// more than one more.
    fn authors(&mut self, authors: &[Value]) -> Option<()> {
        if authors.is_empty() {
            return Some(());
        }
        let shown = if authors.len() > AUTHOR_LIMIT + 1 {
            &authors[..AUTHOR_LIMIT]
        } else {
            authors
        };
        self.raw("\n<p class=\"authors\">");
        for (i, author) in shown.iter().enumerate() {
            if i > 0 {
                self.raw(", ");
            }
            self.text(author)?;
        }
        if shown.len() < authors.len() {
            self.raw(&format!(" and {} more", authors.len() - AUTHOR_LIMIT));
        }
        self.raw("</p>");
        Some(())
    }

    /// The venue, the publication date and the upvote and comment counts, when any is set.
    fn meta(&mut self, paper: &tera::Map) -> Option<()> {
        let venue = optional(field(paper, "venue")?)?;
        let published = optional(field(paper, "published")?)?;
        let upvotes = count(field(paper, "upvotes")?)?;
        let comments = count(field(paper, "comments")?)?;
        if venue.is_none() && published.is_none() && upvotes == 0 && comments == 0 {
            return Some(());
        }
        self.raw("\n<p class=\"meta\">");
        if let Some(venue) = venue {
            self.raw("<span>");
            self.text(venue)?;
            self.raw("</span>");
        }
        if let Some(published) = published {
            self.raw("<span>Published <time datetime=\"");
            self.text(published)?;
            self.raw("\">");
            self.text(field(paper, "published_display")?)?;
            self.raw("</time></span>");
        }
        if upvotes != 0 {
            self.raw(&counted(upvotes, "upvote"));
        }
        if comments != 0 {
            self.raw(&counted(comments, "comment"));
        }
        self.raw("</p>");
        Some(())
    }

    /// On a topic page, the digest that featured the paper first.
    fn featured_in(&mut self, featured: &tera::Map) -> Option<()> {
        self.raw("\n<p class=\"meta\">In <a href=\"");
        self.text(field(featured, "url")?)?;
        self.raw("\">");
        self.text(field(featured, "title")?)?;
        self.raw("</a>, <time datetime=\"");
        self.text(field(featured, "date")?)?;
        self.raw("\">");
        self.text(field(featured, "date_display")?)?;
        self.raw("</time></p>");
        Some(())
    }

    /// The card's `<img>`, for a thumbnail that is set (Tera's truth: not none, not empty).
    fn thumbnail(&mut self, thumbnail: &Value) -> Option<()> {
        if !thumbnail.is_truthy() {
            return Some(());
        }
        let thumbnail = thumbnail.as_map()?;
        self.raw("\n<img class=\"thumbnail\" src=\"");
        self.text(field(thumbnail, "url")?)?;
        self.raw("\"");
        let url_2x = field(thumbnail, "url_2x")?;
        if url_2x.is_truthy() {
            self.raw(" srcset=\"");
            self.text(url_2x)?;
            self.raw(" 2x\"");
        }
        self.raw(" alt=\"\" width=\"");
        self.integer(field(thumbnail, "width")?)?;
        self.raw("\" height=\"");
        self.integer(field(thumbnail, "height")?)?;
        self.raw("\" loading=\"lazy\">");
        Some(())
    }

    /// `partials/topic_chips.html` and `partials/links.html`: a `<ul>` of links from maps with
    /// `url` and `label_key`, nothing for an empty list or none.
    fn link_list(
        &mut self,
        items: &Value,
        class: &str,
        label: &str,
        label_key: &'static str,
    ) -> Option<()> {
        if items.is_none() {
            return Some(());
        }
        let items = items.as_array()?;
        if items.is_empty() {
            return Some(());
        }
        self.raw("\n<ul class=\"");
        self.raw(class);
        self.raw("\" aria-label=\"");
        self.raw(label);
        self.raw("\">");
        for item in items {
            let item = item.as_map()?;
            self.raw("<li><a href=\"");
            self.text(field(item, "url")?)?;
            self.raw("\">");
            self.text(field(item, label_key)?)?;
            self.raw("</a></li>");
        }
        self.raw("</ul>");
        Some(())
    }
}

/// A string that may be none; an empty string counts as none, as Tera's `{% if %}` takes it.
fn optional(value: &Value) -> Option<Option<&Value>> {
    if value.is_none() {
        return Some(None);
    }
    let text = value.as_str()?;
    Some((!text.is_empty()).then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::random_values::{random_string, text};
    use crate::render::templates::default_template;
    use tera::Map;
    use tera::value::Key;

    /// The default card partials as Tera compiles them: as they are, or with the card wrapped.
    fn card_tera(native: bool) -> tera::Tera {
        let mut templates = BTreeMap::new();
        for name in CARD_PARTIALS {
            let text = String::from_utf8(default_template(name).unwrap().to_vec()).unwrap();
            templates.insert(name.to_string(), (name.to_string(), text));
        }
        let wrapped = wrapped_card(&templates, default_template).expect("default partials");
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html"]);
        if native {
            register(&mut tera);
            templates.get_mut(CARD_TEMPLATE).unwrap().1 = wrapped;
        }
        let list =
            "{% for paper in papers %}{% include \"partials/paper_card.html\" %}|{% endfor %}";
        tera.add_raw_templates(
            templates
                .iter()
                .map(|(name, (_, text))| (name.as_str(), text.as_str()))
                .chain([("list.html", list)]),
        )
        .unwrap();
        tera
    }

    /// What both Teras make of `papers` on a page of `kind`: rendered text or the error.
    fn render_both(
        papers: Vec<Value>,
        kind: Value,
        notes: Option<Value>,
    ) -> [Result<String, String>; 2] {
        render_both_compact(papers, kind, notes, None)
    }

    /// [`render_both`] with `compact` set (or left undefined).
    fn render_both_compact(
        papers: Vec<Value>,
        kind: Value,
        notes: Option<Value>,
        compact: Option<Value>,
    ) -> [Result<String, String>; 2] {
        [false, true].map(|native| {
            let mut context = tera::Context::new();
            context.insert_value("papers", Value::from(papers.clone()));
            let mut page = Map::default();
            page.insert("kind".into(), kind.clone());
            context.insert_value("page", Value::from(page));
            if let Some(notes) = &notes {
                context.insert_value("notes_html", notes.clone());
            }
            if let Some(compact) = &compact {
                context.insert_value("compact", compact.clone());
            }
            card_tera(native)
                .render("list.html", &context)
                .map_err(|e| e.to_string())
        })
    }

    fn random_optional(rng: &mut impl FnMut(usize) -> usize) -> Value {
        match rng(3) {
            0 => Value::none(),
            1 => text(""),
            _ => random_string(rng),
        }
    }

    fn link_maps(rng: &mut impl FnMut(usize) -> usize, label: &'static str) -> Value {
        let items: Vec<Value> = (0..rng(4))
            .map(|_| {
                let mut map = Map::default();
                map.insert("url".into(), random_string(rng));
                map.insert(label.into(), random_string(rng));
                map.insert("slug".into(), text("ignored"));
                Value::from(map)
            })
            .collect();
        Value::from(items)
    }

    /// A card as the renderer makes them, with every field drawn at random.
    fn random_card(rng: &mut impl FnMut(usize) -> usize) -> Map {
        let mut card = Map::default();
        card.insert("url".into(), random_string(rng));
        card.insert("title".into(), random_string(rng));
        card.insert("title_html".into(), random_string(rng));
        let authors: Vec<Value> = (0..[0, 1, 2, 8, 9, 10, 14][rng(7)])
            .map(|_| random_string(rng))
            .collect();
        card.insert("authors".into(), Value::from(authors));
        card.insert("venue".into(), random_optional(rng));
        let published = random_optional(rng);
        card.insert("published".into(), published);
        card.insert("published_display".into(), random_string(rng));
        let upvotes = match rng(5) {
            0 => Value::none(),
            1 => Value::from(0u64),
            2 => Value::from(1u64),
            3 => Value::from(-1i64),
            _ => Value::from(rng(100_000) as u64),
        };
        card.insert("upvotes".into(), upvotes);
        let comments = match rng(4) {
            0 => Value::none(),
            1 => Value::from(0u64),
            2 => Value::from(1u64),
            _ => Value::from(rng(1_000) as u64),
        };
        card.insert("comments".into(), comments);
        let mut featured = Map::default();
        for key in ["url", "title", "date", "date_display"] {
            featured.insert(key.into(), random_string(rng));
        }
        card.insert("featured_in".into(), Value::from(featured));
        card.insert("topics".into(), link_maps(rng, "name"));
        card.insert("links".into(), link_maps(rng, "label"));
        card.insert("abstract_html".into(), random_optional(rng));
        card.insert("thumbnail".into(), random_thumbnail(rng));
        card.insert("id".into(), text("not shown"));
        card
    }

    /// None, or an image as the renderer makes them, with or without a 2× version.
    fn random_thumbnail(rng: &mut impl FnMut(usize) -> usize) -> Value {
        if rng(3) == 0 {
            return Value::none();
        }
        let mut image = Map::default();
        image.insert("url".into(), random_string(rng));
        image.insert("url_2x".into(), random_optional(rng));
        image.insert("width".into(), Value::from(rng(400) as u64));
        image.insert("height".into(), Value::from(rng(400) as u64));
        image.insert("permalink".into(), text("not shown"));
        Value::from(image)
    }

    #[test]
    fn native_cards_are_the_templates_bytes() {
        let mut rng = crate::test_rng(7);
        for round in 0..300 {
            let cards: Vec<Value> = (0..4).map(|_| Value::from(random_card(&mut rng))).collect();
            let kind = text(["topic", "digest", "index", "author", "top"][rng(5)]);
            let notes = match rng(4) {
                0 => None,
                1 => Some(Value::none()),
                2 => Some(text("")),
                _ => Some(Value::safe_string("<p>A <em>note</em> &amp; more</p>")),
            };
            let compact = match rng(4) {
                0 => None,
                1 => Some(Value::none()),
                2 => Some(Value::from(false)),
                _ => Some(Value::from(true)),
            };
            for card in &cards {
                let page = Value::from(Map::from_iter([("kind".into(), kind.clone())]));
                assert!(
                    write_card(card, &page, notes.as_ref(), compact.as_ref(), true).is_some(),
                    "round {round}: the native card refused a card: {card:?}"
                );
            }
            let [tera, native] = render_both_compact(cards.clone(), kind, notes, compact);
            let tera = tera.unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert_eq!(native.as_ref(), Ok(&tera), "round {round}: {cards:?}");
        }
    }

    #[test]
    fn values_of_another_kind_are_left_to_the_template() {
        let mut rng = crate::test_rng(11);
        let changes: Vec<(&str, Value)> = vec![
            ("upvotes", Value::from(2.5f64)),
            ("upvotes", text("12")),
            ("authors", Value::from(vec![text("A"), Value::from(3u64)])),
            ("authors", Value::none()),
            ("title_html", Value::from(7u64)),
            ("venue", Value::from(true)),
            (
                "topics",
                Value::from(Map::from_iter([("name".into(), text("x"))])),
            ),
            ("links", Value::from(vec![text("not a link")])),
            ("abstract_html", Value::from(vec![text("x")])),
            ("thumbnail", text("/thumbnails/x.jpg")),
            (
                "thumbnail",
                Value::from(Map::from_iter([("url".into(), text("/x.jpg"))])),
            ),
            (
                "thumbnail",
                Value::from(Map::from_iter([
                    ("url".into(), text("/x.jpg")),
                    ("url_2x".into(), Value::none()),
                    ("width".into(), Value::from(1.5f64)),
                    ("height".into(), Value::from(90u64)),
                ])),
            ),
        ];
        for (key, value) in changes {
            let mut card = random_card(&mut rng);
            card.insert("title_html".into(), text("T"));
            card.insert("venue".into(), text("V"));
            card.insert("topics".into(), link_maps(&mut |_| 1, "name"));
            card.insert("links".into(), link_maps(&mut |_| 1, "label"));
            card.insert("abstract_html".into(), text("<p>A</p>"));
            card.insert(key.into(), value.clone());
            let card = Value::from(card);
            let page = Value::from(Map::from_iter([("kind".into(), text("digest"))]));
            assert!(
                write_card(&card, &page, None, None, true).is_none(),
                "{key} = {value:?} should be left to the template"
            );
            let [tera, native] = render_both(vec![card], text("digest"), None);
            assert_eq!(tera, native, "{key} = {value:?}");
        }
        // A card without a field, a page without a kind, notes that are not text.
        let mut card = random_card(&mut rng);
        card.remove(&Key::Str("venue"));
        let [tera, native] = render_both(vec![Value::from(card)], text("digest"), None);
        assert_eq!(tera, native);
        let card = Value::from(random_card(&mut rng));
        let [tera, native] = render_both(vec![card.clone()], Value::from(1u64), None);
        assert_eq!(tera, native);
        let [tera, native] =
            render_both(vec![card.clone()], text("digest"), Some(Value::from(5u64)));
        assert_eq!(tera, native);
        let [tera, native] =
            render_both_compact(vec![card], text("digest"), None, Some(text("yes")));
        assert_eq!(tera, native);
    }

    #[test]
    fn a_changed_card_partial_keeps_the_template() {
        let mut templates = BTreeMap::new();
        for name in CARD_PARTIALS {
            let text = String::from_utf8(default_template(name).unwrap().to_vec()).unwrap();
            templates.insert(name.to_string(), (name.to_string(), text));
        }
        assert!(wrapped_card(&templates, default_template).is_some());
        for name in CARD_PARTIALS {
            let mut changed = templates.clone();
            changed.get_mut(name).unwrap().1.push_str("{# mine #}");
            assert!(wrapped_card(&changed, default_template).is_none(), "{name}");
            let mut missing = templates.clone();
            missing.remove(name);
            assert!(wrapped_card(&missing, default_template).is_none(), "{name}");
        }
    }
}
