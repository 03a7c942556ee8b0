//! Property tests over many generated triggers (a seeded generator, so every run checks
//! the same cases and a failure names its seed):
//!
//! * the JSON form round-trips losslessly: `build(from_json(to_json(to_spec(t)))) == t`,
//!   whatever the build context, also through serde text;
//! * fire times strictly increase, and a first fire time is never before `now` (except
//!   for date and calendar-interval triggers, which return their start even when past,
//!   as APScheduler does);
//! * jittered run times lie within `[t, t + jitter]`.

use serde_json::{json, Value};
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::{JitterRng, Trigger};
use tickwerk::{Timestamp, Zone};

const ZONES: [&str; 10] = [
    "UTC",
    "+05:30",
    "-03:00",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "America/Santiago",
    "Europe/London",
];

/// A small generator on top of the crate's seeded RNG.
struct Gen(JitterRng);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    /// An instant in 1990–2060, sometimes with microseconds.
    fn instant(&mut self) -> Timestamp {
        let secs = 631_152_000 + self.below(2_208_988_800 - 631_152_000 + 1) as i64;
        let micros = if self.chance(30) { self.below(1_000_000) as i64 } else { 0 };
        Timestamp::from_micros(secs * 1_000_000 + micros)
    }
    /// A date in one of the input forms: naive text, text with an offset, epoch ms.
    fn date_value(&mut self) -> Value {
        let t = self.instant();
        let naive = t.to_utc_naive();
        match self.below(4) {
            0 => json!(naive.format("%Y-%m-%d %H:%M:%S").to_string()),
            1 => json!(naive.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
            2 => json!(format!("{}{}", naive.format("%Y-%m-%dT%H:%M:%S"), self.pick(&["Z", "+05:45", "-10:00", "+13:45"]))),
            _ => json!(t.as_micros() / 1000),
        }
    }
    fn maybe_zone(&mut self, obj: &mut serde_json::Map<String, Value>) {
        if self.chance(60) {
            obj.insert("timezone".into(), json!(self.pick(&ZONES)));
        }
    }
    fn maybe_jitter(&mut self, obj: &mut serde_json::Map<String, Value>) {
        match self.below(4) {
            0 => {
                obj.insert("jitter".into(), json!(self.below(120)));
            }
            1 => {
                obj.insert("jitter".into(), json!(self.below(10_000) as f64 / 7.0));
            }
            _ => {}
        }
    }

    /// A trigger description that builds (date, interval, calendar interval, cron,
    /// crontab, and, or). Inside an `and` only dates, intervals and combinations of them are
    /// generated: children that never agree cost the
    /// full bounded search (10 000 rounds) on every call, which is slow for calendar or cron
    /// children in a debug build (see `and_of_calendar_intervals` for their test).
    fn spec(&mut self, depth: u32, in_and: bool) -> Value {
        let kind = match (depth > 0, in_and) {
            (true, false) => [0, 1, 2, 3, 4, 5, 6][self.below(7) as usize],
            (true, true) => [0, 1, 3, 4][self.below(4) as usize],
            (false, false) => [0, 1, 2, 5, 6][self.below(5) as usize],
            (false, true) => self.below(2),
        };
        let mut o = serde_json::Map::new();
        match kind {
            0 => {
                o.insert("type".into(), json!("date"));
                if self.chance(90) {
                    o.insert(if self.chance(50) { "run_date" } else { "runDate" }.into(), self.date_value());
                }
                self.maybe_zone(&mut o);
            }
            1 => {
                o.insert("type".into(), json!("interval"));
                let units = ["weeks", "days", "hours", "minutes", "seconds"];
                let n = 1 + self.below(3);
                for _ in 0..n {
                    let unit = self.pick(&units);
                    let value = match self.below(3) {
                        0 => json!(1 + self.below(50)),
                        1 => json!((1 + self.below(100_000)) as f64 / 1000.0),
                        _ => json!((1 + self.below(9)) as f64 * 0.25),
                    };
                    o.insert(unit.into(), value);
                }
                if self.chance(80) {
                    o.insert("start_date".into(), self.date_value());
                }
                if self.chance(30) {
                    o.insert("endDate".into(), self.date_value());
                }
                self.maybe_zone(&mut o);
                self.maybe_jitter(&mut o);
            }
            2 => {
                o.insert("type".into(), json!("calendarinterval"));
                for unit in ["years", "months", "weeks", "days"] {
                    if self.chance(35) {
                        o.insert(unit.into(), json!(self.below(4)));
                    }
                }
                o.insert("days".into(), json!(1 + self.below(10)));
                for (unit, max) in [("hour", 24), ("minute", 60), ("second", 60)] {
                    if self.chance(60) {
                        o.insert(unit.into(), json!(self.below(max)));
                    }
                }
                let start = self.instant().to_utc_naive().date();
                o.insert("start_date".into(), json!(start.format("%Y-%m-%d").to_string()));
                if self.chance(40) {
                    let end = start + chrono::Duration::days(self.below(2000) as i64);
                    o.insert("end_date".into(), json!(end.format("%Y-%m-%d").to_string()));
                }
                self.maybe_zone(&mut o);
                self.maybe_jitter(&mut o);
            }
            5 => {
                o.insert("type".into(), json!("cron"));
                let choices: [(&str, &[&str]); 8] = [
                    ("year", &["*", "2020-2040", "2030", "*/2"]),
                    ("month", &["*", "1-6", "jan,jul", "*/3", "feb-dec"]),
                    ("day", &["*", "1", "last", "2nd mon", "last fri", "1-15/2", "13"]),
                    ("week", &["*", "1-20", "*/2"]),
                    ("day_of_week", &["*", "mon-fri", "0,6", "sun", "2"]),
                    ("hour", &["*", "2", "*/6", "9-17", "0,12"]),
                    ("minute", &["*", "0", "*/15", "30", "5-10"]),
                    ("second", &["0", "*/20", "*", "59"]),
                ];
                for (field, values) in choices {
                    if self.chance(35) {
                        let v = self.pick(values);
                        // an integer-valued field may be given as a JSON number
                        let value = match v.parse::<u64>() {
                            Ok(n) if self.chance(50) => json!(n),
                            _ => json!(v),
                        };
                        o.insert(if field == "day_of_week" && self.chance(50) { "dayOfWeek".into() } else { field.into() }, value);
                    }
                }
                if self.chance(30) {
                    o.insert("start_date".into(), self.date_value());
                }
                if self.chance(20) {
                    o.insert("end_date".into(), self.date_value());
                }
                self.maybe_zone(&mut o);
                self.maybe_jitter(&mut o);
            }
            6 => {
                o.insert("type".into(), json!("crontab"));
                let expr = self.pick(&["*/5 * * * *", "0 9 * * 1-5", "30 2 * * *", "0 0 1,15 * 5", "0 0 L * *", "0 12 * * 5#2", "@daily", "15 10 * * 7", "*/10 * * * * *"]);
                o.insert("expr".into(), json!(expr));
                self.maybe_zone(&mut o);
            }
            k => {
                o.insert("type".into(), json!(if k == 3 { "and" } else { "or" }));
                let n = 1 + self.below(3);
                let children: Vec<Value> = (0..n).map(|_| self.spec(depth - 1, in_and || k == 3)).collect();
                o.insert("triggers".into(), Value::Array(children));
                self.maybe_jitter(&mut o);
            }
        }
        Value::Object(o)
    }
}

fn context(g: &mut Gen) -> BuildContext {
    BuildContext { default_zone: Zone::parse(g.pick(&ZONES)).unwrap(), now: g.instant() }
}

fn has_kind(t: &Trigger, pred: &dyn Fn(&Trigger) -> bool) -> bool {
    pred(t)
        || match t {
            Trigger::And(a) => a.triggers().iter().any(|c| has_kind(c, pred)),
            Trigger::Or(o) => o.triggers().iter().any(|c| has_kind(c, pred)),
            _ => false,
        }
}

#[test]
fn json_round_trip_is_lossless() {
    let mut g = Gen(JitterRng::new(0x7469_636b));
    let mut built = 0;
    for case in 0..3000 {
        let input = g.spec(2, false);
        let ctx = context(&mut g);
        let t = match TriggerSpec::from_json(&input).and_then(|s| s.build(&ctx)) {
            Ok(t) => t,
            // A generated end date before the start, or a date past an end: fine, skip.
            Err(e) => {
                assert_eq!(e.code(), "INVALID_ARGUMENT", "case {case}: {input}: {e}");
                continue;
            }
        };
        built += 1;
        let canonical = t.to_spec().to_json();
        // build in a different context: the canonical form must not depend on it
        let other = context(&mut g);
        let back = TriggerSpec::from_json(&canonical).and_then(|s| s.build(&other)).unwrap_or_else(|e| panic!("case {case}: {canonical}: {e}"));
        assert_eq!(back, t, "case {case}: {input} -> {canonical}");
        assert_eq!(back.to_spec().to_json(), canonical, "case {case}: canonical form is not stable");
        let text = serde_json::to_string(&t.to_spec()).unwrap();
        let via_serde: TriggerSpec = serde_json::from_str(&text).unwrap();
        assert_eq!(via_serde.build(&other).unwrap(), t, "case {case}: serde text {text}");
        assert_eq!(back.to_string(), t.to_string());
    }
    assert!(built > 2000, "only {built} generated triggers built");
}

#[test]
fn fire_times_strictly_increase_and_never_precede_now() {
    let mut g = Gen(JitterRng::new(0x6669_7265));
    let mut fired = 0;
    for case in 0..1500 {
        let input = g.spec(2, false);
        let ctx = context(&mut g);
        let Ok(t) = TriggerSpec::from_json(&input).and_then(|s| s.build(&ctx)) else { continue };
        let now = if g.chance(50) { ctx.now } else { g.instant() };
        let starts_in_past = has_kind(&t, &|c| matches!(c, Trigger::Date(_) | Trigger::CalendarInterval(_)));
        let mut prev: Option<Timestamp> = None;
        let mut at = now;
        let mut rng = JitterRng::new(case);
        for _ in 0..30 {
            let Some(next) = t.next_fire_time(prev, at) else { break };
            fired += 1;
            match prev {
                Some(p) => assert!(next > p, "case {case}: {input}: {next} after {p}"),
                None if !starts_in_past => assert!(next >= now, "case {case}: {input}: first {next} before now {now}"),
                None => {}
            }
            if let Some(due_at) = t.apply_jitter(next, &mut rng) {
                assert!(due_at >= next, "case {case}: jitter went backwards");
                let bound = jitter_bound(&t);
                assert!(due_at.as_micros() - next.as_micros() <= bound, "case {case}: jitter {} > {bound} µs", due_at.as_micros() - next.as_micros());
            }
            prev = Some(next);
            // the scheduler may call later than the fire time; the answer must not change
            // for an interval (it ignores now with a previous time) and must stay > prev
            at = if g.chance(20) { next.checked_add_micros(g.below(10_000_000_000) as i64).unwrap_or(next) } else { next };
        }
    }
    assert!(fired > 10_000, "only {fired} fire times were produced");
}

/// The largest total jitter a trigger can add, in µs: its own plus (for an or) its
/// children's.
fn jitter_bound(t: &Trigger) -> i64 {
    let own = (t.jitter().unwrap_or(0.0) * 1e6).round() as i64;
    own + match t {
        Trigger::Or(o) => o.triggers().iter().map(jitter_bound).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn and_of_calendar_intervals() {
    // every 2 days and every 3 days from the same start, at 09:00 Berlin: every 6 days
    let spec = json!({"type": "and", "triggers": [
        {"type": "calendarinterval", "days": 2, "hour": 9, "start_date": "2024-03-01", "timezone": "Europe/Berlin"},
        {"type": "calendarinterval", "days": 3, "hour": 9, "start_date": "2024-03-01", "timezone": "Europe/Berlin"}]});
    let ctx = BuildContext { default_zone: Zone::Utc, now: Timestamp::from_secs(0) };
    let t = TriggerSpec::from_json(&spec).unwrap().build(&ctx).unwrap();
    let now = Timestamp::parse_rfc3339("now", "2024-03-02T00:00:00Z").unwrap();
    let first = t.next_fire_time(None, now).unwrap();
    assert_eq!(first, Timestamp::parse_rfc3339("t", "2024-03-07T08:00:00Z").unwrap());
    // across the spring-forward change the wall time stays 09:00 (CEST from 03-31)
    let mut prev = first;
    let mut got = vec![];
    for _ in 0..4 {
        prev = t.next_fire_time(Some(prev), prev).unwrap();
        got.push(prev.to_string());
    }
    assert_eq!(got, ["2024-03-13T08:00:00Z", "2024-03-19T08:00:00Z", "2024-03-25T08:00:00Z", "2024-03-31T07:00:00Z"]);
}
