//! The normalizer on arbitrary bytes (as text, lossily): it must not
//! panic, and its outputs must keep their documented invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let n = firstline::normalize(&text);
    assert_eq!(n.original(), &*text);
    for i in 0..n.tokens().len() {
        let _ = n.token_text(i);
        let _ = n.token_folded(i);
    }
    let clean = n.clean().len();
    let _ = n.clean_to_original(0..clean);
    let _ = firstline::normalize::fold(&text);
});
