//! Proof that a vendor addition needs no hand edits: fixture fragments for a resource the API
//! does not have yet go through the whole path in a scratch copy of the workspace — generate,
//! the generated crates compile, the new list has a stream that pages through the mock, its
//! limits are enforced client-side, the mock serves and validates it, and the crates' own tests
//! (the mock's contract test, derived from the spec, among them) still pass. The same copy gains
//! an optional field on a response type and on a request body: the diff calls that additive,
//! and our own code (the mock, its example, the end-to-end tests) compiles and passes unchanged.
//!
//! The copy builds in the workspace's own target directory (or `CARGO_TARGET_DIR`), offline,
//! reusing the dependencies the test suite already built: only the copy's own crates compile.

use std::path::Path;
use std::process::Command;

use crate::config::Config;

const FIXTURES: &str = "xtask/tests/fixtures/agents";
const FIXTURE_DIR: &str = "xtask/tests/fixtures";
/// Fixture resources of forms the vendor's fragments do not use yet, each with a `proof.rs`.
const NEW_FORMS: &[&str] = &["webhooks", "rules", "tickets", "links", "events"];

/// What of the workspace the copy needs: every member, the lock file, the fragments.
const COPIED: &[&str] = &["Cargo.toml", "Cargo.lock", "README.md", "crates", "openapi", "tests", "xtask"];

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

/// The properties of the vendor's chat object (hoisted as `Chat`).
const CHAT_FIELDS: &[&str] = &["channelId", "createdAt", "id", "isRemoved", "ownerId", "responderId", "title", "updatedAt", "workspaceId"];

fn edit_fragment(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut doc);
    std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

fn for_each_object(value: &mut serde_json::Value, f: &mut impl FnMut(&mut serde_json::Value)) {
    match value {
        serde_json::Value::Object(map) => {
            for child in map.values_mut() {
                for_each_object(child, f);
            }
            f(value);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| for_each_object(v, f)),
        _ => {}
    }
}

#[test]
fn a_new_resource_is_whole_with_no_hand_edits() {
    let root = crate::workspace::root();
    let scratch = tempfile::tempdir().unwrap();
    let copy_root = scratch.path();
    for item in COPIED {
        copy(&root.join(item), &copy_root.join(item));
    }
    // the maintainer's step: drop the vendor's files in, unchanged
    for name in ["get-list.json", "get-one.json"] {
        copy(&root.join(FIXTURES).join(name), &copy_root.join("openapi/sample-agents").join(name));
    }
    // resources of the forms today's fragments do not use (see each `proof.rs`)
    for resource in NEW_FORMS {
        for entry in std::fs::read_dir(root.join(FIXTURE_DIR).join(resource)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                copy(&path, &copy_root.join("openapi").join(format!("sample-{resource}")).join(path.file_name().unwrap()));
            }
        }
    }
    // and the vendor's other kind of addition, one page at a time: an optional field on the
    // chat of one fragment only (the other copies of `Chat` lack it), an enum value on one
    // fragment's copy of `ChannelType`, and an optional field on a request body
    let language = serde_json::json!({"type": "string", "description": "The chat's language."});
    edit_fragment(&copy_root.join("openapi/chats/get-one-details.json"), |doc| {
        let mut found = 0;
        for_each_object(doc, &mut |object| {
            if let Some(values) = object.pointer_mut("/properties/channelType/enum").and_then(|v| v.as_array_mut()) {
                values.push(serde_json::json!("messenger"));
                found += 1;
            }
        });
        assert_eq!(found, 1, "get-one-details: the channel type");
    });
    edit_fragment(&copy_root.join("openapi/chats/get-one.json"), |doc| {
        let mut found = 0;
        for_each_object(doc, &mut |object| {
            let keys: std::collections::BTreeSet<&str> =
                object.get("properties").and_then(|p| p.as_object()).map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
            if keys == CHAT_FIELDS.iter().copied().collect() {
                object["properties"]["language"] = language.clone();
                found += 1;
            }
        });
        assert_eq!(found, 1, "get-one: the Chat object");
    });
    edit_fragment(&copy_root.join("openapi/chat-message-follow-ups/post-create.json"), |doc| {
        let body = doc
            .pointer_mut("/paths/~1api~1v1~1chat-message-follow-ups/post/requestBody/content/application~1json/schema/properties")
            .unwrap();
        body["timezone"] = serde_json::json!({"type": "string"});
    });
    let config = Config::zaia();
    let (outputs, notes) = crate::outputs(copy_root, std::slice::from_ref(&config)).unwrap();
    // the one clash of rule-made names (the list's items and the oneOf answer both want
    // `Webhook`) is resolved by rule and printed, not left to a config edit
    assert!(notes.iter().any(|n| n.contains("response:get_sample_webhook is named `GetSampleWebhookResponse`")), "{notes:?}");
    // and an array with nothing to page by is the whole list, not a page of one: no stream, no note
    assert!(!notes.iter().any(|n| n.contains("get_sample_rule_kinds")), "{notes:?}");
    crate::output::write_all(copy_root, &outputs).unwrap();
    let pagination = std::fs::read_to_string(copy_root.join("crates/zaia-ext/src/pagination/generated.rs")).unwrap();
    assert!(pagination.contains("fn list_sample_agents_pages<'a, F>"));
    let calls = std::fs::read_to_string(copy_root.join("crates/zaia-ext/src/calls/generated.rs")).unwrap();
    assert!(pagination.contains("fn list_sample_webhooks_pages<'a, F>") && calls.contains("Pages::cursor("), "the cursor list's stream");
    let client = std::fs::read_to_string(copy_root.join(config.client_out)).unwrap();
    assert!(client.contains("#[deprecated(\n        note = \"deprecated by the vendor: Replaces a webhook."), "the deprecated PUT");
    // the maintainer's other step, which `cargo xtask check` (not `cargo test`) asks for
    let spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(copy_root.join(config.merged_spec)).unwrap()).unwrap();
    let released = crate::baseline::read(copy_root).unwrap();
    let report = crate::diff::report(&released, &spec, &[]);
    assert!(report.contains("verdict: additive"), "{report}");
    assert!(report.contains("get_chat: 200 response.language: field added (optional)  [response-field-added-optional]"), "{report}");
    // the one type `Chat` gained it, so every operation returning a chat reports it
    assert!(report.contains("list_chats: 200 response[].language: field added (optional)"), "{report}");
    assert!(report.contains("enum value added: \"messenger\"  [enum-value-added]"), "{report}");
    assert!(
        report.contains("create_chat_message_follow_up: request.timezone: field added (optional)  [request-field-added-optional]"),
        "{report}"
    );
    assert!(!report.lines().any(|l| l.starts_with("breaking")), "{report}");
    // as the crates were released: the check asks for the additive bump
    let as_released: Vec<(String, String)> =
        released["x-released-versions"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect();
    let err = crate::release::check(&released, &spec, &as_released, "").unwrap_err();
    let (_, models_version) = as_released.iter().find(|(name, _)| name == "zaia-models").unwrap();
    let wanted = crate::diff::bump(models_version, crate::diff::Severity::Additive);
    assert!(
        err.contains(&format!("zaia-models is {models_version}, released as {models_version}: additive changes need at least {wanted}")),
        "{err}"
    );

    // what a consumer would write against the regenerated crates
    copy(&root.join(FIXTURES).join("proof.rs"), &copy_root.join("crates/zaia-ext/tests/sample_agents_proof.rs"));
    for resource in NEW_FORMS {
        copy(
            &root.join(FIXTURE_DIR).join(resource).join("proof.rs"),
            &copy_root.join(format!("crates/zaia-ext/tests/sample_{resource}_proof.rs")),
        );
    }
    // the workspace's own target directory (cargo releases its lock while tests run), so the
    // dependencies are not built a second time; the copy's crates carry build metadata in their
    // versions so that their artifacts do not replace the workspace's (cargo tells path
    // packages apart by their path relative to the workspace, the same in the copy)
    crate::workspace::mark_versions(copy_root, "proof").unwrap();
    let target = match std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root.join(dir),
        None => root.join("target"),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(copy_root)
        .env("CARGO_TARGET_DIR", target)
        // the mock, its example, and the end-to-end tests: our own code must survive the new
        // fields (not the doctests: they are about Zaia's own operations, which the workspace's
        // run covers, and would cost this copy their compilation again)
        .args([
            "test",
            "--offline",
            "--quiet",
            "--lib",
            "--bins",
            "--tests",
            "--examples",
            "-p",
            "zaia-ext",
            "-p",
            "zaia-mock",
            "-p",
            "zaia-tests",
        ])
        .output()
        .unwrap();
    let log = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the regenerated workspace failed its tests:\n{log}");
    assert!(log.matches("3 passed").count() > NEW_FORMS.len(), "each proof's three tests ran:\n{log}");
}
