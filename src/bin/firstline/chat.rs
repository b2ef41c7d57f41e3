//! `firstline chat`: talk to the bot on stdin, with a demo order store.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};

use firstline::conversation::{Bot, LookupResult, Order, OrderStore, Outcome, Session};

use crate::engine::{demo_orders, DEMO_PHONE};
use crate::rules::Rules;

pub fn run(rules: &Rules, plain: bool, now: Option<i64>) -> u8 {
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
    let store: BTreeMap<String, Order> = demo_orders()
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let interactive = std::io::stdin().is_terminal();
    if !plain {
        eprintln!("firstline chat: type a message, Ctrl-D to quit.");
        eprintln!(
            "demo orders (phone {DEMO_PHONE}): {}",
            store
                .values()
                .map(|o| format!("{} {}", o.id, o.status))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut session = Session::new("firstline-chat");
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut lines = std::io::stdin().lock().lines();
    loop {
        if interactive {
            let _ = write!(out, "> ");
            let _ = out.flush();
        }
        let Some(Ok(line)) = lines.next() else { break };
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let t = now.unwrap_or_else(clock);
        let turn = bot.handle_message(&mut session, line, t);
        let mut events = turn.events;
        let mut outcome = turn.outcome;
        for _ in 0..4 {
            let Outcome::LookupOrder { order_id } = &outcome else {
                break;
            };
            let result = LookupResult::from(store.lookup(order_id));
            if !plain {
                let found = match &result {
                    LookupResult::Found(o) => format!("found, {}", o.status),
                    LookupResult::NotFound => "not found".to_string(),
                    _ => "failed".to_string(),
                };
                let _ = writeln!(out, "  (looking up {order_id}: {found})");
            }
            let next = bot.handle_lookup(&mut session, result, t);
            events.extend(next.events);
            outcome = next.outcome;
        }
        let text = outcome.text().unwrap_or("").to_string();
        if plain {
            let _ = writeln!(out, "{text}");
            continue;
        }
        let ev = events.first();
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
