//! Error responses: every one a `KnownException` with feedback in enUs, esEs and ptBr.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use zaia_models::{KnownException, KnownExceptionFeedback};

/// An error the mock answers with.
///
/// ```
/// let error = zaia_mock::ApiError::invalid("content: too long.");
/// assert_eq!((error.status.as_u16(), error.message()), (400, "content: too long."));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body (boxed: it is large, and every handler's `Result` carries it).
    pub body: Box<KnownException>,
}

impl ApiError {
    fn new(status: StatusCode, name: &str, code: &str, message: impl Into<String>, feedback: [&str; 3]) -> Self {
        let [en, es, pt] = feedback;
        ApiError {
            status,
            body: Box::new(
                KnownException::new(
                    KnownExceptionFeedback::new().with_en_us(en.into()).with_es_es(es.into()).with_pt_br(pt.into()),
                    message.into(),
                    name.into(),
                )
                .with_code(code.into()),
            ),
        }
    }

    /// Any status, with the vendor's body: name, code, message, and feedback in enUs, esEs and
    /// ptBr.
    ///
    /// ```
    /// let e = zaia_mock::ApiError::with_status(409, "ConflictException", "CONFLICT", "Taken.", ["Taken.", "Tomado.", "Tomado."]);
    /// assert_eq!(e.status.as_u16(), 409);
    /// ```
    pub fn with_status(status: u16, name: &str, code: &str, message: &str, feedback: [&str; 3]) -> Self {
        Self::new(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), name, code, message, feedback)
    }

    /// The message (`body.message`).
    ///
    /// ```
    /// assert_eq!(zaia_mock::ApiError::chat_not_found().message(), "Chat not found.");
    /// ```
    pub fn message(&self) -> &str {
        &self.body.message
    }

    /// 404 for a path the spec does not have.
    ///
    /// ```
    /// assert_eq!(zaia_mock::ApiError::no_such_route("GET", "/x").status.as_u16(), 404);
    /// ```
    pub fn no_such_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFoundException",
            "ROUTE_NOT_FOUND",
            format!("Cannot {method} {path}"),
            ["Not found.", "No encontrado.", "Não encontrado."],
        )
    }

    /// 401: the key is missing or unknown.
    ///
    /// ```
    /// assert_eq!(zaia_mock::ApiError::unauthorized().status.as_u16(), 401);
    /// ```
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedException",
            "UNAUTHORIZED",
            "Unauthorized.",
            ["You are not authorized.", "No estás autorizado.", "Você não está autorizado."],
        )
    }

    /// 400 with what is wrong.
    ///
    /// ```
    /// assert_eq!(zaia_mock::ApiError::invalid("bad").status.as_u16(), 400);
    /// ```
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            "INVALID_DATA",
            message,
            ["Invalid data provided.", "Datos no válidos.", "Dados inválidos."],
        )
    }

    /// 404 for a chat.
    ///
    /// ```
    /// assert_eq!(zaia_mock::ApiError::chat_not_found().body.code.as_deref(), Some("CHAT_NOT_FOUND"));
    /// ```
    pub fn chat_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFoundException",
            "CHAT_NOT_FOUND",
            "Chat not found.",
            ["Chat not found.", "Chat no encontrado.", "Chat não encontrado."],
        )
    }

    /// 404 for a channel.
    ///
    /// ```
    /// assert_eq!(zaia_mock::ApiError::channel_not_found().status.as_u16(), 404);
    /// ```
    pub fn channel_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFoundException",
            "CHANNEL_NOT_FOUND",
            "Channel or responder not found.",
            ["Channel or responder not found.", "Canal o respondedor no encontrado.", "Canal ou respondente não encontrado."],
        )
    }

    /// 404 for a follow-up.
    ///
    /// ```
    /// assert_eq!(zaia_mock::ApiError::follow_up_not_found().status.as_u16(), 404);
    /// ```
    pub fn follow_up_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFoundException",
            "CHAT_MESSAGE_FOLLOW_UP_NOT_FOUND",
            "The chat message follow-up was not found.",
            ["The follow-up was not found.", "El seguimiento no fue encontrado.", "O acompanhamento não foi encontrado."],
        )
    }

    /// 412 for a follow-up that cannot be created or changed.
    ///
    /// ```
    /// assert_eq!(zaia_mock::ApiError::precondition("No.", ["No.", "No.", "Não."]).status.as_u16(), 412);
    /// ```
    pub fn precondition(message: &str, feedback: [&str; 3]) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, "PreconditionFailedException", "PRECONDITION_FAILED", message, feedback)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
