//! Normalization benchmarks: one message as a customer sends it.
//!
//! Groups are keyed by language and input shape; `naive_lowercase_split` is
//! the floor (lowercase + split on whitespace) the pipeline is compared to.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use firstline::normalize::{fold, Normalizer};

const INPUTS: &[(&str, &str)] = &[
    ("vi_short", "Shop ơi đơn hàng của em đâu rồi ạ"),
    ("vi_teencode", "sp nay con ko shop, bn tien v ad"),
    (
        "vi_nfd",
        "đo\u{031B}n ha\u{0300}ng cu\u{0309}a em đâu rô\u{0300}i",
    ),
    ("vi_telex", "ddown hangf cuar em ddaau roofi"),
    ("en_short", "Where's my order? I haven't received it yet"),
    ("mojibake", "Ä‘Æ¡n hÃ\u{a0}ng cá»§a em Ä‘Ã¢u rá»“i"),
    (
        "vi_long",
        "Chào shop, em đặt đơn hàng hôm qua mã DH123456 giá 1.500.000đ mà đến giờ vẫn \
         chưa thấy giao, shop kiểm tra giúp em với, em cần gấp lắm ạ. Cảm ơn shop nhiều!",
    ),
];

fn normalize(c: &mut Criterion) {
    let n = Normalizer::new();
    let mut g = c.benchmark_group("normalize");
    for &(name, input) in INPUTS {
        g.bench_function(name, |b| b.iter(|| n.normalize(black_box(input))));
    }
    g.finish();

    let mut g = c.benchmark_group("baseline");
    for &(name, input) in INPUTS {
        g.bench_function(format!("naive_lowercase_split/{name}"), |b| {
            b.iter(|| {
                let l = black_box(input).to_lowercase();
                l.split_whitespace().map(str::to_owned).collect::<Vec<_>>()
            })
        });
        g.bench_function(format!("fold/{name}"), |b| {
            b.iter(|| fold(black_box(input)))
        });
    }
    g.finish();
}

criterion_group!(benches, normalize);
criterion_main!(benches);
