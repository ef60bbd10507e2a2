//! Tenure's tools beside the server, kept out of the `tenure` binary: the demo organisation
//! with simulated agents that talk to the real API over HTTP, seeding, and the benchmarks.
#![forbid(unsafe_code)]

pub mod bench;
pub mod bench_audit;
pub mod bench_floor;
pub mod bench_inbox;
pub mod bench_scorecard;
pub mod demo;
pub mod scratch;
pub mod seed;
