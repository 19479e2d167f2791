//! The router: reads the understood question once, refuses what the notices
//! can never answer, and decides which answer kinds apply and in what order.
//!
//! Every kind either answers, or misses. A miss is not a refusal: the next
//! kind is tried, and passage search always comes last, so "not covered" is
//! decided only by the coverage check at the end of the search. A kind's
//! not-found answer that quotes evidence (a region without a theme of its
//! own gets the national theme, marked as not answering) is final.

use super::*;
use crate::conversation::{self, Context, Turn};

/// One way of answering a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// Contact people of a notice.
    Contact,
    /// The notice a document number in the question names.
    DocNumber,
    /// Date and document number of a year's notices.
    NoticeFacts,
    /// The bodies that issued a year's notice jointly.
    Issuers,
    /// A number the notices state (`14个部门`).
    Count,
    /// Slogan lists, with the theme when both are asked.
    Slogans,
    /// The theme of a year, national or a region's own.
    Theme,
    /// What stands under a heading of a notice, or its attachments.
    Outline,
    /// What the named bodies did.
    Items,
    /// Every item of one kind in a year.
    List(EntityKind, i32),
    /// A year and nothing else.
    Overview(i32),
    /// When Quality Month takes place.
    Period,
    /// Who runs Quality Month.
    Organisers,
    /// Passage and sentence search: the last resort of every question.
    Search,
}

/// Words that ask about the notice as a document rather than the event.
static NOTICE_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"通知|文件|发布|印发|发文|成文|落款|签发|notice|issued|published|dated").unwrap());

/// Words that ask for the names of a list's members (`有哪些`, `名单`),
/// not for what each did.
static ASKS_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"有哪些|是哪些|哪些(?:部门|单位)|都有谁|有谁|是谁|名单|哪几个|哪几家|哪些部委").unwrap()
});

/// Why a question is refused before any route runs.
enum Refusal {
    Empty,
    YearNotCovered(i32, bool),
    Writing,
    OtherEvent(String),
    OffTopic,
}

impl Engine {
    /// Answers one question. `today` resolves 今年/去年 (the caller passes
    /// the local date, so tests can fix the clock).
    pub fn answer(&self, question: &str, today: NaiveDate) -> Answer {
        let q = self.understand(question, today.year());
        let answer = self.answer_understood(&q);
        if answer.found {
            return answer;
        }
        self.answer_parts(&q, today, None).map_or(answer, |t| t.answer)
    }

    /// Answers one question of a conversation: a follow-up (`江苏呢？`)
    /// inherits what it leaves out from `context` (see
    /// [`crate::conversation`]); a full question starts afresh. The turn
    /// carries the context to keep for the next question.
    pub fn answer_in(&self, question: &str, today: NaiveDate, context: Option<&Context>) -> Turn {
        let q = self.understand(question, today.year());
        let merged = conversation::merge(context, &q, &self.entities);
        let mut answer = self.answer_understood(&merged.question);
        if !answer.found && merged.soft_bodies {
            // `主题呢` after a region without a theme of its own: the year's.
            let mut without = merged.question.clone();
            without.entities.clear();
            let plain = self.answer_understood(&without);
            if plain.found {
                answer = plain;
            }
        }
        let (_, unknown_english) = self.known_terms(&merged.question);
        let refused = matches!(
            self.refusal(&merged.question, unknown_english),
            Some(Refusal::Writing | Refusal::OtherEvent(_) | Refusal::OffTopic | Refusal::Empty)
        );
        if !answer.found {
            if let Some(turn) = self.answer_parts(&q, today, context) {
                return turn;
            }
        }
        let context = if refused {
            context.cloned()
        } else {
            Some(Context::new(merged.question))
        };
        Turn {
            answer,
            context,
            follow_up: merged.follow_up,
        }
    }

    /// The question's terms without the English and everyday words the
    /// notices never use, and how many were dropped; the terms are empty
    /// when none is dropped (the question's own terms stand).
    fn known_terms(&self, q: &Question) -> (Vec<String>, usize) {
        let keep = |t: &String| {
            (!t.chars().all(|c| c.is_ascii_alphabetic()) || self.known(t))
                // An everyday word the notices never use is searched by the
                // notices' words for it alone.
                && (!q.everyday.contains(t) || self.known(t))
        };
        let dropped = q.terms.iter().filter(|t| !keep(t)).count();
        if dropped == 0 {
            return (Vec::new(), 0);
        }
        (q.terms.iter().filter(|t| keep(t)).cloned().collect(), dropped)
    }

    /// Answers a question already understood (the conversation layer merges
    /// a follow-up into the question before this step).
    pub(super) fn answer_understood(&self, q: &Question) -> Answer {
        // English words the notices never use cannot be searched for (the
        // question is copied only when there are any).
        let (terms, unknown_english) = self.known_terms(q);
        let q: std::borrow::Cow<'_, Question> = if unknown_english == 0 {
            std::borrow::Cow::Borrowed(q)
        } else {
            let mut q = q.clone();
            q.terms = terms;
            std::borrow::Cow::Owned(q)
        };
        let q: &Question = &q;
        let year = match q.year {
            YearRef::Explicit(y) | YearRef::Relative(y) => Some(y),
            YearRef::Latest => self.latest_year(),
            YearRef::None => None,
        };
        if let Some(refusal) = self.refusal(q, unknown_english) {
            let text = match refusal {
                Refusal::Empty => return self.reply(q, false, vec![Block::plain(msg::empty(q.lang))], Vec::new()),
                Refusal::YearNotCovered(y, relative) => msg::year_not_covered(q.lang, y, relative),
                Refusal::Writing => msg::no_writing(q.lang),
                Refusal::OtherEvent(event) => msg::other_event(q.lang, &event),
                Refusal::OffTopic => msg::not_found(q.lang),
            };
            return self.not_found(q, text);
        }
        // A document number names a notice, and so its year.
        let doc = self.doc_number_notice(q);
        let year = year
            .or(doc.map(|(n, _)| self.notices[n].year))
            .or_else(|| self.quoted_year(q));
        // The first route's miss is the reply when no route answers; a
        // plain "not found" (`Some(None)`) is written only if it is shown.
        let mut first_miss: Option<Option<Answer>> = None;
        let routes = self.routes(q, year, unknown_english);
        tracing::debug!(question = ?q, ?year, ?routes, "understood");
        for route in routes {
            match self.run(route, q, year) {
                Some(a) if a.found || !a.citations.is_empty() => return a,
                miss => {
                    first_miss.get_or_insert(miss);
                }
            }
        }
        first_miss
            .flatten()
            .unwrap_or_else(|| self.not_found(q, msg::not_found(q.lang)))
    }

    fn refusal(&self, q: &Question, unknown_english: usize) -> Option<Refusal> {
        if !q.norm.chars().any(|c| c.is_alphanumeric()) {
            return Some(Refusal::Empty);
        }
        if let YearRef::Explicit(y) | YearRef::Relative(y) = q.year {
            if !self.years.contains(&y) {
                return Some(Refusal::YearNotCovered(y, matches!(q.year, YearRef::Relative(_))));
            }
        }
        if WRITING
            .find(&q.lower)
            .is_some_and(|m| !asked_after_the_clause(&q.lower[m.end()..]))
        {
            return Some(Refusal::Writing);
        }
        if let Some(event) = self.other_event(&q.norm) {
            return Some(Refusal::OtherEvent(event));
        }
        // `帮我订一张去北京的机票` names a region but is not about the notices.
        let on_topic = q.year != YearRef::None
            || q.intent != query::Intent::default()
            || q.norm.contains("质量")
            || NOTICE_WORDS.is_match(&q.lower)
            || q.lower.contains("quality")
            || unknown_english == 0 && q.terms.iter().all(|t| self.known(t));
        if !q.entities.is_empty() && !on_topic {
            return Some(Refusal::OffTopic);
        }
        None
    }

    /// Whether the question names a thing the notices never mention: a
    /// noun or set phrase (by jieba's part of speech) of two or more characters that is
    /// nowhere in the corpus (`GDP`, `奖金`, `天气`). Unknown verbs
    /// (`负责什么`) still ask what a body did.
    pub(super) fn asks_about_the_unknown(&self, q: &Question) -> bool {
        let unknown: Vec<&String> = q
            .terms
            .iter()
            .filter(|t| t.chars().count() >= 2 && !self.known(t))
            .collect();
        // A compound with a known part (`附图片` holds `图片`) may name a
        // thing the notices word more shortly.
        let has_known_part = |t: &String| {
            q.terms
                .iter()
                .any(|u| u.chars().count() >= 2 && u.len() < t.len() && t.contains(u.as_str()) && self.known(u))
        };
        unknown.iter().any(|t| q.nouns.contains(t) && !has_known_part(t))
    }

    /// Whether the question asks how to do a thing the notices never name
    /// (`怎么报名`): no item or passage can say how.
    pub(super) fn asks_how_to_do_the_unknown(&self, q: &Question) -> bool {
        q.how.iter().any(|v| !self.known(v))
    }

    /// The answer kinds that apply, most specific first; search is last.
    fn routes(&self, q: &Question, year: Option<i32>, unknown_english: usize) -> Vec<Route> {
        // `…活动，企业怎么报名参加`: how to do what the notices never name
        // is not covered, whatever else the question names.
        if self.asks_how_to_do_the_unknown(q) {
            return Vec::new();
        }
        let strong = self.strong_terms(q);
        let it = q.intent;
        let only_regions = q
            .entities
            .iter()
            .all(|e| self.entities[*e].kind == EntityKind::Province);
        let mut routes = Vec::with_capacity(8);
        // A document number with a theme or slogans asked (`2018年的主题
        // （国市监质〔2018〕131号那个文件）`) only names the notice, and so
        // the year; otherwise it asks about that notice.
        let names_only_the_notice = it.theme || it.slogans;
        if q.doc_number.is_some() && !names_only_the_notice {
            routes.push(Route::DocNumber);
        }
        if it.contact {
            routes.push(Route::Contact);
        }
        let nothing_else = q.terms.is_empty() && unknown_english == 0 && q.entities.is_empty();
        // `质量月是谁主办的`: the notices' opening statements, or else the
        // bodies that issued the year's notice, or the year's organisers with
        // what each does.
        let who_runs_it = it.organisers && nothing_else;
        if who_runs_it {
            routes.push(Route::Organisers);
        }
        // `联合主办单位有哪些`: the bodies' names come before what each did.
        let names_the_organisers =
            it.list == Some(EntityKind::Ministry) && !it.activities && ASKS_NAMES.is_match(&q.norm);
        if it.issuers || who_runs_it || names_the_organisers {
            routes.push(Route::Issuers);
        }
        if let (true, Some(y)) = (who_runs_it, year.or(self.latest_year())) {
            routes.push(Route::List(EntityKind::Ministry, y));
        }
        // Words of a notice's title, or of the office that printed it
        // (`总局办公厅哪天印发的`), ask about the notice.
        let about_the_notice = || {
            strong.iter().all(|t| {
                self.notices.iter().enumerate().any(|(i, n)| {
                    n.title.contains(*t)
                        || self.notice_facts[i]
                            .printed
                            .as_ref()
                            .is_some_and(|(_, office)| office.as_deref().is_some_and(|o| o.contains(*t)))
                })
            })
        };
        // `什么时候` alone asks when the event is; the notice's own date is
        // asked with 通知/发布/印发 ….
        let names_the_notice = NOTICE_WORDS.is_match(&q.lower);
        if nothing_else && it.period && !names_the_notice {
            routes.push(Route::Period);
        }
        // `市场监管总局等发的通知文号`: a body that issued a notice names it.
        let issuers_or_regions = || {
            q.entities.iter().all(|e| {
                let e = &self.entities[*e];
                e.kind == EntityKind::Province
                    || self.notices.iter().any(|n| {
                        e.names.iter().any(|name| {
                            name.chars().count() >= 3
                                && (n.title.contains(name.as_str())
                                    || n.issuer.as_deref().is_some_and(|i| i.contains(name.as_str())))
                        })
                    })
            })
        };
        if (it.doc_number || it.date && names_the_notice) && about_the_notice() && issuers_or_regions() {
            routes.push(Route::NoticeFacts);
        }
        routes.push(Route::Count);
        if it.slogans {
            routes.push(Route::Slogans);
        } else if it.theme && only_regions {
            // A theme of something named (`农垦系列活动的主题`) or a fact
            // about the theme (`主题海报在哪下载`) is in the text; words of
            // the theme itself (`跟市场监管有关的主题`) ask for the theme.
            let in_a_theme = |t: &&str| self.themes.iter().any(|th| th.text.contains(*t));
            let asks_a_fact = q.asks.is_some_and(|a| a != query::Asks::Name);
            if asks_a_fact || !strong.is_empty() && !strong.iter().all(in_a_theme) {
                routes.push(Route::Search);
            }
            routes.push(Route::Theme);
        }
        // `2023年的重点安排有哪些`: a heading of the notice names a section.
        if !it.theme && !it.slogans && self.names_a_section(q, year) {
            routes.push(Route::Outline);
        }
        // What a body did answers `江苏做了什么`, not a question about
        // something the notices never mention (`江苏的GDP`, `广东的奖金是多少`).
        let unknown = unknown_english > 0 || self.asks_about_the_unknown(q);
        // Nor does it answer a question for a fact of the notice
        // (`市场监管总局的联系人`) or for the winners of an award, which an
        // item never lists.
        let asks_the_notice = (it.contact || it.doc_number) && !it.activities;
        let asks_winners = !q.entities.is_empty() && WINNERS.is_match(&q.lower);
        if !q.entities.is_empty() && (it.activities || !unknown) && !asks_the_notice && !asks_winners {
            routes.push(Route::Items);
        }
        let latest = year.or(self.latest_year());
        if let (Some(kind), Some(y)) = (it.list, latest) {
            routes.push(Route::List(kind, y));
        }
        if nothing_else && it.period && !routes.contains(&Route::Period) {
            routes.push(Route::Period);
        }
        let asks_a_fact =
            it.doc_number || it.date || it.contact || it.period || q.asks.is_some_and(|a| a != query::Asks::Name);
        if nothing_else && !it.theme && !it.slogans && !asks_a_fact {
            match (year, latest) {
                (Some(y), _) if !it.activities => routes.push(Route::Overview(y)),
                // `质量月有什么活动`: what the organisers do, in the year asked
                // or the latest one.
                (_, Some(y)) if it.activities => routes.push(Route::List(EntityKind::Ministry, y)),
                _ => {}
            }
        }
        // `What's the weather like in Beijing?`: with the words it asks by
        // unknown to the notices, only a name is left, and a passage that
        // names Beijing does not answer it.
        let only_a_name = q.terms.is_empty()
            && unknown_english > 0
            && !q.entities.is_empty()
            && q.asks.is_none()
            && it == query::Intent::default();
        if !routes.contains(&Route::Search) && !only_a_name {
            routes.push(Route::Search);
        }
        routes
    }

    /// The answer of one route; none for a plain "not found".
    fn run(&self, route: Route, q: &Question, year: Option<i32>) -> Option<Answer> {
        Some(match route {
            Route::Contact => self.contact(q, year),
            Route::DocNumber => self.doc_number_answer(q),
            Route::NoticeFacts => self.metadata(q, year),
            Route::Count => return self.count(q, year),
            Route::Slogans => {
                let slogans = self.slogans(q, year);
                if q.intent.theme && slogans.found {
                    let mut theme = self.theme(q, year);
                    if theme.found {
                        theme.blocks.extend(slogans.blocks);
                        theme.citations.extend(slogans.citations);
                        return Some(theme);
                    }
                }
                slogans
            }
            Route::Theme => self.theme(q, year),
            Route::Outline => self.outline(q, year),
            Route::Items => self.items(q, year),
            Route::Issuers => self.issuers(q, year),
            Route::List(kind, y) => self.list(q, y, kind),
            Route::Overview(y) => self.overview(q, y),
            Route::Period => self.period(q, year),
            Route::Organisers => self.organisers(q, year),
            Route::Search => self.search(q, year),
        })
    }
}

/// Whether a clause after the one that holds a request to write asks
/// something of its own (`老师让写篇小论文，那年活动主题是什么`): the writing
/// is why the question is asked, not what is asked of the bot.
fn asked_after_the_clause(rest: &str) -> bool {
    rest.split_once(['，', ',', '；', ';', '。']).is_some_and(|(_, later)| {
        later.contains(['什', '哪', '几', '啥', '谁', '吗', '？', '?']) || later.contains("多少")
    })
}
