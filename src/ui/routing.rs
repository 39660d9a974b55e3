//! Keeps the open section in the page URL's fragment (`#/automations`) in standalone mode.

use crate::state::Section;

/// The section named by a URL fragment such as `#/history`; anything else names none.
pub fn section_from_hash(hash: &str) -> Option<Section> {
    hash.strip_prefix("#/").and_then(Section::from_slug)
}

pub fn hash_for(section: Section) -> String {
    format!("#/{}", section.slug())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_section_from_the_fragment() {
        assert_eq!(section_from_hash("#/history"), Some(Section::History));
        assert_eq!(
            section_from_hash(&hash_for(Section::Sandbox)),
            Some(Section::Sandbox)
        );
        assert_eq!(section_from_hash(""), None);
        assert_eq!(section_from_hash("#history"), None);
        assert_eq!(section_from_hash("#/unknown"), None);
    }
}
