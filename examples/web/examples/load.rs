//! A bounded load test of the storefront on loopback.
//!
//! Starts the server in this process on 127.0.0.1 (a fresh SQLite file in
//! the system's temp dir), then runs N simulated customers for T seconds.
//! Each customer behaves like a widget: it opens a conversation, keeps a
//! long poll open, and sends a scripted conversation (greeting, order
//! lookup with the ownership check, questions, sometimes a handoff) with 1–3
//! seconds of "typing" between messages, then starts a new conversation.
//! It reports the turn latency (POST of a message until the bot's answer is
//! stored and returned) and then checks, conversation by conversation, that
//! every message sent is stored once with its answer, that the long polls
//! saw every message, and that every conversation can still be opened.
//!
//! ```text
//! nice -n 19 cargo run --release -p firstline-web --example load -- --customers 200 --seconds 30
//! ```
//!
//! Only loopback is ever a target; the request loops stop by themselves.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use firstline_web::{Clock, Limits, Options};
use serde_json::{json, Value};

const SCRIPTS: &[&[&str]] = &[
    &[
        "chào shop",
        "đơn DH100004 của em tới đâu rồi",
        "5678",
        "phí ship ra Hà Nội bao nhiêu",
        "shop có ship COD không",
        "cảm ơn shop",
    ],
    &[
        "hi",
        "where is my order SPX2411001",
        "5678",
        "can I return it if it doesn't fit",
        "thanks",
    ],
    &[
        "mã đơn 58213 sao chưa giao vậy",
        "5678",
        "em muốn hủy đơn",
        "cho em gặp nhân viên",
        "alo shop ơi",
    ],
    &["đh 241125K7QF2M tới đâu r shop", "1234", "5678", "ok shop"],
];

struct Conversation {
    token: String,
    sent: u64,
    polled_max_seq: Arc<AtomicU64>,
}

#[derive(Default)]
struct Stats {
    latencies_us: Vec<u64>,
    errors: Vec<String>,
    conversations: Vec<Conversation>,
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

async fn poll_loop(
    http: reqwest::Client,
    base: String,
    token: String,
    max_seq: Arc<AtomicU64>,
    stop: Arc<tokio::sync::Notify>,
) {
    loop {
        let after = max_seq.load(Ordering::Relaxed);
        let req = http
            .get(format!("{base}/api/chat/messages?after={after}&wait=25"))
            .bearer_auth(&token)
            .send();
        let r = tokio::select! {
            r = req => r,
            _ = stop.notified() => return,
        };
        let Ok(r) = r else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let Ok(j) = r.json::<Value>().await else {
            continue;
        };
        if let Some(last) = j["messages"].as_array().and_then(|m| m.last()) {
            max_seq.fetch_max(last["seq"].as_u64().unwrap_or(0), Ordering::Relaxed);
        }
    }
}

async fn customer(
    i: usize,
    base: String,
    http: reqwest::Client,
    until: Instant,
    stats: Arc<Mutex<Stats>>,
    stop: Arc<tokio::sync::Notify>,
) {
    let mut round = 0usize;
    while Instant::now() < until {
        let r = http.post(format!("{base}/api/chat/start")).send().await;
        let token = match r {
            Ok(r) if r.status() == 201 => r.json::<Value>().await.unwrap()["token"]
                .as_str()
                .unwrap()
                .to_owned(),
            Ok(r) => {
                stats
                    .lock()
                    .unwrap()
                    .errors
                    .push(format!("start: {}", r.status()));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            Err(e) => {
                stats.lock().unwrap().errors.push(format!("start: {e}"));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let max_seq = Arc::new(AtomicU64::new(0));
        let poller = tokio::spawn(poll_loop(
            http.clone(),
            base.clone(),
            token.clone(),
            Arc::clone(&max_seq),
            Arc::clone(&stop),
        ));
        let script = SCRIPTS[(i + round) % SCRIPTS.len()];
        let mut sent = 0;
        let mut last_seq = 0;
        for (step, text) in script.iter().enumerate() {
            // 1–3 s between messages, spread so customers do not march in step.
            let think = 1000 + ((i * 37 + step * 101 + round * 53) % 2000) as u64;
            tokio::time::sleep(Duration::from_millis(think)).await;
            if Instant::now() >= until {
                break;
            }
            let t0 = Instant::now();
            let r = http
                .post(format!("{base}/api/chat/messages"))
                .bearer_auth(&token)
                .json(&json!({ "text": text, "client_id": format!("m{step}") }))
                .send()
                .await;
            let ok = match r {
                Ok(r) if r.status() == 200 => match r.json::<Value>().await {
                    Ok(j) => {
                        if let Some(seq) = j["messages"]
                            .as_array()
                            .and_then(|m| m.last())
                            .and_then(|m| m["seq"].as_u64())
                        {
                            last_seq = last_seq.max(seq);
                        }
                        true
                    }
                    Err(_) => false,
                },
                Ok(r) => {
                    stats
                        .lock()
                        .unwrap()
                        .errors
                        .push(format!("send: {}", r.status()));
                    false
                }
                Err(e) => {
                    stats.lock().unwrap().errors.push(format!("send: {e}"));
                    false
                }
            };
            let us = t0.elapsed().as_micros() as u64;
            if ok {
                sent += 1;
                stats.lock().unwrap().latencies_us.push(us);
            }
        }
        // The long poll must see the last answer too (10 s at most).
        let seen_by = Instant::now() + Duration::from_secs(10);
        while max_seq.load(Ordering::Relaxed) < last_seq && Instant::now() < seen_by {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        poller.abort();
        stats.lock().unwrap().conversations.push(Conversation {
            token,
            sent,
            polled_max_seq: max_seq,
        });
        round += 1;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let customers = arg(&args, "--customers", 200) as usize;
    let seconds = arg(&args, "--seconds", 30).min(300);
    let dir = std::env::temp_dir().join(format!("firstline-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let server = firstline_web::start(Options {
        addr: "127.0.0.1:0".parse()?,
        db: dir.join("load.sqlite"),
        redis: None,
        bot: firstline::pack::bot(),
        orders_url: None,
        orders_timeout: Duration::from_secs(3),
        agent_token: firstline_web::new_agent_token(),
        shop_origins: Vec::new(),
        limits: Limits {
            // Every simulated customer comes from 127.0.0.1.
            new_sessions_burst: 1e9,
            new_sessions_per_minute: 1e9,
            ..Limits::default()
        },
        clock: Clock::System,
    })
    .await?;
    let base = format!("http://{}", server.addr);
    eprintln!("{customers} customers for {seconds} s against {base}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(customers * 2)
        .timeout(Duration::from_secs(60))
        .build()?;
    let stats = Arc::new(Mutex::new(Stats::default()));
    let stop = Arc::new(tokio::sync::Notify::new());
    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..customers)
        .map(|i| {
            tokio::spawn(customer(
                i,
                base.clone(),
                http.clone(),
                until,
                Arc::clone(&stats),
                Arc::clone(&stop),
            ))
        })
        .collect();
    for t in tasks {
        t.await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    stop.notify_waiters();

    // Check every conversation against the store.
    let stats = std::mem::take(&mut *stats.lock().unwrap());
    let mut lost_turns = 0u64;
    let mut lost_sessions = 0u64;
    let mut unanswered = 0u64;
    let mut poll_missed = 0u64;
    for c in &stats.conversations {
        let r = http
            .get(format!("{base}/api/chat/messages?after=0"))
            .bearer_auth(&c.token)
            .send()
            .await?;
        if r.status() != 200 {
            lost_sessions += 1;
            continue;
        }
        let j: Value = r.json().await?;
        let msgs = j["messages"].as_array().cloned().unwrap_or_default();
        let customer_lines = msgs.iter().filter(|m| m["from"] == "customer").count() as u64;
        if customer_lines != c.sent {
            lost_turns += c.sent.abs_diff(customer_lines);
        }
        // Every customer line is followed by the bot's answer.
        for (k, m) in msgs.iter().enumerate() {
            if m["from"] == "customer" && msgs.get(k + 1).is_none_or(|n| n["from"] != "bot") {
                unanswered += 1;
            }
        }
        let last = msgs.last().and_then(|m| m["seq"].as_u64()).unwrap_or(0);
        if c.polled_max_seq.load(Ordering::Relaxed) < last {
            poll_missed += 1;
        }
    }
    let mut lat = stats.latencies_us.clone();
    lat.sort_unstable();
    let turns = lat.len();
    println!("customers            {customers}");
    println!("duration             {elapsed:.1} s");
    println!("conversations        {}", stats.conversations.len());
    println!(
        "turns                {turns} ({:.1}/s)",
        turns as f64 / elapsed
    );
    println!(
        "turn latency ms      p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
    println!("request errors       {}", stats.errors.len());
    for e in stats.errors.iter().take(5) {
        println!("  {e}");
    }
    println!("lost turns           {lost_turns}");
    println!("unanswered messages  {unanswered}");
    println!("lost conversations   {lost_sessions}");
    println!("polls that missed    {poll_missed}");
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    if lost_turns + lost_sessions + unanswered + poll_missed > 0 || !stats.errors.is_empty() {
        eprintln!("FAILED: something was lost or refused");
        std::process::exit(1);
    }
    Ok(())
}
