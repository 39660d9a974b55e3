//! Listening, per-connection HTTP/1.1 handling, routing, and shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::header::{
    HeaderName, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::request::Parts;
use http::StatusCode;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::{JoinHandle, JoinSet};

use crate::app::App;
use crate::config::Config;
use crate::control;
use crate::cors;
use crate::record::{self, split_header_list, PreflightRecord};
use crate::recorded::{self, Outcome};
use crate::respond::{self, HttpResponse};
use crate::store::Store;

/// How long in-flight requests (e.g. a scripted delay) may finish after shutdown is asked
/// for, before their connections are cut.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Why the receiver could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not listen on {host} port {port}: {source}")]
    Bind {
        host: String,
        port: u16,
        source: io::Error,
    },
    #[error("could not read the address the receiver listens on: {0}")]
    LocalAddr(io::Error),
    #[error("could not open the log file {path}: {source}")]
    OpenLog { path: PathBuf, source: io::Error },
}

/// A receiver running in the background (see [`spawn`]). Dropping it stops it too.
pub struct RunningReceiver {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningReceiver {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://HOST:PORT` (IPv6 hosts in brackets).
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Stops accepting, lets in-flight requests finish for a moment, then returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds `config.host:config.port` (port 0 picks a free one) and starts serving in the
/// background.
pub async fn spawn(config: Config) -> Result<RunningReceiver, StartError> {
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|source| StartError::Bind {
            host: config.host.clone(),
            port: config.port,
            source,
        })?;
    spawn_on(listener, config)
}

/// Starts serving on an already bound listener in the background. Must be called from
/// within a tokio runtime.
pub fn spawn_on(listener: TcpListener, config: Config) -> Result<RunningReceiver, StartError> {
    let local_addr = listener.local_addr().map_err(StartError::LocalAddr)?;
    let app = build_app(config)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(run(listener, app, async {
        // A dropped sender (the handle was dropped) stops the receiver too.
        let _ = stopped.await;
    }));
    Ok(RunningReceiver {
        local_addr,
        stop,
        task,
    })
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    let app = build_app(config)?;
    run(listener, app, shutdown).await;
    Ok(())
}

fn build_app(config: Config) -> Result<Arc<App>, StartError> {
    let log = match &config.log_file {
        Some(path) => Some(Store::open_log(path).map_err(|source| StartError::OpenLog {
            path: path.clone(),
            source,
        })?),
        None => None,
    };
    Ok(Arc::new(App::new(config, Store::new(log))))
}

async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let (stop_connections, connection_stop) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(
                        Arc::clone(&app),
                        stream,
                        peer,
                        connection_stop.clone(),
                    ));
                }
                Err(err) => {
                    eprintln!("webhook-receiver: accepting a connection failed: {err}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            // Reap finished connections so the set does not grow for ever.
            Some(finished) = connections.join_next(), if !connections.is_empty() => {
                if let Err(err) = finished {
                    if err.is_panic() {
                        eprintln!("webhook-receiver: a connection task panicked: {err}");
                    }
                }
            }
        }
    }
    drop(listener);
    let _ = stop_connections.send(true);
    let finished_in_time = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished_in_time.is_err() {
        connections.shutdown().await;
    }
}

async fn serve_connection(
    app: Arc<App>,
    stream: TcpStream,
    peer: SocketAddr,
    mut stop: watch::Receiver<bool>,
) {
    // Answers are small; do not let Nagle hold them back.
    let _ = stream.set_nodelay(true);
    // Fired by a `drop` action: the connection is then dropped instead of answered.
    let drop_switch = Arc::new(Notify::new());
    let service = {
        let app = Arc::clone(&app);
        let drop_switch = Arc::clone(&drop_switch);
        service_fn(move |request| {
            let app = Arc::clone(&app);
            let drop_switch = Arc::clone(&drop_switch);
            async move { Ok::<_, Infallible>(dispatch(&app, request, &drop_switch).await) }
        })
    };
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);

    let result = tokio::select! {
        result = connection.as_mut() => result,
        // Returning drops `connection` and with it the socket: the client gets no response.
        () = drop_switch.notified() => return,
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                result = connection.as_mut() => result,
                () = drop_switch.notified() => return,
            }
        }
    };
    if let Err(err) = result {
        // A client closing an idle keep-alive connection mid-nothing is not worth a line.
        if !err.is_incomplete_message() {
            app.log(&format!("connection from {peer}: {err}"));
        }
    }
}

/// Routes one request: preflight, control API, or recorded request.
async fn dispatch(app: &App, request: Request<Incoming>, drop_switch: &Notify) -> HttpResponse {
    let (parts, body) = request.into_parts();
    if cors::is_preflight(&parts.method, &parts.headers) {
        return preflight(app, &parts);
    }
    let mut response = if control::is_control_path(parts.uri.path()) {
        let response = control::handle(app, &parts.method, &parts.uri, body).await;
        app.log(&format!(
            "control {} {} -> {}",
            parts.method,
            parts.uri,
            response.status().as_u16()
        ));
        response
    } else {
        match recorded::handle(app, &parts, body).await {
            Outcome::Respond(response) => response,
            Outcome::Drop => {
                drop_switch.notify_one();
                // The connection task drops this future together with the connection.
                return std::future::pending().await;
            }
        }
    };
    app.cors.decorate(&parts.headers, response.headers_mut());
    response
}

/// Answers a CORS preflight (204) and lists it, unless it is for a control path.
fn preflight(app: &App, parts: &Parts) -> HttpResponse {
    let headers = &parts.headers;
    let text = |name: HeaderName| {
        headers
            .get(name)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
    };
    let preflight = PreflightRecord {
        time: record::now().0,
        path: parts.uri.path().to_owned(),
        origin: text(ORIGIN),
        requested_method: text(ACCESS_CONTROL_REQUEST_METHOD).unwrap_or_default(),
        requested_headers: text(ACCESS_CONTROL_REQUEST_HEADERS)
            .map(|list| split_header_list(&list))
            .unwrap_or_default(),
    };
    app.log(&format!(
        "preflight {} {} from {} with headers [{}]",
        preflight.requested_method,
        preflight.path,
        preflight.origin.as_deref().unwrap_or("no origin"),
        preflight.requested_headers.join(", ")
    ));
    if !control::is_control_path(&preflight.path) {
        app.store.record_preflight(preflight);
    }
    let mut response = respond::empty(StatusCode::NO_CONTENT);
    *response.headers_mut() = app.cors.preflight_headers(headers);
    response
}
