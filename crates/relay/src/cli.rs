//! The command line: every flag, documented for `--help`, checked before anything starts.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::Parser;
use webhook_engine::runner::DEFAULT_RUNS_PER_MINUTE;
use webhook_engine::settings::{DEFAULT_RETENTION_DAYS, RETENTION_DAYS, RUNS_PER_MINUTE};

/// Delivers automation webhooks server-side, with the same engine as the browser app. All state lives
/// in NATS JetStream (nats-server 2.10 or newer, with -js); run as many relay processes as you like
/// against the same NATS. See docs/relay.md.
#[derive(Debug, Parser)]
#[command(name = "webhook-relay", version, about, max_term_width = 100)]
pub struct Args {
    /// NATS server URL; several, comma-separated, for a cluster.
    #[arg(
        long,
        env = "WEBHOOK_RELAY_NATS",
        default_value = "nats://127.0.0.1:4222",
        value_name = "URL[,URL…]"
    )]
    pub nats: String,

    /// NATS credentials file (JWT and NKey seed) for a secured server.
    #[arg(long, env = "WEBHOOK_RELAY_NATS_CREDS", value_name = "FILE")]
    pub nats_creds: Option<PathBuf>,

    /// CA certificate (PEM) that signed the NATS server's TLS certificate; TLS is then required.
    #[arg(long, env = "WEBHOOK_RELAY_NATS_TLS_CA", value_name = "FILE")]
    pub nats_tls_ca: Option<PathBuf>,

    /// Address the HTTP API listens on (port 0 picks a free one; the address is printed).
    #[arg(
        long,
        env = "WEBHOOK_RELAY_LISTEN",
        default_value = "127.0.0.1:8070",
        value_name = "HOST:PORT"
    )]
    pub listen: SocketAddr,

    /// File with the admin token(s), one a line (several while rotating). Or set
    /// WEBHOOK_RELAY_ADMIN_TOKEN to the token(s), separated by spaces.
    #[arg(long, env = "WEBHOOK_RELAY_ADMIN_TOKEN_FILE", value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,

    /// File with the events token(s), one a line: they may post events and read executions without
    /// bodies. Or set WEBHOOK_RELAY_EVENTS_TOKEN.
    #[arg(long, env = "WEBHOOK_RELAY_EVENTS_TOKEN_FILE", value_name = "FILE")]
    pub events_token_file: Option<PathBuf>,

    /// An origin (scheme://host[:port]) whose pages may call the API from a browser (CORS);
    /// repeat for several. Without it, no CORS headers are sent.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,

    /// Also send to loopback, private, link-local and other internal addresses (local trying and
    /// tests). Off by default: such destinations are refused (SSRF guard).
    #[arg(long)]
    pub allow_private: bool,

    /// Days executions and event ids are kept.
    #[arg(long, default_value_t = DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(i64::from(*RETENTION_DAYS.start())..=i64::from(*RETENTION_DAYS.end())), value_name = "DAYS")]
    pub retention_days: u32,

    /// Loop guard: runs of one automation per minute, per relay process, before further runs are
    /// stopped.
    #[arg(long, default_value_t = DEFAULT_RUNS_PER_MINUTE, value_parser = clap::value_parser!(u32).range(i64::from(*RUNS_PER_MINUTE.start())..=i64::from(*RUNS_PER_MINUTE.end())), value_name = "RUNS")]
    pub max_runs_per_minute: u32,

    /// Largest request body the API accepts (larger: 413).
    #[arg(long, default_value_t = 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=64 * 1024 * 1024), value_name = "BYTES")]
    pub max_body_bytes: u64,

    /// Replicas of every stream and bucket (3 or 5 in a NATS cluster).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=5), value_name = "N")]
    pub replicas: u8,

    /// Keeps this relay's streams and buckets apart from other relays' on the same NATS (one CRM
    /// account each): lowercase letters, digits, '-' and '_'.
    #[arg(long, value_name = "NAME")]
    pub namespace: Option<String>,

    /// Seconds NATS waits for a delivery's acknowledgement before giving it to another process;
    /// kept alive while an attempt runs, so it only matters when a process dies.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(2..=3600), value_name = "SECONDS")]
    pub ack_wait_secs: u64,

    /// Deliveries one process holds at once (all webhooks together); each webhook still gets at most
    /// 4 requests in flight per process.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10_000), value_name = "N")]
    pub max_in_flight: u32,

    /// On SIGTERM, seconds to let attempts in flight finish; what is left is redelivered elsewhere.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=600), value_name = "SECONDS")]
    pub shutdown_grace_secs: u64,

    /// Answer NAME with ADDRESS instead of asking DNS, like curl's --resolve (tests). The SSRF guard
    /// still checks ADDRESS.
    #[arg(long = "resolve", value_name = "NAME=ADDRESS")]
    pub resolve: Vec<String>,
}

/// Everything the relay runs with, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub nats_urls: Vec<String>,
    pub nats_creds: Option<PathBuf>,
    pub nats_tls_ca: Option<PathBuf>,
    pub listen: SocketAddr,
    pub admin_token_file: Option<PathBuf>,
    pub events_token_file: Option<PathBuf>,
    pub allow_origins: Vec<String>,
    pub allow_private: bool,
    pub retention: Duration,
    pub max_runs_per_minute: u32,
    pub max_body_bytes: usize,
    pub replicas: usize,
    pub namespace: Option<String>,
    pub ack_wait: Duration,
    pub max_in_flight: usize,
    pub shutdown_grace: Duration,
    pub resolve: Vec<(String, IpAddr)>,
}

/// The settings of this process's command line; on a bad one, the exit code to leave with (after
/// printing one line), or success after `--help` / `--version`.
pub fn parse() -> Result<Settings, ExitCode> {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            print!("{error}");
            return Err(ExitCode::SUCCESS);
        }
        Err(error) => {
            eprintln!(
                "webhook-relay: {} (see --help)",
                first_line(&error.to_string())
            );
            return Err(ExitCode::from(2));
        }
    };
    args.into_settings().map_err(|problem| {
        eprintln!("webhook-relay: {problem}");
        ExitCode::from(2)
    })
}

fn first_line(message: &str) -> String {
    let line = message
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(message);
    line.trim().trim_start_matches("error: ").to_string()
}

impl Args {
    pub fn into_settings(self) -> Result<Settings, String> {
        let nats_urls: Vec<String> = self
            .nats
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(str::to_owned)
            .collect();
        if nats_urls.is_empty() {
            return Err("--nats needs at least one URL, like nats://127.0.0.1:4222".into());
        }
        for url in &nats_urls {
            url.parse::<async_nats::ServerAddr>().map_err(|error| {
                format!("--nats {}: not a NATS URL ({error})", without_userinfo(url))
            })?;
        }
        let allow_origins = self
            .allow_origins
            .iter()
            .map(|origin| checked_origin(origin))
            .collect::<Result<_, _>>()?;
        if let Some(namespace) = &self.namespace {
            let fine = !namespace.is_empty()
                && namespace.len() <= 32
                && namespace.bytes().all(|byte| {
                    byte.is_ascii_lowercase()
                        || byte.is_ascii_digit()
                        || byte == b'-'
                        || byte == b'_'
                });
            if !fine {
                return Err(format!(
                    "--namespace {namespace:?}: use 1 to 32 lowercase letters, digits, '-' or '_' (stream names are upper-cased, so namespaces that differ only in case would share them)"
                ));
            }
        }
        let resolve = self
            .resolve
            .iter()
            .map(|entry| {
                let (name, address) = entry.split_once('=').ok_or_else(|| {
                    format!("--resolve {entry}: write NAME=ADDRESS, like erp.example=203.0.113.7")
                })?;
                let address = address
                    .trim_matches(['[', ']'])
                    .parse::<IpAddr>()
                    .map_err(|_| format!("--resolve {entry}: {address} is not an IP address"))?;
                Ok((name.trim().to_ascii_lowercase(), address))
            })
            .collect::<Result<_, String>>()?;
        Ok(Settings {
            nats_urls,
            nats_creds: self.nats_creds,
            nats_tls_ca: self.nats_tls_ca,
            listen: self.listen,
            admin_token_file: self.admin_token_file,
            events_token_file: self.events_token_file,
            allow_origins,
            allow_private: self.allow_private,
            retention: Duration::from_secs(u64::from(self.retention_days) * 86_400),
            max_runs_per_minute: self.max_runs_per_minute,
            max_body_bytes: self.max_body_bytes as usize,
            replicas: usize::from(self.replicas),
            namespace: self.namespace,
            ack_wait: Duration::from_secs(self.ack_wait_secs),
            max_in_flight: self.max_in_flight as usize,
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
            resolve,
        })
    }
}

/// An origin as browsers send it in `Origin`: scheme, host, port, no path; `*` is refused.
fn checked_origin(origin: &str) -> Result<String, String> {
    let problem = || {
        format!("--allow-origin {origin}: give an origin like https://crm.example or http://127.0.0.1:8080 (no path, no '*')")
    };
    let url = url::Url::parse(origin).map_err(|_| problem())?;
    let serialized = url.origin().ascii_serialization();
    if !url.origin().is_tuple() || serialized != origin.trim_end_matches('/') {
        return Err(problem());
    }
    Ok(serialized)
}

/// A NATS URL as it may be logged: without a user name or password in it.
pub fn without_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => url.to_owned(),
        },
        None => match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(args: &[&str]) -> Result<Settings, String> {
        let mut all = vec!["webhook-relay"];
        all.extend_from_slice(args);
        Args::try_parse_from(all)
            .map_err(|error| first_line(&error.to_string()))?
            .into_settings()
    }

    #[test]
    fn defaults_follow_the_browser_settings() {
        let settings = settings(&[]).unwrap();
        assert_eq!(settings.retention, Duration::from_secs(15 * 86_400));
        assert_eq!(settings.max_runs_per_minute, 60);
        assert_eq!(settings.max_body_bytes, 1024 * 1024);
        assert!(!settings.allow_private);
    }

    #[test]
    fn bad_values_are_refused_with_the_flag_named() {
        for (args, expected) in [
            (vec!["--allow-origin", "*"], "--allow-origin *"),
            (
                vec!["--allow-origin", "https://crm.example/app"],
                "--allow-origin",
            ),
            (vec!["--namespace", "a.b"], "--namespace"),
            (vec!["--namespace", "ACME"], "lowercase letters"),
            (vec!["--namespace", "Acme"], "lowercase letters"),
            (vec!["--resolve", "erp.example"], "--resolve erp.example"),
            (
                vec!["--resolve", "erp.example=nope"],
                "nope is not an IP address",
            ),
            (vec!["--retention-days", "0"], "--retention-days"),
            (vec!["--nats", "nats://u:p@[::1"], "not a NATS URL"),
        ] {
            let error = settings(&args).unwrap_err();
            assert!(error.contains(expected), "{args:?}: {error}");
            assert!(!error.contains('\n'), "one line: {error}");
        }
    }

    #[test]
    fn origins_and_resolutions_are_read() {
        let settings = settings(&[
            "--allow-origin",
            "http://127.0.0.1:8080",
            "--resolve",
            "Internal.Example=127.0.0.1",
            "--resolve",
            "six.example=[::1]",
        ])
        .unwrap();
        assert_eq!(settings.allow_origins, ["http://127.0.0.1:8080"]);
        assert_eq!(
            settings.resolve[0],
            ("internal.example".into(), IpAddr::from([127, 0, 0, 1]))
        );
        assert_eq!(settings.resolve[1].1, "::1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn credentials_in_nats_urls_never_reach_a_log_line() {
        assert_eq!(
            without_userinfo("nats://relay:s3cret@nats.internal:4222"),
            "nats://***@nats.internal:4222"
        );
        assert_eq!(
            without_userinfo("nats://127.0.0.1:4222"),
            "nats://127.0.0.1:4222"
        );
    }
}
