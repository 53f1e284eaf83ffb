//! The journal: the last exchanges, bounded, and counters that never grow.
//!
//! A mock left running (a soak test, a CI service for a day) must not grow with the number of
//! requests. The journal keeps the last [`MockConfig::journal_capacity`](crate::MockConfig)
//! exchanges (older ones are dropped, and counted), each body kept as the JSON text it was, up to
//! [`MockConfig::journal_body_limit`](crate::MockConfig) bytes (a longer one is cut there and
//! marked). The counters (requests by operation and status) have one entry per pair the spec
//! allows, whatever the traffic.
//!
//! What it costs: about the bodies' own size per exchange plus ~0.5 KiB (names, query, headers),
//! so 10,000 exchanges of 4 KiB answers take about 45 MiB, and at most
//! `capacity × (2 × body limit + headers)` whatever the traffic.

use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

use crate::Exchange;

/// How many exchanges the journal keeps unless told otherwise: a test's traffic.
pub const DEFAULT_CAPACITY: usize = 10_000;
/// How much of each body the journal keeps unless told otherwise, in bytes.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024;

/// Requests answered, for one operation and status (see [`crate::MockServer::counters`]).
///
/// ```
/// let mock = zaia_mock::MockServer::start_blocking(Default::default()).unwrap();
/// assert!(mock.counters().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestCount {
    /// The operation id; `None` for requests that matched no operation of the spec.
    pub operation: Option<String>,
    /// The status answered.
    pub status: u16,
    /// How many times.
    pub count: u64,
}

/// One exchange as the journal holds it: bodies as text, parsed only when read.
struct Entry {
    exchange: Exchange,
    request_body: Body,
    body: Body,
}

/// A body as it came, cut at the limit.
struct Body {
    text: Box<str>,
    /// Its whole length when it was cut.
    cut_from: Option<usize>,
}

impl Body {
    fn new(bytes: &[u8], limit: usize) -> Body {
        if bytes.len() <= limit {
            return Body { text: String::from_utf8_lossy(bytes).into(), cut_from: None };
        }
        // cut on a character boundary of the (lossy) text
        let text = String::from_utf8_lossy(&bytes[..limit]);
        let mut end = text.len().min(limit);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Body { text: text[..end].into(), cut_from: Some(bytes.len()) }
    }

    /// The JSON it was (`null` when empty or not JSON); a cut body is its text, marked.
    fn value(&self) -> (Value, Option<usize>) {
        match self.cut_from {
            Some(total) => (Value::String(self.text.to_string()), Some(total)),
            None => (serde_json::from_str(&self.text).unwrap_or(Value::Null), None),
        }
    }
}

/// The journal and the counters of one mock.
pub(crate) struct Journal {
    capacity: usize,
    body_limit: usize,
    entries: VecDeque<Entry>,
    dropped: u64,
    counts: BTreeMap<(Option<String>, u16), u64>,
}

impl Journal {
    pub(crate) fn new(capacity: usize, body_limit: usize) -> Journal {
        // a full journal does not reallocate; an empty one costs nothing up front
        Journal { capacity, body_limit, entries: VecDeque::new(), dropped: 0, counts: BTreeMap::new() }
    }

    /// Whether exchanges are kept at all (a capacity of 0 keeps only the counters).
    pub(crate) fn keeps(&self) -> bool {
        self.capacity > 0
    }

    /// Records one exchange (its `request_body` and `body` fields are ignored: the bodies are
    /// the bytes given); the oldest goes when the journal is full.
    pub(crate) fn record(&mut self, exchange: Exchange, request_body: &[u8], body: &[u8]) {
        *self.counts.entry((exchange.operation.clone(), exchange.status)).or_default() += 1;
        if self.capacity == 0 {
            self.dropped += 1;
            return;
        }
        while self.entries.len() >= self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        let entry = Entry { request_body: Body::new(request_body, self.body_limit), body: Body::new(body, self.body_limit), exchange };
        self.entries.push_back(entry);
    }

    /// The exchanges kept, oldest first.
    pub(crate) fn exchanges(&self) -> Vec<Exchange> {
        self.entries
            .iter()
            .map(|entry| {
                let mut exchange = entry.exchange.clone();
                (exchange.request_body, exchange.request_body_cut_from) = entry.request_body.value();
                (exchange.body, exchange.body_cut_from) = entry.body.value();
                exchange
            })
            .collect()
    }

    /// Exchanges no longer kept (dropped off the front, or not kept at all), since the start
    /// or the last [`Journal::clear`].
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Empties the journal (the counters stay).
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
    }

    pub(crate) fn counters(&self) -> Vec<RequestCount> {
        self.counts
            .iter()
            .map(|((operation, status), count)| RequestCount { operation: operation.clone(), status: *status, count: *count })
            .collect()
    }

    pub(crate) fn reset_counters(&mut self) {
        self.counts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(operation: &str, status: u16) -> Exchange {
        Exchange {
            operation: Some(operation.into()),
            method: "GET".into(),
            path: "/api/v1/chats".into(),
            uri_path: "/api/v1/chats".into(),
            query: Vec::new(),
            headers: Vec::new(),
            request_body: Value::Null,
            request_body_cut_from: None,
            status,
            body: Value::Null,
            body_cut_from: None,
            request_id: "mock-1".into(),
            served_from_spec: false,
        }
    }

    #[test]
    fn the_journal_keeps_the_last_exchanges_and_counts_every_one() {
        let mut journal = Journal::new(3, 1024);
        for i in 0..10u16 {
            journal.record(exchange("list_chats", 200 + (i % 2)), b"", format!("[{i}]").as_bytes());
        }
        let kept = journal.exchanges();
        assert_eq!(
            kept.iter().map(|e| e.body.clone()).collect::<Vec<_>>(),
            [serde_json::json!([7]), serde_json::json!([8]), serde_json::json!([9])]
        );
        assert_eq!(journal.dropped(), 7);
        let counts: Vec<(u16, u64)> = journal.counters().iter().map(|c| (c.status, c.count)).collect();
        assert_eq!(counts, [(200, 5), (201, 5)]);
        journal.clear();
        assert_eq!((journal.exchanges().len(), journal.dropped()), (0, 0));
        assert_eq!(journal.counters().len(), 2, "clearing the journal keeps the counters");
    }

    #[test]
    fn a_body_over_the_limit_is_cut_and_marked_and_a_capacity_of_zero_keeps_only_counts() {
        let mut journal = Journal::new(2, 11);
        journal.record(exchange("get_chat", 200), b"{\"a\":1}", "{\"title\":\"é long text\"}".as_bytes());
        let exchange_kept = &journal.exchanges()[0];
        assert_eq!(exchange_kept.request_body, serde_json::json!({"a": 1}));
        assert_eq!(exchange_kept.request_body_cut_from, None);
        // cut at 11 bytes, but not inside the two-byte `é`
        assert_eq!(exchange_kept.body, Value::String("{\"title\":\"".into()));
        assert_eq!(exchange_kept.body_cut_from, Some(24));

        let mut off = Journal::new(0, 8);
        off.record(exchange("get_chat", 200), b"", b"{}");
        assert!(!off.keeps() && off.exchanges().is_empty());
        assert_eq!((off.dropped(), off.counters()[0].count), (1, 1));
    }
}
