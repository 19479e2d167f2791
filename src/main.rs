//! `qmbot`: parse the command line, load config and corpus, hand over to the
//! library.

use anyhow::Context;
use clap::{Parser, Subcommand};
use qmbot::config::Config;
use qmbot::Engine;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// `println!` that hands a write error back instead of panicking: output
/// piped into `head` ends quietly (see `main`).
macro_rules! out {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}

/// Answers questions about China's national Quality Month (全国“质量月”)
/// from the official notices, with citations.
#[derive(Parser)]
#[command(name = "qmbot", version)]
struct Cli {
    /// Config file (default: config/default.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Corpus directory with catalog.toml (overrides [data] dir).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Answer a question offline and print the reply as a chat shows it.
    Ask {
        /// Print one JSON object per question.
        #[arg(long)]
        json: bool,
        /// The question; without it, questions are read from stdin, one per line.
        question: Vec<String>,
    },
    /// Hold a conversation: questions from stdin, one per line, where a
    /// follow-up (`江苏呢？`) inherits what it leaves out; one reply each.
    Chat {
        /// Print one JSON object per question (the shape of `ask --json`).
        #[arg(long)]
        json: bool,
    },
    /// Run the Telegram bot (token from TELOXIDE_TOKEN).
    Run,
    /// Turn a published notice (PDF, DOCX, HTML or text; attachments after it)
    /// into a text file and a catalog entry; without --write, only show them.
    Import {
        /// The notice's files, in order (the notice, then its attachments).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The Quality Month year (overrides the year found in the text).
        #[arg(long)]
        year: Option<i32>,
        /// Write DIR/<year>-<name>.txt and append the entry to DIR/catalog.toml.
        #[arg(long)]
        write: bool,
    },
    /// Load the corpus as the bot does and report what the parser understood.
    Check {
        /// Print a JSON array, one object per notice.
        #[arg(long)]
        json: bool,
    },
    /// Measure start-up, answer latency and memory on the dev questions; with
    /// --subscribers, the broadcast scheduler's cost per delivery instead.
    Bench {
        /// Questions file (JSON lines with a "q" field, or plain lines).
        #[arg(long, default_value = "tests/dev.jsonl")]
        questions: PathBuf,
        /// Rounds over the questions for the warm measurement.
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        /// Also list this many questions with the highest engine cost, with
        /// the peer's cost for the same question.
        #[arg(long, default_value_t = 0)]
        slowest: usize,
        /// Run the broadcast scheduler for one simulated day with this many
        /// subscriptions (temporary store, no network).
        #[arg(long)]
        subscribers: Option<usize>,
    },
    /// Exit 0 when the running bot's /healthz ([http] listen) answers 200.
    Healthcheck,
    /// Questions today and over 7 days, the share answered, and the most asked
    /// unanswered questions, from the state file ([storage] path).
    Stats,
}

fn main() {
    if let Err(err) = run() {
        // A reader that stopped reading (`qmbot bench | head`) is no error.
        let closed = err
            .chain()
            .filter_map(|e| e.downcast_ref::<std::io::Error>())
            .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        if closed {
            return;
        }
        eprintln!("qmbot: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr, filtered by RUST_LOG (`RUST_LOG=qmbot=debug qmbot
    // ask …` shows how a question was understood and routed).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(dir) = cli.data {
        config.data.dir = dir;
    }
    match cli.command {
        Command::Ask { json, question } => {
            let engine = load_engine(&config)?;
            ask(&engine, json, &question.join(" "), question.is_empty())
        }
        Command::Chat { json } => {
            let engine = load_engine(&config)?;
            chat(&engine, json)
        }
        Command::Run => {
            // A missing or malformed token is reported before the corpus loads.
            let _checked = qmbot::bot::bot_from_env()?;
            let engine = Arc::new(load_engine(&config)?);
            let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            rt.block_on(qmbot::bot::run(config, engine))
        }
        Command::Import { files, year, write } => import(&config.data.dir, &files, year, write),
        Command::Check { json } => check(&config.data.dir, json),
        Command::Bench {
            subscribers: Some(n), ..
        } => bench_scheduler(&config, n),
        Command::Bench {
            questions,
            rounds,
            slowest,
            ..
        } => bench(&config, &questions, rounds, slowest),
        Command::Healthcheck => qmbot::ops::health::healthcheck(config.http.listen),
        Command::Stats => print_out(&format!("{}\n", qmbot::ops::stats::from_config(&config)?)),
    }
}

fn import(dir: &std::path::Path, files: &[PathBuf], year: Option<i32>, write: bool) -> anyhow::Result<()> {
    // Lines are joined knowing the bodies of the corpus the notice joins.
    let known = qmbot::corpus::known_bodies(dir)?;
    let proposal = qmbot::import::propose(files, year, &known)?;
    if write {
        let path = qmbot::import::write(&proposal, dir)?;
        let catalog = dir.join("catalog.toml");
        return print_out(&format!(
            "wrote {} and its entry in {}\n",
            path.display(),
            catalog.display()
        ));
    }
    let report = qmbot::ops::check::check_notice(&proposal.notice, &proposal.text, &known);
    let mut out = format!("{}\n{}", proposal.catalog_entry(), report.to_plain());
    if !proposal.missing.is_empty() {
        out.push_str(&format!("not found in the text: {}\n", proposal.missing.join(", ")));
    }
    match proposal.conflict(dir) {
        Ok(()) => out.push_str(&format!("nothing written; --write adds it to {}\n", dir.display())),
        Err(e) => out.push_str(&format!("nothing written; --write would be refused: {e}\n")),
    }
    print_out(&out)
}

/// Prints to stdout; a reader that went away (`| head`) is not an error.
fn print_out(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}

fn check(dir: &std::path::Path, json: bool) -> anyhow::Result<()> {
    let reports =
        qmbot::ops::check::check_dir(dir).with_context(|| format!("checking the corpus in {}", dir.display()))?;
    if json {
        print_out(&format!("{}\n", qmbot::ops::check::to_json(&reports)))
    } else {
        print_out(&qmbot::ops::check::to_plain(&reports))
    }
}

fn load_engine(config: &Config) -> anyhow::Result<Engine> {
    Engine::load(&config.data.dir).with_context(|| format!("loading the corpus from {}", config.data.dir.display()))
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn ask(engine: &Engine, json: bool, question: &str, from_stdin: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let print = |out: &mut std::io::StdoutLock, q: &str| -> std::io::Result<()> {
        let a = engine.answer(q, today());
        if json {
            writeln!(out, "{}", a.to_json())
        } else {
            writeln!(out, "{}\n", a.to_plain())
        }
    };
    if from_stdin && json {
        for line in std::io::stdin().lock().lines() {
            let line = line.context("reading questions from stdin")?;
            if line.trim().is_empty() {
                continue;
            }
            print(&mut out, &line)?;
        }
    } else if from_stdin {
        let mut all = String::new();
        for line in std::io::stdin().lock().lines() {
            all.push_str(&line.context("reading the question from stdin")?);
            all.push('\n');
        }
        print(&mut out, all.trim())?;
    } else {
        print(&mut out, question)?;
    }
    out.flush()?;
    Ok(())
}

/// `qmbot chat`: one conversation over stdin. In a terminal it prompts;
/// `/new` starts a new conversation.
fn chat(engine: &Engine, json: bool) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("qmbot chat: one question per line; a follow-up such as “江苏呢？” continues the last question; /new starts afresh; Ctrl-D ends.");
    }
    let mut input = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut context: Option<qmbot::conversation::Context> = None;
    let mut line = Vec::new();
    loop {
        if interactive {
            eprint!("问> ");
        }
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .context("reading questions from stdin")?
            == 0
        {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let question = text.trim();
        if question.is_empty() {
            continue;
        }
        if question == "/new" {
            context = None;
            continue;
        }
        let turn = engine.answer_in(question, today(), context.as_ref());
        context = turn.context;
        let written = if json {
            writeln!(out, "{}", turn.answer.to_json())
        } else {
            writeln!(out, "{}\n", turn.answer.to_plain())
        };
        match written.and_then(|()| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            r => r.context("writing to stdout")?,
        }
    }
    Ok(())
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bench_scheduler(config: &Config, subscribers: usize) -> anyhow::Result<()> {
    let engine = load_engine(config)?;
    let rotation = qmbot::broadcast::rotation::Rotation::from_engine(&engine);
    drop(engine);
    out!(
        "scheduler bench: {subscribers} subscriptions, {} slogans, one simulated day, no-op sender",
        rotation.len()
    );
    let r = qmbot::broadcast::bench::scheduler(subscribers, rotation).context("scheduler benchmark")?;
    out!("zones:                   {}", r.zones);
    out!("simulated day from:      {}", r.start.format("%Y-%m-%d %H:%M UTC"));
    out!("store filled in:         {:.1} ms", r.fill.as_secs_f64() * 1e3);
    out!("deliveries:              {} (every chat exactly once)", r.deliveries);
    out!("simulated day took:      {:.2} s wall", r.wall.as_secs_f64());
    match r.cpu {
        Some(cpu) => out!("CPU (all threads):       {:.2} s", cpu.as_secs_f64()),
        None => out!("CPU (all threads):       unknown here; figures below are wall time"),
    }
    out!(
        "scheduler: {} subscriptions, {:.1} µs per delivery",
        r.subscriptions,
        r.per_delivery().as_secs_f64() * 1e6
    );
    Ok(())
}

fn bench(config: &Config, questions: &std::path::Path, rounds: usize, slowest: usize) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let engine = load_engine(config)?;
    let startup = t0.elapsed();
    let text = std::fs::read_to_string(questions).with_context(|| format!("reading {}", questions.display()))?;
    let qs: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v.get("q").and_then(|q| q.as_str()).map(String::from))
                .unwrap_or_else(|| l.to_string())
        })
        .collect();
    anyhow::ensure!(!qs.is_empty(), "{}: no questions", questions.display());
    let day = today();
    let t1 = Instant::now();
    for q in &qs {
        std::hint::black_box(engine.answer(q, day));
    }
    let first = t1.elapsed();
    // The engine's own peak memory, before the peer's index exists.
    let engine_rss = peak_rss_kb();
    // The jieba + BM25 peer over the same passages, timed in the same rounds.
    let t2 = Instant::now();
    let peer = qmbot::ops::peer::Peer::new(engine.jieba(), engine.passage_texts())?;
    let peer_build = t2.elapsed();
    for q in &qs {
        std::hint::black_box(peer.answer(q));
    }
    let engine_run = |q: &str| {
        std::hint::black_box(engine.answer(q, day));
    };
    let peer_run = |q: &str| {
        std::hint::black_box(peer.answer(q));
    };
    let (lat, peer_lat) = qmbot::ops::peer::race(&qs, rounds.max(1), &engine_run, &peer_run);
    let us = |d: std::time::Duration| d.as_secs_f64() * 1e6;
    out!("passages indexed:        {}", engine.passage_count());
    out!("start-up (load + index): {:.1} ms", startup.as_secs_f64() * 1e3);
    out!("first pass ({} q):       {:.2} ms", qs.len(), first.as_secs_f64() * 1e3);
    out!("warm answers:            {} over {} rounds", lat.len(), rounds.max(1));
    out!("warm p50:                {:.1} µs", us(lat.quantile(0.50)));
    out!("warm p99:                {:.1} µs", us(lat.quantile(0.99)));
    out!("warm max:                {:.1} µs", us(lat.quantile(1.0)));
    out!("warm mean:               {:.1} µs", us(lat.mean()));
    out!("peer index built in:     {:.1} ms", peer_build.as_secs_f64() * 1e3);
    out!(
        "peer (jieba + BM25 top-{}): p50 {:.1} µs, p99 {:.1} µs, mean {:.1} µs per question",
        qmbot::ops::peer::TOP,
        us(peer_lat.quantile(0.50)),
        us(peer_lat.quantile(0.99)),
        us(peer_lat.mean())
    );
    out!(
        "engine / peer mean cost:  {:.2}",
        lat.mean().as_secs_f64() / peer_lat.mean().as_secs_f64().max(f64::MIN_POSITIVE)
    );
    if let (Some(kb), Some(with_peer)) = (engine_rss, peak_rss_kb()) {
        out!("peak RSS:                {:.1} MB", kb as f64 / 1024.0);
        out!("peak RSS with the peer:  {:.1} MB", with_peer as f64 / 1024.0);
    }
    if slowest > 0 {
        let each = qmbot::ops::peer::each(&qs, rounds.max(1), &engine_run, &peer_run);
        out!(
            "slowest questions (engine µs / peer µs, mean over {} rounds):",
            rounds.max(1)
        );
        for (q, a, b) in each.into_iter().take(slowest) {
            out!("  {:>7.1} {:>7.1}  {q}", us(a), us(b));
        }
    }
    Ok(())
}
