//! The reference web storefront for firstline.
//!
//! An axum server that embeds a [`Bot`] and gives a shop:
//!
//! * `/widget.js`: the chat widget, one `<script>` tag on any page;
//! * `/api/chat/*`: the customer API the widget talks to (a conversation is
//!   reached only with its secret token);
//! * `/inbox`: the agent inbox (token login), where handed-off
//!   conversations are taken and answered;
//! * `/dashboard`: KPIs from the stored event lines, the page of
//!   `firstline report --html` ([`firstline::report`]);
//! * `/`: a demo shop page with the widget on it.
//!
//! Conversations live in SQLite (default) or Redis ([`store`]); orders come
//! from the SQLite `orders` table or a webhook ([`orders`]). The binary
//! (`src/main.rs`) only parses flags and calls [`start`].

pub mod orders;
pub mod store;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use firstline::conversation::{Bot, Outcome, Session};
use firstline::report::{Collector, Options as ReportOptions};
use firstline::Lang;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Notify;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::orders::Orders;
use crate::store::{
    Commit, Conversation, HandoffChange, Message, NewMessage, Sender, Store, StoreError,
};

/// Request and rate limits.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body accepted on the API, in bytes.
    pub body_bytes: usize,
    /// Largest customer or agent message, in bytes (longer is refused with
    /// 413; the bot itself reads only its `max_message_bytes`).
    pub message_bytes: usize,
    /// Messages a conversation may send at once...
    pub burst: f64,
    /// ...and per minute after that.
    pub per_minute: f64,
    /// New conversations one IP address may open at once, and per minute.
    pub new_sessions_burst: f64,
    /// See `new_sessions_burst`.
    pub new_sessions_per_minute: f64,
    /// How long a widget's poll waits for a new message.
    pub poll_wait: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 16 * 1024,
            message_bytes: 4000,
            burst: 8.0,
            per_minute: 30.0,
            new_sessions_burst: 20.0,
            new_sessions_per_minute: 20.0,
            poll_wait: Duration::from_secs(25),
        }
    }
}

/// Where the clock comes from: the system's, or a fixed time (tests pin the
/// shop's agent hours with it).
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    /// `SystemTime::now()`.
    System,
    /// Always this unix time.
    Fixed(i64),
}

impl Clock {
    fn now(self) -> i64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            Clock::Fixed(t) => t,
        }
    }
}

/// Everything the server needs.
pub struct Options {
    /// Address to listen on (`127.0.0.1:8080`; port 0 picks one).
    pub addr: SocketAddr,
    /// The SQLite file (orders always; sessions unless `redis` is set).
    pub db: PathBuf,
    /// A Redis URL for shared sessions.
    pub redis: Option<String>,
    /// The bot.
    pub bot: Bot,
    /// The shop's order webhook, instead of the SQLite table.
    pub orders_url: Option<String>,
    /// Timeout of one webhook lookup.
    pub orders_timeout: Duration,
    /// The secret agents log in with.
    pub agent_token: String,
    /// Origins allowed to call the customer API from another site
    /// (`https://shop.example`). The server's own pages need none.
    pub shop_origins: Vec<String>,
    /// Request and rate limits.
    pub limits: Limits,
    /// The clock.
    pub clock: Clock,
}

/// A running server.
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Stops accepting requests, drops open polls and waits for the task.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
        let _ = self.task.await;
    }

    /// Waits until the server ends (never, unless it fails).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// A token bucket.
struct Bucket {
    tokens: f64,
    at: Instant,
}

fn take(
    map: &Mutex<HashMap<String, Bucket>>,
    key: &str,
    burst: f64,
    per_minute: f64,
) -> Result<(), u64> {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    if map.len() > 100_000 {
        // Forget buckets that have refilled: they carry no information.
        map.retain(|_, b| {
            b.tokens + now.duration_since(b.at).as_secs_f64() * per_minute / 60.0 < burst
        });
    }
    let b = map.entry(key.to_owned()).or_insert(Bucket {
        tokens: burst,
        at: now,
    });
    b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * per_minute / 60.0).min(burst);
    b.at = now;
    if b.tokens >= 1.0 {
        b.tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - b.tokens) * 60.0 / per_minute).ceil() as u64)
    }
}

struct App {
    bot: Bot,
    store: Store,
    orders: Orders,
    agent_token: String,
    limits: Limits,
    clock: Clock,
    /// Turns of one conversation run one at a time in this instance (the
    /// store's version check covers other instances).
    turn_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Wakes the polls waiting on a conversation.
    notify: Mutex<HashMap<String, Arc<Notify>>>,
    rate: Mutex<HashMap<String, Bucket>>,
    ip_rate: Mutex<HashMap<String, Bucket>>,
    /// Polls recheck the store this often (other instances write to Redis
    /// without waking this one).
    recheck: Duration,
}

type Shared = Arc<App>;

/// An API error: a status and a short code for the client.
#[derive(Debug)]
pub struct ApiError(StatusCode, &'static str, Option<u64>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.0, Json(json!({ "error": self.1 }))).into_response();
        if let Some(s) = self.2 {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        eprintln!("storage error: {e}");
        ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            Some(2),
        )
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source works");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares secrets without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl App {
    fn now(&self) -> i64 {
        self.clock.now()
    }

    fn turn_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = self.turn_locks.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 10_000 {
            m.retain(|_, l| Arc::strong_count(l) > 1);
        }
        Arc::clone(m.entry(id.to_owned()).or_default())
    }

    fn notifier(&self, id: &str) -> Arc<Notify> {
        let mut m = self.notify.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 10_000 {
            m.retain(|_, n| Arc::strong_count(n) > 1);
        }
        Arc::clone(m.entry(id.to_owned()).or_default())
    }

    fn wake(&self, id: &str) {
        let n = self
            .notify
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned();
        if let Some(n) = n {
            n.notify_waiters();
        }
    }

    /// The conversation a customer token opens. Tokens are `id.secret`;
    /// anything else, or a wrong secret, is 401 whether or not the id
    /// exists.
    async fn customer(&self, headers: &HeaderMap) -> Result<(String, Conversation), ApiError> {
        let unauthorized = ApiError(StatusCode::UNAUTHORIZED, "unauthorized", None);
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError(StatusCode::UNAUTHORIZED, "unauthorized", None))?;
        let (id, secret) = token.split_once('.').ok_or(ApiError(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            None,
        ))?;
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(unauthorized);
        }
        let conv = self.store.load(id).await?.ok_or(ApiError(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            None,
        ))?;
        if !same_secret(&conv.secret, secret) {
            return Err(unauthorized);
        }
        Ok((id.to_owned(), conv))
    }

    fn is_agent(&self, headers: &HeaderMap) -> bool {
        cookie(headers, AGENT_COOKIE).is_some_and(|t| same_secret(&t, &self.agent_token))
    }

    /// One customer message, from the widget to the store: the bot's turn
    /// (with order lookups) unless an agent has the conversation. Retries
    /// when another instance wrote the conversation meanwhile. Returns the
    /// transcript lines from the customer's message on.
    async fn customer_turn(
        &self,
        id: &str,
        text: &str,
        client_id: Option<String>,
    ) -> Result<Vec<Message>, ApiError> {
        let lock = self.turn_lock(id);
        let _guard = lock.lock().await;
        for _ in 0..5 {
            if let Some(cid) = &client_id {
                if let Some(seq) = self.store.client_seq(id, cid).await? {
                    return Ok(self.store.messages(id, seq - 1).await?);
                }
            }
            let conv = self.store.load(id).await?.ok_or(ApiError(
                StatusCode::NOT_FOUND,
                "no_conversation",
                None,
            ))?;
            let mut session = Session::from_json(&conv.json).map_err(|e| {
                eprintln!("conversation {id}: bad stored session: {e}");
                ApiError(StatusCode::INTERNAL_SERVER_ERROR, "bad_session", None)
            })?;
            let now = self.now();
            let mut messages = vec![NewMessage {
                from: Sender::Customer,
                text: text.to_owned(),
                quick_replies: Vec::new(),
                client_id: client_id.clone(),
            }];
            let mut events = Vec::new();
            let mut handoff = None;
            let mut state = conv.state;
            if conv.state != store::State::Agent {
                let mut turn = self.bot.handle_message(&mut session, text, now);
                // The customer's words go with message events, so the
                // dashboard can list what the bot did not understand.
                events.extend(turn.events.drain(..).map(|e| with_text(&e, text)));
                let mut outcome = turn.outcome;
                // A lookup never leads to more than one more; bound it anyway.
                for _ in 0..4 {
                    let Outcome::LookupOrder { order_id } = &outcome else {
                        break;
                    };
                    let result = self.orders.lookup(order_id).await;
                    let next = self.bot.handle_lookup(&mut session, result, now);
                    events.extend(next.events.iter().map(|e| e.to_json_line()));
                    outcome = next.outcome;
                }
                match outcome {
                    Outcome::Reply {
                        text,
                        quick_replies,
                        ..
                    } if !text.is_empty() => messages.push(NewMessage {
                        from: Sender::Bot,
                        text,
                        quick_replies,
                        client_id: None,
                    }),
                    Outcome::Handoff {
                        reason,
                        priority,
                        summary,
                        reply,
                    } => {
                        messages.push(NewMessage {
                            from: Sender::Bot,
                            text: reply,
                            quick_replies: Vec::new(),
                            client_id: None,
                        });
                        handoff = Some(HandoffChange::Open {
                            summary: summary.to_json(),
                            reason: reason.to_string(),
                            priority: priority.code().to_owned(),
                        });
                        state = store::State::Waiting;
                    }
                    _ => {}
                }
            }
            let commit = Commit {
                id: id.to_owned(),
                expect: conv.version,
                json: session.to_json(),
                state,
                messages,
                events,
                handoff,
                now,
            };
            if let Some(first) = self.store.commit(commit).await? {
                self.wake(id);
                return Ok(self.store.messages(id, first - 1).await?);
            }
        }
        Err(ApiError(StatusCode::CONFLICT, "busy", Some(1)))
    }

    /// An agent's change to a conversation: take it, reply, or give it back
    /// to the bot.
    async fn agent_change(&self, id: &str, action: AgentAction) -> Result<(), ApiError> {
        let lock = self.turn_lock(id);
        let _guard = lock.lock().await;
        for _ in 0..5 {
            let conv = self.store.load(id).await?.ok_or(ApiError(
                StatusCode::NOT_FOUND,
                "no_conversation",
                None,
            ))?;
            let mut session = Session::from_json(&conv.json)
                .map_err(|_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "bad_session", None))?;
            let vi = session.lang() != Some(Lang::En);
            let system = |vi_text: &str, en_text: &str| NewMessage {
                from: Sender::System,
                text: if vi { vi_text } else { en_text }.to_owned(),
                quick_replies: Vec::new(),
                client_id: None,
            };
            let (state, messages, handoff) = match &action {
                AgentAction::Take => {
                    if conv.state == store::State::Agent {
                        return Ok(());
                    }
                    (
                        store::State::Agent,
                        vec![system(
                            "Nhân viên chăm sóc khách hàng đã vào cuộc trò chuyện.",
                            "A support agent has joined the conversation.",
                        )],
                        Some(HandoffChange::Taken),
                    )
                }
                AgentAction::Reply(text) => {
                    let mut msgs = Vec::new();
                    let mut h = None;
                    if conv.state != store::State::Agent {
                        msgs.push(system(
                            "Nhân viên chăm sóc khách hàng đã vào cuộc trò chuyện.",
                            "A support agent has joined the conversation.",
                        ));
                        h = Some(HandoffChange::Taken);
                    }
                    msgs.push(NewMessage {
                        from: Sender::Agent,
                        text: text.clone(),
                        quick_replies: Vec::new(),
                        client_id: None,
                    });
                    (store::State::Agent, msgs, h)
                }
                AgentAction::Release => {
                    session.release();
                    (
                        store::State::Bot,
                        vec![system(
                            "Nhân viên đã kết thúc hỗ trợ. Trợ lý tự động tiếp tục hỗ trợ anh/chị ạ.",
                            "The agent has left. The assistant is back to help you.",
                        )],
                        Some(HandoffChange::Closed),
                    )
                }
            };
            let commit = Commit {
                id: id.to_owned(),
                expect: conv.version,
                json: session.to_json(),
                state,
                messages,
                events: Vec::new(),
                handoff,
                now: self.now(),
            };
            if self.store.commit(commit).await?.is_some() {
                self.wake(id);
                return Ok(());
            }
        }
        Err(ApiError(StatusCode::CONFLICT, "busy", Some(1)))
    }
}

/// An event line with the customer's message as `text`, the field
/// `firstline report` reads for its "top fallback messages".
fn with_text(event: &firstline::conversation::Event, text: &str) -> String {
    let mut v = serde_json::to_value(event).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("text".into(), text.into());
    }
    v.to_string()
}

enum AgentAction {
    Take,
    Reply(String),
    Release,
}

const AGENT_COOKIE: &str = "firstline_agent";

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

// ---- customer API ---------------------------------------------------------

async fn start_chat(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Result<Response, ApiError> {
    // Behind a proxy the peer is the proxy: no forwarded-for header is
    // trusted here, so such a setup limits new conversations in the proxy.
    let ip = peer.ip().to_string();
    take(
        &app.ip_rate,
        &ip,
        app.limits.new_sessions_burst,
        app.limits.new_sessions_per_minute,
    )
    .map_err(|s| ApiError(StatusCode::TOO_MANY_REQUESTS, "rate_limited", Some(s)))?;
    let id = random_hex(8);
    let secret = random_hex(16);
    let session = Session::new(id.clone());
    app.store
        .create(&id, &secret, &session.to_json(), app.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": format!("{id}.{secret}"), "state": "bot" })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct PollQuery {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    wait: u64,
}

async fn poll(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PollQuery>,
) -> Result<Response, ApiError> {
    let (id, conv) = app.customer(&headers).await?;
    let deadline = Instant::now() + app.limits.poll_wait.min(Duration::from_secs(q.wait));
    let notify = app.notifier(&id);
    let mut state = conv.state;
    loop {
        // Registered before the store is read, so a commit between the read
        // and the wait still wakes this poll.
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let msgs = app.store.messages(&id, q.after).await?;
        let now = Instant::now();
        if !msgs.is_empty() || now >= deadline {
            if !msgs.is_empty() {
                if let Some(c) = app.store.load(&id).await? {
                    state = c.state;
                }
            }
            return Ok(Json(json!({ "messages": msgs, "state": state })).into_response());
        }
        let wait = (deadline - now).min(app.recheck);
        let _ = tokio::time::timeout(wait, notified).await;
    }
}

#[derive(Deserialize)]
struct SendBody {
    text: String,
    #[serde(default)]
    client_id: Option<String>,
}

async fn send(
    State(app): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<SendBody>,
) -> Result<Response, ApiError> {
    let (id, _) = app.customer(&headers).await?;
    let text = body.text.trim();
    if text.is_empty() {
        return Err(ApiError(StatusCode::BAD_REQUEST, "empty_message", None));
    }
    if text.len() > app.limits.message_bytes {
        return Err(ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "message_too_long",
            None,
        ));
    }
    let client_id = body.client_id.filter(|c| {
        !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    // A retried message is not counted twice against the rate limit.
    let retry = match &client_id {
        Some(cid) => app.store.client_seq(&id, cid).await?.is_some(),
        None => false,
    };
    if !retry {
        take(&app.rate, &id, app.limits.burst, app.limits.per_minute)
            .map_err(|s| ApiError(StatusCode::TOO_MANY_REQUESTS, "rate_limited", Some(s)))?;
    }
    let msgs = app.customer_turn(&id, text, client_id).await?;
    let state = app.store.load(&id).await?.map(|c| c.state);
    Ok(Json(json!({ "messages": msgs, "state": state })).into_response())
}

// ---- agents ---------------------------------------------------------------

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

#[derive(Deserialize)]
struct LoginQuery {
    #[serde(default)]
    failed: Option<String>,
}

async fn login_page(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if app.is_agent(&headers) {
        return Redirect::to("/inbox").into_response();
    }
    if q.failed.is_some() {
        return page_owned(LOGIN_HTML.replace(
            "<!--failed-->",
            "<p class=\"error\" role=\"alert\">That token is not right.</p>",
        ));
    }
    page(LOGIN_HTML)
}

async fn login(State(app): State<Shared>, Form(f): Form<LoginForm>) -> Response {
    if !same_secret(f.token.trim(), &app.agent_token) {
        return Redirect::to("/login?failed=1").into_response();
    }
    let mut r = Redirect::to("/inbox").into_response();
    let c = format!(
        "{AGENT_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200",
        app.agent_token
    );
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&c).expect("hex token"),
    );
    r
}

async fn logout() -> Response {
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("firstline_agent=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}

async fn inbox_page(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if !app.is_agent(&headers) {
        return Redirect::to("/login").into_response();
    }
    page(INBOX_HTML)
}

fn require_agent(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    if app.is_agent(headers) {
        Ok(())
    } else {
        Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "agent_login_required",
            None,
        ))
    }
}

async fn inbox_list(State(app): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    require_agent(&app, &headers)?;
    let handoffs = app.store.handoffs().await?;
    Ok(Json(json!({ "handoffs": handoffs })).into_response())
}

fn valid_id(id: &str) -> Result<(), ApiError> {
    if id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ApiError(StatusCode::NOT_FOUND, "no_conversation", None))
    }
}

async fn conversation(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_agent(&app, &headers)?;
    valid_id(&id)?;
    let conv = app.store.load(&id).await?.ok_or(ApiError(
        StatusCode::NOT_FOUND,
        "no_conversation",
        None,
    ))?;
    let handoff = app
        .store
        .handoffs()
        .await?
        .into_iter()
        .find(|h| h.session == id);
    let msgs = app.store.messages(&id, 0).await?;
    Ok(
        Json(json!({ "session": id, "state": conv.state, "handoff": handoff, "messages": msgs }))
            .into_response(),
    )
}

#[derive(Deserialize)]
struct ReplyBody {
    text: String,
}

async fn agent_take(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    agent_action(&app, &headers, &id, AgentAction::Take).await
}

async fn agent_release(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    agent_action(&app, &headers, &id, AgentAction::Release).await
}

/// Take or release: the same checks, one change of the conversation.
async fn agent_action(
    app: &Shared,
    headers: &HeaderMap,
    id: &str,
    action: AgentAction,
) -> Result<Response, ApiError> {
    require_agent(app, headers)?;
    valid_id(id)?;
    app.agent_change(id, action).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn agent_reply(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<ReplyBody>,
) -> Result<Response, ApiError> {
    require_agent(&app, &headers)?;
    valid_id(&id)?;
    let text = body.text.trim();
    if text.is_empty() {
        return Err(ApiError(StatusCode::BAD_REQUEST, "empty_message", None));
    }
    if text.len() > app.limits.message_bytes {
        return Err(ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "message_too_long",
            None,
        ));
    }
    app.agent_change(&id, AgentAction::Reply(text.to_owned()))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn dashboard(State(app): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    if !app.is_agent(&headers) {
        return Ok(Redirect::to("/login").into_response());
    }
    let lines = app.store.events().await?;
    let mut collector = Collector::new(ReportOptions::default());
    for line in &lines {
        // Malformed lines are counted on the page.
        let _ = collector.add_line(line);
    }
    let html = firstline::report::html(&collector.kpis(), "Shop")
        .replacen(
            "<head>",
            "<head><meta http-equiv=\"refresh\" content=\"30\">",
            1,
        )
        .replacen(
            "<body>",
            "<body><p><a href=\"/inbox\">Inbox</a> · <a href=\"/api/agent/events.jsonl\">events.jsonl</a> · refreshes every 30 s</p>",
            1,
        );
    let mut r = page_owned(html);
    // The report page styles itself inline and runs no script.
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DASHBOARD_CSP),
    );
    Ok(r)
}

async fn events_jsonl(State(app): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    require_agent(&app, &headers)?;
    let mut body = app.store.events().await?.join("\n");
    body.push('\n');
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}

// ---- static files -----------------------------------------------------------

const INDEX_HTML: &str = include_str!("../static/index.html");
const LOGIN_HTML: &str = include_str!("../static/login.html");
const INBOX_HTML: &str = include_str!("../static/inbox.html");
const WIDGET_JS: &str = include_str!("../static/widget.js");
const WIDGET_CSS: &str = include_str!("../static/widget.css");
const INBOX_JS: &str = include_str!("../static/inbox.js");
const PAGES_CSS: &str = include_str!("../static/pages.css");

/// The server's own pages run no inline script or style and load nothing
/// from elsewhere.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

/// The dashboard: the report's inline styles, and no script at all.
const DASHBOARD_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                             base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn page(html: &'static str) -> Response {
    page_owned(html.to_owned())
}

fn page_owned(html: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

fn asset(ct: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The router, with its limits and CORS.
fn router(app: Shared, shop_origins: &[String]) -> Router {
    let body_limit = app.limits.body_bytes;
    let mut chat = Router::new()
        .route("/api/chat/start", post(start_chat))
        .route("/api/chat/messages", get(poll).post(send));
    let origins: Vec<HeaderValue> = shop_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    if !origins.is_empty() {
        chat = chat.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
                .max_age(Duration::from_secs(600)),
        );
    }
    Router::new()
        .route("/", get(|| async { page(INDEX_HTML) }))
        .route(
            "/widget.js",
            get(|| async { asset("text/javascript; charset=utf-8", WIDGET_JS) }),
        )
        .route(
            "/widget.css",
            get(|| async { asset("text/css; charset=utf-8", WIDGET_CSS) }),
        )
        .route(
            "/inbox.js",
            get(|| async { asset("text/javascript; charset=utf-8", INBOX_JS) }),
        )
        .route(
            "/pages.css",
            get(|| async { asset("text/css; charset=utf-8", PAGES_CSS) }),
        )
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/inbox", get(inbox_page))
        .route("/dashboard", get(dashboard))
        .route("/api/agent/handoffs", get(inbox_list))
        .route("/api/agent/conversations/{id}", get(conversation))
        .route("/api/agent/conversations/{id}/take", post(agent_take))
        .route("/api/agent/conversations/{id}/reply", post(agent_reply))
        .route("/api/agent/conversations/{id}/release", post(agent_release))
        .route("/api/agent/events.jsonl", get(events_jsonl))
        .merge(chat)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(app)
}

/// Opens the stores, binds the address and serves in a background task.
pub async fn start(opts: Options) -> Result<Server, Box<dyn std::error::Error + Send + Sync>> {
    let db = store::open_sqlite(&opts.db)?;
    {
        let conn = db.lock().unwrap_or_else(|p| p.into_inner());
        orders::seed(&conn)?;
    }
    let (store, recheck) = match &opts.redis {
        Some(url) => (Store::redis(url).await?, Duration::from_secs(1)),
        None => (Store::Sqlite(Arc::clone(&db)), Duration::from_secs(5)),
    };
    let orders = match &opts.orders_url {
        Some(url) => Orders::webhook(url, opts.orders_timeout)?,
        None => Orders::Sqlite(db),
    };
    let app = Arc::new(App {
        bot: opts.bot,
        store,
        orders,
        agent_token: opts.agent_token,
        limits: opts.limits,
        clock: opts.clock,
        turn_locks: Mutex::default(),
        notify: Mutex::default(),
        rate: Mutex::default(),
        ip_rate: Mutex::default(),
        recheck,
    });
    let listener = tokio::net::TcpListener::bind(opts.addr).await?;
    let addr = listener.local_addr()?;
    let router = router(app, &opts.shop_origins);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            eprintln!("server error: {e}");
        }
    });
    Ok(Server {
        addr,
        shutdown: Some(tx),
        task,
    })
}

/// A fresh random agent token (32 hex digits).
pub fn new_agent_token() -> String {
    random_hex(16)
}
