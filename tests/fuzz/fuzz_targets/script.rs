//! The conversation-script parser on arbitrary YAML: a bad script is a
//! located `ScriptError`, never a panic. Parsed scripts run on the shipped bot.
#![no_main]

use std::sync::OnceLock;

use firstline::script::Runner;
use libfuzzer_sys::fuzz_target;

fn runner() -> &'static Runner {
    static R: OnceLock<Runner> = OnceLock::new();
    R.get_or_init(|| Runner::new(firstline::pack::bot()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(yaml) = std::str::from_utf8(data) else {
        return;
    };
    match firstline::script::parse_str("fuzz.yaml", yaml) {
        Ok(scripts) => {
            for s in scripts.iter().take(4) {
                let _ = runner().run(s);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
