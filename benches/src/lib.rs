//! Helpers shared by the criterion benchmarks (catalog generators).
