//! Proof that `cargo install zaia-mock` gives a working program: the crate as `cargo package`
//! makes it (with the models crate it depends on, packaged beside it, standing in for
//! crates.io), unpacked, installed into a scratch root, started, and asked whether it is ready.
//!
//! Built in the workspace's own target directory (debug), so the dependencies the test suite
//! built are reused; only the packaged crates compile.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `GET path` on `address` over plain HTTP/1.1: the status line and the body.
fn get(address: &str, path: &str) -> String {
    let mut tcp = std::net::TcpStream::connect(address).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(tcp, "GET {path} HTTP/1.1\r\nhost: mock\r\nconnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn the_packaged_mock_installs_with_cargo_install_and_serves() {
    let root = crate::workspace::root();
    let scratch = root.join("target/install-check");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).unwrap();
    }
    std::fs::create_dir_all(&scratch).unwrap();
    // the crates as they would be published (the mock's tests need the others: packaging
    // resolves dev-dependencies too)
    let crates = ["-p", "zaia-models", "-p", "zaia-client", "-p", "zaia-ext", "-p", "zaia-mock"];
    // (the working tree as it is: a change being made is what the test is for)
    run(cargo()
        .current_dir(&root)
        .args(["package", "--quiet", "--no-verify", "--offline", "--allow-dirty"])
        .args(crates)
        .arg("--target-dir")
        .arg(&scratch));
    let packaged = scratch.join("package");
    let crate_file = |name: &str| -> std::path::PathBuf {
        let found = std::fs::read_dir(&packaged).unwrap().flatten().map(|e| e.path()).find(|p| {
            let file = p.file_name().unwrap().to_string_lossy().into_owned();
            file.starts_with(&format!("{name}-"))
                && file.ends_with(".crate")
                && file[name.len() + 1..].starts_with(|c: char| c.is_ascii_digit())
        });
        found.unwrap_or_else(|| panic!("no {name} crate in {}", packaged.display()))
    };
    // unpacked outside the repository, as a download would be (inside, cargo would take it for
    // a member of this workspace)
    let outside = std::env::temp_dir().join(format!("zaia-install-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&outside);
    let unpacked = outside.join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    for name in ["zaia-models", "zaia-mock"] {
        run(Command::new("tar").arg("-xzf").arg(crate_file(name)).arg("-C").arg(&unpacked));
    }
    let dir_of = |name: &str| -> std::path::PathBuf {
        std::fs::read_dir(&unpacked)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}-")))
            .unwrap()
    };
    let (models, mock) = (dir_of("zaia-models"), dir_of("zaia-mock"));
    let install_root = outside.join("root");
    // crates.io does not have this version of zaia-models: the packaged one stands in for it
    let patch = format!("patch.crates-io.zaia-models.path={:?}", models.to_string_lossy());
    run(cargo()
        .current_dir(&outside)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .args(["install", "--quiet", "--debug", "--offline", "--path"])
        .arg(&mock)
        .arg("--root")
        .arg(&install_root)
        .arg("--config")
        .arg(&patch));

    let program = install_root.join("bin").join(format!("zaia-mock{}", std::env::consts::EXE_SUFFIX));
    let mut child = Command::new(&program).args(["--port", "0", "--log-level", "off"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let address = first.trim().strip_prefix("http://").unwrap_or_else(|| panic!("{first:?}")).to_string();
    let health = get(&address, "/__zaia-mock/health");
    let chats = get(&address, "/api/v1/chats");
    child.kill().unwrap();
    let _ = child.wait();
    assert!(health.starts_with("HTTP/1.1 200") && health.contains("\"status\":\"ok\""), "{health}");
    assert!(chats.starts_with("HTTP/1.1 401"), "the installed mock serves the API, and wants a key: {chats}");
    let _ = std::fs::remove_dir_all(&outside);
}
