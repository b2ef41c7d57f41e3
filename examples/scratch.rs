fn main() {
    let m =
        firstline::Matcher::new(&std::fs::read_to_string("/tmp/conv_rules.yaml").unwrap()).unwrap();
    for t in std::env::args().skip(1) {
        let c = m.classify(&t);
        println!(
            "{t:?} -> {:?} {:.2} amb={} lang={:?} ents={:?} lex={:?}",
            c.intent,
            c.confidence,
            c.ambiguous,
            c.lang,
            c.entities
                .iter()
                .map(|e| (&*e.name, &e.value))
                .collect::<Vec<_>>(),
            c.lexicon_hits
                .iter()
                .map(|h| (&*h.lexicon, h.severity))
                .collect::<Vec<_>>()
        );
    }
}
