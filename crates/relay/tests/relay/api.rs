//! The HTTP API: tokens, bad input (each refusal's status and message, and nothing stored), secrets
//! that never come back out, the history's cursor and views, replay and test sends, CORS, the loop
//! guard.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

/// One refused request: name, method, path, token, body, headers, status, words in the message.
struct Case<'a>(
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<String>,
    Vec<(&'a str, &'a str)>,
    u16,
    &'a str,
);

/// What the relay holds that a refused request must not have changed.
async fn stored_state(relay: &Relay) -> (String, String, Vec<Value>, String) {
    let config = relay.admin("GET", "/v1/config", None).await;
    let credentials = relay
        .admin("GET", &format!("/v1/webhooks/{WEBHOOK}/credentials"), None)
        .await;
    (
        config.headers["etag"].to_str().unwrap().to_owned() + &config.text,
        credentials.text,
        relay.executions().await,
        relay.admin("GET", "/v1/catalog", None).await.text,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tokens_and_bad_input_are_refused_with_reasons_and_change_nothing() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(
        &nats.url(),
        &["--allow-private", "--max-body-bytes", "65536"],
    )
    .await;
    // Stored twice: revision 1 is then stale.
    relay.put_config(&plain_config(&receiver.url)).await;
    relay
        .put_config(&config(
            &receiver.url,
            json!({"type": "bearer"}),
            false,
            json!({}),
        ))
        .await;
    relay
        .put_credentials(WEBHOOK, json!({"token": "bearer-token-1234"}))
        .await;
    relay.post_events(&deal_event("evt_before", 1)).await;
    wait_until("the first delivery", Duration::from_secs(30), || async {
        receiver.requests().await.len() == 1
    })
    .await;
    wait_until(
        "its execution to finish",
        Duration::from_secs(30),
        || async {
            relay
                .executions()
                .await
                .iter()
                .all(|execution| execution["status"] == "succeeded")
        },
    )
    .await;
    let before = stored_state(&relay).await;
    let current_etag = relay.admin("GET", "/v1/config", None).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();

    let event = deal_event("evt_refused", 2).to_string();
    let valid_config =
        config(&receiver.url, json!({"type": "bearer"}), false, json!({})).to_string();
    let too_many = json!(vec![json!({}); 1001]).to_string();
    let huge = json!([deal_event("evt_huge", 3), {"padding": "x".repeat(70_000)}]).to_string();
    let mut unknown_entity = deal_event("evt_entity", 4);
    unknown_entity["entity"] = json!("dael");
    let mut wrong_type = deal_event("evt_type", 5);
    wrong_type["user"]["id"] = json!("one");
    let invalid_config = config(
        "ftp://erp.example",
        json!({"type": "none"}),
        false,
        json!({"max_attempts": 0}),
    )
    .to_string();
    let cases: Vec<Case> = vec![
        Case("no token", "POST", "/v1/events", None, Some(event.clone()), vec![], 401, "no token"),
        Case("wrong token", "POST", "/v1/events", Some("not-a-token-of-this-relay"), Some(event.clone()), vec![], 401, "not valid"),
        Case("events token on config", "PUT", "/v1/config", Some(EVENTS_TOKEN), Some(valid_config.clone()), vec![("if-match", current_etag.as_str())], 403, "admin token"),
        Case("events token on credentials", "GET", "/v1/webhooks/wh_erp/credentials", Some(EVENTS_TOKEN), None, vec![], 403, "admin token"),
        Case("events token on replay", "POST", "/v1/executions/x/replay", Some(EVENTS_TOKEN), None, vec![], 403, "admin token"),
        Case("malformed JSON", "POST", "/v1/events", Some(EVENTS_TOKEN), Some("{\"id\": \"evt_x\",".into()), vec![], 400, "not valid JSON: EOF while parsing a value at line 1 column 15"),
        Case("wrong type", "POST", "/v1/events", Some(EVENTS_TOKEN), Some(json!([deal_event("evt_ok", 6), wrong_type]).to_string()), vec![], 400, "the event list is not valid at [1].user.id: invalid type: string \"one\""),
        Case("unknown entity", "POST", "/v1/events", Some(EVENTS_TOKEN), Some(unknown_entity.to_string()), vec![], 400, "the event (id \"evt_entity\"): `entity` \"dael\" is not an entity that triggers automations; use one of"),
        Case("too many events", "POST", "/v1/events", Some(EVENTS_TOKEN), Some(too_many), vec![], 400, "1001 events: send at most 1000"),
        Case("body over the limit", "POST", "/v1/events", Some(EVENTS_TOKEN), Some(huge), vec![], 413, "larger than this relay accepts (65536 bytes at most, its --max-body-bytes)"),
        Case("invalid configuration", "PUT", "/v1/config", Some(ADMIN_TOKEN), Some(invalid_config), vec![("if-match", current_etag.as_str())], 400, "nothing was stored"),
        Case("stale revision", "PUT", "/v1/config", Some(ADMIN_TOKEN), Some(valid_config.clone()), vec![("if-match", "\"1\"")], 412, "changed since you read it"),
        Case("no If-Match", "PUT", "/v1/config", Some(ADMIN_TOKEN), Some(valid_config.clone()), vec![], 428, "send If-Match"),
        Case("unknown credential field", "PUT", "/v1/webhooks/wh_erp/credentials", Some(ADMIN_TOKEN), Some(r#"{"tokn": "x"}"#.into()), vec![], 400, "unknown field `tokn`"),
        Case("credential of another kind", "PUT", "/v1/webhooks/wh_erp/credentials", Some(ADMIN_TOKEN), Some(r#"{"password": "x"}"#.into()), vec![], 400, "`password` does not apply"),
        Case("credentials of an unknown webhook", "PUT", "/v1/webhooks/wh_nope/credentials", Some(ADMIN_TOKEN), Some(r#"{"token": "x"}"#.into()), vec![], 404, "no webhook has the id \"wh_nope\""),
        Case("bad catalog", "PUT", "/v1/catalog", Some(ADMIN_TOKEN), Some(r#"{"entities": [{"key": "deal"}]}"#.into()), vec![], 400, "the catalog is not valid"),
        Case("bad cursor", "GET", "/v1/executions?after=soon", Some(EVENTS_TOKEN), None, vec![], 400, "`after` must be a cursor"),
        Case("bad limit", "GET", "/v1/executions?limit=0", Some(EVENTS_TOKEN), None, vec![], 400, "`limit` must be a whole number from 1 to 1000"),
        Case("unknown endpoint", "GET", "/v1/nothing", Some(ADMIN_TOKEN), None, vec![], 404, "no such endpoint"),
        Case("an id that is not UTF-8", "GET", "/v1/executions/%FF", Some(ADMIN_TOKEN), None, vec![], 400, "the id in the path is not valid"),
    ];
    for Case(name, method, path, token, body, headers, status, message) in cases {
        let answer = relay
            .call(method, path, token, body.as_deref(), &headers)
            .await;
        assert_eq!(answer.status, status, "{name}: {}", answer.text);
        let error = answer.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no error message in {}", answer.text));
        assert!(error.contains(message), "{name}: {error}");
        if path == "/v1/events" && matches!(status, 400 | 413) {
            // Browsers hold events the relay refuses only until its catalog has their entity.
            let code = match name {
                "unknown entity" => "not_in_catalog",
                "body over the limit" => "too_large",
                _ => "invalid_event",
            };
            assert_eq!(answer.body["code"], code, "{name}");
        }
        if name == "invalid configuration" {
            let problems = answer.body["problems"].as_array().unwrap();
            let wheres: Vec<&str> = problems
                .iter()
                .map(|problem| problem["where"].as_str().unwrap())
                .collect();
            assert!(
                problems.len() >= 2 && wheres.contains(&"webhook \"ERP\""),
                "{problems:?}"
            );
        }
    }
    assert_eq!(
        stored_state(&relay).await,
        before,
        "a refused request changed nothing"
    );
    // None of the refused events was claimed: the same ids are accepted now.
    let later = relay
        .post_events(&json!([
            deal_event("evt_ok", 6),
            deal_event("evt_refused", 2)
        ]))
        .await;
    assert_eq!(later.body["accepted"], json!(["evt_ok", "evt_refused"]));
    // An id twice in one request runs once.
    let twice = relay
        .post_events(&json!([
            deal_event("evt_twice", 7),
            deal_event("evt_twice", 7)
        ]))
        .await;
    assert_eq!(
        twice.body,
        json!({"accepted": ["evt_twice"], "duplicates": ["evt_twice"]})
    );
    let whoami = relay
        .call("GET", "/v1/whoami", Some(EVENTS_TOKEN), None, &[])
        .await;
    assert_eq!(whoami.body, json!({"token": "events"}));
    let whoami = relay
        .call("GET", "/v1/whoami", Some(ADMIN_TOKEN), None, &[])
        .await;
    assert_eq!(whoami.body, json!({"token": "admin"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_secrets_never_come_back_out() {
    const PASSWORD: &str = "canary-password-5d1e";
    const HEADER_SECRET: &str = "canary-header-9c2b";
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[
        "--basic-auth",
        &format!("crm:{PASSWORD}"),
        "--signing-secret",
        SIGNING_SECRET,
    ])
    .await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    let mut document = config(
        &receiver.url,
        json!({"type": "basic", "username": "crm"}),
        true,
        json!({}),
    );
    document["webhooks"][0]["headers"] =
        json!([{"name": "X-Team", "value": "sales"}, {"name": "X-Api-Key", "secret": true}]);
    relay.put_config(&document).await;
    relay
        .put_credentials(
            WEBHOOK,
            json!({"password": PASSWORD, "signing_secret": SIGNING_SECRET, "headers": {"X-Api-Key": HEADER_SECRET}}),
        )
        .await;
    // The endpoint echoes the credentials back, as a debugging endpoint would.
    receiver
        .script(json!([{"status": 500, "body": format!("bad {PASSWORD} {HEADER_SECRET}"), "headers": {"X-Echo": PASSWORD}}, {"status": 200}]))
        .await;
    relay.post_events(&deal_event("evt_canary", 1)).await;
    wait_until(
        "the delivery to succeed",
        Duration::from_secs(30),
        || async {
            relay
                .executions()
                .await
                .first()
                .is_some_and(|execution| execution["status"] == "succeeded")
        },
    )
    .await;
    let received = receiver.requests().await;
    assert_eq!(received[1]["auth"], "ok", "the password was sent");
    assert_eq!(received[1]["signature"], "verified");
    assert_eq!(header(&received[1], "x-api-key"), Some(HEADER_SECRET));
    let key = SIGNING_SECRET.trim_start_matches("whsec_");
    let secrets = [PASSWORD, HEADER_SECRET, SIGNING_SECRET, key];
    let credentials = relay
        .admin("GET", &format!("/v1/webhooks/{WEBHOOK}/credentials"), None)
        .await;
    assert_eq!(
        credentials.body["set"],
        json!(["password", "signing_secret", "headers.X-Api-Key"])
    );
    let mut seen = vec![
        (
            "executions",
            serde_json::to_string(&relay.executions().await).unwrap(),
        ),
        ("config", relay.admin("GET", "/v1/config", None).await.text),
        ("credentials", credentials.text),
        ("metrics", relay.metrics().await),
        (
            "events view",
            relay
                .call("GET", "/v1/executions", Some(EVENTS_TOKEN), None, &[])
                .await
                .text,
        ),
    ];
    let test_send = relay
        .admin("POST", &format!("/v1/webhooks/{WEBHOOK}/test"), None)
        .await;
    seen.push(("test send", test_send.text));
    seen.push(("log", relay.log()));
    for (place, text) in &seen {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{secret} appeared in the {place}: {text}"
            );
        }
    }
    assert!(
        seen[0].1.contains("••••••"),
        "the echoed secrets are masked in the history"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_is_read_by_cursor_and_replays_and_tests_are_sent() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(
        &nats.url(),
        &["--allow-private", "--allow-origin", "http://127.0.0.1:8080"],
    )
    .await;
    relay.put_config(&plain_config(&receiver.url)).await;
    let events: Vec<Value> = (0..5)
        .map(|n| deal_event(&format!("evt_page_{n}"), n))
        .collect();
    relay.post_events(&json!(events)).await;
    wait_until(
        "five finished executions",
        Duration::from_secs(30),
        || async {
            let executions = relay.executions().await;
            executions.len() == 5
                && executions
                    .iter()
                    .all(|execution| execution["status"] == "succeeded")
        },
    )
    .await;

    // Pages of two follow each other without gaps or repeats.
    let mut after = 0;
    let mut ids = Vec::new();
    loop {
        let page = relay
            .call(
                "GET",
                &format!("/v1/executions?after={after}&limit=2"),
                Some(EVENTS_TOKEN),
                None,
                &[],
            )
            .await;
        let items = page.body["executions"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        for item in &items {
            assert!(item["cursor"].as_u64().unwrap() > after);
            // The events token sees what a non-admin sees: no bodies, no headers.
            assert_eq!(item["details_hidden"], true);
            assert_eq!(item["execution"]["request"]["body"], "");
            assert_eq!(item["execution"]["request"]["headers"], json!([]));
            assert!(item["execution"]["request"]["url"]
                .as_str()
                .unwrap()
                .contains("/orders/"));
            ids.push(item["execution"]["id"].as_str().unwrap().to_owned());
        }
        after = page.body["next_cursor"].as_u64().unwrap();
    }
    ids.sort();
    let mut expected: Vec<String> = (0..5)
        .map(|n| execution_id(&format!("evt_page_{n}")))
        .collect();
    expected.sort();
    assert_eq!(ids, expected);
    let admin_view = relay
        .admin("GET", &format!("/v1/executions/{}", expected[0]), None)
        .await;
    assert_eq!(admin_view.body["details_hidden"], false);
    assert!(admin_view.body["execution"]["request"]["body"]
        .as_str()
        .unwrap()
        .contains("\"title\""));

    // A replay is a new execution with a new webhook-id; a test send is answered and not recorded.
    let replay = relay.admin("POST", &format!("/v1/executions/{}/replay", expected[0]), Some(r#"{"user": {"id": 9, "name": "Ada", "email": "ada@example.com", "is_admin": true}}"#)).await;
    assert_eq!(replay.status, 202, "{}", replay.text);
    let replay_id = replay.body["execution"]["id"].as_str().unwrap().to_owned();
    assert_ne!(replay_id, expected[0]);
    wait_until("the replay to arrive", Duration::from_secs(30), || async {
        receiver
            .requests()
            .await
            .iter()
            .any(|record| header(record, "webhook-id") == Some(replay_id.as_str()))
    })
    .await;
    let test = relay
        .admin("POST", &format!("/v1/webhooks/{WEBHOOK}/test"), None)
        .await;
    assert_eq!(test.status, 200, "{}", test.text);
    assert_eq!(test.body["execution"]["status"], "succeeded");
    assert_eq!(receiver.requests().await.len(), 7);
    wait_until("the replay recorded", Duration::from_secs(30), || async {
        relay.executions().await.len() == 6
    })
    .await;

    // CORS for the configured origin only.
    let preflight = |origin: &'static str| {
        let relay = &relay;
        async move {
            relay
                .call(
                    "OPTIONS",
                    "/v1/events",
                    None,
                    None,
                    &[
                        ("origin", origin),
                        ("access-control-request-method", "POST"),
                        (
                            "access-control-request-headers",
                            "authorization,content-type",
                        ),
                    ],
                )
                .await
        }
    };
    let allowed = preflight("http://127.0.0.1:8080").await;
    assert_eq!(
        allowed.headers.get("access-control-allow-origin").unwrap(),
        "http://127.0.0.1:8080"
    );
    let other = preflight("https://evil.example").await;
    assert!(other.headers.get("access-control-allow-origin").is_none());

    let health = relay.call("GET", "/healthz", None, None, &[]).await;
    assert_eq!(health.body, json!({"status": "ok"}));
    let metrics = relay.metrics().await;
    for name in [
        "webhook_relay_events_received_total 5",
        "webhook_relay_deliveries_total{status=\"succeeded\"} 6",
        "webhook_relay_queue_depth{queue=\"deliveries\"}",
        "webhook_relay_attempt_duration_seconds_bucket",
        "webhook_relay_redeliveries_total",
    ] {
        assert!(metrics.contains(name), "{name} in {metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_guard_stops_an_automation_that_runs_too_often() {
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(
        &nats.url(),
        &["--allow-private", "--max-runs-per-minute", "2"],
    )
    .await;
    relay.put_config(&plain_config(&receiver.url)).await;
    for n in 0..3 {
        relay
            .post_events(&deal_event(&format!("evt_loop_{n}"), n))
            .await;
    }
    wait_until(
        "three finished executions",
        Duration::from_secs(30),
        || async {
            let executions = relay.executions().await;
            executions.len() == 3
                && executions
                    .iter()
                    .all(|execution| execution["status"] != "pending")
        },
    )
    .await;
    let executions = relay.executions().await;
    let stopped: Vec<&Value> = executions
        .iter()
        .filter(|execution| execution["status"] == "stopped")
        .collect();
    assert_eq!(stopped.len(), 1);
    assert!(stopped[0]["reason"]
        .as_str()
        .unwrap()
        .contains("ran 2 times in the last minute"));
    assert_eq!(receiver.requests().await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_rotated_without_a_restart() {
    const NEXT: &str = "admin-token-next-rotation-0123456789";
    let nats = Nats::start().await;
    let relay = Relay::start(&nats.url(), &[]).await;
    let whoami = |token: &'static str| {
        let relay = &relay;
        async move {
            relay
                .call("GET", "/v1/whoami", Some(token), None, &[])
                .await
                .status
        }
    };
    assert_eq!(whoami(NEXT).await, 401);
    // Both tokens for a while, the old one still working; then the new one alone.
    let file = relay.dir.path().join("admin-tokens");
    std::fs::write(&file, format!("{ADMIN_TOKEN}\n{NEXT}\n")).unwrap();
    let pid = relay.process.child.as_ref().unwrap().id().to_string();
    let hangup = || {
        assert!(std::process::Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success());
    };
    hangup();
    wait_until(
        "the new token to be accepted",
        Duration::from_secs(10),
        || async { whoami(NEXT).await == 200 },
    )
    .await;
    assert_eq!(whoami(ADMIN_TOKEN).await, 200);
    std::fs::write(&file, format!("{NEXT}\n")).unwrap();
    hangup();
    wait_until(
        "the old token to be refused",
        Duration::from_secs(10),
        || async { whoami(ADMIN_TOKEN).await == 401 },
    )
    .await;
    assert_eq!(whoami(NEXT).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_lets_the_app_send_its_headers_and_read_the_etag() {
    const APP: &str = "https://crm.example";
    let nats = Nats::start().await;
    let relay = Relay::start(&nats.url(), &["--allow-origin", APP]).await;
    let preflight =
        |origin: &'static str, method: &'static str, path: &'static str, headers: &'static str| {
            let relay = &relay;
            async move {
                relay
                    .call(
                        "OPTIONS",
                        path,
                        None,
                        None,
                        &[
                            ("origin", origin),
                            ("access-control-request-method", method),
                            ("access-control-request-headers", headers),
                        ],
                    )
                    .await
            }
        };
    let listed = |answer: &Answer, name: &str| -> Vec<String> {
        answer
            .headers
            .get(name)
            .map(|value| {
                value
                    .to_str()
                    .unwrap()
                    .split(',')
                    .map(|part| part.trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default()
    };
    for (method, path, headers) in [
        ("PUT", "/v1/config", "authorization,content-type,if-match"),
        (
            "POST",
            "/v1/events",
            "authorization,content-type,webhook-config-revision",
        ),
        (
            "PUT",
            "/v1/webhooks/wh_erp/credentials",
            "authorization,content-type",
        ),
    ] {
        let allowed = preflight(APP, method, path, headers).await;
        assert!(allowed.status < 300, "{method} {path}: {}", allowed.status);
        assert_eq!(
            allowed.headers["access-control-allow-origin"], APP,
            "{method} {path}"
        );
        let allowed_headers = listed(&allowed, "access-control-allow-headers");
        for header in [
            "authorization",
            "content-type",
            "if-match",
            "webhook-config-revision",
        ] {
            assert!(
                allowed_headers.contains(&header.to_owned()),
                "{header} in {allowed_headers:?}"
            );
        }
        assert!(
            listed(&allowed, "access-control-allow-methods").contains(&method.to_ascii_lowercase()),
            "{method}"
        );
        let other = preflight("https://evil.example", method, path, headers).await;
        assert!(
            other.headers.get("access-control-allow-origin").is_none(),
            "another origin is not allowed: {:?}",
            other.headers
        );
    }

    // The page reads the ETag of GET /v1/config, and the revision of a 409.
    let read = relay
        .call(
            "GET",
            "/v1/config",
            Some(ADMIN_TOKEN),
            None,
            &[("origin", APP)],
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.headers["access-control-allow-origin"], APP);
    assert!(
        listed(&read, "access-control-expose-headers").contains(&"etag".to_owned()),
        "{:?}",
        read.headers
    );
    let conflict = relay
        .call(
            "POST",
            "/v1/events",
            Some(EVENTS_TOKEN),
            Some(&deal_event("evt_cors", 1).to_string()),
            &[("origin", APP), ("webhook-config-revision", "9")],
        )
        .await;
    assert_eq!(conflict.status, 409, "{}", conflict.text);
    assert_eq!(conflict.headers["access-control-allow-origin"], APP);
    assert_eq!(conflict.body["revision"], 0);
    let elsewhere = relay
        .call(
            "GET",
            "/v1/config",
            Some(ADMIN_TOKEN),
            None,
            &[("origin", "https://evil.example")],
        )
        .await;
    // Without Access-Control-Allow-Origin the browser gives the page nothing of the answer.
    assert!(elsewhere
        .headers
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_webhook_waits_at_most_a_day_between_attempts() {
    const DAY_MS: u64 = 24 * 60 * 60 * 1000;
    let nats = Nats::start().await;
    let relay = Relay::start(&nats.url(), &[]).await;
    let document = |route: &str, max_backoff_ms: u64| {
        let mut document = config(
            "https://erp.example",
            json!({"type": "none"}),
            false,
            json!({"max_attempts": 10, "initial_backoff_ms": 1000, "max_backoff_ms": max_backoff_ms}),
        );
        document["webhooks"][0]["route"] = json!(route);
        document["automations"] = json!([]);
        document
    };
    // Up to a day, and ten attempts: stored.
    relay.put_config(&document("relay", DAY_MS)).await;
    assert_eq!(
        relay.admin("GET", "/v1/config", None).await.body["webhooks"][0]["retry"]["max_backoff_ms"],
        DAY_MS
    );
    let before = relay.admin("GET", "/v1/config", None).await;
    let etag = before.headers["etag"].to_str().unwrap().to_owned();
    let refused = relay
        .call(
            "PUT",
            "/v1/config",
            Some(ADMIN_TOKEN),
            Some(&document("relay", DAY_MS + 1).to_string()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.body["error"]
        .as_str()
        .unwrap()
        .contains("nothing was stored"));
    let problems = refused.body["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["where"], "webhook \"ERP\"");
    assert_eq!(problems[0]["severity"], "error");
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("the relay waits at most 24 hours between two attempts"),
        "{problems:?}"
    );
    let after = relay.admin("GET", "/v1/config", None).await;
    assert_eq!(after.headers["etag"], before.headers["etag"]);
    assert_eq!(after.text, before.text, "nothing was stored");
}
