//! From settings to a running face: the face is chosen from the command
//! line ([`Face::choose`]), the one source the settings name is built once
//! ([`launch`]: demo or AWS, one region or several), and one `match` runs
//! the face on it ([`Face::run`]).

use crate::cli::{
    Cli, ColorChoice, ErrorsArgs, Mode, OutputFormat, ReportArgs, TailArgs, TraceArgs,
};
use crate::config::Settings;
use crate::exit::{Error, Exit};
use crate::model::id::Place;
use crate::report::once::OnceOptions;
use crate::source::Source;
use crate::source::aws::{AwsSource, ConnectOptions};
use crate::source::demo::DemoSource;
use crate::source::multi::MultiSource;
use crate::tui::Reconnect;
use std::io::IsTerminal;
use std::sync::Arc;

/// What to run, with everything it needs beyond the source.
#[derive(Debug, Clone)]
pub enum Face {
    /// The interactive dashboard (`color`: whether to paint).
    Dashboard(crate::tui::Look),
    /// `--once`: one snapshot, an exit code.
    Once(OnceOptions),
    /// `lamtop tail`.
    Tail {
        /// Its arguments.
        args: TailArgs,
        /// Paint with colour.
        color: bool,
    },
    /// `lamtop errors`.
    Errors(ErrorsArgs),
    /// `lamtop doctor`: AWS only, no source to build.
    Doctor,
    /// `lamtop report`.
    Report(ReportArgs),
    /// `lamtop trace`.
    Trace {
        /// Its arguments (the id already checked).
        args: TraceArgs,
        /// Paint with colour.
        color: bool,
    },
}

impl Face {
    /// The face the command line asks for. Refuses the dashboard without a
    /// terminal and a malformed trace id before anything connects.
    pub fn choose(cli: &Cli, settings: &Settings) -> Result<Self, Error> {
        let stdout_tty = std::io::stdout().is_terminal();
        let color = use_color(settings.color, stdout_tty);
        if settings.color == ColorChoice::Always {
            // crossterm drops colours under NO_COLOR by itself; a flag
            // overrides the variable (no-color.org), so tell it.
            crossterm::style::force_color_output(true);
        }
        // Checked for every face: a bad `[keys]` or `theme` is a config
        // error wherever the config is read.
        let look = crate::tui::Look::from_settings(settings, use_color(settings.color, true))
            .map_err(Error::Usage)?;
        match &cli.command {
            Some(Mode::Tail(args)) => Ok(Self::Tail {
                args: args.clone(),
                color,
            }),
            Some(Mode::Trace(args)) => {
                if !crate::model::logs::valid_trace_id(&args.id) {
                    return Err(Error::Usage(format!(
                        "'{}' is not an X-Ray trace id (expected 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)",
                        args.id
                    )));
                }
                let args = args.clone();
                Ok(Self::Trace { args, color })
            }
            Some(Mode::Errors(args)) => Ok(Self::Errors(args.clone())),
            Some(Mode::Doctor) if settings.demo => Err(Error::Usage(
                "lamtop doctor checks AWS access, and the demo fleet has none: run it without --demo"
                    .into(),
            )),
            Some(Mode::Doctor) => Ok(Self::Doctor),
            Some(Mode::Report(args)) => Ok(Self::Report(args.clone())),
            // Printed before any face is chosen (main.rs).
            Some(Mode::Completions(_) | Mode::Man(_)) => Err(Error::Usage(
                "completions and man pages are printed, not launched".into(),
            )),
            None if cli.once => Ok(Self::Once(OnceOptions {
                output: cli.output.unwrap_or(OutputFormat::Table),
                sort: settings.sort,
                fail_on_alarm: settings.fail_on_alarm,
                insights: cli.insights,
                color,
            })),
            None if !stdout_tty => Err(Error::Usage(
                "the dashboard needs a terminal; use --once for scripts and pipes".into(),
            )),
            None => Ok(Self::Dashboard(look)),
        }
    }

    /// Runs this face on `src`. `reconnect` builds the source of other
    /// regions (the dashboard's `:region`).
    pub async fn run<S: Source>(
        self,
        settings: &Settings,
        src: Arc<S>,
        reconnect: Reconnect<S>,
    ) -> Result<Exit, Error> {
        match self {
            Self::Dashboard(look) => {
                crate::tui::run(src, settings, look, reconnect)
                    .await
                    .map_err(Error::Io)?;
                Ok(Exit::Ok)
            }
            Self::Once(opts) => Ok(crate::report::once::run(src, settings, &opts).await),
            Self::Tail { args, color } => crate::report::tail::run(src, &args, color).await,
            Self::Errors(args) => Ok(crate::report::errors::run(src, settings, &args).await),
            Self::Doctor => doctor(settings).await,
            Self::Report(args) => crate::report::incident::run::run(src, settings, &args).await,
            Self::Trace { args, color } => {
                crate::report::trace::run(src.as_ref(), &args, color).await
            }
        }
    }
}

/// Builds the one source the settings name and runs `face` on it.
pub async fn launch(settings: Settings, face: Face) -> Result<Exit, Error> {
    if let Face::Doctor = face {
        return doctor(&settings).await;
    }
    let seed = settings.demo_seed;
    let connect = connect_options(&settings);
    let several = settings.regions.len() > 1 || !settings.profiles.is_empty();
    let profiles = settings.profiles.clone();
    match (settings.demo, several) {
        (true, false) => {
            let reconnect: Reconnect<DemoSource> =
                Box::new(|_| Box::pin(async { Err("the demo fleet has one region".to_string()) }));
            let src = Arc::new(DemoSource::new(seed));
            face.run(&settings, src, reconnect).await
        }
        (true, true) => {
            let reconnect: Reconnect<MultiSource<DemoSource>> = Box::new(move |r| {
                let (list, profiles) = (region_list(&r), profiles.clone());
                Box::pin(async move { Ok(demo_places(seed, &profiles, &list)) })
            });
            let src = Arc::new(demo_places(seed, &settings.profiles, &settings.regions));
            face.run(&settings, src, reconnect).await
        }
        (false, false) => {
            let src = Arc::new(AwsSource::connect(&connect).await.map_err(Error::Connect)?);
            let reconnect: Reconnect<AwsSource> = Box::new(move |region| {
                let mut opts = connect.clone();
                opts.region = Some(region);
                Box::pin(async move { AwsSource::connect(&opts).await })
            });
            face.run(&settings, src, reconnect).await
        }
        (false, true) => {
            let src = aws_places(&connect, &settings.profiles, &settings.regions).await;
            let src = Arc::new(src.map_err(Error::Connect)?);
            let reconnect: Reconnect<MultiSource<AwsSource>> = Box::new(move |r| {
                let (connect, list) = (connect.clone(), region_list(&r));
                let profiles = profiles.clone();
                Box::pin(async move { aws_places(&connect, &profiles, &list).await })
            });
            face.run(&settings, src, reconnect).await
        }
    }
}

/// `lamtop doctor`: a checkup per profile × region (or of the default
/// chain's one); a configuration that cannot be loaded is reported as a
/// finding.
async fn doctor(settings: &Settings) -> Result<Exit, Error> {
    let mut checkups = Vec::new();
    for (profile, region) in combinations(&settings.profiles, &settings.regions) {
        let base = connect_options(settings);
        let opts = ConnectOptions {
            region,
            profile: profile.or(base.profile.clone()),
            ..base
        };
        checkups.push(crate::source::aws::doctor::checkup(&opts, &settings.filter).await);
    }
    crate::report::doctor::print(&checkups)
}

/// The profile, the first region and the endpoint to connect with.
fn connect_options(settings: &Settings) -> ConnectOptions {
    ConnectOptions {
        profile: settings.profile.clone(),
        region: settings.regions.first().cloned(),
        endpoint_url: settings.endpoint_url.clone(),
        timeouts: settings.aws_timeouts,
    }
}

/// `a,b` (as `:region` takes it) as a list.
fn region_list(r: &str) -> Vec<String> {
    r.split(',').map(|x| x.trim().to_string()).collect()
}

/// Every profile × region of a multi-place fleet: `None` for "the
/// default" on the side that has no list.
fn combinations(profiles: &[String], regions: &[String]) -> Vec<(Option<String>, Option<String>)> {
    let listed = |v: &[String]| -> Vec<Option<String>> {
        if v.is_empty() {
            vec![None]
        } else {
            v.iter().cloned().map(Some).collect()
        }
    };
    let regions = listed(regions);
    listed(profiles)
        .into_iter()
        .flat_map(|p| regions.iter().map(move |r| (p.clone(), r.clone())))
        .collect()
}

/// Several demo fleets, one per place (seeds follow `--demo-seed`).
fn demo_places(seed: u64, profiles: &[String], regions: &[String]) -> MultiSource<DemoSource> {
    let places = combinations(profiles, regions)
        .into_iter()
        .enumerate()
        .map(|(i, (profile, region))| {
            let nth = profiles.iter().position(|p| Some(p) == profile.as_ref());
            let account = 123_456_789_012 + nth.unwrap_or(0) as u64 * 111_111_111;
            let src = DemoSource::new(seed + i as u64).in_account(format!("{account:012}"));
            let region = region.unwrap_or_else(|| src.describe().region);
            (
                Place {
                    account: profile,
                    region: Some(region),
                },
                src,
            )
        })
        .collect();
    MultiSource::new(places)
}

/// One AWS source per place, connected at once. With several profiles, one
/// that cannot be loaded is kept as a broken place (its status says why),
/// so the others still work; only when none connects is it an error.
async fn aws_places(
    connect: &ConnectOptions,
    profiles: &[String],
    regions: &[String],
) -> Result<MultiSource<AwsSource>, String> {
    let mut ok = Vec::new();
    let mut broken = Vec::new();
    let mut first_err = None;
    for (profile, region) in combinations(profiles, regions) {
        let opts = ConnectOptions {
            profile: profile.clone().or_else(|| connect.profile.clone()),
            region: region.clone(),
            ..connect.clone()
        };
        match AwsSource::connect(&opts).await {
            Ok(src) => {
                let region = region.unwrap_or_else(|| src.describe().region);
                ok.push((
                    Place {
                        account: profile,
                        region: Some(region),
                    },
                    src,
                ));
            }
            Err(e) if profile.is_some() => {
                let region = region.unwrap_or_else(|| "?".into());
                broken.push((
                    Place {
                        account: profile,
                        region: Some(region),
                    },
                    e.clone(),
                ));
                first_err.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    match (ok.is_empty(), first_err) {
        (true, Some(e)) => Err(e),
        _ => Ok(MultiSource::with_broken(ok, broken)),
    }
}

/// Colour: `--color`/config first, then NO_COLOR, then whether the output
/// is a terminal.
pub fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
    }
}
