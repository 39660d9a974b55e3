//! A tiny HTTP/1.1 client over raw TCP for the integration tests.
//!
//! Raw TCP rather than an HTTP client library: the tests must see exactly what went over
//! the wire, including a connection closed without any response (`drop` actions), and must
//! be able to send malformed requests.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_receiver::{spawn, Config, RunningReceiver};

/// Upper bound for any single exchange, so a broken server fails a test instead of hanging it.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(20);

/// A config for tests: a free loopback port and no stderr noise.
pub fn test_config() -> Config {
    Config {
        host: "127.0.0.1".to_owned(),
        port: 0,
        quiet: true,
        ..Config::default()
    }
}

pub async fn start(config: Config) -> RunningReceiver {
    spawn(config).await.expect("receiver starts")
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn has_header_prefix(&self, prefix: &str) -> bool {
        self.headers
            .iter()
            .any(|(name, _)| name.starts_with(prefix))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {}", self.text()))
    }

    /// Parses a whole `Connection: close` response (the body is everything after the head).
    pub fn parse(raw: &[u8]) -> Option<Response> {
        let head_end = raw.windows(4).position(|window| window == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&raw[..head_end]).ok()?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next()?;
        let status = status_line
            .strip_prefix("HTTP/1.1 ")?
            .get(..3)?
            .parse()
            .ok()?;
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':')?;
                Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Response {
            status,
            headers,
            body: raw[head_end + 4..].to_vec(),
        })
    }
}

/// The bytes of a request with `Content-Length` and `Connection: close`.
pub fn request_bytes(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// Writes `raw`, then reads until the server closes the connection.
pub async fn exchange(addr: SocketAddr, raw: &[u8]) -> io::Result<Vec<u8>> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(raw).await?;
        let mut received = Vec::new();
        stream.read_to_end(&mut received).await?;
        Ok(received)
    };
    tokio::time::timeout(EXCHANGE_TIMEOUT, exchange)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no answer in time"))?
}

/// Writes `raw` (anything, not necessarily HTTP), closes the sending side, and reads what
/// comes back until the server closes.
pub async fn send_garbage(addr: SocketAddr, raw: &[u8]) -> io::Result<Vec<u8>> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(raw).await?;
        stream.shutdown().await?;
        let mut received = Vec::new();
        stream.read_to_end(&mut received).await?;
        Ok(received)
    };
    tokio::time::timeout(EXCHANGE_TIMEOUT, exchange)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no answer in time"))?
}

pub async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let raw = exchange(addr, &request_bytes(addr, method, target, headers, body))
        .await
        .unwrap_or_else(|err| panic!("{method} {target} failed: {err}"));
    Response::parse(&raw).unwrap_or_else(|| {
        panic!(
            "{method} {target}: not an HTTP response: {:?}",
            String::from_utf8_lossy(&raw)
        )
    })
}

pub async fn get(addr: SocketAddr, target: &str) -> Response {
    send(addr, "GET", target, &[], b"").await
}

pub async fn post(addr: SocketAddr, target: &str, body: &[u8]) -> Response {
    send(addr, "POST", target, &[], body).await
}

/// `GET /_receiver/requests` as a JSON array.
pub async fn recorded(addr: SocketAddr) -> Vec<Value> {
    let response = get(addr, "/_receiver/requests").await;
    assert_eq!(response.status, 200, "{}", response.text());
    match response.json() {
        Value::Array(records) => records,
        other => panic!("expected an array, got {other}"),
    }
}

/// `POST /_receiver/script`, asserting it was accepted.
pub async fn queue_script(addr: SocketAddr, script: &str) -> Value {
    let response = post(addr, "/_receiver/script", script.as_bytes()).await;
    assert_eq!(response.status, 200, "script refused: {}", response.text());
    response.json()
}

/// A unique path in the temp directory (no extra dependency for a temp-file crate).
pub fn temp_path(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    std::env::temp_dir().join(format!(
        "webhook-receiver-test-{}-{nanos}-{name}",
        std::process::id()
    ))
}
