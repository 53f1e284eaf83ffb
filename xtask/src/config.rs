//! What is specific to one API lives here, not in the stages: how its paths look, which header
//! carries the key, how irregular nouns singularise, and the few names the naming rules get wrong.
//! The stages are plain functions that take a `&Config`.

/// How the error bodies of an operation become its one error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorBodies {
    /// Every error body of every operation is this one schema; anything else is an error.
    One(&'static str),
    /// Each operation's distinct error bodies become one union, `{Operation}Error`.
    UnionPerOperation,
}

/// The query parameters that page a list (see `codegen::pagination`).
#[derive(Debug, Clone, Copy)]
pub struct PageParams {
    pub number: &'static str,
    pub size: &'static str,
    /// A list with only a limit returns one page of up to that many items.
    pub limit: &'static str,
}

/// Where the generated parts of the handwritten extension crate go.
#[derive(Debug, Clone, Copy)]
pub struct ExtOut {
    /// The `*_pages` streams.
    pub pagination: &'static str,
    /// The documented limits of requests, checked before sending.
    pub limits: &'static str,
    /// The call surface: a method per operation, required parameters as arguments.
    pub calls: &'static str,
}

/// Settings of one API's generation run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder of the fragments and the merged spec, relative to the workspace root.
    pub openapi_dir: &'static str,
    /// Where the merged, normalised spec is written, relative to the workspace root.
    pub merged_spec: &'static str,
    /// Where the run's notes (what was typed more loosely than the spec says, left to the
    /// server, or left out, and why) are written, so a review sees a new one appear.
    pub notes_out: &'static str,
    /// Where the generated models and client go, relative to the workspace root.
    pub models_out: &'static str,
    pub client_out: &'static str,
    /// Generated parts of the extension crate; `None` for an API without one.
    pub ext_out: Option<ExtOut>,
    /// The merged spec, copied where the mock serves it from (a packaged crate cannot read
    /// outside itself); `None` for an API without a mock.
    pub mock_spec_out: Option<&'static str>,
    /// Each operation's faults, typed, for the mock; `None` for an API without a mock.
    pub mock_faults_out: Option<&'static str>,
    pub page_params: PageParams,
    /// Rust path of the models crate as the client sees it.
    pub models_crate: &'static str,
    /// The client's inner type: the handwritten hook point through which every request runs
    /// (zaia-ext plugs retries and tracing in there). `None`: a plain progenitor client.
    pub client_inner_type: Option<&'static str>,
    /// The client crate's table of operations (with a hook point only: the hooks look
    /// operations up in it).
    pub client_operations_out: Option<&'static str>,
    /// The round-trip test's table: every operation's success type, decoding the mock's answer.
    pub roundtrip_out: Option<&'static str>,
    /// Literal path prefix stripped before reading resource names out of a path.
    pub path_prefix: &'static str,
    /// The header that carries the API key. It is removed from every operation and described
    /// once as an apiKey security scheme, because the key is configured once per client.
    pub auth_header: &'static str,
    pub security_scheme: &'static str,
    /// Query parameters (and properties of object query parameters) that count pages or items:
    /// the vendor types them `number`, which would make them `f64` and send `1.0`.
    pub integer_params: &'static [&'static str],
    /// What error bodies must look like (progenitor gives an operation one error type).
    pub error_bodies: ErrorBodies,
    /// Plural → singular where dropping the final `s` is wrong.
    pub singulars: &'static [(&'static str, &'static str)],
    /// `location → name` where the naming rules pick a poor name (see `stages::hoist`).
    pub name_overrides: &'static [(&'static str, &'static str)],
    /// An override that matches no location is an error (true but for the bench's synthetic
    /// spec, which carries overrides for copies it may cut short).
    pub strict_overrides: bool,
    /// `(schema, property)` pairs whose presence is a guess of the reconstructed fragments: the
    /// SDK must not fail to decode when the real API leaves them out, so they are made optional.
    pub guessed_fields: &'static [(&'static str, &'static str)],
    /// The manifests whose `[features]` get one feature per resource (`codegen::features`),
    /// each with the crates its features turn on in turn; empty: no features, nothing gated.
    pub features_out: &'static [(&'static str, &'static [&'static str])],
}

/// Where the last release's merged spec is kept, relative to the workspace root (see
/// `crate::baseline`); the only file besides the merged specs allowed among the fragments.
pub const RELEASE_BASELINE: &str = "openapi/released.json";

/// Frozen copies of three vendor fragments (a plain entity, the "joins" union with an object
/// query parameter, a PATCH with optional nullable fields): the insta snapshots and the diff's
/// compat fixtures work on them, so they change when the generator does (a stage, a
/// progenitor or typify upgrade) and never because the vendor added an operation.
pub const FROZEN_FRAGMENTS: &str = "xtask/tests/fixtures/snapshot";

impl Config {
    /// The Zaia configuration for [`FROZEN_FRAGMENTS`]: the subset lacks most of the
    /// locations the real overrides name.
    pub fn frozen() -> Self {
        Config {
            guessed_fields: &[("Chat", "channelId"), ("Chat", "ownerId"), ("Chat", "responderId")],
            strict_overrides: false,
            ..Config::zaia()
        }
    }

    /// The Zaia Public API.
    pub fn zaia() -> Self {
        Config {
            openapi_dir: "openapi",
            merged_spec: "openapi/zaia.json",
            notes_out: "openapi/NOTES.md",
            models_out: "crates/zaia-models/src/generated.rs",
            client_out: "crates/zaia-client/src/generated.rs",
            ext_out: Some(ExtOut {
                pagination: "crates/zaia-ext/src/pagination/generated.rs",
                limits: "crates/zaia-ext/src/validate/generated.rs",
                calls: "crates/zaia-ext/src/calls/generated.rs",
            }),
            mock_spec_out: Some("crates/zaia-mock/src/spec/generated.json"),
            mock_faults_out: Some("crates/zaia-mock/src/faults/generated.rs"),
            page_params: PageParams { number: "pageNumber", size: "pageSize", limit: "limit" },
            models_crate: "::zaia_models",
            client_inner_type: Some("crate::Hooks"),
            client_operations_out: Some("crates/zaia-client/src/operations/generated.rs"),
            roundtrip_out: Some("tests/roundtrip/generated.rs"),
            features_out: &[
                ("crates/zaia-models/Cargo.toml", &[]),
                ("crates/zaia-client/Cargo.toml", &["zaia-models"]),
                ("crates/zaia-ext/Cargo.toml", &["zaia-client", "zaia-models"]),
            ],
            path_prefix: "/api/v1/",
            auth_header: "authorization",
            security_scheme: "apiKey",
            integer_params: &["pageNumber", "pageSize", "limit"],
            error_bodies: ErrorBodies::One("KnownException"),
            singulars: &[("statuses", "status")],
            strict_overrides: true,
            name_overrides: &[
                // The list's items are the message plus optional joined members; the plain
                // `ChatMessage` (what create returns) keeps its own name.
                ("response:list_chat_messages", "ChatMessageWithJoins"),
                ("property:ChatMessageWithJoins.chatMessageFollowUps", "ChatMessageFollowUp"),
                // One vocabulary shared by filters and rows.
                ("parameter:list_chats.channelTypes", "ChannelType"),
                ("property:ChatDetails.channelType", "ChannelType"),
                ("property:ChatDetails.responderEntity", "ResponderEntity"),
                ("property:ExportChatMessagesRequest.language", "Language"),
                ("property:UpdateChatMessageFollowUpRequest.status", "ChatMessageFollowUpUpdateStatus"),
            ],
            guessed_fields: &[
                // PROVENANCE.md: reconstructed names; `ownerSuperIdentityId` etc. are possible.
                ("Chat", "channelId"),
                ("Chat", "ownerId"),
                ("Chat", "responderId"),
                // PROVENANCE.md: properties 18–27 of the details row are named from their
                // descriptions only.
                ("ChatDetails", "responderEntity"),
                ("ChatDetails", "responderId"),
                ("ChatDetails", "responderName"),
                ("ChatDetails", "responderPicture"),
                ("ChatDetails", "responderVersionId"),
                ("ChatDetails", "responderVersionNumber"),
                ("ChatDetails", "ticketId"),
                ("ChatDetails", "ticketStatus"),
                ("ChatDetails", "title"),
                ("ChatDetails", "workspaceId"),
            ],
        }
    }

    /// The OdysseyAI fragment: a foreign API, generated as a test fixture to keep the stages
    /// free of Zaia assumptions (another key header, a `data` envelope, error bodies of several
    /// shapes, an operation id given by the vendor).
    pub fn odyssey() -> Self {
        Config {
            openapi_dir: "tests/odyssey/openapi",
            merged_spec: "tests/odyssey/openapi.json",
            notes_out: "tests/odyssey/NOTES.md",
            models_out: "tests/odyssey/src/models/generated.rs",
            client_out: "tests/odyssey/src/client/generated.rs",
            ext_out: None,
            mock_spec_out: None,
            mock_faults_out: None,
            page_params: PageParams { number: "pageNumber", size: "pageSize", limit: "limit" },
            models_crate: "crate::models",
            client_inner_type: None,
            client_operations_out: None,
            roundtrip_out: None,
            features_out: &[],
            path_prefix: "/api/",
            auth_header: "x-api-key",
            security_scheme: "apiKey",
            integer_params: &[],
            error_bodies: ErrorBodies::UnionPerOperation,
            singulars: &[],
            name_overrides: &[],
            strict_overrides: true,
            guessed_fields: &[],
        }
    }

    /// Every API `cargo xtask generate` produces.
    pub fn all() -> Vec<Config> {
        vec![Config::zaia(), Config::odyssey()]
    }

    /// Every file a run of this API writes, relative to the workspace root.
    #[cfg(test)]
    pub fn output_paths(&self) -> Vec<&'static str> {
        let mut paths = vec![self.merged_spec, self.notes_out, self.models_out, self.client_out];
        paths.extend(self.ext_out.iter().flat_map(|ext| [ext.pagination, ext.limits, ext.calls]));
        paths.extend(self.client_operations_out);
        paths.extend(self.roundtrip_out);
        paths.extend(self.mock_spec_out);
        paths.extend(self.mock_faults_out);
        paths.extend(self.features_out.iter().map(|(manifest, _)| *manifest));
        paths
    }

    /// The singular of a plural noun, in any case style (`channelTypes` → `channelType`).
    /// Words that end in `s` without being plurals (`status`, `address`, `analysis`) stay.
    pub fn singular(&self, plural: &str) -> String {
        if let Some((_, s)) = self.singulars.iter().find(|(p, _)| *p == plural) {
            return s.to_string();
        }
        let lower = plural.to_ascii_lowercase();
        if let Some(stem) = plural.strip_suffix("ies") {
            format!("{stem}y")
        } else if ["sses", "uses", "xes", "ches", "shes"].iter().any(|e| lower.ends_with(e)) {
            plural[..plural.len() - 2].to_string()
        } else if ["ss", "us", "is"].iter().any(|e| lower.ends_with(e)) {
            plural.to_string()
        } else if let Some(stem) = plural.strip_suffix('s') {
            stem.to_string()
        } else {
            plural.to_string()
        }
    }

    pub fn name_override(&self, location: &str) -> Option<&'static str> {
        self.name_overrides.iter().find(|(l, _)| *l == location).map(|(_, n)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singulars_leave_words_that_only_end_in_s() {
        let c = Config::odyssey();
        let cases = [
            ("chats", "chat"),
            ("channelTypes", "channelType"),
            ("companies", "company"),
            ("status", "status"),
            ("statuses", "status"),
            ("addresses", "address"),
            ("analysis", "analysis"),
            ("boxes", "box"),
            ("events", "event"),
        ];
        for (plural, singular) in cases {
            assert_eq!(c.singular(plural), singular, "{plural}");
        }
    }
}
