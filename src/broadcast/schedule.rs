//! When a chat's slogan is due: pure functions of the clock, so they are
//! tested with fixed instants.
//!
//! A chat asks for a local wall-clock `time` in an IANA zone. On a day when
//! that time does not exist (a daylight-saving gap) the slogan goes out at the
//! same distance after the gap's start, as the clock jumped over it (02:30 in
//! New York on the spring-forward day becomes 03:30 EDT); on a day when it
//! occurs twice (fall back) it goes out at the first occurrence only.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The first instant strictly after `now` at which the local clock in `tz`
/// shows `time`.
pub fn next_fire(now: DateTime<Utc>, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    next_fire_local(now, time, tz).1
}

/// Like [`next_fire`], also naming the local date the firing belongs to.
pub fn next_fire_local(now: DateTime<Utc>, time: NaiveTime, tz: Tz) -> (NaiveDate, DateTime<Utc>) {
    let today = now.with_timezone(&tz).date_naive();
    candidates(today, time, tz)
        .filter(|(_, at)| *at > now)
        .min_by_key(|(_, at)| *at)
        .expect("one of four consecutive days fires after now")
}

/// The last instant at or before `now` at which the local clock in `tz`
/// showed `time`, with its local date.
pub fn prev_fire_local(now: DateTime<Utc>, time: NaiveTime, tz: Tz) -> (NaiveDate, DateTime<Utc>) {
    let today = now.with_timezone(&tz).date_naive();
    candidates(today, time, tz)
        .filter(|(_, at)| *at <= now)
        .max_by_key(|(_, at)| *at)
        .expect("one of four consecutive days fired before now")
}

/// The instant at which `date`'s firing happens (see the module docs for
/// gaps and overlaps).
pub fn fire_at(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local = date.and_time(time);
    if let Some(at) = tz.from_local_datetime(&local).earliest() {
        return at.with_timezone(&Utc);
    }
    // In a gap: read the wall time with the offset in force just before the
    // gap, which lands as far after the gap's end as `time` is after its
    // start. Gaps last at most a day (Samoa skipped 30 December 2011).
    let before = (1..=48)
        .filter_map(|h| tz.offset_from_local_datetime(&(local - Duration::hours(h))).earliest())
        .next()
        .map(|offset| offset.fix())
        .unwrap_or_else(|| tz.offset_from_utc_datetime(&local).fix());
    Utc.from_utc_datetime(&(local - before))
}

/// Firings of the local days around `today`: enough to find the previous and
/// the next one whatever the zone's offset.
fn candidates(today: NaiveDate, time: NaiveTime, tz: Tz) -> impl Iterator<Item = (NaiveDate, DateTime<Utc>)> {
    (-2..=2).filter_map(move |d| {
        let date = today.checked_add_signed(Duration::days(d))?;
        Some((date, fire_at(date, time, tz)))
    })
}

/// What a subscription needs for planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Local delivery time.
    pub time: NaiveTime,
    /// The chat's zone.
    pub tz: Tz,
    /// The last local date a slogan was delivered, if any.
    pub last_delivered: Option<NaiveDate>,
    /// When the current time was chosen: a firing before it is never caught up.
    pub since: DateTime<Utc>,
}

/// What to do about one subscription at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Send `date`'s slogan now: its time has come (or passed while the bot
    /// was down, within the catch-up window) and it was not delivered yet.
    Due {
        /// The local date being served.
        date: NaiveDate,
    },
    /// Nothing to send before `at`, which serves local date `date`.
    At {
        /// The local date of the next delivery.
        date: NaiveDate,
        /// When it is due.
        at: DateTime<Utc>,
    },
}

/// How late a firing may still be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// When the scheduler started. A firing from then on is served however
    /// late the loop gets to it (a long queue of chats is not downtime).
    pub running_since: DateTime<Utc>,
    /// A firing that passed while the bot was down is still served when it
    /// is at most this old.
    pub catch_up: Duration,
}

impl Window {
    /// Only the catch-up rule, as if the scheduler had just started.
    pub fn catch_up_only(catch_up: Duration) -> Window {
        Window {
            running_since: DateTime::<Utc>::MAX_UTC,
            catch_up,
        }
    }
}

/// Decides what is due for one subscription at `now`. The latest firing,
/// if it came after the subscription was made and was not served yet, is
/// due now when it came while the scheduler was running or at most
/// `window.catch_up` ago; otherwise it is skipped, never doubled.
pub fn plan(t: &Timing, now: DateTime<Utc>, window: &Window) -> Plan {
    let served = |date: NaiveDate| t.last_delivered.is_some_and(|last| last >= date);
    let (date, at) = prev_fire_local(now, t.time, t.tz);
    let in_time = at >= window.running_since || now - at <= window.catch_up;
    if at >= t.since && in_time && !served(date) {
        return Plan::Due { date };
    }
    let (mut date, mut at) = next_fire_local(now, t.time, t.tz);
    if served(date) {
        // Already served that day (e.g. the time was moved later after
        // today's delivery): the first unserved day after it.
        let next = t.last_delivered.and_then(|d| d.succ_opt()).unwrap_or(date);
        date = next;
        at = fire_at(next, t.time, t.tz).max(at);
    }
    Plan::At { date, at }
}

/// Like [`plan`] for a chat that cannot be served on `date` any more (its
/// delivery failed for good that day).
pub fn after_day(date: NaiveDate, t: &Timing, now: DateTime<Utc>, window: &Window) -> Plan {
    let skipped = Timing {
        last_delivered: Some(t.last_delivered.map_or(date, |d| d.max(date))),
        ..*t
    };
    plan(&skipped, now, window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    const SH: Tz = chrono_tz::Asia::Shanghai;
    const NY: Tz = chrono_tz::America::New_York;
    const BER: Tz = chrono_tz::Europe::Berlin;

    #[test]
    fn later_today_or_tomorrow() {
        // 08:00 in Shanghai = 00:00 UTC.
        let now = utc("2024-09-10T00:00:00Z");
        assert_eq!(next_fire(now, hm(9, 0), SH), utc("2024-09-10T01:00:00Z"));
        // Exactly at the time: strictly after, so tomorrow.
        assert_eq!(next_fire(now, hm(8, 0), SH), utc("2024-09-11T00:00:00Z"));
        assert_eq!(next_fire(now, hm(7, 59), SH), utc("2024-09-10T23:59:00Z"));
        // Local date differs from the UTC date.
        let now = utc("2024-09-10T20:00:00Z"); // 04:00 on the 11th in Shanghai
        assert_eq!(
            next_fire_local(now, hm(9, 0), SH),
            (day(2024, 9, 11), utc("2024-09-11T01:00:00Z"))
        );
        assert_eq!(next_fire(now, hm(3, 0), SH), utc("2024-09-11T19:00:00Z"));
    }

    #[test]
    fn seconds_are_honoured() {
        let now = utc("2024-09-10T01:00:00Z");
        let t = NaiveTime::from_hms_opt(9, 0, 5).unwrap();
        assert_eq!(next_fire(now, t, SH), utc("2024-09-10T01:00:05Z"));
    }

    #[test]
    fn new_york_spring_forward_gap() {
        // 2024-03-10: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
        let now = utc("2024-03-10T05:00:00Z"); // 00:00 EST
        assert_eq!(next_fire(now, hm(2, 30), NY), utc("2024-03-10T07:30:00Z")); // 03:30 EDT
        assert_eq!(next_fire(now, hm(1, 30), NY), utc("2024-03-10T06:30:00Z")); // EST
        assert_eq!(next_fire(now, hm(9, 0), NY), utc("2024-03-10T13:00:00Z")); // EDT
                                                                               // The day after fires once at 02:30 EDT.
        let now = utc("2024-03-10T07:30:00Z");
        assert_eq!(next_fire(now, hm(2, 30), NY), utc("2024-03-11T06:30:00Z"));
    }

    #[test]
    fn new_york_fall_back_overlap_fires_once() {
        // 2024-11-03: 01:00-02:00 happens twice (EDT then EST).
        let now = utc("2024-11-03T04:00:00Z"); // 00:00 EDT
        let first = next_fire(now, hm(1, 30), NY);
        assert_eq!(first, utc("2024-11-03T05:30:00Z")); // 01:30 EDT
                                                        // The second 01:30 (EST, 06:30 UTC) is not a new firing.
        assert_eq!(next_fire(first, hm(1, 30), NY), utc("2024-11-04T06:30:00Z"));
    }

    #[test]
    fn berlin_dst_both_ways() {
        // 2024-03-31 02:00 CET -> 03:00 CEST; 02:15 does not exist.
        assert_eq!(
            next_fire(utc("2024-03-30T23:00:00Z"), hm(2, 15), BER),
            utc("2024-03-31T01:15:00Z") // 03:15 CEST
        );
        // 2024-10-27 03:00 CEST -> 02:00 CET; 02:15 happens twice.
        let first = next_fire(utc("2024-10-26T22:00:00Z"), hm(2, 15), BER);
        assert_eq!(first, utc("2024-10-27T00:15:00Z"));
        assert_eq!(next_fire(first, hm(2, 15), BER), utc("2024-10-28T01:15:00Z"));
    }

    #[test]
    fn prev_fire_is_at_or_before_now() {
        let now = utc("2024-09-10T01:00:00Z"); // 09:00 Shanghai
        assert_eq!(prev_fire_local(now, hm(9, 0), SH), (day(2024, 9, 10), now));
        assert_eq!(
            prev_fire_local(now, hm(9, 1), SH),
            (day(2024, 9, 9), utc("2024-09-09T01:01:00Z"))
        );
    }

    fn timing(time: NaiveTime, last: Option<NaiveDate>, since: &str) -> Timing {
        Timing {
            time,
            tz: SH,
            last_delivered: last,
            since: utc(since),
        }
    }

    #[test]
    fn plan_waits_then_is_due() {
        let t = timing(hm(9, 0), None, "2024-09-01T00:00:00Z");
        let two_h = Window::catch_up_only(Duration::minutes(120));
        assert_eq!(
            plan(&t, utc("2024-09-10T00:30:00Z"), &two_h),
            Plan::At {
                date: day(2024, 9, 10),
                at: utc("2024-09-10T01:00:00Z")
            }
        );
        assert_eq!(
            plan(&t, utc("2024-09-10T01:00:00Z"), &two_h),
            Plan::Due { date: day(2024, 9, 10) }
        );
    }

    #[test]
    fn plan_catches_up_within_the_window_only() {
        let two_h = Window::catch_up_only(Duration::minutes(120));
        let t = timing(hm(9, 0), Some(day(2024, 9, 9)), "2024-09-01T00:00:00Z");
        // Down from 08:00 to 10:59: still sent.
        assert_eq!(
            plan(&t, utc("2024-09-10T02:59:00Z"), &two_h),
            Plan::Due { date: day(2024, 9, 10) }
        );
        // Back at 11:01: today is skipped, tomorrow as usual.
        assert_eq!(
            plan(&t, utc("2024-09-10T03:01:00Z"), &two_h),
            Plan::At {
                date: day(2024, 9, 11),
                at: utc("2024-09-11T01:00:00Z")
            }
        );
    }

    #[test]
    fn plan_never_doubles_a_served_day() {
        let two_h = Window::catch_up_only(Duration::minutes(120));
        let t = timing(hm(9, 0), Some(day(2024, 9, 10)), "2024-09-01T00:00:00Z");
        assert_eq!(
            plan(&t, utc("2024-09-10T01:00:01Z"), &two_h),
            Plan::At {
                date: day(2024, 9, 11),
                at: utc("2024-09-11T01:00:00Z")
            }
        );
        // Served at 09:00, then moved to 18:00 the same day: tomorrow 18:00.
        let t = timing(hm(18, 0), Some(day(2024, 9, 10)), "2024-09-10T02:00:00Z");
        assert_eq!(
            plan(&t, utc("2024-09-10T02:00:00Z"), &two_h),
            Plan::At {
                date: day(2024, 9, 11),
                at: utc("2024-09-11T10:00:00Z")
            }
        );
    }

    #[test]
    fn plan_does_not_catch_up_before_the_subscription() {
        // Subscribed at 10:00 for 09:00: the first slogan is tomorrow's.
        let t = timing(hm(9, 0), None, "2024-09-10T02:00:00Z");
        assert_eq!(
            plan(
                &t,
                utc("2024-09-10T02:00:00Z"),
                &Window::catch_up_only(Duration::minutes(120))
            ),
            Plan::At {
                date: day(2024, 9, 11),
                at: utc("2024-09-11T01:00:00Z")
            }
        );
    }

    #[test]
    fn after_day_moves_to_the_next_date() {
        let t = timing(hm(9, 0), Some(day(2024, 9, 9)), "2024-09-01T00:00:00Z");
        assert_eq!(
            after_day(
                day(2024, 9, 10),
                &t,
                utc("2024-09-10T01:30:00Z"),
                &Window::catch_up_only(Duration::minutes(120))
            ),
            Plan::At {
                date: day(2024, 9, 11),
                at: utc("2024-09-11T01:00:00Z")
            }
        );
    }

    #[test]
    fn a_late_loop_still_serves_firings_it_was_running_for() {
        // No catch-up at all, a firing at 09:00 and a loop that only gets
        // to it at 09:07 (a long queue): still due, because the scheduler
        // was running at 09:00.
        let t = timing(hm(9, 0), None, "2024-09-01T00:00:00Z");
        let running = Window {
            running_since: utc("2024-09-10T00:00:00Z"),
            catch_up: Duration::zero(),
        };
        let late = utc("2024-09-10T01:07:00Z");
        assert_eq!(plan(&t, late, &running), Plan::Due { date: day(2024, 9, 10) });
        // Started at 09:05: the 09:00 firing was missed while down.
        let restarted = Window {
            running_since: utc("2024-09-10T01:05:00Z"),
            ..running
        };
        assert!(matches!(plan(&t, late, &restarted), Plan::At { .. }));
    }
}
