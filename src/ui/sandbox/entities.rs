//! How the sandbox presents each entity: its tab's name and the columns of its table. A table of
//! every field would be too wide to read, so each shows what a CRM's list view shows.

/// One entity's tab and table.
pub struct EntityView {
    pub key: &'static str,
    /// The tab's name, also used in sentences ("2 deals are not visible…").
    pub plural: &'static str,
    /// The fields shown as columns, the first one (the record's name) as the row's header.
    pub columns: &'static [&'static str],
}

/// The tabs, in the order a CRM's navigation lists them.
pub const ENTITY_VIEWS: [EntityView; 5] = [
    EntityView {
        key: "deal",
        plural: "Deals",
        columns: &[
            "title",
            "value",
            "stage",
            "status",
            "person",
            "organization",
            "owner",
        ],
    },
    EntityView {
        key: "person",
        plural: "People",
        columns: &["name", "email", "phone", "organization", "owner"],
    },
    EntityView {
        key: "organization",
        plural: "Organizations",
        columns: &["name", "industry", "employee_count", "website", "owner"],
    },
    EntityView {
        key: "activity",
        plural: "Activities",
        columns: &["subject", "type", "due_date", "done", "deal", "owner"],
    },
    EntityView {
        key: "lead",
        plural: "Leads",
        columns: &[
            "title",
            "value",
            "source",
            "person",
            "organization",
            "owner",
        ],
    },
];

pub fn entity_view(key: &str) -> &'static EntityView {
    ENTITY_VIEWS
        .iter()
        .find(|view| view.key == key)
        .unwrap_or(&ENTITY_VIEWS[0])
}

/// "1 deal" / "2 deals", with the entity's lower-case singular (its catalog label) and plural.
pub fn count_of(count: usize, singular: &str, view: &EntityView) -> String {
    if count == 1 {
        format!("1 {}", singular.to_lowercase())
    } else {
        format!("{count} {}", view.plural.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webhook_engine::catalog::Catalog;

    #[test]
    fn every_column_is_a_field_of_its_entity() {
        let catalog = Catalog::builtin();
        for view in &ENTITY_VIEWS {
            let entity = catalog.entity(view.key).unwrap();
            assert!(entity.trigger, "{} triggers automations", view.key);
            for column in view.columns {
                assert!(entity.field(column).is_some(), "{}.{column}", view.key);
            }
        }
    }

    #[test]
    fn counts_read_as_sentences() {
        let people = entity_view("person");
        assert_eq!(count_of(1, "Person", people), "1 person");
        assert_eq!(count_of(2, "Person", people), "2 people");
    }
}
