//! History queries on real IndexedDB: newest-first paging by cursor, each filter (answered from its
//! own index or by walking the time index), text search, cancelling, the JSON Lines export and
//! retention.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen_test::wasm_bindgen_test;
use webhook_automations::storage::{ExecutionPage, PageRequest, ScanControl, StorageError, Store};
use webhook_engine::event::User;
use webhook_engine::history::{visible_to, ExecutionQuery, SearchScope};
use webhook_engine::roles::Permissions;
use webhook_engine::runner::{Execution, Status};
use webhook_engine::settings::Settings;

use super::{cleanup, open, run, unique_name, T0};

/// `count` runs, three per second (so every second holds a tie broken by id), written in shuffled
/// batches the way the runner writes them: in no particular order.
async fn seeded(store: &Store, count: usize) -> Vec<Execution> {
    let runs: Vec<Execution> = (0..count)
        .map(|index| run(index, T0 + (index as i64 / 3) * 1_000))
        .collect();
    let mut shuffled = runs.clone();
    // A fixed permutation: deterministic, yet far from time order.
    shuffled.sort_by_key(|execution| {
        (
            execution.id.bytes().rev().collect::<Vec<_>>(),
            execution.id.clone(),
        )
    });
    for batch in shuffled.chunks(300) {
        store.put_executions(batch).await.unwrap();
    }
    newest_first(runs)
}

fn newest_first(mut runs: Vec<Execution>) -> Vec<Execution> {
    runs.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
    runs
}

fn permissions(is_admin: bool) -> Permissions {
    Permissions::of(&User {
        id: 1,
        name: "Tester".into(),
        email: "tester@example.com".into(),
        is_admin,
    })
}

fn ids(runs: &[Execution]) -> Vec<String> {
    runs.iter().map(|execution| execution.id.clone()).collect()
}

/// Every page of `query`, `limit` rows at a time, with what each page's read looked at.
async fn all_pages(
    store: &Store,
    query: &ExecutionQuery,
    limit: u32,
) -> (Vec<Execution>, Vec<u64>) {
    let (mut found, mut looked_at) = (Vec::new(), Vec::new());
    let mut request = PageRequest::first(limit);
    loop {
        let control = ScanControl::default();
        let ExecutionPage { executions, next } = store
            .query_executions(query, request.clone(), &control)
            .await
            .unwrap();
        assert!(executions.len() <= limit as usize);
        looked_at.push(control.checked());
        found.extend(executions);
        match next {
            Some(next) => request.after = Some(next),
            None => return (found, looked_at),
        }
    }
}

/// What `query` should find: the engine's rule over every run.
fn expected(all: &[Execution], query: &ExecutionQuery) -> Vec<String> {
    ids(&all
        .iter()
        .filter(|execution| query.matches(execution))
        .cloned()
        .collect::<Vec<_>>())
}

#[wasm_bindgen_test]
async fn pages_come_newest_first_and_each_page_reads_only_its_own_rows() {
    let name = unique_name("paging");
    let store = open(&name).await;
    let all = seeded(&store, 530).await;

    let (found, looked_at) = all_pages(&store, &ExecutionQuery::default(), 50).await;
    assert_eq!(
        ids(&found),
        ids(&all),
        "newest first, ties by id, nothing twice"
    );
    assert_eq!(looked_at.len(), 11);
    assert!(
        looked_at.iter().all(|&count| count <= 50),
        "a page never reads earlier pages' rows again: {looked_at:?}"
    );
    assert_eq!(
        store
            .count_executions(&ExecutionQuery::default())
            .await
            .unwrap(),
        Some(530)
    );

    // Pages of 50 end inside a second's three runs, at each of its places in turn; pages of 4 too.
    let first = store
        .query_executions(
            &ExecutionQuery::default(),
            PageRequest::first(4),
            &ScanControl::default(),
        )
        .await
        .unwrap();
    assert_eq!(ids(&first.executions), ids(&all[..4]));
    let second = store
        .query_executions(
            &ExecutionQuery::default(),
            PageRequest {
                after: first.next,
                limit: 4,
            },
            &ScanControl::default(),
        )
        .await
        .unwrap();
    assert_eq!(ids(&second.executions), ids(&all[4..8]));
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn every_filter_finds_what_the_engine_rule_says_from_either_index() {
    let name = unique_name("filters");
    let store = open(&name).await;
    // Over a thousand common runs, so those filters walk the time index; rare ones read their index.
    let all = seeded(&store, 1_300).await;
    let middle = T0 + 200 * 1_000;
    let queries = [
        ExecutionQuery {
            automation_id: Some("au-rare".into()),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            automation_id: Some("au-common".into()),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            automation_id: Some("au-none".into()),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            status: Some(Status::Failed),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            status: Some(Status::Succeeded),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            status: Some(Status::Stopped),
            automation_id: Some("au-common".into()),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            from_ms: Some(middle),
            until_ms: Some(middle + 100_000),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            from_ms: Some(middle),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            until_ms: Some(middle),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            until_ms: Some(middle),
            automation_id: Some("au-rare".into()),
            ..ExecutionQuery::default()
        },
        ExecutionQuery {
            from_ms: Some(middle),
            until_ms: Some(middle),
            ..ExecutionQuery::default()
        },
    ];
    for query in &queries {
        let (found, _) = all_pages(&store, query, 40).await;
        assert_eq!(ids(&found), expected(&all, query), "{query:?}");
    }

    // One index counts a single filter; several together cannot be counted cheaply.
    for query in &queries[..5] {
        let count = store.count_executions(query).await.unwrap();
        assert_eq!(count, Some(expected(&all, query).len() as u32), "{query:?}");
    }
    let in_range = expected(&all, &queries[6]).len() as u32;
    assert_eq!(in_range, 300, "three runs a second for 100 seconds");
    assert_eq!(
        store.count_executions(&queries[6]).await.unwrap(),
        Some(in_range)
    );
    assert_eq!(store.count_executions(&queries[5]).await.unwrap(), None);
    assert_eq!(store.count_executions(&queries[10]).await.unwrap(), Some(0));

    // The rare automation is read from its index: its 13 runs, not the 1,300 in time order.
    let control = ScanControl::default();
    store
        .query_executions(&queries[0], PageRequest::first(5), &control)
        .await
        .unwrap();
    assert_eq!(control.checked(), 13);
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn text_is_searched_in_the_url_and_body_ignoring_case() {
    let name = unique_name("text");
    let store = open(&name).await;
    let all = seeded(&store, 600).await;
    for text in [
        "person7@EXAMPLE.com",
        "/ORDERS/12",
        "  \"order\": 42, ",
        "nowhere to be found",
    ] {
        let query = ExecutionQuery {
            text: text.into(),
            scope: SearchScope::Details,
            ..ExecutionQuery::default()
        };
        let (found, _) = all_pages(&store, &query, 25).await;
        assert_eq!(ids(&found), expected(&all, &query), "{text}");
        assert_eq!(store.count_executions(&query).await.unwrap(), None);
    }
    let prefix = ExecutionQuery {
        text: "PERSON7".into(),
        scope: SearchScope::Details,
        ..ExecutionQuery::default()
    };
    let (found, _) = all_pages(&store, &prefix, 4).await;
    assert_eq!(found.len(), 11, "runs 7 and 70–79");
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn without_the_right_to_see_bodies_a_search_reads_only_status_automation_and_url() {
    let name = unique_name("summary-search");
    let store = open(&name).await;
    let all = seeded(&store, 300).await;
    let search = |text: &str| ExecutionQuery {
        text: text.into(),
        scope: SearchScope::Summary,
        ..ExecutionQuery::default()
    };
    let (in_body_only, _) = all_pages(&store, &search("person7@example.com"), 50).await;
    assert!(
        in_body_only.is_empty(),
        "a body's text finds nothing for a user who may not see bodies"
    );
    for visible in ["/orders/12", "failed", all[0].automation_name.as_str()] {
        let query = search(visible);
        let (found, _) = all_pages(&store, &query, 50).await;
        assert!(!found.is_empty(), "{visible}");
        assert_eq!(ids(&found), expected(&all, &query), "{visible}");
    }
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_search_stops_when_cancelled() {
    let name = unique_name("cancel");
    let store = open(&name).await;
    seeded(&store, 1_200).await;
    let query = ExecutionQuery {
        text: "nowhere".into(),
        ..ExecutionQuery::default()
    };

    let cancelled = ScanControl::default();
    cancelled.cancel();
    let result = store
        .query_executions(&query, PageRequest::first(50), &cancelled)
        .await;
    assert_eq!(result, Err(StorageError::Cancelled));
    assert_eq!(cancelled.checked(), 0);

    // Cancelled while reading everything, between two pages.
    let control = ScanControl::default();
    let seen = Rc::new(Cell::new(0));
    let result = store
        .for_each_execution(&ExecutionQuery::default(), &control, {
            let (control, seen) = (control.clone(), seen.clone());
            move |_| {
                seen.set(seen.get() + 1);
                control.cancel();
            }
        })
        .await;
    assert_eq!(result, Err(StorageError::Cancelled));
    assert_eq!(
        seen.get(),
        500,
        "the first page was read, then nothing more"
    );
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn the_export_is_json_lines_newest_first_showing_what_the_user_may_see() {
    let name = unique_name("export");
    let store = open(&name).await;
    let all = seeded(&store, 1_100).await;
    let failed = ExecutionQuery {
        status: Some(Status::Failed),
        ..ExecutionQuery::default()
    };

    let text = store
        .export_executions_jsonl(&failed, &permissions(true), &ScanControl::default())
        .await
        .unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<Execution> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let wanted: Vec<Execution> = all
        .iter()
        .filter(|execution| failed.matches(execution))
        .cloned()
        .collect();
    assert_eq!(lines, wanted, "admins export whole records, newest first");

    let everything = store
        .export_executions_jsonl(
            &ExecutionQuery::default(),
            &permissions(false),
            &ScanControl::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        everything.lines().count(),
        1_100,
        "more than two export batches"
    );
    let first: Execution = serde_json::from_str(everything.lines().next().unwrap()).unwrap();
    assert_eq!(
        first,
        visible_to(all[0].clone(), &permissions(false)).execution
    );
    assert!(
        !everything.contains("Person"),
        "no bodies for someone who is not an admin"
    );
    assert!(!everything.contains("Bearer"), "no headers either");
    cleanup(store, &name).await;
}

#[wasm_bindgen_test]
async fn retention_deletes_only_what_is_older_than_the_settings_keep() {
    let name = unique_name("retention");
    let store = open(&name).await;
    let day = 86_400_000;
    let now = T0 + 30 * day;
    store
        .put_executions(&[
            run(1, now - 3 * day),
            run(2, now - 2 * day - 1),
            run(3, now - 2 * day),
            run(4, now - day),
        ])
        .await
        .unwrap();
    let settings = Settings {
        retention_days: 2,
        ..Settings::default()
    };
    assert_eq!(
        store
            .prune_expired_executions(&settings, now)
            .await
            .unwrap(),
        2
    );
    let (left, _) = all_pages(&store, &ExecutionQuery::default(), 10).await;
    assert_eq!(ids(&left), ["ex-000004", "ex-000003"]);
    assert_eq!(
        store
            .prune_expired_executions(&settings, now)
            .await
            .unwrap(),
        0
    );
    cleanup(store, &name).await;
}
