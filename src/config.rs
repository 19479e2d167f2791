//! Configuration: `config/default.toml` (every key optional). The bot token is
//! never part of the config; it comes only from the `TELOXIDE_TOKEN`
//! environment variable.

use crate::error::{Error, Result};
use serde::Deserialize;
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

impl Config {
    /// Reads a config file; unknown keys are an error naming the key.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text).map_err(|message| Error::Invalid {
            path: path.to_path_buf(),
            message,
        })
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
}
