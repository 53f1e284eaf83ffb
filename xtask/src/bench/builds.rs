//! `cargo xtask bench --builds`: what the SDK costs a consumer to compile, beside the Rust client
//! openapi-generator makes of the same operations, measured in one run.
//!
//! For each size (the vendor grown by renamed copies, [`super::write_workspace`]) three small
//! programs list chats: one on zaia-ext with its default features, one on zaia-ext with one
//! resource's feature alone (`chats`), and one on openapi-generator's client (its defaults).
//! Each round builds every program from clean (an empty target directory), then rebuilds it
//! after touching the API crates alone (ours: models, client, ext; the peer's one crate): the
//! SDK's own compile time with every dependency built. Rounds alternate the order; the best of
//! the rounds is reported, with the ratios the targets are stated in.
//!
//! Needs `openapi-generator-cli` (PyPI, on Java) on the PATH and the registry (each program's
//! dependencies are fetched once). Not part of `cargo test`: minutes of builds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::config::Config;

/// One program to build, and the sources whose touch rebuilds the API crates it uses.
struct Program {
    name: String,
    dir: PathBuf,
    api_sources: Vec<PathBuf>,
}

/// Best clean build and best rebuild of the API crates, over the rounds.
#[derive(Default, Clone, Copy)]
struct Timing {
    clean: Option<Duration>,
    own: Option<Duration>,
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{what}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed:\n{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
    }
}

fn timed(command: &mut Command, what: &str) -> Result<Duration, String> {
    let start = Instant::now();
    run(command, what)?;
    Ok(start.elapsed())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::create_dir_all(path.parent().expect("a file in a folder")).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A binary crate of its own (not in any workspace) with `dependency` and tokio.
fn program(dir: &Path, name: &str, dependency: &str, main: &str, lock: Option<&Path>) -> Result<(), String> {
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n\
             [dependencies]\n{dependency}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
        ),
    )?;
    write(&dir.join("src/main.rs"), main)?;
    if let Some(lock) = lock {
        // the SDK's own lock file: the versions its CI tested (cargo drops what is not needed)
        std::fs::copy(lock, dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    }
    run(Command::new(cargo()).arg("fetch").current_dir(dir), &format!("cargo fetch in {}", dir.display()))
}

/// Lines of the `.rs` files under `dir` (only the `generated.rs` ones when `generated_only`).
fn rust_lines(dir: &Path, generated_only: bool) -> usize {
    let mut lines = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            lines += rust_lines(&path, generated_only);
        } else if path.extension().is_some_and(|e| e == "rs") && (!generated_only || path.ends_with("generated.rs")) {
            lines += std::fs::read_to_string(&path).map(|t| t.lines().count()).unwrap_or(0);
        }
    }
    lines
}

const ZAIA_MAIN: &str = "#[tokio::main]\nasync fn main() {\n    let client = zaia_ext::ZaiaClient::from_env().expect(\"ZAIA_API_KEY\");\n    \
                         let chats = client.list_chats().await;\n    println!(\"{:?}\", chats.map(|c| c.len()));\n}\n";

const PEER_MAIN: &str = "#[tokio::main]\nasync fn main() {\n    let config = zaia_openapi::apis::configuration::Configuration::default();\n    \
                         let chats = zaia_openapi::apis::chats_api::list_chats(&config, None, None, None, None, None, None, None).await;\n    \
                         println!(\"{:?}\", chats.map(|c| c.len()));\n}\n";

/// Builds every program of every size `rounds` times and prints the table.
pub fn run_builds(root: &Path, config: &Config, sizes: &[usize], rounds: usize, resource: &str) -> Result<(), String> {
    let generator = "openapi-generator-cli";
    if Command::new(generator).arg("version").output().is_err() {
        return Err(format!("{generator} is not on the PATH: `pip install openapi-generator-cli` (it runs on Java 11+)"));
    }
    let bench = root.join("target/bench/builds");
    let lock = root.join("Cargo.lock");
    let mut programs: Vec<(usize, Program)> = Vec::new();
    let mut lines: Vec<(usize, usize, usize)> = Vec::new();
    let mut generation: Vec<(usize, Duration, Duration)> = Vec::new();
    let originals = crate::stages::load::load_dir(root, config.openapi_dir).map_err(|e| e.to_string())?;
    for &size in sizes {
        let workspace = super::write_workspace(root, config, size)?;
        // generation: ours in process (as `cargo xtask generate` runs it), the peer's command
        let (fragments, synthetic) = super::synthetic(&originals, size, config);
        let ours = super::time(3, || crate::pipeline::run_fragments(&fragments, &synthetic));
        let peer = bench.join(format!("openapi-generator-{size}"));
        if peer.exists() {
            std::fs::remove_dir_all(&peer).map_err(|e| e.to_string())?;
        }
        let theirs = timed(
            Command::new(generator)
                .arg("generate")
                .arg("-i")
                .arg(workspace.join(config.merged_spec))
                .args(["-g", "rust", "-o"])
                .arg(&peer)
                .arg("--additional-properties=packageName=zaia_openapi,library=reqwest,supportAsync=true"),
            &format!("{generator} generate ({size} operations)"),
        )?;
        generation.push((size, ours, theirs));
        let ours: usize = ["crates/zaia-models/src", "crates/zaia-client/src", "crates/zaia-ext/src"]
            .iter()
            .map(|d| rust_lines(&workspace.join(d), true))
            .sum();
        lines.push((size, ours, rust_lines(&peer.join("src"), false)));
        let sdk_sources: Vec<PathBuf> =
            ["zaia-models", "zaia-client", "zaia-ext"].iter().map(|c| workspace.join("crates").join(c).join("src/lib.rs")).collect();
        let ext = workspace.join("crates/zaia-ext");
        let name = format!("zaia-{size}");
        let dir = bench.join(&name);
        program(&dir, &name, &format!("zaia-ext = {{ path = {:?} }}", ext.display().to_string()), ZAIA_MAIN, Some(&lock))?;
        programs.push((size, Program { name, dir, api_sources: sdk_sources.clone() }));
        let name = format!("zaia-{size}-{resource}");
        let dir = bench.join(&name);
        let dependency = format!(
            "zaia-ext = {{ path = {:?}, default-features = false, features = [\"rustls\", {resource:?}] }}",
            ext.display().to_string()
        );
        program(&dir, &name, &dependency, ZAIA_MAIN, Some(&lock))?;
        programs.push((size, Program { name, dir, api_sources: sdk_sources }));
        let name = format!("peer-{size}");
        let dir = bench.join(&name);
        program(&dir, &name, &format!("zaia_openapi = {{ path = {:?} }}", peer.display().to_string()), PEER_MAIN, None)?;
        programs.push((size, Program { name, dir, api_sources: vec![peer.join("src/lib.rs")] }));
    }
    let mut timings = vec![Timing::default(); programs.len()];
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..programs.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for index in order {
            let program = &programs[index].1;
            let target = program.dir.join("target");
            if target.exists() {
                std::fs::remove_dir_all(&target).map_err(|e| e.to_string())?;
            }
            let build = || {
                let mut command = Command::new(cargo());
                command.args(["build", "--quiet", "--offline"]).current_dir(&program.dir).env("CARGO_INCREMENTAL", "0");
                command
            };
            let clean = timed(&mut build(), &format!("clean build of {}", program.name))?;
            for source in &program.api_sources {
                let text = std::fs::read(source).map_err(|e| e.to_string())?;
                std::fs::write(source, text).map_err(|e| e.to_string())?;
            }
            let own = timed(&mut build(), &format!("rebuild of {}'s API crates", program.name))?;
            println!(
                "round {}: {:<16} clean {:>6.1} s, API crates {:>5.1} s",
                round + 1,
                program.name,
                clean.as_secs_f64(),
                own.as_secs_f64()
            );
            let best = &mut timings[index];
            best.clean = Some(best.clean.map_or(clean, |b| b.min(clean)));
            best.own = Some(best.own.map_or(own, |b| b.min(own)));
        }
    }
    let secs = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64());
    let find = |name: &str| programs.iter().position(|(_, p)| p.name == name).map(|i| timings[i]).unwrap_or_default();
    println!("\ngeneration: ours in process (median of 3), the peer's `{generator} generate` (JVM start included)");
    for (size, ours, theirs) in &generation {
        println!("  {size} operations: {:.2} s / {:.2} s", ours.as_secs_f64(), theirs.as_secs_f64());
    }
    println!("\nbest of {rounds} alternated rounds (wall, 2 cores; clean = empty target dir; API crates = rebuilt alone)");
    println!(
        "| operations | generated Rust lines (ours: the three crates' generated files / peer: its crate) | clean: zaia-ext / peer | API crates: ours / peer | `{resource}` alone, clean |"
    );
    println!("|---|---|---|---|---|");
    let smallest = sizes.iter().min().copied().unwrap_or(0);
    let base = find(&format!("zaia-{smallest}"));
    for &(size, ours, theirs) in &lines {
        let (zaia, peer, one) = (find(&format!("zaia-{size}")), find(&format!("peer-{size}")), find(&format!("zaia-{size}-{resource}")));
        println!(
            "| {size} | {ours} / {theirs} | {:.1} s / {:.1} s = **{:.2}×** | {:.1} s / {:.1} s = **{:.2}×** | {:.1} s = **{:.2}×** the {smallest}-operation build |",
            secs(zaia.clean),
            secs(peer.clean),
            secs(zaia.clean) / secs(peer.clean),
            secs(zaia.own),
            secs(peer.own),
            secs(zaia.own) / secs(peer.own),
            secs(one.clean),
            secs(one.clean) / secs(base.clean),
        );
    }
    Ok(())
}
