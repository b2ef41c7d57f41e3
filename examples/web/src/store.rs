//! Where conversations live: SQLite (a file beside the server) or Redis.
//!
//! A conversation is a row with the bot's `Session` JSON, a version number
//! and a state (`bot`, `waiting` for an agent, `agent` talking), plus its
//! transcript, an optional handoff record for the inbox, and the event
//! lines of every turn. A turn is written in one atomic [`Store::commit`]
//! that succeeds only if the version is still the one the turn started
//! from, so two server instances sharing Redis never overwrite each other's
//! turns: the loser retries on the fresh session.

use std::path::Path;
use std::sync::{Arc, Mutex};

use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

/// A storage error (SQLite or Redis), as text for the logs.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(format!("sqlite: {e}"))
    }
}

impl From<redis::RedisError> for StoreError {
    fn from(e: redis::RedisError) -> Self {
        StoreError(format!("redis: {e}"))
    }
}

impl From<tokio::task::JoinError> for StoreError {
    fn from(e: tokio::task::JoinError) -> Self {
        StoreError(format!("storage task: {e}"))
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// Who is answering the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The bot answers.
    Bot,
    /// Handed off; the bot says an agent will reply until one takes it.
    Waiting,
    /// An agent took it: customer messages go to the agent only.
    Agent,
}

impl State {
    fn code(self) -> &'static str {
        match self {
            State::Bot => "bot",
            State::Waiting => "waiting",
            State::Agent => "agent",
        }
    }

    fn parse(s: &str) -> State {
        match s {
            "waiting" => State::Waiting,
            "agent" => State::Agent,
            _ => State::Bot,
        }
    }
}

/// One stored conversation.
#[derive(Clone, Debug)]
pub struct Conversation {
    /// The customer's secret (the second half of their token).
    pub secret: String,
    /// `Session::to_json()`.
    pub json: String,
    /// Bumped by every commit.
    pub version: i64,
    /// Who answers.
    pub state: State,
}

/// Who wrote a transcript line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    /// The customer.
    Customer,
    /// The bot.
    Bot,
    /// A human agent.
    Agent,
    /// The server (an agent joined or left).
    System,
}

impl Sender {
    fn code(self) -> &'static str {
        match self {
            Sender::Customer => "customer",
            Sender::Bot => "bot",
            Sender::Agent => "agent",
            Sender::System => "system",
        }
    }

    fn parse(s: &str) -> Sender {
        match s {
            "customer" => Sender::Customer,
            "agent" => Sender::Agent,
            "system" => Sender::System,
            _ => Sender::Bot,
        }
    }
}

/// A transcript line as the widget and the inbox get it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// 1, 2, 3... within the conversation: the widget's cursor.
    pub seq: i64,
    /// Who wrote it.
    pub from: Sender,
    /// Plain text. Clients insert it with `textContent`, never as HTML.
    pub text: String,
    /// Buttons offered with a bot reply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<String>,
    /// Unix seconds.
    pub ts: i64,
}

/// A transcript line to append.
#[derive(Clone, Debug)]
pub struct NewMessage {
    /// Who wrote it.
    pub from: Sender,
    /// Plain text.
    pub text: String,
    /// Buttons offered with a bot reply.
    pub quick_replies: Vec<String>,
    /// The widget's id for a customer message, so a message re-sent after
    /// a network drop is stored once.
    pub client_id: Option<String>,
}

/// What a commit does to the conversation's handoff record.
#[derive(Clone, Debug)]
pub enum HandoffChange {
    /// A new handoff: the summary JSON, reason and priority.
    Open {
        /// `HandoffSummary::to_json()`.
        summary: String,
        /// Reason code.
        reason: String,
        /// Priority code.
        priority: String,
    },
    /// An agent took it.
    Taken,
    /// The agent gave the conversation back to the bot.
    Closed,
}

/// A handoff as the inbox lists it.
#[derive(Clone, Debug, Serialize)]
pub struct Handoff {
    /// The conversation id.
    pub session: String,
    /// `HandoffSummary` as JSON.
    pub summary: serde_json::Value,
    /// Reason code.
    pub reason: String,
    /// Priority code.
    pub priority: String,
    /// `open`, `taken` or `closed`.
    pub state: String,
    /// When it was handed off (unix seconds).
    pub ts: i64,
}

/// One atomic write: the session after a turn and what the turn produced.
#[derive(Clone, Debug)]
pub struct Commit {
    /// Conversation id.
    pub id: String,
    /// The version the turn started from.
    pub expect: i64,
    /// The session after the turn.
    pub json: String,
    /// Who answers next.
    pub state: State,
    /// Transcript lines to append.
    pub messages: Vec<NewMessage>,
    /// Event lines to append.
    pub events: Vec<String>,
    /// The handoff record change.
    pub handoff: Option<HandoffChange>,
    /// Unix seconds.
    pub now: i64,
}

/// Sessions, transcripts, handoffs and events.
#[derive(Clone)]
pub enum Store {
    /// A SQLite file (one connection; SQLite serialises writes anyway).
    Sqlite(Arc<Mutex<Connection>>),
    /// A Redis server shared by several instances.
    Redis(ConnectionManager),
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, secret TEXT NOT NULL, json TEXT NOT NULL,
  v INTEGER NOT NULL, state TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  session TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL, text TEXT NOT NULL,
  quick TEXT NOT NULL, ts INTEGER NOT NULL, client_id TEXT, PRIMARY KEY (session, seq));
CREATE UNIQUE INDEX IF NOT EXISTS messages_client ON messages (session, client_id)
  WHERE client_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS handoffs (
  session TEXT PRIMARY KEY, summary TEXT NOT NULL, reason TEXT NOT NULL, priority TEXT NOT NULL,
  state TEXT NOT NULL, ts INTEGER NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, line TEXT NOT NULL);
";

/// Opens (and creates) the SQLite file with the schema.
pub fn open_sqlite(path: &Path) -> Result<Arc<Mutex<Connection>>> {
    let conn = Connection::open(path)?;
    conn.execute_batch(SCHEMA)?;
    Ok(Arc::new(Mutex::new(conn)))
}

/// Runs `f` on the SQLite connection off the async threads.
pub async fn with_sqlite<T, F>(db: &Arc<Mutex<Connection>>, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
{
    let db = Arc::clone(db);
    tokio::task::spawn_blocking(move || {
        let mut conn = db.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    })
    .await?
}

/// The commit as one Lua script, so it is atomic on the Redis server.
/// KEYS: session hash, transcript list, client-id hash, events list,
/// handoff hash, handoff set. ARGV: expected version, payload JSON.
const COMMIT_LUA: &str = r#"
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -2 end
if tonumber(v) ~= tonumber(ARGV[1]) then return -1 end
local c = cjson.decode(ARGV[2])
redis.call('HSET', KEYS[1], 'json', c.json, 'v', tonumber(v) + 1, 'state', c.state, 'updated', c.now)
local base = redis.call('LLEN', KEYS[2])
for i, m in ipairs(c.msgs) do
  redis.call('RPUSH', KEYS[2], m.raw)
  if m.cid ~= '' then redis.call('HSET', KEYS[3], m.cid, base + i) end
end
for _, e in ipairs(c.events) do redis.call('RPUSH', KEYS[4], e) end
if c.h == 'open' then
  redis.call('DEL', KEYS[5])
  redis.call('HSET', KEYS[5], 'summary', c.summary, 'reason', c.reason, 'priority', c.priority,
    'state', 'open', 'ts', c.now, 'updated', c.now)
  redis.call('SADD', KEYS[6], c.id)
elseif c.h ~= '' and redis.call('EXISTS', KEYS[5]) == 1 then
  redis.call('HSET', KEYS[5], 'state', c.h, 'updated', c.now)
end
return base
"#;

fn rk(kind: &str, id: &str) -> String {
    format!("firstline:{kind}:{id}")
}

const EVENTS_KEY: &str = "firstline:events";
const HANDOFFS_KEY: &str = "firstline:handoffs";

#[derive(Serialize, Deserialize)]
struct StoredMessage {
    from: Sender,
    text: String,
    #[serde(default)]
    quick_replies: Vec<String>,
    ts: i64,
}

impl Store {
    /// Connects to Redis (`redis://127.0.0.1:6379/0`).
    pub async fn redis(url: &str) -> Result<Store> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(Store::Redis(conn))
    }

    /// Creates a conversation.
    pub async fn create(&self, id: &str, secret: &str, json: &str, now: i64) -> Result<()> {
        match self {
            Store::Sqlite(db) => {
                let (id, secret, json) = (id.to_owned(), secret.to_owned(), json.to_owned());
                with_sqlite(db, move |c| {
                    c.execute(
                        "INSERT INTO sessions (id, secret, json, v, state, created, updated)
                         VALUES (?1, ?2, ?3, 0, 'bot', ?4, ?4)",
                        params![id, secret, json, now],
                    )?;
                    Ok(())
                })
                .await
            }
            Store::Redis(conn) => {
                let mut conn = conn.clone();
                let created: bool = redis::cmd("HSETNX")
                    .arg(rk("s", id))
                    .arg("secret")
                    .arg(secret)
                    .query_async(&mut conn)
                    .await?;
                if !created {
                    return Err(StoreError("session id collision".into()));
                }
                let _: () = conn
                    .hset_multiple(
                        rk("s", id),
                        &[
                            ("json", json.to_owned()),
                            ("v", "0".to_owned()),
                            ("state", "bot".to_owned()),
                            ("created", now.to_string()),
                            ("updated", now.to_string()),
                        ],
                    )
                    .await?;
                Ok(())
            }
        }
    }

    /// Loads a conversation.
    pub async fn load(&self, id: &str) -> Result<Option<Conversation>> {
        match self {
            Store::Sqlite(db) => {
                let id = id.to_owned();
                with_sqlite(db, move |c| {
                    Ok(c.query_row(
                        "SELECT secret, json, v, state FROM sessions WHERE id = ?1",
                        params![id],
                        |r| {
                            Ok(Conversation {
                                secret: r.get(0)?,
                                json: r.get(1)?,
                                version: r.get(2)?,
                                state: State::parse(&r.get::<_, String>(3)?),
                            })
                        },
                    )
                    .optional()?)
                })
                .await
            }
            Store::Redis(conn) => {
                let mut conn = conn.clone();
                let h: std::collections::HashMap<String, String> =
                    conn.hgetall(rk("s", id)).await?;
                let (Some(secret), Some(json), Some(v)) =
                    (h.get("secret"), h.get("json"), h.get("v"))
                else {
                    return Ok(None);
                };
                Ok(Some(Conversation {
                    secret: secret.clone(),
                    json: json.clone(),
                    version: v.parse().unwrap_or(0),
                    state: State::parse(h.get("state").map(String::as_str).unwrap_or("bot")),
                }))
            }
        }
    }

    /// The sequence number of a customer message already stored under
    /// `client_id`, if any.
    pub async fn client_seq(&self, id: &str, client_id: &str) -> Result<Option<i64>> {
        match self {
            Store::Sqlite(db) => {
                let (id, cid) = (id.to_owned(), client_id.to_owned());
                with_sqlite(db, move |c| {
                    Ok(c.query_row(
                        "SELECT seq FROM messages WHERE session = ?1 AND client_id = ?2",
                        params![id, cid],
                        |r| r.get(0),
                    )
                    .optional()?)
                })
                .await
            }
            Store::Redis(conn) => {
                let mut conn = conn.clone();
                Ok(conn.hget(rk("c", id), client_id).await?)
            }
        }
    }

    /// Writes a turn if the conversation is still at `expect`. Returns the
    /// sequence number of the first appended message, or `None` when
    /// another turn got there first.
    pub async fn commit(&self, c: Commit) -> Result<Option<i64>> {
        match self {
            Store::Sqlite(db) => with_sqlite(db, move |conn| sqlite_commit(conn, &c)).await,
            Store::Redis(conn) => {
                let mut conn = conn.clone();
                let msgs: Vec<serde_json::Value> = c
                    .messages
                    .iter()
                    .map(|m| {
                        let raw = serde_json::to_string(&StoredMessage {
                            from: m.from,
                            text: m.text.clone(),
                            quick_replies: m.quick_replies.clone(),
                            ts: c.now,
                        })
                        .expect("a message serializes");
                        serde_json::json!({"raw": raw, "cid": m.client_id.clone().unwrap_or_default()})
                    })
                    .collect();
                let (h, summary, reason, priority) = match &c.handoff {
                    None => ("", "", "", ""),
                    Some(HandoffChange::Open {
                        summary,
                        reason,
                        priority,
                    }) => ("open", summary.as_str(), reason.as_str(), priority.as_str()),
                    Some(HandoffChange::Taken) => ("taken", "", "", ""),
                    Some(HandoffChange::Closed) => ("closed", "", "", ""),
                };
                let payload = serde_json::json!({
                    "id": c.id, "json": c.json, "state": c.state.code(), "now": c.now,
                    "msgs": msgs, "events": c.events, "h": h, "summary": summary,
                    "reason": reason, "priority": priority,
                });
                let r: i64 = redis::Script::new(COMMIT_LUA)
                    .key(rk("s", &c.id))
                    .key(rk("m", &c.id))
                    .key(rk("c", &c.id))
                    .key(EVENTS_KEY)
                    .key(rk("h", &c.id))
                    .key(HANDOFFS_KEY)
                    .arg(c.expect)
                    .arg(payload.to_string())
                    .invoke_async(&mut conn)
                    .await?;
                match r {
                    -2 => Err(StoreError(format!("no conversation {}", c.id))),
                    -1 => Ok(None),
                    base => Ok(Some(base + 1)),
                }
            }
        }
    }

    /// Transcript lines after `after` (0 for all), oldest first.
    pub async fn messages(&self, id: &str, after: i64) -> Result<Vec<Message>> {
        let after = after.max(0);
        match self {
            Store::Sqlite(db) => {
                let id = id.to_owned();
                with_sqlite(db, move |c| {
                    let mut st = c.prepare_cached(
                        "SELECT seq, sender, text, quick, ts FROM messages
                         WHERE session = ?1 AND seq > ?2 ORDER BY seq LIMIT 500",
                    )?;
                    let rows = st.query_map(params![id, after], |r| {
                        let quick: String = r.get(3)?;
                        Ok(Message {
                            seq: r.get(0)?,
                            from: Sender::parse(&r.get::<_, String>(1)?),
                            text: r.get(2)?,
                            quick_replies: serde_json::from_str(&quick).unwrap_or_default(),
                            ts: r.get(4)?,
                        })
                    })?;
                    Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
                })
                .await
            }
            Store::Redis(conn) => {
                let mut conn = conn.clone();
                let raw: Vec<String> = conn
                    .lrange(rk("m", id), after as isize, after as isize + 499)
                    .await?;
                Ok(raw
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| {
                        let m: StoredMessage = serde_json::from_str(r).ok()?;
                        Some(Message {
                            seq: after + 1 + i as i64,
                            from: m.from,
                            text: m.text,
                            quick_replies: m.quick_replies,
                            ts: m.ts,
                        })
                    })
                    .collect())
            }
        }
    }

    /// Every handoff (open, taken and closed), most urgent and oldest first.
    pub async fn handoffs(&self) -> Result<Vec<Handoff>> {
        let mut out = match self {
            Store::Sqlite(db) => {
                with_sqlite(db, move |c| {
                    let mut st = c.prepare_cached(
                        "SELECT session, summary, reason, priority, state, ts FROM handoffs",
                    )?;
                    let rows = st.query_map([], |r| {
                        Ok(Handoff {
                            session: r.get(0)?,
                            summary: serde_json::from_str(&r.get::<_, String>(1)?)
                                .unwrap_or_default(),
                            reason: r.get(2)?,
                            priority: r.get(3)?,
                            state: r.get(4)?,
                            ts: r.get(5)?,
                        })
                    })?;
                    Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
                })
                .await?
            }
            Store::Redis(conn) => {
                let mut conn = conn.clone();
                let ids: Vec<String> = conn.smembers(HANDOFFS_KEY).await?;
                let mut out = Vec::new();
                for id in ids {
                    let h: std::collections::HashMap<String, String> =
                        conn.hgetall(rk("h", &id)).await?;
                    let get = |k: &str| h.get(k).cloned().unwrap_or_default();
                    out.push(Handoff {
                        summary: serde_json::from_str(&get("summary")).unwrap_or_default(),
                        reason: get("reason"),
                        priority: get("priority"),
                        state: get("state"),
                        ts: get("ts").parse().unwrap_or(0),
                        session: id,
                    });
                }
                out
            }
        };
        let rank = |p: &str| match p {
            "urgent" => 0,
            "high" => 1,
            "normal" => 2,
            _ => 3,
        };
        let open = |s: &str| match s {
            "open" => 0,
            "taken" => 1,
            _ => 2,
        };
        out.sort_by(|a, b| {
            (open(&a.state), rank(&a.priority), a.ts, &a.session).cmp(&(
                open(&b.state),
                rank(&b.priority),
                b.ts,
                &b.session,
            ))
        });
        Ok(out)
    }

    /// Every stored event line, oldest first.
    pub async fn events(&self) -> Result<Vec<String>> {
        match self {
            Store::Sqlite(db) => {
                with_sqlite(db, move |c| {
                    let mut st = c.prepare_cached("SELECT line FROM events ORDER BY id")?;
                    let rows = st.query_map([], |r| r.get(0))?;
                    Ok(rows.collect::<std::result::Result<Vec<String>, _>>()?)
                })
                .await
            }
            Store::Redis(conn) => {
                let mut conn = conn.clone();
                Ok(conn.lrange(EVENTS_KEY, 0, -1).await?)
            }
        }
    }
}

fn sqlite_commit(conn: &mut Connection, c: &Commit) -> Result<Option<i64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let v: Option<i64> = tx
        .query_row("SELECT v FROM sessions WHERE id = ?1", params![c.id], |r| {
            r.get(0)
        })
        .optional()?;
    match v {
        None => return Err(StoreError(format!("no conversation {}", c.id))),
        Some(v) if v != c.expect => return Ok(None),
        Some(_) => {}
    }
    tx.execute(
        "UPDATE sessions SET json = ?2, v = v + 1, state = ?3, updated = ?4 WHERE id = ?1",
        params![c.id, c.json, c.state.code(), c.now],
    )?;
    let base: i64 = tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE session = ?1",
        params![c.id],
        |r| r.get(0),
    )?;
    for (i, m) in c.messages.iter().enumerate() {
        tx.execute(
            "INSERT INTO messages (session, seq, sender, text, quick, ts, client_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                c.id,
                base + 1 + i as i64,
                m.from.code(),
                m.text,
                serde_json::to_string(&m.quick_replies).expect("strings serialize"),
                c.now,
                m.client_id
            ],
        )?;
    }
    for e in &c.events {
        tx.execute("INSERT INTO events (line) VALUES (?1)", params![e])?;
    }
    match &c.handoff {
        None => {}
        Some(HandoffChange::Open {
            summary,
            reason,
            priority,
        }) => {
            tx.execute(
                "INSERT OR REPLACE INTO handoffs (session, summary, reason, priority, state, ts, updated)
                 VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?5)",
                params![c.id, summary, reason, priority, c.now],
            )?;
        }
        Some(change) => {
            let state = if matches!(change, HandoffChange::Taken) {
                "taken"
            } else {
                "closed"
            };
            tx.execute(
                "UPDATE handoffs SET state = ?2, updated = ?3 WHERE session = ?1",
                params![c.id, state, c.now],
            )?;
        }
    }
    tx.commit()?;
    Ok(Some(base + 1))
}
