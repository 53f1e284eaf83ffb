//! The admin API, for callers in any language: the journal and the faults over HTTP, under
//! `/__zaia-mock/` (the vendor's paths all start with `/api/`, so nothing of the API can be
//! shadowed). It needs no key, and its requests are neither validated, faulted nor journaled.
//!
//! | request | what it does |
//! |---|---|
//! | `GET /__zaia-mock/health` | `200 {"status": "ok", "requests": n}` once the mock answers |
//! | `GET /__zaia-mock/journal` | the last exchanges, oldest first (JSON array; `x-zaia-mock-dropped`: how many it no longer holds) |
//! | `DELETE /__zaia-mock/journal` | empties it |
//! | `GET /__zaia-mock/counters` | requests by operation and status: `[{"operation": "get_chat", "status": 200, "count": 3}]` |
//! | `DELETE /__zaia-mock/counters` | zeroes them |
//! | `POST /__zaia-mock/faults` | arms a fault: `{"kind": "status", "status": 404, "operation": "get_chat", "times": 1}` |
//! | `GET /__zaia-mock/faults` | the faults still armed |
//! | `DELETE /__zaia-mock/faults` | disarms them all |
//!
//! A fault's `kind` is `status` (a status the operation documents: 400 otherwise),
//! `undocumented` (any status), `rate-limited` (`retryAfterSeconds`), `server-error` (`status`,
//! 5xx), `delay` (`delayMs`), `cut-body` or `reset`; `operation` (an operation id) is optional
//! for all but `status`, and `times` (omitted: every request) limits it.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::faults::{Fault, FaultKind};
use crate::{AppState, spec};

/// Where the admin API lives (see the module docs).
pub const PREFIX: &str = "/__zaia-mock";

/// The header of `GET /__zaia-mock/journal` that says how many exchanges it no longer holds.
pub const DROPPED_HEADER: &str = "x-zaia-mock-dropped";

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(&format!("{PREFIX}/journal"), get(journal).delete(clear_journal))
        .route(&format!("{PREFIX}/faults"), get(faults).post(arm).delete(disarm))
        .route(&format!("{PREFIX}/counters"), get(counters).delete(reset_counters))
        .route(&format!("{PREFIX}/health"), get(health))
        .with_state(state)
}

async fn journal(State(state): State<Arc<AppState>>) -> Response {
    let (exchanges, dropped) = {
        let journal = state.journal.lock().unwrap();
        (journal.exchanges(), journal.dropped())
    };
    ([(DROPPED_HEADER, dropped.to_string())], axum::Json(exchanges)).into_response()
}

async fn clear_journal(State(state): State<Arc<AppState>>) -> StatusCode {
    state.journal.lock().unwrap().clear();
    StatusCode::NO_CONTENT
}

async fn counters(State(state): State<Arc<AppState>>) -> Response {
    let counters = state.journal.lock().unwrap().counters();
    axum::Json(counters).into_response()
}

async fn reset_counters(State(state): State<Arc<AppState>>) -> StatusCode {
    state.journal.lock().unwrap().reset_counters();
    StatusCode::NO_CONTENT
}

/// Ready: the mock answers. A CI job polls this before its tests start.
async fn health(State(state): State<Arc<AppState>>) -> Response {
    let requests = state.requests.load(std::sync::atomic::Ordering::Relaxed);
    axum::Json(json!({"status": "ok", "requests": requests})).into_response()
}

async fn faults(State(state): State<Arc<AppState>>) -> Response {
    let armed: Vec<Value> = state.faults.lock().unwrap().iter().map(describe).collect();
    axum::Json(armed).into_response()
}

async fn disarm(State(state): State<Arc<AppState>>) -> StatusCode {
    state.faults.lock().unwrap().clear();
    StatusCode::NO_CONTENT
}

async fn arm(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return refuse(format!("the body is not JSON: {e}")),
    };
    match fault(&request) {
        Ok(fault) => {
            let described = describe(&fault);
            state.faults.lock().unwrap().push(fault);
            (StatusCode::CREATED, axum::Json(described)).into_response()
        }
        Err(message) => refuse(message),
    }
}

fn refuse(message: String) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({"message": message}))).into_response()
}

impl Fault {
    /// A fault from the JSON the admin API takes (`POST /__zaia-mock/faults`, and the binary's
    /// `--fault`); the error names the field at fault.
    ///
    /// ```
    /// use std::time::Duration;
    /// let fault = zaia_mock::Fault::from_json(r#"{"kind": "delay", "delayMs": 250, "times": 1}"#).unwrap();
    /// assert_eq!(fault, zaia_mock::Fault::delay(Duration::from_millis(250)).once());
    /// let err = zaia_mock::Fault::from_json(r#"{"kind": "server-error", "status": 404}"#).unwrap_err();
    /// assert_eq!(err, "status: 404 is not a server error (5xx)");
    /// ```
    pub fn from_json(text: &str) -> Result<Fault, String> {
        let request: Value = serde_json::from_str(text).map_err(|e| format!("the fault is not JSON: {e}"))?;
        fault(&request)
    }
}

/// A fault from its JSON form; the error names the field at fault.
fn fault(request: &Value) -> Result<Fault, String> {
    let operation = match request.get("operation") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if spec::spec().operations().iter().any(|op| op.id == *id) => Some(id.clone()),
        Some(other) => return Err(format!("operation: {other} is not an operation id of the spec")),
    };
    let number = |field: &str| -> Result<u64, String> {
        request.get(field).and_then(Value::as_u64).ok_or_else(|| format!("{field}: a whole number is required"))
    };
    let kind = request
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("kind: one of status, undocumented, rate-limited, server-error, delay, cut-body, reset")?;
    let fault = match kind {
        "status" => {
            let status = number("status")? as u16;
            let Some(id) = &operation else { return Err("operation: required for a documented status".into()) };
            let op = spec::spec().operations().iter().find(|op| op.id == *id).expect("checked above");
            if !op.documents(status) {
                return Err(format!("status: {status} is not documented for {id} (kind `undocumented` sends it anyway)"));
            }
            Fault::documented(id, status)
        }
        "undocumented" => Fault::undocumented(number("status")? as u16),
        "rate-limited" => Fault::rate_limited(Duration::from_secs(number("retryAfterSeconds")?)),
        "server-error" => {
            let status = number("status")?;
            if !(500..600).contains(&status) {
                return Err(format!("status: {status} is not a server error (5xx)"));
            }
            Fault::server_error(status as u16)
        }
        "delay" => Fault::delay(Duration::from_millis(number("delayMs")?)),
        "cut-body" => Fault::cut_body(),
        "reset" => Fault::reset(),
        other => {
            return Err(format!("kind: `{other}` is not one of status, undocumented, rate-limited, server-error, delay, cut-body, reset"));
        }
    };
    let fault = match operation {
        Some(id) => fault.on(&id),
        None => fault,
    };
    match request.get("times") {
        None | Some(Value::Null) => Ok(fault),
        Some(_) => Ok(fault.times(number("times")? as usize)),
    }
}

fn describe(fault: &Fault) -> Value {
    let mut out = match &fault.kind {
        FaultKind::Documented(status) => json!({"kind": "status", "status": status}),
        FaultKind::Undocumented(status) => json!({"kind": "undocumented", "status": status}),
        FaultKind::RateLimited(wait) => json!({"kind": "rate-limited", "retryAfterSeconds": wait.as_secs()}),
        FaultKind::ServerError(status) => json!({"kind": "server-error", "status": status}),
        FaultKind::Delay(by) => json!({"kind": "delay", "delayMs": by.as_millis() as u64}),
        FaultKind::CutBody => json!({"kind": "cut-body"}),
        FaultKind::Reset => json!({"kind": "reset"}),
    };
    out["operation"] = json!(fault.operation);
    out["times"] = json!(fault.remaining);
    out
}
