//! Benchmark helpers (see `src/main.rs`, built with `--features dmrtd`).
