//! Command-line arguments (clap derive). Plain data: no logic lives here.
//!
//! The doc comments are `--help` text: `[code]` is ServiceNow's markup and
//! `[servicenow]` a table of the team file, not rustdoc links.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::private_intra_doc_links)]

use crate::implement::Platform;
use crate::spec::Status;
use crate::{formats, probe};
use clap::builder::PossibleValue;
use clap::{Args, CommandFactory as _, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// Firewall change requests as code.
///
/// Each request is a TOML file kept in git. fwreq checks it like source code,
/// renders the exact ServiceNow ticket body to paste (with curl and tcpdump lines
/// that always match the rule), and tests the flows from this host.
#[derive(Debug, Parser)]
#[command(
    name = "fwreq",
    after_help = crate::exit_codes_text(),
    version,
    long_version = concat!(
        env!("CARGO_PKG_VERSION"),
        "\nPublic Suffix List of ",
        env!("FWREQ_PSL_DATE"),
        " (data/refresh-public-suffix-list.sh refreshes it)\nIDNA2008 tables of Unicode ",
        env!("FWREQ_IDNA_UNICODE"),
        " (data/refresh-idna-tables.sh refreshes them)"
    ),
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The commands by what they are for, as the top-level help lists them.
const GROUPS: &[(&str, &[&str])] = &[
    (
        "Write and check a request",
        &["init", "new", "check", "render", "preview"],
    ),
    (
        "Its life after the paste",
        &["record", "submit", "sync", "diff", "renew"],
    ),
    ("Every request at once", &["list", "expiring", "site"]),
    (
        "Test and implement the rules",
        &["probe", "verify", "implement"],
    ),
    (
        "For editors and shells",
        &["schema", "completions", "man", "help"],
    ),
];

/// fwreq's command line: [`Cli`], its top-level help listing the commands
/// in [`GROUPS`] with each one's one-line summary.
pub fn command() -> clap::Command {
    let cli = Cli::command();
    let width = GROUPS
        .iter()
        .flat_map(|(_, names)| names.iter())
        .map(|name| name.len())
        .max()
        .unwrap_or(0);
    let mut groups = String::new();
    for (heading, names) in GROUPS {
        groups.push_str(heading);
        groups.push_str(":\n");
        for name in *names {
            let about = cli
                .find_subcommand(name)
                .and_then(clap::Command::get_about)
                .map_or_else(
                    || "Print this message or the help of the given subcommand(s)".to_string(),
                    ToString::to_string,
                );
            groups.push_str(&format!("  {name:width$}  {about}\n"));
        }
        groups.push('\n');
    }
    cli.help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{groups}Options:\n{{options}}{{after-help}}"
    ))
}

/// The arguments, parsed by [`command`]; a usage error exits as clap does.
pub fn parse() -> Cli {
    use clap::FromArgMatches as _;
    Cli::from_arg_matches(&command().get_matches()).unwrap_or_else(|e| e.exit())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the ServiceNow ticket body (Markdown) for one or more request files
    ///
    /// Several files are separated by a line `---`. Nothing is printed unless every
    /// file is valid, so a pasted body is never half right.
    ///
    /// Example: fwreq render requests/avilla-calico-registry.toml
    Render(RenderArgs),
    /// Validate request files and warn about risky rules (a folder: every *.toml below it)
    ///
    /// Every problem is printed as `PATH:LINE:COL: error: MESSAGE` (or
    /// `warning[LINT]: MESSAGE`) with the line, a caret and a fix, then a summary
    /// line. Every file is checked, even after a bad one. Warnings alone exit 0
    /// unless --deny warnings is given.
    ///
    /// Example: fwreq check (the requests folder), fwreq check requests/a.toml
    Check(CheckArgs),
    /// Test every TCP flow of a request from this host, all at once, and print evidence
    ///
    /// Resolves each tested host, connects to every address with the timeout, and
    /// classifies the flow: open, refused, timeout (filtered), unreachable or dns-error.
    /// UDP, ICMP and ranges without a probe address are listed as skipped. Run it
    /// before the change (--expect blocked) and after (the default, --expect open);
    /// exit 0 when every probed flow is as expected, 1 when one is not. Ctrl-C stops
    /// and prints what was measured so far.
    ///
    /// Example: fwreq probe requests/avilla-calico-registry.toml --timeout 3s
    Probe(ProbeArgs),
    /// Open the ticket as an HTML page, offline (no public preview website needed)
    ///
    /// Writes the page into this user's preview folder ($XDG_RUNTIME_DIR/fwreq-preview,
    /// else fwreq-preview-UID in the temporary folder; previews older than an hour
    /// there are removed), prints its path, and opens it with the system's opener
    /// (xdg-open, open). An opener that fails is an error (exit 2) with its exit
    /// code and what it said.
    ///
    /// Example: fwreq preview requests/avilla-calico-registry.toml
    Preview(PreviewArgs),
    /// Write a static site of every request: an index and one page each
    ///
    /// Paths are mirrored (requests/plant/a.toml becomes OUTDIR/plant/a.html). A
    /// request with errors gets a page listing them, and the command exits 1.
    /// Files whose content did not change are not rewritten.
    ///
    /// Example: fwreq site requests/ -o site/
    Site(SiteArgs),
    /// Set up a repository: a team file, an example request, a pre-commit hook and CI jobs
    ///
    /// Writes requests/fwreq.toml (every setting commented out at its default),
    /// requests/example.toml (a request that passes check), .pre-commit-config.yaml,
    /// .github/workflows/fwreq.yml and .gitlab-ci.yml, which run fwreq check. Replaces
    /// no file unless --force: if any is there, none is written.
    ///
    /// Example: fwreq init
    Init(InitArgs),
    /// Start a request: a commented spec whose TODO values say what to write
    ///
    /// NAME alone becomes requests/NAME.toml; a path is used as given, with
    /// .toml added when missing. Never overwrites a file.
    ///
    /// Example: fwreq new avilla-registry --title "AWS Container Registry Network Config Request"
    New(NewArgs),
    /// Write the ticket numbers, status or submission time back into a spec
    ///
    /// Every other byte of the file (comments, order, spacing, quoting) is kept;
    /// a value of the wrong form is refused with the message check gives, and the
    /// file is then left untouched. The file is replaced atomically.
    ///
    /// Example: fwreq record requests/a.toml --ritm RITM0194104 --req REQ0194058 --status submitted --submitted
    Record(RecordArgs),
    /// One row per request: path, title, ticket numbers, status, dates, rules and flows
    ///
    /// Columns: path, title, RITM, REQ, status, submitted, expires, rules, flows.
    /// A draft with a RITM (filed, its status never recorded) shows `draft*`,
    /// explained on stderr. Newest first. Invalid files are listed with their first error (and exit 1).
    /// On a terminal, or with COLUMNS set, the table fits the width: paths and
    /// titles are shortened with an ellipsis, then REQ and SUBMITTED left out;
    /// into a pipe the rows stay whole.
    ///
    /// Example: fwreq list requests/ --status submitted
    List(ListArgs),
    /// Requests whose `expires` is past or within a window (exit 1 when one is past)
    ///
    /// Example: fwreq expiring requests/ --within 30
    Expiring(ExpiringArgs),
    /// A change ticket between two revisions of a request: the flows it opens and closes
    ///
    /// Flows added, removed, and turned from allow to deny or back, compared by
    /// meaning, with the checks to run after the change.
    ///
    /// Example: fwreq diff old.toml requests/a.toml
    Diff(DiffArgs),
    /// Keep a temporary request open longer and print the renewal ticket
    ///
    /// Moves `expires` (every other byte of the file kept).
    ///
    /// Example: fwreq renew requests/a.toml --until 2027-06-30 --reason "the trial was extended"
    Renew(RenewArgs),
    /// File requests in ServiceNow (a catalog order) and record the numbers in each file
    ///
    /// Checks each file first (errors stop it; --deny warnings makes warnings
    /// errors); refuses a request that has a ritm or req or is past draft.
    /// Orders the team's catalog item ([servicenow] in fwreq.toml) with the
    /// variables its templates give (refusing two-step checkout and an item
    /// without the correlation variable), finds the RITM carrying the file's
    /// correlation id, then writes req, ritm, submitted and status = "submitted"
    /// into the file (every other byte kept). A request filed before whose
    /// numbers never reached the file (a lost answer, a failed write) is found
    /// by its correlation id and recorded, never ordered twice. Credentials come
    /// from the environment: SN_USER + SN_PASSWORD, SN_TOKEN, SN_CLIENT_ID +
    /// SN_CLIENT_SECRET or SN_API_KEY; they go only to the instance named by
    /// SN_INSTANCE or ~/.config/fwreq/config.toml.
    ///
    /// Example: fwreq submit requests/avilla-registry.toml --dry-run
    Submit(SubmitArgs),
    /// Read the RITM of every request that has one and write status changes back
    ///
    /// Maps each RITM's state and approval to a status ([servicenow.status] in
    /// fwreq.toml, else the defaults), writes the changed ones (every other byte
    /// kept) and prints `PATH RITM old -> new`. A move that `record` would
    /// refuse (e.g. out of rejected) is reported, not written.
    ///
    /// Example: fwreq sync requests/ --dry-run
    Sync(SyncArgs),
    /// Print the JSON Schema of the request spec, for editors
    ///
    /// Taplo (Even Better TOML in VS Code), Helix and Zed read it.
    Schema,
    /// Print a shell completion script
    ///
    /// Example: fwreq completions bash > /etc/bash_completion.d/fwreq
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write every page into a folder
    ///
    /// --dir writes fwreq.1, one fwreq-SUBCOMMAND.1 per subcommand and
    /// fwreq-spec.5 (the request format, from the same types as the schema).
    ///
    /// Example: fwreq man | man -l -
    Man(ManArgs),
    /// Print a request's rules in a firewall platform's own syntax
    ///
    /// Objects are named from the RITM (or the file name) and the rule number.
    /// Destinations the platform cannot hold (names in nftables and Aerleon,
    /// wildcards in PAN-OS, names in Cilium deny rules) are left out and listed
    /// in a closing comment block; the command then exits 1 unless --allow-partial.
    ///
    /// Example: fwreq implement requests/avilla-calico-registry.toml --target fortigate
    Implement(ImplementArgs),
    /// Send a request's flows through a firewall's nftables ruleset: does it agree?
    ///
    /// Loads the ruleset (as `nft list ruleset` prints it) into network namespaces
    /// fwreq makes itself (unprivileged user namespaces; nothing on this host is
    /// touched), routes real packets from each source's sample address to each
    /// destination address, port (a range's ends and middle) and protocol through
    /// it, and tells per packet what the request wants, what the ruleset did
    /// (answered, rejected, dropped) and whether they agree. Names are tested
    /// through --resolve only. Exit 0 when every packet agrees, 1 when one
    /// differs, 2 when nothing could be verified.
    ///
    /// Example: fwreq verify requests/albion-plant-time-and-logs.toml --ruleset edge.nft
    Verify(VerifyArgs),
    /// The processes inside verify's namespaces (not for people)
    #[command(hide = true)]
    VerifyNamespace {
        #[arg(value_parser = ["firewall", "side"])]
        role: String,
    },
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Request spec files (TOML)
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// The firewall's nftables ruleset (`nft list ruleset`), `-` for stdin
    /// (default: `[verify] ruleset` in fwreq.toml)
    #[arg(long, value_name = "RULESET.nft")]
    pub ruleset: Option<PathBuf>,

    /// A draft before filing: say per flow whether the ruleset already does
    /// what the request asks (no firewall change needed)
    #[arg(long)]
    pub before: bool,

    /// How long to wait for each packet's answer: 1s, 500ms
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = probe::parse_duration)]
    pub timeout: Duration,

    /// Use ADDRESS for HOST, like probe's --resolve: HOST:PORT:ADDRESS[,ADDRESS...]
    /// or HOST:ADDRESS (repeatable; `*` is every host; IPv6 in brackets)
    #[arg(long, value_name = "HOST:PORT:ADDRESS", value_parser = probe::resolve::parse_mapping)]
    pub resolve: Vec<probe::resolve::Mapping>,

    /// The firewall's interface towards the sources, as the ruleset names it
    #[arg(long, value_name = "NAME", default_value = "src0", value_parser = crate::verify::interface_name)]
    pub source_interface: String,

    /// The firewall's interface towards the destinations, as the ruleset names it
    #[arg(long, value_name = "NAME", default_value = "dst0", value_parser = crate::verify::interface_name)]
    pub destination_interface: String,

    /// Output: aligned text, a Markdown table for the ticket, a [code] fragment
    /// for ServiceNow work notes, or JSON for scripts
    #[arg(long, value_enum, default_value_t = crate::verify::report::Format::Text)]
    pub format: crate::verify::report::Format,

    /// Also add the evidence to each request's RITM as a work note ([code] form;
    /// [servicenow] in fwreq.toml, credentials from the environment, 30 s per call)
    #[arg(long)]
    pub post: bool,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Request spec files (TOML)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print each HTTP request it would send (credentials redacted) and send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Make findings errors, as in check: `warnings` for every lint, or one lint's name
    #[arg(long, value_name = "warnings|NAME")]
    pub deny: Vec<String>,

    #[command(flatten)]
    pub servicenow: ServiceNowArgs,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Folders (or files) of request specs
    #[arg(value_name = "DIR|FILE", default_value = "requests")]
    pub paths: Vec<PathBuf>,

    /// Read the RITMs and print the table, but write nothing
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub servicenow: ServiceNowArgs,
}

/// How to reach ServiceNow.
#[derive(Debug, Args)]
pub struct ServiceNowArgs {
    /// How long one call to ServiceNow may take: 30s, 1.5
    #[arg(long = "timeout", value_name = "DURATION", default_value = "30s", value_parser = probe::parse_duration)]
    pub timeout: Duration,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write every page into this folder (replacing pages already there)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImplementArgs {
    /// Request spec file (TOML)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The platform whose syntax to write (default: the one `targets` in
    /// fwreq.toml names)
    #[arg(long, value_enum, value_name = "TARGET")]
    pub target: Option<Platform>,

    /// Exit 0 even when some destinations had to be left out
    #[arg(long)]
    pub allow_partial: bool,

    /// Write to PATH instead of stdout (whole or not at all)
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Replace the --output file if it exists
    #[arg(long, requires = "output")]
    pub force: bool,

    /// Write the rules even where the team's zone policy forbids a flow
    /// (the output's first lines say so)
    #[arg(long)]
    pub despite_zone_policy: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to set up (the current one by default; made if missing)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Replace the files that are already there
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The request's name (requests/NAME.toml) or a path ending in .toml
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The title (ServiceNow short description)
    #[arg(long)]
    pub title: Option<String>,

    /// The project
    #[arg(long)]
    pub project: Option<String>,

    /// The signature line
    #[arg(long, value_name = "NAME")]
    pub requested_by: Option<String>,

    /// Directory of templates that override the built-in ones (new.toml.j2)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Request spec file (TOML)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The RITM number ServiceNow gave (RITM and seven or more digits)
    #[arg(long, value_name = "RITM")]
    pub ritm: Option<String>,

    /// The REQ number ServiceNow gave (REQ and seven or more digits)
    #[arg(long, value_name = "REQ")]
    pub req: Option<String>,

    /// The request's new status; it moves forward only, unless --force
    #[arg(long, value_enum, value_name = "STATUS")]
    pub status: Option<Status>,

    /// When it was submitted: a time as RFC 3339 (2026-11-20T09:15:00-05:00)
    /// or local "2026-11-20 09:15", or now when given alone
    #[arg(long, value_name = "WHEN", num_args = 0..=1, default_missing_value = "now", value_parser = parse_when)]
    pub submitted: Option<String>,

    /// Allow a status move backwards or out of rejected/withdrawn, and write
    /// a spec that is read-only, another user's or hard-linked
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns
    Table,
    /// An array of objects
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Folders (or files) of request specs
    #[arg(value_name = "DIR", default_value = "requests")]
    pub paths: Vec<PathBuf>,

    /// Only requests with this status
    #[arg(long, value_enum)]
    pub status: Option<Status>,

    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ExpiringArgs {
    /// Folders (or files) of request specs
    #[arg(value_name = "DIR", default_value = "requests")]
    pub paths: Vec<PathBuf>,

    /// The window: requests expiring within it are listed (days: 30 or 30d; weeks: 4w)
    #[arg(long, value_name = "DAYS", default_value = "30", value_parser = parse_days)]
    pub within: u32,

    /// Judge as of this date (YYYY-MM-DD) instead of today
    #[arg(long, value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,

    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The request as it was
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The request as it is now
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// Directory of templates that override the built-in ones (change.md.j2)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RenewArgs {
    /// Request spec file (TOML)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The new `expires` date (YYYY-MM-DD), later than the current one and than today
    #[arg(long, value_name = "DATE")]
    pub until: chrono::NaiveDate,

    /// Why the rules must stay open (one line; it goes into the ticket)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    /// Judge dates as of this day (YYYY-MM-DD) instead of today
    #[arg(long, value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,

    /// Directory of templates that override the built-in ones (renewal.md.j2)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    #[command(flatten)]
    pub out: OutputArgs,
}

/// Where a ticket goes and in which form: the same for every kind of ticket.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the ticket to PATH instead of stdout (one input file only)
    ///
    /// The file is written completely or not at all; an existing file is kept
    /// unless --force is given.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Replace the --output file if it exists
    #[arg(long, requires = "output")]
    pub force: bool,

    /// Output format: markdown (the description field), html (a page),
    /// servicenow ([code] for Work notes), json (for the Table API)
    #[arg(long, value_enum, default_value_t = formats::Format::Markdown)]
    pub format: formats::Format,

    /// Put the output on the clipboard through the terminal (OSC 52; works over SSH)
    /// instead of printing it
    #[arg(long)]
    pub copy: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Request spec files (TOML)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Directory of templates that override the built-in ones, file by file
    ///
    /// The built-in templates are ticket.md.j2 (the body), key_points.md.j2,
    /// details.md.j2, fields.md.j2, change.md.j2, removal.md.j2,
    /// renewal.md.j2, flow.md.j2, and for HTML page.html.j2, site.html.j2,
    /// style.css.j2 and copy.js.j2; copy one from the fwreq repository's
    /// templates/ and edit it.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    #[command(flatten)]
    pub out: OutputArgs,

    /// A change ticket against the request as it was at a git revision (HEAD~1, a tag)
    #[arg(long, value_name = "REV", conflicts_with = "removal")]
    pub since: Option<String>,

    /// A removal (or recertification) ticket: what to take out, and the checks that should then fail
    #[arg(long)]
    pub removal: bool,

    /// Judge `expires` as of this date (YYYY-MM-DD) for --removal
    #[arg(long, value_name = "DATE", requires = "removal")]
    pub today: Option<chrono::NaiveDate>,

    /// Also add the change ticket to the request's RITM as a work note ([code]
    /// form; [servicenow] in fwreq.toml, credentials from the environment, 30 s per call)
    #[arg(long, requires = "since")]
    pub post: bool,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// Request spec file (TOML)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Print the page's path without opening it
    #[arg(long)]
    pub no_open: bool,

    /// Directory of templates that override the built-in ones, file by file
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Directories (or files) of request specs
    #[arg(required = true, value_name = "DIR")]
    pub paths: Vec<PathBuf>,

    /// Where to write the site (created if missing)
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,

    /// Directory of templates that override the built-in ones, file by file
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Judge `expires` as of this date (YYYY-MM-DD) instead of today
    #[arg(long, value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Request files, or directories to search for *.toml files (default:
    /// requests, as list and expiring)
    #[arg(value_name = "FILE|DIR", default_value = "requests")]
    pub paths: Vec<PathBuf>,

    /// Silence a lint for every request (repeatable); see --list-lints
    ///
    /// A single request silences a lint with `allow = ["NAME"]` at its top level.
    #[arg(long, value_name = "NAME", value_parser = LintNames { warnings: false }, hide_possible_values = true)]
    pub allow: Vec<String>,

    /// Turn a lint on as a warning (repeatable), e.g. zone-review, which is off by default
    #[arg(long, value_name = "NAME")]
    pub warn: Vec<String>,

    /// Make findings errors (exit 1): `warnings` for every lint, e.g. in CI or
    /// a pre-commit hook, or one lint's name (repeatable); see --list-lints
    #[arg(long, value_name = "warnings|NAME", value_parser = LintNames { warnings: true }, hide_possible_values = true)]
    pub deny: Vec<String>,

    /// How to print problems: text for people, json for tools
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Judge `expires` as of this date (YYYY-MM-DD) instead of today
    #[arg(long, value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,

    /// The widest port range (in ports) that passes without a warning
    /// (default: fwreq.toml's max-port-range, else 100)
    #[arg(long, value_name = "PORTS", value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub max_port_range: Option<u32>,

    /// List every lint with what it catches, then exit
    #[arg(long)]
    pub list_lints: bool,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Request spec file (TOML)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// How long to wait for each connection: 3s, 500ms, 1.5
    ///
    /// Refused when longer than the system's own connect timeout (Linux:
    /// about 127 s), which would cut it short without saying so.
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = probe::parse_duration)]
    pub timeout: Duration,

    /// How long to wait for each DNS lookup (default: the --timeout)
    #[arg(long, value_name = "DURATION", value_parser = probe::parse_duration)]
    pub dns_timeout: Option<Duration>,

    /// How many connections to try at the same time (default: as many as the
    /// open-file limit allows, after raising it to its hard limit)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub concurrency: Option<u32>,

    /// Use ADDRESS for HOST instead of DNS, like curl's --resolve:
    /// HOST:PORT:ADDRESS[,ADDRESS...] or HOST:ADDRESS (repeatable; `*` is every
    /// host; IPv6 in brackets)
    #[arg(long, value_name = "HOST:PORT:ADDRESS", value_parser = probe::resolve::parse_mapping)]
    pub resolve: Vec<probe::resolve::Mapping>,

    /// Output: a Markdown table for the ticket, a [code] fragment for ServiceNow
    /// work notes, aligned text, or JSON for scripts
    #[arg(long, value_enum, default_value_t = probe::report::Format::Markdown)]
    pub format: probe::report::Format,

    /// What the allow rules' flows should be: open (after the change) or blocked (before it);
    /// deny rules' flows are expected to be the opposite
    #[arg(long, value_enum, default_value_t = probe::Expect::Open)]
    pub expect: probe::Expect,

    /// Also add the evidence to the request's RITM as a work note ([code] form;
    /// [servicenow] in fwreq.toml, credentials from the environment, 30 s per call)
    #[arg(long)]
    pub post: bool,
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `PATH:LINE:COL: severity: message` with an excerpt, on stderr
    Text,
    /// A JSON array of diagnostics on stdout (path, line, column, end, severity, code, message, help)
    Json,
}

/// The names and help of the library's value types on the command line:
/// clap stays in this file, and each type keeps one name per value.
/// `md` is kept as an alias of `markdown` where it was accepted.
fn value(name: &'static str, help: &'static str) -> Option<PossibleValue> {
    let value = PossibleValue::new(name);
    Some(if help.is_empty() {
        value
    } else {
        value.help(help)
    })
}

impl ValueEnum for formats::Format {
    fn value_variants<'a>() -> &'a [Self] {
        use formats::Format::*;
        &[Markdown, Html, Servicenow, Json]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        use formats::Format::*;
        match self {
            Markdown => value(
                "markdown",
                "The Markdown body, for the description field (the default)",
            )
            .map(|v| v.alias("md")),
            Html => value(
                "html",
                "One self-contained HTML page: offline, light and dark, print, copy buttons",
            ),
            Servicenow => value(
                "servicenow",
                "An HTML fragment in [code]...[/code], for Work notes or Additional comments",
            ),
            Json => value(
                "json",
                "One object for the Table API: short_description, description, work_notes, and the request as data",
            ),
        }
    }
}

impl ValueEnum for probe::report::Format {
    fn value_variants<'a>() -> &'a [Self] {
        use probe::report::Format::*;
        &[Markdown, Servicenow, Text, Json]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        use probe::report::Format::*;
        match self {
            Markdown => value("markdown", "A Markdown table to paste into the ticket")
                .map(|v| v.alias("md")),
            Servicenow => value(
                "servicenow",
                "The same table as HTML in [code]...[/code], for ServiceNow work notes",
            ),
            Text => value("text", "Aligned columns for a terminal"),
            Json => value("json", "One object: header, rows, summary"),
        }
    }
}

impl ValueEnum for probe::Expect {
    fn value_variants<'a>() -> &'a [Self] {
        &[probe::Expect::Open, probe::Expect::Blocked]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            probe::Expect::Open => value("open", ""),
            probe::Expect::Blocked => value("blocked", ""),
        }
    }
}

impl ValueEnum for Status {
    fn value_variants<'a>() -> &'a [Self] {
        use Status::*;
        &[Draft, Submitted, Approved, Implemented, Rejected, Withdrawn]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        value(self.as_str(), "")
    }
}

impl ValueEnum for Platform {
    fn value_variants<'a>() -> &'a [Self] {
        Platform::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Platform::Nftables => "An `inet` table: named sets, accept or drop per rule (`nft -f`)",
            Platform::Aerleon => "An Aerleon policy and its definitions (YAML), for `aclgen`",
            Platform::Cilium => "A CiliumNetworkPolicy (YAML), names through `toFQDNs`",
            Platform::Fortigate => "FortiOS CLI: addresses, services and firewall policies",
            Platform::Panos => "PAN-OS `set` commands: addresses, services and security rules",
        };
        value(self.name(), help)
    }
}

/// `--within`: days as `30` or `30d`, or weeks as `4w`.
fn parse_days(text: &str) -> Result<u32, String> {
    let (number, days) = match text.strip_suffix('w') {
        Some(weeks) => (weeks, 7),
        None => (text.strip_suffix('d').unwrap_or(text), 1),
    };
    number
        .parse::<u32>()
        .ok()
        .filter(|_| number.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.checked_mul(days))
        .ok_or_else(|| format!("`{text}` is not a window: write days (30 or 30d) or weeks (4w)"))
}

/// `--submitted`: a time (`record` checks it), never a request file, which
/// is what a file given after the flag would otherwise be taken for.
fn parse_when(text: &str) -> Result<String, String> {
    if text.ends_with(".toml") || std::path::Path::new(text).is_file() {
        Err(format!(
            "`{text}` is a file, not a time: the request file goes before the flag (fwreq record {text} --submitted), the time after it: 2026-11-20T09:15:00-05:00 or \"2026-11-20 09:15\""
        ))
    } else {
        Ok(text.to_string())
    }
}

/// `--allow` and `--deny`: any name is taken (`check` refuses an unknown one
/// with the nearest name), and every lint's name is offered to completions.
#[derive(Clone)]
struct LintNames {
    /// `--deny` also takes `warnings`.
    warnings: bool,
}

impl clap::builder::TypedValueParser for LintNames {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use clap::builder::PossibleValue;
        let warnings = self
            .warnings
            .then(|| PossibleValue::new("warnings").help("every lint"));
        let lints = crate::names::Lint::ALL
            .iter()
            .map(|l| PossibleValue::new(l.name()).help(l.description()));
        Some(Box::new(warnings.into_iter().chain(lints)))
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// One vocabulary (issue 29): `markdown` for every command that prints
    /// Markdown, `md` kept where it was accepted (and taken everywhere).
    #[test]
    fn markdown_is_one_name_for_every_command_and_md_its_alias() {
        use crate::{formats, probe::report};
        use clap::Parser as _;
        let format_of = |args: &[&str]| match Cli::try_parse_from(args).map(|c| c.command) {
            Ok(super::Command::Render(a)) => Some(format!("{:?}", a.out.format)),
            Ok(super::Command::Probe(a)) => Some(format!("{:?}", a.format)),
            _ => None,
        };
        for spelling in ["markdown", "md"] {
            assert_eq!(
                format_of(&["fwreq", "render", "a.toml", "--format", spelling]),
                Some(format!("{:?}", formats::Format::Markdown))
            );
            assert_eq!(
                format_of(&["fwreq", "probe", "a.toml", "--format", spelling]),
                Some(format!("{:?}", report::Format::Markdown))
            );
        }
    }

    /// Every value a library type has is one the command line takes.
    #[test]
    fn every_value_of_a_library_type_has_its_name() {
        use clap::ValueEnum as _;
        let names = |values: Vec<Option<clap::builder::PossibleValue>>| -> Vec<String> {
            values
                .into_iter()
                .map(|v| v.unwrap().get_name().to_string())
                .collect()
        };
        let platforms = crate::implement::Platform::ALL;
        assert_eq!(
            names(platforms.iter().map(|p| p.to_possible_value()).collect()),
            platforms.iter().map(|p| p.name()).collect::<Vec<_>>()
        );
        let statuses = crate::spec::Status::value_variants();
        assert_eq!(statuses.len(), 6);
        assert_eq!(
            names(statuses.iter().map(|s| s.to_possible_value()).collect()),
            statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()
        );
    }
}
