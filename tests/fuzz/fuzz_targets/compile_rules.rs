//! Rule compilation on arbitrary YAML: a broken rule file is a
//! `CompileError` with diagnostics, never a panic, a hang or an abort.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(yaml) = std::str::from_utf8(data) else {
        return;
    };
    match firstline::Matcher::new(yaml) {
        Ok(m) => {
            let _ = m.classify("đơn hàng của em đâu rồi ạ, where is my order?");
        }
        Err(e) => {
            assert!(!e.diagnostics().is_empty());
            let _ = e.to_string();
        }
    }
});
