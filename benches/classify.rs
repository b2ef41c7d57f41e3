//! Classification benchmarks: latency and throughput of `Matcher::classify`
//! on generated rule sets of 30, 300 and 3,000 intents and on the shipped
//! rules, compile time, the compiled matcher's heap size, normalization, and a
//! naive baseline (one `regex::Regex` per phrase, all tried in a loop).
//!
//! Run with `cargo bench --bench classify`. Results and the exact command are
//! in `benches/README.md`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode,
    Throughput,
};
use firstline::{Config, Matcher};
use regex::Regex;

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
/// size has intents that the realistic messages below actually hit.
const CORE: &[(bool, &str, &str)] = &[
    (
        true,
        "@order [của] @me * (tới đâu|đâu)",
        r"(?:đơn hàng|đơn|mã đơn|order)(?:\s+của)?\s+(?:em|mình|tôi|tớ|my|our)\s+(?:\S+\s+){0,3}(?:tới\s+đâu|đâu)",
    ),
    (
        false,
        "where * @me @order",
        r"where\s+(?:\S+\s+){0,3}(?:my|our)\s+(?:order|purchase|package)",
    ),
    (
        false,
        "cancel * @order",
        r"cancel\s+(?:\S+\s+){0,3}(?:order|purchase|package)",
    ),
    (
        true,
        "(hủy|huỷ) @order",
        r"(?:hủy|huỷ)\s+(?:đơn hàng|đơn|mã đơn|order)",
    ),
    (true, "đổi size", r"đổi\s+size"),
    (
        true,
        "phí (vận chuyển|ship)",
        r"phí\s+(?:vận\s+chuyển|ship)",
    ),
    (false, "refund", r"refund"),
    (true, "hoàn tiền", r"hoàn\s+tiền"),
    (true, "mã giảm giá", r"mã\s+giảm\s+giá"),
    (
        false,
        "(ship|shipping) * (internationally|international)",
        r"(?:ship|shipping)\s+(?:\S+\s+){0,3}(?:internationally|international)",
    ),
    (true, "mở cửa * giờ", r"mở\s+cửa\s+(?:\S+\s+){0,3}giờ"),
    (
        false,
        "change * address",
        r"change\s+(?:\S+\s+){0,3}address",
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
    /// One regex source per phrase, for the naive baseline.
    regexes: Vec<String>,
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

fn words_re(w: &str) -> String {
    w.split(' ')
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(r"\s+")
}

/// The regex a naive bot would write for a phrase: words separated by
/// whitespace, `*` as up to three words, alternatives and concepts as groups.
fn phrase_regex(p: &[Elem]) -> String {
    let mut re = String::new();
    let mut need_sep = false;
    for e in p {
        match e {
            Elem::Gap => {
                re.push_str(r"\s+(?:\S+\s+){0,3}");
                need_sep = false;
                continue;
            }
            Elem::Opt(w) => {
                re.push_str(&format!(r"(?:\s+{})?", words_re(w)));
                continue;
            }
            _ => {}
        }
        if need_sep {
            re.push_str(r"\s+");
        }
        match e {
            Elem::Word(w) => re.push_str(&words_re(w)),
            Elem::Alt(a, b) => re.push_str(&format!("(?:{}|{})", words_re(a), words_re(b))),
            Elem::Concept(c) => {
                let (_, vi, en) = CONCEPTS[*c];
                let alts: Vec<String> = vi.iter().chain(en.iter()).map(|w| words_re(w)).collect();
                re.push_str(&format!("(?:{})", alts.join("|")));
            }
            Elem::Gap | Elem::Opt(_) => unreachable!(),
        }
        need_sep = true;
    }
    re
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
    let mut regexes = Vec::new();
    let mut phrases = 0;
    for i in 0..n {
        let _ = writeln!(yaml, "  - id: intent_{i:05}\n    phrases:");
        for (lang, vi, count) in [("vi", true, 5), ("en", false, 3)] {
            let _ = writeln!(yaml, "      {lang}:");
            let mut count = count;
            if let Some(&(core_vi, text, re)) = CORE.get(i) {
                if core_vi == vi {
                    let _ = writeln!(yaml, "        - {}", yaml_quote(text));
                    regexes.push(re.to_string());
                    phrases += 1;
                    count -= 1;
                }
            }
            for _ in 0..count {
                let p = gen_phrase(&mut rng, vi);
                let _ = writeln!(yaml, "        - {}", yaml_quote(&phrase_text(&p)));
                regexes.push(phrase_regex(&p));
                phrases += 1;
            }
        }
        let _ = writeln!(yaml, "    replies: [\"ok {i}\"]");
    }
    Generated {
        yaml,
        regexes,
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
// Benchmarks.

const SIZES: [usize; 3] = [30, 300, 3000];

fn classify_all(m: &Matcher) -> usize {
    let mut hits = 0;
    for msg in MESSAGES {
        let c = m.classify(black_box(msg));
        if c.intent_id().is_some() {
            hits += 1;
        }
        black_box(&c);
    }
    hits
}

/// Naive bot: lowercase, try every phrase regex, score every intent.
fn baseline_all(regexes: &[Regex], per_intent: usize, scores: &mut [u32]) -> usize {
    let mut hits = 0;
    for msg in MESSAGES {
        let lower = black_box(msg).to_lowercase();
        scores.iter_mut().for_each(|s| *s = 0);
        for (i, re) in regexes.iter().enumerate() {
            if re.is_match(&lower) {
                scores[i / per_intent] += 1;
            }
        }
        if let Some((_, &best)) = scores.iter().enumerate().max_by_key(|(_, s)| **s) {
            if best > 0 {
                hits += 1;
            }
        }
    }
    hits
}

/// A benchmark group with the settings every group here shares (1 s
/// warm-up, 3 s measurement); `per_message` reports throughput in messages.
fn new_group<'a>(
    c: &'a mut Criterion,
    name: &str,
    samples: usize,
    mode: SamplingMode,
    per_message: bool,
) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(samples)
        .sampling_mode(mode)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    if per_message {
        group.throughput(Throughput::Elements(MESSAGES.len() as u64));
    }
    group
}

fn bench_classify(c: &mut Criterion) {
    for &n in &SIZES {
        let g = generate(n);
        let (m, bytes) = measure(|| build_generated(&g));
        let hits = classify_all(&m);
        eprintln!(
            "memory/generated/{n}: {} phrases, matcher {}; {hits}/{} messages classified",
            g.phrases,
            mib(bytes),
            MESSAGES.len()
        );
        let mut group = new_group(
            c,
            "classify/generated",
            if n >= 3000 { 20 } else { 30 },
            if n >= 3000 {
                SamplingMode::Flat
            } else {
                SamplingMode::Auto
            },
            true,
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &m, |b, m| {
            b.iter(|| classify_all(m))
        });
        group.finish();

        // Diagnostic: the same set without typo correction, to show its share.
        let mut exact = config();
        exact.typo_correction = false;
        let m = Matcher::builder()
            .config(exact)
            .add_yaml("generated.yaml", &g.yaml)
            .build()
            .unwrap_or_else(|e| panic!("generated rules do not compile: {e}"));
        let mut group = new_group(
            c,
            "classify/generated_no_typo_correction",
            20,
            SamplingMode::Flat,
            true,
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &m, |b, m| {
            b.iter(|| classify_all(m))
        });
        group.finish();
    }

    let (shipped, bytes) = measure(build_shipped);
    if let Some(m) = shipped {
        eprintln!(
            "memory/shipped: {} intents, matcher {}; {}/{} messages classified",
            m.intents().len(),
            mib(bytes),
            classify_all(&m),
            MESSAGES.len()
        );
        let mut group = new_group(c, "classify", 30, SamplingMode::Auto, true);
        group.bench_function("shipped", |b| b.iter(|| classify_all(&m)));
        group.finish();
    }
}

fn bench_baseline(c: &mut Criterion) {
    for &n in &SIZES {
        let g = generate(n);
        let (regexes, bytes) = measure(|| {
            g.regexes
                .iter()
                .map(|r| Regex::new(r).unwrap_or_else(|e| panic!("baseline regex {r}: {e}")))
                .collect::<Vec<_>>()
        });
        let per_intent = g.phrases / n;
        let mut scores = vec![0u32; n];
        let hits = baseline_all(&regexes, per_intent, &mut scores);
        eprintln!(
            "memory/baseline/{n}: {} regexes, {}; {hits}/{} messages matched something",
            regexes.len(),
            mib(bytes),
            MESSAGES.len()
        );
        let mut group = new_group(
            c,
            "baseline/regex_loop",
            if n >= 3000 { 10 } else { 20 },
            if n >= 3000 {
                SamplingMode::Flat
            } else {
                SamplingMode::Auto
            },
            true,
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &regexes, |b, r| {
            b.iter(|| baseline_all(r, per_intent, &mut scores))
        });
        group.finish();
    }
}

fn bench_compile(c: &mut Criterion) {
    let mut group = new_group(c, "compile/generated", 10, SamplingMode::Flat, false);
    for &n in &SIZES {
        let g = generate(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &g, |b, g| {
            // The matcher's drop is not part of compiling it.
            b.iter_with_large_drop(|| build_generated(g))
        });
    }
    group.finish();
    // The shipped pack checks its ~900 examples and counter-examples too.
    let mut group = new_group(c, "compile", 10, SamplingMode::Flat, false);
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
    let mut group = new_group(c, "normalize", 30, SamplingMode::Auto, false);
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

criterion_group!(
    benches,
    bench_classify,
    bench_baseline,
    bench_compile,
    bench_normalize
);
criterion_main!(benches);
