//! The mock's in-memory state and the rules the vendor documents.
//!
//! ```
//! let mut store = zaia_mock::Store::new();
//! zaia_mock::seed::fill(&mut store, zaia_mock::Seed::default());
//! let first = store.chats[0].id;
//! assert!(store.get_chat(first).is_ok());
//! ```

use chrono::{DateTime, Months, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;
use zaia_models::*;

use crate::errors::ApiError;

/// A channel chats are created on (the API has no channel operations in this SDK; the mock
/// seeds them).
///
/// ```
/// use zaia_mock::{Seed, Store};
/// let mut store = Store::new();
/// zaia_mock::seed::fill(&mut store, Seed::default());
/// assert!(!store.channels.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Its id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Its type.
    pub channel_type: ChannelType,
    /// The agent answering on it.
    pub responder_id: Uuid,
}

/// Everything the mock knows.
///
/// ```
/// use zaia_mock::{Seed, Store};
/// let mut store = Store::new();
/// zaia_mock::seed::fill(&mut store, Seed::default());
/// let chat = store.chats[0].id;
/// assert_eq!(store.get_chat(chat).unwrap().id, chat);
/// ```
#[derive(Debug, Default)]
pub struct Store {
    /// Channels, by creation.
    pub channels: Vec<Channel>,
    /// Chats, by creation (removed ones stay, flagged).
    pub chats: Vec<Chat>,
    /// Messages, by creation.
    pub messages: Vec<ChatMessage>,
    /// Follow-ups, by creation.
    pub follow_ups: Vec<ChatMessageFollowUp>,
    /// The workspace every record belongs to.
    pub workspace_id: Uuid,
}

/// Page-number pagination as the vendor does it: 1-based, size 1..=100.
///
/// ```
/// let page = zaia_mock::store::page((0..25).collect(), Some(3), Some(10)).unwrap();
/// assert_eq!(page, (20..25).collect::<Vec<_>>());
/// ```
pub fn page<T: Clone>(items: Vec<T>, number: Option<u64>, size: Option<u64>) -> Result<Vec<T>, ApiError> {
    let number = number.unwrap_or(1);
    let size = size.unwrap_or(10);
    if number < 1 {
        return Err(ApiError::invalid("pageNumber must be at least 1."));
    }
    if !(1..=100).contains(&size) {
        return Err(ApiError::invalid("pageSize must be between 1 and 100."));
    }
    let start = ((number - 1) * size) as usize;
    Ok(items.into_iter().skip(start).take(size as usize).collect())
}

/// Filters of `GET /api/v1/chats`.
///
/// ```
/// use zaia_mock::{Seed, Store};
/// let mut store = Store::new();
/// zaia_mock::seed::fill(&mut store, Seed::default());
/// let all = store.list_chats(&zaia_mock::store::ChatFilter::default());
/// assert_eq!(all.len(), store.chats.len());
/// ```
#[derive(Debug, Default, Clone)]
pub struct ChatFilter {
    /// `channelIds`
    pub channel_ids: Vec<Uuid>,
    /// `channelTypes`
    pub channel_types: Vec<ChannelType>,
    /// `ownerIds`
    pub owner_ids: Vec<Uuid>,
    /// `lastChatMessageCreatedAtStart`
    pub last_message_start: Option<DateTime<Utc>>,
    /// `lastChatMessageCreatedAtEnd`
    pub last_message_end: Option<DateTime<Utc>>,
}

/// Filters of `GET /api/v1/chat-message-follow-ups`.
///
/// ```
/// use zaia_mock::{Seed, Store};
/// let mut store = Store::new();
/// zaia_mock::seed::fill(&mut store, Seed::default());
/// let all = store.list_follow_ups(&zaia_mock::store::FollowUpFilter::default());
/// assert_eq!(all.len(), store.follow_ups.len());
/// ```
#[derive(Debug, Default, Clone)]
pub struct FollowUpFilter {
    /// `chatIds`
    pub chat_ids: Vec<Uuid>,
    /// `chatMessageIds`
    pub chat_message_ids: Vec<Uuid>,
    /// `statuses`
    pub statuses: Vec<ChatMessageFollowUpStatus>,
    /// `triggerChatMessageIds`
    pub trigger_chat_message_ids: Vec<Uuid>,
}

impl Store {
    /// An empty store with one channel of each type.
    ///
    /// ```
    /// assert!(zaia_mock::Store::new().chats.is_empty());
    /// ```
    pub fn new() -> Self {
        let mut store = Store { workspace_id: Uuid::from_u128(0x5a1a_0000_0000_0000_0000_0000_0000_0001), ..Default::default() };
        for (i, channel_type) in ChannelType::KNOWN.iter().enumerate() {
            store.channels.push(Channel {
                id: Uuid::from_u128(0xc4a0_0000_0000_0000_0000_0000_0000_0000 + i as u128),
                name: format!("{channel_type} channel"),
                channel_type: channel_type.clone(),
                responder_id: Uuid::from_u128(0xa6e0_0000_0000_0000_0000_0000_0000_0000 + i as u128),
            });
        }
        store
    }

    fn live_chat(&self, id: Uuid) -> Result<&Chat, ApiError> {
        self.chats.iter().find(|c| c.id == id && c.is_removed != Some(true)).ok_or_else(ApiError::chat_not_found)
    }

    fn channel(&self, id: Option<Uuid>) -> Option<&Channel> {
        self.channels.iter().find(|c| Some(c.id) == id)
    }

    fn messages_of(&self, chat: Uuid) -> impl Iterator<Item = &ChatMessage> {
        self.messages.iter().filter(move |m| m.chat_id == chat)
    }

    fn last_message_at(&self, chat: Uuid) -> Option<DateTime<Utc>> {
        self.messages_of(chat).map(|m| m.created_at).max()
    }

    /// `POST /api/v1/chats`
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let body = zaia_models::CreateChatRequest::new(store.channels[0].id, uuid::Uuid::nil());
    /// let chat = store.create_chat(body, chrono::Utc::now()).unwrap();
    /// assert_eq!(store.get_chat(chat.id).unwrap().id, chat.id);
    /// ```
    pub fn create_chat(&mut self, body: CreateChatRequest, now: DateTime<Utc>) -> Result<Chat, ApiError> {
        let channel = self.channel(Some(body.channel_id)).ok_or_else(ApiError::channel_not_found)?;
        let chat = Chat::new(now, Uuid::new_v4(), now)
            .with_channel_id(channel.id)
            .with_is_removed(false)
            .with_owner_id(body.owner_id)
            .with_responder_id(channel.responder_id)
            .with_workspace_id(self.workspace_id);
        self.chats.push(chat.clone());
        Ok(chat)
    }

    /// `GET /api/v1/chats/{id}`
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// assert!(store.get_chat(uuid::Uuid::nil()).is_err());
    /// ```
    pub fn get_chat(&self, id: Uuid) -> Result<Chat, ApiError> {
        self.live_chat(id).cloned()
    }

    /// `GET /api/v1/chats`, before pagination.
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// assert!(!store.list_chats(&Default::default()).is_empty());
    /// ```
    pub fn list_chats(&self, filter: &ChatFilter) -> Vec<Chat> {
        self.chats
            .iter()
            .filter(|c| c.is_removed != Some(true))
            .filter(|c| filter.channel_ids.is_empty() || c.channel_id.is_some_and(|id| filter.channel_ids.contains(&id)))
            .filter(|c| {
                filter.channel_types.is_empty()
                    || self.channel(c.channel_id).is_some_and(|ch| filter.channel_types.contains(&ch.channel_type))
            })
            .filter(|c| filter.owner_ids.is_empty() || c.owner_id.is_some_and(|id| filter.owner_ids.contains(&id)))
            .filter(|c| {
                let last = self.last_message_at(c.id);
                let after_start = filter.last_message_start.is_none_or(|s| last.is_some_and(|l| l >= s));
                let before_end = filter.last_message_end.is_none_or(|e| last.is_some_and(|l| l <= e));
                after_start && before_end
            })
            .cloned()
            .collect()
    }

    /// `PATCH /api/v1/chats/{id}`
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let id = store.chats[0].id;
    /// let body = zaia_models::UpdateChatRequest::new().with_title(zaia_models::Patch::Value("Renamed".into()));
    /// assert_eq!(store.update_chat(id, body, chrono::Utc::now()).unwrap().title.as_deref(), Some("Renamed"));
    /// ```
    pub fn update_chat(&mut self, id: Uuid, body: UpdateChatRequest, now: DateTime<Utc>) -> Result<Chat, ApiError> {
        self.live_chat(id)?;
        let chat = self.chats.iter_mut().find(|c| c.id == id).expect("checked above");
        match body.title {
            Patch::Absent => {}
            Patch::Null => chat.title = None,
            Patch::Value(title) => chat.title = Some(title),
        }
        chat.updated_at = now;
        Ok(chat.clone())
    }

    /// `DELETE /api/v1/chats/{id}`: a soft removal; the chat disappears from every read.
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let id = store.chats[0].id;
    /// store.delete_chat(id, chrono::Utc::now()).unwrap();
    /// assert!(store.get_chat(id).is_err());
    /// ```
    pub fn delete_chat(&mut self, id: Uuid, now: DateTime<Utc>) -> Result<DeleteChatResponse, ApiError> {
        self.live_chat(id)?;
        let chat = self.chats.iter_mut().find(|c| c.id == id).expect("checked above");
        chat.is_removed = Some(true);
        chat.updated_at = now;
        Ok(DeleteChatResponse::new("The chat was removed.".into()))
    }

    /// The details row of a chat.
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let chat = store.chats[0].clone();
    /// assert_eq!(store.details(&chat).id, chat.id);
    /// ```
    pub fn details(&self, chat: &Chat) -> ChatDetails {
        let channel = self.channel(chat.channel_id);
        let mut messages: Vec<&ChatMessage> = self.messages_of(chat.id).collect();
        messages.sort_by_key(|m| m.created_at);
        let last = messages.last();
        let penultimate = messages.len().checked_sub(2).map(|i| messages[i]);
        let owner = chat.owner_id.unwrap_or_default();
        {
            let mut v = ChatDetails::new(chat.created_at, chat.id, chat.is_removed.unwrap_or(false), owner)
                .with_is_owner_blocked(false)
                .with_owner_identifier(format!("+55{:011}", owner.as_u128() % 100_000_000_000))
                .with_owner_name(format!("Owner {}", &owner.simple().to_string()[..6]))
                .with_responder_entity(ResponderEntity::Agents)
                .with_responder_name("Mock agent".into())
                .with_responder_version_number(1.0);
            v.channel_id = chat.channel_id;
            v.channel_name = channel.map(|c| c.name.clone());
            v.channel_type = channel.map(|c| c.channel_type.clone());
            v.last_message_content = last.map(|m| m.content.clone());
            v.last_message_created_at = last.map(|m| m.created_at);
            v.last_message_role = last.map(|m| m.role.clone());
            v.penultimate_message_content = penultimate.map(|m| m.content.clone());
            v.penultimate_message_created_at = penultimate.map(|m| m.created_at);
            v.penultimate_message_role = penultimate.map(|m| m.role.clone());
            v.responder_id = chat.responder_id;
            v.title = chat.title.clone();
            v.workspace_id = chat.workspace_id;
            v
        }
    }

    /// `GET /api/v1/chats/{id}/details`
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let id = store.chats[0].id;
    /// assert_eq!(store.get_chat_details(id).unwrap().id, id);
    /// ```
    pub fn get_chat_details(&self, id: Uuid) -> Result<ChatDetails, ApiError> {
        Ok(self.details(self.live_chat(id)?))
    }

    /// `POST /api/v1/chat-messages`
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let body = zaia_models::CreateChatMessageRequest::new(store.chats[0].id, "Hi".into(), "user".into(), uuid::Uuid::nil());
    /// assert_eq!(store.create_message(body, chrono::Utc::now()).unwrap().content, "Hi");
    /// ```
    pub fn create_message(&mut self, body: CreateChatMessageRequest, now: DateTime<Utc>) -> Result<ChatMessage, ApiError> {
        if body.content.chars().count() > 4000 {
            return Err(ApiError::invalid("content must be at most 4000 characters."));
        }
        if let Some(external) = &body.external_id
            && !(3..=250).contains(&external.chars().count())
        {
            return Err(ApiError::invalid("externalId must be between 3 and 250 characters."));
        }
        self.live_chat(body.chat_id)?;
        // keep creation order strict even when two messages share a clock tick
        let created_at = self.messages.last().map_or(now, |m| now.max(m.created_at + chrono::Duration::milliseconds(1)));
        let message = {
            let mut v = ChatMessage::new(body.chat_id, body.content.clone(), created_at, Uuid::new_v4(), body.role.clone(), created_at)
                .with_sender_id(body.sender_id);
            v.chat_thread_id = body.chat_thread_id;
            v.external_id = body.external_id;
            v.raw_content = (body.role != "user").then_some(body.content);
            v
        };
        self.messages.push(message.clone());
        Ok(message)
    }

    /// `GET /api/v1/chat-messages`
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let chat = store.chats[0].id;
    /// let messages = store.list_messages(chat, None, &[], 250).unwrap();
    /// assert_eq!(messages.len(), Seed::default().messages_per_chat);
    /// ```
    pub fn list_messages(
        &self,
        chat_id: Uuid,
        thread: Option<Uuid>,
        joins: &[ChatMessageJoin],
        limit: u64,
    ) -> Result<Vec<ChatMessageWithJoins>, ApiError> {
        self.live_chat(chat_id)?;
        if !(1..=1000).contains(&limit) {
            return Err(ApiError::invalid("limit must be between 1 and 1000."));
        }
        let with_follow_ups = joins.contains(&ChatMessageJoin::ChatMessageFollowUps);
        let with_sender = joins.contains(&ChatMessageJoin::Senders);
        Ok(self
            .messages_of(chat_id)
            .filter(|m| thread.is_none() || m.chat_thread_id == thread)
            .take(limit as usize)
            .map(|m| {
                let mut v = ChatMessageWithJoins::new(m.chat_id, m.content.clone(), m.created_at, m.id, m.role.clone(), m.updated_at)
                    .with_chat_message_follow_ups(if with_follow_ups {
                        self.follow_ups
                            .iter()
                            .filter(|f| f.trigger_chat_message_id == m.id || f.chat_message_id == Some(m.id))
                            .cloned()
                            .collect()
                    } else {
                        Vec::new()
                    });
                v.chat_thread_id = m.chat_thread_id;
                v.external_id = m.external_id.clone();
                v.raw_content = m.raw_content.clone();
                v.sender = with_sender.then(|| sender(m));
                v.sender_id = m.sender_id;
                v
            })
            .collect())
    }

    /// `POST /api/v1/chat-messages/export`: checks the request; returns the messages to send.
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let body = zaia_models::ExportChatMessagesRequest::new("http://hooks.example.com".into()).with_range_start(chrono::Utc::now());
    /// assert!(store.export(&body, chrono::Utc::now(), false).is_err(), "https only");
    /// ```
    pub fn export(&self, body: &ExportChatMessagesRequest, now: DateTime<Utc>, allow_loopback: bool) -> Result<Vec<ChatMessage>, ApiError> {
        let start = body.range_start.ok_or_else(|| ApiError::invalid("rangeStart is required."))?;
        let end = match &body.range_end {
            Patch::Value(end) => *end,
            Patch::Absent | Patch::Null => now,
        };
        if start >= end {
            return Err(ApiError::invalid("rangeStart must be before rangeEnd."));
        }
        if start.checked_add_months(Months::new(6)).is_some_and(|limit| end > limit) {
            return Err(ApiError::invalid("The export period exceeds the maximum of 6 months."));
        }
        let url = url::Url::parse(&body.callback_url).map_err(|_| ApiError::invalid("callbackUrl must be a URL."))?;
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        let allowed = match url.scheme() {
            "https" => !loopback || allow_loopback,
            "http" => loopback && allow_loopback,
            _ => false,
        };
        if !allowed {
            return Err(ApiError::invalid("callbackUrl must be HTTPS and point to a public server."));
        }
        Ok(self
            .messages
            .iter()
            .filter(|m| m.created_at >= start && m.created_at <= end)
            .filter(|m| self.live_chat(m.chat_id).is_ok())
            .cloned()
            .collect())
    }

    /// `POST /api/v1/chat-message-follow-ups`
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let body = zaia_models::CreateChatMessageFollowUpRequest::new(uuid::Uuid::nil(), chrono::Utc::now(), "Hi?".into());
    /// assert!(store.create_follow_up(body, chrono::Utc::now()).is_err(), "no such chat");
    /// ```
    pub fn create_follow_up(
        &mut self,
        body: CreateChatMessageFollowUpRequest,
        now: DateTime<Utc>,
    ) -> Result<ChatMessageFollowUp, ApiError> {
        if body.message.is_empty() {
            return Err(ApiError::invalid("message must not be empty."));
        }
        self.live_chat(body.chat_id)?;
        let last = self.messages_of(body.chat_id).max_by_key(|m| m.created_at);
        let Some(last) = last.filter(|m| m.role != "user") else {
            return Err(ApiError::precondition(
                "The chat has no messages or the last message is from the user.",
                [
                    "A follow-up needs a last message that is not from the user.",
                    "Un seguimiento necesita un último mensaje que no sea del usuario.",
                    "Um acompanhamento precisa de uma última mensagem que não seja do usuário.",
                ],
            ));
        };
        let follow_up = ChatMessageFollowUp::new(
            body.chat_id,
            now,
            body.due_date,
            Uuid::new_v4(),
            body.message,
            ChatMessageFollowUpStatus::Pending,
            last.id,
            now,
        );
        self.follow_ups.push(follow_up.clone());
        Ok(follow_up)
    }

    /// `GET /api/v1/chat-message-follow-ups`, before pagination.
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// assert!(!store.list_follow_ups(&Default::default()).is_empty());
    /// ```
    pub fn list_follow_ups(&self, filter: &FollowUpFilter) -> Vec<ChatMessageFollowUp> {
        self.follow_ups
            .iter()
            .filter(|f| filter.chat_ids.is_empty() || filter.chat_ids.contains(&f.chat_id))
            .filter(|f| filter.chat_message_ids.is_empty() || f.chat_message_id.is_some_and(|id| filter.chat_message_ids.contains(&id)))
            .filter(|f| filter.statuses.is_empty() || filter.statuses.contains(&f.status))
            .filter(|f| filter.trigger_chat_message_ids.is_empty() || filter.trigger_chat_message_ids.contains(&f.trigger_chat_message_id))
            .cloned()
            .collect()
    }

    /// `PATCH /api/v1/chat-message-follow-ups/{id}`: only pending follow-ups change.
    ///
    /// ```
    /// use zaia_mock::{Seed, Store};
    /// let mut store = Store::new();
    /// zaia_mock::seed::fill(&mut store, Seed::default());
    /// let body = zaia_models::UpdateChatMessageFollowUpRequest::default();
    /// assert!(store.update_follow_up(uuid::Uuid::nil(), body, chrono::Utc::now()).is_err());
    /// ```
    pub fn update_follow_up(
        &mut self,
        id: Uuid,
        body: UpdateChatMessageFollowUpRequest,
        now: DateTime<Utc>,
    ) -> Result<ChatMessageFollowUp, ApiError> {
        let follow_up = self.follow_ups.iter_mut().find(|f| f.id == id).ok_or_else(ApiError::follow_up_not_found)?;
        if follow_up.status != ChatMessageFollowUpStatus::Pending {
            return Err(ApiError::precondition(
                "Only pending follow-ups can be updated.",
                [
                    "Only pending follow-ups can be updated.",
                    "Solo se pueden actualizar los seguimientos pendientes.",
                    "Somente acompanhamentos pendentes podem ser atualizados.",
                ],
            ));
        }
        if body.message.as_deref() == Some("") {
            return Err(ApiError::invalid("message must not be empty."));
        }
        if let Some(due) = body.due_date {
            follow_up.due_date = due;
        }
        if let Some(message) = body.message {
            follow_up.message = message;
        }
        apply(&mut follow_up.chat_message_id, body.chat_message_id);
        apply(&mut follow_up.finished_at, body.finished_at);
        apply(&mut follow_up.reason, body.reason);
        if let Some(status) = body.status {
            if status != ChatMessageFollowUpUpdateStatus::Cancelled {
                return Err(ApiError::invalid(format!("status `{status}` cannot be set.")));
            }
            follow_up.status = ChatMessageFollowUpStatus::Cancelled;
            follow_up.finished_at = Some(now);
        }
        follow_up.updated_at = now;
        Ok(follow_up.clone())
    }
}

fn apply<T>(field: &mut Option<T>, patch: Patch<T>) {
    match patch {
        Patch::Absent => {}
        Patch::Null => *field = None,
        Patch::Value(v) => *field = Some(v),
    }
}

fn sender(message: &ChatMessage) -> Map<String, Value> {
    let json = json!({"id": message.sender_id, "name": if message.role == "user" { "Customer" } else { "Mock agent" }});
    json.as_object().cloned().unwrap_or_default()
}
