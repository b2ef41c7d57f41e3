//! The docs name only paths that exist: every `src/…`, `rules/…`,
//! `tests/…`, `examples/…` and `benches/…` in backquotes, and every
//! relative Markdown link, in the repository's guides.

use std::path::Path;

const DOCS: &[&str] = &[
    "README.md",
    "rules/README.md",
    "rules/RULES.md",
    "rules/CONVERSATION.md",
    "src/DESIGN.md",
    "src/bin/firstline/README.md",
    "tests/conversations/README.md",
    "benches/README.md",
];

#[test]
fn every_path_the_docs_name_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    let mut checked = 0;
    for doc in DOCS {
        let Ok(text) = std::fs::read_to_string(root.join(doc)) else {
            missing.push(format!("{doc} itself"));
            continue;
        };
        let dir = Path::new(doc).parent().unwrap_or(Path::new(""));
        // `path` in backquotes, from the repository root.
        for part in text.split('`').skip(1).step_by(2) {
            let is_path = ["src/", "rules/", "tests/", "examples/", "benches/"]
                .iter()
                .any(|p| part.starts_with(p))
                && !part.contains(char::is_whitespace);
            // `zz-myshop.yaml`-style names stand for the reader's own files.
            if !is_path || part.contains("zz-") || part.contains('*') {
                continue;
            }
            let path = part.split(['#', ':']).next().unwrap_or(part);
            checked += 1;
            if !root.join(path).exists() {
                missing.push(format!("{doc}: `{part}`"));
            }
        }
        // [text](relative/link.md#section)
        for part in text.split("](").skip(1) {
            let target = part.split(')').next().unwrap_or("");
            let file = target.split('#').next().unwrap_or("");
            if file.is_empty() || file.contains("://") || file.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            if !root.join(dir).join(file).exists() {
                missing.push(format!("{doc}: link ({target})"));
            }
        }
    }
    assert!(
        checked >= 30,
        "only {checked} paths found: is the scan broken?"
    );
    assert!(
        missing.is_empty(),
        "paths named in the docs that do not exist:\n{}",
        missing.join("\n")
    );
}
