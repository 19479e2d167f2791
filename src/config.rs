//! Configuration: `config/default.toml` (every key optional). The bot token is
//! never part of the config; it comes only from the `TELOXIDE_TOKEN`
//! environment variable.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[data]`: where the corpus lives.
    pub data: DataConfig,
    /// `[storage]`: where the bot keeps its state.
    pub storage: StorageConfig,
    /// `[broadcast]`: the daily slogan.
    pub broadcast: BroadcastConfig,
    /// `[http]`: the health and metrics endpoint (off by default).
    pub http: HttpConfig,
    /// `[webhook]`: receive updates by webhook instead of long polling.
    pub webhook: Option<WebhookConfig>,
    /// `[admin]`: who may use operator commands.
    pub admin: AdminConfig,
    /// The file this config was read from (not a key); `SIGHUP` re-reads
    /// `[admin]` from it.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// `[data]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    /// The corpus directory with `catalog.toml`. Default: `data`.
    pub dir: PathBuf,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            dir: PathBuf::from("data"),
        }
    }
}

/// `[storage]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// The SQLite file for subscriptions. Default: `state/qmbot.sqlite3`.
    pub path: PathBuf,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            path: PathBuf::from("state/qmbot.sqlite3"),
        }
    }
}

/// `[broadcast]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct BroadcastConfig {
    /// Default local delivery time, `HH:MM` or `HH:MM:SS`. Default: `09:00`.
    pub time: String,
    /// IANA time zone of `time`. Default: `Asia/Shanghai`.
    pub timezone: String,
    /// How long after a missed delivery time the slogan is still sent when
    /// the bot comes back, in minutes. Default: 120.
    pub catch_up_minutes: u32,
}

impl Default for BroadcastConfig {
    fn default() -> Self {
        BroadcastConfig {
            time: "09:00".to_string(),
            timezone: "Asia/Shanghai".to_string(),
            catch_up_minutes: 120,
        }
    }
}

/// `[http]`
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Where to serve `GET /healthz` and `GET /metrics`, e.g.
    /// `127.0.0.1:9090`. Default: none (no HTTP server).
    #[serde(deserialize_with = "http_listen")]
    pub listen: Option<SocketAddr>,
}

/// `[webhook]`: present means webhook mode.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The public URL Telegram posts updates to (registered with
    /// `setWebhook`); its path is the path served at `listen`. Required.
    #[serde(deserialize_with = "webhook_url")]
    pub url: reqwest::Url,
    /// The local address the webhook server binds. Default: `0.0.0.0:8443`.
    #[serde(default = "default_webhook_listen", deserialize_with = "webhook_listen")]
    pub listen: SocketAddr,
}

fn default_webhook_listen() -> SocketAddr {
    SocketAddr::from(([0, 0, 0, 0], 8443))
}

/// `[admin]`
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// Telegram user ids of the bot's operators. Default: none.
    pub user_ids: Vec<u64>,
}

fn socket_addr<'de, D: Deserializer<'de>>(d: D, key: &str) -> std::result::Result<SocketAddr, D::Error> {
    let text = String::deserialize(d)?;
    text.trim().parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "{key} = {text:?}: expected an IP address and port, e.g. \"127.0.0.1:9090\""
        ))
    })
}

fn http_listen<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<SocketAddr>, D::Error> {
    socket_addr(d, "[http] listen").map(Some)
}

fn webhook_listen<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<SocketAddr, D::Error> {
    socket_addr(d, "[webhook] listen")
}

fn webhook_url<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<reqwest::Url, D::Error> {
    let text = String::deserialize(d)?;
    let bad = |why: &str| serde::de::Error::custom(format!("[webhook] url = {text:?}: {why}"));
    let url = reqwest::Url::parse(text.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad(
            "expected an https:// URL (http:// only for a local Bot API server)",
        ));
    }
    Ok(url)
}

impl Config {
    /// Reads a config file; unknown keys are an error naming the key.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::from_toml(&text).map_err(|message| Error::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        config.file = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses config text; the error is a one-line message.
    pub fn from_toml(text: &str) -> std::result::Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.message().to_string())?;
        config.validate()?;
        Ok(config)
    }

    /// Loads `explicit` if given, else `config/default.toml` when present,
    /// else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        match explicit {
            Some(path) => Config::from_file(path),
            None => {
                let default = Path::new("config/default.toml");
                if default.exists() {
                    Config::from_file(default)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if parse_time(&self.broadcast.time).is_none() {
            return Err(format!(
                "[broadcast] time = {:?}: expected \"HH:MM\" or \"HH:MM:SS\"",
                self.broadcast.time
            ));
        }
        if self.broadcast.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(format!(
                "[broadcast] timezone = {:?}: not an IANA time zone name",
                self.broadcast.timezone
            ));
        }
        if let (Some(http), Some(hook)) = (self.http.listen, &self.webhook) {
            if http == hook.listen && http.port() != 0 {
                return Err(format!(
                    "[http] listen and [webhook] listen are both {http}: give them different ports"
                ));
            }
        }
        Ok(())
    }
}

/// Parses `HH:MM` or `HH:MM:SS` (24-hour clock).
pub fn parse_time(s: &str) -> Option<chrono::NaiveTime> {
    let s = s.trim();
    chrono::NaiveTime::parse_from_str(s, "%H:%M:%S")
        .or_else(|_| chrono::NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_to_empty_file() {
        let c = Config::from_toml("").unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.broadcast.time, "09:00");
        assert_eq!(c.storage.path, PathBuf::from("state/qmbot.sqlite3"));
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml("[data]\ndirr = \"x\"\n").unwrap_err();
        assert!(err.contains("dirr"), "{err}");
    }

    #[test]
    fn bad_time_and_zone_are_rejected() {
        assert!(Config::from_toml("[broadcast]\ntime = \"25:00\"\n").is_err());
        assert!(Config::from_toml("[broadcast]\ntimezone = \"Mars/Base\"\n").is_err());
        let c = Config::from_toml("[broadcast]\ntime = \"07:30:15\"\n").unwrap();
        assert_eq!(
            parse_time(&c.broadcast.time),
            chrono::NaiveTime::from_hms_opt(7, 30, 15)
        );
    }

    #[test]
    fn ops_sections_default_to_off() -> std::result::Result<(), String> {
        let c = Config::from_toml("")?;
        assert_eq!(c.http.listen, None);
        assert_eq!(c.webhook, None);
        assert!(c.admin.user_ids.is_empty());
        assert_eq!(c.file, None);
        Ok(())
    }

    #[test]
    fn ops_sections_parse() -> std::result::Result<(), String> {
        let c = Config::from_toml(
            "[http]\nlisten = \"127.0.0.1:9090\"\n\n[webhook]\nurl = \"https://bot.example.org/tg/hook\"\n\n[admin]\nuser_ids = [42, 7012345678]\n",
        )?;
        assert_eq!(c.http.listen, Some(SocketAddr::from(([127, 0, 0, 1], 9090))));
        let hook = c.webhook.ok_or("no [webhook]")?;
        assert_eq!(hook.url.path(), "/tg/hook");
        assert_eq!(hook.listen, SocketAddr::from(([0, 0, 0, 0], 8443)));
        assert_eq!(c.admin.user_ids, vec![42, 7012345678]);
        let c = Config::from_toml("[webhook]\nurl = \"https://x.org/\"\nlisten = \"[::]:8443\"\n")?;
        assert_eq!(c.webhook.map(|w| w.listen.port()), Some(8443));
        Ok(())
    }

    #[test]
    fn bad_ops_values_are_named() {
        for (toml, key) in [
            ("[http]\nlisten = \"localhost\"\n", "[http] listen"),
            (
                "[webhook]\nurl = \"https://x.org/h\"\nlisten = \"8443\"\n",
                "[webhook] listen",
            ),
            ("[webhook]\nurl = \"ftp://x.org/h\"\n", "[webhook] url"),
            ("[webhook]\nurl = \"not a url\"\n", "[webhook] url"),
            ("[admin]\nuser_ids = [-1]\n", ""),
            ("[admin]\nusers = [1]\n", "users"),
            ("[webhook]\nlisten = \"0.0.0.0:8443\"\n", "url"),
            (
                "[http]\nlisten = \"0.0.0.0:8443\"\n[webhook]\nurl = \"https://x.org/h\"\n",
                "different ports",
            ),
        ] {
            let err = Config::from_toml(toml).expect_err(toml);
            assert!(err.contains(key), "{toml}: {err}");
        }
    }

    #[test]
    fn shipped_configs_parse() -> Result<()> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        let default = Config::from_file(&dir.join("default.toml"))?;
        assert_eq!(
            Config { file: None, ..default },
            Config::default(),
            "default.toml states the defaults"
        );
        let container = Config::from_file(&dir.join("container.toml"))?;
        assert_eq!(container.http.listen, Some(SocketAddr::from(([0, 0, 0, 0], 9090))));
        assert_eq!(container.data, DataConfig::default());
        assert_eq!(container.storage, StorageConfig::default());
        Ok(())
    }

    #[test]
    fn from_file_remembers_the_file() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|source| Error::Io {
            path: PathBuf::from("tempdir"),
            source,
        })?;
        let path = dir.path().join("qmbot.toml");
        std::fs::write(&path, "[admin]\nuser_ids = [1]\n").map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let c = Config::from_file(&path)?;
        assert_eq!(c.file.as_deref(), Some(path.as_path()));
        assert_eq!(c.admin.user_ids, vec![1]);
        Ok(())
    }
}
