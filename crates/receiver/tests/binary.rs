//! The real `webhook-receiver` binary: the stdout line scripts parse, a request, SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_webhook-receiver");

/// Kills the child if a test assertion fails before it was stopped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn binary_prints_its_address_records_and_stops_on_sigterm() {
    let child = Command::new(BINARY)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut guard = Guard(child);

    let mut stdout = BufReader::new(guard.0.stdout.take().expect("stdout"));
    let mut first_line = String::new();
    stdout.read_line(&mut first_line).expect("first line");
    let address = first_line
        .trim_end()
        .strip_prefix("webhook-receiver listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_owned();
    assert!(address.starts_with("127.0.0.1:"), "{address}");
    assert_ne!(address, "127.0.0.1:0");

    let mut stream = TcpStream::connect(&address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "POST /from-binary?x=1 HTTP/1.1\r\nHost: {address}\r\nContent-Length: 2\r\n\
         Connection: close\r\n\r\nhi"
    )
    .expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with(r#"{"received":true,"seq":1}"#), "{answer}");

    // SIGTERM must end it cleanly (exit 0), as Ctrl-C does.
    let pid = guard.0.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status();
    if sent.is_ok_and(|status| status.success()) {
        let status =
            wait_for_exit(&mut guard.0, Duration::from_secs(10)).expect("exits on SIGTERM");
        assert!(status.success(), "exit status {status}");
    } else {
        guard.0.kill().expect("kill");
        guard.0.wait().expect("wait");
    }

    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("stdout");
    assert_eq!(rest, "", "only one line goes to stdout");
    let mut stderr = String::new();
    guard
        .0
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(
        stderr.contains("#1 POST /from-binary?x=1 (2 B) -> 200"),
        "{stderr}"
    );
}

#[test]
fn binary_refuses_bad_flags_with_a_reason() {
    let output = Command::new(BINARY)
        .args(["--basic-auth", "no-colon"])
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("USER:PASSWORD"), "{stderr}");
}
