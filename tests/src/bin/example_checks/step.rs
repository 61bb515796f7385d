//! What an example's check is made of: builds and checks of what they built, in order. The
//! examples themselves are listed in `table.rs`. Images are `mstage-example/NAME:TAG`, named
//! here by their TAG; `${VAR}` in texts is a value of the run (`${token}`: a secret made for
//! the run; others come from `Step::Capture`).

/// One example of `examples/` and its steps; the first step that fails ends the example.
pub struct Example {
    /// Its folder under `examples/`.
    pub name: &'static str,
    /// Secret files for `Build::secrets`: id and content.
    pub secrets: &'static [(&'static str, &'static str)],
    pub steps: &'static [Step],
}

pub enum Step {
    /// A writable copy of the example, in the scratch folder, for builds of a changed context.
    Copy {
        name: &'static str,
    },
    /// Changes a file of a copy.
    Edit {
        copy: &'static str,
        edit: Edit,
    },
    Build(Build),
    /// `docker image inspect -f FORMAT` prints `is`.
    Config {
        image: &'static str,
        format: &'static str,
        is: &'static str,
    },
    /// `docker run --rm [--entrypoint E] IMAGE ARGS...` exits 0; `why` says what a failure
    /// means.
    Succeeds {
        image: &'static str,
        entrypoint: Option<&'static str>,
        args: &'static [&'static str],
        why: &'static str,
    },
    /// `${var}` becomes the first group of `regex` (one line of the output of `docker run
    /// --rm --entrypoint E IMAGE ARGS...`, stdout and stderr).
    Capture {
        var: &'static str,
        image: &'static str,
        entrypoint: &'static str,
        args: &'static [&'static str],
        regex: &'static str,
    },
    /// `docker run --rm IMAGE ARGS...` prints exactly `is`.
    Prints {
        image: &'static str,
        args: &'static [&'static str],
        is: &'static str,
    },
    /// A container of the image serves HTTP.
    Serve(Serve),
    /// The image's files that are not directories, sorted, without those the engine puts in
    /// every container.
    Files {
        image: &'static str,
        is: &'static [&'static str],
    },
    /// Two tags name the same image.
    SameImage {
        a: &'static str,
        b: &'static str,
    },
    /// `${token}` is nowhere in the image (`docker save`: layers, config) nor its history,
    /// and `control` is somewhere in `docker save` (so the search does see the files).
    SecretAbsent {
        image: &'static str,
        control: &'static str,
    },
    /// A file of a local export (`Build::local`) is an ELF binary for `machine`.
    Elf {
        path: &'static str,
        machine: Machine,
    },
    /// The row of the size table: the multi-stage image and its one-stage counterpart.
    Sizes {
        row: &'static str,
        multi: &'static str,
        single: &'static str,
    },
}

/// What the table's tests read of a step.
#[cfg(test)]
impl Step {
    /// The images (tags) the step uses.
    pub fn images(&self) -> Vec<&'static str> {
        match self {
            Step::Config { image, .. }
            | Step::Succeeds { image, .. }
            | Step::Capture { image, .. }
            | Step::Prints { image, .. }
            | Step::Files { image, .. }
            | Step::SecretAbsent { image, .. }
            | Step::Serve(Serve { image, .. }) => vec![image],
            Step::SameImage { a, b } => vec![a, b],
            Step::Sizes { multi, single, .. } => vec![multi, single],
            Step::Copy { .. } | Step::Edit { .. } | Step::Build(_) | Step::Elf { .. } => vec![],
        }
    }

    /// The texts in which `${VAR}` is replaced.
    pub fn texts(&self) -> Vec<&'static str> {
        match self {
            Step::Prints { is, .. } => vec![is],
            Step::Edit {
                edit: Edit::Append { text, .. } | Edit::Write { text, .. },
                ..
            } => vec![text],
            _ => vec![],
        }
    }

    /// The step's regular expressions.
    pub fn regexes(&self) -> Vec<&'static str> {
        match self {
            Step::Capture { regex, .. }
            | Step::Edit {
                edit: Edit::Replace { regex, .. },
                ..
            } => vec![regex],
            Step::Build(Build {
                step_cached: Some(re),
                ..
            }) => vec![re],
            Step::Serve(serve) => serve.get.iter().map(|(_, re)| *re).collect(),
            _ => vec![],
        }
    }
}

pub enum Edit {
    /// Every match of `regex` in `file` replaced; the file must change.
    Replace {
        file: &'static str,
        regex: &'static str,
        with: &'static str,
    },
    Append {
        file: &'static str,
        text: &'static str,
    },
    /// A new file (its folders created).
    Write {
        file: &'static str,
        text: &'static str,
    },
}

/// What a build reads its context from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Context {
    Example,
    /// A `Step::Copy`.
    Copy(&'static str),
}

/// Whether a build may use the cache.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cache {
    /// Yes, unless the run asks for no cache (`EXAMPLES_NO_CACHE=1`, to time clean builds).
    Run,
    /// Yes, always: the build is compared with an earlier one.
    Kept,
    /// Never (`--no-cache`): its steps must really run.
    Never,
}

/// Whether the engine's built-in frontend rebuilds the image from mstage's cache.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stock {
    No,
    /// Every step CACHED, the same image config.
    Reuses,
    /// The same, where the built-in frontend has `COPY --link` (not Docker 20.10's).
    ReusesWhereLink,
}

/// A `docker build` through the Dockerfile's own syntax line (mstage).
#[derive(Clone, Copy)]
pub struct Build {
    /// `-t mstage-example/NAME:TAG`
    pub tag: &'static str,
    pub context: Context,
    /// `-f`, in the context; default its `Dockerfile`.
    pub file: Option<&'static str>,
    pub target: Option<&'static str>,
    pub platform: Option<&'static str>,
    pub build_args: &'static [(&'static str, &'static str)],
    /// Ids of `Example::secrets` passed with `--secret`.
    pub secrets: &'static [&'static str],
    /// `-o type=local,dest=` this folder of the scratch folder, instead of an image.
    pub local: Option<&'static str>,
    pub cache: Cache,
    /// The build must fail (and then `error_has` be in its last lines).
    pub fails: bool,
    pub error_has: Option<&'static str>,
    pub log_has: Option<&'static str>,
    pub log_lacks: Option<&'static str>,
    /// A step whose progress line matches this regex is CACHED.
    pub step_cached: Option<&'static str>,
    pub stock: Stock,
    /// Said when the build did what it must.
    pub note: Option<&'static str>,
}

impl Build {
    /// A plain build of the example's Dockerfile to `tag`.
    pub const fn tag(tag: &'static str) -> Build {
        Build {
            tag,
            context: Context::Example,
            file: None,
            target: None,
            platform: None,
            build_args: &[],
            secrets: &[],
            local: None,
            cache: Cache::Run,
            fails: false,
            error_has: None,
            log_has: None,
            log_lacks: None,
            step_cached: None,
            stock: Stock::No,
            note: None,
        }
    }

    /// The example's `Dockerfile.single` (the same app in one stage) to `single`.
    pub const fn single() -> Build {
        Build {
            file: Some("Dockerfile.single"),
            ..Build::tag("single")
        }
    }
}

/// A container started from `image` (`docker run -d`), probed, then removed.
pub struct Serve {
    pub image: &'static str,
    pub port: u16,
    /// `--health-interval=1s`, so the HEALTHCHECK runs every second.
    pub health_interval: bool,
    /// `GET path` answers (within 30 s) with a body of which a line matches the regex.
    pub get: &'static [(&'static str, &'static str)],
    /// The image's HEALTHCHECK reports healthy within 30 s.
    pub healthy: bool,
    /// `docker top` lists a process with this in its command line.
    pub process: Option<&'static str>,
}

impl Serve {
    pub const fn on(
        image: &'static str,
        port: u16,
        get: &'static [(&'static str, &'static str)],
    ) -> Serve {
        Serve {
            image,
            port,
            health_interval: false,
            get,
            healthy: false,
            process: None,
        }
    }
}

/// ELF machines (`e_machine`) the examples build for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Machine {
    Aarch64,
}

impl Machine {
    pub fn code(self) -> u16 {
        match self {
            Machine::Aarch64 => 183,
        }
    }

    /// As `file` names it.
    pub fn name(self) -> &'static str {
        match self {
            Machine::Aarch64 => "ARM aarch64",
        }
    }
}
