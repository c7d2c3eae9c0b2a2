//! The integration tests: one binary, so a change relinks one test program
//! rather than one per file (a build, and each of cargo-mutants' mutants, links
//! once). Each module is the CLI session of one feature.

// Test helpers may panic: a panic is how a test reports failure.
#![allow(clippy::unwrap_used)]

mod common;

mod architecture;
mod browser;
mod change;
mod cli;
mod completions;
mod docs;
mod edges;
mod fields;
mod formats;
mod grammar;
mod guide;
mod hostile;
mod idna2008;
mod implement;
mod init;
mod life;
mod lints;
mod mistakes;
mod preview;
mod probe;
mod quickstart;
mod review;
mod safety;
mod scale;
mod schema;
mod servicenow;
mod session;
mod snapshots;
mod terminal;
mod tmux;
mod verify;
mod zones;
