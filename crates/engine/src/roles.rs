//! Who may do what in the app. One rule, over the user, for every view and every action: the views
//! hide what a user may not do, and the actions refuse it again, so a hidden button is never the only
//! guard.
//!
//! Automations run for every user whatever their rights (the runner records the triggering user and
//! never checks it); what needs an admin is changing the configuration from inside the app, reading
//! the bodies and headers of runs, and sending runs again. A configuration handed over by the
//! embedding CRM (`setConfig`, the `config` option) is not an edit made in the app: it always applies.

use crate::event::User;

/// What one user may do in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions {
    /// Create, change and delete webhooks and automations, import a configuration, change settings.
    pub manage: bool,
    /// Send a recorded request again (one run, or every failed run of a filter).
    pub replay: bool,
    /// Read the bodies, headers and record values of runs, and search them.
    pub see_details: bool,
}

impl Permissions {
    /// What `user` may do: everything for an admin, reading what ran and how it ended for anyone else.
    pub fn of(user: &User) -> Permissions {
        Permissions {
            manage: user.is_admin,
            replay: user.is_admin,
            see_details: user.is_admin,
        }
    }
}

/// Why an action was refused, in words for the person who tried it.
pub const ADMINS_ONLY: &str =
    "Only CRM admins can change webhooks, automations and settings or send runs again — nothing was changed.";

#[cfg(test)]
mod tests {
    use super::*;

    fn user(is_admin: bool) -> User {
        User {
            id: 1,
            name: "Riley".into(),
            email: "riley@example.com".into(),
            is_admin,
        }
    }

    #[test]
    fn admins_may_do_everything_and_everyone_else_only_reads_what_ran() {
        assert_eq!(
            Permissions::of(&user(true)),
            Permissions {
                manage: true,
                replay: true,
                see_details: true
            }
        );
        assert_eq!(
            Permissions::of(&user(false)),
            Permissions {
                manage: false,
                replay: false,
                see_details: false
            }
        );
    }
}
