//! What the app and the runtime alone do alike at start and when a configuration arrives: open this
//! browser's storage (if this page may), start the page's dispatcher, and adopt a configuration
//! document. Problems go to `problem`, worded for a CRM admin: the app shows them in its banner,
//! the runtime alone as `webhook-automations:error` events.

use std::rc::Rc;

use webhook_engine::catalog::Catalog;
use webhook_engine::config::{next_revision, ConfigDocument, ImportedConfig};
use webhook_engine::settings::Settings;

use crate::dispatch::Dispatcher;
use crate::storage::{sort_by_name, Store, DATABASE_NAME};

/// Where the settings live in the settings store.
pub const SETTINGS_KEY: &str = "settings";

/// Why a configuration document is adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// An admin imported it here.
    Import,
    /// The embedding CRM handed it over (`setConfig`, the `config` option).
    Shared,
}

/// This page's storage (`None`: memory only), its settings and the page's dispatcher.
pub struct Started {
    pub store: Option<Rc<Store>>,
    pub settings: Settings,
    pub dispatcher: Rc<Dispatcher>,
}

/// Opens the database, reads the settings and starts the page's dispatcher (or joins the one another
/// widget of the page started). Without storage everything still works, in memory. `hosted`: a CRM
/// page embeds the app or runs the runtime, and then owns this browser's data (see
/// [`claim_storage`]).
pub async fn start(hosted: bool, catalog: Catalog, problem: &dyn Fn(String)) -> Started {
    let (store, settings) = open_storage(hosted, problem).await;
    let dispatcher = Dispatcher::shared(|| {
        Dispatcher::new(store.clone(), catalog, settings.max_runs_per_minute)
    });
    Started {
        store,
        settings,
        dispatcher,
    }
}

/// Opens the database, if this page may (`hosted`: see [`claim_storage`]), and reads the settings.
pub async fn open_storage(hosted: bool, problem: &dyn Fn(String)) -> (Option<Rc<Store>>, Settings) {
    let store = match Store::open(DATABASE_NAME).await {
        Ok(store) => claim_storage(Rc::new(store), hosted, problem).await,
        Err(error) => {
            problem(error.to_string());
            None
        }
    };
    let settings = match &store {
        Some(store) => store
            .get_setting::<Settings>(SETTINGS_KEY)
            .await
            .unwrap_or_else(|error| {
                problem(error.to_string());
                None
            }),
        None => None,
    }
    .unwrap_or_default();
    (store, settings)
}

/// Where this browser's data is kept, or `None` (memory only) when this page may not open it.
///
/// The standalone app's page (with its sandbox, where anyone acts as the sample admin) and a CRM
/// page embedding the app share the origin's database when the app's files are served from the
/// CRM's origin. The embedding page owns the data it writes — credentials an admin entered, the
/// history of every user's runs — so once one has opened the database, the standalone page refuses
/// to: otherwise anyone at that browser could test, replay and read with the embedded webhooks.
const OWNER_KEY: &str = "owner";
const EMBEDDING_PAGE: &str = "embedding page";

async fn claim_storage(
    store: Rc<Store>,
    hosted: bool,
    problem: &dyn Fn(String),
) -> Option<Rc<Store>> {
    let owner = store.get_setting::<String>(OWNER_KEY).await;
    let owned_by_embedding_page = matches!(&owner, Ok(Some(owner)) if owner == EMBEDDING_PAGE);
    if hosted {
        if !owned_by_embedding_page {
            if let Err(error) = store.put_setting(OWNER_KEY, &EMBEDDING_PAGE).await {
                problem(error.to_string());
            }
        }
        return Some(store);
    }
    if owned_by_embedding_page {
        problem("This browser's Webhook Automations data belongs to the CRM page that embeds the app on this site, so this standalone page does not open it: open the CRM page instead. Nothing here is saved or sent with it.".into());
        drop(store);
        return None;
    }
    Some(store)
}

/// Adopts a configuration document: an import the admin confirmed, or the configuration the
/// embedding CRM shares with every user's page (stored alike). The credentials that still apply come
/// from what is stored at that moment, read in the same transaction ([`Store::adopt_document`]).
///
/// A shared configuration always applies: when storage refuses it (full), it applies in memory for
/// this visit, with the problem reported. An import storage refuses changes nothing. Resolves to what
/// was adopted (sorted as the lists show it), or `None` when nothing was.
pub async fn adopt_document(
    store: Option<Rc<Store>>,
    document: ConfigDocument,
    adoption: Adoption,
    problem: &dyn Fn(String),
) -> Option<ImportedConfig> {
    let adopted = match &store {
        Some(store) => {
            store
                .adopt_document(document.clone(), adoption == Adoption::Shared)
                .await
        }
        // Nothing is stored, so no credential can be kept.
        None => {
            let mut imported = sorted(document.clone().into_local(&[]));
            if adoption == Adoption::Import {
                imported.revision = next_revision(imported.revision, js_sys::Date::now() as i64);
            }
            Ok(imported)
        }
    };
    match (adopted, adoption, store) {
        (Ok(imported), _, _) => Some(imported),
        (Err(error), Adoption::Shared, Some(store)) => {
            problem(error.to_string());
            // The credentials this browser holds, to use with the document for this visit.
            let local = match store.load_config().await {
                Ok(stored) => stored.webhooks,
                Err(error) => {
                    problem(error.to_string());
                    Vec::new()
                }
            };
            Some(sorted(document.into_local(&local)))
        }
        (Err(error), _, _) => {
            problem(error.to_string());
            None
        }
    }
}

/// A configuration as the lists show it: by name, then id.
fn sorted(mut imported: ImportedConfig) -> ImportedConfig {
    sort_by_name(&mut imported.webhooks, &mut imported.automations);
    imported
}
