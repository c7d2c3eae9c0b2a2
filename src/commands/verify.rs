//! `fwreq verify`: a request's flows through a firewall's nftables ruleset, in
//! namespaces made for the run; per packet what the request wants, what the
//! ruleset did, and whether they agree.

use super::{print_stdout, report, stderr_style};
use crate::Outcome;
use crate::cli::VerifyArgs;
use crate::evidence::About;
use crate::probe::resolve::Mappings;
use crate::render::Renderer;
use crate::request::{Request, Ritm};
use crate::servicenow::Client;
use crate::session::Session;
use crate::verify::namespace::{Answer, Unavailable};
use crate::verify::report::{self, Format, Header};
use crate::verify::{self, Options};
use anyhow::{Context as _, bail};
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// How to allow what verify needs, for the message when it is not allowed.
const ENABLE_NAMESPACES: &str = "verify needs unprivileged user namespaces (`unshare -Urn true` must work): allow them with `sysctl kernel.unprivileged_userns_clone=1` (Debian), or `sysctl kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 24.04), and make sure util-linux's unshare, iproute2's ip and nft are installed";

pub fn verify(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let session =
        super::session(args.files.clone(), &crate::session::Options::default())?.valid()?;
    let requests = load_requests(&session, &args.files)?;
    let path = match &args.ruleset {
        Some(path) => path.clone(),
        None => team_ruleset(&args.files, &session)?,
    };
    let ruleset = read_ruleset(&path)?;
    let posts = if args.post {
        evidence_targets(&session, &args.files, &requests)?
    } else {
        Vec::new()
    };
    let mappings = Mappings::new(args.resolve.clone());
    let options = Options {
        timeout: args.timeout,
        source_interface: args.source_interface.clone(),
        destination_interface: args.destination_interface.clone(),
        advice: verify::Advice {
            resolve: "--resolve",
            interfaces: "--source-interface and --destination-interface",
        },
    };
    let mut plans: Vec<verify::Plan> = requests
        .iter()
        .map(|r| verify::plan(r, &mappings, &options.advice))
        .collect();
    let answer = run_namespaces(&mut plans, &ruleset, &options)?;
    let chains = hooked_chains(&answer, &path)?;
    let mut outputs = Vec::new();
    let (mut verified, mut differ) = (0, 0);
    for (index, (request, plan)) in requests.iter().zip(&plans).enumerate() {
        let header = Header {
            about: About::of(request),
            ruleset: ruleset_name(&path),
            chains: chains.clone(),
            fwreq: env!("CARGO_PKG_VERSION"),
            timeout_ms: u64::try_from(options.timeout.as_millis()).unwrap_or(u64::MAX),
            before: args.before,
        };
        let summary = report::summarize(&plan.rows);
        verified += summary.agree + summary.differ;
        differ += summary.differ;
        let renderer = session.first_renderer();
        outputs.push(report::render(renderer, args.format, &header, &plan.rows)?);
        if let Some((ritm, client)) = posts.get(index) {
            post_evidence(renderer, ritm, client, &header, plan)?;
        }
        if matches!(args.format, Format::Json | Format::Servicenow) {
            eprintln!("{}", report::summary_line(&summary, args.before));
        }
    }
    print_stdout(&outputs.join("\n"))?;
    if verified == 0 {
        bail!("nothing could be verified (see the rows above)");
    }
    Ok(if differ > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Every request, valid: verifying one with errors would test a guess.
fn load_requests(session: &Session, files: &[PathBuf]) -> anyhow::Result<Vec<Request>> {
    let mut requests = Vec::new();
    for file in files {
        let crate::input::Loaded { source, request } = session.load(file)?;
        requests.push(request.map_err(|diags| {
            report(&source, &diags, stderr_style());
            anyhow::anyhow!("{} has errors; fix them before verifying", file.display())
        })?);
    }
    Ok(requests)
}

/// The ruleset's text, from its file or from stdin (`-`).
fn read_ruleset(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the ruleset from stdin")?;
        Ok(text)
    } else {
        // A team file may name it: a FIFO or device would hang or never end.
        let bytes = crate::input::read_regular(path)
            .with_context(|| format!("cannot read the ruleset {}", path.display()))?;
        String::from_utf8(bytes)
            .with_context(|| format!("the ruleset {} is not UTF-8 text", path.display()))
    }
}

/// The ruleset as the report's header names it.
fn ruleset_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        path.display().to_string()
    }
}

/// For `--post`, each request's RITM and a client for its team's instance,
/// made before the run so a missing RITM or config fails before any packet.
fn evidence_targets(
    session: &Session,
    files: &[PathBuf],
    requests: &[Request],
) -> anyhow::Result<Vec<(Ritm, Client)>> {
    let mut posts = Vec::new();
    for (file, request) in files.iter().zip(requests) {
        let Some(ritm) = request.ritm.clone() else {
            bail!(
                "--post adds the evidence to the request's RITM, but {} has no ritm (fwreq submit or record sets it)",
                file.display()
            );
        };
        posts.push((
            ritm,
            super::servicenow(session.team(file), super::POST_TIMEOUT, true)?.0,
        ));
    }
    Ok(posts)
}

/// Adds one request's evidence to its RITM's work notes, in ServiceNow's form
/// whatever `--format` printed.
fn post_evidence(
    renderer: &Renderer,
    ritm: &Ritm,
    client: &Client,
    header: &Header,
    plan: &verify::Plan,
) -> anyhow::Result<()> {
    let notes = report::render(renderer, Format::Servicenow, header, &plan.rows)?;
    let item = client.item(ritm)?;
    client.work_note(&item, notes.trim_end())?;
    eprintln!(
        "added the evidence to {ritm}'s work notes ({})",
        crate::diagnostic::escape(&client.item_url(&item))
    );
    Ok(())
}

/// Runs the plans in the namespaces; a system that cannot make them is told
/// how to allow them, since nothing was verified.
fn run_namespaces(
    plans: &mut [verify::Plan],
    ruleset: &str,
    options: &Options,
) -> anyhow::Result<Answer> {
    match verify::run(plans, ruleset, options) {
        Ok(answer) => Ok(answer),
        Err(Unavailable::NoNamespaces(why)) => {
            bail!(
                "nothing could be verified: this system does not allow the namespaces ({why}); {ENABLE_NAMESPACES}"
            )
        }
        Err(Unavailable::Failed(why)) => {
            bail!("nothing could be verified: the namespaces failed: {why}")
        }
    }
}

/// The ruleset's base chains for the report's header; a refused ruleset or a
/// failed run ends here with nft's words placed in the ruleset's file.
fn hooked_chains(answer: &Answer, path: &Path) -> anyhow::Result<Vec<String>> {
    match answer {
        Answer::Done { chains, .. } => Ok(chains
            .iter()
            .filter_map(|c| {
                c.hook
                    .as_ref()
                    .map(|hook| format!("{} {} {} ({hook})", c.family, c.table, c.name))
            })
            .collect()),
        // nft read the ruleset from its stdin: its places are the file's.
        Answer::Refused(why) => bail!(
            "nft refused the ruleset:\n{}",
            why.replace("/dev/stdin:", &format!("{}:", path.display()))
        ),
        Answer::Failed(why) => bail!("nothing could be verified: the namespaces failed: {why}"),
    }
}

/// The ruleset the requests' team files name (`[verify] ruleset`): one for all.
fn team_ruleset(files: &[PathBuf], session: &Session) -> anyhow::Result<PathBuf> {
    let mut named: Vec<&Path> = Vec::new();
    for file in files {
        let Some(ruleset) = session.team(file).ruleset.as_deref() else {
            bail!(
                "no ruleset for {}: give --ruleset RULESET.nft, or name the firewall's in fwreq.toml ([verify] ruleset = \"...\")",
                file.display()
            );
        };
        if !named.contains(&ruleset) {
            named.push(ruleset);
        }
    }
    match named.as_slice() {
        [one] => Ok(one.to_path_buf()),
        _ => bail!(
            "the requests' team files name different rulesets ({}): verify them apart, or give --ruleset",
            named
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
