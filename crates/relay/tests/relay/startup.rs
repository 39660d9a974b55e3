//! Start-up: `--help` documents every flag; a bad start exits with status 2 and one line.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

use crate::support::*;

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let output = Command::new(relay_binary())
        .args(args)
        .env_remove("WEBHOOK_RELAY_ADMIN_TOKEN")
        .env_remove("WEBHOOK_RELAY_EVENTS_TOKEN")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn one_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("webhook-relay: "))
        .collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    lines[0]
}

const TOKENS: [(&str, &str); 2] = [
    ("WEBHOOK_RELAY_ADMIN_TOKEN", ADMIN_TOKEN),
    ("WEBHOOK_RELAY_EVENTS_TOKEN", EVENTS_TOKEN),
];

#[test]
fn help_documents_every_flag() {
    let (code, stdout, _) = run(&["--help"], &[]);
    assert_eq!(code, 0);
    for flag in [
        "--nats",
        "--nats-creds",
        "--nats-tls-ca",
        "--listen",
        "--admin-token-file",
        "--events-token-file",
        "--allow-origin",
        "--allow-private",
        "--retention-days",
        "--max-runs-per-minute",
        "--max-body-bytes",
        "--replicas",
        "--namespace",
        "--ack-wait-secs",
        "--max-in-flight",
        "--shutdown-grace-secs",
        "--resolve",
    ] {
        assert!(stdout.contains(flag), "{flag} in {stdout}");
    }
}

#[test]
fn a_bad_start_exits_2_with_one_line() {
    let unreachable = format!("nats://127.0.0.1:{}", free_port());
    type Environment<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Vec<&str>, Environment, &str)> = vec![
        (
            vec!["--bogus"],
            TOKENS.to_vec(),
            "unexpected argument '--bogus'",
        ),
        (
            vec!["--retention-days", "0"],
            TOKENS.to_vec(),
            "--retention-days",
        ),
        (
            vec!["--nats", &unreachable],
            vec![("WEBHOOK_RELAY_EVENTS_TOKEN", EVENTS_TOKEN)],
            "no admin token",
        ),
        (
            vec!["--nats", &unreachable],
            TOKENS.to_vec(),
            "cannot reach NATS at",
        ),
    ];
    for (args, env, message) in cases {
        let (code, _, stderr) = run(&args, &env);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(one_line(&stderr).contains(message), "{args:?}: {stderr}");
    }
}

/// A server that greets like nats-server 2.9.10 and answers pings, to see the version refused.
#[test]
fn an_old_nats_server_is_refused_naming_the_version_needed() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let info = r#"INFO {"server_id":"old","server_name":"old","version":"2.9.10","go":"go1.19","host":"127.0.0.1","port":4222,"headers":true,"max_payload":1048576,"proto":1}"#;
                let _ = writer.write_all(format!("{info}\r\n").as_bytes());
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { return };
                    if line.starts_with("PING") {
                        let _ = writer.write_all(b"PONG\r\n");
                    }
                }
            });
        }
    });
    let nats = format!("nats://127.0.0.1:{port}");
    let (code, _, stderr) = run(&["--nats", &nats], &TOKENS);
    assert_eq!(code, 2, "{stderr}");
    let line = one_line(&stderr);
    assert!(
        line.contains("nats-server 2.9.10") && line.contains("needs nats-server 2.10.0 or newer"),
        "{line}"
    );
}

/// NATS over TLS with a private CA (`--nats-tls-ca`): trusted with the CA, refused at start without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_over_tls_is_trusted_through_the_given_ca() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("skipped: openssl is not installed, so no test certificate can be made");
        return;
    }
    let dir = TempDir::new("tls");
    let path = |name: &str| dir.path().join(name).display().to_string();
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl").args(args).output().unwrap();
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=relay test CA",
        "-keyout",
        &path("ca.key"),
        "-out",
        &path("ca.pem"),
    ]);
    std::fs::write(
        dir.path().join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        &path("server.key"),
        "-out",
        &path("server.csr"),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &path("server.csr"),
        "-CA",
        &path("ca.pem"),
        "-CAkey",
        &path("ca.key"),
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        &path("server.ext"),
        "-out",
        &path("server.pem"),
    ]);
    let port = free_port();
    let _nats = Process {
        child: Some(
            Command::new(nats_server_binary())
                .args([
                    "-js",
                    "-a",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                    "-sd",
                    &path("data"),
                ])
                .args([
                    "--tls",
                    "--tlscert",
                    &path("server.pem"),
                    "--tlskey",
                    &path("server.key"),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        ),
    };
    wait_until(
        "NATS with TLS",
        std::time::Duration::from_secs(30),
        || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        },
    )
    .await;
    let url = format!("tls://127.0.0.1:{port}");

    let (code, _, stderr) = run(&["--nats", &url, "--listen", "127.0.0.1:0"], &TOKENS);
    assert_eq!(code, 2, "{stderr}");
    assert!(one_line(&stderr).contains("cannot reach NATS"), "{stderr}");

    let ca = path("ca.pem");
    let relay = Relay::start(&url, &["--nats-tls-ca", &ca]).await;
    let health = relay.call("GET", "/healthz", None, None, &[]).await;
    assert_eq!(health.status, 200, "{}", health.text);
}
