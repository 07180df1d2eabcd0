//! `[topics.rules]` (site.toml): topics given to papers whose title or abstract mentions a
//! phrase, at build time, without touching the digest files.
//!
//! Matching is case-insensitive, on word boundaries (`continual learning` does not match
//! `noncontinual learnings`), with whitespace folded so a phrase broken across lines still matches.

use crate::config::TopicRule;

/// Indices of the rules whose phrases occur in the title or abstract.
pub fn matching_rules(rules: &[TopicRule], title: &str, abstract_md: Option<&str>) -> Vec<usize> {
    if rules.is_empty() {
        return Vec::new();
    }
    let mut text = fold(title);
    if let Some(abstract_md) = abstract_md {
        // A separator no phrase can span, so a match never joins the title and the abstract.
        text.push_str(" \u{0} ");
        text.push_str(&fold(abstract_md));
    }
    rules
        .iter()
        .enumerate()
        .filter(|(_, rule)| rule.phrases.iter().any(|p| contains_phrase(&text, p)))
        .map(|(index, _)| index)
        .collect()
}

fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `phrase` occurs in `text` with no letter or digit right before or after it.
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(found) = text[from..].find(phrase) {
        let start = from + found;
        let end = start + phrase.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let is_boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if is_boundary(before) && is_boundary(after) {
            return true;
        }
        from = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(topic: &str, phrases: &[&str]) -> TopicRule {
        TopicRule {
            topic: topic.into(),
            phrases: phrases.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn phrases_match_on_word_boundaries_ignoring_case() {
        assert!(contains_phrase(
            "on continual learning.",
            "continual learning"
        ));
        assert!(!contains_phrase(
            "noncontinual learning",
            "continual learning"
        ));
        assert!(!contains_phrase(
            "continual learnings",
            "continual learning"
        ));
        assert!(contains_phrase("(llm)-based", "llm"));
        assert!(contains_phrase("a llm and llms", "llms"));
    }

    #[test]
    fn rules_look_at_title_and_abstract() {
        let rules = [
            rule(
                "continual learning",
                &["continual learning", "catastrophic forgetting"],
            ),
            rule("diffusion", &["diffusion"]),
        ];
        assert_eq!(
            matching_rules(&rules, "Avoiding Catastrophic\n Forgetting", None),
            [0]
        );
        assert_eq!(
            matching_rules(&rules, "A title", Some("Uses a diffusion prior.")),
            [1]
        );
        assert!(matching_rules(&rules, "Diffusions", Some("none")).is_empty());
    }
}
