//! Runs the real `qmbot` binary: `qmbot run` against a
//! [`FakeBot`](super::FakeBot), and one-shot commands ([`qmbot`]).

use super::FakeBot;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Runs `qmbot ARGS` in the repository with `stdin` as its input and
/// waits for it to exit.
pub fn qmbot(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qmbot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qmbot starts");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A temporary directory with a config file for `qmbot run`.
pub struct TestEnv {
    /// The temporary directory (removed on drop).
    pub dir: tempfile::TempDir,
    /// The config file inside it.
    pub config_path: PathBuf,
    /// `[storage] path` (inside `dir`).
    pub state_path: PathBuf,
}

impl TestEnv {
    /// Writes a config with `[data] dir` = the repository's `data/` and
    /// `[storage] path` = `<tmp>/state.sqlite3`, followed by `extra_toml`
    /// (other tables only, e.g. `[broadcast]`).
    pub fn new(extra_toml: &str) -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let state_path = dir.path().join("state.sqlite3");
        let config_path = dir.path().join("qmbot.toml");
        let text = format!(
            "[data]\ndir = {}\n\n[storage]\npath = {}\n\n{extra_toml}\n",
            toml_string(&data),
            toml_string(&state_path)
        );
        std::fs::write(&config_path, text).expect("write config");
        TestEnv {
            dir,
            config_path,
            state_path,
        }
    }

    /// Starts `qmbot run --config <file>` against `fake` with `TELOXIDE_TOKEN`
    /// and `TELOXIDE_API_URL` set, `RUST_LOG=info` unless `envs` sets it, plus
    /// `envs`. The working directory is the temp dir.
    pub fn spawn(&self, fake: &FakeBot, envs: &[(&str, &str)]) -> BotProcess {
        self.spawn_bin(Path::new(env!("CARGO_BIN_EXE_qmbot")), fake, envs)
    }

    /// Like [`TestEnv::spawn`] with another `qmbot` binary (e.g. an older
    /// build, to measure before and after).
    pub fn spawn_bin(&self, bin: &Path, fake: &FakeBot, envs: &[(&str, &str)]) -> BotProcess {
        let mut cmd = Command::new(bin);
        cmd.arg("run")
            .arg("--config")
            .arg(&self.config_path)
            .current_dir(self.dir.path())
            .env_remove("TELOXIDE_PROXY")
            // Traffic to the fake server must not go through a proxy.
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("TELOXIDE_TOKEN", fake.token())
            .env("TELOXIDE_API_URL", fake.api_url())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        BotProcess::spawn(cmd)
    }
}

fn toml_string(p: &Path) -> String {
    format!("{:?}", p.display().to_string())
}

/// A running `qmbot` process with captured output.
pub struct BotProcess {
    pid: u32,
    out: Arc<Mutex<String>>,
    out_len: watch::Receiver<usize>,
    exit: watch::Receiver<Option<ExitStatus>>,
}

impl BotProcess {
    /// Spawns `cmd` with piped stdout/stderr.
    pub fn spawn(mut cmd: Command) -> BotProcess {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn qmbot");
        let pid = child.id();
        let out = Arc::new(Mutex::new(String::new()));
        let (len_tx, len_rx) = watch::channel(0usize);
        let len_tx = Arc::new(len_tx);
        let readers: Vec<_> = [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
            child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        .map(|mut stream| {
            let out = out.clone();
            let len_tx = len_tx.clone();
            std::thread::spawn(move || {
                let append = |bytes: &[u8]| {
                    let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
                    o.push_str(&String::from_utf8_lossy(bytes));
                    len_tx.send_replace(o.len());
                };
                let mut buf = [0u8; 8192];
                let mut pending = Vec::new();
                loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            pending.extend_from_slice(&buf[..n]);
                            // Append whole lines so the two streams do not interleave mid-line.
                            if let Some(last_nl) = pending.iter().rposition(|&b| b == b'\n') {
                                let line: Vec<u8> = pending.drain(..=last_nl).collect();
                                append(&line);
                            }
                        }
                    }
                }
                append(&pending);
            })
        })
        .collect();
        let (tx, rx) = watch::channel(None);
        std::thread::spawn(move || {
            let status = child.wait().expect("wait for qmbot");
            for r in readers {
                let _ = r.join();
            }
            let _ = tx.send(Some(status));
        });
        BotProcess {
            pid,
            out,
            out_len: len_rx,
            exit: rx,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    fn signal(&self, sig: &str) {
        if self.exited().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid.to_string())
            .status();
    }

    /// Sends SIGTERM.
    pub fn sigterm(&self) {
        self.signal("TERM");
    }

    /// Sends SIGINT.
    pub fn sigint(&self) {
        self.signal("INT");
    }

    /// Sends SIGKILL.
    pub fn sigkill(&self) {
        self.signal("KILL");
    }

    /// The exit status, if it has exited.
    pub fn exited(&self) -> Option<ExitStatus> {
        *self.exit.borrow()
    }

    /// Waits up to `timeout` for the process to exit (and its output to be
    /// read to the end).
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let mut rx = self.exit.clone();
        let waited = tokio::time::timeout(timeout, rx.wait_for(|s| s.is_some())).await;
        match waited {
            Ok(Ok(status)) => *status,
            _ => None,
        }
    }

    /// Waits until the captured output satisfies `pred` (woken whenever
    /// output arrives); returns the output, or `Err(output)` on timeout.
    pub async fn wait_log<F>(&self, pred: F, timeout: Duration) -> Result<String, String>
    where
        F: Fn(&str) -> bool,
    {
        let mut rx = self.out_len.clone();
        let check = || {
            let logs = self.logs();
            pred(&logs).then_some(logs)
        };
        let waited = tokio::time::timeout(timeout, async {
            loop {
                rx.borrow_and_update();
                if let Some(logs) = check() {
                    return logs;
                }
                if rx.changed().await.is_err() {
                    // Output closed: one last look.
                    if let Some(logs) = check() {
                        return logs;
                    }
                    std::future::pending::<()>().await;
                }
            }
        })
        .await;
        waited.map_err(|_| self.logs())
    }

    /// The CPU time (user + system, all threads) the process used so far,
    /// from `/proc` (Linux; `None` elsewhere or once it exited).
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime, in clock ticks of 1/100 s.
        let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    }

    /// Everything the process wrote to stdout and stderr so far.
    pub fn logs(&self) -> String {
        self.out.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        self.sigkill();
    }
}
