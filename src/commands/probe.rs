//! `fwreq probe`: test one request's flows from this host and print evidence.

use super::{print_stdout, report, stderr_style};
use crate::cli::ProbeArgs;
use crate::input::{self, Loaded};
use crate::{Outcome, flows, probe as probing};
use anyhow::bail;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::net::IpAddr;

/// `fwreq probe`: runs every TCP check of one request concurrently and prints evidence.
pub fn probe(args: ProbeArgs) -> anyhow::Result<Outcome> {
    let Loaded { source, request } = input::load(&args.file)?;
    let request = match request {
        Ok(r) => r,
        Err(diags) => {
            report(&source, &diags, stderr_style());
            bail!(
                "{} has errors; fix them before probing",
                args.file.display()
            );
        }
    };
    let mut resolve: HashMap<String, Vec<IpAddr>> = HashMap::new();
    for (host, addr) in args.resolve {
        resolve.entry(host).or_default().push(addr);
    }
    let options = probing::Options {
        timeout: args.timeout,
        concurrency: usize::from(args.concurrency),
        resolve,
    };
    let header = probing::report::Header {
        title: request.title.clone(),
        ritm: request.ritm.clone(),
        req: request.req.clone(),
        from: host_name(),
        at: chrono::Utc::now()
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        expect: args.expect,
        timeout: args.timeout,
    };
    let mut rows = probing::rows(&flows::plan(&request));
    let progress = std::io::stderr().is_terminal();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let stop = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        probing::run(&mut rows, &options, stop, |done, total| {
            if progress {
                eprint!("\r\x1b[Kprobing: {done}/{total} flows done");
            }
        })
        .await;
    });
    if progress {
        eprint!("\r\x1b[K");
    }
    print_stdout(&probing::report::render(args.format, &header, &rows))?;
    if args.format == probing::report::Format::Json {
        eprintln!("{}", probing::report::summary(&header, &rows));
    }
    let all_as_expected = rows
        .iter()
        .filter_map(|r| r.as_expected(args.expect))
        .all(|m| m);
    Ok(if all_as_expected {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// This host's name, for the evidence header.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown host".into())
}
