//! The example-based second opinion: TF-IDF cosine to each intent's
//! examples.
//!
//! Every example of every intent (its own `examples`, and the top-level
//! `examples:` files beside the rules, off-topic ones under `none`) is
//! normalized and folded like a message and turned into a sparse vector of
//! word features: each word's English Snowball stem (Vietnamese syllables as
//! they are) and each pair of adjacent stems, weighted by TF-IDF and scaled
//! to unit length. Each intent keeps one vector, the normalized sum of its
//! examples' (a centroid): a message's similarity to an intent is the cosine
//! with it, so a lookup costs at most one multiply-add per intent per
//! message feature, however many examples the pack holds. Off-topic
//! examples are too varied for one centroid: they are kept one by one in an
//! inverted index, and the off-topic similarity is the mean of the [`K`]
//! nearest. An intent answers only when it is more similar than the
//! off-topic examples (see `engine.rs`).
//!
//! It runs only when the phrases leave doubt, so its cost is paid by the
//! messages the phrases could not place. Features shared by more than
//! [`MAX_DF_SHARE`] of the examples ("i", "my", "the") get no weight, and a
//! feature of more than [`MAX_OFF_TOPIC_POSTINGS`] off-topic examples is not
//! indexed for them, so a lookup never walks most of the examples.

use std::sync::Arc;

use crate::fxhash::FastMap;
use crate::normalize::{is_syllable, Normalizer};
use crate::Lang;

/// Off-topic examples whose similarities are averaged: more than one, so a
/// single odd example does not decide.
pub(crate) const K: usize = 3;
/// Features in more than this share of the examples are not indexed.
const MAX_DF_SHARE: f32 = 0.12;
/// Off-topic examples sharing a feature beyond which it is not indexed for
/// them.
const MAX_OFF_TOPIC_POSTINGS: usize = 48;
/// Fewest examples of an intent in a language for it to have a centroid in
/// that language: the centroid of two or three examples is their words, and
/// any message sharing one of them comes out similar (on CLINC150's train
/// split an intent with 2 English examples took 37 more off-topic queries
/// than with none).
const MIN_CENTROID_EXAMPLES: usize = 3;
/// The lowest off-topic similarity of a Vietnamese message: an intent must
/// beat it. Folded syllables collide (ồn and ơn are both "on", so "nhà em
/// ồn quá" was near "cảm ơn em"), and shop words have everyday meanings
/// ("tài khoản facebook", "bao lâu nữa thì nghỉ hè"). Measured on the
/// project's labelled sets: with no floor the Vietnamese examples answered
/// 2–3 more of their 130 Vietnamese off-topic messages; at 0.25 none more,
/// while still answering Vietnamese messages no phrase covered (0.30 left
/// two more of those unanswered).
const VI_OFF_TOPIC_FLOOR: f32 = 0.25;
/// How many of the most similar intent's examples `explain` shows.
const NEAREST_OF_INTENT: usize = 3;
/// The IDF of a feature no example of a language has.
const ABSENT: f32 = -1.0;
/// How much a pair of adjacent words weighs against a single word.
const BIGRAM_WEIGHT: f32 = 1.0;

/// One example in the index.
struct Example {
    /// Intent index, or `None` for off-topic.
    intent: Option<u32>,
    text: Arc<str>,
    /// For an intent's example: its language and folded text, so that
    /// `explain` can say which of the intent's examples a message is
    /// nearest (the centroid keeps no example of its own).
    folded: Option<(usize, Box<str>)>,
}

/// One language's part of the index: its examples are weighed against each
/// other only. A Vietnamese message is compared with Vietnamese examples
/// and an English one with English examples: a centroid that mixed both
/// would be diluted, for either language, by the other's words, and a
/// word's weight (its IDF) depends on how common it is in its own language
/// ("em" is in most Vietnamese examples and in no English one).
#[derive(Default)]
struct Part {
    /// Feature -> IDF in this language (0 for a feature too common to
    /// weigh, [`ABSENT`] for one no example of the language has).
    idf: Vec<f32>,
    /// Feature -> (off-topic example, weight in the example's unit vector).
    postings: Vec<Vec<(u32, f32)>>,
    /// Feature -> (intent, weight in the intent centroid's unit vector).
    centroids: Vec<Vec<(u32, f32)>>,
    /// The highest IDF of the language: the weight of an unknown word.
    idf_max: f32,
    /// Whether any intent has an example in this language.
    has_intents: bool,
}

/// The compiled index.
pub(crate) struct Similar {
    features: FastMap<Box<str>, u32>,
    /// Per language: [`lang_index`].
    parts: [Part; 2],
    examples: Vec<Example>,
    intents: usize,
    stemmer: rust_stemmers::Stemmer,
}

/// The index of a language's [`Part`].
fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::Vi => 0,
        Lang::En => 1,
    }
}

/// Per-message buffers.
#[derive(Default)]
pub(crate) struct SimScratch {
    score: Vec<f32>,
    touched: Vec<u32>,
    feats: Vec<(u32, f32)>,
    terms: Vec<String>,
    pair: String,
    centroid: Vec<f32>,
    best: Vec<[f32; K]>,
}

/// What the similarity says about one message.
#[derive(Clone, Debug, Default)]
pub(crate) struct Opinion {
    /// Per intent with a similarity above zero: (intent, cosine with its
    /// examples' centroid), best first.
    pub intents: Vec<(u32, f32)>,
    /// The mean similarity of the `K` nearest off-topic examples.
    pub off_topic: f32,
    /// When explaining: the most similar intent's nearest examples, then the
    /// nearest off-topic ones (`None`): (intent, similarity, text).
    pub nearest: Vec<(Option<u32>, f32, Arc<str>)>,
}

/// A message's words as the index sees them: stems of the folded tokens.
fn terms(stemmer: &rust_stemmers::Stemmer, hay: &str, out: &mut Vec<String>) {
    let mut n = 0;
    for t in hay.split(' ') {
        if t.is_empty() || t.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        if out.len() <= n {
            out.push(String::new());
        }
        let slot = &mut out[n];
        slot.clear();
        if is_syllable(t) {
            slot.push_str(t);
        } else {
            slot.push_str(&stemmer.stem(t));
        }
        n += 1;
    }
    out.truncate(n);
}

fn each_feature(terms: &[String], mut f: impl FnMut(String, f32)) {
    for t in terms {
        f(t.clone(), 1.0);
    }
    for w in terms.windows(2) {
        f(format!("{} {}", w[0], w[1]), BIGRAM_WEIGHT);
    }
}

impl Similar {
    /// Builds the index from (intent or `None` for off-topic, language,
    /// text). Examples are normalized and folded like messages, without typo
    /// correction: examples are spelt as the rules are, and correcting
    /// thousands of them would cost more compile time than it gains.
    pub(crate) fn build(
        normalizer: &Normalizer,
        intents: usize,
        examples: &[(Option<u32>, Option<Lang>, &str)],
    ) -> Similar {
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let mut features: FastMap<Box<str>, u32> = FastMap::default();
        // Per language: document frequency of each feature.
        let mut df: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        let mut docs: Vec<(usize, Vec<(u32, f32)>)> = Vec::with_capacity(examples.len());
        let mut kept: Vec<Example> = Vec::with_capacity(examples.len());
        let mut buf = Vec::new();
        for &(intent, lang, text) in examples {
            let n = normalizer.normalize_as(text, lang);
            // An example without a language (an intent's own `examples`
            // given as a plain list) is in the language it reads as.
            let l = lang_index(lang.unwrap_or(n.lang()));
            terms(&stemmer, n.folded(), &mut buf);
            let mut tf: FastMap<u32, f32> = FastMap::default();
            each_feature(&buf, |f, w| {
                let next = features.len() as u32;
                let id = *features.entry(f.into_boxed_str()).or_insert(next);
                *tf.entry(id).or_insert(0.0) += w;
            });
            if tf.is_empty() {
                continue;
            }
            for d in df.iter_mut() {
                d.resize(features.len(), 0);
            }
            for &id in tf.keys() {
                df[l][id as usize] += 1;
            }
            let mut v: Vec<(u32, f32)> = tf.into_iter().collect();
            v.sort_unstable_by_key(|x| x.0);
            docs.push((l, v));
            kept.push(Example {
                intent,
                text: text.into(),
                folded: intent.map(|_| (l, n.folded().into())),
            });
        }
        let mut parts: [Part; 2] = Default::default();
        for (l, part) in parts.iter_mut().enumerate() {
            let n = docs.iter().filter(|d| d.0 == l).count() as f32;
            part.idf = df[l]
                .iter()
                .map(|&d| {
                    if d == 0 {
                        ABSENT
                    } else if d as f32 > MAX_DF_SHARE * n && n > 50.0 {
                        0.0
                    } else {
                        ((n + 1.0) / (d as f32 + 1.0)).ln() + 1.0
                    }
                })
                .collect();
            part.idf.resize(features.len(), ABSENT);
            part.idf_max = 1.0 + (n + 1.0).ln();
            part.postings = vec![Vec::new(); features.len()];
        }
        let mut centroid: [Vec<FastMap<u32, f32>>; 2] = [
            vec![FastMap::default(); intents],
            vec![FastMap::default(); intents],
        ];
        let mut counts = [vec![0usize; intents], vec![0usize; intents]];
        for (e, (l, v)) in docs.iter().enumerate() {
            if let Some(k) = kept[e].intent {
                counts[*l][k as usize] += 1;
            }
            let part = &mut parts[*l];
            let weights: Vec<(u32, f32)> = v
                .iter()
                .map(|&(f, tf)| (f, (1.0 + tf.ln()) * part.idf[f as usize]))
                .collect();
            let norm = weights.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
            if norm <= 0.0 {
                continue;
            }
            for (f, w) in weights {
                if w > 0.0 {
                    match kept[e].intent {
                        Some(k) => {
                            *centroid[*l][k as usize].entry(f).or_insert(0.0) += w / norm;
                        }
                        _ => part.postings[f as usize].push((e as u32, w / norm)),
                    }
                }
            }
        }
        for (l, part) in parts.iter_mut().enumerate() {
            // Off-topic examples are looked up by their rarer words only: a
            // word in many of them ("what", "how") would make every lookup
            // walk them all.
            for p in part.postings.iter_mut() {
                if p.len() > MAX_OFF_TOPIC_POSTINGS {
                    *p = Vec::new();
                }
            }
            part.centroids = vec![Vec::new(); features.len()];
            for (k, c) in centroid[l].iter().enumerate() {
                if counts[l][k] < MIN_CENTROID_EXAMPLES {
                    continue;
                }
                let norm = c.values().map(|w| w * w).sum::<f32>().sqrt();
                for (&f, &w) in c {
                    part.centroids[f as usize].push((k as u32, w / norm));
                }
                part.has_intents |= !c.is_empty();
            }
        }
        Similar {
            features,
            parts,
            examples: kept,
            intents,
            stemmer,
        }
    }

    /// Whether a message in `lang` has intent examples to compare with.
    pub(crate) fn covers(&self, lang: Lang) -> bool {
        self.parts[lang_index(lang)].has_intents
    }

    /// The similarity of the folded message `hay`, in `lang`, to the
    /// examples in that language. `nearest` examples are kept for
    /// explanations.
    pub(crate) fn opinion(
        &self,
        hay: &str,
        lang: Lang,
        nearest: usize,
        sc: &mut SimScratch,
    ) -> Opinion {
        let SimScratch {
            score,
            touched,
            feats,
            terms: buf,
            pair,
            centroid,
            best,
        } = sc;
        let mut out = Opinion::default();
        let part = &self.parts[lang_index(lang)];
        if !part.has_intents {
            return out;
        }
        terms(&self.stemmer, hay, buf);
        feats.clear();
        let mut add = |f: &str, w: f32| -> bool {
            let Some(&id) = self.features.get(f) else {
                return false;
            };
            let idf = part.idf[id as usize];
            if idf <= 0.0 {
                // Too common to weigh: known. Absent from this language's
                // examples: as unknown as a word of no example.
                return idf == 0.0;
            }
            match feats.iter_mut().find(|x| x.0 == id) {
                Some(x) => x.1 += w,
                None => feats.push((id, w)),
            }
            true
        };
        let mut unknown = 0usize;
        for t in buf.iter() {
            unknown += usize::from(!add(t, 1.0));
        }
        for w in buf.windows(2) {
            pair.clear();
            pair.push_str(&w[0]);
            pair.push(' ');
            pair.push_str(&w[1]);
            add(pair, BIGRAM_WEIGHT);
        }
        for x in feats.iter_mut() {
            x.1 = (1.0 + x.1.ln()) * part.idf[x.0 as usize];
        }
        // The message's norm counts its unknown words too, at the highest
        // weight a word can have: a message mostly
        // about something else is less similar.
        let unknown = unknown as f32;
        let idf_max = part.idf_max;
        let norm =
            (feats.iter().map(|x| x.1 * x.1).sum::<f32>() + unknown * idf_max * idf_max).sqrt();
        if norm <= 0.0 {
            return out;
        }
        score.resize(self.examples.len(), 0.0);
        touched.clear();
        for &(f, w) in feats.iter() {
            for &(e, ew) in &part.postings[f as usize] {
                let s = &mut score[e as usize];
                if *s == 0.0 {
                    touched.push(e);
                }
                *s += w * ew / norm;
            }
        }
        centroid.clear();
        centroid.resize(self.intents, 0.0);
        for &(f, w) in feats.iter() {
            for &(k, cw) in &part.centroids[f as usize] {
                centroid[k as usize] += w * cw / norm;
            }
        }
        // The K nearest off-topic examples.
        best.clear();
        best.push([0.0; K]);
        let mut near: Vec<(f32, u32)> = Vec::new();
        for &e in touched.iter() {
            let s = std::mem::take(&mut score[e as usize]);
            let b = &mut best[0];
            if s > b[K - 1] {
                b[K - 1] = s;
                b.sort_unstable_by(|x, y| y.total_cmp(x));
            }
            if nearest > 0 {
                near.push((s, e));
            }
        }
        for (k, &c) in centroid.iter().enumerate() {
            if c > 0.0 {
                out.intents.push((k as u32, c));
            }
        }
        out.intents
            .sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.off_topic = best[0].iter().sum::<f32>() / K as f32;
        if lang == Lang::Vi {
            out.off_topic = out.off_topic.max(VI_OFF_TOPIC_FLOOR);
        }
        if nearest > 0 {
            // The most similar intent's nearest examples first, then the
            // nearest off-topic ones. Only when explaining: each of the
            // intent's examples is compared with the message here.
            if let Some(&(k, _)) = out.intents.first() {
                let l = lang_index(lang);
                let mut mine: Vec<(f32, u32)> = Vec::new();
                let mut ex_terms = Vec::new();
                for (e, ex) in self.examples.iter().enumerate() {
                    let Some((el, folded)) = &ex.folded else {
                        continue;
                    };
                    if ex.intent != Some(k) || *el != l {
                        continue;
                    }
                    terms(&self.stemmer, folded, &mut ex_terms);
                    let mut tf: Vec<(u32, f32)> = Vec::new();
                    each_feature(&ex_terms, |f, w| {
                        if let Some(&id) = self.features.get(f.as_str()) {
                            match tf.iter_mut().find(|x| x.0 == id) {
                                Some(x) => x.1 += w,
                                None => tf.push((id, w)),
                            }
                        }
                    });
                    let weights: Vec<(u32, f32)> = tf
                        .iter()
                        .map(|&(f, t)| (f, (1.0 + t.ln()) * part.idf[f as usize].max(0.0)))
                        .collect();
                    let ex_norm = weights.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
                    if ex_norm <= 0.0 {
                        continue;
                    }
                    let dot: f32 = feats
                        .iter()
                        .filter_map(|&(f, w)| weights.iter().find(|x| x.0 == f).map(|x| w * x.1))
                        .sum();
                    if dot > 0.0 {
                        mine.push((dot / norm / ex_norm, e as u32));
                    }
                }
                mine.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                mine.truncate(NEAREST_OF_INTENT);
                out.nearest = mine
                    .into_iter()
                    .map(|(s, e)| {
                        let ex = &self.examples[e as usize];
                        (ex.intent, s, ex.text.clone())
                    })
                    .collect();
            }
            near.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            out.nearest
                .extend(near.into_iter().take(nearest).map(|(s, e)| {
                    let ex = &self.examples[e as usize];
                    (ex.intent, s, ex.text.clone())
                }));
        }
        out
    }
}
