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

    let mut turn = bot.handle_message(&mut session, "đơn DH123456 của em tới đâu rồi ạ?", now);
    loop {
        match &turn.outcome {
            // The bot needs the order: look it up however you like (DB, HTTP, async).
            Outcome::LookupOrder { order_id } => {
                let order = Order::new(order_id.as_str(), OrderStatus::Shipped).phone("0912345678");
                turn = bot.handle_lookup(&mut session, LookupResult::Found(order), now);
            }
            Outcome::Reply { text, .. } => {
                println!("bot: {text}");
                break;
            }
            Outcome::Handoff { reply, summary, .. } => {
                println!("bot: {reply}\nfor the agent: {}", summary.to_json());
                break;
            }
            _ => break,
        }
    }
    for event in &turn.events {
        eprintln!("{}", event.to_json_line()); // one JSON line per turn, for analytics
    }
}
