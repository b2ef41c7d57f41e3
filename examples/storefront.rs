//! A terminal storefront chat on the shipped rules.
//!
//! Type as a customer would, in Vietnamese or English; the example plays the
//! host: it keeps the session (as JSON, like a web server would), answers
//! order lookups from an in-memory store and prints handoffs for the agent.
//! Reads stdin until EOF, so it can be driven by a pipe:
//!
//! ```text
//! cargo run --example storefront
//! printf 'đơn hàng của em đâu rồi\nDH100004\n5678\n' | cargo run --example storefront
//! cargo run --example storefront -- --events     # JSON events on stderr
//! cargo run --example storefront -- --at 23:30   # pretend it is 23:30 in the shop
//! ```

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use firstline::conversation::{
    Bot, LookupError, LookupResult, Order, OrderStatus, OrderStore, Outcome, Session,
};

/// The shop's order system, in memory. `DH100099` is "down".
struct Store {
    orders: BTreeMap<String, Order>,
}

impl Store {
    fn demo() -> Store {
        let mut orders = BTreeMap::new();
        let mut add = |o: Order| {
            orders.insert(o.id.clone(), o);
        };
        for (i, status) in OrderStatus::ALL.into_iter().enumerate() {
            let n = i as u32 + 1;
            // Every demo order was placed from a phone ending in 5678.
            let mut o = Order::new(format!("DH10000{n}"), status).phone(format!("09{n}2345678"));
            if matches!(status, OrderStatus::Shipped | OrderStatus::InTransit) {
                o = o
                    .carrier("GHN")
                    .tracking(format!("GHN88{n}2024VN"))
                    .eta("28/11");
            }
            add(o);
        }
        Store { orders }
    }
}

impl OrderStore for Store {
    fn lookup(&self, order_id: &str) -> Result<Option<Order>, LookupError> {
        if order_id == "DH100099" {
            return Err(LookupError::timeout());
        }
        Ok(self.orders.get(order_id).cloned())
    }
}

fn now(at: Option<(i64, i64)>) -> i64 {
    let real = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    match at {
        // Shop time is UTC+7 in the shipped pack: move to that minute today.
        Some((h, m)) => {
            let local = real + 7 * 3600;
            let midnight = local - local.rem_euclid(86_400);
            midnight + h * 3600 + m * 60 - 7 * 3600
        }
        None => real,
    }
}

fn parse_at(s: &str) -> Option<(i64, i64)> {
    let (h, m) = s.split_once(':')?;
    Some((h.parse().ok()?, m.parse().ok()?))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_events = args.iter().any(|a| a == "--events");
    let at = args
        .iter()
        .position(|a| a == "--at")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| parse_at(s));

    let bot = Bot::new(firstline::pack::matcher())?;
    let store = Store::demo();

    println!("firstline storefront. Orders (last 4 phone digits for the ownership check):");
    for o in store.orders.values() {
        let last4 = o.phone.as_deref().map(|p| &p[p.len() - 4..]).unwrap_or("-");
        println!("  {}  {:<10}  phone ...{last4}", o.id, o.status.code());
    }
    println!("  DH100099  (the order system times out)\nType a message; Ctrl-D to quit.\n");

    // The host keeps only the JSON between messages.
    let mut saved = Session::new("storefront-1").to_json();
    let stdin = io::stdin();
    let mut out = io::stdout();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        println!("you> {line}");
        let mut session = Session::from_json(&saved)?;
        let t = now(at);
        let mut turn = bot.handle_message(&mut session, &line, t);
        let mut events = std::mem::take(&mut turn.events);
        let mut outcome = turn.outcome;
        // The lookup round trip, done by the host.
        while let Outcome::LookupOrder { order_id } = &outcome {
            println!("     [host: looking up {order_id}]");
            let result = LookupResult::from(store.lookup(order_id));
            let next = bot.handle_lookup(&mut session, result, t);
            events.extend(next.events);
            outcome = next.outcome;
        }
        match &outcome {
            Outcome::Reply {
                text,
                quick_replies,
                ..
            } => {
                println!("bot> {text}");
                if !quick_replies.is_empty() {
                    println!("     [{}]", quick_replies.join("] ["));
                }
            }
            Outcome::Handoff {
                reason,
                priority,
                summary,
                reply,
            } => {
                println!("bot> {reply}");
                println!("     [handoff: {reason}, priority {priority}]");
                println!("     [agent sees: {}]", summary.to_json());
            }
            other => println!("     [{other:?}]"),
        }
        if show_events {
            for e in &events {
                eprintln!("{}", e.to_json_line());
            }
        }
        if session.is_handed_off() {
            println!("     [an agent takes over; the bot steps back in for this demo]");
            session.release();
        }
        saved = session.to_json();
        out.flush()?;
    }
    Ok(())
}
