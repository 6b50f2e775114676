//! Central server load benchmarks (being written).
fn main() {}
