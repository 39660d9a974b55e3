//! Review 12: what an adversarial review broke, each test failing when written.

use std::time::Duration;

use serde_json::json;

use crate::support::*;

/// docs/relay.md: "An answer's body is read up to 68 KiB (the 4 KiB the history keeps, plus room to
/// recognise and mask a credential the endpoint echoes right at the cut)". The room assumes masking
/// never shortens the text; it does: a long token (400 characters, as opaque API keys and JWTs are)
/// becomes the 6-character mask, so 173 echoes shrink to about 3.3 KiB and the *partial* token cut off
/// at 68 KiB — which the scrubber cannot recognise — lands inside the 4 KiB excerpt and is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_token_echoed_up_to_the_read_limit_is_not_kept_in_part() {
    let token: String = (0..400)
        .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7 + i / 36) % 36]))
        .collect();
    let nats = Nats::start().await;
    let receiver = Receiver::start(&[]).await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    relay
        .put_config(&config(
            &receiver.url,
            json!({"type": "bearer"}),
            false,
            json!({"max_attempts": 1}),
        ))
        .await;
    relay
        .put_credentials(WEBHOOK, json!({"token": token}))
        .await;
    // An endpoint that echoes what it was sent, many times (a debugging endpoint, a log dump).
    let echo = format!("{token} ").repeat(180);
    receiver
        .script(json!([{"status": 400, "body": echo}]))
        .await;
    relay.post_events(&deal_event("evt_echo", 1)).await;
    wait_until("the delivery to end", Duration::from_secs(30), || async {
        relay
            .executions()
            .await
            .first()
            .is_some_and(|execution| execution["status"] == "failed")
    })
    .await;
    let execution = relay.executions().await[0].clone();
    let excerpt = execution["attempts"][0]["response"]["body_excerpt"]
        .as_str()
        .unwrap()
        .to_owned();
    let leaked = (0..=token.len() - 32).find(|&at| excerpt.contains(&token[at..at + 32]));
    assert!(
        leaked.is_none(),
        "32 characters or more of the token are in the recorded answer ({} bytes), from character {:?} on: …{}",
        excerpt.len(),
        leaked,
        excerpt.chars().rev().take(300).collect::<Vec<_>>().into_iter().rev().collect::<String>()
    );
}

/// The `409` revision path relies on "larger is newer" (docs/relay.md, Routes and revisions), but
/// `PUT /v1/config` stores a document whose `revision` is lower than the stored one (a stale export,
/// `docs/examples/config.json` put again as in "Try it", `If-Match: *`). From then on every regular
/// user's browser, which planned with the newer revision, is answered `409` on every handover and
/// cannot put the configuration itself (no admin token): their relay deliveries wait until an admin
/// opens the app. The relay should refuse to go back (or at least say so).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_with_a_lower_revision_does_not_replace_a_newer_one() {
    let nats = Nats::start().await;
    let relay = Relay::start(&nats.url(), &["--allow-private"]).await;
    let mut newer = plain_config("http://127.0.0.1:9");
    newer["revision"] = json!(7);
    relay.put_config(&newer).await;
    let mut older = plain_config("http://127.0.0.1:9");
    older["revision"] = json!(3);
    let etag = relay.admin("GET", "/v1/config", None).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let answer = relay
        .call(
            "PUT",
            "/v1/config",
            Some(ADMIN_TOKEN),
            Some(&older.to_string()),
            &[("if-match", &etag)],
        )
        .await;
    let handover = relay
        .call(
            "POST",
            "/v1/events",
            Some(EVENTS_TOKEN),
            Some(&deal_event("evt_rev", 1).to_string()),
            &[("webhook-config-revision", "7")],
        )
        .await;
    assert!(
        answer.status != 200 && handover.status == 202,
        "revision 3 stored over 7 ({}: {}), and a browser at revision 7 is now refused: {} {}",
        answer.status,
        answer.text,
        handover.status,
        handover.text
    );
}
