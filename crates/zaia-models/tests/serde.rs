//! How the generated types read and write JSON: open enums, the `Patch` tri-state, nullable and
//! guessed fields.

use serde_json::json;
use zaia_models::*;

#[test]
fn open_enums_keep_unknown_values_and_round_trip() {
    let known: ChannelType = serde_json::from_value(json!("whatsapp")).unwrap();
    assert_eq!(known, ChannelType::Whatsapp);
    let new: ChannelType = serde_json::from_value(json!("telegram")).unwrap();
    assert_eq!(new, ChannelType::Unknown("telegram".into()));
    assert!(new.is_unknown() && !known.is_unknown());
    assert_eq!(serde_json::to_value(&new).unwrap(), json!("telegram"));
    assert_eq!(serde_json::to_value(ChatMessageJoin::ChatMessageFollowUps).unwrap(), json!("chat-message-follow-ups"));
    assert_eq!("pending".parse::<ChatMessageFollowUpStatus>().unwrap(), ChatMessageFollowUpStatus::Pending);
    assert_eq!(ChatMessageFollowUpStatus::KNOWN.len(), 4);
    assert_eq!(Language::PtBr.to_string(), "ptBr");
    // not a string at all is still an error, naming what was expected
    let err = serde_json::from_value::<ChannelType>(json!(5)).unwrap_err().to_string();
    assert!(err.contains("a ChannelType string"), "{err}");
}

#[test]
fn patch_fields_distinguish_absent_null_and_value() {
    let absent = UpdateChatMessageFollowUpRequest::default();
    assert_eq!(serde_json::to_value(&absent).unwrap(), json!({}));
    let cleared = UpdateChatMessageFollowUpRequest::new().with_reason(Patch::Null).with_finished_at(Patch::Null);
    assert_eq!(serde_json::to_value(&cleared).unwrap(), json!({"finishedAt": null, "reason": null}));
    let set = UpdateChatMessageFollowUpRequest::new().with_chat_message_id(Patch::Value(uuid::Uuid::nil()));
    assert_eq!(serde_json::to_value(&set).unwrap(), json!({"chatMessageId": "00000000-0000-0000-0000-000000000000"}));
    // and back
    let read: UpdateChatMessageFollowUpRequest = serde_json::from_value(json!({"reason": null, "message": "hi"})).unwrap();
    assert_eq!(read.reason, Patch::Null);
    assert_eq!(read.finished_at, Patch::Absent);
    assert_eq!(read.message.as_deref(), Some("hi"));
}

#[test]
fn required_nullable_fields_accept_null_but_not_absence() {
    let mut follow_up = json!({"createdAt": "2026-11-21T10:00:00Z", "id": uuid::Uuid::nil(), "updatedAt": "2026-11-21T10:00:00Z",
        "chatId": uuid::Uuid::nil(), "chatMessageId": null, "dueDate": "2026-11-22T09:00:00Z", "finishedAt": null,
        "message": "x", "reason": null, "status": "sent", "triggerChatMessageId": uuid::Uuid::nil()});
    let read: ChatMessageFollowUp = serde_json::from_value(follow_up.clone()).unwrap();
    assert_eq!(read.finished_at, None);
    // `reason` is documented (verbatim vendor JSON) as required: its absence is a real change
    follow_up.as_object_mut().unwrap().remove("reason");
    let err = serde_json::from_value::<ChatMessageFollowUp>(follow_up).unwrap_err().to_string();
    assert!(err.contains("missing field `reason`"), "{err}");
}

#[test]
fn known_exception_reads_with_and_without_optional_parts() {
    let full = json!({"code": "CHAT_NOT_FOUND", "cta": {"type": "support-contact", "url": "https://help"},
        "feedback": {"enUs": "Not found", "esEs": "No encontrado", "ptBr": "Não encontrado"}, "message": "m", "name": "NotFound"});
    let e: KnownException = serde_json::from_value(full).unwrap();
    assert_eq!(e.cta.unwrap().type_, KnownExceptionCtaType::SupportContact);
    let minimal: KnownException = serde_json::from_value(json!({"feedback": {}, "message": "m", "name": "n"})).unwrap();
    assert_eq!(minimal.feedback.en_us, None);
}
