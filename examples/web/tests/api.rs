//! The HTTP API as the widget, an agent and an attacker use it: isolation
//! between customers, limits, markup in messages, CORS, a killed server
//! that comes back, the order webhook when the shop's backend is slow or
//! down, and two instances sharing Redis.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const MARKUP: &str = "<script>alert(1)</script><img src=x onerror=alert(2)> đơn của em <b>đâu</b>";

#[tokio::test]
async fn a_customer_reaches_only_their_own_conversation() {
    let dir = Scratch::new("isolation");
    let srv = Srv::start(&dir.path("db.sqlite"), "127.0.0.1:0", &[]);
    let mut alice = Customer::start(&srv.base).await;
    let bob = Customer::start(&srv.base).await;
    alice.say("đơn DH100004 của em tới đâu rồi").await;
    let http = http();
    let poll = |token: Option<String>| {
        let mut r = http.get(format!("{}/api/chat/messages?after=0", srv.base));
        if let Some(t) = token {
            r = r.header("Authorization", format!("Bearer {t}"));
        }
        r.send()
    };
    // Bob's secret with Alice's id, a made-up secret, no token, junk.
    let bob_secret = bob.token.split_once('.').unwrap().1;
    for token in [
        Some(format!("{}.{bob_secret}", alice.id())),
        Some(format!("{}.{}", alice.id(), "0".repeat(32))),
        Some(alice.id().to_owned()),
        Some("../../etc/passwd".to_owned()),
        None,
    ] {
        let r = poll(token.clone()).await.unwrap();
        assert_eq!(r.status(), 401, "token {token:?}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("DH100004"), "{body}");
    }
    // Sending into Alice's conversation with Bob's secret fails too.
    let r = http
        .post(format!("{}/api/chat/messages", srv.base))
        .bearer_auth(format!("{}.{bob_secret}", alice.id()))
        .json(&json!({ "text": "5678" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Bob's own transcript is empty; Alice's has her message.
    assert_eq!(bob.messages(0, 0).await["messages"], json!([]));
    let mine = alice.messages(0, 0).await;
    assert_eq!(
        mine["messages"][0]["text"],
        "đơn DH100004 của em tới đâu rồi"
    );

    // The inbox, its API and the dashboard are closed to customers, whatever
    // token they hold.
    for path in [
        "/api/agent/handoffs",
        &format!("/api/agent/conversations/{}", alice.id()),
        "/api/agent/events.jsonl",
    ] {
        for auth in [
            None,
            Some(format!("Bearer {}", alice.token)),
            Some(format!("Bearer {AGENT_TOKEN}")),
        ] {
            let mut r = http.get(format!("{}{path}", srv.base));
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            let r = r
                .header("Cookie", "firstline_agent=guess")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{path} with {auth:?}");
        }
    }
    for path in ["/inbox", "/dashboard"] {
        let r = http
            .get(format!("{}{path}", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/login");
    }
    let r = http
        .post(format!(
            "{}/api/agent/conversations/{}/reply",
            srv.base,
            alice.id()
        ))
        .bearer_auth(&alice.token)
        .json(&json!({ "text": "pretending to be staff" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Logging in with the wrong token does not give the cookie.
    let r = http
        .post(format!("{}/login", srv.base))
        .form(&[("token", "wrong-token-123")])
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("set-cookie").is_none());
    assert_eq!(r.headers()["location"], "/login?failed=1");
    let r = http
        .post(format!("{}/login", srv.base))
        .form(&[("token", AGENT_TOKEN)])
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}

#[tokio::test]
async fn limits_refuse_big_requests_and_floods() {
    let dir = Scratch::new("limits");
    // Slow refills, so a slow machine cannot earn a token during the test.
    let srv = Srv::start(
        &dir.path("db.sqlite"),
        "127.0.0.1:0",
        &[
            "--messages-per-minute",
            "0.5",
            "--sessions-per-minute",
            "0.5",
        ],
    );
    let mut c = Customer::start(&srv.base).await;

    // A body over 16 KiB is refused before it is parsed.
    let r = c
        .http
        .post(format!("{}/api/chat/messages", srv.base))
        .bearer_auth(&c.token)
        .header("content-type", "application/json")
        .body(format!("{{\"text\":\"{}\"}}", "a".repeat(20_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // A message over 4000 bytes (but a small body) is refused too.
    let (status, j) = c.send_raw(&"ơ".repeat(2500)).await;
    assert_eq!(
        (status, j["error"].as_str()),
        (413, Some("message_too_long"))
    );
    let (status, _) = c.send_raw("   ").await;
    assert_eq!(status, 400);

    // 8 messages at once, then the 9th waits.
    for i in 0..8 {
        let (status, j) = c
            .send_raw(&format!("phí ship bao nhiêu vậy shop {i}"))
            .await;
        assert_eq!(status, 200, "message {i}: {j}");
    }
    let (status, j) = c.send_raw("phí ship bao nhiêu").await;
    assert_eq!((status, j["error"].as_str()), (429, Some("rate_limited")));
    // Re-sending a message the server already has is not a new message: it
    // is answered from the store, not refused, and not stored twice.
    let (status, j) = c.send_with_id("phí ship bao nhiêu vậy shop 0", "c3").await;
    assert_eq!(status, 200, "{j}");
    assert_eq!(j["messages"][0]["seq"], 1);
    let all = c.messages(0, 0).await;
    let customer_lines = all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "customer")
        .count();
    assert_eq!(customer_lines, 8);

    // One address opens at most 20 conversations at once.
    let http = http();
    let mut statuses = Vec::new();
    for _ in 0..22 {
        let r = http
            .post(format!("{}/api/chat/start", srv.base))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().contains_key("retry-after"));
        }
    }
    // The first conversation of this test took one of the 20.
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
}

#[tokio::test]
async fn markup_in_messages_is_never_served_as_html() {
    let dir = Scratch::new("markup");
    let srv = Srv::start(&dir.path("db.sqlite"), "127.0.0.1:0", &[]);
    let mut c = Customer::start(&srv.base).await;
    let replies = c.say(MARKUP).await;
    for r in &replies {
        assert!(!r.contains('<'), "the bot echoed markup: {r}");
    }
    // Markup alone is not understood: it lands in the dashboard's table of
    // fallback messages, escaped.
    let fallback = "<script>alert(3)</script><img src=x onerror=alert(4)>";
    c.say(fallback).await;
    c.say("cho em gặp nhân viên").await;
    let http = http();
    // API answers are JSON, which browsers never render.
    let r = http
        .get(format!("{}/api/agent/conversations/{}", srv.base, c.id()))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["messages"][0]["text"], MARKUP.trim());
    assert!(j["handoff"]["summary"]["last_messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.as_str().unwrap().contains("<script>")));
    // The pages are fixed files or escaped, with a CSP that allows no inline
    // script even if something slipped through.
    for (path, cookie) in [
        ("/inbox", agent_cookie()),
        ("/dashboard", agent_cookie()),
        ("/", String::new()),
        ("/login", String::new()),
    ] {
        let r = http
            .get(format!("{}{path}", srv.base))
            .header("Cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        // Scripts from the server only, or (the dashboard) none at all.
        let no_inline_script = csp.contains("script-src 'self'") && !csp.contains("unsafe-inline")
            || !csp.contains("script-src") && csp.starts_with("default-src 'none'");
        assert!(no_inline_script, "{path}: {csp}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let body = r.text().await.unwrap();
        for raw in ["<script>alert", "<img src=x", "<img src=\"x"] {
            assert!(!body.contains(raw), "{path} serves customer markup: {body}");
        }
        if path == "/dashboard" {
            assert!(body.contains("&lt;script&gt;alert(3)"), "{body}");
        }
    }
    // The widget and inbox scripts never put server text in as HTML.
    for path in ["/widget.js", "/inbox.js"] {
        let js = http
            .get(format!("{}{path}", srv.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!js.contains(sink), "{path} uses {sink}");
        }
        assert!(js.contains("textContent"));
    }
}

#[tokio::test]
async fn cors_admits_only_the_shop_origin() {
    let dir = Scratch::new("cors");
    let srv = Srv::start(
        &dir.path("db.sqlite"),
        "127.0.0.1:0",
        &["--shop-origin", "https://shop.example"],
    );
    let http = http();
    let preflight = |origin: &'static str, path: &'static str| {
        http.request(reqwest::Method::OPTIONS, format!("{}{path}", srv.base))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    let ok = preflight("https://shop.example", "/api/chat/messages")
        .await
        .unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    for (origin, path) in [
        ("https://evil.example", "/api/chat/messages"),
        ("https://shop.example.evil.example", "/api/chat/start"),
        ("null", "/api/chat/start"),
        ("https://shop.example", "/api/agent/handoffs"),
    ] {
        let r = preflight(origin, path).await.unwrap();
        assert!(
            r.headers().get("access-control-allow-origin").is_none(),
            "{origin} {path}: {:?}",
            r.headers()
        );
    }
    // Without --shop-origin no other site may call the API at all.
    let plain = Srv::start(&dir.path("db2.sqlite"), "127.0.0.1:0", &[]);
    let r = http
        .post(format!("{}/api/chat/start", plain.base))
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_killed_server_continues_every_conversation() {
    let dir = Scratch::new("restart");
    let db = dir.path("db.sqlite");
    let srv = Srv::start(&db, "127.0.0.1:0", &[]);
    let addr = srv.addr.clone();
    let mut a = Customer::start(&srv.base).await;
    let mut b = Customer::start(&srv.base).await;
    let asked = a.say("đơn DH100004 của em tới đâu rồi").await;
    assert!(asked[0].contains("4 số cuối"), "{asked:?}");
    b.say("cho em gặp nhân viên").await;
    let before = a.messages(0, 0).await["messages"].clone();
    srv.kill();

    let srv = Srv::start(&db, &addr, &[]);
    // Connections to the dead process are gone, as for a browser.
    a.http = http();
    b.http = http();
    // Mid-verification: the answer is taken and the order shown.
    let reply = a.say("5678").await;
    assert!(reply[0].contains("GHN8842024VN"), "{reply:?}");
    let after = a.messages(0, 0).await["messages"].clone();
    assert_eq!(
        after.as_array().unwrap()[..2],
        before.as_array().unwrap()[..]
    );
    assert_eq!(after.as_array().unwrap().len(), 4);
    // B's handoff is still in the inbox, and B is still waiting for an agent.
    let inbox: Value = http()
        .get(format!("{}/api/agent/handoffs", srv.base))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let h = &inbox["handoffs"][0];
    assert_eq!(
        (h["session"].as_str(), h["state"].as_str()),
        (Some(b.id()), Some("open"))
    );
    assert_eq!(b.messages(0, 0).await["state"], "waiting");
}

#[tokio::test]
async fn an_agent_takes_a_handoff_and_the_reply_reaches_the_waiting_widget() {
    let dir = Scratch::new("agent");
    let srv = Srv::start(&dir.path("db.sqlite"), "127.0.0.1:0", &[]);
    let mut c = Customer::start(&srv.base).await;
    c.say("đơn DH100006 em chưa nhận được hàng").await;
    c.say("5678").await;
    let handoff = c.say("cho em gặp nhân viên").await;
    assert!(handoff[0].contains("nhân viên"), "{handoff:?}");
    let seen = c.messages(0, 0).await["messages"].as_array().unwrap().len() as i64;

    let http = http();
    let inbox: Value = http
        .get(format!("{}/api/agent/handoffs", srv.base))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let h = &inbox["handoffs"][0];
    assert_eq!(h["reason"], "customer_request");
    assert_eq!(h["summary"]["lang"], "vi");
    assert_eq!(h["summary"]["verified_orders"], json!(["DH100006"]));

    // The agent takes it: the customer is told, the inbox shows it taken.
    let r = http
        .post(format!(
            "{}/api/agent/conversations/{}/take",
            srv.base,
            c.id()
        ))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let joined = c.messages(seen, 0).await;
    assert_eq!(joined["state"], "agent");
    assert_eq!(joined["messages"][0]["from"], "system");
    assert_eq!(
        joined["messages"][0]["text"],
        "Nhân viên chăm sóc khách hàng đã vào cuộc trò chuyện."
    );
    let seen = seen + 1;
    let listed: Value = http
        .get(format!("{}/api/agent/handoffs", srv.base))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["handoffs"][0]["state"], "taken");

    // The widget is waiting in a long poll when the agent answers.
    let poll = {
        let (base, token) = (c.base.clone(), c.token.clone());
        tokio::spawn(async move {
            let r = common::http()
                .get(format!("{base}/api/chat/messages?after={seen}&wait=25"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = http
        .post(format!(
            "{}/api/agent/conversations/{}/reply",
            srv.base,
            c.id()
        ))
        .header("Cookie", agent_cookie())
        .json(
            &json!({ "text": "Dạ chào chị, em là Lan bên CSKH, em kiểm tra đơn DH100006 ngay ạ." }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let got = poll.await.unwrap();
    let texts: Vec<&str> = got["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["from"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["agent"], "{got}");
    assert_eq!(got["state"], "agent");

    // While the agent has it, the bot stays quiet.
    let quiet = c.say("dạ em cảm ơn").await;
    assert!(quiet.is_empty(), "{quiet:?}");
    // Given back, the bot answers again.
    let r = http
        .post(format!(
            "{}/api/agent/conversations/{}/release",
            srv.base,
            c.id()
        ))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let answer = c.say("shop có ship COD không ạ").await;
    assert!(answer[0].starts_with("Dạ"), "{answer:?}");
    let inbox: Value = http
        .get(format!("{}/api/agent/handoffs", srv.base))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["handoffs"][0]["state"], "closed");

    // The dashboard counts it, from the stored event lines.
    let dash = http
        .get(format!("{}/dashboard", srv.base))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dash.contains("customer_request"), "{dash}");
    assert!(dash.contains("<svg"));
}

#[tokio::test]
async fn concurrent_messages_of_one_conversation_are_all_answered() {
    let dir = Scratch::new("concurrent");
    let srv = Srv::start(&dir.path("db.sqlite"), "127.0.0.1:0", &[]);
    let c = Customer::start(&srv.base).await;
    let texts = [
        "phí ship bao nhiêu",
        "shop có ship COD không",
        "đổi trả trong bao lâu",
        "shop mở cửa mấy giờ",
        "thanh toán bằng thẻ được không",
        "how much is shipping",
    ];
    let mut tasks = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let (base, token) = (c.base.clone(), c.token.clone());
        let t = t.to_string();
        tasks.push(tokio::spawn(async move {
            common::http()
                .post(format!("{base}/api/chat/messages"))
                .bearer_auth(token)
                .json(&json!({ "text": t, "client_id": format!("p{i}") }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let all = c.messages(0, 0).await;
    let msgs = all["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 12, "{all}");
    // Every customer line is followed by its answer.
    for pair in msgs.chunks(2) {
        assert_eq!(
            (pair[0]["from"].as_str(), pair[1]["from"].as_str()),
            (Some("customer"), Some("bot"))
        );
    }
    let seqs: Vec<i64> = msgs.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<_>>());
}

/// The shop's order backend, for the webhook tests: `DH100004` exists,
/// `DH200000` never answers, everything else is 404.
async fn order_backend() -> (String, tokio::task::JoinHandle<()>) {
    use axum::extract::Path;
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    async fn order(Path(id): Path<String>) -> Response {
        match id.as_str() {
            "DH100004" => axum::Json(json!({
                "id": "DH100004", "status": "in_transit", "carrier": "Viettel Post",
                "tracking": "VTP123456789", "eta": "06/12", "phone": "0901115678"
            }))
            .into_response(),
            "DH200000" => {
                tokio::time::sleep(Duration::from_secs(600)).await;
                axum::http::StatusCode::OK.into_response()
            }
            _ => axum::http::StatusCode::NOT_FOUND.into_response(),
        }
    }
    let app = axum::Router::new().route("/orders/{id}", get(order));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/orders", l.local_addr().unwrap());
    (
        url,
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() }),
    )
}

#[tokio::test]
async fn the_order_webhook_is_used_with_a_timeout_and_a_polite_reply_when_down() {
    let dir = Scratch::new("webhook");
    let (url, backend) = order_backend().await;
    let srv = Srv::start(
        &dir.path("db.sqlite"),
        "127.0.0.1:0",
        &["--orders-url", &url, "--orders-timeout-ms", "500"],
    );
    let mut c = Customer::start(&srv.base).await;
    c.say("where is my order DH100004").await;
    let shown = c.say("5678").await;
    assert!(shown[0].contains("VTP123456789"), "{shown:?}");
    // The demo table is not consulted: DH100001 exists there, not here.
    let none = c.say("what about order DH100001").await;
    // The bot asks for proof before it says whether an order exists.
    assert!(none[0].contains("last 4 digits"), "{none:?}");
    let none = c.say("5678").await;
    assert!(
        none[0].contains("couldn't find") && none[0].contains("DH100001"),
        "{none:?}"
    );

    // A backend that never answers: the customer gets an apology and an
    // agent, not a hanging chat (the client's own timeout is 60 s).
    let mut slow = Customer::start(&srv.base).await;
    // The proof is asked first; the lookup comes with the answer.
    slow.say("where is my order DH200000").await;
    let sorry = slow.say("5678").await;
    assert!(sorry[0].to_lowercase().contains("sorry"), "{sorry:?}");
    let state = slow.messages(0, 0).await["state"].clone();
    assert_eq!(state, "waiting");

    // A backend that is down altogether.
    backend.abort();
    let _ = backend.await;
    let mut down = Customer::start(&srv.base).await;
    down.say("đơn DH100004 của em đâu rồi").await;
    let sorry = down.say("5678").await;
    assert!(
        sorry[0].starts_with("Dạ") && sorry[0].contains("xin lỗi"),
        "{sorry:?}"
    );
    let inbox: Value = http()
        .get(format!("{}/api/agent/handoffs", srv.base))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reasons: Vec<&str> = inbox["handoffs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["lookup_failed", "lookup_failed"]);
}

/// A throwaway redis-server on a loopback port.
struct Redis {
    child: std::process::Child,
    url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_server() -> Redis {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server starts");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Redis {
        child,
        url: format!("redis://127.0.0.1:{port}/0"),
    }
}

#[tokio::test]
async fn two_instances_share_conversations_through_redis() {
    let Some(()) = required(&["redis-server"], "the Redis test") else {
        return;
    };
    let redis = redis_server();
    let dir = Scratch::new("redis");
    let one = Srv::start(
        &dir.path("one.sqlite"),
        "127.0.0.1:0",
        &["--redis", &redis.url],
    );
    let two = Srv::start(
        &dir.path("two.sqlite"),
        "127.0.0.1:0",
        &["--redis", &redis.url],
    );
    // A load balancer sends the customer to one instance, then the other.
    let mut c = Customer::start(&one.base).await;
    let ask = c.say("đơn DH100004 của em tới đâu rồi").await;
    assert!(ask[0].contains("4 số cuối"), "{ask:?}");
    c.base = two.base.clone();
    let shown = c.say("5678").await;
    assert!(shown[0].contains("GHN8842024VN"), "{shown:?}");
    c.base = one.base.clone();
    c.say("cho em gặp nhân viên").await;
    assert_eq!(
        c.messages(0, 0).await["messages"].as_array().unwrap().len(),
        6
    );
    // The agent works on instance two.
    let inbox: Value = http()
        .get(format!("{}/api/agent/handoffs", two.base))
        .header("Cookie", agent_cookie())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["handoffs"][0]["session"], c.id());
    let r = http()
        .post(format!(
            "{}/api/agent/conversations/{}/reply",
            two.base,
            c.id()
        ))
        .header("Cookie", agent_cookie())
        .json(&json!({ "text": "Dạ em Lan đây ạ." }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // The customer, polling instance one, gets it (instances poll Redis).
    let got = c.messages(6, 10).await;
    let last = got["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["from"].as_str(), last["text"].as_str()),
        (Some("agent"), Some("Dạ em Lan đây ạ."))
    );
    // Concurrent turns through both instances: none is lost.
    let mut tasks = Vec::new();
    for (i, base) in [&one.base, &two.base, &one.base, &two.base]
        .iter()
        .enumerate()
    {
        let (base, token) = (base.to_string(), c.token.clone());
        tasks.push(tokio::spawn(async move {
            common::http()
                .post(format!("{base}/api/chat/messages"))
                .bearer_auth(token)
                .json(&json!({ "text": format!("tin nhắn {i}"), "client_id": format!("r{i}") }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let all = c.messages(0, 0).await;
    let customer = all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "customer")
        .count();
    assert_eq!(customer, 7, "{all}");
}

#[tokio::test]
async fn demo_orders_of_every_shape_are_found_after_the_ownership_check() {
    let dir = Scratch::new("shapes");
    let srv = Srv::start(&dir.path("db.sqlite"), "127.0.0.1:0", &[]);
    for (ask, shown) in [
        ("đơn DH100005 của em tới đâu rồi", "S22.BO.4411"),
        ("where is my order SPX2411001", "SPXVN0241100187"),
        ("đh 241125K7QF2M tới đâu r shop", "JT0081234567"),
        ("mã đơn 58213 sao chưa giao vậy", "58213"),
    ] {
        let mut c = Customer::start(&srv.base).await;
        let proof = c.say(ask).await;
        assert_eq!(proof.len(), 1, "{ask}: {proof:?}");
        let answer = c.say("5678").await;
        assert!(answer[0].contains(shown), "{ask}: {answer:?}");
    }
}

#[tokio::test]
async fn a_rules_directory_replaces_the_embedded_pack_and_a_broken_one_stops_the_start() {
    let dir = Scratch::new("rules");
    let shop = dir.path("shop");
    std::fs::create_dir_all(&shop).unwrap();
    std::fs::write(
        shop.join("shop.yaml"),
        "version: 1\nintents:\n  - id: opening_hours\n    phrases:\n      vi: [\"mấy giờ * mở cửa\"]\n      en: [\"when * open\"]\n    replies:\n      vi: [\"Dạ, tiệm mở cửa từ 9 giờ sáng ạ.\"]\n      en: [\"We open at 9am.\"]\n",
    )
    .unwrap();
    let srv = Srv::start(
        &dir.path("db.sqlite"),
        "127.0.0.1:0",
        &["--rules", shop.to_str().unwrap()],
    );
    let mut c = Customer::start(&srv.base).await;
    assert_eq!(
        c.say("tiệm mấy giờ thì mở cửa vậy").await,
        ["Dạ, tiệm mở cửa từ 9 giờ sáng ạ."]
    );
    drop(srv);

    std::fs::write(
        shop.join("broken.yaml"),
        "version: 1\nintents:\n  - id: x\n    phrases: [\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_firstline-web"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--agent-token",
            AGENT_TOKEN,
            "--rules",
        ])
        .arg(&shop)
        .arg("--db")
        .arg(dir.path("db.sqlite"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yaml:"), "{err}");
}
