//! `firstline report`: support KPIs from event logs.
//!
//! Reads the JSON lines the conversation engine's `Event::to_json_line`
//! writes; the counting and the HTML page live in `firstline::report`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use firstline::report::{Collector, Count, Kpis, Options};

/// `report`'s options.
pub struct Args {
    pub files: Vec<PathBuf>,
    pub json: bool,
    pub utc_offset: String,
    pub complaints: Vec<String>,
    pub html: Option<PathBuf>,
    pub title: String,
}

pub fn run(a: &Args) -> u8 {
    let options = match Options::default().utc_offset(&a.utc_offset) {
        Ok(o) => o.complaints(a.complaints.clone()),
        Err(e) => {
            eprintln!("error: --utc-offset: {e}");
            return crate::BAD_INPUT;
        }
    };
    // Fail before reading anything if the page cannot be written.
    if let Some(path) = &a.html {
        if let Err(e) = std::fs::write(path, "") {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::BAD_INPUT;
        }
    }
    let mut collector = Collector::new(options);
    let mut shown = 0;
    let inputs: Vec<PathBuf> = if a.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        a.files.clone()
    };
    for f in &inputs {
        let name = f.display().to_string();
        let reader: Box<dyn Read> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            match std::fs::File::open(f) {
                Ok(file) => Box::new(file),
                Err(e) => {
                    eprintln!("error: cannot read {name}: {e}");
                    return crate::BAD_INPUT;
                }
            }
        };
        for (i, line) in BufReader::new(reader).split(b'\n').enumerate() {
            let Ok(line) = line else {
                eprintln!("error: cannot read {name}");
                return crate::BAD_INPUT;
            };
            let line = String::from_utf8_lossy(&line);
            if line.trim().is_empty() {
                continue;
            }
            if let Err(why) = collector.add_line(&line) {
                if shown < 20 {
                    eprintln!("malformed: {name}:{}: {why}", i + 1);
                }
                shown += 1;
            }
        }
    }
    if shown > 20 {
        eprintln!("malformed: ... and {} more", shown - 20);
    }
    let k = collector.kpis();
    if let Some(path) = &a.html {
        if let Err(e) = std::fs::write(path, firstline::report::html(&k, &a.title)) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::BAD_INPUT;
        }
    }
    if a.json {
        // A closed pipe (`| head`) ends the output, not the process.
        let _ = writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string(&k).expect("the KPIs always serialize")
        );
    } else {
        let _ = write!(std::io::stdout().lock(), "{}", render(&k));
    }
    0
}

fn list(o: &mut String, title: &str, items: &[Count], none: &str) {
    let _ = writeln!(o, "\n{title}");
    if items.is_empty() {
        let _ = writeln!(o, "  ({none})");
    }
    for it in items {
        let _ = writeln!(o, "  {:<40} {:>6}", it.name, it.count);
    }
}

fn render(k: &Kpis) -> String {
    let mut o = String::new();
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let _ = writeln!(o, "Support report");
    let _ = writeln!(o, "  events                  {}", k.events);
    if k.malformed_lines > 0 {
        let _ = writeln!(
            o,
            "  malformed lines         {} (skipped)",
            k.malformed_lines
        );
    }
    let _ = writeln!(o, "  conversations           {}", k.conversations);
    let _ = writeln!(
        o,
        "  resolved without human  {} ({})",
        k.resolved_without_human,
        pct(k.resolved_share)
    );
    let _ = writeln!(o, "  customer messages       {}", k.messages);
    let _ = writeln!(
        o,
        "  fallbacks               {} ({} of messages)",
        k.fallbacks,
        pct(k.fallback_rate)
    );
    let _ = writeln!(
        o,
        "  handed off              {} ({} outside agent hours)",
        k.handoffs, k.handoffs_out_of_hours
    );
    let f = &k.first_reply;
    match (f.median_secs, f.p90_secs) {
        (Some(m), Some(p)) => {
            let _ = writeln!(
                o,
                "  first reply             median {m} s, 90% within {p} s"
            );
        }
        _ => {
            let _ = writeln!(o, "  first reply             n/a");
        }
    }
    list(&mut o, "Handoff reasons", &k.handoff_reasons, "none");
    list(&mut o, "Top intents", &k.top_intents, "none");
    list(&mut o, "Top complaints", &k.top_complaints, "none");
    match &k.top_fallback_messages {
        None => {
            let _ = writeln!(
                o,
                "\nTop fallback messages\n  n/a (the events carry no customer text)"
            );
        }
        Some(items) => list(&mut o, "Top fallback messages", items, "none"),
    }
    let _ = writeln!(o, "\nRepeat contacts about the same order");
    match &k.repeat_contacts {
        None => {
            let _ = writeln!(o, "  n/a (the events carry no order_id)");
        }
        Some(a) if a.is_empty() => {
            let _ = writeln!(o, "  (none)");
        }
        Some(a) => {
            for it in a {
                let _ = writeln!(
                    o,
                    "  {:<28} {:>3} conversations",
                    it.order_id, it.conversations
                );
            }
        }
    }
    let _ = writeln!(o, "\nMessages by hour (UTC{})", k.utc_offset);
    let max = k.messages_by_hour.iter().copied().max().unwrap_or(0).max(1);
    for (h, c) in k.messages_by_hour.iter().enumerate() {
        let bar = "#".repeat((c * 40).div_ceil(max));
        let _ = writeln!(o, "  {h:02}:00  {c:>6}  {bar}");
    }
    o
}
