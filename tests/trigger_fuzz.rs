//! No input may panic: random trigger JSON (valid keys with junk values, junk keys,
//! extreme numbers, dates at the ends of the calendar) goes through `from_json`, `build`,
//! `next_fire_time`, `apply_jitter`, `to_string`, `repr` and the canonical round trip.
//! Errors are fine; they must be typed. A failure prints the seed and the input.
//!
//! `TICKWERK_FUZZ_CASES` sets the number of cases (default 20 000).

use serde_json::{json, Map, Value};
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::JitterRng;
use tickwerk::{Timestamp, Zone};

const TYPES: [&str; 9] = ["date", "interval", "cron", "crontab", "calendarinterval", "and", "or", "weekly", ""];
const KEYS: [&str; 28] = [
    "run_date", "runDate", "start_date", "startDate", "end_date", "endDate", "timezone", "jitter", "weeks", "days", "hours", "minutes", "seconds",
    "years", "months", "hour", "minute", "second", "year", "month", "day", "week", "day_of_week", "dayOfWeek", "expr", "triggers", "v", "bogus",
];
const STRINGS: [&str; 24] = [
    "", "*", "*/0", "1-", "last", "5th sun", "mon-fri/2", "2024-02-29", "0001-01-01", "9999-12-31 23:59:59.999999", "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-14:00", "2024-03-10 02:30:00", "UTC", "+05:45", "-23:59", "Europe/Berlin", "Pacific/Chatham", "Mars/Base", "@daily",
    "* * * * * *", "0 0 31 2 *", "\u{0}\u{ffff}", "1e309",
];

struct Gen(JitterRng);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }
    fn number(&mut self) -> Value {
        match self.below(10) {
            0 => json!(0),
            1 => json!(-1),
            2 => json!(u64::MAX),
            3 => json!(i64::MIN),
            4 => json!(1e300),
            5 => json!(-1e-300),
            6 => json!(253_402_300_799_999.0_f64),
            7 => json!(-62_135_596_800_000.0_f64),
            8 => json!(self.below(100) as f64 / 3.0),
            _ => json!(self.below(100)),
        }
    }
    fn value(&mut self, depth: u32) -> Value {
        match self.below(if depth > 0 { 7 } else { 5 }) {
            0 => Value::Null,
            1 => json!(self.below(2) == 0),
            2 => self.number(),
            3 | 4 => json!(STRINGS[self.below(STRINGS.len() as u64) as usize]),
            5 => Value::Array((0..self.below(3)).map(|_| self.spec(depth - 1)).collect()),
            _ => self.spec(depth - 1),
        }
    }
    fn spec(&mut self, depth: u32) -> Value {
        let mut o = Map::new();
        if self.below(10) > 0 {
            o.insert("type".into(), json!(TYPES[self.below(TYPES.len() as u64) as usize]));
        }
        for _ in 0..self.below(6) {
            let key = KEYS[self.below(KEYS.len() as u64) as usize];
            let value = if key == "triggers" && depth > 0 {
                Value::Array((0..1 + self.below(3)).map(|_| self.spec(depth - 1)).collect())
            } else {
                self.value(depth)
            };
            o.insert(key.into(), value);
        }
        Value::Object(o)
    }
    /// A well-formed spec with extreme but plausible values.
    fn template(&mut self, depth: u32) -> Value {
        let dates = ["0001-01-01", "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00+14:00", "2024-03-10 02:30:00", "2024-11-03 01:30:00"];
        let date = |g: &mut Gen| -> Value {
            match g.below(3) {
                0 => json!(253_402_300_799_999.0_f64 - g.below(10_000) as f64 * 1e9),
                1 => json!(-62_135_596_800_000.0_f64 + g.below(10_000) as f64 * 1e9),
                _ => json!(dates[g.below(dates.len() as u64) as usize]),
            }
        };
        let day_only = ["0001-01-01", "9999-12-31", "2024-02-29", "2023-03-26"];
        let zone = ["UTC", "Pacific/Chatham", "America/Santiago", "-12:00", "+14:00", "Australia/Lord_Howe"][self.below(6) as usize];
        match self.below(if depth > 0 { 6 } else { 4 }) {
            0 => json!({"type": "date", "run_date": date(self), "timezone": zone}),
            1 => {
                let unit = [1e-6, 1.0, 59.999999, 86_400.0 * 365.0, 3.15e11][self.below(5) as usize];
                json!({"type": "interval", "seconds": unit, "start_date": date(self), "end_date": date(self), "timezone": zone, "jitter": self.below(5) as f64 * 1e8})
            }
            2 => json!({"type": "calendarinterval", "years": self.below(3) * 4000, "months": self.below(30), "days": self.below(2),
                        "hour": self.below(24), "minute": self.below(60), "start_date": day_only[self.below(4) as usize], "timezone": zone}),
            3 => {
                let year = ["*", "9999", "1970"][self.below(3) as usize];
                let day = ["29", "last", "5th sun"][self.below(3) as usize];
                json!({"type": "cron", "year": year, "month": "2", "day": day, "second": "*/7",
                       "start_date": date(self), "end_date": date(self), "timezone": zone, "jitter": 1e9})
            }
            k => json!({"type": if k == 4 { "and" } else { "or" }, "triggers": [self.template(depth - 1), self.template(depth - 1)], "jitter": 0.000001}),
        }
    }
    fn instant(&mut self) -> Timestamp {
        match self.below(4) {
            0 => Timestamp::MIN,
            1 => Timestamp::MAX,
            _ => Timestamp::from_micros(Timestamp::MIN.as_micros() + (self.0.next_u64() % (Timestamp::MAX.as_micros() - Timestamp::MIN.as_micros()) as u64) as i64),
        }
    }
}

#[test]
fn arbitrary_specs_never_panic() {
    let cases: u64 = std::env::var("TICKWERK_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let mut g = Gen(JitterRng::new(0x6675_7a7a));
    let (mut built, mut refused) = (0u64, 0u64);
    for case in 0..cases {
        let input = if case % 2 == 0 { g.spec(2) } else { g.template(2) };
        let zone = Zone::parse(["UTC", "America/Santiago", "Pacific/Chatham", "+14:00"][g.below(4) as usize]).unwrap();
        let ctx = BuildContext { default_zone: zone, now: g.instant() };
        let result = std::panic::catch_unwind(|| {
            let t = match TriggerSpec::from_json(&input).and_then(|s| s.build(&ctx)) {
                Ok(t) => t,
                Err(e) => {
                    assert!(!e.code().is_empty() && !e.to_string().is_empty());
                    return false;
                }
            };
            let _ = (t.to_string(), t.repr());
            let mut rng = JitterRng::new(case);
            let mut prev = None;
            for _ in 0..5 {
                let Some(next) = t.next_fire_time(prev, ctx.now) else { break };
                let _ = t.apply_jitter(next, &mut rng);
                prev = Some(next);
            }
            let back = TriggerSpec::from_json(&t.to_spec().to_json()).and_then(|s| s.build(&ctx));
            assert_eq!(back.as_ref().ok(), Some(&t), "round trip of {t}");
            true
        });
        match result {
            Ok(true) => built += 1,
            Ok(false) => refused += 1,
            Err(_) => panic!("case {case} panicked on {input} (zone {zone}, now {})", ctx.now),
        }
    }
    println!("{cases} arbitrary specs: {built} built, {refused} refused with typed errors");
    assert!(built > 0 && refused > 0);
}
