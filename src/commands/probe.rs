//! `fwreq probe`: test one request's flows from this host and print evidence.

use super::{print_painted, print_stdout, report, stderr_style};
use crate::cli::ProbeArgs;
use crate::evidence::About;
use crate::probe::{self as probing, limits, report::Format, resolve};
use crate::render::Renderer;
use crate::session::Options;
use crate::{Outcome, flows};
use anyhow::bail;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// `fwreq probe`: runs every TCP check of one request concurrently and prints evidence.
pub fn probe(args: ProbeArgs) -> anyhow::Result<Outcome> {
    let session = super::session(vec![args.file.clone()], &Options::default())?.valid()?;
    let crate::input::Loaded { source, request } = session.load(&args.file)?;
    let request = request.map_err(|diags| {
        report(&source, &diags, stderr_style());
        anyhow::anyhow!(
            "{} has errors; fix them before probing",
            args.file.display()
        )
    })?;
    let renderer = session.renderer(&args.file);
    // --post: the RITM and the client settled before anything is probed.
    let post = if args.post {
        let Some(ritm) = request.ritm.clone() else {
            bail!(
                "--post adds the evidence to the request's RITM, but {} has no ritm (fwreq submit or record sets it)",
                args.file.display()
            );
        };
        Some((
            ritm,
            super::servicenow(session.team(&args.file), super::POST_TIMEOUT, true)?.0,
        ))
    } else {
        None
    };
    refuse_longer_than_kernel(args.timeout)?;
    let (options, header) = settings(&args, &request);
    let plan = flows::plan(&request);
    // One worker thread: it keeps answering a second Ctrl-C while the
    // evidence is printed. Abandoned DNS lookups are not waited for at exit.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (rows, interrupted) = run(&runtime, &plan, &options);
    if let Some((ritm, client)) = &post
        && !interrupted
    {
        let notes = probing::report::render(
            renderer,
            Format::Servicenow,
            &header,
            &rows,
            probing::report::Terminal::PLAIN,
        )?;
        let item = client.item(ritm)?;
        client.work_note(&item, notes.trim_end())?;
        eprintln!(
            "added the evidence to {ritm}'s work notes ({})",
            // The URL holds the sys_id the server sent.
            crate::diagnostic::escape(&client.item_url(&item))
        );
    }
    let outcome = finish(renderer, &args.format, &header, &rows, interrupted);
    runtime.shutdown_background();
    outcome
}

/// A timeout longer than the kernel's own would claim a wait that never happened.
fn refuse_longer_than_kernel(timeout: std::time::Duration) -> anyhow::Result<()> {
    if let Some((kernel, retries)) = limits::kernel_connect_timeout()
        && timeout > kernel
    {
        bail!(
            "--timeout {} ms is longer than this system waits for a connection by itself ({} s, from net.ipv4.tcp_syn_retries = {retries}); give at most {}s",
            timeout.as_millis(),
            kernel.as_secs(),
            kernel.as_secs()
        );
    }
    Ok(())
}

/// The probe's options (timeouts, concurrency within the socket budget,
/// `--resolve`) and the evidence header that records them.
fn settings(
    args: &ProbeArgs,
    request: &crate::request::Request,
) -> (probing::Options, probing::report::Header) {
    let budget = limits::socket_budget();
    let concurrency = args.concurrency.map_or(budget, |c| {
        usize::try_from(c).unwrap_or(usize::MAX).min(budget)
    });
    let options = probing::Options {
        timeout: args.timeout,
        dns_timeout: args.dns_timeout.unwrap_or(args.timeout),
        concurrency,
        mappings: resolve::Mappings::new(args.resolve.clone()),
        resolver: Arc::new(resolve::SystemResolver),
    };
    let header = probing::report::Header {
        about: About::of(request),
        from: host_name(),
        at: chrono::Utc::now()
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        fwreq: env!("CARGO_PKG_VERSION"),
        expect: args.expect,
        timeout: options.timeout,
        dns_timeout: options.dns_timeout,
        concurrency,
    };
    (options, header)
}

/// Runs the plan's checks on `runtime`, with progress on a terminal; the
/// rows, and whether Ctrl-C stopped it (then a second Ctrl-C exits 130).
fn run(
    runtime: &tokio::runtime::Runtime,
    plan: &[flows::RuleChecks],
    options: &probing::Options,
) -> (Vec<probing::Row>, bool) {
    let progress = std::io::stderr().is_terminal();
    let interrupted = Arc::new(AtomicBool::new(false));
    let rows = runtime.block_on(async {
        let flag = interrupted.clone();
        let stop = async move {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            flag.store(true, Ordering::SeqCst);
        };
        probing::run(plan, options, stop, |done, total| {
            if progress {
                eprint!("\r\x1b[Kprobing: {done}/{total} connections done");
            }
        })
        .await
    });
    let interrupted = interrupted.load(Ordering::SeqCst);
    if interrupted {
        runtime.spawn(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        });
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    (rows, interrupted)
}

/// Prints the evidence and decides the outcome: interrupted (130), errors of
/// this host or nothing tested (2), a flow not as expected (1), or clean.
fn finish(
    renderer: &Renderer,
    format: &Format,
    header: &probing::report::Header,
    rows: &[probing::Row],
    interrupted: bool,
) -> anyhow::Result<Outcome> {
    // The text form fits the terminal and colours the results there; the
    // others are for tickets and scripts, byte for byte.
    let terminal = probing::report::Terminal {
        width: super::stdout_width(),
        style: crate::diagnostic::Style {
            color: super::stdout_color(),
        },
    };
    let evidence = probing::report::render(renderer, *format, header, rows, terminal)?;
    if *format == Format::Text && terminal.style.color {
        print_painted(&evidence)?;
    } else {
        print_stdout(&evidence)?;
    }
    let summary = probing::report::summarize(header.expect, rows);
    let line = probing::report::summary_line(&summary);
    if matches!(format, Format::Json | Format::Servicenow) {
        eprintln!("{line}");
    }
    if interrupted {
        eprintln!("fwreq: interrupted; the evidence above is incomplete");
        return Ok(Outcome::Interrupted);
    }
    if summary.errors > 0 {
        bail!(
            "{} could not be tested because this host failed (see the `error` rows); the run proves nothing about those flows",
            if summary.errors == 1 {
                "1 flow".to_string()
            } else {
                format!("{} flows", summary.errors)
            }
        );
    }
    if summary.tested == 0 {
        bail!(
            "nothing could be tested: every flow is UDP, ICMP or a range without a probe address; run the ticket's nc and ping lines instead"
        );
    }
    Ok(if summary.as_expected == summary.tested {
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
