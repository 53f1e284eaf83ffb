//! The generated OdysseyAI client against a local server: the `data` envelope, the `userId`
//! header, and error bodies of several shapes decoding into one union.

use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use zaia_odyssey_fixture::models::GetChatMessagesError;
use zaia_odyssey_fixture::{Client, Error};

fn client(server: &MockServer) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-api-key", "odyssey-key".parse().unwrap());
    Client::new_with_client(&server.uri(), reqwest::Client::builder().default_headers(headers).build().unwrap())
}

#[tokio::test]
async fn the_data_envelope_decodes_and_headers_go_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/chat/messages"))
        .and(query_param("workspaceId", "w1"))
        .and(query_param("conversationId", "c1"))
        .and(header("userId", "u1"))
        .and(header("x-api-key", "odyssey-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{
            "query": "hi", "type": "text", "queryresponseid": "r1", "createdat": "2026-11-21T10:00:00Z", "name": "Ana",
            "ownerid": "o1", "followUps": [{"id": "f1", "text": "more?"}], "sourceSnips": []}]})))
        .mount(&server)
        .await;
    let response = client(&server).get_chat_messages().workspace_id("w1").conversation_id("c1").user_id("u1").send().await.unwrap();
    assert_eq!(response.data[0].follow_ups[0].text.as_deref(), Some("more?"));
}

#[tokio::test]
async fn error_bodies_of_other_shapes_decode_into_the_union() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/chat/messages"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {"message": "Invalid API key."}})))
        .mount(&server)
        .await;
    match client(&server).get_chat_messages().workspace_id("w").conversation_id("c").user_id("u").send().await {
        Err(Error::ErrorResponse(e)) => {
            assert_eq!(e.status().as_u16(), 403);
            // `{error: string}` (400) does not fit, so the untagged union takes the 403 shape
            match e.into_inner() {
                GetChatMessagesError::Error403(body) => assert_eq!(body.error.unwrap().message.as_deref(), Some("Invalid API key.")),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
}
