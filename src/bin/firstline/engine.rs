//! The glue between the CLI and the conversation engine.

use firstline::conversation::{Bot, Order, OrderStatus, Outcome, Session};
use firstline::script::DEFAULT_NOW;
use firstline::Matcher;

/// Answers "would this message, as the first of a conversation, be handed
/// to a human, and why?".
pub struct Handoffs {
    bot: Option<Bot>,
}

impl Handoffs {
    pub fn new(m: &Matcher) -> Handoffs {
        Handoffs {
            bot: Bot::new(m.clone()).ok(),
        }
    }

    pub fn reason(&self, text: &str) -> Option<String> {
        let bot = self.bot.as_ref()?;
        let mut session = Session::new("firstline-classify");
        match bot.handle_message(&mut session, text, DEFAULT_NOW).outcome {
            Outcome::Handoff { reason, .. } => Some(reason.to_string()),
            _ => None,
        }
    }
}

pub fn handoff_reason(m: &Matcher, text: &str) -> Option<String> {
    Handoffs::new(m).reason(text)
}

/// The demo store's phone number, for ownership checks in `chat`.
pub const DEMO_PHONE: &str = "0912345678";

/// One demo order in every status, ids `DH100001`, `DH100002`, ...
pub fn demo_orders() -> Vec<Order> {
    OrderStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, &status)| {
            let mut o = Order::new(format!("DH{:06}", 100_001 + i), status)
                .phone(DEMO_PHONE)
                .email("khach@example.com");
            if matches!(
                status,
                OrderStatus::Shipped | OrderStatus::InTransit | OrderStatus::Delivered
            ) {
                o = o
                    .carrier("GHN")
                    .tracking(format!("GHN{:08}", 77_000_001 + i))
                    .eta("27/11");
            }
            o
        })
        .collect()
}
