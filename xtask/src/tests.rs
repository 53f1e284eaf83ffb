//! Whole-pipeline tests: snapshots of the generator's output on frozen fragments, determinism,
//! and bad inputs that must fail with a clear message and leave every output untouched.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::config::Config;
use crate::pipeline::{self, Output};
use crate::stages::load;

fn workspace() -> PathBuf {
    crate::workspace::root()
}

fn outputs() -> Vec<Output> {
    pipeline::run(&workspace(), &Config::zaia()).expect("the checked-in fragments generate").outputs
}

/// The snapshots guard what the generator makes of a fixed input ([`config::FROZEN_FRAGMENTS`]);
/// the real fragments' outputs are guarded byte for byte by `cargo xtask check`.
use crate::config::FROZEN_FRAGMENTS as SNAPSHOT_FRAGMENTS;

/// One output of one shared run on the real fragments.
fn output(name: &str) -> String {
    static RUN: std::sync::OnceLock<Vec<Output>> = std::sync::OnceLock::new();
    RUN.get_or_init(outputs).iter().find(|o| o.path.ends_with(name)).unwrap().contents.clone()
}

/// One output of one shared run on the frozen fragments (the snapshot tests read several).
fn frozen(name: &str) -> String {
    static RUN: std::sync::OnceLock<Vec<Output>> = std::sync::OnceLock::new();
    let run = || {
        let fragments = load::load_dir(&workspace(), SNAPSHOT_FRAGMENTS).unwrap();
        pipeline::run_fragments(&fragments, &Config::frozen()).unwrap().outputs
    };
    RUN.get_or_init(run).iter().find(|o| o.path.ends_with(name)).unwrap().contents.clone()
}

/// The API surface of the generated crates, compact: what to read when the generator changes.
#[test]
fn snapshot_api_surface() {
    let spec: Value = serde_json::from_str(&frozen("zaia.json")).unwrap();
    let surface =
        crate::codegen::surface::listing(&spec, &frozen("zaia-models/src/generated.rs"), &frozen("zaia-client/src/generated.rs")).unwrap();
    insta::assert_snapshot!("api_surface", surface);
}

#[test]
fn snapshot_pagination_and_limits() {
    insta::assert_snapshot!("pagination", frozen("pagination/generated.rs"));
    // the calls: each operation's impls over the one generic call, each list's stream
    insta::assert_snapshot!("calls", frozen("calls/generated.rs"));
    insta::assert_snapshot!("limits", frozen("validate/generated.rs"));
}

#[test]
fn snapshot_merged_spec() {
    insta::assert_snapshot!("merged_spec", frozen("zaia.json"));
}

#[test]
fn snapshot_odyssey_api_surface() {
    // the foreign API: the same stages with another Config
    let outputs = pipeline::run(&workspace(), &Config::odyssey()).unwrap().outputs;
    let spec: Value = serde_json::from_str(&outputs[0].contents).unwrap();
    let surface = crate::codegen::surface::listing(&spec, &outputs[1].contents, &outputs[2].contents).unwrap();
    insta::assert_snapshot!("odyssey_api_surface", surface);
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(outputs(), outputs());
}

#[test]
fn the_merged_spec_does_not_depend_on_fragment_order() {
    let config = Config::zaia();
    let mut fragments = load::load_dir(&workspace(), config.openapi_dir).unwrap();
    let forward = pipeline::spec_from_fragments(&fragments, &config).unwrap();
    fragments.reverse();
    let mut backward = pipeline::spec_from_fragments(&fragments, &config).unwrap();
    let (a, b) = (crate::document::spec_text(&forward), crate::document::spec_text(&backward));
    let diff = similar::TextDiff::from_lines(&a, &b).unified_diff().context_radius(1).to_string();
    assert!(diff.is_empty(), "fragment order changed the merged spec:\n{diff}");
    backward["info"]["version"] = json!("changed");
    assert_ne!(forward, backward);
}

#[test]
fn the_merged_spec_has_every_operation_with_a_readable_id() {
    let spec: Value = serde_json::from_str(&output("zaia.json")).unwrap();
    // every operation has an id, derived from its method and path (the fragments give none),
    // unique, and usable as a Rust method name
    let config = Config::zaia();
    let fragments = load::load_dir(&workspace(), config.openapi_dir).unwrap();
    // an id the vendor gives is kept (in snake case)
    let mut given = std::collections::BTreeMap::new();
    for fragment in &fragments {
        for (path, method, op) in crate::document::operations(&fragment.doc) {
            given.insert((path, method), op.get("operationId").and_then(Value::as_str).map(heck::ToSnakeCase::to_snake_case));
        }
    }
    let mut ids = Vec::new();
    for (path, method, op) in crate::document::operations(&spec) {
        let id = op["operationId"].as_str().unwrap().to_string();
        let expected = given[&(path.clone(), method.clone())]
            .clone()
            .unwrap_or_else(|| crate::stages::normalise::operation_id(&config, &method, &path));
        assert_eq!(id, expected, "{method} {path}");
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{id}");
        ids.push(id);
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "ids are unique");
    assert_eq!(count, given.len(), "every fragment's operations, once");
    assert_eq!(spec["openapi"], "3.0.3");
    // no operation keeps the authorization header; the security scheme describes it once
    assert!(!output("zaia.json").contains(
        r#""name": "authorization",
            "in": "header""#
    ));
    assert_eq!(spec["components"]["securitySchemes"]["apiKey"]["name"], "authorization");
    // every error response is the one KnownException
    for (_, _, op) in crate::document::operations(&spec) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if !status.starts_with('2') {
                assert_eq!(
                    response.pointer("/content/application~1json/schema/$ref"),
                    Some(&json!("#/components/schemas/KnownException")),
                    "{} {status}",
                    op["operationId"]
                );
            }
        }
    }
}

/// A scratch workspace: a copy of the fragments plus outputs with sentinel contents.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::zaia();
        copy_dir(&workspace().join(config.openapi_dir), &dir.path().join(config.openapi_dir));
        for path in config.output_paths() {
            let target = dir.path().join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, sentinel(path)).unwrap();
        }
        Scratch { dir }
    }

    fn fragment(&self, name: &str) -> PathBuf {
        self.dir.path().join("openapi").join(name)
    }

    fn edit(&self, name: &str, change: impl FnOnce(&mut Value)) {
        let path = self.fragment(name);
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        change(&mut doc);
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }

    /// Runs `generate`, expects it to fail, checks nothing was written, returns the message.
    fn generate_fails(&self) -> String {
        let err = crate::generate(self.dir.path(), &Config::zaia()).expect_err("generation should fail");
        let config = Config::zaia();
        for path in config.output_paths() {
            let contents = std::fs::read_to_string(self.dir.path().join(path)).unwrap();
            assert_eq!(contents, sentinel(path), "{path} was touched by a failed run");
        }
        err
    }
}

/// What a scratch output holds before a run: a manifest is the real one (the run splices its
/// generated block in), any other output a sentinel line.
fn sentinel(path: &str) -> String {
    if path.ends_with("Cargo.toml") { std::fs::read_to_string(workspace().join(path)).unwrap() } else { format!("sentinel {path}") }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_scratch_copy_generates_what_is_checked_in() {
    let scratch = Scratch::new();
    crate::generate(scratch.dir.path(), &Config::zaia()).unwrap();
    let spec = std::fs::read_to_string(scratch.dir.path().join("openapi/zaia.json")).unwrap();
    assert_eq!(spec, output("zaia.json"));
}

#[test]
fn invalid_json_fails_naming_file_and_line() {
    let scratch = Scratch::new();
    std::fs::write(scratch.fragment("chats/get-one.json"), "{\n  \"openapi\": \"3.1.0\",\n  oops\n}").unwrap();
    let err = scratch.generate_fails();
    assert!(err.starts_with("openapi/chats/get-one.json:3:3: invalid JSON: key must be a string"), "{err}");
}

#[test]
fn a_duplicate_operation_with_other_content_fails_naming_both_files() {
    let scratch = Scratch::new();
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(scratch.fragment("chats/get-one.json")).unwrap()).unwrap();
    doc["paths"]["/api/v1/chats/{id}"]["get"]["description"] = json!("Something else.");
    std::fs::write(scratch.fragment("chats/get-one-copy.json"), doc.to_string()).unwrap();
    let err = scratch.generate_fails();
    assert_eq!(
        err,
        "openapi/chats/get-one.json: /paths/~1api~1v1~1chats~1{id}/get: `GET /api/v1/chats/{id}` is also defined, \
         with other content, in openapi/chats/get-one-copy.json"
    );
}

#[test]
fn a_dangling_ref_fails_naming_file_and_pointer() {
    let scratch = Scratch::new();
    scratch.edit("chats/get-one.json", |doc| {
        doc["paths"]["/api/v1/chats/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
            json!({"$ref": "#/components/schemas/Missing"});
    });
    let err = scratch.generate_fails();
    assert_eq!(
        err,
        "openapi/chats/get-one.json: /paths/~1api~1v1~1chats~1{id}/get/responses/200/content/application~1json/schema/$ref: \
         `$ref` to `#/components/schemas/Missing` does not resolve (no such schema in the merged document)"
    );
}

#[test]
fn an_error_schema_per_status_is_a_union_and_other_operations_keep_known_exception() {
    let scratch = Scratch::new();
    scratch.edit("chats/get-one.json", |doc| {
        doc["paths"]["/api/v1/chats/{id}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"] =
            json!({"type": "object", "properties": {"error": {"type": "string"}}});
    });
    let fragments = load::load_dir(scratch.dir.path(), "openapi").unwrap();
    let run = pipeline::run_fragments(&fragments, &Config::zaia()).unwrap();
    let spec: Value = serde_json::from_str(&run.outputs.iter().find(|o| o.path.ends_with("zaia.json")).unwrap().contents).unwrap();
    let responses = &spec["paths"]["/api/v1/chats/{id}"]["get"]["responses"];
    // each status keeps its own schema (what the mock answers); the operation's error type is the union
    assert_eq!(responses["404"]["content"]["application/json"]["schema"], json!({"$ref": "#/components/schemas/GetChatError404"}));
    assert_eq!(spec["paths"]["/api/v1/chats/{id}"]["get"]["x-zaia-error-type"], json!({"$ref": "#/components/schemas/GetChatError"}));
    assert_eq!(spec["components"]["schemas"]["GetChatError"]["oneOf"].as_array().unwrap().len(), 2);
    let other = &spec["paths"]["/api/v1/chats"]["post"]["responses"]["401"]["content"]["application/json"]["schema"];
    assert_eq!(other, &json!({"$ref": "#/components/schemas/KnownException"}));
    let client = &run.outputs.iter().find(|o| o.path.ends_with("zaia-client/src/generated.rs")).unwrap().contents;
    assert!(client.contains("Error<::zaia_models::GetChatError>"), "get_chat's error type is the union");
}

#[test]
fn an_unsupported_parameter_style_fails() {
    let scratch = Scratch::new();
    scratch.edit("chat-messages/get-list.json", |doc| {
        doc["paths"]["/api/v1/chat-messages"]["get"]["parameters"][3]["style"] = json!("deepObject");
    });
    let err = scratch.generate_fails();
    assert!(
        err.starts_with(
            "openapi/chat-messages/get-list.json: /paths/~1api~1v1~1chat-messages/get/parameters/3: \
             parameter `pagination` (in query) uses style `deepObject`, which the generated client cannot send"
        ),
        "{err}"
    );
}

#[test]
fn a_fragment_that_is_not_openapi_fails() {
    let scratch = Scratch::new();
    std::fs::write(scratch.fragment("chats/notes.json"), r#"{"hello": "world"}"#).unwrap();
    assert_eq!(scratch.generate_fails(), "openapi/chats/notes.json: not an OpenAPI document: /openapi is missing");
}

#[test]
fn check_reports_a_stale_output() {
    let scratch = Scratch::new();
    crate::generate(scratch.dir.path(), &Config::zaia()).unwrap();
    // released as generated: whether the real tree differs from its last release is not this
    // test's business
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(scratch.dir.path().join(Config::zaia().merged_spec)).unwrap()).unwrap();
    std::fs::write(scratch.dir.path().join(crate::baseline::RELEASED), crate::release::baseline(&spec, &[], None)).unwrap();
    crate::check(scratch.dir.path(), &Config::zaia()).unwrap();
    scratch.edit("chats/get-one.json", |doc| {
        doc["paths"]["/api/v1/chats/{id}"]["get"]["description"] = json!("Fetches a chat.");
    });
    let err = crate::check(scratch.dir.path(), &Config::zaia()).unwrap_err();
    assert!(err.starts_with("stale generated files: openapi/zaia.json, crates/zaia-client/src/generated.rs"), "{err}");
}

#[test]
fn crate_versions_must_name_the_spec_version() {
    let ok = [("zaia-models".to_string(), "0.1.0+spec.1.0.0".to_string()), ("zaia-bench".into(), "0.0.0".into())];
    assert!(crate::workspace::check_versions(&ok, "1.0.0").is_ok());
    let err = crate::workspace::check_versions(&ok, "1.1.0").unwrap_err();
    assert!(
        err.starts_with(
            "the vendor spec is version 1.1.0, but these crate versions do not end in `+spec.1.1.0`: zaia-models 0.1.0+spec.1.0.0;"
        ),
        "{err}"
    );
    // the real workspace is in step
    let versions = crate::workspace::crate_versions(&workspace());
    assert!(versions.iter().any(|(n, _)| n == "zaia-ext"), "{versions:?}");
    crate::workspace::check_versions(&versions, "1.0.0").unwrap();
}

#[test]
fn the_command_line_refuses_what_it_does_not_know() {
    use clap::Parser;
    let parse = |args: &[&str]| crate::Cli::try_parse_from(std::iter::once("cargo xtask").chain(args.iter().copied()));
    assert!(matches!(parse(&["generate"]).unwrap().command, crate::Command::Generate));
    assert!(matches!(parse(&["diff"]).unwrap().command, crate::Command::Diff { against } if against == crate::baseline::RELEASED));
    assert!(matches!(parse(&["bench", "--iterations", "3"]).unwrap().command, crate::Command::Bench { iterations: 3, write: None, .. }));
    for bad in [
        &["generate", "--check"][..],
        &["bench", "--iterations", "abc"],
        &["bench", "--iterations", "0"],
        &["frobnicate"],
        &["check", "extra"],
        &[],
    ] {
        assert!(parse(bad).is_err(), "{bad:?} was accepted");
    }
    let help = parse(&["diff", "--help"]).unwrap_err().to_string();
    assert!(help.contains("Usage: cargo xtask diff [AGAINST]"), "{help}");
}

/// Each OpenAPI 3.1 form the vendor may use next gives the code its 3.0 equivalent gives.
#[test]
fn openapi_31_forms_generate_what_their_30_forms_do() {
    // one fragment on its own (a property added to `Chat` there would clash with the other
    // fragments' `Chat`)
    let config = Config { guessed_fields: &[("Chat", "channelId")], strict_overrides: false, ..Config::zaia() };
    let fragment =
        load::load_dir(&workspace(), config.openapi_dir).unwrap().into_iter().find(|f| f.name == "openapi/chats/get-one.json").unwrap();
    let generate = |edit: &dyn Fn(&mut Value)| -> Vec<String> {
        let mut doc = fragment.doc.clone();
        edit(&mut doc);
        // through the load stage's rewriting, as a file would go
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let fragments = [load::parse_fragment(&fragment.name, &text).unwrap()];
        let run = pipeline::run_fragments(&fragments, &config).unwrap();
        run.outputs.into_iter().filter(|o| o.path.extension().is_some_and(|e| e == "rs")).map(|o| o.contents).collect()
    };
    let property = |doc: &mut Value, name: &str, schema: Value| {
        doc["paths"]["/api/v1/chats/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"][name] = schema;
    };
    let with_kind = |doc: &mut Value| {
        doc["components"] = json!({"schemas": {"ChatKind": {"type": "string", "enum": ["a", "b"]}}});
    };
    type Edit = Box<dyn Fn(&mut Value)>;
    let forms: Vec<(&str, Edit, Edit)> = vec![
        (
            "type array with null",
            Box::new(move |d| property(d, "title", json!({"type": "string", "nullable": true}))),
            Box::new(move |d| property(d, "title", json!({"type": ["string", "null"]}))),
        ),
        (
            "const",
            Box::new(move |d| property(d, "kind", json!({"type": "string", "enum": ["x"]}))),
            Box::new(move |d| property(d, "kind", json!({"type": "string", "const": "x"}))),
        ),
        (
            "examples",
            Box::new(move |d| property(d, "note", json!({"type": "string", "example": "hi"}))),
            Box::new(move |d| property(d, "note", json!({"type": "string", "examples": ["hi", "ho"]}))),
        ),
        (
            "numeric exclusive bounds",
            Box::new(move |d| property(d, "rank", json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}))),
            Box::new(move |d| property(d, "rank", json!({"type": "integer", "exclusiveMinimum": 0}))),
        ),
        (
            "$ref with a description beside it",
            Box::new(move |d| {
                with_kind(d);
                property(d, "kind", json!({"$ref": "#/components/schemas/ChatKind"}))
            }),
            Box::new(move |d| {
                with_kind(d);
                property(d, "kind", json!({"$ref": "#/components/schemas/ChatKind", "description": "What kind."}))
            }),
        ),
        (
            "a null alternative",
            Box::new(move |d| {
                with_kind(d);
                property(d, "kind", json!({"allOf": [{"$ref": "#/components/schemas/ChatKind"}], "nullable": true}))
            }),
            Box::new(move |d| {
                with_kind(d);
                property(d, "kind", json!({"anyOf": [{"$ref": "#/components/schemas/ChatKind"}, {"type": "null"}]}))
            }),
        ),
    ];
    for (form, as_30, as_31) in &forms {
        let (a, b) = (generate(as_30.as_ref()), generate(as_31.as_ref()));
        assert!(a == b, "{form}: the 3.1 form generates other code than the 3.0 form");
    }
}

/// The vendor inlines an entity in every fragment and updates them one at a time: a field or
/// an enum value added to one fragment's copy regenerates with no config edit, as one type
/// (the union), and the diff calls it additive.
#[test]
fn a_change_to_one_fragments_copy_of_a_schema_is_additive_with_no_edit() {
    let scratch = Scratch::new();
    let config = Config::zaia();
    let before = pipeline::spec_from_fragments(&load::load_dir(scratch.dir.path(), config.openapi_dir).unwrap(), &config).unwrap();
    scratch.edit("chats/get-one.json", |doc| {
        let chat = doc.pointer_mut("/paths/~1api~1v1~1chats~1{id}/get/responses/200/content/application~1json/schema/properties").unwrap();
        chat["languageTag"] = json!({"type": "string", "description": "The chat's language."});
    });
    scratch.edit("chats/get-one-details.json", |doc| {
        let kind = doc
            .pointer_mut(
                "/paths/~1api~1v1~1chats~1{id}~1details/get/responses/200/content/application~1json/schema/properties/channelType/enum",
            )
            .unwrap();
        kind.as_array_mut().unwrap().push(json!("telegram"));
    });
    crate::generate(scratch.dir.path(), &config).unwrap();
    let after = pipeline::spec_from_fragments(&load::load_dir(scratch.dir.path(), config.openapi_dir).unwrap(), &config).unwrap();
    assert!(after["components"]["schemas"]["Chat"]["properties"].get("languageTag").is_some());
    assert!(after["components"]["schemas"]["ChannelType"]["enum"].as_array().unwrap().contains(&json!("telegram")));
    let report = crate::diff::report(&before, &after, &[]);
    assert!(report.contains("verdict: additive"), "{report}");
    assert!(!report.lines().any(|l| l.starts_with("breaking")), "{report}");
    // the list filter that shares the enum still checks its own values before sending
    let limits = std::fs::read_to_string(scratch.dir.path().join(config.ext_out.unwrap().limits)).unwrap();
    let filter = &limits[limits.find("\"list_chats\"").unwrap()..];
    let filter = &filter[filter.find("\\\"name\\\":\\\"channelTypes\\\"").unwrap()..];
    let allowed = &filter[filter.find("allowed").unwrap()..filter.find(']').unwrap()];
    assert!(allowed.contains("whatsapp") && !allowed.contains("telegram"), "{allowed}");
}

/// Each crate's modules form layers: no import cycle (`layers.rs` says what counts).
#[test]
fn no_crate_has_an_import_cycle() {
    let root = workspace();
    let mut found = Vec::new();
    for src in ["xtask/src", "crates/zaia-ext/src", "crates/zaia-mock/src", "crates/zaia-models/src", "crates/zaia-client/src"] {
        let graph = crate::layers::graph(&root.join(src)).unwrap();
        for cycle in crate::layers::cycles(&graph) {
            let edges: Vec<String> = cycle
                .iter()
                .flat_map(|from| {
                    graph[from].iter().filter(|to| cycle.contains(to)).map(move |to| format!("{} → {}", from.join("::"), to.join("::")))
                })
                .collect();
            found.push(format!("{src}: {} ({})", crate::layers::describe(&cycle), edges.join(", ")));
        }
    }
    assert!(found.is_empty(), "import cycles (docs/STYLE.md, \"Layers\"):\n  {}", found.join("\n  "));
}

/// `cargo xtask diff` (by default) and `cargo xtask check` judge against the same baseline, the
/// last release, from the versions it was released with: after a breaking change they ask for
/// the same version, whatever the crates say today.
#[test]
fn diff_and_check_give_the_same_version_advice() {
    let scratch = Scratch::new();
    let config = Config::zaia();
    crate::generate(scratch.dir.path(), &config).unwrap();
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(scratch.dir.path().join(config.merged_spec)).unwrap()).unwrap();
    let released = [("zaia-models".to_string(), "0.4.0+spec.1.0.0".to_string())];
    std::fs::write(scratch.dir.path().join(crate::baseline::RELEASED), crate::release::baseline(&spec, &released, None)).unwrap();
    // a breaking change: the vendor withdraws an operation, and a type with it
    std::fs::remove_file(scratch.fragment("chats/delete-remove.json")).unwrap();
    let report = crate::diff_report(scratch.dir.path(), crate::baseline::RELEASED).unwrap();
    assert!(report.contains("zaia-models  0.4.0+spec.1.0.0 → 0.5.0 (breaking)"), "{report}");
    // today's crates say 0.4.1: check wants what the diff advised
    let now = crate::pipeline::spec_from_fragments(&load::load_dir(scratch.dir.path(), config.openapi_dir).unwrap(), &config).unwrap();
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(scratch.dir.path().join(crate::baseline::RELEASED)).unwrap()).unwrap();
    let err = crate::release::check(&baseline, &now, &[("zaia-models".into(), "0.4.1+spec.1.0.0".into())], "").unwrap_err();
    assert!(err.contains("breaking changes need at least 0.5.0"), "{err}");
}
