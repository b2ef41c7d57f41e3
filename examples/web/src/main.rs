//! `firstline-web`: the reference storefront server.
//!
//! ```text
//! cargo run --release -p firstline-web                 # http://127.0.0.1:8080
//! cargo run --release -p firstline-web -- --help
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use firstline::conversation::Bot;
use firstline_web::{Clock, Limits, Options};

/// The firstline web storefront: chat widget, agent inbox and KPI dashboard.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Rules directory or file; the shipped pack when absent.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// SQLite file for conversations, events and the demo orders.
    #[arg(long, default_value = "firstline-web.sqlite")]
    db: PathBuf,
    /// Keep conversations in Redis instead (several instances can share it).
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// Look orders up at `GET URL/{order_id}` instead of the SQLite table.
    #[arg(long, value_name = "URL")]
    orders_url: Option<String>,
    /// Timeout of one order lookup through `--orders-url`, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    orders_timeout_ms: u64,
    /// The agents' login token (letters, digits, '-' and '_'; 12 or more).
    /// Read from FIRSTLINE_AGENT_TOKEN when not given; a random one is
    /// printed at start when neither is set.
    #[arg(long, env = "FIRSTLINE_AGENT_TOKEN", hide_env_values = true)]
    agent_token: Option<String>,
    /// An origin allowed to embed the widget from another site
    /// (`https://shop.example`); repeat for several.
    #[arg(long = "shop-origin", value_name = "ORIGIN")]
    shop_origins: Vec<String>,
    /// Customer messages per minute per conversation (after a burst of 8).
    #[arg(long, default_value_t = 30.0)]
    messages_per_minute: f64,
    /// New conversations per minute per IP address (after a burst of 20).
    #[arg(long, default_value_t = 20.0)]
    sessions_per_minute: f64,
    /// Pretend it is always this unix time (demos and tests of agent hours).
    #[arg(long, hide = true)]
    fixed_time: Option<i64>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = Args::parse();
    let bot = match &args.rules {
        None => firstline::pack::bot(),
        Some(dir) => {
            // Errors name file, line and column; they are shown as the
            // library renders them.
            let built = firstline::Matcher::builder()
                .add_path(dir)
                .build()
                .and_then(Bot::new);
            match built {
                Ok(bot) => bot,
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            }
        }
    };
    let (agent_token, generated) = match args.agent_token {
        Some(t) => (t, false),
        None => (firstline_web::new_agent_token(), true),
    };
    if agent_token.len() < 12
        || !agent_token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        eprintln!("error: the agent token needs 12 or more letters, digits, '-' or '_'");
        std::process::exit(2);
    }
    if let Some(url) = &args.orders_url {
        if !url.starts_with("http://") {
            eprintln!(
                "error: --orders-url must be an http:// URL ({url}): this server is built \
                 without TLS; reach an https backend through a local proxy"
            );
            std::process::exit(2);
        }
    }
    let limits = Limits {
        per_minute: args.messages_per_minute,
        new_sessions_per_minute: args.sessions_per_minute,
        ..Limits::default()
    };
    let server = firstline_web::start(Options {
        addr: args.addr,
        db: args.db.clone(),
        redis: args.redis.clone(),
        bot,
        orders_url: args.orders_url.clone(),
        orders_timeout: Duration::from_millis(args.orders_timeout_ms),
        agent_token: agent_token.clone(),
        shop_origins: args.shop_origins,
        limits,
        clock: args.fixed_time.map_or(Clock::System, Clock::Fixed),
    })
    .await?;
    let base = format!("http://{}", server.addr);
    println!("firstline-web listening on {base}");
    println!("  shop page with the widget  {base}/");
    println!("  agent inbox                {base}/inbox");
    println!("  KPI dashboard              {base}/dashboard");
    match (&args.redis, &args.orders_url) {
        (Some(r), _) => println!("  conversations in Redis {r}"),
        (None, _) => println!("  conversations in {}", args.db.display()),
    }
    if let Some(u) = &args.orders_url {
        println!("  orders from {u}");
    } else {
        println!("  demo orders DH100001..DH100009, SPX2411001, 241125K7QF2M, 58213 (phones end in 5678)");
    }
    if generated {
        println!("  agent token (random, this run only; set FIRSTLINE_AGENT_TOKEN to keep one): {agent_token}");
    }
    tokio::select! {
        _ = server_wait(server) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

async fn server_wait(server: firstline_web::Server) {
    server.wait().await
}
