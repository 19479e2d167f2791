//! Reloading without a restart: `SIGHUP` loads `data/` again and re-reads
//! `[admin]` from the config file.
//!
//! [`Live`] holds what a reload may replace. Each update takes one snapshot
//! of it ([`current`], mapped into the handler tree), so an answer never
//! mixes two corpora, and a reload never waits for the answers running on
//! the old one. The new corpus is built on the blocking pool and swapped in
//! only once it has loaded; when loading fails, the old corpus keeps
//! serving and one error line is logged.
//!
//! The data directory is the one the bot started with (`[data] dir` or
//! `--data`); other config changes need a restart.

use super::Ctx;
use crate::broadcast::rotation::Rotation;
use crate::broadcast::Broadcast;
use crate::config::Config;
use crate::engine::Engine;
use crate::ops::health::Health;
use crate::ops::metrics;
use arc_swap::ArcSwap;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;

/// The corpus and operator list being served, swapped whole by a reload.
pub struct Live {
    ctx: ArcSwap<Ctx>,
    admins: ArcSwap<Vec<u64>>,
    /// The configuration the bot started with.
    config: Config,
    health: Arc<Health>,
    engines: watch::Sender<Arc<Engine>>,
    /// One reload at a time.
    reloading: tokio::sync::Mutex<()>,
}

/// What a successful reload loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    /// Notices in the new corpus.
    pub notices: usize,
    /// Passages in the new corpus.
    pub passages: usize,
    /// Operators in the new `[admin] user_ids`.
    pub admins: usize,
}

impl Live {
    /// Serves `engine` with `config` (its `[admin]` list, its time zone).
    pub fn new(engine: Arc<Engine>, config: &Config) -> Live {
        let health = Arc::new(Health::default());
        report_corpus(&health, &engine);
        Live {
            ctx: ArcSwap::from_pointee(Ctx::new(engine.clone(), config)),
            admins: ArcSwap::from_pointee(config.admin.user_ids.clone()),
            config: config.clone(),
            health,
            engines: watch::Sender::new(engine),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The handlers' context (corpus and time zone) as of now.
    pub fn ctx(&self) -> Arc<Ctx> {
        self.ctx.load_full()
    }

    /// The corpus as of now.
    pub fn engine(&self) -> Arc<Engine> {
        self.ctx.load().engine.clone()
    }

    /// Notified with every corpus a reload swaps in (e.g. to rebuild the
    /// slogan rotation).
    pub fn engines(&self) -> watch::Receiver<Arc<Engine>> {
        self.engines.subscribe()
    }

    /// `[admin] user_ids` as of now.
    pub fn admins(&self) -> Arc<Vec<u64>> {
        self.admins.load_full()
    }

    /// Whether Telegram user `user_id` is one of the operators.
    pub fn is_admin(&self, user_id: u64) -> bool {
        self.admins.load().contains(&user_id)
    }

    /// What `/healthz` reports.
    pub fn health(&self) -> Arc<Health> {
        self.health.clone()
    }

    /// Loads the corpus and the config file's `[admin]` list again (on the
    /// blocking pool) and swaps both in; on any error nothing changes.
    pub async fn reload(&self) -> anyhow::Result<Reloaded> {
        let _one_at_a_time = self.reloading.lock().await;
        let dir = self.config.data.dir.clone();
        let file = self.config.file.clone();
        let loaded = tokio::task::spawn_blocking(move || -> anyhow::Result<(Engine, Option<Vec<u64>>)> {
            use anyhow::Context as _;
            let engine = Engine::load(&dir).with_context(|| format!("loading the corpus from {}", dir.display()))?;
            let admins = match &file {
                Some(file) => Some(Config::from_file(file)?.admin.user_ids),
                None => None,
            };
            Ok((engine, admins))
        })
        .await
        .map_err(|e| anyhow::anyhow!("loading panicked: {e}"))??;
        let (engine, admins) = loaded;
        let engine = Arc::new(engine);
        self.ctx.store(Arc::new(Ctx::new(engine.clone(), &self.config)));
        if let Some(admins) = admins {
            self.admins.store(Arc::new(admins));
        }
        report_corpus(&self.health, &engine);
        let reloaded = Reloaded {
            notices: engine.notices().len(),
            passages: engine.passage_count(),
            admins: self.admins.load().len(),
        };
        self.engines.send_replace(engine);
        Ok(reloaded)
    }

    /// [`Live::reload`] with its outcome logged in one line and counted.
    pub async fn reload_and_log(&self) {
        let started = Instant::now();
        match self.reload().await {
            Ok(r) => {
                metrics::reload(true);
                tracing::info!(
                    notices = r.notices,
                    passages = r.passages,
                    admins = r.admins,
                    took_ms = started.elapsed().as_millis() as u64,
                    "corpus reloaded"
                );
            }
            Err(e) => {
                metrics::reload(false);
                tracing::error!(error = %format!("{e:#}"), "reload failed; still serving the previous corpus");
            }
        }
    }
}

fn report_corpus(health: &Health, engine: &Engine) {
    health.set_corpus(engine.notices().len(), engine.passage_count());
    metrics::set_corpus(engine.notices().len(), engine.passage_count());
}

/// The per-update snapshot the handlers see as `Arc<Ctx>`.
pub fn current(live: Arc<Live>) -> Arc<Ctx> {
    live.ctx()
}

/// Rebuilds the slogan rotation of `bc` from every corpus a reload swaps
/// in (`engines`, see [`Live::engines`]) until `shutdown`: the daily
/// slogans follow the notices the bot answers from.
pub async fn rotate_on_reload(
    mut engines: watch::Receiver<Arc<Engine>>,
    bc: Arc<Broadcast>,
    shutdown: tokio_util::sync::CancellationToken,
) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            changed = engines.changed() => {
                if changed.is_err() {
                    return;
                }
                let engine = engines.borrow_and_update().clone();
                match tokio::task::spawn_blocking(move || Rotation::from_engine(&engine)).await {
                    Ok(rotation) => bc.set_rotation(rotation),
                    Err(e) => tracing::error!(error = %e, "rebuilding the slogan rotation failed; keeping the previous one"),
                }
            }
        }
    }
}

/// Creates the [`Live`] state and, on Unix, a task that reloads it on every
/// `SIGHUP` (registered before this returns, so an early `SIGHUP` does not
/// end the process). Signals that arrive during a reload are folded into
/// one more reload.
pub fn start(engine: Arc<Engine>, config: &Config) -> anyhow::Result<Arc<Live>> {
    let live = Arc::new(Live::new(engine, config));
    #[cfg(unix)]
    {
        use anyhow::Context as _;
        use tokio::signal::unix::{signal, SignalKind};
        let mut hup = signal(SignalKind::hangup()).context("installing the SIGHUP handler")?;
        let live = live.clone();
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                tracing::info!(signal = "SIGHUP", "reloading the corpus");
                live.reload_and_log().await;
            }
        });
    }
    Ok(live)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const NOTICE: &str = "附件2\n\n2030年全国“质量月”活动口号\n\n主题：\n\n质量引领未来 共创美好生活\n\n口号：\n\n1.测试口号甲 推进质量发展\n";
    const CATALOG: &str = "[[notice]]\nfile = \"n2030.txt\"\nyear = 2030\ntitle = \"2030年质量月通知\"\n";

    fn write(path: &Path, text: &str) -> anyhow::Result<()> {
        std::fs::write(path, text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    #[tokio::test]
    async fn reload_swaps_whole_and_keeps_the_old_corpus_on_errors() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let data = dir.path().join("data");
        std::fs::create_dir(&data)?;
        write(&data.join("n2030.txt"), NOTICE)?;
        write(&data.join("catalog.toml"), CATALOG)?;
        let config_file = dir.path().join("qmbot.toml");
        write(
            &config_file,
            &format!(
                "[data]\ndir = {:?}\n[admin]\nuser_ids = [1]\n",
                data.display().to_string()
            ),
        )?;
        let mut config = Config::from_file(&config_file)?;
        config.data.dir = data.clone();
        let engine = Arc::new(Engine::load(&data)?);
        config.storage.path = dir.path().join("state.sqlite3");
        let live = Live::new(engine.clone(), &config);
        let mut engines = live.engines();
        // The broadcast follows reloads: its rotation is rebuilt from each.
        let bc = Arc::new(Broadcast::open(&config, engine)?);
        let mut rotations = bc.rotations();
        let stop = tokio_util::sync::CancellationToken::new();
        let follower = tokio::spawn(rotate_on_reload(live.engines(), bc.clone(), stop.clone()));
        assert!(bc.rotation().iter().all(|s| s.year == 2030));
        assert_eq!(live.engine().years(), vec![2030]);
        assert!(live.is_admin(1) && !live.is_admin(2));
        live.health().set_running(true);
        assert!(live.health().is_healthy(), "running with a corpus");

        // A second notice and a second operator.
        write(
            &data.join("n2031.txt"),
            &NOTICE.replace("2030", "2031").replace("测试口号甲", "测试口号乙"),
        )?;
        write(
            &data.join("catalog.toml"),
            &format!("{CATALOG}\n{}", CATALOG.replace("2030", "2031")),
        )?;
        write(
            &config_file,
            &format!(
                "[data]\ndir = {:?}\n[admin]\nuser_ids = [1, 2]\n",
                data.display().to_string()
            ),
        )?;
        let before = live.ctx();
        let r = live.reload().await?;
        assert_eq!((r.notices, r.admins), (2, 2));
        assert_eq!(live.engine().years(), vec![2030, 2031]);
        assert!(live.is_admin(2));
        assert!(engines.has_changed()?);
        assert_eq!(engines.borrow_and_update().years(), vec![2030, 2031]);
        // A snapshot taken before the reload still sees the old corpus.
        assert_eq!(before.engine.years(), vec![2030]);
        tokio::time::timeout(std::time::Duration::from_secs(10), rotations.changed()).await??;
        assert!(bc.rotation().iter().any(|s| s.year == 2031), "the 2031 slogans rotate");
        stop.cancel();
        follower.await?;

        // A broken catalog: nothing changes.
        write(
            &data.join("catalog.toml"),
            "[[notice]]\nfile = \"missing.txt\"\nyear = 2032\ntitle = \"x\"\n",
        )?;
        let err = live.reload().await.expect_err("the catalog names a missing file");
        assert!(format!("{err:#}").contains("missing.txt"), "{err:#}");
        assert_eq!(live.engine().years(), vec![2030, 2031]);
        assert!(!engines.has_changed()?);

        // A broken config file: the corpus is not swapped either.
        write(&data.join("catalog.toml"), CATALOG)?;
        write(&config_file, "[admin]\nuser_ids = \"everyone\"\n")?;
        live.reload().await.expect_err("bad [admin]");
        assert_eq!(live.engine().years(), vec![2030, 2031]);
        assert_eq!(*live.admins(), vec![1, 2]);
        Ok(())
    }
}
