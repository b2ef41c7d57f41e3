//! Helpers shared by the HTTP and browser tests: the server binary as a
//! child process (so a restart is a real kill), a customer client, and a
//! scratch directory.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

pub const AGENT_TOKEN: &str = "agent-token-for-tests";

/// Tuesday 2 December 2025, 10:00 in the shop (UTC+07:00): inside the pack's
/// agent hours, so handoffs reach an agent at once.
pub const SHOP_MORNING: i64 = 1_764_644_400;

/// A scratch directory under the target dir, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The server binary, running.
pub struct Srv {
    pub child: Child,
    pub base: String,
    pub addr: String,
}

impl Srv {
    /// Starts `firstline-web --db DB --addr ADDR --agent-token ... EXTRA` and
    /// waits for it to listen. `addr` `127.0.0.1:0` picks a free port.
    pub fn start(db: &Path, addr: &str, extra: &[&str]) -> Srv {
        let mut child = Command::new(env!("CARGO_BIN_EXE_firstline-web"))
            .arg("--db")
            .arg(db)
            .args(["--addr", addr, "--agent-token", AGENT_TOKEN])
            .args(["--fixed-time", &SHOP_MORNING.to_string()])
            .args(extra)
            .env_remove("FIRSTLINE_AGENT_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        let base = first
            .strip_prefix("firstline-web listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_owned();
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let addr = base.trim_start_matches("http://").to_owned();
        Srv { child, base, addr }
    }

    /// SIGKILL: no shutdown code runs, as when a machine dies.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Srv {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One customer, as the widget would talk.
pub struct Customer {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
    n: u32,
}

impl Customer {
    pub async fn start(base: &str) -> Customer {
        let http = http();
        let r = http
            .post(format!("{base}/api/chat/start"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "start a conversation");
        let j: Value = r.json().await.unwrap();
        Customer {
            base: base.to_owned(),
            token: j["token"].as_str().unwrap().to_owned(),
            http,
            n: 0,
        }
    }

    pub fn id(&self) -> &str {
        self.token.split_once('.').unwrap().0
    }

    /// Sends a message; returns the response status and JSON.
    pub async fn send_raw(&mut self, text: &str) -> (u16, Value) {
        self.n += 1;
        let cid = format!("c{}", self.n);
        self.send_with_id(text, &cid).await
    }

    pub async fn send_with_id(&self, text: &str, cid: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/api/chat/messages", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "text": text, "client_id": cid }))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Sends a message and returns the texts the bot (or server) answered.
    pub async fn say(&mut self, text: &str) -> Vec<String> {
        let (status, j) = self.send_raw(text).await;
        assert_eq!(status, 200, "sending {text:?}: {j}");
        let msgs = j["messages"].as_array().unwrap();
        assert_eq!(msgs[0]["from"], "customer");
        assert_eq!(msgs[0]["text"], text.trim());
        msgs[1..]
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn messages(&self, after: i64, wait: u64) -> Value {
        let r = self
            .http
            .get(format!(
                "{}/api/chat/messages?after={after}&wait={wait}",
                self.base
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }
}

/// An agent's HTTP client (cookie set by hand, as after login).
pub fn agent_cookie() -> String {
    format!("firstline_agent={AGENT_TOKEN}")
}

pub fn have(bin: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(bin).is_file()))
}

/// For tests that need a program CI installs: `None` means skip (a notice
/// is printed), and with FIRSTLINE_E2E=1 a missing program is a failure.
pub fn required(bins: &[&str], what: &str) -> Option<()> {
    let missing: Vec<&str> = bins.iter().copied().filter(|b| !have(b)).collect();
    if missing.is_empty() {
        return Some(());
    }
    let msg = format!(
        "{what} needs {} on PATH (Debian: apt-get install -y chromium chromium-driver redis-server)",
        missing.join(", ")
    );
    if std::env::var("FIRSTLINE_E2E").is_ok_and(|v| v == "1") {
        panic!("FIRSTLINE_E2E=1 but {msg}");
    }
    // Straight to stderr: the test harness captures eprintln! of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {msg}; set FIRSTLINE_E2E=1 to make this a failure"
    );
    None
}
