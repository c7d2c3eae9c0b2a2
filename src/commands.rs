//! The subcommands: each wires read -> validate -> plan -> render for the CLI and
//! decides what goes to stdout (results) and stderr (diagnostics).

use crate::cli::{CheckArgs, Deny, Format, ProbeArgs, RenderArgs};
use crate::diagnostic::{self, Diagnostic, Severity, Source, Style};
use crate::input::{self, Loaded};
use crate::render::{self, Renderer};
use crate::{Outcome, flows, lints, probe};
use anyhow::{Context as _, bail};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::Path;

/// `fwreq render`: prints (or writes) the ticket body; nothing if any file is bad.
pub fn render(args: RenderArgs) -> anyhow::Result<Outcome> {
    if args.output.is_some() && args.files.len() > 1 {
        bail!("--output takes one request file, got {}", args.files.len());
    }
    let renderer = Renderer::new(args.templates)?;
    let style = stderr_style();
    let mut bodies = Vec::with_capacity(args.files.len());
    let mut failed = false;
    for path in &args.files {
        let Loaded { source, request } = input::load(path)?;
        match request {
            Ok(request) => {
                let checks = flows::plan(&request);
                let body = renderer
                    .ticket(&request, &checks)
                    .map_err(|e| anyhow::anyhow!("{}", render::explain(&e)))?;
                bodies.push(body);
            }
            Err(diags) => {
                failed = true;
                report(&source, &diags, style);
            }
        }
    }
    if failed {
        return Ok(Outcome::Findings);
    }
    let text = bodies.join("---\n");
    match &args.output {
        Some(path) => write_new_file(path, &text, args.force)?,
        None => print_stdout(&text)?,
    }
    Ok(Outcome::Clean)
}

/// `fwreq check`: validates and lints every file, reports every problem, then a summary.
pub fn check(args: CheckArgs) -> anyhow::Result<Outcome> {
    if args.list_lints {
        let width = lints::LINTS.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        let list: String = lints::LINTS
            .iter()
            .map(|(name, what)| format!("{name:width$}  {what}\n"))
            .collect();
        print_stdout(&list)?;
        return Ok(Outcome::Clean);
    }
    for name in &args.allow {
        lints::check_name(name).map_err(|e| {
            anyhow::anyhow!(
                "--allow {}{}",
                e.message,
                e.help.map(|h| format!(" ({h})")).unwrap_or_default()
            )
        })?;
    }
    let settings = lints::Settings {
        today: args
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        max_port_range: args.max_port_range,
        allow: args.allow.clone(),
    };
    let style = stderr_style();
    let (files, io_errors) = input::request_files(&args.paths);
    let mut unreadable = io_errors.len();
    for err in &io_errors {
        eprintln!("fwreq: error: {err:#}");
    }
    let (mut errors, mut warnings) = (0, 0);
    let mut json = Vec::new();
    for path in &files {
        let Loaded { source, request } = match input::load(path) {
            Ok(loaded) => loaded,
            Err(err) => {
                unreadable += 1;
                eprintln!("fwreq: error: {err:#}");
                continue;
            }
        };
        let mut diags = match request {
            Ok(request) => lints::check(&source, &request, &settings),
            Err(diags) => diags,
        };
        if args.deny == Some(Deny::Warnings) {
            for d in &mut diags {
                d.severity = Severity::Error;
            }
        }
        for d in &diags {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
        match args.format {
            Format::Text => report(&source, &diags, style),
            Format::Json => json.extend(diags.iter().map(|d| diagnostic::to_json(&source, d))),
        }
    }
    if args.format == Format::Json {
        print_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
    }
    eprintln!(
        "checked {} request{}: {errors} error{}, {warnings} warning{}",
        files.len(),
        plural(files.len()),
        plural(errors),
        plural(warnings)
    );
    if unreadable > 0 {
        bail!("{unreadable} path{} could not be read", plural(unreadable));
    }
    if files.is_empty() {
        bail!("no request files (*.toml) found");
    }
    Ok(if errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

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
    let options = probe::Options {
        timeout: args.timeout,
        concurrency: usize::from(args.concurrency),
        resolve,
    };
    let header = probe::report::Header {
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
    let mut rows = probe::rows(&flows::plan(&request));
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
        probe::run(&mut rows, &options, stop, |done, total| {
            if progress {
                eprint!("\r\x1b[Kprobing: {done}/{total} flows done");
            }
        })
        .await;
    });
    if progress {
        eprint!("\r\x1b[K");
    }
    print_stdout(&probe::report::render(args.format, &header, &rows))?;
    if args.format == probe::report::Format::Json {
        eprintln!("{}", probe::report::summary(&header, &rows));
    }
    let all_as_expected = rows
        .iter()
        .filter_map(|r| r.result.matches(args.expect))
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn report(source: &Source, diags: &[Diagnostic], style: Style) {
    let mut err = std::io::stderr().lock();
    for diag in diags {
        let _ = err.write_all(diagnostic::render(source, diag, style).as_bytes());
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set.
fn stderr_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Style {
        color: !no_color && std::io::stderr().is_terminal(),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes a whole file or nothing: a temporary file beside it, then a rename.
/// An existing file is only replaced with `force`.
fn write_new_file(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let persisted = if force {
        tmp.persist(path).map(drop)
    } else {
        tmp.persist_noclobber(path).map(drop)
    };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!(
                "{} already exists; add --force to replace it",
                path.display()
            )
        } else {
            anyhow::Error::new(e.error).context(format!("cannot write {}", path.display()))
        }
    })
}
