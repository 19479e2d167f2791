//! Webhook mode (`[webhook] url` and `listen`): Telegram posts updates to
//! us instead of the bot long-polling `getUpdates`.
//!
//! [`bind`] reads the secret token from `QMBOT_WEBHOOK_SECRET` (or generates
//! one for this run) and binds `listen` before anything is registered, so a
//! bad secret or a busy port is reported before Telegram is told anything.
//! [`register`] then calls `setWebhook` with the URL and the secret and
//! starts teloxide's axum webhook server at `listen` + the URL's path;
//! [`Webhook::dispatch`] feeds its updates to the dispatcher. A request
//! without the right `X-Telegram-Bot-Api-Secret-Token` header gets `401`
//! and is not processed. When the dispatcher stops, teloxide deletes the
//! webhook and the server closes.
//!
//! Neither the secret nor the token is ever logged.

use super::TgBot;
use crate::config::WebhookConfig;
use crate::ops::metrics;
use anyhow::{anyhow, bail, Context as _};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::{DefaultKey, Dispatcher};
use teloxide::error_handlers::IgnoringErrorHandler;
use teloxide::update_listeners::webhooks::{self, Options};
use teloxide::update_listeners::UpdateListener;
use teloxide::RequestError;
use tokio::task::JoinHandle;

/// The environment variable with the webhook's secret token.
pub const SECRET_ENV: &str = "QMBOT_WEBHOOK_SECRET";
/// The header Telegram sends the secret token in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// How long the server gets to delete the webhook and close at shutdown.
const SERVER_GRACE: Duration = Duration::from_secs(1);

/// The secret token; `Debug` does not show it.
#[derive(Clone)]
pub struct Secret(Arc<str>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// Checks Telegram's rules: 1–256 characters of `A-Za-z0-9_-`.
    pub fn new(value: &str) -> anyhow::Result<Secret> {
        let valid_chars = value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !(1..=256).contains(&value.len()) || !valid_chars {
            bail!("{SECRET_ENV} must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (as Telegram requires)");
        }
        Ok(Secret(value.into()))
    }

    /// From `QMBOT_WEBHOOK_SECRET`; generated (32 random characters) when it
    /// is unset or empty.
    pub fn from_env(url: &reqwest::Url, addr: SocketAddr) -> anyhow::Result<Secret> {
        match std::env::var(SECRET_ENV) {
            Ok(v) if !v.trim().is_empty() => Secret::new(v.trim()),
            Ok(_) | Err(std::env::VarError::NotPresent) => {
                tracing::info!("{SECRET_ENV} is not set: using a random secret token for this run");
                let mut options = Options::new(addr, url.clone());
                Secret::new(options.get_or_gen_secret_token())
            }
            Err(std::env::VarError::NotUnicode(_)) => bail!("{SECRET_ENV} is not valid UTF-8"),
        }
    }

    /// Compares in constant time (for equal lengths).
    fn matches(&self, given: &[u8]) -> bool {
        let ours = self.0.as_bytes();
        ours.len() == given.len() && ours.iter().zip(given).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// The webhook's address bound, not yet registered with Telegram.
#[derive(Debug)]
pub struct Bound {
    tcp: tokio::net::TcpListener,
    addr: SocketAddr,
    url: reqwest::Url,
    secret: Secret,
}

/// Reads the secret and binds `[webhook] listen`; `None` without
/// `[webhook]` (long polling).
pub async fn bind(config: Option<&WebhookConfig>) -> anyhow::Result<Option<Bound>> {
    let Some(config) = config else {
        return Ok(None);
    };
    let secret = Secret::from_env(&config.url, config.listen)?;
    let tcp = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow!("[webhook] listen = \"{}\": cannot listen there: {e}", config.listen))?;
    let addr = tcp.local_addr().context("reading the webhook's local address")?;
    Ok(Some(Bound {
        tcp,
        addr,
        url: config.url.clone(),
        secret,
    }))
}

/// A registered webhook: its update listener and the server feeding it.
pub struct Webhook<L> {
    listener: L,
    server: JoinHandle<()>,
}

/// Registers the webhook (`setWebhook`, retried while the Bot API cannot be
/// reached) and starts serving it; `None` when `bound` is `None`.
pub async fn register(
    bound: Option<Bound>,
    bot: &TgBot,
) -> anyhow::Result<Option<Webhook<impl UpdateListener<Err = Infallible> + Send>>> {
    let Some(Bound { tcp, addr, url, secret }) = bound else {
        return Ok(None);
    };
    let mut delay = Duration::from_secs(1);
    let (listener, stopped, router) = loop {
        let options = Options::new(addr, url.clone()).secret_token(secret.0.to_string());
        match webhooks::axum_to_router(bot.clone(), options).await {
            Ok(parts) => break parts,
            Err(e @ (RequestError::Network(_) | RequestError::RetryAfter(_) | RequestError::Io(_))) => {
                let wait = match &e {
                    RequestError::RetryAfter(s) => s.duration(),
                    _ => delay,
                };
                tracing::warn!(error = %e, retry_in = ?wait, "setWebhook failed; retrying");
                tokio::time::sleep(wait).await;
                delay = (delay * 2).min(Duration::from_secs(60));
            }
            Err(e) => bail!("setWebhook failed for [webhook] url = \"{url}\": {e}"),
        }
    };
    let router = router.layer(axum::middleware::from_fn_with_state(secret, require_secret));
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(tcp, router).with_graceful_shutdown(stopped).await {
            tracing::error!(error = %e, "the webhook server failed");
        }
    });
    tracing::info!(%addr, path = url.path(), "webhook registered; receiving updates at this address");
    Ok(Some(Webhook { listener, server }))
}

/// Refuses requests without the right secret token before teloxide sees
/// them.
async fn require_secret(State(secret): State<Secret>, request: Request, next: Next) -> Response {
    let given = request.headers().get(SECRET_HEADER).map(|v| v.as_bytes());
    if given.is_some_and(|g| secret.matches(g)) {
        return next.run(request).await;
    }
    metrics::webhook_rejected();
    tracing::debug!(
        path = request.uri().path(),
        header = given.is_some(),
        "webhook request without the right secret token refused"
    );
    StatusCode::UNAUTHORIZED.into_response()
}

impl<L: UpdateListener<Err = Infallible> + Send> Webhook<L> {
    /// Runs `dispatcher` on the webhook's updates until it is shut down,
    /// then lets the server delete the webhook and close.
    pub async fn dispatch(
        self,
        dispatcher: &mut Dispatcher<TgBot, RequestError, DefaultKey>,
    ) -> Result<(), RequestError> {
        let result = dispatcher
            .try_dispatch_with_listener(self.listener, IgnoringErrorHandler::new())
            .await;
        if tokio::time::timeout(SERVER_GRACE, self.server).await.is_err() {
            tracing::warn!("the webhook server did not stop in time; leaving it");
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_follow_telegrams_rules() {
        assert!(Secret::new("abc_DEF-123").is_ok());
        assert!(Secret::new(&"a".repeat(256)).is_ok());
        for bad in ["", "has space", "ümlaut", "semi;colon", &"a".repeat(257)] {
            let err = Secret::new(bad).expect_err(bad);
            let text = err.to_string();
            assert!(text.contains(SECRET_ENV), "{text}");
            if !bad.is_empty() {
                assert!(!text.contains(bad), "the value must not be echoed: {text}");
            }
        }
    }

    #[test]
    fn secret_comparison_and_debug() -> anyhow::Result<()> {
        let s = Secret::new("s3cret-token")?;
        assert!(s.matches(b"s3cret-token"));
        assert!(!s.matches(b"s3cret-tokeN"));
        assert!(!s.matches(b"s3cret-token2"));
        assert!(!s.matches(b""));
        assert!(!format!("{s:?}").contains("s3cret"));
        Ok(())
    }

    #[test]
    fn generated_secrets_are_valid_and_differ() -> anyhow::Result<()> {
        let url = reqwest::Url::parse("https://bot.example.org/hook")?;
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let gen = || {
            let mut o = Options::new(addr, url.clone());
            o.get_or_gen_secret_token().to_string()
        };
        let (a, b) = (gen(), gen());
        assert_ne!(a, b);
        assert!(a.len() >= 32, "{a}");
        Secret::new(&a)?;
        Ok(())
    }
}
