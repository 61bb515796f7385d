//! The load: Dockerfiles written for one run, each job a build of one of them. Half the jobs
//! build Dockerfiles of their own (distinct op graphs, contexts and configs), the other half
//! build one shared Dockerfile from one shared context.

use std::path::{Path, PathBuf};

use mstage_tests::engine::docker::{BuildSpec, Frontend, Output};

/// One Dockerfile of the load, with its context; written twice, once per frontend, the first
/// line the only difference (same line count, so the two builds see the same lines).
pub struct Source {
    pub name: String,
    pub context: PathBuf,
    /// The Dockerfile after its first line.
    body: String,
}

/// One build of the load: which source, and its own tag per frontend.
pub struct Job {
    pub index: usize,
    pub source: usize,
}

/// A multi-stage Dockerfile that differs by `n` in every part that matters: the RUN output,
/// the files copied between stages and from the context, ENV, LABEL and CMD.
fn body(n: usize) -> String {
    format!(
        "FROM busybox:latest AS base\n\
         RUN echo \"job {n}\" > /job && seq 1 {count} > /numbers && mkdir -p /tree/{n} && chmod 0750 /tree/{n}\n\
         FROM busybox:latest AS side\n\
         RUN echo side-{n} > /side\n\
         FROM busybox:latest\n\
         COPY --from=base /job /numbers /out/\n\
         COPY --from=base --chown=1000:1000 /tree /out/tree\n\
         COPY --from=side /side /out/\n\
         COPY input.txt /out/\n\
         ENV JOB={n} PATH=/out:$PATH\n\
         LABEL load.job=\"{n}\"\n\
         WORKDIR /out\n\
         USER 1000\n\
         CMD [\"cat\", \"/out/job\"]\n",
        count = 50 * n + 1
    )
}

impl Source {
    /// Writes the context of source `n` under `dir`.
    pub fn write(dir: &Path, n: usize) -> anyhow::Result<Source> {
        let name = format!("source-{n}");
        let context = dir.join(&name);
        std::fs::create_dir_all(&context)?;
        std::fs::write(context.join("input.txt"), format!("input of {name}\n"))?;
        Ok(Source {
            name,
            context,
            body: body(n),
        })
    }

    /// The Dockerfile for `frontend`: `# syntax=IMAGE`, or for the built-in frontend a
    /// directive that changes nothing.
    pub fn dockerfile(&self, frontend: &Frontend) -> anyhow::Result<PathBuf> {
        let (file, first) = match frontend {
            Frontend::Stock => ("Dockerfile.stock", "# escape=\\".to_string()),
            Frontend::Image(image) => ("Dockerfile.frontend", format!("# syntax={image}")),
        };
        let path = self.context.join(file);
        if !path.exists() {
            std::fs::write(&path, format!("{first}\n{}", self.body))?;
        }
        Ok(path)
    }

    /// An uncached build of this source to `tag`, with `marker_arg` (NAME, VALUE) as a build
    /// arg no instruction reads: it finds the frontend processes of the run.
    pub fn spec(
        &self,
        frontend: &Frontend,
        tag: &str,
        marker_arg: (&str, &str),
    ) -> anyhow::Result<BuildSpec> {
        let mut spec = BuildSpec::new(self.context.clone(), Output::Image(tag.to_string()));
        spec.dockerfile = Some(self.dockerfile(frontend)?);
        spec.no_cache = true;
        spec.build_args
            .insert(marker_arg.0.to_string(), marker_arg.1.to_string());
        Ok(spec)
    }
}

/// `builds` jobs over `builds / 2` distinct sources and one shared one (source 0), the shared
/// one taking the remaining jobs.
pub fn plan(builds: usize) -> (usize, Vec<Job>) {
    let distinct = builds / 2;
    let sources = distinct + 1;
    let jobs = (0..builds)
        .map(|index| Job {
            index,
            source: if index < distinct { index + 1 } else { 0 },
        })
        .collect();
    (sources, jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_distinct_half_shared() {
        let (sources, jobs) = plan(32);
        assert_eq!(sources, 17);
        assert_eq!(jobs.iter().filter(|j| j.source == 0).count(), 16);
        let mut distinct: Vec<usize> = jobs.iter().map(|j| j.source).filter(|s| *s != 0).collect();
        distinct.dedup();
        assert_eq!(distinct.len(), 16);
    }
}
