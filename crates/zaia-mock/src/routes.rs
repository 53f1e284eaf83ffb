//! HTTP: the stateful operations, every other operation of the spec served from the spec, the
//! key check, validation of every request against the spec, and (for contract tests) a record
//! of every exchange.

use std::str::FromStr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;
use zaia_models::*;

use crate::errors::ApiError;
use crate::spec;
use crate::store::{ChatFilter, FollowUpFilter, page};
use crate::{AppState, Exchange};

type Shared = State<Arc<AppState>>;
type Answer<T> = Result<(StatusCode, axum::Json<T>), ApiError>;

fn ok<T>(value: T) -> Answer<T> {
    Ok((StatusCode::OK, axum::Json(value)))
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/api/v1/chats", get(list_chats).post(create_chat))
        .route("/api/v1/chats/details", get(list_chat_details))
        .route("/api/v1/chats/{id}", get(get_chat).patch(update_chat).delete(delete_chat))
        .route("/api/v1/chats/{id}/details", get(get_chat_details))
        .route("/api/v1/chat-messages", get(list_chat_messages).post(create_chat_message))
        .route("/api/v1/chat-messages/export", post(export_chat_messages))
        .route("/api/v1/chat-message-follow-ups", get(list_follow_ups).post(create_follow_up))
        .route("/api/v1/chat-message-follow-ups/{id}", patch(update_follow_up))
        .fallback(serve_from_spec)
        .layer(middleware::from_fn(validate))
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .layer(middleware::from_fn_with_state(state.clone(), authorize))
        .layer(middleware::from_fn_with_state(state.clone(), conform_errors))
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state.clone());
    // the admin API: outside the vendor's paths, with none of the layers above
    crate::admin::router(state).merge(api)
}

/// A missing or unknown key is a 401, whatever the route.
async fn authorize(State(state): Shared, request: Request, next: Next) -> Response {
    let key = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    if key.is_some_and(|k| state.config.api_keys.iter().any(|known| known == k)) {
        next.run(request).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

/// Every exchange goes in the journal, and every answer carries a request id.
async fn record(State(state): Shared, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let uri_path = request.uri().path().to_string();
    let found = spec::spec().find(&method, &uri_path);
    let operation = found.as_ref().map(|(op, _)| op.id.clone());
    let template = found
        .map(|(op, _)| op.path.clone())
        .or_else(|| request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()))
        .unwrap_or_else(|| uri_path.clone());
    let query = Query::new(request.uri().query().map(String::from)).0;
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .filter(|(name, _)| *name != axum::http::header::AUTHORIZATION)
        .filter_map(|(name, value)| Some((name.as_str().to_string(), value.to_str().ok()?.to_string())))
        .collect();
    let (parts, body) = request.into_parts();
    let Ok(request_bytes) = axum::body::to_bytes(body, MAX_REQUEST_BODY).await else {
        return ApiError::invalid(format!("The request body is larger than {MAX_REQUEST_BODY} bytes.")).into_response();
    };
    let number = state.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    let request_id = format!("mock-{number:08}");
    // the journal's copy of the request body (it may be off: then only the counters)
    let keeps = state.journal.lock().unwrap().keeps();
    let request_copy = if keeps { request_bytes.clone() } else { Bytes::new() };
    let started = std::time::Instant::now();
    let response = next.run(Request::from_parts(parts, Body::from(request_bytes))).await;
    let served_from_spec = response.extensions().get::<ServedFromSpec>().is_some();
    let (mut parts, body) = response.into_parts();
    if let Ok(value) = axum::http::HeaderValue::from_str(&request_id) {
        parts.headers.insert(crate::REQUEST_ID_HEADER, value);
    }
    let status = parts.status.as_u16();
    tracing::info!(
        target: "zaia_mock::request",
        operation = operation.as_deref().unwrap_or("-"),
        method = %method,
        path = %uri_path,
        status,
        request_id = %request_id,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    let exchange = Exchange {
        operation,
        method,
        path: template,
        uri_path,
        query: if keeps { query } else { Vec::new() },
        headers: if keeps { headers } else { Vec::new() },
        request_body: Value::Null,
        request_body_cut_from: None,
        status,
        body: Value::Null,
        body_cut_from: None,
        request_id,
        served_from_spec,
    };
    // a fault's body (cut, reset) is not read here: that would undo the fault
    if parts.extensions.get::<crate::faults::Broken>().is_some() {
        state.journal.lock().unwrap().record(exchange, &request_copy, b"");
        return Response::from_parts(parts, body);
    }
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    state.journal.lock().unwrap().record(exchange, &request_copy, &bytes);
    Response::from_parts(parts, Body::from(bytes))
}

/// An error the operation documents in a schema of its own (an API whose errors are not
/// `KnownException`s) is answered in that schema, made from the seed; one it documents without
/// a body has none. What the spec does not document, and what already fits, is left alone.
async fn conform_errors(State(state): Shared, request: Request, next: Next) -> Response {
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    // a success is left as it is, without looking the operation up (every request passes here)
    if status < 400 {
        return response;
    }
    let op = spec::spec().find(method.as_str(), uri.path()).map(|(op, _)| op);
    let Some(documented) = op.and_then(|op| op.response(status)) else { return response };
    if response.extensions().get::<crate::faults::Broken>().is_some() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Some(schema) = documented.pointer("/content/application~1json/schema") else {
        parts.headers.remove(axum::http::header::CONTENT_TYPE);
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    };
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let sent: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if spec::spec().validator(schema).is_valid(&sent) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let seed = state.config.seed.map_or(0, |s| s.seed) ^ u64::from(status);
    let body = serde_json::to_vec(&spec::synthesize(schema, seed)).unwrap_or_default();
    // the same parts (headers, extensions such as the served-from-spec mark), a new body
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(body))
}

/// The first armed fault that applies to the request decides its answer.
async fn inject_faults(State(state): Shared, request: Request, next: Next) -> Response {
    let operation = spec::spec().find(request.method().as_str(), request.uri().path()).map(|(op, _)| op.id.clone());
    let claimed = {
        let mut armed = state.faults.lock().unwrap();
        let found = armed.iter_mut().find_map(|f| f.claim(operation.as_deref()).then(|| f.kind.clone()));
        armed.retain(|f| !f.spent());
        found
    };
    match claimed {
        None => next.run(request).await,
        Some(kind) => crate::faults::answer(kind, request, next).await,
    }
}

/// The largest request body the mock reads.
const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

/// Every request to an operation of the spec is checked against it first (parameters, body):
/// a violation is a 400 naming the field, whichever handler would have answered.
async fn validate(request: Request, next: Next) -> Response {
    let Some((op, params)) = spec::spec().find(request.method().as_str(), request.uri().path()) else {
        return next.run(request).await;
    };
    let query = Query::new(request.uri().query().map(String::from)).0;
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REQUEST_BODY).await else {
        return ApiError::invalid(format!("The request body is larger than {MAX_REQUEST_BODY} bytes.")).into_response();
    };
    let headers: Vec<(String, String)> =
        parts.headers.iter().filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string()))).collect();
    let content_type = parts.headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if let Err(e) = op.validate_as(&params, &query, content_type, &bytes).and_then(|()| op.validate_headers(&headers)) {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Marks a response made from the spec rather than by a stateful handler.
#[derive(Clone, Copy)]
struct ServedFromSpec;

/// Operations the mock has no handler for: a schema-valid answer from the spec (its example,
/// or values synthesised from the seed), the same for the same request.
async fn serve_from_spec(State(state): Shared, request: Request) -> Response {
    let (method, path) = (request.method().to_string(), request.uri().path().to_string());
    let Some((op, params)) = spec::spec().find(&method, &path) else {
        return ApiError::no_such_route(&method, &path).into_response();
    };
    let query = Query::new(request.uri().query().map(String::from));
    let accept = request.headers().get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(str::to_string);
    // a success in another media type than JSON, when the request asks for it or JSON is not offered
    match op.success_media(accept.as_deref()) {
        Some((media, content)) if !spec::media::is_json(media) => {
            let seed = state.config.seed.map_or(0, |s| s.seed);
            let example = content.get("example").or_else(|| content.pointer("/schema/example"));
            let body = spec::media::body(media, example, seed);
            let status = StatusCode::from_u16(op.success().0).unwrap_or(StatusCode::OK);
            let mut response = (status, [(axum::http::header::CONTENT_TYPE, media.to_string())], body).into_response();
            response.extensions_mut().insert(ServedFromSpec);
            return response;
        }
        // a success with content, none of it in a type the request accepts
        None => {
            if let Some((offered, _)) = op.success_media(None) {
                let message = format!("The answer is not offered as {}; it is offered as {offered}.", accept.as_deref().unwrap_or(""));
                let mut response =
                    ApiError::with_status(406, "NotAcceptableException", "NOT_ACCEPTABLE", &message, [&message; 3]).into_response();
                response.extensions_mut().insert(ServedFromSpec);
                return response;
            }
        }
        Some(_) => {}
    }
    let bytes = axum::body::to_bytes(request.into_body(), MAX_REQUEST_BODY).await.unwrap_or_default();
    let posted: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let (status, synthesised) = op.example_response(state.config.seed.map_or(0, |s| s.seed), &params);
    // what was stored for this resource, if anything; else the spec's answer
    let stored = state.resources.lock().unwrap().serve(op, &path, &query.0, &posted, &synthesised);
    let body = match stored {
        crate::resources::Answer::Body(body) => body,
        crate::resources::Answer::NotFound => {
            let mut response = crate::faults::status_error(404).into_response();
            response.extensions_mut().insert(ServedFromSpec);
            return response;
        }
        // with nothing stored, a list served from the spec has one page: a later one (a page
        // number over 1, an offset, a cursor) is its empty end, so that every stream ends
        crate::resources::Answer::Synthesise if crate::resources::is_later_page(&query.0) => {
            crate::resources::list(&[], &query.0, op.success().1, &synthesised)
        }
        crate::resources::Answer::Synthesise => synthesised,
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    // a success without content (204) answers no body
    let mut response = match op.success().1 {
        Some(_) => (status, axum::Json(body)).into_response(),
        None => status.into_response(),
    };
    response.extensions_mut().insert(ServedFromSpec);
    response
}

/// Query parameters with repeated keys (`chatIds=a&chatIds=b`).
struct Query(Vec<(String, String)>);

impl Query {
    fn new(raw: Option<String>) -> Self {
        Query(url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect())
    }

    fn all<T: FromStr>(&self, name: &str) -> Result<Vec<T>, ApiError> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.parse().map_err(|_| ApiError::invalid(format!("{name}: `{v}` is not valid."))))
            .collect()
    }

    fn one<T: FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        Ok(self.all(name)?.into_iter().next())
    }
}

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::invalid(format!("Invalid data provided: {e}")))
}

fn id(raw: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::invalid(format!("`{raw}` is not a UUID.")))
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

async fn list_chats(State(state): Shared, RawQuery(raw): RawQuery) -> Answer<Vec<Chat>> {
    let q = Query::new(raw);
    let filter = ChatFilter {
        channel_ids: q.all("channelIds")?,
        channel_types: q.all("channelTypes")?,
        owner_ids: q.all("ownerIds")?,
        last_message_start: q.one("lastChatMessageCreatedAtStart")?,
        last_message_end: q.one("lastChatMessageCreatedAtEnd")?,
    };
    let chats = state.store.lock().unwrap().list_chats(&filter);
    ok(page(chats, q.one("pageNumber")?, q.one("pageSize")?)?)
}

async fn list_chat_details(State(state): Shared, RawQuery(raw): RawQuery) -> Answer<Vec<ChatDetails>> {
    let q = Query::new(raw);
    let store = state.store.lock().unwrap();
    let rows = store.list_chats(&ChatFilter::default()).iter().map(|c| store.details(c)).collect();
    ok(page(rows, q.one("pageNumber")?, q.one("pageSize")?)?)
}

async fn create_chat(State(state): Shared, bytes: Bytes) -> Answer<Chat> {
    ok(state.store.lock().unwrap().create_chat(body(&bytes)?, now())?)
}

async fn get_chat(State(state): Shared, Path(raw): Path<String>) -> Answer<Chat> {
    ok(state.store.lock().unwrap().get_chat(id(&raw).map_err(|_| ApiError::chat_not_found())?)?)
}

async fn get_chat_details(State(state): Shared, Path(raw): Path<String>) -> Answer<ChatDetails> {
    ok(state.store.lock().unwrap().get_chat_details(id(&raw).map_err(|_| ApiError::chat_not_found())?)?)
}

async fn update_chat(State(state): Shared, Path(raw): Path<String>, bytes: Bytes) -> Answer<Chat> {
    let chat = id(&raw).map_err(|_| ApiError::chat_not_found())?;
    ok(state.store.lock().unwrap().update_chat(chat, body(&bytes)?, now())?)
}

async fn delete_chat(State(state): Shared, Path(raw): Path<String>) -> Answer<DeleteChatResponse> {
    ok(state.store.lock().unwrap().delete_chat(id(&raw).map_err(|_| ApiError::chat_not_found())?, now())?)
}

async fn list_chat_messages(State(state): Shared, RawQuery(raw): RawQuery) -> Answer<Vec<ChatMessageWithJoins>> {
    let q = Query::new(raw);
    let chat: Uuid = q.one("chatId")?.ok_or_else(|| ApiError::invalid("chatId is required."))?;
    let joins: Vec<ChatMessageJoin> = q.all("joins")?;
    // `pagination {limit}` arrives as `limit` (form/explode; see zaia-ext's pagination docs)
    let limit = q.one("limit")?.unwrap_or(250);
    ok(state.store.lock().unwrap().list_messages(chat, q.one("chatThreadId")?, &joins, limit)?)
}

async fn create_chat_message(State(state): Shared, bytes: Bytes) -> Answer<ChatMessage> {
    ok(state.store.lock().unwrap().create_message(body(&bytes)?, now())?)
}

async fn export_chat_messages(State(state): Shared, bytes: Bytes) -> Answer<ExportChatMessagesResponse> {
    let request: ExportChatMessagesRequest = body(&bytes)?;
    let messages = state.store.lock().unwrap().export(&request, now(), state.config.allow_loopback_callbacks)?;
    // the vendor POSTs the result when ready; its payload is not documented, so this one is
    // the mock's own: {status, rangeStart, chatMessages} (feature `callbacks`)
    #[cfg(feature = "callbacks")]
    {
        let payload = serde_json::json!({"status": "completed", "rangeStart": request.range_start, "chatMessages": messages});
        let http = state.http.clone();
        let url = request.callback_url.clone();
        tokio::spawn(async move {
            if let Err(e) = http.post(&url).json(&payload).send().await {
                tracing::warn!(error = %e, "export callback failed");
            }
        });
    }
    #[cfg(not(feature = "callbacks"))]
    let _ = messages;
    ok(ExportChatMessagesResponse::new("Export started. A POST will be made to callbackUrl when ready.".into()))
}

async fn list_follow_ups(State(state): Shared, RawQuery(raw): RawQuery) -> Answer<Vec<ChatMessageFollowUp>> {
    let q = Query::new(raw);
    let filter = FollowUpFilter {
        chat_ids: q.all("chatIds")?,
        chat_message_ids: q.all("chatMessageIds")?,
        statuses: q.all("statuses")?,
        trigger_chat_message_ids: q.all("triggerChatMessageIds")?,
    };
    let items = state.store.lock().unwrap().list_follow_ups(&filter);
    ok(page(items, q.one("pageNumber")?, q.one("pageSize")?)?)
}

async fn create_follow_up(State(state): Shared, bytes: Bytes) -> Answer<ChatMessageFollowUp> {
    let created = state.store.lock().unwrap().create_follow_up(body(&bytes)?, now())?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

async fn update_follow_up(State(state): Shared, Path(raw): Path<String>, bytes: Bytes) -> Answer<ChatMessageFollowUp> {
    let follow_up = id(&raw).map_err(|_| ApiError::follow_up_not_found())?;
    ok(state.store.lock().unwrap().update_follow_up(follow_up, body(&bytes)?, now())?)
}
