//! `[http] listen`: a small HTTP server with `GET /healthz` and
//! `GET /metrics`, and `qmbot healthcheck`, which asks `/healthz` (for
//! container health checks in images without curl).
//!
//! `/healthz` answers `200` with a JSON summary while the bot is running
//! (connected to the Bot API and receiving updates) with its corpus loaded,
//! and `503` before that and during shutdown. `/metrics` is
//! [`super::metrics::render`], with the active subscriptions read from the
//! store at scrape time.

use super::metrics;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What `/healthz` reports; the bot updates it as it starts, reloads and
/// stops.
#[derive(Debug, Default)]
pub struct Health {
    running: AtomicBool,
    notices: AtomicUsize,
    passages: AtomicUsize,
}

impl Health {
    /// Marks the bot as receiving updates (`true`) or not (`false`).
    pub fn set_running(&self, running: bool) {
        self.running.store(running, Ordering::SeqCst);
    }

    /// Records the size of the corpus being served.
    pub fn set_corpus(&self, notices: usize, passages: usize) {
        self.notices.store(notices, Ordering::SeqCst);
        self.passages.store(passages, Ordering::SeqCst);
    }

    /// Whether `/healthz` answers 200: running, and a corpus with passages.
    pub fn is_healthy(&self) -> bool {
        self.running.load(Ordering::SeqCst) && self.passages.load(Ordering::SeqCst) > 0
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "status": if self.is_healthy() { "ok" } else { "unavailable" },
            "running": self.running.load(Ordering::SeqCst),
            "notices": self.notices.load(Ordering::SeqCst),
            "passages": self.passages.load(Ordering::SeqCst),
        })
    }
}

#[derive(Clone)]
struct Shared {
    health: Arc<Health>,
    /// The subscription store, counted for `qmbot_subscriptions_active`.
    store: PathBuf,
}

/// The routes, for tests and for [`serve`].
pub fn router(health: Arc<Health>, store: PathBuf) -> axum::Router {
    axum::Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_page))
        .with_state(Shared { health, store })
}

async fn healthz(State(s): State<Shared>) -> Response {
    let code = if s.health.is_healthy() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(s.health.json())).into_response()
}

async fn metrics_page(State(s): State<Shared>) -> Response {
    // SQLite is blocking I/O: off the async workers.
    let counted = tokio::task::spawn_blocking(move || metrics::count_subscriptions(&s.store)).await;
    match counted {
        Ok(Ok(n)) => metrics::set_subscriptions(n),
        Ok(Err(e)) => tracing::debug!(error = %e, "could not count subscriptions for /metrics"),
        Err(e) => tracing::warn!(error = %e, "counting subscriptions panicked"),
    }
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics::render()).into_response()
}

/// Binds `listen` and serves [`router`] in the background until the
/// runtime stops; returns the bound address (useful with port 0).
pub async fn serve(listen: SocketAddr, health: Arc<Health>, store: PathBuf) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("[http] listen = \"{listen}\": cannot listen there: {e}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "serving /healthz and /metrics");
    let app = router(health, store);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the /healthz and /metrics server stopped");
        }
    });
    Ok(addr)
}

/// The address to probe for a listen address: the loopback of the same
/// family when it listens on all interfaces.
pub fn probe_addr(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

/// `GET /healthz` at `addr` with a plain blocking socket; `Ok` for a 200,
/// else an error saying what came back.
pub fn probe(addr: SocketAddr, timeout: Duration) -> anyhow::Result<()> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| anyhow::anyhow!("cannot connect to http://{addr}/healthz: {e}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nUser-Agent: qmbot-healthcheck\r\n\r\n"
    )?;
    let mut response = Vec::new();
    // Read to the end (the server closes), but never more than 64 KiB.
    stream.take(64 * 1024).read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let status = response.lines().next().unwrap_or("");
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if code == "200" {
        Ok(())
    } else {
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b.trim());
        anyhow::bail!("http://{addr}/healthz answered {status:?} {body}")
    }
}

/// `qmbot healthcheck`: exits 0 when `/healthz` at `[http] listen` answers
/// 200. Without `[http] listen` there is nothing to ask, and that is not a
/// failure (the image's `HEALTHCHECK` then always passes).
pub fn healthcheck(listen: Option<SocketAddr>) -> anyhow::Result<()> {
    match listen {
        Some(listen) => {
            probe(probe_addr(listen), Duration::from_secs(3))?;
            println!("ok");
        }
        None => println!("[http] listen is not set; nothing to check"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(addr: SocketAddr, path: &str) -> anyhow::Result<(u16, String, String)> {
        let client = reqwest::Client::builder().no_proxy().build()?;
        let r = client.get(format!("http://{addr}{path}")).send().await?;
        let code = r.status().as_u16();
        let ctype = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Ok((code, ctype, r.text().await?))
    }

    #[tokio::test]
    async fn healthz_follows_the_state_and_metrics_render() -> anyhow::Result<()> {
        let health = Arc::new(Health::default());
        let dir = tempfile::tempdir()?;
        let addr = serve("127.0.0.1:0".parse()?, health.clone(), dir.path().join("none.sqlite3")).await?;

        let (code, _, body) = get(addr, "/healthz").await?;
        assert_eq!(code, 503, "{body}");
        health.set_corpus(5, 900);
        health.set_running(true);
        let (code, ctype, body) = get(addr, "/healthz").await?;
        assert_eq!(code, 200, "{body}");
        assert!(ctype.starts_with("application/json"), "{ctype}");
        let v: serde_json::Value = serde_json::from_str(&body)?;
        assert_eq!(v["status"], "ok");
        assert_eq!(v["passages"], 900);

        let (code, ctype, body) = get(addr, "/metrics").await?;
        assert_eq!(code, 200);
        assert_eq!(ctype, metrics::CONTENT_TYPE);
        assert!(body.contains("qmbot_answers_total{found=\"true\"}"), "{body}");

        let (code, _, _) = get(addr, "/nothing").await?;
        assert_eq!(code, 404);

        // The blocking probe, as `qmbot healthcheck` runs it.
        let blocking = tokio::task::spawn_blocking(move || probe(addr, Duration::from_secs(5)));
        blocking.await??;
        health.set_running(false);
        let err = tokio::task::spawn_blocking(move || probe(addr, Duration::from_secs(5)))
            .await?
            .expect_err("503 is not healthy");
        assert!(err.to_string().contains("503"), "{err}");
        Ok(())
    }

    #[test]
    fn probe_uses_loopback_for_unspecified_addresses() {
        let p = |s: &str| probe_addr(s.parse().unwrap_or_else(|e| panic!("{s}: {e}")));
        assert_eq!(p("0.0.0.0:9090"), "127.0.0.1:9090".parse().unwrap());
        assert_eq!(p("[::]:9090"), "[::1]:9090".parse().unwrap());
        assert_eq!(p("10.1.2.3:80"), "10.1.2.3:80".parse().unwrap());
    }

    #[test]
    fn probe_reports_a_closed_port() -> anyhow::Result<()> {
        // Bind and drop to get a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let err = probe(SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_secs(2)).expect_err("nothing listens");
        assert!(err.to_string().contains("cannot connect"), "{err}");
        Ok(())
    }
}
