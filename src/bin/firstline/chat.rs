//! `firstline chat`: talk to the bot, with a demo order store.
//!
//! On a terminal, lines are read with a line editor (arrows, history);
//! otherwise stdin is read line by line, and a line that is not valid UTF-8
//! is repaired (invalid bytes become U+FFFD) rather than ending the chat.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use firstline::conversation::{
    Bot, LookupError, LookupResult, Order, OrderStatus, OrderStore, Outcome, Session,
};
use serde::Deserialize;

use crate::engine::{demo_orders, DEMO_PHONE};
use crate::rules::Rules;

/// `chat`'s options.
pub struct Options {
    pub plain: bool,
    pub now: Option<i64>,
    pub events: Option<PathBuf>,
    pub orders: Option<PathBuf>,
}

const HELP: &str = "commands: /reset starts a new conversation, /explain explains the last message, /help shows this";

/// The demo order store: the built-in orders or a shop's own file. Ids are
/// compared the way the `order_id` normaliser writes them (letters and
/// digits, upper case), so `hs-240001` in the file finds `HS240001`.
struct Store {
    orders: BTreeMap<String, Order>,
}

fn key(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

impl OrderStore for Store {
    fn lookup(&self, order_id: &str) -> Result<Option<Order>, LookupError> {
        Ok(self.orders.get(&key(order_id)).cloned())
    }
}

/// One order of an `--orders` file (the same keys as a script's `orders:`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderDef {
    id: String,
    #[serde(default)]
    status: Option<OrderStatus>,
    #[serde(default)]
    carrier: Option<String>,
    #[serde(default)]
    tracking: Option<String>,
    #[serde(default)]
    eta: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OrdersFile {
    List(Vec<OrderDef>),
    Map { orders: Vec<OrderDef> },
}

impl Store {
    fn demo() -> Store {
        Store::from_orders(demo_orders())
    }

    fn from_orders(orders: Vec<Order>) -> Store {
        Store {
            orders: orders.into_iter().map(|o| (key(&o.id), o)).collect(),
        }
    }

    /// Reads a YAML or JSON list of orders (or `orders: [...]`).
    fn load(path: &Path) -> Result<Store, String> {
        let name = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let defs = match serde_yaml::from_str::<OrdersFile>(&text) {
            Ok(OrdersFile::List(d)) | Ok(OrdersFile::Map { orders: d }) => d,
            Err(_) => {
                // The untagged enum hides the real error: parse as a list
                // again for a located message.
                let e = serde_yaml::from_str::<Vec<OrderDef>>(&text)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "not a list of orders".to_string());
                return Err(format!(
                    "{name}: {e}\n  = help: write a list of orders, each with `id`, `status` \
                     (pending, confirmed, packed, shipped, in_transit, delivered, cancelled, \
                     returned, refunded) and optionally carrier, tracking, eta, phone, email"
                ));
            }
        };
        if defs.is_empty() {
            return Err(format!("{name}: no orders in the file"));
        }
        let orders = defs
            .into_iter()
            .map(|d| {
                let mut o = Order::new(d.id, d.status.unwrap_or(OrderStatus::Pending));
                o.carrier = d.carrier;
                o.tracking = d.tracking;
                o.eta = d.eta;
                o.phone = d.phone;
                o.email = d.email;
                o
            })
            .collect();
        Ok(Store::from_orders(orders))
    }
}

/// Where the lines come from.
enum Input {
    Editor(Box<rustyline::DefaultEditor>),
    Pipe(std::io::StdinLock<'static>, usize),
}

impl Input {
    fn open() -> Input {
        if std::io::stdin().is_terminal() {
            if let Ok(ed) = rustyline::DefaultEditor::new() {
                return Input::Editor(Box::new(ed));
            }
        }
        Input::Pipe(std::io::stdin().lock(), 0)
    }

    /// The next line, or `None` at the end of input.
    fn next_line(&mut self) -> Option<String> {
        match self {
            Input::Editor(ed) => loop {
                match ed.readline("> ") {
                    Ok(line) => {
                        if !line.trim().is_empty() {
                            let _ = ed.add_history_entry(line.as_str());
                        }
                        return Some(line);
                    }
                    // Ctrl-C drops the line being typed; Ctrl-D ends.
                    Err(rustyline::error::ReadlineError::Interrupted) => continue,
                    Err(_) => return None,
                }
            },
            Input::Pipe(stdin, n) => {
                let mut buf = Vec::new();
                match stdin.read_until(b'\n', &mut buf) {
                    Ok(0) => None,
                    Ok(_) => {
                        *n += 1;
                        let line = String::from_utf8_lossy(&buf);
                        if let std::borrow::Cow::Owned(_) = line {
                            eprintln!(
                                "note: line {n} is not valid UTF-8; its invalid bytes were replaced with U+FFFD"
                            );
                        }
                        Some(line.into_owned())
                    }
                    Err(e) => {
                        eprintln!("error: cannot read stdin: {e}");
                        None
                    }
                }
            }
        }
    }
}

/// The event log of `--events`: one JSON line per event, message events
/// with the customer's `text` (so `report` can list top fallback messages).
struct Events {
    out: BufWriter<File>,
    path: PathBuf,
}

impl Events {
    fn write(&mut self, events: &[firstline::conversation::Event], text: &str) -> bool {
        for e in events {
            let mut v = serde_json::to_value(e).unwrap_or(serde_json::Value::Null);
            if let Some(o) = v.as_object_mut() {
                if o.get("input").and_then(|i| i.as_str()) == Some("message") {
                    o.insert("text".into(), text.into());
                }
            }
            if writeln!(self.out, "{v}").is_err() {
                return false;
            }
        }
        self.out.flush().is_ok()
    }
}

pub fn run(rules: &Rules, opts: &Options) -> u8 {
    let m = match crate::load(rules) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let bot = match Bot::new(m) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return crate::FAIL;
        }
    };
    let store = match &opts.orders {
        None => Store::demo(),
        Some(p) => match Store::load(p) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return crate::BAD_INPUT;
            }
        },
    };
    let mut events = match &opts.events {
        None => None,
        Some(p) => match File::create(p) {
            Ok(f) => Some(Events {
                out: BufWriter::new(f),
                path: p.clone(),
            }),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", p.display());
                return crate::BAD_INPUT;
            }
        },
    };
    let mut input = Input::open();
    if !opts.plain {
        eprintln!("firstline chat: type a message, Ctrl-D to quit. {HELP}.");
        let list = store
            .orders
            .values()
            .map(|o| format!("{} {}", o.id, o.status))
            .collect::<Vec<_>>()
            .join(", ");
        match &opts.orders {
            None => eprintln!("demo orders (phone {DEMO_PHONE}): {list}"),
            Some(p) => eprintln!("orders from {}: {list}", p.display()),
        }
    }
    let mut conversation = 1;
    let mut session = Session::new("firstline-chat-1");
    let mut last_message: Option<String> = None;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    while let Some(raw) = input.next_line() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        match line.trim() {
            "/reset" => {
                conversation += 1;
                session = Session::new(format!("firstline-chat-{conversation}"));
                last_message = None;
                if !opts.plain {
                    let _ = writeln!(out, "  (new conversation)");
                }
                continue;
            }
            "/explain" => {
                match &last_message {
                    Some(msg) => {
                        let handoff = crate::engine::handoff_reason(bot.matcher(), msg);
                        let ex = bot.matcher().explain(msg);
                        let _ = write!(
                            out,
                            "{}",
                            crate::explain::render(msg, &ex, handoff.as_deref())
                        );
                    }
                    None => {
                        let _ = writeln!(out, "  (no message to explain yet)");
                    }
                }
                continue;
            }
            "/help" => {
                let _ = writeln!(out, "  {HELP}");
                continue;
            }
            _ => {}
        }
        last_message = Some(line.to_string());
        let t = opts.now.unwrap_or_else(clock);
        let turn = bot.handle_message(&mut session, line, t);
        let mut turn_events = turn.events;
        let mut outcome = turn.outcome;
        for _ in 0..4 {
            let Outcome::LookupOrder { order_id } = &outcome else {
                break;
            };
            let result = LookupResult::from(store.lookup(order_id));
            if !opts.plain {
                let found = match &result {
                    LookupResult::Found(o) => format!("found, {}", o.status),
                    LookupResult::NotFound => "not found".to_string(),
                    _ => "failed".to_string(),
                };
                let _ = writeln!(out, "  (looking up {order_id}: {found})");
            }
            let next = bot.handle_lookup(&mut session, result, t);
            turn_events.extend(next.events);
            outcome = next.outcome;
        }
        if let Some(ev) = &mut events {
            if !ev.write(&turn_events, line) {
                eprintln!("error: cannot write {}", ev.path.display());
                return crate::BAD_INPUT;
            }
        }
        let text = outcome.text().unwrap_or("").to_string();
        if opts.plain {
            let _ = writeln!(out, "{text}");
            continue;
        }
        let ev = turn_events.first();
        let tag = match (ev.and_then(|e| e.intent.as_deref()), ev) {
            (Some(i), Some(e)) => format!("{i} {:.2}", e.confidence),
            (None, Some(e)) => format!("no intent {:.2}", e.confidence),
            _ => "no intent".to_string(),
        };
        let _ = writeln!(out, "bot [{tag}]: {text}");
        match &outcome {
            Outcome::Reply { quick_replies, .. } if !quick_replies.is_empty() => {
                let _ = writeln!(out, "  buttons: {}", quick_replies.join(" | "));
            }
            Outcome::Handoff {
                reason, priority, ..
            } => {
                let _ = writeln!(out, "  (handed off: {reason}, priority {priority:?})");
            }
            _ => {}
        }
    }
    0
}

fn clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
