//! An SSH agent of our own for `--ssh default=SOCKET`: `ssh-agent -D` (in the foreground, so
//! it is our child and stopped by its PID) holding a key generated for the run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

pub struct Agent {
    child: Child,
    pub socket: PathBuf,
    /// A line of the private key file's base64 body: key material that must leak nowhere.
    pub key_material: String,
}

impl Agent {
    /// Generates an ed25519 key in `dir`, starts an agent on `dir/agent.sock` and adds the key.
    pub fn start(dir: &Path) -> anyhow::Result<Agent> {
        let key = dir.join("id_ed25519");
        let status = Command::new("ssh-keygen")
            .args([
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                "mstage-secrets-test",
                "-f",
            ])
            .arg(&key)
            .stdin(Stdio::null())
            .status()
            .context("running ssh-keygen (openssh-client)")?;
        if !status.success() {
            bail!("ssh-keygen failed");
        }
        let key_material = key_line(&std::fs::read_to_string(&key)?)?;
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("running ssh-agent (openssh-client)")?;
        let agent = Agent {
            child,
            socket,
            key_material,
        };
        agent.wait_for_socket()?;
        let added = Command::new("ssh-add")
            .arg("-q")
            .arg(&key)
            .env("SSH_AUTH_SOCK", &agent.socket)
            .stdin(Stdio::null())
            .status()
            .context("running ssh-add")?;
        if !added.success() {
            bail!("ssh-add failed");
        }
        Ok(agent)
    }

    fn wait_for_socket(&self) -> anyhow::Result<()> {
        let start = Instant::now();
        while !self.socket.exists() {
            if start.elapsed() > Duration::from_secs(10) {
                bail!("ssh-agent made no socket at {}", self.socket.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        // Our own child, by its PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The longest base64 line of an OpenSSH private key file (the middle of the key blob, where
/// the private part is).
fn key_line(pem: &str) -> anyhow::Result<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .max_by_key(|l| l.len())
        .filter(|l| l.len() >= 40)
        .map(str::to_string)
        .context("no base64 body in the private key file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_a_body_line_of_the_key() {
        let pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACB\n-----END OPENSSH PRIVATE KEY-----\n";
        assert!(key_line(pem).unwrap().starts_with("b3BlbnNzaC1rZXkt"));
        assert!(key_line("-----BEGIN-----\nshort\n").is_err());
    }
}
