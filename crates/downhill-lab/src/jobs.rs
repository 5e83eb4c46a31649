//! Training jobs: at most N at once (N = cores), each on a blocking thread, its progress
//! kept as a list of events that any number of `text/event-stream` readers replay. A job
//! whose last reader leaves before it ends (the page was closed) is stopped ([`Reader`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::backend::{ApiError, Backend};

/// Wall-clock limit of one training job; it is stopped (as by DELETE) after this.
pub const MAX_JOB_TIME: Duration = Duration::from_secs(600);
/// Progress records are passed on at most this often (epoch records always are).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Finished jobs kept for late readers.
const KEEP_FINISHED: usize = 32;

/// One event of a job's stream.
#[derive(Debug, Clone)]
pub struct JobEvent {
    /// `progress`, `epoch`, `result` (the last: the `train --json` object) or `error`.
    pub kind: String,
    /// The JSON record.
    pub data: String,
}

/// A training job.
#[derive(Debug, Default)]
pub struct Job {
    events: Mutex<Vec<JobEvent>>,
    done: AtomicBool,
    cancel: AtomicBool,
    readers: AtomicUsize,
}

/// A reader of a job's events: while one is held the job has a reader; when the last one is
/// dropped (its connection closed) before the job is done, the job is stopped.
#[derive(Debug)]
pub struct Reader(Arc<Job>);

impl Reader {
    /// Registers a reader of `job`.
    pub fn new(job: Arc<Job>) -> Self {
        job.readers.fetch_add(1, Ordering::AcqRel);
        Reader(job)
    }
    /// The job read.
    pub fn job(&self) -> &Job {
        &self.0
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        if self.0.readers.fetch_sub(1, Ordering::AcqRel) == 1 && !self.0.is_done() {
            self.0.stop();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Job {
    fn push(&self, kind: &str, v: &Value) {
        lock(&self.events).push(JobEvent {
            kind: kind.to_string(),
            data: v.to_string(),
        });
    }
    /// The event at `i`, if it has happened.
    pub fn event(&self, i: usize) -> Option<JobEvent> {
        lock(&self.events).get(i).cloned()
    }
    /// Whether the job has finished (its last event is then `result` or `error`).
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
    /// Asks the job to stop.
    pub fn stop(&self) {
        self.cancel.store(true, Ordering::Release);
    }
}

/// The running and recently finished jobs.
pub struct Jobs {
    next: AtomicU64,
    map: Mutex<HashMap<u64, Arc<Job>>>,
    slots: Arc<Semaphore>,
    limit: usize,
}

impl Jobs {
    /// Room for `limit` concurrent jobs.
    pub fn new(limit: usize) -> Self {
        Jobs {
            next: AtomicU64::new(1),
            map: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }

    /// The job `id`.
    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        lock(&self.map).get(&id).cloned()
    }

    /// Stops every job (at shutdown).
    pub fn stop_all(&self) {
        lock(&self.map).values().for_each(|j| j.stop());
    }

    /// The ids of the jobs still running, in ascending order.
    pub fn running(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = lock(&self.map)
            .iter()
            .filter(|(_, j)| !j.is_done())
            .map(|(k, _)| *k)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Whether no job is running.
    pub fn idle(&self) -> bool {
        lock(&self.map).values().all(|j| j.is_done())
    }

    /// Checks `tables` and starts a job; its id.
    pub fn start(&self, backend: Arc<dyn Backend>, tables: Value) -> Result<u64, ApiError> {
        crate::limits::check_train(&tables)?;
        backend.check_train(&tables)?;
        let permit = Arc::clone(&self.slots).try_acquire_owned().map_err(|_| {
            ApiError::new(
                429,
                format!(
                    "at most {} training jobs run at once; stop one (DELETE /api/train/ID)",
                    self.limit
                ),
            )
        })?;
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let job = Arc::new(Job::default());
        {
            let mut map = lock(&self.map);
            let mut finished: Vec<u64> = map
                .iter()
                .filter(|(_, j)| j.is_done())
                .map(|(k, _)| *k)
                .collect();
            finished.sort_unstable();
            let excess = finished.len().saturating_sub(KEEP_FINISHED);
            for k in finished.into_iter().take(excess) {
                map.remove(&k);
            }
            map.insert(id, Arc::clone(&job));
        }
        let watchdog = Arc::clone(&job);
        tokio::spawn(async move {
            let t = Instant::now();
            while !watchdog.is_done() && t.elapsed() < MAX_JOB_TIME {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            watchdog.stop();
        });
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut last: Option<Instant> = None;
            let mut sink = |kind: &str, v: Value| {
                if kind == "progress" {
                    // the last progress record's time: batch and epoch records do not hold
                    // the next one back
                    if last.is_some_and(|t| t.elapsed() < PROGRESS_EVERY) {
                        return;
                    }
                    last = Some(Instant::now());
                }
                job.push(kind, &v);
            };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                backend.train(&tables, &mut sink, &job.cancel)
            }));
            match outcome {
                Ok(Ok(v)) => job.push("result", &v),
                Ok(Err(e)) => job.push("error", &json!({ "error": e.message, "status": e.status })),
                Err(_) => job.push(
                    "error",
                    &json!({ "error": "internal error", "status": 500 }),
                ),
            }
            job.done.store(true, Ordering::Release);
        });
        Ok(id)
    }
}
