//! Every text the broadcasts show users, in Chinese, as Telegram HTML.
//! Everything that comes from users or the notices is escaped here.

use super::rotation::Slogan;
use super::store::Subscribed;
use crate::format::escape;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

/// A reply or broadcast, rendered with [`Text::html`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text<'a> {
    /// `/subscribe` worked (or changed nothing).
    Subscribed {
        /// What the store did.
        outcome: &'a Subscribed,
        /// The local delivery time.
        time: NaiveTime,
        /// Its zone.
        tz: Tz,
        /// When the next slogan will come.
        next: DateTime<Utc>,
        /// Today in the chat's zone, to say 今天/明天.
        today: NaiveDate,
    },
    /// `/unsubscribe` worked.
    Unsubscribed,
    /// `/unsubscribe` in a chat that was not subscribed.
    NotSubscribed,
    /// A group member who is not an administrator tried to change the subscription.
    AdminsOnly,
    /// The administrator check itself failed (Telegram error).
    CannotCheckAdmin,
    /// `/subscribe` with an argument that is not a time.
    BadTime {
        /// What the user wrote.
        arg: &'a str,
    },
    /// The subscription store failed.
    StorageFailed,
    /// The corpus has no slogans.
    NoSlogans,
    /// `/slogan`: today's slogan on request.
    Today {
        /// The slogan.
        slogan: &'a Slogan,
        /// The chat's local date.
        date: NaiveDate,
    },
    /// The daily broadcast.
    Daily {
        /// The slogan.
        slogan: &'a Slogan,
        /// The chat's local date.
        date: NaiveDate,
    },
}

impl Text<'_> {
    /// The message text in Telegram's HTML parse mode.
    pub fn html(&self) -> String {
        match self {
            Text::Subscribed {
                outcome,
                time,
                tz,
                next,
                today,
            } => {
                let when = format!("每天 {}（{}）", clock(*time), zone(*tz));
                let head = match outcome {
                    Subscribed::New => format!("✅ 已订阅每日质量月口号：{when}推送一条。"),
                    Subscribed::Reactivated => format!("✅ 已重新订阅每日质量月口号：{when}推送一条。"),
                    Subscribed::Changed { time: old, tz: old_tz } => {
                        let before = if old_tz == tz {
                            clock(*old)
                        } else {
                            format!("{}（{}）", clock(*old), zone(*old_tz))
                        };
                        format!("✅ 推送时间已由 {before} 改为{when}。")
                    }
                    Subscribed::Unchanged => format!("本聊天已订阅每日质量月口号，{when}推送，无需更改。"),
                };
                format!(
                    "{head}\n下次推送：{}。\n\n随时发送 /slogan 查看今日口号；/subscribe HH:MM 修改时间；/unsubscribe 退订。",
                    moment(*next, *tz, *today)
                )
            }
            Text::Unsubscribed => "已退订每日质量月口号，不会再推送。想再收到时发送 /subscribe 即可。".to_string(),
            Text::NotSubscribed => "本聊天没有订阅每日质量月口号，无需退订。发送 /subscribe 可以订阅。".to_string(),
            Text::AdminsOnly => "抱歉，只有本群的群主或管理员才能订阅、修改或退订每日口号；订阅没有变化。".to_string(),
            Text::CannotCheckAdmin => "抱歉，暂时无法确认您是否为本群管理员，订阅没有变化。请稍后再试。".to_string(),
            Text::BadTime { arg } => format!(
                "没看懂时间“{}”。请用 24 小时制的 HH:MM 或 HH:MM:SS，例如 <code>/subscribe 08:30</code>；\
                 也可以在后面加上时区，例如 <code>/subscribe 08:30 Europe/Berlin</code>。订阅没有变化。",
                escape(&clip(arg, 40))
            ),
            Text::StorageFailed => "抱歉，订阅信息暂时无法保存，订阅没有变化。请稍后再试。".to_string(),
            Text::NoSlogans => "抱歉，通知库里暂时没有宣传口号。".to_string(),
            Text::Today { slogan, date } => slogan_html("今日质量月口号", slogan, *date, ""),
            Text::Daily { slogan, date } => slogan_html(
                "📣 每日质量月口号",
                slogan,
                *date,
                "\n\n<i>每日推送 · 发送 /slogan 随时查看 · /unsubscribe 退订</i>",
            ),
        }
    }
}

fn slogan_html(head: &str, s: &Slogan, date: NaiveDate, foot: &str) -> String {
    let scope = if s.is_regional() {
        format!("{}地方口号", escape(&s.scope))
    } else {
        "全国口号".to_string()
    };
    let mut source = format!("{}年{}，第 {} 条", s.year, scope, s.number);
    if !s.notice_title.is_empty() {
        source.push_str(&format!("\n《{}》", escape(&s.notice_title)));
        if let Some(doc) = &s.doc_number {
            source.push_str(&format!("（{}）", escape(doc)));
        }
    }
    let mut within = String::new();
    if !s.section.is_empty() {
        within.push_str(&escape(&s.section));
    }
    if !s.list_title.is_empty() {
        if !within.is_empty() {
            within.push('：');
        }
        within.push_str(&escape(&s.list_title));
    }
    if !within.is_empty() {
        source.push_str(&format!("\n{within}"));
    }
    format!(
        "<b>{head}</b> · {}\n\n<b>{}</b>\n\n出处：{source}{foot}",
        date_zh(date),
        escape(&s.text)
    )
}

/// `09:00`, or `09:00:30` when the seconds matter.
pub fn clock(t: NaiveTime) -> String {
    if t.second() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

/// A zone as users know it: 北京时间 for China, else the IANA name.
pub fn zone(tz: Tz) -> String {
    match tz {
        chrono_tz::Asia::Shanghai | chrono_tz::Asia::Chongqing | chrono_tz::PRC => "北京时间".to_string(),
        tz => tz.name().to_string(),
    }
}

/// `2024年9月10日`
pub fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `今天 09:00`, `明天 09:00` or `2024年9月12日 09:00`, in the chat's zone.
fn moment(at: DateTime<Utc>, tz: Tz, today: NaiveDate) -> String {
    let local = at.with_timezone(&tz);
    let d = local.date_naive();
    let day = if d == today {
        "今天".to_string()
    } else if Some(d) == today.succ_opt() {
        format!("明天（{}）", date_zh(d))
    } else {
        date_zh(d)
    };
    format!("{day} {}（{}）", clock(local.time()), zone(tz))
}

fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn slogan(scope: &str) -> Slogan {
        Slogan {
            text: "质量第一 <安全> & 诚信".into(),
            year: 2018,
            scope: scope.into(),
            list_title: "宣传口号".into(),
            notice_title: "关于开展2018年“质量月”活动的通知".into(),
            doc_number: Some("闽质监〔2018〕1号".into()),
            section: "附件2".into(),
            number: 3,
        }
    }

    #[test]
    fn slogan_is_escaped_and_sourced() {
        let d = NaiveDate::from_ymd_opt(2024, 9, 10).unwrap();
        let s = slogan("福建省");
        let html = Text::Daily { slogan: &s, date: d }.html();
        assert!(html.contains("质量第一 &lt;安全&gt; &amp; 诚信"), "{html}");
        assert!(html.contains("2018年福建省地方口号，第 3 条"), "{html}");
        assert!(
            html.contains("《关于开展2018年“质量月”活动的通知》（闽质监〔2018〕1号）"),
            "{html}"
        );
        assert!(html.contains("2024年9月10日"), "{html}");
        assert!(html.contains("附件2：宣传口号"), "{html}");
        let s = slogan("全国");
        assert!(Text::Today { slogan: &s, date: d }
            .html()
            .contains("2018年全国口号，第 3 条"));
    }

    #[test]
    fn subscribed_names_next_delivery() {
        let tz = chrono_tz::Asia::Shanghai;
        let today = NaiveDate::from_ymd_opt(2024, 9, 10).unwrap();
        let html = Text::Subscribed {
            outcome: &Subscribed::New,
            time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            tz,
            next: Utc.with_ymd_and_hms(2024, 9, 11, 1, 0, 0).unwrap(),
            today,
        }
        .html();
        assert!(html.contains("每天 09:00（北京时间）"), "{html}");
        assert!(
            html.contains("下次推送：明天（2024年9月11日） 09:00（北京时间）"),
            "{html}"
        );
    }

    #[test]
    fn bad_time_is_escaped_and_clipped() {
        let arg = "<b>".repeat(30);
        let html = Text::BadTime { arg: &arg }.html();
        assert!(!html.contains("<b><b>"));
        assert!(html.contains('…'));
    }
}
