//! Threads, fork safety and Ctrl-C.
//!
//! Every parallel section of the library runs inside [`with_pool`], in a rayon pool this module
//! owns (never rayon's global pool), so `set_num_threads` can rebuild it. After `os.fork()` the
//! child inherits the parent's pool without its threads; the child notices that its process id
//! differs from the one recorded at import and, from then on, runs in a fresh one-thread pool
//! (the inherited pool is leaked, never touched). Results are the same bits at any thread count
//! (the library's reductions split by length, not by thread).
//!
//! Long native runs go to a worker thread while the calling thread, with the GIL released,
//! waits on a channel and wakes every [`SIGNAL_POLL`] to run Python's signal handlers: a
//! `KeyboardInterrupt` sets the [`Stop`] flag, which the objective sees on its next call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use pyo3::prelude::*;

/// How often a waiting call checks for Ctrl-C.
pub const SIGNAL_POLL: Duration = Duration::from_millis(20);

struct PoolState {
    threads: usize,
    pool: Option<Arc<rayon::ThreadPool>>,
    forked: bool,
}

static STATE: Mutex<PoolState> = Mutex::new(PoolState {
    threads: 0,
    pool: None,
    forked: false,
});
static PID: OnceLock<u32> = OnceLock::new();

/// Records the process id at import.
pub fn init() {
    let _ = PID.get_or_init(std::process::id);
}

/// Whether this process is a fork of the one that imported the module.
pub fn in_forked_child() -> bool {
    PID.get().is_some_and(|&p| p != std::process::id())
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn build(threads: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("downhill-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("thread pool: {e}")))
}

fn lock() -> std::sync::MutexGuard<'static, PoolState> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The pool to run in (built on first use; a one-thread pool in a forked child).
pub fn pool() -> PyResult<Arc<rayon::ThreadPool>> {
    let mut st = lock();
    if in_forked_child() && !st.forked {
        // The parent's pool has no threads here: leak it, never join or use it.
        if let Some(p) = st.pool.take() {
            std::mem::forget(p);
        }
        st.forked = true;
        st.threads = 1;
    }
    if let Some(p) = &st.pool {
        return Ok(p.clone());
    }
    let n = if st.threads == 0 {
        default_threads()
    } else {
        st.threads
    };
    let p = build(n)?;
    st.threads = n;
    st.pool = Some(p.clone());
    Ok(p)
}

/// Runs `f` inside the pool.
pub fn with_pool<R: Send>(f: impl FnOnce() -> R + Send) -> PyResult<R> {
    Ok(pool()?.install(f))
}

/// `downhill.set_num_threads(n)`: the number of threads of later calls (in a forked child it
/// stays 1).
#[pyfunction]
pub fn set_num_threads(n: usize) -> PyResult<()> {
    if n == 0 {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "n: must be >= 1 (the number of threads)",
        ));
    }
    let mut st = lock();
    if in_forked_child() {
        return Ok(());
    }
    if st.threads != n || st.pool.is_none() {
        st.pool = Some(build(n)?);
        st.threads = n;
    }
    Ok(())
}

/// `downhill.get_num_threads()`: the number of threads calls run on.
#[pyfunction]
pub fn get_num_threads() -> PyResult<usize> {
    Ok(pool()?.current_num_threads())
}

/// A flag a long run polls (through its objective) to end early.
#[derive(Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Whether the run should end.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    /// Asks the run to end.
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// The flag itself (for the library's stop hooks, e.g. the trainer's `StopFlag`).
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0)
    }
}

/// Runs `work` in the pool on a worker thread with the GIL released, checking for Ctrl-C
/// every [`SIGNAL_POLL`]: a pending `KeyboardInterrupt` (or any exception a signal handler
/// raises) sets `stop` and is returned once the work has ended.
pub fn run_interruptible<R: Send>(
    py: Python<'_>,
    stop: &Stop,
    work: impl FnOnce() -> R + Send,
) -> PyResult<R> {
    let pool = pool()?;
    let (tx, rx) = std::sync::mpsc::channel::<R>();
    let mut raised: Option<PyErr> = None;
    let out = std::thread::scope(|s| {
        s.spawn(move || {
            let r = pool.install(work);
            let _ = tx.send(r);
        });
        wait(py, rx, stop, false, &mut raised)
    });
    if let Some(e) = raised {
        return Err(e);
    }
    out.ok_or_else(panicked)
}

/// [`run_interruptible`] for work that may not end soon after `stop` is set (it has no stop
/// hook everywhere): on Ctrl-C the exception is returned at once, and the work finishes on
/// its own thread in the background, its result dropped.
pub fn run_detached<R: Send + 'static>(
    py: Python<'_>,
    stop: &Stop,
    work: impl FnOnce() -> R + Send + 'static,
) -> PyResult<R> {
    let pool = pool()?;
    let (tx, rx) = std::sync::mpsc::channel::<R>();
    std::thread::Builder::new()
        .name("downhill-run".into())
        .spawn(move || {
            let r = pool.install(work);
            let _ = tx.send(r);
        })
        .map_err(|e| {
            pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start a thread: {e}"))
        })?;
    let mut raised: Option<PyErr> = None;
    let out = wait(py, rx, stop, true, &mut raised);
    if let Some(e) = raised {
        return Err(e);
    }
    out.ok_or_else(panicked)
}

fn panicked() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("the run's thread panicked")
}

/// Waits for the work's result with the GIL released, running Python's signal handlers every
/// [`SIGNAL_POLL`]: the first exception they raise sets `stop` and goes to `raised`; then the
/// wait ends at once when `leave`, or goes on until the work has ended.
fn wait<R: Send>(
    py: Python<'_>,
    mut rx: std::sync::mpsc::Receiver<R>,
    stop: &Stop,
    leave: bool,
    raised: &mut Option<PyErr>,
) -> Option<R> {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        // The receiver moves into the GIL-free section and back (it is Send, not Sync).
        let (got, back) = py.allow_threads(move || (rx.recv_timeout(SIGNAL_POLL), rx));
        rx = back;
        match got {
            Ok(r) => return Some(r),
            Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => {
                if raised.is_none() {
                    if let Err(e) = py.check_signals() {
                        stop.set();
                        *raised = Some(e);
                        if leave {
                            return None;
                        }
                    }
                }
            }
        }
    }
}
