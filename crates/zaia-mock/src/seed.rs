//! A deterministic dataset: the same seed gives the same chats, messages and follow-ups.
//!
//! ```
//! let mut a = zaia_mock::Store::new();
//! let mut b = zaia_mock::Store::new();
//! zaia_mock::seed::fill(&mut a, zaia_mock::Seed::default());
//! zaia_mock::seed::fill(&mut b, zaia_mock::Seed::default());
//! assert_eq!(a.chats, b.chats);
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;
use zaia_models::*;

use crate::store::Store;

/// How much data to make: [`Seed::default`], then the setters.
///
/// ```
/// use zaia_mock::{Seed, Store};
/// let mut store = Store::new();
/// zaia_mock::seed::fill(&mut store, Seed::default().chats(4).seed(7));
/// assert_eq!(store.chats.len(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Seed {
    /// Makes the ids; the same value gives the same data.
    pub seed: u64,
    /// Chats to create (spread over the channels).
    pub chats: usize,
    /// Messages per chat, alternating user and assistant, the last from the assistant.
    pub messages_per_chat: usize,
    /// Follow-ups per chat, cycling through the statuses.
    pub follow_ups_per_chat: usize,
}

impl Default for Seed {
    fn default() -> Self {
        Seed { seed: 42, chats: 25, messages_per_chat: 6, follow_ups_per_chat: 2 }
    }
}

impl Seed {
    /// Makes the ids from this value (the same value gives the same data).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Chats to create (spread over the channels).
    pub fn chats(mut self, chats: usize) -> Self {
        self.chats = chats;
        self
    }

    /// Messages per chat, alternating user and assistant, the last from the assistant.
    pub fn messages_per_chat(mut self, messages: usize) -> Self {
        self.messages_per_chat = messages;
        self
    }

    /// Follow-ups per chat, cycling through the statuses.
    pub fn follow_ups_per_chat(mut self, follow_ups: usize) -> Self {
        self.follow_ups_per_chat = follow_ups;
        self
    }
}

/// splitmix64: a tiny, well-known generator; no dependency for a few ids.
struct Ids(u64);

impl Ids {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn uuid(&mut self) -> Uuid {
        let raw = ((self.next() as u128) << 64) | self.next() as u128;
        uuid::Builder::from_random_bytes(raw.to_be_bytes()).into_uuid()
    }
}

/// When the seeded history starts.
///
/// ```
/// assert!(zaia_mock::seed::epoch() < chrono::Utc::now());
/// ```
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
}

/// Fills `store` with the dataset `seed` describes.
///
/// ```
/// use zaia_mock::{Seed, Store};
/// let mut store = Store::new();
/// zaia_mock::seed::fill(&mut store, Seed::default());
/// assert!(!store.messages.is_empty());
/// ```
pub fn fill(store: &mut Store, seed: Seed) {
    let mut ids = Ids(seed.seed);
    let statuses = ChatMessageFollowUpStatus::KNOWN;
    let mut clock = epoch();
    for c in 0..seed.chats {
        let channel = store.channels[c % store.channels.len()].clone();
        let chat_id = ids.uuid();
        let created = clock;
        let owner = ids.uuid();
        let mut last_assistant = None;
        for m in 0..seed.messages_per_chat {
            clock += Duration::minutes(1);
            // ends on an assistant message, so follow-ups can be created
            let from_user = (seed.messages_per_chat - m).is_multiple_of(2);
            let id = ids.uuid();
            store.messages.push({
                let mut v = ChatMessage::new(
                    chat_id,
                    if from_user { format!("Question {m} in chat {c}") } else { format!("Answer {m} in chat {c}") },
                    clock,
                    id,
                    if from_user { "user" } else { "assistant" }.into(),
                    clock,
                )
                .with_sender_id(if from_user { owner } else { channel.responder_id });
                v.raw_content = (!from_user).then(|| format!("Answer {m} in chat {c}"));
                v
            });
            if !from_user {
                last_assistant = Some(id);
            }
        }
        if let Some(trigger) = last_assistant {
            for f in 0..seed.follow_ups_per_chat {
                let status = statuses[f % statuses.len()].clone();
                let finished = (status != ChatMessageFollowUpStatus::Pending).then_some(clock);
                let reason = (status == ChatMessageFollowUpStatus::Failed).then(|| "The channel rejected the message.".into());
                store.follow_ups.push({
                    let mut v = ChatMessageFollowUp::new(
                        chat_id,
                        clock,
                        clock + Duration::hours(24 * (f as i64 + 1)),
                        ids.uuid(),
                        format!("Follow-up {f} for chat {c}"),
                        status,
                        trigger,
                        clock,
                    );
                    v.finished_at = finished;
                    v.reason = reason;
                    v
                });
            }
        }
        store.chats.push(
            Chat::new(created, chat_id, clock)
                .with_channel_id(channel.id)
                .with_is_removed(false)
                .with_owner_id(owner)
                .with_responder_id(channel.responder_id)
                .with_title(format!("Chat {c}"))
                .with_workspace_id(store.workspace_id),
        );
        clock += Duration::minutes(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let make = |seed| {
            let mut store = Store::new();
            fill(&mut store, Seed { seed, ..Seed::default() });
            store
        };
        let (a, b, c) = (make(1), make(1), make(2));
        assert_eq!(a.chats, b.chats);
        assert_eq!(a.messages, b.messages);
        assert_eq!(a.follow_ups, b.follow_ups);
        assert_ne!(a.chats[0].id, c.chats[0].id);
        assert_eq!(a.chats.len(), 25);
        assert_eq!(a.messages.len(), 25 * 6);
        assert!(a.messages.iter().rfind(|m| m.chat_id == a.chats[0].id).unwrap().role == "assistant");
    }
}
