//! The shipped rule pack, embedded in the binary.
//!
//! `rules/` in the repository is the source of truth: every `rules/*.yaml`
//! file is compiled into the crate with `include_str!`, and a test
//! (`tests/pack.rs`) checks that the embedded copies equal the files on disk
//! and that the pack compiles without errors.
//!
//! A shop that wants its own settings, replies or intents adds a file on
//! top of these (see `rules/README.md`):
//!
//! ```no_run
//! use firstline::{pack, Matcher};
//!
//! let mut builder = Matcher::builder();
//! for (name, text) in pack::sources() {
//!     builder.add_yaml(name, text);
//! }
//! builder.add_path("zz-myshop.yaml");
//! let matcher = builder.build()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::OnceLock;

use crate::conversation::Bot;
use crate::Matcher;

/// A fixed time, in unix seconds, inside the pack's agent hours: Wednesday
/// 2026-11-25 10:00 in Vietnam (UTC+7). Scripts and evaluations run at it
/// by default, so their results do not depend on the clock.
pub const OPEN_NOW: i64 = 1_795_575_600;

/// Every file of the pack as `(path, text)`, sorted by path (the order in
/// which a directory of rule files is merged).
static SOURCES: &[(&str, &str)] = &[
    (
        "rules/abbreviations.yaml",
        include_str!("../rules/abbreviations.yaml"),
    ),
    ("rules/account.yaml", include_str!("../rules/account.yaml")),
    (
        "rules/concepts.yaml",
        include_str!("../rules/concepts.yaml"),
    ),
    (
        "rules/conversation.yaml",
        include_str!("../rules/conversation.yaml"),
    ),
    (
        "rules/entities.yaml",
        include_str!("../rules/entities.yaml"),
    ),
    (
        "rules/examples-bitext.yaml",
        include_str!("../rules/examples-bitext.yaml"),
    ),
    (
        "rules/examples-clinc.yaml",
        include_str!("../rules/examples-clinc.yaml"),
    ),
    (
        "rules/examples-en.yaml",
        include_str!("../rules/examples-en.yaml"),
    ),
    (
        "rules/examples-vi.yaml",
        include_str!("../rules/examples-vi.yaml"),
    ),
    (
        "rules/feedback.yaml",
        include_str!("../rules/feedback.yaml"),
    ),
    (
        "rules/lexicons.yaml",
        include_str!("../rules/lexicons.yaml"),
    ),
    ("rules/orders.yaml", include_str!("../rules/orders.yaml")),
    ("rules/payment.yaml", include_str!("../rules/payment.yaml")),
    ("rules/refunds.yaml", include_str!("../rules/refunds.yaml")),
    (
        "rules/settings.yaml",
        include_str!("../rules/settings.yaml"),
    ),
    (
        "rules/shipping.yaml",
        include_str!("../rules/shipping.yaml"),
    ),
    ("rules/shop.yaml", include_str!("../rules/shop.yaml")),
    (
        "rules/smalltalk.yaml",
        include_str!("../rules/smalltalk.yaml"),
    ),
];

/// The shipped rule files as `(path, text)` pairs, sorted by path.
///
/// Paths are relative to the repository root (`"rules/orders.yaml"`) and are
/// used as file names in compile errors.
pub fn sources() -> &'static [(&'static str, &'static str)] {
    SOURCES
}

/// The shipped pack, compiled with the default [`Config`](crate::Config).
///
/// Compiled once on first use and then cloned (a [`Matcher`] is an `Arc`,
/// so the clone is cheap).
///
/// # Panics
///
/// Never in a released crate: it `expect`s the embedded pack to compile, and
/// the test suite (`tests/pack.rs`) compiles exactly these sources and fails
/// on any error, so a pack that does not compile cannot ship.
pub fn matcher() -> Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER
        .get_or_init(|| {
            let mut builder = Matcher::builder();
            for (name, text) in sources() {
                builder.add_yaml(name, text);
            }
            builder
                .build()
                .expect("the embedded rule pack compiles (checked by tests/pack.rs)")
        })
        .clone()
}

/// A ready bot on the shipped pack: [`matcher()`] plus the pack's
/// conversation settings (placeholder shop settings; see `rules/README.md`
/// to set your own).
///
/// Built once on first use and then cloned (a [`Bot`] is cheap to clone).
///
/// ```
/// use firstline::conversation::{Outcome, Session};
///
/// let bot = firstline::pack::bot();
/// let mut session = Session::new("chat-1");
/// let turn = bot.handle_message(&mut session, "shop có ship COD không ạ?", 1_764_000_000);
/// assert!(matches!(turn.outcome, Outcome::Reply { .. }));
/// assert_eq!(turn.outcome.text().map(|t| t.starts_with("Dạ")), Some(true));
/// ```
///
/// # Panics
///
/// Never in a released crate, for the same reason as [`matcher()`]: the test
/// suite builds this bot from the same sources.
pub fn bot() -> Bot {
    static BOT: OnceLock<Bot> = OnceLock::new();
    BOT.get_or_init(|| {
        Bot::new(matcher()).expect(
            "the embedded pack's conversation settings are valid (checked by tests/pack.rs)",
        )
    })
    .clone()
}
