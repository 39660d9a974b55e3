//! `webhook-receiver`: parse flags, start the server, print the address, wait for Ctrl-C or
//! SIGTERM. Everything else lives in the library.

use std::io::Write as _;
use std::net::IpAddr;
use std::process::ExitCode;

use clap::Parser as _;
use webhook_receiver::{spawn, Cli, Config};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::from(Cli::parse());
    warn_if_reachable_from_network(&config.host);
    // Installed before the address is printed: whoever reads that line may stop us at once, and a
    // signal that arrived before its handler would kill the process instead of stopping it cleanly.
    let stop = shutdown_signal();
    let receiver = match spawn(config).await {
        Ok(receiver) => receiver,
        Err(err) => {
            eprintln!("webhook-receiver: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Scripts and tests parse this exact line, so it goes to stdout alone and is flushed.
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "webhook-receiver listening on {}", receiver.url());
    let _ = stdout.flush();

    if let Err(err) = stop.await {
        eprintln!("webhook-receiver: cannot listen for SIGTERM ({err}); stop it with Ctrl-C");
        let _ = tokio::signal::ctrl_c().await;
    }
    receiver.shutdown().await;
    ExitCode::SUCCESS
}

/// The receiver accepts anything from anyone; say so when it is not on loopback.
fn warn_if_reachable_from_network(host: &str) {
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        eprintln!(
            "webhook-receiver: warning: listening on {host}, so other machines can send to it \
             and read what it recorded"
        );
    }
}

/// Registers the handlers now and returns a future that completes on Ctrl-C, or on SIGTERM where
/// there is one.
fn shutdown_signal() -> impl std::future::Future<Output = std::io::Result<()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        async move {
            let (mut terminate, mut interrupt) = (terminate?, interrupt?);
            tokio::select! {
                _ = interrupt.recv() => Ok(()),
                _ = terminate.recv() => Ok(()),
            }
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
    }
}
