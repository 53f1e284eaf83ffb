//! What a fault is and what it answers; the generated per-operation functions build these.

use std::time::Duration;

use crate::errors::ApiError;

/// One armed failure: what, where, how many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub(crate) kind: FaultKind,
    /// The operation id it applies to; `None`: every operation.
    pub(crate) operation: Option<String>,
    /// Requests left to fail; `None`: every one.
    pub(crate) remaining: Option<usize>,
}

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// A status the operation documents, with the vendor's `KnownException` body.
    Documented(u16),
    /// A status the operation does not document, with a `KnownException` body (the SDK sees an
    /// error status it was not told about).
    Undocumented(u16),
    /// 429 with `Retry-After` (whole seconds).
    RateLimited(Duration),
    /// A 5xx status with a `KnownException` body.
    ServerError(u16),
    /// The usual answer, this much later.
    Delay(Duration),
    /// The usual answer's status and headers, then half of its body, then the connection
    /// closes.
    CutBody,
    /// The connection closes before any answer.
    Reset,
}

impl Fault {
    fn new(kind: FaultKind) -> Fault {
        Fault { kind, operation: None, remaining: None }
    }

    /// A documented status of `operation` (the generated functions make these).
    pub(crate) fn documented(operation: &str, status: u16) -> Fault {
        Fault::new(FaultKind::Documented(status)).on(operation)
    }

    /// 429 Too Many Requests, asking to wait `retry_after` (sent in whole seconds).
    ///
    /// ```
    /// let fault = zaia_mock::Fault::rate_limited(std::time::Duration::from_secs(2));
    /// # let _ = fault;
    /// ```
    pub fn rate_limited(retry_after: Duration) -> Fault {
        Fault::new(FaultKind::RateLimited(retry_after))
    }

    /// A server error: `status` must be 5xx (anything else answers 500).
    ///
    /// ```
    /// let fault = zaia_mock::Fault::server_error(503).times(2);
    /// # let _ = fault;
    /// ```
    pub fn server_error(status: u16) -> Fault {
        Fault::new(FaultKind::ServerError(if (500..600).contains(&status) { status } else { 500 }))
    }

    /// The usual answer, `by` later (for a client's timeouts).
    pub fn delay(by: Duration) -> Fault {
        Fault::new(FaultKind::Delay(by))
    }

    /// The usual answer's head and half its body, then the connection closes.
    pub fn cut_body() -> Fault {
        Fault::new(FaultKind::CutBody)
    }

    /// The connection closes with no answer.
    pub fn reset() -> Fault {
        Fault::new(FaultKind::Reset)
    }

    /// A status the operation does not document (clearly so: its typed functions offer only
    /// the documented ones).
    pub fn undocumented(status: u16) -> Fault {
        Fault::new(FaultKind::Undocumented(status))
    }

    /// Only requests to this operation (by id, `get_chat`).
    pub fn on(mut self, operation: &str) -> Fault {
        self.operation = Some(operation.to_string());
        self
    }

    /// Only the next `n` requests it applies to.
    pub fn times(mut self, n: usize) -> Fault {
        self.remaining = Some(n);
        self
    }

    /// Only the next request it applies to.
    pub fn once(self) -> Fault {
        self.times(1)
    }

    /// What it does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    /// The operation it is bound to, if any.
    pub fn operation(&self) -> Option<&str> {
        self.operation.as_deref()
    }

    /// Whether it applies to a request of `operation`, and takes one use if so.
    pub(crate) fn claim(&mut self, operation: Option<&str>) -> bool {
        let matches = match (&self.operation, operation) {
            (None, _) => true,
            (Some(wanted), Some(op)) => wanted == op,
            (Some(_), None) => false,
        };
        match (matches, &mut self.remaining) {
            (false, _) | (true, Some(0)) => false,
            (true, Some(n)) => {
                *n -= 1;
                true
            }
            (true, None) => true,
        }
    }

    pub(crate) fn spent(&self) -> bool {
        self.remaining == Some(0)
    }
}

/// The vendor-style error body of a status: name, code, message and feedback in enUs, esEs
/// and ptBr.
pub(crate) fn status_error(status: u16) -> ApiError {
    let (name, code, en, es, pt) = match status {
        400 => ("BadRequestException", "BAD_REQUEST", "Invalid data provided.", "Datos no válidos.", "Dados inválidos."),
        401 => ("UnauthorizedException", "UNAUTHORIZED", "Unauthorized.", "No autorizado.", "Não autorizado."),
        403 => ("ForbiddenException", "FORBIDDEN", "Forbidden.", "Prohibido.", "Proibido."),
        404 => ("NotFoundException", "NOT_FOUND", "Not found.", "No encontrado.", "Não encontrado."),
        409 => ("ConflictException", "CONFLICT", "Conflict.", "Conflicto.", "Conflito."),
        412 => (
            "PreconditionFailedException",
            "PRECONDITION_FAILED",
            "Precondition failed.",
            "Condición previa fallida.",
            "Pré-condição falhou.",
        ),
        422 => (
            "UnprocessableEntityException",
            "UNPROCESSABLE_ENTITY",
            "Unprocessable entity.",
            "Entidad no procesable.",
            "Entidade não processável.",
        ),
        429 => ("TooManyRequestsException", "TOO_MANY_REQUESTS", "Too many requests.", "Demasiadas solicitudes.", "Muitas solicitações."),
        500..=599 => {
            ("InternalServerErrorException", "INTERNAL_SERVER_ERROR", "Something went wrong.", "Algo salió mal.", "Algo deu errado.")
        }
        _ => ("HttpException", "ERROR", "The request failed.", "La solicitud falló.", "A solicitação falhou."),
    };
    ApiError::with_status(status, name, code, en, [en, es, pt])
}

/// Marks an answer whose body is broken on purpose (the journal leaves it unread).
#[derive(Clone, Copy)]
pub(crate) struct Broken;

/// The answer a fault gives instead of, or made from, the usual one.
pub(crate) async fn answer(kind: FaultKind, request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::body::{Body, Bytes};
    use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
    use axum::response::IntoResponse;
    let broken = |stream: futures_util::stream::BoxStream<'static, Result<Bytes, std::io::Error>>, length: usize| {
        let mut response = axum::response::Response::new(Body::from_stream(stream));
        response.headers_mut().insert(CONTENT_LENGTH, length.into());
        response.extensions_mut().insert(Broken);
        response
    };
    match kind {
        FaultKind::Documented(status) | FaultKind::Undocumented(status) | FaultKind::ServerError(status) => {
            status_error(status).into_response()
        }
        FaultKind::RateLimited(wait) => {
            let mut response = status_error(429).into_response();
            response.headers_mut().insert(RETRY_AFTER, wait.as_secs().into());
            response
        }
        FaultKind::Delay(by) => {
            tokio::time::sleep(by).await;
            next.run(request).await
        }
        FaultKind::CutBody => {
            let (parts, body) = next.run(request).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let stream = futures_util::stream::iter([Ok(half), Err(std::io::Error::other("cut by a fault"))]);
            let mut response = broken(Box::pin(stream), bytes.len().max(1));
            *response.status_mut() = parts.status;
            for (name, value) in parts.headers.iter().filter(|(n, _)| *n != CONTENT_LENGTH) {
                response.headers_mut().insert(name.clone(), value.clone());
            }
            response
        }
        FaultKind::Reset => {
            let stream = futures_util::stream::iter([Err(std::io::Error::other("reset by a fault"))]);
            broken(Box::pin(stream), 1)
        }
    }
}
