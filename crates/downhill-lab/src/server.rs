//! The router: JSON endpoints, the event stream, static files, and the guards in front of
//! them (Host check, body limit, no CORS headers, security headers on every answer).

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::backend::{ApiError, Backend};
use crate::jobs::Jobs;
use crate::limits;

/// Largest request body.
pub const MAX_BODY: usize = 1 << 20;
/// Wall-clock limit of one computing request (its work is bounded by [`limits::MAX_WORK`]).
/// Past it the client gets 503; the computation runs on to its end (it cannot be interrupted)
/// and keeps its compute permit until then.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What every handler shares.
pub struct AppState {
    /// The computations.
    pub backend: Arc<dyn Backend>,
    /// Training jobs.
    pub jobs: Jobs,
    /// Blocking computations running at once (others wait their turn).
    pub compute: Arc<Semaphore>,
    /// The address the server is bound to.
    pub bound: IpAddr,
}

type Shared = Arc<AppState>;

fn json_response(status: u16, body: String) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, json!({ "error": self.message }).to_string())
    }
}

/// The JSON object of a request body: 413 over [`MAX_BODY`], 400 when it is not JSON or
/// not an object.
fn body_json(body: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let bytes = body.map_err(|r| {
        let status = r.status().as_u16();
        if status == 413 {
            ApiError::new(413, format!("request body over {MAX_BODY} bytes"))
        } else {
            ApiError::new(status, r.body_text())
        }
    })?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "malformed JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "the body must be a JSON object of config tables",
        ));
    }
    Ok(v)
}

/// Runs `work` on a blocking thread, one of at most `compute` at once, within
/// [`REQUEST_TIMEOUT`]; a panic inside becomes a 500.
async fn blocking<T: Send + 'static>(
    s: &AppState,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let permit = Arc::clone(&s.compute)
        .acquire_owned()
        .await
        .map_err(|_| ApiError::new(503, "shutting down"))?;
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    });
    match tokio::time::timeout(REQUEST_TIMEOUT, task).await {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => Err(ApiError::new(500, "internal error while computing")),
        Err(_) => Err(ApiError::new(
            503,
            format!("the computation took over {} s", REQUEST_TIMEOUT.as_secs()),
        )),
    }
}

fn answer(r: Result<String, ApiError>) -> Response {
    match r {
        Ok(body) => json_response(200, body),
        Err(e) => e.into_response(),
    }
}

async fn catalog(State(s): State<Shared>) -> Response {
    let backend = Arc::clone(&s.backend);
    answer(blocking(&s, move || Ok(backend.catalog().to_string())).await)
}

async fn presets(State(s): State<Shared>) -> Response {
    let backend = Arc::clone(&s.backend);
    answer(blocking(&s, move || Ok(backend.presets().to_string())).await)
}

/// A backend call on the tables of a request body, after the lab's `check`; the answer
/// decimated (to the body's optional `max_points`, see [`limits::take_max_points`]).
async fn computed(
    s: &AppState,
    body: Result<Bytes, BytesRejection>,
    check: fn(&Value) -> Result<(), ApiError>,
    call: fn(&dyn Backend, &Value) -> Result<Value, ApiError>,
) -> Response {
    let r = async {
        let mut tables = body_json(body)?;
        let max_points = limits::take_max_points(&mut tables)?;
        check(&tables)?;
        let backend = Arc::clone(&s.backend);
        blocking(s, move || {
            let mut v = call(backend.as_ref(), &tables)?;
            limits::decimate_to(&mut v, max_points);
            Ok(v.to_string())
        })
        .await
    };
    answer(r.await)
}

async fn run(State(s): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    computed(&s, body, limits::check_run, |b, t| b.run(t)).await
}

async fn compare(State(s): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    computed(&s, body, limits::check_compare, |b, t| b.compare(t)).await
}

async fn schedule(State(s): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    let r = async {
        let mut tables = body_json(body)?;
        let steps = tables
            .as_object_mut()
            .and_then(|o| o.remove("steps"))
            .or_else(|| tables.get("run").and_then(|r| r.get("steps")).cloned())
            .ok_or_else(|| ApiError::bad_request("give `steps` (or a `run` table with `steps`)"))?;
        let n = limits::check_steps("steps", &steps)?.ok_or_else(|| {
            ApiError::bad_request(format!("`steps` = {steps}: must be a whole number"))
        })?;
        let backend = Arc::clone(&s.backend);
        blocking(&s, move || {
            Ok(backend.schedule(&tables, n as usize)?.to_string())
        })
        .await
    };
    answer(r.await)
}

async fn contour(State(s): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    let r = async {
        let req = body_json(body)?;
        blocking(&s, move || Ok(crate::contour::render(&req)?.to_string())).await
    };
    answer(r.await)
}

async fn stability(State(s): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    let r = async {
        let req = body_json(body)?;
        blocking(&s, move || Ok(crate::stability::answer(&req)?.to_string())).await
    };
    answer(r.await)
}

async fn config(
    State(s): State<Shared>,
    Path(command): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let r = async {
        let tables = body_json(body)?;
        let backend = Arc::clone(&s.backend);
        blocking(&s, move || backend.to_toml(&command, &tables)).await
    };
    match r.await {
        Ok(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn train_start(State(s): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    let r = async {
        let tables = body_json(body)?;
        let id = s.jobs.start(Arc::clone(&s.backend), tables)?;
        Ok(json!({ "id": id }).to_string())
    };
    answer(r.await)
}

fn job_id(id: &str) -> Result<u64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::new(404, format!("no training job `{id}`")))
}

async fn train_events(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let job = match job_id(&id).and_then(|n| {
        s.jobs
            .get(n)
            .ok_or_else(|| ApiError::new(404, format!("no training job `{id}`")))
    }) {
        Ok(j) => j,
        Err(e) => return e.into_response(),
    };
    // the reader stops the job if its connection closes first (the stream is then dropped)
    let reader = crate::jobs::Reader::new(job);
    let stream = futures_util::stream::unfold((reader, 0usize), |(reader, i)| async move {
        loop {
            let job = reader.job();
            if let Some(ev) = job.event(i) {
                let e = Event::default().event(ev.kind).data(ev.data);
                return Some((Ok::<_, Infallible>(e), (reader, i + 1)));
            }
            if job.is_done() && job.event(i).is_none() {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(5)))
        .into_response()
}

/// `GET /api/train`: the running jobs, `[{"id": …}, …]`.
async fn train_list(State(s): State<Shared>) -> Response {
    let ids: Vec<Value> = s
        .jobs
        .running()
        .into_iter()
        .map(|id| json!({ "id": id }))
        .collect();
    json_response(200, Value::Array(ids).to_string())
}

async fn train_stop(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let r = job_id(&id).and_then(|n| {
        let job = s
            .jobs
            .get(n)
            .ok_or_else(|| ApiError::new(404, format!("no training job `{id}`")))?;
        job.stop();
        Ok(json!({ "id": n, "stopping": !job.is_done() }).to_string())
    });
    answer(r)
}

async fn static_file(req: Request) -> Response {
    let path = req.uri().path();
    match crate::assets::lookup(path) {
        Some((ctype, body)) if req.method() == axum::http::Method::GET => {
            ([(header::CONTENT_TYPE, ctype)], body).into_response()
        }
        _ => ApiError::new(404, format!("not found: {}", path.escape_debug())).into_response(),
    }
}

/// Whether `host` (a `Host` header) names this server: `localhost` or the bound address,
/// with any port; when bound to an unspecified address (0.0.0.0, ::), any IP literal (a DNS
/// rebinding attack needs a name).
pub fn host_allowed(host: &str, bound: IpAddr) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip == bound || bound.is_unspecified(),
        Err(_) => false,
    }
}

async fn guard(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let ok = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| host_allowed(h, s.bound));
    let mut resp = if ok {
        next.run(req).await
    } else {
        ApiError::new(403, "forbidden: the Host header does not name this server").into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; \
             script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    resp
}

/// The application.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/catalog", get(catalog))
        .route("/api/presets", get(presets))
        .route("/api/run", post(run))
        .route("/api/compare", post(compare))
        .route("/api/schedule", post(schedule))
        .route("/api/contour", post(contour))
        .route("/api/stability", post(stability))
        .route("/api/config/{command}", post(config))
        .route("/api/train", post(train_start).get(train_list))
        .route("/api/train/{id}/events", get(train_events))
        .route("/api/train/{id}", delete(train_stop))
        .fallback(static_file)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn hosts() {
        let lo: std::net::IpAddr = [127, 0, 0, 1].into();
        assert!(host_allowed("127.0.0.1:8731", lo));
        assert!(host_allowed("localhost:8731", lo));
        assert!(host_allowed("LOCALHOST", lo));
        assert!(!host_allowed("evil.example:8731", lo));
        assert!(!host_allowed("127.0.0.2:8731", lo));
        assert!(!host_allowed("", lo));
        let any: std::net::IpAddr = [0, 0, 0, 0].into();
        assert!(host_allowed("192.0.2.7:8731", any));
        assert!(!host_allowed("rebind.example:8731", any));
        assert!(host_allowed("[::1]:8731", "::1".parse().unwrap_or(lo)));
    }
}
