//! Malformed traffic must not take the receiver down.

mod common;

use common::*;

/// Deterministic pseudo-random bytes (no `rand` dependency needed).
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u8
        })
        .collect()
}

#[tokio::test]
async fn garbage_does_not_stop_the_server() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();

    let mut inputs: Vec<Vec<u8>> = vec![
        b"GARBAGE\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"POST /x HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n".to_vec(),
        b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: nope\r\n\r\n".to_vec(),
        b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nshort".to_vec(),
        b"\r\n\r\n\r\n".to_vec(),
        Vec::new(),
    ];
    for seed in 1..=5 {
        inputs.push(noise(4096, seed));
    }
    for input in &inputs {
        // Whatever comes back (a 400, nothing, a reset) is fine; hanging or dying is not.
        let answer = send_garbage(addr, input).await;
        if let Err(err) = &answer {
            assert_ne!(err.kind(), std::io::ErrorKind::TimedOut, "{input:?}");
        }
        let after = post(addr, "/still-alive", b"ok").await;
        assert_eq!(
            after.status,
            200,
            "after {:?}",
            String::from_utf8_lossy(input)
        );
    }

    // The truncated body (client gave up mid-body) is not recorded; the others never were
    // valid requests.
    let records = recorded(addr).await;
    assert!(records.iter().all(|r| r["path"] == "/still-alive"));
    assert_eq!(records.len(), inputs.len());
}

#[tokio::test]
async fn many_concurrent_requests_get_distinct_seqs() {
    let receiver = start(test_config()).await;
    let addr = receiver.local_addr();
    let tasks: Vec<_> = (0..40)
        .map(|i| tokio::spawn(async move { post(addr, &format!("/c/{i}"), b"x").await }))
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        let response = task.await.expect("task");
        assert_eq!(response.status, 200);
        seqs.push(response.json()["seq"].as_u64().expect("seq"));
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
    let listed: Vec<u64> = recorded(addr)
        .await
        .iter()
        .map(|r| r["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(listed, (1..=40).collect::<Vec<u64>>(), "oldest first");
}
