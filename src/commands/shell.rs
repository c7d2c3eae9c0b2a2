//! Editor and shell support: the spec's JSON Schema (from the Rust types, so
//! it cannot drift), completion scripts and the man page (from the clap types).

use super::print_stdout;
use crate::Outcome;
use crate::cli::{Cli, CompletionsArgs};
use clap::CommandFactory as _;

/// Draft 7, the newest draft that Taplo-based editors read fully.
pub fn schema() -> anyhow::Result<Outcome> {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::spec::RawSpec>();
    print_stdout(&(serde_json::to_string_pretty(&schema)? + "\n"))?;
    Ok(Outcome::Clean)
}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "fwreq", &mut out);
    print_stdout(&String::from_utf8_lossy(&out))?;
    Ok(Outcome::Clean)
}

pub fn man() -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    print_stdout(&String::from_utf8_lossy(&out))?;
    Ok(Outcome::Clean)
}
