//! The `firstline` command-line tool.
fn main() {}
