//! The question's words as the notices' words are cut: jieba's guesses,
//! verbs split before a particle and a verb read with `点`/`些` as one rare
//! noun are cut again (`super::understand` calls [`words`] once).

use super::is_han;
use super::stopwords::STOP;
use crate::tokenizer::Term;
use jieba_rs::Jieba;
use std::borrow::Cow;

/// The question's words (`tokenizer::analyse`) cut again where jieba's cut
/// is not the notices' (see each step below).
pub(super) fn words<'a>(jieba: &Jieba, norm: &'a str, words: Vec<Term<'a>>) -> Vec<Term<'a>> {
    let mut toks: Vec<Term> = Vec::with_capacity(words.len());
    for t in words {
        guessed_apart(jieba, t, &mut toks);
    }
    rejoin_split_verbs(jieba, norm, &mut toks);
    measure_apart(jieba, norm, &mut toks);
    toks
}

/// A word jieba guessed (HMM) rather than found in its dictionary (`后要`
/// in `结束后要交`) is cut again by the dictionary alone, so a guess that
/// spans two words does not stand as one unknown word; its lone characters
/// are dropped.
fn guessed_apart<'a>(jieba: &Jieba, t: Term<'a>, out: &mut Vec<Term<'a>>) {
    if t.text.chars().count() < 2 || !t.text.chars().all(is_han) || jieba.has_word(&t.text) || STOP.contains(&*t.text) {
        out.push(t);
        return;
    }
    // All Han, so no case to fold: the word is the question's own text.
    let Cow::Borrowed(word) = t.text else {
        out.push(t);
        return;
    };
    let mut at = t.from;
    for w in jieba.cut(word, false) {
        let piece = Term {
            text: Cow::Borrowed(w.word),
            from: at,
            to: at + w.word.len(),
        };
        at += w.word.len();
        // A lone character of a guess (`来` of `来着`) is no word of its own.
        if piece.text.chars().count() >= 2 {
            out.push(piece);
        }
    }
}

/// jieba's cut of a character left alone before a two-character word that
/// took a particle (`抄/送给了`, `报/送到`): where the lone character and the
/// word's first make a dictionary word and the character left over is a
/// stop word, the question reads `抄送/给`, as the notices' `抄送` is cut.
fn rejoin_split_verbs<'a>(jieba: &Jieba, norm: &'a str, toks: &mut [Term<'a>]) {
    for i in 1..toks.len() {
        let (a, b) = (&toks[i - 1], &toks[i]);
        let mut b_chars = b.text.char_indices();
        let (Some((_, b0)), Some((mid, b1)), None) = (b_chars.next(), b_chars.next(), b_chars.next()) else {
            continue;
        };
        let lone = a.to == b.from && a.text.chars().count() == 1 && a.text.chars().all(is_han);
        if !lone || !is_han(b0) || !is_han(b1) || STOP.contains(&*a.text) {
            continue;
        }
        let (from, split, to) = (a.from, b.from + mid, b.to);
        if STOP.contains(&norm[split..to]) && jieba.has_word(&norm[from..split]) {
            toks[i - 1] = Term {
                text: Cow::Borrowed(&norm[from..split]),
                from,
                to: split,
            };
            toks[i] = Term {
                text: Cow::Borrowed(&norm[split..to]),
                from: split,
                to,
            };
        }
    }
}

/// jieba reads a verb and the measure `点`/`些` ("a little") after it as a
/// rare noun of its dictionary (`交点`, intersection, in `交点钱`; `收点` in
/// `收点费用`). Where such a word is rare (the everyday `试点`, `重点`,
/// `要点` are not), its first character is a verb and a noun follows at
/// once, it reads as the verb: joined with the noun where the two make a
/// word (`交钱`), else alone, as `收费用` reads.
fn measure_apart<'a>(jieba: &Jieba, norm: &'a str, toks: &mut Vec<Term<'a>>) {
    /// At most this frequency in jieba's dictionary (`交点` 95, `出点` 147;
    /// `站点` 210, `亮点` 353, `试点` 1130).
    const RARE: usize = 200;
    let mut i = 0;
    while i + 1 < toks.len() {
        let (a, b) = (&toks[i], &toks[i + 1]);
        let mut chars = a.text.chars();
        let (Some(verb), Some('点' | '些'), None) = (chars.next(), chars.next(), chars.next()) else {
            i += 1;
            continue;
        };
        let verb_end = a.from + verb.len_utf8();
        let noun_follows = b.from == a.to
            && is_han(verb)
            && b.text.chars().all(is_han)
            && jieba
                .tag(&b.text, false)
                .first()
                .is_some_and(|t| t.tag.starts_with('n'));
        let is_verb = |w: &str| jieba.tag(w, false).first().is_some_and(|t| t.tag == "v");
        // jieba-rs has no frequency getter; for a dictionary word that its
        // own cut keeps whole, `suggest_freq` is that word's frequency + 1.
        let rare = jieba.has_word(&a.text) && jieba.suggest_freq(&a.text) <= RARE;
        if !(noun_follows && rare && is_verb(&norm[a.from..verb_end])) {
            i += 1;
            continue;
        }
        let joined = format!("{verb}{}", b.text);
        if jieba.has_word(&joined) {
            let to = b.to;
            toks[i] = Term {
                text: Cow::Owned(joined),
                from: toks[i].from,
                to,
            };
            toks.remove(i + 1);
        } else {
            toks[i] = Term {
                text: Cow::Borrowed(&norm[a.from..verb_end]),
                from: a.from,
                to: verb_end,
            };
        }
        i += 1;
    }
}
