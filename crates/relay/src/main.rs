//! `webhook-relay`: flags → start-up checks → serve until SIGTERM. Any problem at start-up exits with
//! status 2 and one line saying what is wrong.

use std::process::ExitCode;

fn main() -> ExitCode {
    let settings = match webhook_relay::cli::parse() {
        Ok(settings) => settings,
        Err(exit) => return exit,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("webhook-relay: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(webhook_relay::run::run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("webhook-relay: {error}");
            ExitCode::from(2)
        }
    }
}
