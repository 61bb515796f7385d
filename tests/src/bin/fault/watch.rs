//! A build watched as it goes: its plain progress read line by line, so the test can act at a
//! known point (a RUN printing a marker), then wait for its end with a timeout.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;

pub struct Watched {
    child: Child,
    lines: Receiver<String>,
    log: Arc<Mutex<String>>,
}

/// How the watched build ended.
pub struct Ended {
    pub success: bool,
    pub timed_out: bool,
    pub log: String,
}

impl Watched {
    pub fn spawn(mut cmd: Command) -> anyhow::Result<Watched> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting the build")?;
        let stderr = child.stderr.take().context("build stderr")?;
        let (tx, lines) = mpsc::channel();
        let log = Arc::new(Mutex::new(String::new()));
        let keep = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                keep.lock().expect("log").push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        Ok(Watched { child, lines, log })
    }

    /// Waits until a line is `wanted` (true), or the build ends or `timeout` passes (false).
    pub fn wait_for_line(&self, wanted: impl Fn(&str) -> bool, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    /// Waits for the build's end, at most `timeout` (then ends it: our own child, by PID).
    pub fn finish(mut self, timeout: Duration) -> anyhow::Result<Ended> {
        let deadline = Instant::now() + timeout;
        let (status, timed_out) = loop {
            if let Some(status) = self.child.try_wait()? {
                break (Some(status), false);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break (None, true);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        // The reader thread ends with the pipe; give it a moment to take the last lines.
        std::thread::sleep(Duration::from_millis(200));
        let log = self.log.lock().expect("log").clone();
        Ok(Ended {
            success: status.is_some_and(|s| s.success()),
            timed_out,
            log,
        })
    }
}
