//! Real processes for the relay's tests: `nats-server` (from `.tools/bin`, installed by bootstrap),
//! the project's `webhook-receiver` and `webhook-relay`, each on free loopback ports with its own
//! temporary folder, stopped when dropped. Tests wait on conditions, never on sleeps.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const ADMIN_TOKEN: &str = "admin-token-for-tests-0123456789";
pub const EVENTS_TOKEN: &str = "events-token-for-tests-0123456789";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn nats_server_binary() -> PathBuf {
    let path = workspace_root().join(".tools/bin/nats-server");
    assert!(
        path.exists(),
        "nats-server is missing at {}: run `make bootstrap` (scripts/bootstrap.sh installs nats-server 2.15.1 there)",
        path.display()
    );
    path
}

pub fn relay_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_webhook-relay"))
}

pub fn receiver_binary() -> PathBuf {
    let path = relay_binary().parent().unwrap().join("webhook-receiver");
    assert!(
        path.exists(),
        "webhook-receiver is missing at {}: build it first with `cargo build -p webhook-receiver` (`cargo test --workspace` builds it)",
        path.display()
    );
    path
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A temporary folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "relay-test-{what}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits until `condition` holds, checking every 50 ms; fails the test naming `what` after `limit`.
pub async fn wait_until<F, Fut>(what: &str, limit: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !condition().await {
        assert!(
            started.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn signal(child: &Child, name: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status();
}

/// A process stopped (SIGKILL) when dropped.
pub struct Process {
    pub child: Option<Child>,
}

impl Process {
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then the exit status.
    pub async fn terminate(&mut self, limit: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("the process runs");
        signal(&child, "TERM");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < limit,
                "the process did not stop within {limit:?} of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------------- NATS

pub struct Nats {
    pub port: u16,
    pub args: Vec<String>,
    pub dir: TempDir,
    pub process: Process,
}

impl Nats {
    /// A single JetStream server on a free port with a fresh data folder.
    pub async fn start() -> Nats {
        let dir = TempDir::new("nats");
        let port = free_port();
        let args = vec![
            "-js".into(),
            "-a".into(),
            "127.0.0.1".into(),
            "-p".into(),
            port.to_string(),
            "-sd".into(),
            dir.path().join("data").display().to_string(),
        ];
        let process = spawn_nats(&args, dir.path(), "nats").await;
        wait_for_port(port).await;
        Nats {
            port,
            args,
            dir,
            process,
        }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Stops the server (SIGTERM) and starts it again with the same port and data folder.
    pub async fn restart(&mut self) {
        self.process.terminate(Duration::from_secs(30)).await;
        self.process = spawn_nats(&self.args, self.dir.path(), "nats").await;
        wait_for_port(self.port).await;
    }
}

async fn spawn_nats(args: &[String], dir: &Path, name: &str) -> Process {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("{name}.log")))
        .unwrap();
    let child = Command::new(nats_server_binary())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("nats-server starts");
    Process { child: Some(child) }
}

async fn wait_for_port(port: u16) {
    wait_until(
        &format!("port {port} to accept connections"),
        Duration::from_secs(30),
        || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        },
    )
    .await;
}

/// Three JetStream servers clustered on loopback.
pub struct Cluster {
    pub nodes: Vec<Nats>,
}

impl Cluster {
    pub async fn start() -> Cluster {
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let cluster_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let routes = cluster_ports
            .iter()
            .map(|port| format!("nats://127.0.0.1:{port}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut nodes = Vec::new();
        for index in 0..3 {
            let dir = TempDir::new("nats-node");
            let args = vec![
                "-js".into(),
                "-a".into(),
                "127.0.0.1".into(),
                "-p".into(),
                ports[index].to_string(),
                "-sd".into(),
                dir.path().join("data").display().to_string(),
                "--server_name".into(),
                format!("n{index}"),
                "--cluster_name".into(),
                "relaytest".into(),
                "--cluster".into(),
                format!("nats://127.0.0.1:{}", cluster_ports[index]),
                "--routes".into(),
                routes.clone(),
            ];
            let process = spawn_nats(&args, dir.path(), "nats").await;
            nodes.push(Nats {
                port: ports[index],
                args,
                dir,
                process,
            });
        }
        for node in &nodes {
            wait_for_port(node.port).await;
        }
        Cluster { nodes }
    }

    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(Nats::url)
            .collect::<Vec<_>>()
            .join(",")
    }
}

// ---------------------------------------------------------------------------------------- receiver

pub struct Receiver {
    pub url: String,
    process: Process,
    seen: Mutex<Vec<Value>>,
    client: reqwest::Client,
}

impl Receiver {
    pub async fn start(flags: &[&str]) -> Receiver {
        let mut child = Command::new(receiver_binary())
            .args(["--port", "0", "--quiet"])
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("webhook-receiver starts");
        let url = first_line_after(&mut child, "webhook-receiver listening on ");
        Receiver {
            url,
            process: Process { child: Some(child) },
            seen: Mutex::new(Vec::new()),
            client: reqwest::Client::new(),
        }
    }

    /// Every request recorded so far, oldest first.
    pub async fn requests(&self) -> Vec<Value> {
        let since = self
            .seen
            .lock()
            .unwrap()
            .last()
            .and_then(|record| record["seq"].as_u64())
            .unwrap_or(0);
        let new: Vec<Value> = self
            .client
            .get(format!("{}/_receiver/requests?since={since}", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .map(|text| serde_json::from_str(&text).unwrap())
            .unwrap();
        let mut seen = self.seen.lock().unwrap();
        seen.extend(new);
        seen.clone()
    }

    pub async fn script(&self, actions: Value) {
        let response = self
            .client
            .post(format!("{}/_receiver/script", self.url))
            .header("content-type", "application/json")
            .body(actions.to_string())
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "script refused: {}",
            response.text().await.unwrap()
        );
    }
}

/// Reads the child's stdout until a line starting with `prefix`; the rest of that line.
fn first_line_after(child: &mut Child, prefix: &str) -> String {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("the process ended before printing {prefix:?}"))
            .unwrap();
        if let Some(rest) = line.strip_prefix(prefix) {
            // Keep draining stdout so the process never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return rest.trim().to_string();
        }
    }
}

pub fn header<'r>(record: &'r Value, name: &str) -> Option<&'r str> {
    record["headers"]
        .as_array()?
        .iter()
        .find(|pair| {
            pair[0]
                .as_str()
                .is_some_and(|found| found.eq_ignore_ascii_case(name))
        })
        .and_then(|pair| pair[1].as_str())
}

// ------------------------------------------------------------------------------------------- relay

pub struct Relay {
    pub url: String,
    pub dir: TempDir,
    pub process: Process,
    client: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Relay {
    /// A relay on a free port, with the test tokens, against `nats` (one URL or several).
    pub async fn start(nats: &str, extra: &[&str]) -> Relay {
        Relay::try_start(nats, extra)
            .await
            .expect("the relay starts")
    }

    pub async fn try_start(nats: &str, extra: &[&str]) -> Result<Relay, String> {
        Relay::try_start_logging(nats, extra, "info").await
    }

    /// A relay like [`Relay::start`] whose stderr log is written at `rust_log` (`RUST_LOG`).
    pub async fn start_logging(nats: &str, extra: &[&str], rust_log: &str) -> Relay {
        Relay::try_start_logging(nats, extra, rust_log)
            .await
            .expect("the relay starts")
    }

    pub async fn try_start_logging(
        nats: &str,
        extra: &[&str],
        rust_log: &str,
    ) -> Result<Relay, String> {
        let dir = TempDir::new("relay");
        std::fs::write(dir.path().join("admin-tokens"), format!("{ADMIN_TOKEN}\n")).unwrap();
        std::fs::write(
            dir.path().join("events-tokens"),
            format!("{EVENTS_TOKEN}\n"),
        )
        .unwrap();
        let stderr = std::fs::File::create(dir.path().join("relay.log")).unwrap();
        let mut child = Command::new(relay_binary())
            .args(["--nats", nats, "--listen", "127.0.0.1:0"])
            .arg("--admin-token-file")
            .arg(dir.path().join("admin-tokens"))
            .arg("--events-token-file")
            .arg(dir.path().join("events-tokens"))
            .args(extra)
            .env_remove("WEBHOOK_RELAY_ADMIN_TOKEN")
            .env_remove("WEBHOOK_RELAY_EVENTS_TOKEN")
            .env("RUST_LOG", rust_log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("webhook-relay starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let url = match lines.next() {
            Some(Ok(line)) => match line.strip_prefix("webhook-relay listening on ") {
                Some(url) => url.trim().to_string(),
                None => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("unexpected first line: {line}"));
                }
            },
            _ => {
                let status = child.wait().unwrap();
                let log = std::fs::read_to_string(dir.path().join("relay.log")).unwrap_or_default();
                return Err(format!(
                    "the relay exited ({status}) before listening: {log}"
                ));
            }
        };
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Ok(Relay {
            url,
            dir,
            process: Process { child: Some(child) },
            client: reqwest::Client::new(),
        })
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("relay.log")).unwrap_or_default()
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.expect("the relay answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn admin(&self, method: &str, path: &str, body: Option<&str>) -> Answer {
        self.call(method, path, Some(ADMIN_TOKEN), body, &[]).await
    }

    /// Stores `document` over whatever is there.
    pub async fn put_config(&self, document: &Value) -> Answer {
        let answer = self
            .put_config_if(document, &self.config_etag().await)
            .await;
        assert_eq!(answer.status, 200, "config refused: {}", answer.text);
        answer
    }

    /// The stored configuration's ETag.
    pub async fn config_etag(&self) -> String {
        let current = self.admin("GET", "/v1/config", None).await;
        current.headers["etag"].to_str().unwrap().to_owned()
    }

    /// `PUT /v1/config` with `If-Match: if_match`, whatever the answer.
    pub async fn put_config_if(&self, document: &Value, if_match: &str) -> Answer {
        self.call(
            "PUT",
            "/v1/config",
            Some(ADMIN_TOKEN),
            Some(&document.to_string()),
            &[("if-match", if_match)],
        )
        .await
    }

    pub async fn put_credentials(&self, webhook: &str, credentials: Value) {
        let answer = self
            .admin(
                "PUT",
                &format!("/v1/webhooks/{webhook}/credentials"),
                Some(&credentials.to_string()),
            )
            .await;
        assert_eq!(answer.status, 200, "credentials refused: {}", answer.text);
    }

    /// Posts events with the events token until they are accepted (a 503 while NATS restarts is
    /// retried: posting again is safe, each event id runs once).
    pub async fn post_events(&self, events: &Value) -> Answer {
        let started = Instant::now();
        loop {
            let answer = self
                .call(
                    "POST",
                    "/v1/events",
                    Some(EVENTS_TOKEN),
                    Some(&events.to_string()),
                    &[],
                )
                .await;
            if answer.status != 503 {
                assert_eq!(answer.status, 202, "events refused: {}", answer.text);
                return answer;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "events not accepted for 60 s: {}",
                answer.text
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every execution, through the cursor, as the admin sees them.
    pub async fn executions(&self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let page = self
                .admin(
                    "GET",
                    &format!("/v1/executions?after={after}&limit=1000"),
                    None,
                )
                .await;
            assert_eq!(page.status, 200, "{}", page.text);
            let items = page.body["executions"].as_array().unwrap().clone();
            if items.is_empty() {
                return all;
            }
            after = page.body["next_cursor"].as_u64().unwrap();
            all.extend(items.into_iter().map(|item| item["execution"].clone()));
        }
    }

    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Attempts this process made, from its metrics.
    pub async fn attempts_made(&self) -> u64 {
        self.metrics()
            .await
            .lines()
            .filter(|line| line.starts_with("webhook_relay_attempts_total{"))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }
}

// ---------------------------------------------------------------------------------- configuration

pub const WEBHOOK: &str = "wh_erp";
pub const AUTOMATION: &str = "au_deals";
pub const SIGNING_SECRET: &str = "whsec_c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw==";

/// One webhook to `base_url`, delivered by the relay (route `relay`), and one automation on updated
/// deals that PUTs a raw JSON body to `/orders/{{deal.id}}`. Revision 1.
pub fn config(base_url: &str, auth: Value, signed: bool, retry: Value) -> Value {
    json!({
        "format": "webhook-automations/config",
        "version": 3,
        "revision": 1,
        "webhooks": [{
            "id": WEBHOOK, "name": "ERP", "base_url": base_url, "route": "relay", "auth": auth,
            "signed": signed, "timeout_ms": 5000, "retry": retry,
            "headers": [{"name": "X-Team", "value": "sales"}]
        }],
        "automations": [{
            "id": AUTOMATION, "name": "Deals to the ERP", "enabled": true,
            "trigger": {"entity": "deal", "action": "updated"},
            "conditions": {"match": "all", "items": []},
            "actions": [{
                "webhook_id": WEBHOOK, "method": "PUT", "path": "/orders/{{deal.id}}",
                "body": {"mode": "raw", "template": "{\"title\": \"{{deal.title}}\", \"amount\": {{deal.value}}, \"by\": \"{{event.user.name}}\"}"}
            }]
        }]
    })
}

pub fn plain_config(base_url: &str) -> Value {
    config(
        base_url,
        json!({"type": "none"}),
        false,
        json!({"max_attempts": 5, "initial_backoff_ms": 200, "max_backoff_ms": 2000}),
    )
}

/// An updated deal.
pub fn deal_event(id: &str, deal: u64) -> Value {
    json!({
        "id": id,
        "entity": "deal",
        "action": "updated",
        "time": "2026-11-28T10:15:00Z",
        "user": {"id": 1, "name": "Ada Admin", "email": "ada@example.com", "is_admin": true},
        "current": {"id": deal, "title": format!("Deal {deal}"), "value": 1000 + deal, "stage": "negotiations"},
        "previous": {"id": deal, "title": format!("Deal {deal}"), "value": 1000 + deal, "stage": "proposal_made"}
    })
}

pub fn execution_id(event_id: &str) -> String {
    webhook_engine::runner::execution_id(event_id, AUTOMATION, 0)
}
