//! The problems that stop an automation from being saved, and the warnings worth a look, each with
//! where it is ("Condition 1.2", "Action 1 body 3:12") and what to do, in the engine's words.

use webhook_engine::conditions::ConditionPart;
use webhook_engine::validate::AutomationProblem;
use webhook_engine::Diagnostic;
use yew::prelude::*;

use crate::ui::webhooks::plural;
use crate::ui::widgets::capitalize;

/// Lists show this many problems and count the rest: a long body can hold thousands of them, and the
/// list is drawn again on every keystroke. The first ones are what to fix first anyway.
pub const LISTED_AT_MOST: usize = 50;

/// "… and 12 more", under a list cut at [`LISTED_AT_MOST`].
pub fn more_than_listed(count: usize, noun: &str) -> Html {
    if count <= LISTED_AT_MOST {
        return Html::default();
    }
    html! { <p class="wa-more-problems">{ format!("… and {} more", plural(count - LISTED_AT_MOST, noun)) }</p> }
}

/// One problem as the editor lists it.
#[derive(Debug)]
pub struct LocatedProblem {
    pub location: String,
    pub message: String,
    pub is_error: bool,
}

/// Every problem of the draft, in the engine's order.
pub fn located_problems(problems: &[AutomationProblem]) -> Vec<LocatedProblem> {
    problems.iter().map(locate).collect()
}

fn locate(problem: &AutomationProblem) -> LocatedProblem {
    let (location, message) = match problem {
        AutomationProblem::Name { message } => ("Name".to_owned(), capitalize(message)),
        AutomationProblem::Trigger { message } => ("Trigger".to_owned(), capitalize(message)),
        AutomationProblem::Condition(condition) => {
            let number: Vec<String> = condition
                .index_path
                .iter()
                .map(|index| (index + 1).to_string())
                .collect();
            let part = match condition.part {
                ConditionPart::Field => "field",
                ConditionPart::Operator => "operator",
                ConditionPart::Value => "value",
            };
            (
                format!("Condition {} {part}", number.join(".")),
                capitalize(&condition.message),
            )
        }
        AutomationProblem::Webhook { action, message } => (
            format!("Action {} webhook", action + 1),
            capitalize(message),
        ),
        AutomationProblem::Path { action, diagnostic } => (
            format!("Action {} path {}", action + 1, position(diagnostic)),
            diagnostic_message(diagnostic),
        ),
        AutomationProblem::Body { action, diagnostic } => {
            let cell = diagnostic
                .cell
                .map_or(String::new(), |cell| format!("{cell} "));
            (
                format!("Action {} body {cell}{}", action + 1, position(diagnostic)),
                diagnostic_message(diagnostic),
            )
        }
        AutomationProblem::NoActions => ("Actions".to_owned(), capitalize(&problem.to_string())),
    };
    LocatedProblem {
        location,
        message,
        is_error: problem.is_error(),
    }
}

/// `LINE:COLUMN`, columns in characters as people count them.
fn position(diagnostic: &Diagnostic) -> String {
    format!("{}:{}", diagnostic.start.line, diagnostic.start.column)
}

/// What is wrong and the likely fix: "Unknown field deal.titel — did you mean deal.title?".
pub fn diagnostic_message(diagnostic: &Diagnostic) -> String {
    let message = capitalize(&diagnostic.message);
    match &diagnostic.help {
        Some(help) => format!("{message} — {help}"),
        None => message,
    }
}

pub fn severity_label(diagnostic: &Diagnostic) -> &'static str {
    if diagnostic.is_error() {
        "Error"
    } else {
        "Warning"
    }
}

/// The errors to fix before saving, then the warnings that don't stop it.
pub fn errors_and_warnings(problems: &[LocatedProblem]) -> Html {
    let (errors, warnings): (Vec<&LocatedProblem>, Vec<&LocatedProblem>) =
        problems.iter().partition(|problem| problem.is_error);
    let list = |title: &str, problems: Vec<&LocatedProblem>, class: &'static str, noun: &str| {
        html! {
            <div class={classes!("wa-problems", class)}>
                <h3>{ title }</h3>
                <ul>
                    { for problems.iter().take(LISTED_AT_MOST).map(|problem| html! {
                        <li><span class="wa-problem-at">{ &problem.location }</span>{ " " }{ &problem.message }</li>
                    }) }
                </ul>
                { more_than_listed(problems.len(), noun) }
            </div>
        }
    };
    html! {
        <>
            if !errors.is_empty() {
                { list("To fix before saving", errors, "is-error", "problem") }
            }
            if !warnings.is_empty() {
                { list("Warnings (saving is still possible)", warnings, "is-warning", "warning") }
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webhook_engine::catalog::Catalog;
    use webhook_engine::model::{
        Automation, Body, Condition, ConditionGroup, ConditionItem, EventAction, Match, Method,
        Operator, Trigger, WebhookAction,
    };
    use webhook_engine::validate::validate_automation;

    #[test]
    fn each_problem_says_where_it_is() {
        let automation = Automation {
            id: "auto_1".into(),
            name: " ".into(),
            enabled: true,
            trigger: Trigger {
                entity: "deal".into(),
                action: EventAction::Updated,
            },
            conditions: ConditionGroup {
                match_: Match::All,
                items: vec![ConditionItem::Group(ConditionGroup {
                    match_: Match::Any,
                    items: vec![ConditionItem::Condition(Condition {
                        field: "deal.value".into(),
                        operator: Operator::GreaterThan,
                        value: None,
                    })],
                })],
            },
            actions: vec![WebhookAction {
                webhook_id: "wh_gone".into(),
                method: Method::Put,
                path: "/orders/{{deal.idd}}".into(),
                body: Body::Raw {
                    template: "{\n  \"t\": \"{{deal.titel}}\",\n  \"p\": {{deal.person.email}}\n}"
                        .into(),
                },
            }],
        };
        let problems = validate_automation(&Catalog::builtin(), &automation, &[]);
        let located = located_problems(&problems);
        let shown: Vec<(&str, bool)> = located
            .iter()
            .map(|problem| (problem.location.as_str(), problem.is_error))
            .collect();
        assert_eq!(
            shown,
            [
                ("Name", true),
                ("Condition 1.1 value", true),
                ("Action 1 webhook", true),
                ("Action 1 path 1:9", true),
                ("Action 1 body 2:9", true),
                ("Action 1 body 3:8", false),
            ]
        );
        assert_eq!(
            located[4].message,
            "Unknown field deal.titel — did you mean deal.title?"
        );
        assert_eq!(located[1].message, "Enter a value for 'is greater than'");
    }
}
