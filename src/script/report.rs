//! Rendering results: readable diffs and JUnit XML.

use std::fmt::Write as _;

use super::CaseResult;

/// A failing case as a readable diff: the case, then per turn what the
/// customer said, each expectation (`-`) against what happened (`+`), and
/// the reply the bot sent.
pub fn render_failure(r: &CaseResult) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "FAIL {} ({}:{})", r.name, r.file.display(), r.line);
    let mut last_turn = usize::MAX;
    for f in &r.failures {
        if f.turn != last_turn {
            last_turn = f.turn;
            if f.turn > 0 {
                let _ = writeln!(o, "  turn {}: customer says {:?}", f.turn, f.say);
            }
            if let Some(reply) = &f.reply {
                let _ = writeln!(o, "    bot replied {reply:?}");
            }
        }
        let (exp, act) = match f.check {
            "contains" => ("reply containing", "reply"),
            "not_contains" => ("reply without", "reply"),
            "matches" => ("reply matching", "reply"),
            c => (c, c),
        };
        let _ = writeln!(o, "    {}:", f.check);
        let (e, a) = (format!("expected {exp}:"), format!("actual {act}:"));
        let w = e.chars().count().max(a.chars().count());
        let _ = writeln!(o, "      - {e:<w$} {}", f.expected);
        let _ = writeln!(o, "      + {a:<w$} {}", f.actual);
    }
    o
}

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(c),
            // Not allowed in XML 1.0.
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// The results as JUnit XML (one `<testcase>` per case, classname = the
/// script file), for CI systems that show test reports.
pub fn junit(results: &[CaseResult], suite: &str) -> String {
    let failures = results.iter().filter(|r| !r.passed()).count();
    let mut o = String::new();
    let _ = writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        o,
        r#"<testsuites name="{}" tests="{}" failures="{failures}">"#,
        xml(suite),
        results.len()
    );
    let _ = writeln!(
        o,
        r#"  <testsuite name="{}" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
        xml(suite),
        results.len()
    );
    for r in results {
        let class = xml(&r.file.display().to_string());
        let name = xml(&r.name);
        if r.passed() {
            let _ = writeln!(o, r#"    <testcase name="{name}" classname="{class}"/>"#);
        } else {
            let first = &r.failures[0];
            let msg = format!(
                "turn {}: expected {} {}, got {}",
                first.turn, first.check, first.expected, first.actual
            );
            let _ = writeln!(o, r#"    <testcase name="{name}" classname="{class}">"#);
            let _ = writeln!(
                o,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                xml(&msg),
                first.check,
                xml(&render_failure(r))
            );
            let _ = writeln!(o, "    </testcase>");
        }
    }
    let _ = writeln!(o, "  </testsuite>");
    let _ = writeln!(o, "</testsuites>");
    o
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            xml(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(xml("a\u{1}b"), "a\u{FFFD}b");
        assert_eq!(xml("Đơn hàng\n"), "Đơn hàng\n");
    }
}
