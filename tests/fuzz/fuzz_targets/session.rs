//! Session restore and turns: the first line is a stored session (JSON),
//! each further line a customer message, answered by the shipped bot with a
//! small order store. A corrupt session is an error, never a panic; a
//! restored session survives any messages and serializes again.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use firstline::conversation::{Bot, Order, OrderStatus, Session};
use libfuzzer_sys::fuzz_target;

fn bot() -> &'static Bot {
    static B: OnceLock<Bot> = OnceLock::new();
    B.get_or_init(firstline::pack::bot)
}

fn store() -> &'static BTreeMap<String, Order> {
    static S: OnceLock<BTreeMap<String, Order>> = OnceLock::new();
    S.get_or_init(|| {
        OrderStatus::ALL
            .iter()
            .enumerate()
            .map(|(i, &st)| {
                let id = format!("DH{:06}", 100_001 + i);
                let o = Order::new(id.as_str(), st).phone("0912345678");
                (id, o)
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("");
    let mut session = match Session::from_json(first) {
        Ok(s) => s,
        Err(_) => Session::new("fuzz"),
    };
    let mut now: i64 = 1_764_000_000;
    for (i, msg) in lines.take(32).enumerate() {
        now = now.saturating_add(17 * i as i64);
        let _ = bot().respond(&mut session, msg, now, store());
    }
    let json = session.to_json();
    Session::from_json(&json).expect("a session the bot wrote restores");
});
