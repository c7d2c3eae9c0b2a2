//! ServiceNow: the team's settings (`config`), and the client stage.

pub mod config;
