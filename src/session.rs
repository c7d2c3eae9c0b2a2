//! The session: the request files a command works on, the team file of each
//! (found once per folder), and each team's lint settings and renderer (its
//! templates read once). Every command that lints, renders or judges a
//! request asks the session, so a file is always signed, linted and rendered
//! with its own team's settings and templates, and `body-too-long` measures
//! exactly the body `render` prints. Cargo's `Workspace` is the model.
//!
//! **Never**: print (the command reports what it hands back); parse
//! arguments (the command turns them into [`Options`]).

use crate::diagnostic::{Diagnostic, Severity, Source};
use crate::formats::{Kind, Ticket};
use crate::input::{self, Loaded};
use crate::lints;
use crate::names::{Level, Lint};
use crate::render::Renderer;
use crate::request::Request;
use crate::team::{Team, Teams};
use std::path::{Path, PathBuf};

/// What the command line says about linting and rendering; the rest comes
/// from each file's team.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The date expiry is judged against (`--today`, else today).
    pub today: Option<chrono::NaiveDate>,
    /// `--allow`, `--warn`, `--deny NAME`.
    pub levels: lints::Levels,
    /// `--deny warnings`: every warning is an error, whatever the team says.
    pub deny_warnings: bool,
    /// `--max-port-range`, over the team's.
    pub max_port_range: Option<u32>,
    /// `--templates`: one folder for every file, over each team's.
    pub templates: Option<PathBuf>,
}

/// One team as the session uses it: its lint settings, whether its
/// warnings are errors, and which renderer it renders with.
struct Setup {
    settings: lints::Settings,
    deny_warnings: bool,
    renderer: usize,
}

/// The request files of one command and everything each needs.
pub struct Session {
    files: Vec<PathBuf>,
    teams: Teams,
    /// By team index (as `Teams::index` gives it).
    setups: Vec<Setup>,
    /// One per team (or one for all under `--templates`).
    renderers: Vec<Renderer>,
    /// The team of the first file (or of the folder of `of_folder`).
    first: usize,
}

/// The body `body-too-long` measures: already rendered, or to render with
/// the file's own team templates when (and only when) the lint needs it.
pub enum Body<'a> {
    Rendered(&'a str),
    Render,
}

impl Session {
    /// The session of `files` (request files as given). A team file with
    /// errors stands for the defaults; `Session::team_errors` hands its
    /// diagnostics back, and [`Session::valid`] refuses it.
    pub fn open(files: Vec<PathBuf>, options: &Options) -> anyhow::Result<Session> {
        let teams = Teams::find(&files)?;
        let first = files.first().map_or(0, |f| teams.index(f));
        Session::with_teams(files, teams, first, options)
    }

    /// The session of a folder a request is about to be written in (`new`).
    pub fn of_folder(dir: &Path, options: &Options) -> anyhow::Result<Session> {
        let teams = Teams::of_folder(dir)?;
        // `Teams` knows a folder by the files in it.
        let first = teams.index(&dir.join(crate::team::FILE));
        Session::with_teams(Vec::new(), teams, first, options)
    }

    fn with_teams(
        files: Vec<PathBuf>,
        teams: Teams,
        first: usize,
        options: &Options,
    ) -> anyhow::Result<Self> {
        let today = options
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let renderers = match &options.templates {
            Some(given) => vec![Renderer::new(Some(given.clone()))?],
            None => teams
                .all()
                .iter()
                .map(|team| Renderer::new(team.templates.clone()))
                .collect::<anyhow::Result<_>>()?,
        };
        let setups = teams
            .all()
            .iter()
            .enumerate()
            .map(|(i, team)| Setup {
                settings: team.settings(today, options.levels.clone(), options.max_port_range),
                deny_warnings: options.deny_warnings || team.deny_warnings,
                renderer: if options.templates.is_some() { 0 } else { i },
            })
            .collect();
        Ok(Session {
            files,
            teams,
            setups,
            renderers,
            first,
        })
    }

    /// The same session, or an error when a team file has errors (`fwreq
    /// check` shows them located).
    pub fn valid(mut self) -> anyhow::Result<Session> {
        self.teams = self.teams.valid()?;
        Ok(self)
    }

    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Team files passed over as untrusted (the command says so).
    pub fn ignored(&self) -> &[crate::team::Ignored] {
        &self.teams.ignored
    }

    /// Team files with errors, with their diagnostics.
    pub fn team_errors(&self) -> &[(Source, Vec<Diagnostic>)] {
        &self.teams.invalid
    }

    /// The team of a file: its team file's, else the built-in defaults.
    pub fn team(&self, file: &Path) -> &Team {
        self.teams.of(file)
    }

    /// Which team a file belongs to, as a number stable within the session.
    pub fn team_index(&self, file: &Path) -> usize {
        self.teams.index(file)
    }

    /// Every team of the session (index 0: the built-in defaults).
    pub fn teams(&self) -> &[Team] {
        self.teams.all()
    }

    /// The renderer of a file's team (or of `--templates`).
    pub fn renderer(&self, file: &Path) -> &Renderer {
        &self.renderers[self.setups[self.teams.index(file)].renderer]
    }

    /// The renderer of the first file's team (or of `--templates`): the one
    /// for what belongs to no single file (`site`'s index, `new`'s starter).
    pub fn first_renderer(&self) -> &Renderer {
        &self.renderers[self.setups[self.first].renderer]
    }

    /// The lint settings of a file's team.
    pub fn settings(&self, file: &Path) -> &lints::Settings {
        &self.setups[self.teams.index(file)].settings
    }

    /// A file read and validated, its request completed by its team (as
    /// `render` prints it). `Err` only for I/O problems.
    pub fn load(&self, file: &Path) -> anyhow::Result<Loaded> {
        Ok(self.completed(file, input::load(file)?))
    }

    /// A file's bytes, already read, validated and completed (`site` hashes them first).
    pub fn load_bytes(&self, file: &Path, bytes: Vec<u8>) -> Loaded {
        self.completed(file, input::load_bytes(file, bytes))
    }

    /// The one place a request meets its team: signed with the team's
    /// `requested-by` and its fields checked and filled in
    /// ([`Team::complete`]); bad fields make the file invalid.
    fn completed(&self, file: &Path, loaded: Loaded) -> Loaded {
        let Loaded { source, request } = loaded;
        let request = request.and_then(|request| self.team(file).complete(request));
        Loaded { source, request }
    }

    /// The one lint of every command that judges a request: every lint at
    /// its level under the file's team, `body-too-long` on the body `render`
    /// prints, and every finding an error when the command line or the team
    /// denies warnings.
    pub fn lint(
        &self,
        file: &Path,
        source: &Source,
        request: &Request,
        body: Body,
    ) -> anyhow::Result<Vec<Diagnostic>> {
        let setup = &self.setups[self.teams.index(file)];
        let settings = &setup.settings;
        let mut diags = lints::check(source, request, settings);
        if lints::level(request, settings, Lint::BodyTooLong) != Level::Allow {
            let found = match body {
                Body::Rendered(text) => lints::body_length(request, text, settings),
                Body::Render => {
                    let renderer = &self.renderers[setup.renderer];
                    let kind = Kind::request(request, &settings.zones);
                    // Under the built-in templates (and no zone lines nor team
                    // fields, which the bound does not count), a body whose
                    // bound is within the limit is not rendered to count.
                    let fields = !request.fields.is_empty()
                        || request.rules.iter().any(|rule| !rule.fields.is_empty());
                    let within = matches!(&kind, Kind::Request { checks, .. }
                        if renderer.built_in()
                            && settings.zones.is_empty()
                            && !fields
                            && lints::default_body_bound(request, checks) <= lints::BODY_LIMIT);
                    if within {
                        Vec::new()
                    } else {
                        lints::body_length(request, &renderer.ticket(request, &kind)?, settings)
                    }
                }
            };
            diags.extend(found);
            diags.sort_by_key(|d| (d.span.start, d.code.map(Lint::name)));
        }
        if setup.deny_warnings {
            for d in &mut diags {
                d.severity = Severity::Error;
            }
        }
        Ok(diags)
    }

    /// `check`'s verdict on one file: its validation errors, or its lints
    /// (the body rendered only when the lint needs it).
    pub fn check(&self, file: &Path) -> anyhow::Result<(Source, Vec<Diagnostic>, bool)> {
        let Loaded { source, request } = self.load(file)?;
        let (diags, draft) = match request {
            Ok(request) => (
                self.lint(file, &source, &request, Body::Render)?,
                request.status == crate::spec::Status::Draft,
            ),
            Err(diags) => (diags, false),
        };
        Ok((source, diags, draft))
    }

    /// A new request's ticket for a request already loaded from `file`.
    pub fn ticket_of(&self, file: &Path, request: Request) -> anyhow::Result<Ticket> {
        let zones = &self.team(file).zones;
        Ok(Ticket::new(request, zones, self.renderer(file))?)
    }

    /// A ticket and what the lints say of it, for a page that shows both
    /// (`site`, `preview`); or the file's validation errors.
    pub fn reviewed(
        &self,
        file: &Path,
        loaded: Loaded,
    ) -> anyhow::Result<Result<Reviewed, Invalid>> {
        let Loaded { source, request } = loaded;
        let request = match request {
            Ok(request) => request,
            Err(diags) => return Ok(Err(Invalid { source, diags })),
        };
        let ticket = self.ticket_of(file, request)?;
        let body = Body::Rendered(&ticket.markdown);
        let diags = self.lint(file, &source, &ticket.request, body)?;
        Ok(Ok(Reviewed {
            source,
            ticket,
            diags,
        }))
    }

    /// The change ticket from `old` (another file, or a revision's text) to
    /// `new`, the request of `file`, both under `file`'s team; or the
    /// invalid ones, old first.
    pub fn change(
        &self,
        file: &Path,
        old: Loaded,
        new: Loaded,
        since: String,
    ) -> anyhow::Result<Result<Ticket, Vec<Invalid>>> {
        let old = self.completed(file, old);
        let new = self.completed(file, new);
        let (old_request, new_request) = match (old.request, new.request) {
            (Ok(old_request), Ok(new_request)) => (old_request, new_request),
            (old_request, new_request) => {
                let invalid = [(old.source, old_request), (new.source, new_request)]
                    .into_iter()
                    .filter_map(|(source, request)| {
                        request.err().map(|diags| Invalid { source, diags })
                    })
                    .collect();
                return Ok(Err(invalid));
            }
        };
        let kind = Kind::change(old_request, &new_request, since, &self.team(file).zones);
        Ok(Ok(Ticket::of(new_request, kind, self.renderer(file))?))
    }

    /// The removal ticket of `file`, judged as of `today`.
    pub fn removal(
        &self,
        file: &Path,
        today: chrono::NaiveDate,
    ) -> anyhow::Result<Result<Ticket, Invalid>> {
        let Loaded { source, request } = self.load(file)?;
        let request = match request {
            Ok(request) => request,
            Err(diags) => return Ok(Err(Invalid { source, diags })),
        };
        let kind = Kind::removal(&request, today, &self.team(file).zones);
        Ok(Ok(Ticket::of(request, kind, self.renderer(file))?))
    }
}

/// A file that is not a valid request: its text and why.
pub struct Invalid {
    pub source: Source,
    pub diags: Vec<Diagnostic>,
}

/// A valid request's ticket with its lint findings.
pub struct Reviewed {
    pub source: Source,
    pub ticket: Ticket,
    pub diags: Vec<Diagnostic>,
}

/// Below this many files, starting threads costs more than it saves.
const PARALLEL_FROM: usize = 32;

/// `f` over every file, on every core when there are enough of them; the
/// results keep the files' order, so output stays deterministic.
pub fn map_files<I: Sync, T: Send>(files: &[I], f: impl Fn(&I) -> T + Sync + Send) -> Vec<T> {
    use rayon::prelude::*;
    if files.len() < PARALLEL_FROM {
        files.iter().map(f).collect()
    } else {
        files.par_iter().map(f).collect()
    }
}
