//! The real `hakaru-central` binary as a separate process: `serve` on a loopback port (learnt
//! from its JSON "listening" log line) and one-shot `admin` commands on the same database.
//!
//! Deliberately not here: seeding through the storage API or any scenario (the suites do that).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The `hakaru-central` binary built beside the calling test (`cargo nextest run --workspace`
/// builds it into `target/<profile>/`).
pub fn central_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<the test> → target/<profile>/hakaru-central
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("hakaru-central"))
        .unwrap();
    assert!(
        bin.exists(),
        "{} がありません。cargo build -p hakaru-central を先に実行してください / \
         {} is missing: run cargo build -p hakaru-central (cargo nextest run --workspace builds it)",
        bin.display(),
        bin.display()
    );
    bin
}

/// One life of the server process; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Server {
    /// Starts `serve` on `db` and waits for its "listening" log line to learn the port.
    pub fn start(db: &Path) -> Server {
        let mut child = Command::new(central_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--database"])
            .arg(db)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("hakaru-central exited before listening")
                .unwrap();
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            let fields = &json["fields"];
            if fields["message"] == "hakaru-central listening" {
                break fields["addr"].as_str().unwrap().to_owned();
            }
        };
        // Keep draining its log so the pipe never fills and blocks the server.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Server {
            child,
            base: format!("http://{addr}"),
        }
    }

    /// SIGKILL: a real crash, no destructor, no graceful drain.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `hakaru-central --database <db> admin <args…>` and returns its stdout; a failing
/// command fails the test with its stderr.
pub fn admin(db: &Path, args: &[&str]) -> String {
    let out = Command::new(central_binary())
        .arg("admin")
        .arg("--database")
        .arg(db)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "admin {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
