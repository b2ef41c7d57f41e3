//! The shipped pack's matcher on arbitrary messages: no panic, and every
//! span it reports lies on character boundaries of the message.
#![no_main]

use std::sync::OnceLock;

use firstline::Matcher;
use libfuzzer_sys::fuzz_target;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(firstline::pack::matcher)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let c = matcher().classify(&text);
    assert!((0.0..=1.0).contains(&c.confidence), "{}", c.confidence);
    for e in &c.entities {
        assert!(
            text.get(e.span.clone()).is_some(),
            "entity span {:?}",
            e.span
        );
    }
    for h in &c.lexicon_hits {
        assert!(
            text.get(h.span.clone()).is_some(),
            "lexicon span {:?}",
            h.span
        );
    }
    let ex = matcher().explain(&text);
    assert_eq!(ex.classification.intent, c.intent);
});
