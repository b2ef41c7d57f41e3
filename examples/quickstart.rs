//! The README's embedding example: one customer turn on the shipped pack,
//! with the order lookup the host performs.
//!
//! `cargo run --example quickstart`

use firstline::conversation::{Bot, LookupResult, Order, OrderStatus, Outcome, Session};

fn main() {
    // Build once at start-up and share: Bot is Clone + Send + Sync.
    let bot: Bot = firstline::pack::bot();
    // One session per customer; keep `session.to_json()` in memory, Redis or a DB.
    let mut session = Session::new("chat-42");
    let now = 1_764_000_000; // seconds, from the host's clock: the library reads none

    // The order id and, for the ownership check, the phone's last 4 digits.
    let turn = bot.handle_message(
        &mut session,
        "đơn DH123456 của em tới đâu rồi ạ? sđt đuôi 5678",
        now,
    );
    let mut events = turn.events; // keep every step's event, the message's included
    let mut outcome = turn.outcome;
    // The bot needs the order: look it up however you like (DB, HTTP, async).
    while let Outcome::LookupOrder { order_id } = &outcome {
        let order = Order::new(order_id.as_str(), OrderStatus::Shipped).phone("0912345678");
        let next = bot.handle_lookup(&mut session, LookupResult::Found(order), now);
        events.extend(next.events);
        outcome = next.outcome;
    }
    match &outcome {
        Outcome::Reply { text, .. } => println!("bot: {text}"),
        Outcome::Handoff { reply, summary, .. } => {
            println!("bot: {reply}\nfor the agent: {}", summary.to_json())
        }
        _ => {}
    }
    for event in &events {
        eprintln!("{}", event.to_json_line()); // one JSON line per step, for analytics
    }
}
