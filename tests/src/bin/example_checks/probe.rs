//! Checks of what an example built: its containers' HTTP answers, health and processes, the
//! files of its image, where a secret is not, the machine of a cross-compiled binary.

use std::fs::File;
use std::io::Read;
use std::time::Duration;

use anyhow::{bail, Context};

use mstage_tests::engine::{http, search};

use crate::run::Run;
use crate::step::{Machine, Serve};

/// Tries (every 0.5 s) before a container counts as not answering, or not healthy: 30 s.
const TRIES: usize = 60;
const PAUSE: Duration = Duration::from_millis(500);

/// Paths the engine puts in every container's filesystem.
const ENGINE_FILES: &str = r"^(\.dockerenv|dev/console|etc/(hosts|hostname|resolv\.conf|mtab))$";

impl Run<'_> {
    /// Starts a container of the image, probes it, removes it.
    pub fn serve(&mut self, serve: &Serve) -> anyhow::Result<()> {
        let options: &[&str] = if serve.health_interval {
            &["--health-interval=1s"]
        } else {
            &[]
        };
        let id = self
            .docker()
            .run_detached(&self.image(serve.image), options)?;
        self.shared.containers.add(&id)?;
        let result = self.probe(&id, serve);
        self.docker().remove_container(&id);
        result
    }

    fn probe(&mut self, id: &str, serve: &Serve) -> anyhow::Result<()> {
        let ip = self.docker().container_format(
            id,
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        )?;
        for (path, want) in serve.get {
            self.http_expect(id, &ip, serve.port, path, want)?;
        }
        if serve.healthy {
            self.healthy(id)?;
        }
        if let Some(process) = serve.process {
            let procs = self.docker().query(&["top", id])?;
            if !procs.contains(process) {
                bail!("the container does not run {process}: {procs}");
            }
        }
        Ok(())
    }

    /// `GET path` until the server answers (30 s); then a line of the body must match `want`.
    fn http_expect(
        &mut self,
        id: &str,
        ip: &str,
        port: u16,
        path: &str,
        want: &str,
    ) -> anyhow::Result<()> {
        let mut body = String::new();
        for _ in 0..TRIES {
            match http::get_tcp(ip, port, path, Duration::from_secs(3)) {
                Ok(r) if r.ok() => {
                    body = r.body;
                    break;
                }
                _ => {}
            }
            if self.docker().container_format(id, "{{.State.Running}}")? != "true" {
                self.container_logs(id);
                bail!("container {id} exited before answering GET {path}");
            }
            std::thread::sleep(PAUSE);
        }
        if !regex::Regex::new(&format!("(?m){want}"))?.is_match(&body) {
            self.container_logs(id);
            bail!("GET {path}: got '{body}', want /{want}/");
        }
        let shown: String = body.chars().take(200).collect();
        self.log
            .say(format!("GET {path} -> {}", shown.replace('\n', " ")));
        Ok(())
    }

    /// The image's HEALTHCHECK (every second: `--health-interval=1s`) reports healthy within
    /// 30 s.
    fn healthy(&mut self, id: &str) -> anyhow::Result<()> {
        let mut status = String::new();
        for _ in 0..TRIES {
            status = self
                .docker()
                .container_format(id, "{{if .State.Health}}{{.State.Health.Status}}{{end}}")?;
            match status.as_str() {
                "healthy" => {
                    self.log.say("HEALTHCHECK: healthy");
                    return Ok(());
                }
                "" => bail!("image has no HEALTHCHECK"),
                _ => std::thread::sleep(PAUSE),
            }
        }
        let health = self
            .docker()
            .container_format(id, "{{json .State.Health}}")?;
        self.log.write(&format!("{health}\n"));
        bail!("not healthy after 30 s (status {status})")
    }

    fn container_logs(&mut self, id: &str) {
        if let Ok(out) = self.docker().command().args(["logs", id]).output() {
            self.log_output(&out);
        }
    }

    /// The image's files, without directories and what the engine adds, are `want`.
    pub fn files(&mut self, image: &str, want: &[&str]) -> anyhow::Result<()> {
        let id = self.docker().create(&self.image(image))?;
        self.shared.containers.add(&id)?;
        let files = self.docker().exported_files(&id);
        self.docker().remove_container(&id);
        let engine = regex::Regex::new(ENGINE_FILES)?;
        let mut files: Vec<String> = files?.into_iter().filter(|f| !engine.is_match(f)).collect();
        files.sort();
        if files != want {
            bail!("files in the image: {}", files.join(" "));
        }
        Ok(())
    }

    /// `${token}` is in no layer, config or history of the image; `control` is in its saved
    /// form (the search does see the files).
    pub fn secret_absent(&mut self, image: &str, control: &str) -> anyhow::Result<()> {
        let image = self.image(image);
        let token = self.shared.token.clone();
        let found = search::saved_contains(
            self.docker(),
            &image,
            &self.scratch.join("save"),
            &[token.as_bytes(), control.as_bytes()],
        )?;
        if found[0] {
            bail!("the secret is in the saved image");
        }
        if !found[1] {
            bail!("docker save output has no binary in it");
        }
        let history = self.docker().query(&["history", "--no-trunc", &image])?;
        if history.contains(&token) {
            bail!("the secret is in the history");
        }
        self.log
            .say("secret: absent from the image, its config and history");
        Ok(())
    }

    /// The file a local export wrote is an ELF binary for `machine`.
    pub fn elf(&mut self, path: &str, machine: Machine) -> anyhow::Result<()> {
        let mut head = [0u8; 20];
        File::open(self.scratch.join(path))
            .and_then(|mut f| f.read_exact(&mut head))
            .with_context(|| format!("reading {path}"))?;
        let elf = Elf::parse(&head).with_context(|| format!("{path} is no ELF file"))?;
        if elf.machine != machine.code() {
            bail!(
                "{path}: ELF machine {}, want {}",
                elf.machine,
                machine.name()
            );
        }
        self.log.say(format!(
            "{path}: ELF {}-bit {}, {}",
            elf.bits,
            if elf.little_endian { "LSB" } else { "MSB" },
            machine.name()
        ));
        Ok(())
    }
}

/// What the ELF header says of a binary.
#[derive(Debug, PartialEq, Eq)]
struct Elf {
    bits: u8,
    little_endian: bool,
    machine: u16,
}

impl Elf {
    /// From the first 20 bytes of the file.
    fn parse(head: &[u8; 20]) -> Option<Elf> {
        if head[..4] != *b"\x7fELF" {
            return None;
        }
        let bits = match head[4] {
            1 => 32,
            2 => 64,
            _ => return None,
        };
        let little_endian = head[5] == 1;
        let m = [head[18], head[19]];
        let machine = if little_endian {
            u16::from_le_bytes(m)
        } else {
            u16::from_be_bytes(m)
        };
        Some(Elf {
            bits,
            little_endian,
            machine,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elf_headers() {
        let mut head = [0u8; 20];
        head[..6].copy_from_slice(b"\x7fELF\x02\x01");
        head[18..20].copy_from_slice(&183u16.to_le_bytes());
        assert_eq!(
            Elf::parse(&head),
            Some(Elf {
                bits: 64,
                little_endian: true,
                machine: Machine::Aarch64.code()
            })
        );
        head[0] = b'#';
        assert_eq!(Elf::parse(&head), None);
    }
}
