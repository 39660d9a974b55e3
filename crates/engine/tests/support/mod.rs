//! A real HTTP transport over tokio TCP for the runner's tests (HTTP/1.1, one connection per request,
//! no redirects followed), a test environment, and a receiver to send to.

use std::cell::{Cell, RefCell};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_engine::request::OutgoingRequest;
use webhook_engine::retry::Outcome;
use webhook_engine::runner::{Environment, Exchange, Response, Transport};
use webhook_receiver::{spawn, Config, RunningReceiver};

pub async fn receiver() -> RunningReceiver {
    spawn(Config {
        port: 0,
        quiet: true,
        ..Config::default()
    })
    .await
    .expect("receiver starts")
}

pub struct TcpTransport;

impl Transport for TcpTransport {
    async fn send(&self, request: &OutgoingRequest, timeout_ms: u32) -> Exchange {
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        match tokio::time::timeout(
            timeout,
            exchange(
                request.method.as_str(),
                &request.url,
                &request.headers,
                &request.body,
            ),
        )
        .await
        {
            Err(_) => Exchange::Failed(Outcome::Timeout),
            Ok(None) => Exchange::Failed(Outcome::NetworkError),
            Ok(Some(response)) => Exchange::Answered(response),
        }
    }
}

/// One HTTP/1.1 exchange; `None` when the connection fails or closes without a complete answer.
pub async fn exchange(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &str,
) -> Option<Response> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(authority).await.ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(body.as_bytes()).await.ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    Some(Response {
        status,
        headers,
        body: body.to_string(),
    })
}

pub async fn control(method: &str, url: &str, body: &str) -> Value {
    let headers = [("content-type".to_string(), "application/json".to_string())];
    let response = exchange(method, url, &headers, body)
        .await
        .expect("the control API answers");
    assert!(
        response.status < 300,
        "{method} {url}: {} {}",
        response.status,
        response.body
    );
    serde_json::from_str(&response.body).expect("the control API answers JSON")
}

/// Real time, no real waiting: retry delays are recorded so tests assert them instead of sleeping.
#[derive(Default)]
pub struct TestEnvironment {
    pub next_id: Cell<u32>,
    pub slept: RefCell<Vec<u64>>,
}

impl Environment for TestEnvironment {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    }

    fn random_unit(&mut self) -> f64 {
        0.5
    }

    fn new_id(&mut self) -> String {
        self.next_id.set(self.next_id.get() + 1);
        format!("msg_test_{}", self.next_id.get())
    }

    async fn sleep_ms(&self, ms: u64) {
        self.slept.borrow_mut().push(ms);
    }
}
