//! Classification benchmarks on real traffic: `Matcher::classify` over the
//! 3,777 messages of `benches/data` (both languages, every writing style),
//! on generated rule sets of 30, 300 and 3,000 intents and on the shipped
//! pack, each beside a bare aho-corasick scan of the same phrases run in the
//! same process; the median and p99 per message; compile time; the compiled
//! matcher's heap size; one thread against two sharing a matcher;
//! normalization.
//!
//! Run with `cargo bench --bench classify`. Results and the exact command are
//! in `benches/README.md`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode,
    Throughput,
};
use firstline::{Config, Lang, Matcher};

// ---------------------------------------------------------------------------
// Memory: a counting global allocator (live bytes).

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Counting is on only inside `measure`: elsewhere (the timed benchmarks)
/// the allocator costs one relaxed load, not two contended atomic updates.
static COUNTING: AtomicBool = AtomicBool::new(false);

// SAFETY: every method forwards to `System` unchanged and only updates a counter.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Builds a value and returns it with the heap bytes it keeps alive
/// (live bytes after minus before; temporaries freed during the build don't count).
fn measure<T>(build: impl FnOnce() -> T) -> (T, usize) {
    COUNTING.store(true, Ordering::SeqCst);
    let before = LIVE.load(Ordering::Relaxed);
    let value = build();
    let after = LIVE.load(Ordering::Relaxed);
    COUNTING.store(false, Ordering::SeqCst);
    (value, after.saturating_sub(before))
}

fn mib(bytes: usize) -> String {
    format!(
        "{:.2} MiB ({bytes} bytes)",
        bytes as f64 / (1024.0 * 1024.0)
    )
}

// ---------------------------------------------------------------------------
// Deterministic rule generator.

/// xorshift64*: small, deterministic, good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

const VI_WORDS: &[&str] = &[
    "đơn hàng",
    "đơn",
    "giao",
    "giao hàng",
    "hủy",
    "đổi",
    "trả",
    "hoàn tiền",
    "phí",
    "vận chuyển",
    "ship",
    "mã",
    "khuyến mãi",
    "giảm giá",
    "voucher",
    "thanh toán",
    "chuyển khoản",
    "tiền mặt",
    "địa chỉ",
    "số điện thoại",
    "size",
    "áo",
    "quần",
    "giày",
    "váy",
    "túi",
    "màu",
    "đen",
    "trắng",
    "đỏ",
    "còn hàng",
    "hết hàng",
    "bảo hành",
    "lỗi",
    "hỏng",
    "rách",
    "sai",
    "thiếu",
    "nhận",
    "chưa",
    "bao lâu",
    "bao nhiêu",
    "khi nào",
    "ở đâu",
    "tới đâu",
    "kiểm tra",
    "theo dõi",
    "tài khoản",
    "đăng nhập",
    "mật khẩu",
    "quên",
    "đặt",
    "mua",
    "sản phẩm",
    "chất liệu",
    "cotton",
    "giá",
    "rẻ",
    "đắt",
    "nhanh",
    "chậm",
    "hôm nay",
    "ngày mai",
    "tuần sau",
    "cửa hàng",
    "chi nhánh",
    "hà nội",
    "sài gòn",
    "đà nẵng",
    "tỉnh",
    "nội thành",
    "ngoại thành",
    "miễn phí",
    "tích điểm",
    "thành viên",
    "hóa đơn",
    "xuất",
    "công ty",
    "trả góp",
    "thẻ",
    "ví",
    "momo",
    "zalopay",
    "cod",
    "hộp",
    "quà",
    "gói",
    "tặng",
    "bọc",
    "nhân viên",
    "tư vấn",
    "gọi",
    "liên hệ",
    "hotline",
    "khiếu nại",
    "phản hồi",
    "đánh giá",
    "bình luận",
    "hình",
    "ảnh",
    "video",
    "mẫu",
    "mới",
    "cũ",
    "bộ sưu tập",
    "sale",
    "thanh lý",
    "kho",
    "lấy",
    "hẹn",
    "lịch",
    "mở cửa",
    "đóng cửa",
    "giờ",
    "sáng",
    "chiều",
    "tối",
    "cuối tuần",
    "nhận hàng",
    "kiện",
    "bưu điện",
    "shipper",
    "gấp",
    "hỏa tốc",
    "tiết kiệm",
    "nước ngoài",
    "quốc tế",
    "đổi size",
    "đổi màu",
];

const EN_WORDS: &[&str] = &[
    "order",
    "orders",
    "refund",
    "cancel",
    "return",
    "exchange",
    "delivery",
    "shipping",
    "ship",
    "track",
    "tracking",
    "package",
    "parcel",
    "arrive",
    "late",
    "fee",
    "cost",
    "price",
    "discount",
    "coupon",
    "voucher",
    "code",
    "payment",
    "pay",
    "card",
    "cash",
    "transfer",
    "address",
    "phone",
    "change",
    "size",
    "color",
    "shirt",
    "shoes",
    "dress",
    "bag",
    "stock",
    "available",
    "warranty",
    "broken",
    "damaged",
    "wrong",
    "missing",
    "item",
    "receive",
    "received",
    "when",
    "where",
    "how",
    "long",
    "much",
    "account",
    "login",
    "password",
    "forgot",
    "buy",
    "product",
    "material",
    "cheap",
    "fast",
    "slow",
    "today",
    "tomorrow",
    "store",
    "branch",
    "free",
    "points",
    "member",
    "invoice",
    "company",
    "installment",
    "wallet",
    "gift",
    "wrap",
    "staff",
    "agent",
    "call",
    "contact",
    "complaint",
    "review",
    "photo",
    "new",
    "sale",
    "pickup",
    "open",
    "hours",
    "weekend",
    "express",
    "international",
    "status",
    "help",
    "human",
    "speak",
    "money",
    "back",
];

/// Concepts the generated phrases refer to as `@name`.
const CONCEPTS: &[(&str, &[&str], &[&str])] = &[
    (
        "order",
        &["đơn hàng", "đơn", "mã đơn", "order"],
        &["order", "purchase", "package"],
    ),
    ("me", &["em", "mình", "tôi", "tớ"], &["my", "our"]),
    (
        "ship",
        &["giao hàng", "vận chuyển", "ship"],
        &["delivery", "shipping"],
    ),
    (
        "money",
        &["tiền", "hoàn tiền", "tiền hàng"],
        &["money", "refund", "payment"],
    ),
];

/// Hand-written phrases given to the first intents of every set, so each
/// size has intents that real messages hit; with their elements, for the
/// bare scan's patterns.
const CORE: &[(bool, &str, &[Elem])] = &[
    (
        true,
        "@order [của] @me * (tới đâu|đâu)",
        &[
            Elem::Concept(0),
            Elem::Opt("của"),
            Elem::Concept(1),
            Elem::Gap,
            Elem::Alt("tới đâu", "đâu"),
        ],
    ),
    (
        false,
        "where * @me @order",
        &[
            Elem::Word("where"),
            Elem::Gap,
            Elem::Concept(1),
            Elem::Concept(0),
        ],
    ),
    (
        false,
        "cancel * @order",
        &[Elem::Word("cancel"), Elem::Gap, Elem::Concept(0)],
    ),
    (
        true,
        "(hủy|huỷ) @order",
        &[Elem::Alt("hủy", "huỷ"), Elem::Concept(0)],
    ),
    (true, "đổi size", &[Elem::Word("đổi size")]),
    (
        true,
        "phí (vận chuyển|ship)",
        &[Elem::Word("phí"), Elem::Alt("vận chuyển", "ship")],
    ),
    (false, "refund", &[Elem::Word("refund")]),
    (true, "hoàn tiền", &[Elem::Word("hoàn tiền")]),
    (true, "mã giảm giá", &[Elem::Word("mã giảm giá")]),
    (
        false,
        "(ship|shipping) * (internationally|international)",
        &[
            Elem::Alt("ship", "shipping"),
            Elem::Gap,
            Elem::Alt("internationally", "international"),
        ],
    ),
    (
        true,
        "mở cửa * giờ",
        &[Elem::Word("mở cửa"), Elem::Gap, Elem::Word("giờ")],
    ),
    (
        false,
        "change * address",
        &[Elem::Word("change"), Elem::Gap, Elem::Word("address")],
    ),
];

/// One element of a generated phrase.
enum Elem {
    Word(&'static str),
    Alt(&'static str, &'static str),
    Opt(&'static str),
    Gap,
    Concept(usize),
}

struct Generated {
    yaml: String,
    /// Every gap-free run of words of every phrase, alternatives and
    /// concepts multiplied out: what the bare scan looks for.
    segments: Vec<String>,
    phrases: usize,
}

fn gen_phrase(rng: &mut Rng, vi: bool) -> Vec<Elem> {
    let words = if vi { VI_WORDS } else { EN_WORDS };
    let n = 2 + rng.below(3); // 2..=4 words
    let mut out = Vec::new();
    for i in 0..n {
        // Gaps, optional words and alternatives only between words, never first.
        if i > 0 && rng.chance(12) {
            out.push(Elem::Gap);
        }
        if i == 0 || !rng.chance(25) {
            if rng.chance(6) {
                out.push(Elem::Concept(rng.below(CONCEPTS.len())));
            } else if rng.chance(10) {
                out.push(Elem::Alt(rng.pick(words), rng.pick(words)));
            } else {
                out.push(Elem::Word(rng.pick(words)));
            }
        } else if i + 1 < n {
            // an optional word in the middle, then a required one
            out.push(Elem::Opt(rng.pick(words)));
            out.push(Elem::Word(rng.pick(words)));
        } else {
            out.push(Elem::Word(rng.pick(words)));
        }
    }
    // A gap never ends a phrase (it can't: a word always follows one).
    out
}

fn phrase_text(p: &[Elem]) -> String {
    let parts: Vec<String> = p
        .iter()
        .map(|e| match e {
            Elem::Word(w) => (*w).to_string(),
            Elem::Alt(a, b) => format!("({a}|{b})"),
            Elem::Opt(w) => format!("[{w}]"),
            Elem::Gap => "*".to_string(),
            Elem::Concept(c) => format!("@{}", CONCEPTS[*c].0),
        })
        .collect();
    parts.join(" ")
}

/// A phrase's gap-free runs of words, with every alternative, optional
/// word and concept synonym multiplied out, added to `out`.
fn phrase_segments(p: &[Elem], out: &mut Vec<String>) {
    // Each run in progress: the texts it can be so far.
    let mut run: Vec<String> = vec![String::new()];
    let push = |run: &mut Vec<String>, alts: &[&str], keep: bool| {
        let mut next = Vec::new();
        for r in run.iter() {
            if keep {
                next.push(r.clone());
            }
            for a in alts {
                next.push(if r.is_empty() {
                    (*a).to_string()
                } else {
                    format!("{r} {a}")
                });
            }
        }
        *run = next;
    };
    for e in p {
        match e {
            Elem::Word(w) => push(&mut run, &[w], false),
            Elem::Alt(a, b) => push(&mut run, &[a, b], false),
            Elem::Opt(w) => push(&mut run, &[w], true),
            Elem::Concept(c) => {
                let (_, vi, en) = CONCEPTS[*c];
                let all: Vec<&str> = vi.iter().chain(en.iter()).copied().collect();
                push(&mut run, &all, false);
            }
            Elem::Gap => {
                out.extend(run.drain(..).filter(|r| !r.is_empty()));
                run.push(String::new());
            }
        }
    }
    out.extend(run.into_iter().filter(|r| !r.is_empty()));
}

fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A rule file with `n` intents of ~8 phrases each (5 Vietnamese, 3 English).
fn generate(n: usize) -> Generated {
    let mut rng = Rng(SEED ^ n as u64);
    let mut yaml = String::from("version: 1\n\nconcepts:\n");
    for (name, vi, en) in CONCEPTS {
        let q = |l: &[&str]| {
            l.iter()
                .map(|w| yaml_quote(w))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(yaml, "  {name}:\n    vi: [{}]\n    en: [{}]", q(vi), q(en));
    }
    yaml.push_str("\nintents:\n");
    let mut segments = Vec::new();
    let mut phrases = 0;
    for i in 0..n {
        let _ = writeln!(yaml, "  - id: intent_{i:05}\n    phrases:");
        for (lang, vi, count) in [("vi", true, 5), ("en", false, 3)] {
            let _ = writeln!(yaml, "      {lang}:");
            let mut count = count;
            if let Some(&(core_vi, text, elems)) = CORE.get(i) {
                if core_vi == vi {
                    let _ = writeln!(yaml, "        - {}", yaml_quote(text));
                    phrase_segments(elems, &mut segments);
                    phrases += 1;
                    count -= 1;
                }
            }
            for _ in 0..count {
                let p = gen_phrase(&mut rng, vi);
                let _ = writeln!(yaml, "        - {}", yaml_quote(&phrase_text(&p)));
                phrase_segments(&p, &mut segments);
                phrases += 1;
            }
        }
        let _ = writeln!(yaml, "    replies: [\"ok {i}\"]");
    }
    segments.sort();
    segments.dedup();
    Generated {
        yaml,
        segments,
        phrases,
    }
}

fn config() -> Config {
    let mut c = Config::default();
    c.check_examples = false;
    c
}

fn build_generated(g: &Generated) -> Matcher {
    Matcher::builder()
        .config(config())
        .add_yaml("generated.yaml", &g.yaml)
        .build()
        .unwrap_or_else(|e| panic!("generated rules do not compile: {e}"))
}

/// The shipped rule pack, compiled from its embedded sources (as
/// `firstline::pack::matcher()` does, but freshly, so its size is measured).
fn build_shipped() -> Option<Matcher> {
    let mut b = Matcher::builder();
    for (name, text) in firstline::pack::sources() {
        b.add_yaml(name, text);
    }
    match b.build() {
        Ok(m) => Some(m),
        Err(e) => {
            eprintln!("classify/shipped skipped: the pack does not compile: {e}");
            None
        }
    }
}

// ---------------------------------------------------------------------------
// Messages.

const MESSAGES: &[&str] = &[
    "Đơn hàng của em tới đâu rồi shop?",
    "đh của e tới đâu r shop",
    "don hang cua minh giao chua vay",
    "where is my order??",
    "I want to cancel my order please",
    "em muốn hủy đơn DH123456",
    "shop ơi cho em đổi size áo với ạ",
    "phí vận chuyển ra hà nội bao nhiêu vậy",
    "phi ship noi thanh bao nhieu",
    "can I get a refund for the broken shoes",
    "hoàn tiền cho em với, hàng bị lỗi",
    "mã giảm giá không dùng được",
    "do you ship internationally? how much is the fee",
    "cửa hàng mở cửa mấy giờ ạ",
    "ko nhận đc hàng, sđt 0912345678",
    "change delivery address for order 123456",
    "hôm nay trời đẹp quá",
    "lol",
    "asdf qwer zxcv",
    "tks shop nhìu nha",
];

// ---------------------------------------------------------------------------
// Real traffic.

/// One message of the corpus.
struct Msg {
    lang: Lang,
    text: &'static str,
}

/// The 3,777 messages of `benches/data` (see its README for sources and
/// licences), in file order.
fn corpus() -> Vec<Msg> {
    let mut out = Vec::new();
    for file in [
        include_str!("data/project.tsv"),
        include_str!("data/bitext.tsv"),
        include_str!("data/clinc150.tsv"),
    ] {
        for line in file.lines() {
            if let Some((lang, text)) = line.split_once('\t') {
                let lang = if lang == "en" { Lang::En } else { Lang::Vi };
                out.push(Msg { lang, text });
            }
        }
    }
    out
}

/// The bare baseline: one aho-corasick automaton of the phrases' gap-free
/// runs of words as written, the same kind the matcher builds (contiguous
/// NFA, standard semantics, no prefilter), ASCII case-insensitive, run with
/// overlapping matches over each message as typed. No normalization, no
/// scoring: the floor a keyword matcher cannot go under.
fn bare_scanner(segments: &[String]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .prefilter(false)
        .ascii_case_insensitive(true)
        .build(segments)
        .unwrap_or_else(|e| panic!("bare scanner: {e}"))
}

fn scan(ac: &AhoCorasick, text: &str) -> usize {
    ac.find_overlapping_iter(black_box(text)).count()
}

fn classify_corpus(m: &Matcher, msgs: &[Msg]) -> usize {
    let mut hits = 0;
    for msg in msgs {
        let c = m.classify(black_box(msg.text));
        hits += usize::from(c.intent_id().is_some());
        black_box(&c);
    }
    hits
}

fn scan_corpus(ac: &AhoCorasick, msgs: &[Msg]) -> usize {
    msgs.iter().map(|m| scan(ac, m.text)).sum()
}

/// Per-message figures: each message timed alone, `ROUNDS` times with the
/// bare scan interleaved, its median round kept (a preempted round on a
/// shared machine drops out); then the median, p99 and mean over messages.
const ROUNDS: usize = 7;

struct Dist {
    p50: f64,
    p99: f64,
    mean: f64,
}

fn dist(mut ns: Vec<f64>) -> Dist {
    ns.sort_by(f64::total_cmp);
    let at = |q: f64| ns[((ns.len() - 1) as f64 * q).round() as usize] / 1000.0;
    Dist {
        p50: at(0.5),
        p99: at(0.99),
        mean: ns.iter().sum::<f64>() / ns.len() as f64 / 1000.0,
    }
}

/// Times every message; returns (firstline, bare scan) nanoseconds per
/// message, the median of `ROUNDS`.
fn time_messages(m: &Matcher, ac: Option<&AhoCorasick>, msgs: &[Msg]) -> (Vec<f64>, Vec<f64>) {
    let mut fl = vec![[0f64; ROUNDS]; msgs.len()];
    let mut bare = vec![[0f64; ROUNDS]; msgs.len()];
    for r in 0..ROUNDS {
        for (i, msg) in msgs.iter().enumerate() {
            let t0 = Instant::now();
            black_box(m.classify(black_box(msg.text)));
            let t1 = Instant::now();
            if let Some(ac) = ac {
                black_box(scan(ac, msg.text));
            }
            let t2 = Instant::now();
            fl[i][r] = (t1 - t0).as_nanos() as f64;
            bare[i][r] = (t2 - t1).as_nanos() as f64;
        }
    }
    let median = |v: Vec<[f64; ROUNDS]>| -> Vec<f64> {
        v.into_iter()
            .map(|mut r| {
                r.sort_by(f64::total_cmp);
                r[ROUNDS / 2]
            })
            .collect()
    };
    (median(fl), median(bare))
}

fn us(d: &Dist) -> String {
    format!(
        "p50 {:.2} µs, p99 {:.2} µs, mean {:.2} µs",
        d.p50, d.p99, d.mean
    )
}

/// Prints the per-message distribution of `m` on the corpus (and per
/// language), beside the bare scan's when there is one.
fn report(name: &str, m: &Matcher, ac: Option<&AhoCorasick>, msgs: &[Msg]) -> Dist {
    let (fl, bare) = time_messages(m, ac, msgs);
    let all = dist(fl.clone());
    let mut line = format!(
        "traffic/{name}: {} messages, {} get an intent; firstline {}",
        msgs.len(),
        classify_corpus(m, msgs),
        us(&all)
    );
    if ac.is_some() {
        let b = dist(bare);
        let _ = write!(
            line,
            "; bare scan {}; ratio p50 {:.1}x, p99 {:.1}x, mean {:.1}x",
            us(&b),
            all.p50 / b.p50,
            all.p99 / b.p99,
            all.mean / b.mean
        );
    }
    eprintln!("{line}");
    for lang in [Lang::Vi, Lang::En] {
        let part: Vec<f64> = msgs
            .iter()
            .zip(&fl)
            .filter(|(m, _)| m.lang == lang)
            .map(|(_, t)| *t)
            .collect();
        eprintln!(
            "traffic/{name}/{lang:?}: {} messages; firstline {}",
            part.len(),
            us(&dist(part))
        );
    }
    all
}

/// CPU time of the whole process so far, in seconds (Linux; 0 elsewhere).
fn process_cpu() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // After the command name (in parentheses): field 14 utime, 15 stime.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// CPU per message with `threads` threads sharing one matcher, each
/// classifying the corpus `passes` times.
fn cpu_per_message(m: &Matcher, msgs: &[Msg], threads: usize, passes: usize) -> f64 {
    let before = process_cpu();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..passes {
                    black_box(classify_corpus(m, msgs));
                }
            });
        }
    });
    let cpu = process_cpu() - before;
    cpu * 1e6 / (threads * passes * msgs.len()) as f64
}

// ---------------------------------------------------------------------------
// Benchmarks.

const SIZES: [usize; 3] = [30, 300, 3000];

/// A benchmark group with the settings every group here shares (1 s
/// warm-up, 3 s measurement); `elements` reports throughput in messages.
fn new_group<'a>(
    c: &'a mut Criterion,
    name: &str,
    samples: usize,
    mode: SamplingMode,
    elements: Option<usize>,
) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(samples)
        .sampling_mode(mode)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    if let Some(n) = elements {
        group.throughput(Throughput::Elements(n as u64));
    }
    group
}

fn bench_classify(c: &mut Criterion) {
    let msgs = corpus();
    let mut p50 = Vec::new();
    for &n in &SIZES {
        let g = generate(n);
        let (m, bytes) = measure(|| build_generated(&g));
        let ac = bare_scanner(&g.segments);
        eprintln!(
            "memory/generated/{n}: {} phrases ({} scan patterns), matcher {}",
            g.phrases,
            g.segments.len(),
            mib(bytes),
        );
        p50.push(report(&format!("generated/{n}"), &m, Some(&ac), &msgs));

        // Criterion: the whole corpus per iteration, firstline and the bare
        // scan in the same group.
        let mut group = new_group(
            c,
            &format!("traffic/generated/{n}"),
            10,
            SamplingMode::Flat,
            Some(msgs.len()),
        );
        group.bench_function("classify", |b| b.iter(|| classify_corpus(&m, &msgs)));
        group.bench_function("bare_scan", |b| b.iter(|| scan_corpus(&ac, &msgs)));
        group.finish();
    }
    eprintln!(
        "traffic/generated: 3000 vs 30 intents, p50 {:.2}x, mean {:.2}x",
        p50[2].p50 / p50[0].p50,
        p50[2].mean / p50[0].mean
    );

    let (shipped, bytes) = measure(build_shipped);
    if let Some(m) = shipped {
        eprintln!(
            "memory/shipped: {} intents, matcher {}",
            m.intents().len(),
            mib(bytes)
        );
        report("shipped", &m, None, &msgs);
        let one = cpu_per_message(&m, &msgs, 1, 4);
        let two = cpu_per_message(&m, &msgs, 2, 4);
        eprintln!(
            "threads/shipped: CPU per message, 1 thread {one:.2} µs, 2 threads sharing one matcher {two:.2} µs ({:.2}x)",
            two / one
        );
        let mut group = new_group(
            c,
            "traffic/shipped",
            10,
            SamplingMode::Flat,
            Some(msgs.len()),
        );
        group.bench_function("classify", |b| b.iter(|| classify_corpus(&m, &msgs)));
        group.finish();
    }
}

fn bench_compile(c: &mut Criterion) {
    let mut group = new_group(c, "compile/generated", 10, SamplingMode::Flat, None);
    for &n in &SIZES {
        let g = generate(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &g, |b, g| {
            // The matcher's drop is not part of compiling it.
            b.iter_with_large_drop(|| build_generated(g))
        });
    }
    group.finish();
    // The shipped pack checks its ~900 examples and counter-examples too.
    let mut group = new_group(c, "compile", 10, SamplingMode::Flat, None);
    group.bench_function("shipped", |b| b.iter_with_large_drop(build_shipped));
    group.finish();
}

fn bench_normalize(c: &mut Criterion) {
    let vi_short = "đh của e tới đâu r shop";
    // "Đơn hàng của em tới đâu rồi shop ơi, ..." as UTF-8 read as Windows-1252.
    let mojibake = "Ä\u{90}Æ¡n hÃ\u{a0}ng cá»§a em tá»›i Ä‘Ã¢u rá»“i shop Æ¡i, em Ä‘áº·t tá»« \
                    thá»© hai mÃ\u{a0} chÆ°a tháº¥y giao";
    let long: String = MESSAGES
        .iter()
        .cycle()
        .take(60)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let mut group = new_group(c, "normalize", 30, SamplingMode::Auto, None);
    for (name, text) in [
        ("vi_short", vi_short),
        ("mojibake", mojibake),
        ("long", long.as_str()),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(name, text, |b, t| {
            b.iter(|| firstline::normalize::normalize(black_box(t)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_classify, bench_compile, bench_normalize);
criterion_main!(benches);
