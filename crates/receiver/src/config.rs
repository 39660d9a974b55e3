//! Command-line flags and the validated configuration the server runs with.

use std::path::PathBuf;

use clap::Parser;

use crate::basic_auth::BasicAuth;
use crate::signature::SigningSecret;

/// Default for `--max-body-bytes`: 10 MiB, far above any real webhook payload.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// A flag value that cannot be used. Shown by clap as the reason a flag was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "--basic-auth must look like USER:PASSWORD (a colon separates the user from the password)"
    )]
    BasicAuthWithoutColon,
    #[error("--basic-auth needs a non-empty user name before the colon")]
    BasicAuthEmptyUser,
    #[error("--signing-secret must be `whsec_` followed by base64, but the part after `whsec_` is not valid base64: {0}")]
    SigningSecretNotBase64(String),
    #[error("--signing-secret decodes to an empty key; use the whole `whsec_...` secret")]
    SigningSecretEmpty,
    #[error("--signing-secret cannot be used as an HMAC-SHA256 key")]
    SigningSecretUnusableKey,
}

/// Flags of the `webhook-receiver` binary.
#[derive(Debug, Parser)]
#[command(
    name = "webhook-receiver",
    version,
    about = "A local HTTP endpoint that records every request, for trying and testing webhooks",
    long_about = "A local HTTP endpoint that records every request, for trying and testing \
                  webhooks. Any method on any path is recorded and answered; the control API \
                  lives under /_receiver (HTML view at /_receiver, JSON at /_receiver/requests, \
                  scripted responses via POST /_receiver/script)."
)]
pub struct Cli {
    /// Address to listen on. Loopback by default so the receiver is not reachable from
    /// other machines.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 picks a free port (read it from the first stdout line).
    #[arg(long, default_value_t = 8090)]
    pub port: u16,

    /// Append every recorded request as one JSON line to FILE (created if needed).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// Send no CORS headers at all, so a browser page on another origin is refused.
    #[arg(long)]
    pub no_cors: bool,

    /// Require `Authorization: Basic` with these credentials on recorded requests.
    #[arg(long, value_name = "USER:PASS", value_parser = parse_basic_auth)]
    pub basic_auth: Option<BasicAuth>,

    /// Verify Standard Webhooks signatures (webhook-id / webhook-timestamp /
    /// webhook-signature) with this secret.
    #[arg(long, value_name = "whsec_...", value_parser = parse_signing_secret)]
    pub signing_secret: Option<SigningSecret>,

    /// Largest request body to accept; larger ones get 413 and are recorded truncated.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Do not log one line per request to stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_basic_auth(value: &str) -> Result<BasicAuth, ConfigError> {
    value.parse()
}

fn parse_signing_secret(value: &str) -> Result<SigningSecret, ConfigError> {
    value.parse()
}

/// Everything the server needs to run. Build it from [`Cli`] or directly (tests).
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
    /// Append each record as a JSON line here.
    pub log_file: Option<PathBuf>,
    /// Send CORS headers (preflight answers and `Access-Control-*` on every response).
    pub cors: bool,
    pub basic_auth: Option<BasicAuth>,
    pub signing_secret: Option<SigningSecret>,
    pub max_body_bytes: usize,
    /// Suppress the one-line-per-request log on stderr.
    pub quiet: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".to_owned(),
            port: 8090,
            log_file: None,
            cors: true,
            basic_auth: None,
            signing_secret: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            quiet: false,
        }
    }
}

impl From<Cli> for Config {
    fn from(cli: Cli) -> Self {
        Config {
            host: cli.host,
            port: cli.port,
            log_file: cli.log,
            cors: !cli.no_cors,
            basic_auth: cli.basic_auth,
            signing_secret: cli.signing_secret,
            max_body_bytes: cli.max_body_bytes,
            quiet: cli.quiet,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        let argv = std::iter::once("webhook-receiver").chain(args.iter().copied());
        Cli::try_parse_from(argv).map(Config::from)
    }

    #[test]
    fn defaults_are_loopback_8090_with_cors() {
        let config = parse(&[]).expect("no flags parse");
        assert_eq!(config.host, "127.0.0.1");
        assert_eq!(config.port, 8090);
        assert!(config.cors);
        assert_eq!(config.max_body_bytes, 10 * 1024 * 1024);
        assert!(config.basic_auth.is_none() && config.signing_secret.is_none());
    }

    #[test]
    fn all_flags_parse() {
        let config = parse(&[
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--log",
            "/tmp/x.jsonl",
            "--no-cors",
            "--basic-auth",
            "user:pa:ss",
            "--signing-secret",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "--max-body-bytes",
            "1024",
        ])
        .expect("flags parse");
        assert_eq!(config.port, 0);
        assert!(!config.cors);
        assert_eq!(config.max_body_bytes, 1024);
        assert!(config.basic_auth.is_some());
        assert!(config.signing_secret.is_some());
    }

    #[test]
    fn bad_flag_values_are_refused_with_the_reason() {
        let err = parse(&["--basic-auth", "nocolon"]).expect_err("must fail");
        assert!(err.to_string().contains("USER:PASSWORD"), "{err}");
        let err = parse(&["--signing-secret", "whsec_***"]).expect_err("must fail");
        assert!(err.to_string().contains("not valid base64"), "{err}");
    }
}
