//! The sections of the app and their names in URLs.

/// The sections of the app, in navigation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Webhooks,
    Automations,
    History,
    Sandbox,
    Settings,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Webhooks,
        Section::Automations,
        Section::History,
        Section::Sandbox,
        Section::Settings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Webhooks => "Webhooks",
            Section::Automations => "Automations",
            Section::History => "Execution history",
            Section::Sandbox => "Sandbox CRM",
            Section::Settings => "Settings",
        }
    }

    /// The stable name used in URLs (`#/history`) and test selectors (`data-section="history"`).
    pub fn slug(self) -> &'static str {
        match self {
            Section::Webhooks => "webhooks",
            Section::Automations => "automations",
            Section::History => "history",
            Section::Sandbox => "sandbox",
            Section::Settings => "settings",
        }
    }

    /// Whether the app offers this section: the sandbox CRM is a demo of the standalone app, and
    /// embedded in a real CRM it would let anyone act as any sample user.
    pub fn offered(self, hosted: bool) -> bool {
        !(hosted && self == Section::Sandbox)
    }

    pub fn from_slug(slug: &str) -> Option<Section> {
        Section::ALL
            .into_iter()
            .find(|section| section.slug() == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_round_trips_through_its_slug() {
        for section in Section::ALL {
            assert_eq!(Section::from_slug(section.slug()), Some(section));
        }
        assert_eq!(Section::from_slug("nope"), None);
    }
}
