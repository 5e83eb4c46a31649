//! The Downhill lab: `downhill lab` serves one page and a JSON API on 127.0.0.1, and
//! computes everything live with Downhill.
//!
//! The server computes; the page displays. A request body has the tables of the CLI's TOML
//! config as JSON, and a response is what the command's `--json` prints, produced by a
//! [`Backend`]: [`Library`] runs the tables through the library's `downhill::spec`, as the
//! CLI's commands do (a host program may give its own). This crate adds what a local server needs: the limits of [`limits`], the
//! Host check against DNS rebinding, a 1 MiB body limit, no CORS headers, static files
//! only from the embedded set, training jobs streamed as server-sent events, and the
//! contour background drawn by `downhill-plot`.
//!
//! | endpoint | what |
//! | --- | --- |
//! | `GET /api/catalog` | functions, optimisers (with each one's `momentum_key`), schedules, datasets (and `dataset_tasks`), models |
//! | `POST /api/run` | `downhill run --json` of the tables |
//! | `POST /api/compare` | `downhill compare --json` |
//! | `POST /api/schedule` | `downhill schedule --json` (the tables plus `steps`) |
//! | `POST /api/contour` | the contour SVG of a function and its data → pixel frame |
//! | `POST /api/stability` | the largest stable lr of an `[optimizer]` on the contour's quadratic (`null` if none) |
//! | `POST /api/config/{command}` | the TOML text of the tables (Download config) |
//! | `POST /api/train` | starts a `downhill train` job: `{"id": …}` |
//! | `GET /api/train` | the running jobs: `[{"id": …}, …]` |
//! | `GET /api/train/{id}/events` | its progress as `text/event-stream`; the last event is the `train --json` object; a job whose last reader disconnects before it ends is stopped |
//! | `DELETE /api/train/{id}` | stops it |

pub mod assets;
pub mod backend;
pub mod catalog;
pub mod contour;
pub mod jobs;
pub mod library;
pub mod limits;
pub mod server;
pub mod stability;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use backend::{ApiError, Backend, ProgressSink};
pub use library::Library;

/// How to serve.
#[derive(Debug, Clone)]
pub struct LabOptions {
    /// Address to bind (default 127.0.0.1); `localhost` means 127.0.0.1.
    pub host: String,
    /// Port (0: any free one).
    pub port: u16,
    /// Open the page in the desktop's browser (`xdg-open`).
    pub open: bool,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            host: "127.0.0.1".into(),
            port: 8731,
            open: false,
        }
    }
}

/// The number of cores: the most concurrent training jobs.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The address `host` names.
pub fn parse_host(host: &str) -> Result<IpAddr, String> {
    if host.eq_ignore_ascii_case("localhost") {
        return Ok([127, 0, 0, 1].into());
    }
    host.parse().map_err(|_| {
        format!("--host {host}: not an IP address (e.g. 127.0.0.1, the default, or 0.0.0.0)")
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c.await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// Serves until Ctrl-C or SIGTERM. Prints `listening on http://HOST:PORT` as the first line
/// on stdout once the socket is bound; at the stop, running jobs are cancelled and the
/// server drains for at most a few seconds.
pub fn serve(backend: Arc<dyn Backend>, opts: &LabOptions) -> Result<(), String> {
    let ip = parse_host(&opts.host)?;
    let rt = runtime()?;
    let served = rt.block_on(async move {
        let (listener, url) = bind(ip, opts.port).await?;
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on {url}");
            let _ = out.flush();
        }
        if opts.open {
            let _ = std::process::Command::new("xdg-open")
                .arg(&url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
        run_until(listener, backend, ip, stop_signal()).await;
        eprintln!("stopped");
        Ok(())
    });
    // A request still computing past its timeout is not waited for.
    rt.shutdown_timeout(Duration::from_secs(1));
    served
}

/// A lab serving on a background thread, started by [`spawn`]: it stops when
/// [`Running::stop`] is called or the value is dropped.
#[derive(Debug)]
pub struct Running {
    /// `http://HOST:PORT`, the port being the bound one (`port = 0` picks a free one).
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops the server (running jobs are cancelled) and waits for its thread.
    pub fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Serves on a background thread and returns once the socket is bound, for a host program
/// with its own main loop (the Python package's `downhill.lab()`). Unlike [`serve`] it
/// prints nothing, opens no browser and installs no signal handler (the host keeps Ctrl-C).
pub fn spawn(backend: Arc<dyn Backend>, opts: &LabOptions) -> Result<Running, String> {
    let ip = parse_host(&opts.host)?;
    let port = opts.port;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<String, String>>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("downhill-lab".into())
        .spawn(move || {
            let rt = match runtime() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                let (listener, url) = match bind(ip, port).await {
                    Ok(b) => b,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(url));
                run_until(listener, backend, ip, async {
                    let _ = stop_rx.await;
                })
                .await;
            });
            rt.shutdown_timeout(Duration::from_secs(1));
        })
        .map_err(|e| format!("cannot start the lab's thread: {e}"))?;
    let url = ready_rx
        .recv()
        .map_err(|_| "the lab's thread ended before binding".to_string())??;
    Ok(Running {
        url,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

/// The runtime the server runs on.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores().clamp(1, 4))
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

/// Binds `ip:port`; the listener and its `http://` URL (with the bound port). Warns on stderr
/// when the address is reachable from other machines.
async fn bind(ip: IpAddr, port: u16) -> Result<(tokio::net::TcpListener, String), String> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, port))
        .await
        .map_err(|e| format!("cannot listen on {ip}:{port}: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    if !ip.is_loopback() {
        eprintln!(
            "warning: the lab is reachable from other machines on {addr}: anyone who can \
             reach it can make this machine compute (it reads and writes no files)"
        );
    }
    Ok((listener, format!("http://{addr}")))
}

/// Serves on `listener` until `stop` resolves; then cancels the running jobs and drains for
/// at most a few seconds.
async fn run_until(
    listener: tokio::net::TcpListener,
    backend: Arc<dyn Backend>,
    ip: IpAddr,
    stop: impl std::future::Future<Output = ()>,
) {
    let state = Arc::new(server::AppState {
        backend,
        jobs: jobs::Jobs::new(cores()),
        compute: Arc::new(tokio::sync::Semaphore::new(2 * cores())),
        bound: ip,
    });
    let app = server::router(Arc::clone(&state));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    stop.await;
    state.jobs.stop_all();
    let _ = tx.send(());
    let drained = tokio::time::timeout(Duration::from_secs(5), async {
        while !state.jobs.idle() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    if drained.is_err() {
        eprintln!("warning: a training job did not stop within 5 s");
    }
    let _ = tokio::time::timeout(Duration::from_secs(3), server).await;
}
