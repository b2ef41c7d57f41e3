//! Classification benchmarks.
fn main() {}
