//! Randomized checks of the cron engine (hand-rolled loops; `JitterRng` is the random
//! source, fixed seeds, so every run checks the same cases):
//!
//! * cross-check with the `cron` crate on random expressions of the subset both
//!   understand, in UTC (no day-of-month + day-of-week combinations);
//! * properties in DST zones against a brute-force minute-by-minute reference: fire times
//!   strictly increase, the first is never before `now`, no existing matching wall time is
//!   skipped, and every fire time either matches or is APScheduler's gap emulation;
//! * no panic on arbitrary field strings, crontab lines and `(previous, now)` pairs.
//!
//! `CRON_FUZZ_SCALE=n` multiplies the fuzz iterations (and picks other seeds) for a longer
//! run: `CRON_FUZZ_SCALE=50 cargo test --release --test cron_properties -- --nocapture`.

use std::str::FromStr;
use std::time::Instant;

use chrono::{DateTime, Datelike, Timelike, Utc};
use tickwerk::trigger::cron::CronFields;
use tickwerk::trigger::{CronTrigger, JitterRng};
use tickwerk::{Timestamp, Zone};

/// The fuzz multiplier from `CRON_FUZZ_SCALE` (default 1).
fn fuzz_scale() -> u64 {
    std::env::var("CRON_FUZZ_SCALE").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1)
}

fn below(rng: &mut JitterRng, n: u64) -> u64 {
    rng.next_u64() % n.max(1)
}

/// One comma-list item of a generated field.
#[derive(Clone, Debug)]
enum Item {
    Star(Option<u32>),
    Range(u32, u32, Option<u32>),
    Last,
    Nth(u32, u32), // nth 1-5 (6 = last), weekday 0 = Monday
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const POS: [&str; 6] = ["1st", "2nd", "3rd", "4th", "5th", "last"];

#[derive(Clone, Debug)]
struct Gen {
    items: Vec<Item>,
    names: bool,
}

impl Gen {
    fn render(&self) -> String {
        let name = |v: u32| if self.names { WEEKDAYS[v as usize].to_string() } else { v.to_string() };
        self.items
            .iter()
            .map(|i| match i {
                Item::Star(None) => "*".to_string(),
                Item::Star(Some(s)) => format!("*/{s}"),
                Item::Range(a, b, s) => {
                    let mut t = if a == b { name(*a) } else { format!("{}-{}", name(*a), name(*b)) };
                    if let Some(s) = s {
                        t = format!("{}-{}/{s}", name(*a), name(*b));
                    }
                    t
                }
                Item::Last => "last".to_string(),
                Item::Nth(n, w) => format!("{} {}", POS[*n as usize - 1], WEEKDAYS[*w as usize]),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether value `v` matches; `min` is the field minimum; `(y, m)` for `last`/`nth`.
    fn contains(&self, v: u32, min: u32, ym: (i32, u32)) -> bool {
        self.items.iter().any(|i| match *i {
            Item::Star(None) => true,
            Item::Star(Some(s)) => (v - min) % s == 0,
            Item::Range(a, b, s) => v >= a && v <= b && (v - a) % s.unwrap_or(1) == 0,
            Item::Last => v == days_in(ym.0, ym.1),
            Item::Nth(n, w) => {
                let date = chrono::NaiveDate::from_ymd_opt(ym.0, ym.1, v).unwrap();
                if date.weekday().num_days_from_monday() != w {
                    return false;
                }
                if n == 6 {
                    v + 7 > days_in(ym.0, ym.1)
                } else {
                    (v - 1) / 7 + 1 == n
                }
            }
        })
    }

    fn is_star(&self) -> bool {
        matches!(self.items.as_slice(), [Item::Star(None)])
    }
}

fn days_in(y: i32, m: u32) -> u32 {
    tickwerk::time::days_in_month(y, m)
}

/// A random field over `[min, max]`; `specials` adds `last` / n-th weekday items (day).
fn gen_field(rng: &mut JitterRng, min: u32, max: u32, specials: bool, star_bias: u64) -> Gen {
    if below(rng, 100) < star_bias {
        return Gen { items: vec![Item::Star(None)], names: false };
    }
    let n = 1 + below(rng, 3);
    let mut items = Vec::new();
    for _ in 0..n {
        let span = max - min;
        let item = match below(rng, if specials { 6 } else { 4 }) {
            0 => Item::Star(Some(1 + below(rng, (span / 2).max(1) as u64) as u32)),
            1 => {
                let a = min + below(rng, span as u64 + 1) as u32;
                Item::Range(a, a, None)
            }
            2 | 3 => {
                let a = min + below(rng, span as u64 + 1) as u32;
                let b = a + below(rng, (max - a) as u64 + 1) as u32;
                let step = if b > a && below(rng, 2) == 0 { Some(1 + below(rng, (b - a) as u64) as u32) } else { None };
                Item::Range(a, b, step)
            }
            4 => Item::Last,
            _ => Item::Nth(1 + below(rng, 6) as u32, below(rng, 7) as u32),
        };
        items.push(item);
    }
    Gen { items, names: false }
}

struct Expr {
    month: Gen,
    day: Gen,
    dow: Gen,
    hour: Gen,
    minute: Gen,
}

impl Expr {
    fn random(rng: &mut JitterRng, specials: bool) -> Expr {
        let month = gen_field(rng, 1, 12, false, 60);
        let day = gen_field(rng, 1, 31, specials, 50);
        let mut dow = gen_field(rng, 0, 6, false, 60);
        if !day.is_star() && !dow.is_star() && below(rng, 2) == 0 {
            dow = Gen { items: vec![Item::Star(None)], names: false };
        }
        // weekday names for plain ranges and single days (no steps over names)
        if dow.items.iter().all(|i| matches!(i, Item::Range(_, _, None))) {
            dow.names = below(rng, 2) == 0;
        }
        Expr { month, day, dow, hour: gen_field(rng, 0, 23, false, 40), minute: gen_field(rng, 0, 59, false, 20) }
    }

    fn fields(&self) -> CronFields {
        CronFields {
            month: Some(self.month.render()),
            day: Some(self.day.render()),
            day_of_week: Some(self.dow.render()),
            hour: Some(self.hour.render()),
            minute: Some(self.minute.render()),
            second: Some("0".into()),
            ..CronFields::default()
        }
    }

    fn matches(&self, local: chrono::NaiveDateTime) -> bool {
        let ym = (local.year(), local.month());
        local.second() == 0
            && self.minute.contains(local.minute(), 0, ym)
            && self.hour.contains(local.hour(), 0, ym)
            && self.month.contains(local.month(), 1, ym)
            && self.day.contains(local.day(), 1, ym)
            && self.dow.contains(local.weekday().num_days_from_monday(), 0, ym)
    }
}

/// The `cron` crate's spelling (7 fields, `1 = Sunday`): only for expressions without
/// `last`/n-th items and with at most one restricted day field.
fn cron_crate_expr(e: &Expr) -> Option<String> {
    if !e.day.is_star() && !e.dow.is_star() {
        return None;
    }
    let plain = |g: &Gen| g.items.iter().all(|i| matches!(i, Item::Star(_) | Item::Range(..)));
    if !plain(&e.day) {
        return None;
    }
    let dow = if e.dow.is_star() {
        "*".to_string()
    } else {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let mut days = Vec::new();
        for v in 0..7 {
            if e.dow.contains(v, 0, (2024, 1)) {
                days.push(names[v as usize]);
            }
        }
        days.join(",")
    };
    Some(format!("0 {} {} {} {} {} *", e.minute.render(), e.hour.render(), e.day.render(), e.month.render(), dow))
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339("t", s).unwrap()
}

#[test]
fn agrees_with_the_cron_crate_in_utc() {
    let mut rng = JitterRng::new(0xC0FFEE);
    let (mut compared, mut times) = (0, 0);
    let start = Instant::now();
    while compared < 1500 {
        let e = Expr::random(&mut rng, false);
        let Some(text) = cron_crate_expr(&e) else { continue };
        let theirs = cron::Schedule::from_str(&text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let ours = CronTrigger::new(&e.fields(), None, None, Zone::Utc, None).unwrap();
        let now_secs = 946_684_800 + below(&mut rng, 40 * 365 * 86_400) as i64;
        let now = Timestamp::from_secs(now_secs);
        let from: DateTime<Utc> = DateTime::from_timestamp(now_secs - 1, 0).unwrap();
        let want: Vec<i64> = theirs.after(&from).take(15).map(|d| d.timestamp()).collect();
        let mut got = Vec::new();
        let mut prev = None;
        for _ in 0..want.len() {
            let Some(t) = ours.next_fire_time(prev, prev.unwrap_or(now)) else { break };
            got.push(t.secs_floor());
            prev = Some(t);
        }
        assert_eq!(got, want, "expression {text} (ours {ours}) from {now}");
        compared += 1;
        times += want.len();
    }
    println!("cron crate cross-check: {compared} expressions, {times} fire times, {:?}", start.elapsed());
}

/// Every instant in `[from, to)` on a whole minute whose local wall time matches.
fn brute_force(e: &Expr, zone: Zone, from: Timestamp, to: Timestamp) -> Vec<Timestamp> {
    let mut out = Vec::new();
    let mut s = (from.ceil_to_second().secs_floor() + 59).div_euclid(60) * 60;
    while s < to.secs_floor() {
        if e.matches(zone.to_local(Timestamp::from_secs(s))) {
            out.push(Timestamp::from_secs(s));
        }
        s += 60;
    }
    out
}

#[test]
fn properties_in_dst_zones_against_brute_force() {
    let zones = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham", "America/Santiago", "Europe/Paris"];
    let mut rng = JitterRng::new(42);
    let start = Instant::now();
    let (mut cases, mut fires, mut gap_times) = (0, 0, 0);
    for i in 0..240 {
        let zone = Zone::parse(zones[i % zones.len()]).unwrap();
        let e = Expr::random(&mut rng, true);
        let trigger = CronTrigger::new(&e.fields(), None, None, zone, None).unwrap();
        // a random transition of 2023-2025, then up to ±2 days, with microseconds
        let base = ts("2023-01-01T00:00:00Z");
        let probe = Timestamp::from_secs(base.secs_floor() + below(&mut rng, 3 * 365 * 86_400) as i64);
        let tr = zone.segment_at(probe).end.unwrap();
        let now = Timestamp::from_micros(tr.as_micros() + (below(&mut rng, 4 * 86_400_000_000) as i64 - 2 * 86_400_000_000));
        let horizon = Timestamp::from_secs(now.secs_floor() + 5 * 86_400);
        let reference = brute_force(&e, zone, now, horizon);
        let mut got = Vec::new();
        let mut prev: Option<Timestamp> = None;
        while let Some(t) = trigger.next_fire_time(prev, prev.unwrap_or(now)) {
            if let Some(p) = prev {
                assert!(t > p, "{trigger}: {t} after {p} is not later");
            } else {
                assert!(t >= now, "{trigger}: first fire time {t} before now {now}");
            }
            if t >= horizon {
                break;
            }
            got.push(t);
            prev = Some(t);
        }
        for r in &reference {
            assert!(got.contains(r), "{trigger} in {zone} from {now}: skipped {r} ({})", zone.to_local(*r));
        }
        for t in &got {
            if !e.matches(zone.to_local(*t)) {
                // APScheduler's gap wall time: an instant just after a forward transition
                let seg = zone.segment_at(*t);
                let before = seg.start.map(|s| zone.offset_at(Timestamp::from_micros(s.as_micros() - 1)));
                let in_gap_shadow = matches!((seg.start, before), (Some(s), Some(b)) if b < seg.offset
                    && t.as_micros() - s.as_micros() < (seg.offset - b) as i64 * 1_000_000);
                assert!(in_gap_shadow, "{trigger} in {zone} from {now}: {t} ({}) does not match", zone.to_local(*t));
                gap_times += 1;
            }
        }
        cases += 1;
        fires += got.len();
    }
    println!("DST properties: {cases} cases, {fires} fire times ({gap_times} APScheduler gap times), {:?}", start.elapsed());
}

const ALPHABET: &[u8] = b"0123456789*/-, ?#LW lastmonfrijandecsuthwe\t@";

fn random_text(rng: &mut JitterRng) -> String {
    let len = below(rng, 14) as usize;
    let mut s = String::new();
    for _ in 0..len {
        if below(rng, 40) == 0 {
            s.push(['é', '٣', '\u{0}', '\u{200b}', 'ß'][below(rng, 5) as usize]);
        } else {
            s.push(ALPHABET[below(rng, ALPHABET.len() as u64) as usize] as char);
        }
    }
    s
}

#[test]
fn parser_never_panics_on_arbitrary_text() {
    let mut rng = JitterRng::new(7 * fuzz_scale());
    let start = Instant::now();
    let (mut ok, mut total) = (0, 0);
    let zones = [Zone::Utc, Zone::parse("America/New_York").unwrap(), Zone::parse("Australia/Lord_Howe").unwrap()];
    for i in 0..150_000 * fuzz_scale() {
        let mut f = CronFields::default();
        let slot = below(&mut rng, 8);
        let text = Some(random_text(&mut rng));
        match slot {
            0 => f.year = text,
            1 => f.month = text,
            2 => f.day = text,
            3 => f.week = text,
            4 => f.day_of_week = text,
            5 => f.hour = text,
            6 => f.minute = text,
            _ => f.second = text,
        }
        let zone = zones[(i % 3) as usize];
        if let Ok(t) = CronTrigger::new(&f, None, None, zone, None) {
            ok += 1;
            let now = Timestamp::from_secs(below(&mut rng, 4_000_000_000) as i64);
            let _ = t.next_fire_time(None, now);
            let _ = t.to_string();
        }
        let line: Vec<String> = (0..(3 + below(&mut rng, 4))).map(|_| random_text(&mut rng).replace(' ', "")).collect();
        if let Ok(t) = CronTrigger::from_crontab(&line.join(" "), zone) {
            ok += 1;
            let now = Timestamp::from_secs(below(&mut rng, 4_000_000_000) as i64);
            let _ = t.next_fire_time(None, now);
            let _ = t.to_string();
        }
        total += 2;
    }
    println!("parser fuzz: {total} inputs ({ok} accepted) in {:?}", start.elapsed());
}

#[test]
fn next_fire_time_never_panics_on_arbitrary_instants() {
    let mut rng = JitterRng::new(99 * fuzz_scale());
    let start = Instant::now();
    let zones: Vec<Zone> = ["UTC", "+05:45", "-12:00", "America/New_York", "Pacific/Chatham", "Australia/Lord_Howe", "America/Santiago", "Asia/Kathmandu"]
        .iter()
        .map(|z| Zone::parse(z).unwrap())
        .collect();
    let (min, max) = (Timestamp::MIN.as_micros(), Timestamp::MAX.as_micros());
    let pick = |rng: &mut JitterRng| -> Timestamp {
        match below(rng, 4) {
            0 => Timestamp::from_micros(min + below(rng, 5_000_000_000) as i64),
            1 => Timestamp::from_micros(max - below(rng, 5_000_000_000) as i64),
            _ => Timestamp::from_micros(min + (rng.next_u64() % (max - min) as u64) as i64),
        }
    };
    let mut calls = 0;
    for i in 0..6_000 * fuzz_scale() as usize {
        let e = Expr::random(&mut rng, true);
        let mut f = e.fields();
        if below(&mut rng, 3) == 0 {
            f.year = Some(["*", "9999", "1970", "2500-2600/7", "*/50"][below(&mut rng, 5) as usize].to_string());
        }
        if below(&mut rng, 4) == 0 {
            f.week = Some(["53", "1", "*/3", "10-20"][below(&mut rng, 4) as usize].to_string());
        }
        let (s, en) = (pick(&mut rng), pick(&mut rng));
        let start_end = match below(&mut rng, 3) {
            0 => (Some(s.min(en)), Some(s.max(en))),
            1 => (Some(s), None),
            _ => (None, None),
        };
        let t = CronTrigger::new(&f, start_end.0, start_end.1, zones[i % zones.len()], Some(1.5)).unwrap();
        for _ in 0..4 {
            let prev = if below(&mut rng, 2) == 0 { Some(pick(&mut rng)) } else { None };
            let now = pick(&mut rng);
            if let Some(x) = t.next_fire_time(prev, now) {
                assert!(x >= Timestamp::MIN && x <= Timestamp::MAX);
                let _ = t.apply_jitter(x, &mut rng);
            }
            calls += 1;
        }
    }
    println!("next_fire_time fuzz: {calls} calls in {:?}", start.elapsed());
}


