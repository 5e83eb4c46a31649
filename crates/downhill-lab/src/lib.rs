//! The Downhill lab: `downhill lab` serves one page and a JSON API on 127.0.0.1, and
//! computes everything live with Downhill.
//!
//! The server computes; the page displays. A request body has the tables of the CLI's TOML
//! config as JSON, and a response is what the command's `--json` prints, produced by the
//! host program's [`Backend`] (the `downhill` binary implements it with its own config
//! pipeline). This crate adds what a local server needs: the limits of [`limits`], the
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
//! | `GET /api/train/{id}/events` | its progress as `text/event-stream`; the last event is the `train --json` object |
//! | `DELETE /api/train/{id}` | stops it |

pub mod assets;
pub mod backend;
pub mod contour;
pub mod jobs;
pub mod limits;
pub mod server;
pub mod stability;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use backend::{ApiError, Backend, ProgressSink};

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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores().clamp(1, 4))
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let served = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, opts.port))
            .await
            .map_err(|e| format!("cannot listen on {ip}:{}: {e}", opts.port))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?;
        let url = format!("http://{addr}");
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on {url}");
            let _ = out.flush();
        }
        if !ip.is_loopback() {
            eprintln!(
                "warning: the lab is reachable from other machines on {addr}: anyone who can \
                 reach it can make this machine compute (it reads and writes no files)"
            );
        }
        if opts.open {
            let _ = std::process::Command::new("xdg-open")
                .arg(&url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
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
        stop_signal().await;
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
        eprintln!("stopped");
        Ok(())
    });
    // A request still computing past its timeout is not waited for.
    rt.shutdown_timeout(Duration::from_secs(1));
    served
}
