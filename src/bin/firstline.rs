//! The `firstline` command-line tool: check, explain, chat with, classify
//! with, test and report on a firstline rule set.
//!
//! See `src/bin/firstline/README.md`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[path = "firstline/chat.rs"]
mod chat;
#[path = "firstline/check.rs"]
mod check;
#[path = "firstline/classify.rs"]
mod classify;
#[path = "firstline/engine.rs"]
mod engine;
#[path = "firstline/eval.rs"]
mod eval;
#[path = "firstline/explain.rs"]
mod explain;
#[path = "firstline/init.rs"]
mod init;
#[path = "firstline/report.rs"]
mod report;
#[path = "firstline/rules.rs"]
mod rules;
#[path = "firstline/schema.rs"]
mod schema;
#[path = "firstline/test.rs"]
mod test;

use rules::Rules;

/// Rule-based Vietnamese/English first-line support bot: author, check,
/// test and measure its rules.
#[derive(Parser, Debug)]
#[command(name = "firstline", version, about, long_about = None)]
struct Cli {
    /// A rule file or a directory of rule files (default: the shipped
    /// pack). Repeat it to layer files: later files override earlier
    /// settings key by key.
    #[arg(long, global = true, value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Start from the shipped pack and layer the `--rules` files over it.
    #[arg(long, global = true)]
    pack: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start a bot project: write the shipped rules, a settings file for
    /// the shop, example conversation scripts and a CI workflow.
    Init {
        /// The directory to write to (created if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Compile and lint the rules; report every problem with file:line:col.
    Check {
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// List every setting with its value and the file and line it came
        /// from (later files override earlier ones).
        #[arg(long)]
        explain_settings: bool,
    },
    /// Show how one message is normalized, matched and classified.
    Explain {
        /// The customer message.
        message: String,
        /// Print the explanation as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Chat with the bot: one message per line, until Ctrl-D (or the end
    /// of stdin). On a terminal, lines can be edited and recalled with the
    /// arrow keys. /reset starts a new conversation, /explain explains the
    /// last message. A demo order store holds one order in every status.
    Chat {
        /// Print only the replies.
        #[arg(long)]
        plain: bool,
        /// The time of every turn, unix seconds (default: the clock).
        #[arg(long)]
        now: Option<i64>,
        /// Write the bot's event lines (JSON, one per line) to this file,
        /// for `firstline report`.
        #[arg(long, value_name = "FILE")]
        events: Option<PathBuf>,
        /// Use these orders (YAML or JSON list: id, status, carrier,
        /// tracking, eta, phone, email) instead of the demo orders.
        #[arg(long, value_name = "FILE")]
        orders: Option<PathBuf>,
    },
    /// Run conversation scripts (default directory: tests/conversations).
    Test {
        /// Script files or directories.
        paths: Vec<PathBuf>,
        /// Also write the results as JUnit XML to this file.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Report the intents, phrases, replies and handoff triggers that no
        /// script exercised.
        #[arg(long)]
        coverage: bool,
    },
    /// Classify stdin, one message (or JSON object with "text") per line,
    /// into one JSON object per line.
    Classify,
    /// Accuracy on labelled messages (TSV, CSV or JSON lines with text and
    /// label columns): per-intent precision and recall, confusions,
    /// off-topic accuracy, handoff share.
    Eval {
        /// Labelled files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// tsv, csv or jsonl (default: from the file extension).
        #[arg(long)]
        format: Option<String>,
        /// Break accuracy down by this column (lang, tags, source_label...).
        #[arg(long, default_value = "lang")]
        by: String,
        /// List every message that did not get its label.
        #[arg(long)]
        errors: bool,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
        /// How many confusions to list.
        #[arg(long, default_value_t = 15)]
        top: usize,
        /// Do not check the rules' examples (measure rules whose examples fail).
        #[arg(long)]
        no_check: bool,
        /// Exit 1 when a file's accuracy is under this.
        #[arg(long, value_name = "ACCURACY")]
        fail_under: Option<f64>,
    },
    /// Print a JSON Schema of the rule format or the script format.
    Schema {
        /// Which format.
        #[arg(value_enum)]
        which: schema::Which,
    },
    /// Support KPIs from the conversation engine's JSON-line event logs
    /// (`chat --events` writes them too).
    Report {
        /// Event log files (default: stdin; `-` is stdin).
        files: Vec<PathBuf>,
        /// Print the KPIs as one JSON object.
        #[arg(long)]
        json: bool,
        /// Also write a self-contained HTML page with charts to this file.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// The shop name in the HTML page's title.
        #[arg(long, default_value = "firstline")]
        title: String,
        /// The shop's UTC offset for hours and weekdays.
        #[arg(long, default_value = "+07:00", allow_hyphen_values = true)]
        utc_offset: String,
        /// Intents counted as complaints (comma separated; default: every
        /// intent whose id contains "complain").
        #[arg(long, value_delimiter = ',')]
        complaints: Vec<String>,
    },
}

/// Exit code for rules that do not compile and failed checks.
pub const FAIL: u8 = 1;
/// Exit code for unusable input (bad scripts, unreadable files, usage).
pub const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rules = Rules::from_args(cli.rules, cli.pack);
    let code = match cli.command {
        Command::Init { dir, force } => init::run(&dir, force),
        Command::Check {
            deny_warnings,
            explain_settings,
        } => check::run(&rules, deny_warnings, explain_settings),
        Command::Explain { message, json } => explain::run(&rules, &message, json),
        Command::Chat {
            plain,
            now,
            events,
            orders,
        } => chat::run(
            &rules,
            &chat::Options {
                plain,
                now,
                events,
                orders,
            },
        ),
        Command::Test {
            paths,
            junit,
            coverage,
        } => test::run(&rules, &paths, junit.as_ref(), coverage),
        Command::Classify => classify::run(&rules),
        Command::Eval {
            files,
            format,
            by,
            errors,
            json,
            top,
            no_check,
            fail_under,
        } => eval::run(
            &rules,
            &eval::Options {
                files,
                format,
                by,
                errors,
                json,
                top,
                no_check,
                fail_under,
            },
        ),
        Command::Schema { which } => schema::run(which),
        Command::Report {
            files,
            json,
            html,
            title,
            utc_offset,
            complaints,
        } => report::run(&report::Args {
            files,
            json,
            utc_offset,
            complaints,
            html,
            title,
        }),
    };
    ExitCode::from(code)
}

/// Compiles the rules for a command that needs them, or prints why not
/// and returns the exit code.
fn load(rules: &Rules) -> Result<firstline::Matcher, u8> {
    match rules.compile() {
        Err(msg) => {
            eprintln!("error: {msg}");
            Err(BAD_INPUT)
        }
        Ok(Err(e)) => {
            eprintln!("{e}");
            Err(FAIL)
        }
        Ok(Ok(m)) => Ok(m),
    }
}
