//! The storefront as a person uses it, in headless Chromium driven through
//! chromedriver (WebDriver): open the widget with the keyboard, greet, ask
//! about an order, survive a server killed mid-verification, send markup,
//! ask for a person; an agent logs in, takes the conversation and replies;
//! the reply arrives in the widget; a reload keeps the conversation.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test
//! prints a notice and passes, unless FIRSTLINE_E2E=1 (CI) makes it fail.
//! FIRSTLINE_SCREENSHOTS=1 writes the README's screenshots to
//! examples/web/screenshots/.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const ENTER: &str = "\u{e007}";
const ESCAPE: &str = "\u{e00c}";

/// chromedriver in a process group of its own, with the browsers it starts:
/// a failing test ends them all, not only chromedriver.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser(profile: &std::path::Path) -> (Driver, Client) {
    let port = free_port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,860",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session on chromium");
    (driver, client)
}

const TRANSCRIPT_JS: &str = "return Array.from(document.querySelectorAll('#firstline-widget .fl-msg[data-seq]'))\
    .map(li => [li.className.match(/fl-from-(\\w+)/)[1], li.querySelector('.fl-text').textContent]);";

async fn transcript(c: &Client) -> Vec<(String, String)> {
    let v = c.execute(TRANSCRIPT_JS, vec![]).await.unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Waits until the widget shows `n` stored messages or more, the last from
/// `from` and containing `needle`.
async fn wait_for_message(c: &Client, n: usize, from: &str, needle: &str) -> Vec<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let t = transcript(c).await;
        if t.len() >= n {
            if let Some(last) = t.last() {
                if last.0 == from && last.1.contains(needle) {
                    return t;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no {from} message containing {needle:?} as message {n}; the widget shows {t:#?}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn wait_js(c: &Client, js: &str, what: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let v = c.execute(js, vec![]).await.unwrap();
        if !v.is_null() && v != json!(false) && v != json!("") {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Types into whatever has the keyboard focus, then Enter.
async fn type_line(c: &Client, text: &str) {
    let input = c.active_element().await.unwrap();
    assert_eq!(input.attr("id").await.unwrap().as_deref(), Some("fl-input"));
    input.send_keys(&format!("{text}{ENTER}")).await.unwrap();
}

async fn screenshot(c: &Client, name: &str) {
    if std::env::var("FIRSTLINE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let png = c.screenshot().await.unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
}

const MARKUP: &str =
    "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script><b>in đậm</b>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_and_an_agent_in_the_browser() {
    let Some(()) = required(&["chromium", "chromedriver"], "the browser test") else {
        return;
    };
    let dir = Scratch::new("e2e");
    let db = dir.path("db.sqlite");
    let srv = Srv::start(&db, "127.0.0.1:0", &[]);
    let (base, addr) = (srv.base.clone(), srv.addr.clone());
    let (_driver, c) = browser(&dir.path("profile")).await;
    c.goto(&format!("{base}/")).await.unwrap();

    // Open the chat with the keyboard: the input gets the focus.
    let launcher = c
        .wait()
        .for_element(Locator::Css(".fl-launcher"))
        .await
        .unwrap();
    assert_eq!(launcher.text().await.unwrap(), "Chat với shop");
    launcher.send_keys(ENTER).await.unwrap();
    wait_js(
        &c,
        "return document.activeElement && document.activeElement.id === 'fl-input';",
        "the input to have the focus",
    )
    .await;
    // Before the first message: an intro and starter quick replies.
    let chips = c
        .find_all(Locator::Css(".fl-quick .fl-chip"))
        .await
        .unwrap();
    assert_eq!(chips[0].text().await.unwrap(), "Kiểm tra đơn hàng");

    // A greeting.
    type_line(&c, "chào shop ạ").await;
    let t = wait_for_message(&c, 2, "bot", "").await;
    assert_eq!(t[0], ("customer".into(), "chào shop ạ".into()));
    assert!(t[1].1.starts_with("Dạ"), "{t:?}");

    // An order lookup through a quick reply, then the order id.
    let chip = c
        .find(Locator::XPath(
            "//button[contains(@class,'fl-chip')][contains(.,'Kiểm tra đơn hàng')]",
        ))
        .await;
    let n = if let Ok(chip) = chip {
        chip.send_keys(ENTER).await.unwrap();
        wait_for_message(&c, 4, "bot", "mã đơn").await;
        c.find(Locator::Css("#fl-input"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        type_line(&c, "DH100004").await;
        6
    } else {
        type_line(&c, "đơn DH100004 của em tới đâu rồi").await;
        4
    };
    wait_for_message(&c, n, "bot", "4 số cuối").await;

    // The server dies mid-verification. The widget says it is reconnecting,
    // keeps the typed answer, and sends it when the server is back.
    srv.kill();
    type_line(&c, "5678").await;
    wait_js(
        &c,
        "var s = document.querySelector('#firstline-widget .fl-status'); return !s.hidden && s.textContent;",
        "the reconnecting notice",
    )
    .await;
    let status = c
        .find(Locator::Css(".fl-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(status, "Mất kết nối. Đang kết nối lại…");
    let srv = Srv::start(&db, &addr, &[]);
    let t = wait_for_message(&c, n + 2, "bot", "GHN8842024VN").await;
    assert_eq!(t[n], ("customer".into(), "5678".into()));
    wait_js(
        &c,
        "return document.querySelector('#firstline-widget .fl-status').hidden;",
        "the reconnecting notice to go",
    )
    .await;
    screenshot(&c, "widget.png").await;

    // Markup is shown as the text it is.
    type_line(&c, MARKUP).await;
    let t = wait_for_message(&c, n + 4, "bot", "").await;
    assert_eq!(t[n + 2], ("customer".into(), MARKUP.into()));
    let injected = c
        .execute(
            "return [document.querySelectorAll('#firstline-widget img, #firstline-widget b, #firstline-widget script').length, window.__pwned === undefined];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(injected, json!([0, true]));

    // A handoff.
    type_line(&c, "cho em gặp nhân viên").await;
    let before_agent = wait_for_message(&c, n + 6, "bot", "nhân viên").await;

    // The agent, in another tab: log in, open the conversation, reply.
    let widget_tab = c.window().await.unwrap();
    let tab = c.new_window(true).await.unwrap();
    c.switch_to_window(tab.handle).await.unwrap();
    c.goto(&format!("{base}/inbox")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    let token = c.find(Locator::Css("#token")).await.unwrap();
    token
        .send_keys(&format!("{AGENT_TOKEN}{ENTER}"))
        .await
        .unwrap();
    let item = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#handoffs button.open"))
        .await
        .unwrap();
    let listed = item.text().await.unwrap();
    assert!(
        listed.contains("customer_request") && listed.contains("DH100004"),
        "{listed}"
    );
    item.send_keys(ENTER).await.unwrap();
    let summary = wait_js(
        &c,
        "var d = document.getElementById('d-summary'); return d && d.textContent.indexOf('customer_request') >= 0 && d.textContent;",
        "the handoff summary",
    )
    .await;
    let summary = summary.as_str().unwrap();
    assert!(
        summary.contains("Vietnamese") && summary.contains("DH100004"),
        "{summary}"
    );
    wait_js(
        &c,
        "return Array.from(document.querySelectorAll('#transcript .text')).some(p => p.textContent.indexOf('<script>') >= 0);",
        "the markup message, as text, in the inbox transcript",
    )
    .await;
    let injected = c
        .execute(
            "return [document.querySelectorAll('#transcript img, #transcript b, #transcript script').length, window.__pwned === undefined];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(injected, json!([0, true]));
    screenshot(&c, "inbox.png").await;
    let reply = "Dạ em là Lan bên CSKH, đơn DH100004 của anh/chị đang được GHN giao ạ.";
    let field = c.find(Locator::Css("#reply-text")).await.unwrap();
    field.send_keys(&format!("{reply}{ENTER}")).await.unwrap();
    wait_js(
        &c,
        "return document.getElementById('take').hidden;",
        "the conversation to be the agent's",
    )
    .await;

    // The reply arrives in the customer's widget.
    c.switch_to_window(widget_tab.clone()).await.unwrap();
    let t = wait_for_message(&c, before_agent.len() + 2, "agent", "Lan bên CSKH").await;
    assert_eq!(t[t.len() - 2].0, "system");

    // A reload keeps the whole conversation, and the chat stays open.
    c.refresh().await.unwrap();
    let again = wait_for_message(&c, t.len(), "agent", "Lan bên CSKH").await;
    assert_eq!(again, t);
    let open = c
        .execute(
            "return !document.getElementById('fl-panel').hidden;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(open, json!(true));

    // The widget speaks English too: the switch relabels it at once.
    let switch = c.find(Locator::Css(".fl-lang")).await.unwrap();
    assert_eq!(
        switch.attr("aria-label").await.unwrap().as_deref(),
        Some("English")
    );
    switch.send_keys(ENTER).await.unwrap();
    let title = c.find(Locator::Css(".fl-title")).await.unwrap();
    assert_eq!(title.text().await.unwrap(), "Customer support");
    let placeholder = c.find(Locator::Css("#fl-input")).await.unwrap();
    assert_eq!(
        placeholder.attr("placeholder").await.unwrap().as_deref(),
        Some("Type a message…")
    );
    switch.send_keys(ENTER).await.unwrap();
    assert_eq!(title.text().await.unwrap(), "Hỗ trợ khách hàng");

    // Escape closes the chat and gives the focus back to the launcher.
    let input = c.find(Locator::Css("#fl-input")).await.unwrap();
    input.send_keys(ESCAPE).await.unwrap();
    wait_js(
        &c,
        "return document.getElementById('fl-panel').hidden && document.activeElement.classList.contains('fl-launcher');",
        "Escape to close the chat",
    )
    .await;

    // On a phone the open chat fills the screen, the input and the send
    // button included.
    c.set_window_size(390, 844).await.unwrap();
    let launcher = c.find(Locator::Css(".fl-launcher")).await.unwrap();
    launcher.send_keys(ENTER).await.unwrap();
    let fits = wait_js(
        &c,
        "var p = document.getElementById('fl-panel').getBoundingClientRect();\
         var s = document.querySelector('#firstline-widget .fl-send').getBoundingClientRect();\
         var w = document.documentElement.clientWidth, h = document.documentElement.clientHeight;\
         return !document.getElementById('fl-panel').hidden && p.left <= 1 && p.right >= w - 1\
           && s.right <= w && s.bottom <= h && [w, p.width];",
        "the chat to fill a phone screen",
    )
    .await;
    assert!(fits[0].as_f64().unwrap() < 420.0, "{fits}");
    screenshot(&c, "widget-phone.png").await;

    // The KPI dashboard, for the README.
    c.set_window_size(1280, 860).await.unwrap();
    c.goto(&format!("{base}/dashboard")).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("support report") && page.contains("<svg"));
    screenshot(&c, "dashboard.png").await;
    c.close().await.unwrap();
    drop(srv);
}
