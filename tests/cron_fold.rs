//! The `fold` option of cron triggers: which occurrences of a wall time repeated when the
//! clocks go back fire — `both` (APScheduler's behaviour, the default), `first` (the
//! earlier instant) or `last` (the later one).
//!
//! Tables in the style of jiff's `tz::ambiguous` docs, with the fold shapes croner tests: a
//! one-hour fold (Europe/Paris, America/New_York), a 30-minute one (Australia/Lord_Howe,
//! 02:00 +11 → 01:30 +10:30), and a +13:45 → +12:45 zone (Pacific/Chatham). Expected
//! instants are written as local wall time with the offset in force, so each row reads as
//! "which 01:30".
//!
//! * `a_job_in_the_fold`: a daily job at a fixed time on fall-back day, run through the
//!   scheduler: `both` → two runs, `first` → one at the earlier instant, `last` → one at
//!   the later; times that occur once (and gap times) are not affected.
//! * `steps_inside_the_fold`: minute steps drop a whole round of the repeated stretch.
//! * `every_transition_against_brute_force`: every offset change of 2023–2024 in six
//!   zones, four triggers, three folds, against an independent reference; catch-up of a
//!   backlog across the fold agrees with the chain.
//! * the JSON key, `to_spec`, validation, `str()` / `repr()`, and a persistent record.

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use serde_json::{json, Value};
use tickwerk::scheduler::{NewJob, Output, RunStart, Scheduler, SchedulerConfig, StoreKind, TriggerInput};
use tickwerk::trigger::cron::{CronFields, Fold};
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::{CronTrigger, Trigger};
use tickwerk::{Error, StoreOp, Timestamp, Zone};

const SEC: i64 = 1_000_000;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339("t", s).unwrap()
}

fn plus(t: Timestamp, secs: i64) -> Timestamp {
    Timestamp::from_micros(t.as_micros() + secs * SEC)
}

/// An instant as its wall time in `zone` with the offset in force: `01:30:00-05:00`.
fn local(zone: Zone, t: Timestamp) -> String {
    let offset = zone.offset_at(t);
    let (sign, a) = (if offset < 0 { '-' } else { '+' }, offset.unsigned_abs());
    format!("{}{sign}{:02}:{:02}", zone.to_local(t).format("%Y-%m-%dT%H:%M:%S"), a / 3600, a % 3600 / 60)
}

fn build(spec: Value, now: Timestamp) -> Result<Trigger, Error> {
    TriggerSpec::from_json(&spec)?.build(&BuildContext { default_zone: Zone::Utc, now })
}

/// The chain t1 = next(None, from), t(k+1) = next(t(k), t(k)), while before `until`.
fn chain(t: &Trigger, from: Timestamp, until: Timestamp) -> Vec<Timestamp> {
    let mut out = Vec::new();
    let mut next = t.next_fire_time(None, from);
    while let Some(x) = next.filter(|x| *x < until) {
        assert!(out.last().map_or(true, |l| *l < x), "fire times strictly increase");
        out.push(x);
        next = t.next_fire_time(Some(x), x);
        assert!(out.len() < 10_000, "runaway chain");
    }
    out
}

/// The run times a scheduler executes for one job from `from` until `until`, driving a
/// fake clock straight to `next_wakeup()` (bounded, like quinn's `drive_bounded`).
fn scheduler_runs(trigger: Value, from: Timestamp, until: Timestamp) -> Vec<Timestamp> {
    let mut s = Scheduler::new(SchedulerConfig { seed: 9, ..SchedulerConfig::default() });
    s.add_job(NewJob::new("job", TriggerInput::Json(trigger)).id("j"), from).unwrap();
    s.start(from, false).unwrap();
    let mut executed = Vec::new();
    for _ in 0..50 {
        let Some(now) = s.next_wakeup().filter(|w| *w < until) else { break };
        s.tick(now);
        while let Some(output) = s.poll_output() {
            let Output::Run(run) = output else { continue };
            while let Some(start) = s.start_run_time(run.id, now).unwrap() {
                if let RunStart::Execute(t) = start {
                    executed.push(t);
                    s.run_succeeded(run.id, t).unwrap();
                }
            }
            s.finish_run(run.id).unwrap();
        }
    }
    executed
}

/// A row of `a_job_in_the_fold`: zone, local date, hour, minute, and the fire times with
/// `both`, `first` and `last`.
type FixedTimeRow<'a> = (&'a str, &'a str, u32, u32, &'a [&'a str], &'a [&'a str], &'a [&'a str]);

/// A row of `steps_inside_the_fold`: zone, minute field, from, until, and the fire times
/// with `both`, `first` and `last`.
type StepsRow<'a> = (&'a str, &'a str, &'a str, &'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);

#[test]
fn a_job_in_the_fold() {
    // (zone, local date, hour, minute, fire times with both / first / last). The fold:
    // New York 2024-11-03 02:00 EDT → 01:00 EST; Paris 2024-10-27 03:00 CEST → 02:00 CET;
    // Lord Howe 2024-04-07 02:00 +11 → 01:30 +10:30; Chatham 2024-04-07 03:45 +13:45 →
    // 02:45 +12:45. The last rows are not in a fold: one run whatever the fold.
    #[rustfmt::skip]
    let table: [FixedTimeRow; 9] = [
        ("America/New_York", "2024-11-03", 1, 30,
            &["2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00"], &["2024-11-03T01:30:00-04:00"], &["2024-11-03T01:30:00-05:00"]),
        ("Europe/Paris", "2024-10-27", 2, 30,
            &["2024-10-27T02:30:00+02:00", "2024-10-27T02:30:00+01:00"], &["2024-10-27T02:30:00+02:00"], &["2024-10-27T02:30:00+01:00"]),
        // the 30-minute fold: 01:30–01:59 repeat
        ("Australia/Lord_Howe", "2024-04-07", 1, 30,
            &["2024-04-07T01:30:00+11:00", "2024-04-07T01:30:00+10:30"], &["2024-04-07T01:30:00+11:00"], &["2024-04-07T01:30:00+10:30"]),
        ("Australia/Lord_Howe", "2024-04-07", 1, 59,
            &["2024-04-07T01:59:00+11:00", "2024-04-07T01:59:00+10:30"], &["2024-04-07T01:59:00+11:00"], &["2024-04-07T01:59:00+10:30"]),
        ("Pacific/Chatham", "2024-04-07", 3, 0,
            &["2024-04-07T03:00:00+13:45", "2024-04-07T03:00:00+12:45"], &["2024-04-07T03:00:00+13:45"], &["2024-04-07T03:00:00+12:45"]),
        // 01:30 occurs once in Paris (its fold is 02:00–02:59) and 01:15 on Lord Howe
        ("Europe/Paris", "2024-10-27", 1, 30,
            &["2024-10-27T01:30:00+02:00"], &["2024-10-27T01:30:00+02:00"], &["2024-10-27T01:30:00+02:00"]),
        ("Australia/Lord_Howe", "2024-04-07", 1, 15,
            &["2024-04-07T01:15:00+11:00"], &["2024-04-07T01:15:00+11:00"], &["2024-04-07T01:15:00+11:00"]),
        // 02:00 EST, the first wall time after New York's fold
        ("America/New_York", "2024-11-03", 2, 0,
            &["2024-11-03T02:00:00-05:00"], &["2024-11-03T02:00:00-05:00"], &["2024-11-03T02:00:00-05:00"]),
        // a spring-forward gap has nothing to choose: 02:30 does not exist on 2024-03-10 and
        // fires at 03:30 EDT (APScheduler's gap rule) with every fold
        ("America/New_York", "2024-03-10", 2, 30,
            &["2024-03-10T03:30:00-04:00"], &["2024-03-10T03:30:00-04:00"], &["2024-03-10T03:30:00-04:00"]),
    ];
    for (name, date, hour, minute, both, first, last) in table {
        let zone = Zone::parse(name).unwrap();
        let midnight = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap().and_hms_opt(0, 0, 0).unwrap();
        let from = zone.resolve_local(midnight, false);
        let until = plus(from, 25 * 3600);
        for (fold, expected) in [(None, both), (Some("both"), both), (Some("first"), first), (Some("last"), last)] {
            let mut spec = json!({"type": "cron", "hour": hour, "minute": minute, "timezone": name});
            if let Some(f) = fold {
                spec["fold"] = json!(f);
            }
            let runs: Vec<String> = scheduler_runs(spec.clone(), from, until).into_iter().map(|t| local(zone, t)).collect();
            assert_eq!(runs, expected, "{name} {date} {hour:02}:{minute:02} fold {fold:?}: runs");
            // the same as a crontab line
            let mut crontab = json!({"type": "crontab", "expr": format!("{minute} {hour} * * *"), "timezone": name});
            if let Some(f) = fold {
                crontab["fold"] = json!(f);
            }
            let fires: Vec<String> = chain(&build(crontab, from).unwrap(), from, until).into_iter().map(|t| local(zone, t)).collect();
            assert_eq!(fires, expected, "{name} {date} {hour:02}:{minute:02} fold {fold:?}: crontab");
        }
    }
}

#[test]
fn steps_inside_the_fold() {
    // A trigger firing several times an hour: `first` drops the second round of the
    // repeated stretch, `last` the first round; `both` keeps the real-time spacing.
    #[rustfmt::skip]
    let table: [StepsRow; 2] = [
        ("America/New_York", "*/15", "2024-11-03T00:30:00-04:00", "2024-11-03T02:30:00-05:00",
            &["00:30-04", "00:45-04", "01:00-04", "01:15-04", "01:30-04", "01:45-04",
              "01:00-05", "01:15-05", "01:30-05", "01:45-05", "02:00-05", "02:15-05"],
            // 01:45 EDT → 02:00 EST: 75 minutes
            &["00:30-04", "00:45-04", "01:00-04", "01:15-04", "01:30-04", "01:45-04", "02:00-05", "02:15-05"],
            // 00:45 EDT → 01:00 EST: 75 minutes
            &["00:30-04", "00:45-04", "01:00-05", "01:15-05", "01:30-05", "01:45-05", "02:00-05", "02:15-05"]),
        ("Australia/Lord_Howe", "*/10", "2024-04-07T01:10:00+11:00", "2024-04-07T02:10:00+10:30",
            &["01:10+11", "01:20+11", "01:30+11", "01:40+11", "01:50+11", "01:30+1030", "01:40+1030", "01:50+1030", "02:00+1030"],
            // 01:50 +11 → 02:00 +10:30: 40 minutes
            &["01:10+11", "01:20+11", "01:30+11", "01:40+11", "01:50+11", "02:00+1030"],
            // 01:20 +11 → 01:30 +10:30: 40 minutes
            &["01:10+11", "01:20+11", "01:30+1030", "01:40+1030", "01:50+1030", "02:00+1030"]),
    ];
    let short = |zone: Zone, t: Timestamp| {
        let l = local(zone, t);
        let (hm, offset) = (&l[11..16], &l[19..]);
        format!("{hm}{}", offset.trim_end_matches(":00").replace(':', ""))
    };
    for (name, minute, from, until, both, first, last) in table {
        let zone = Zone::parse(name).unwrap();
        let (from, until) = (ts(from), ts(until));
        for (fold, expected) in [("both", both), ("first", first), ("last", last)] {
            let t = build(json!({"type": "cron", "minute": minute, "timezone": name, "fold": fold}), from).unwrap();
            let got: Vec<String> = chain(&t, from, until).into_iter().map(|x| short(zone, x)).collect();
            assert_eq!(got, expected, "{name} minute={minute} fold={fold}");
        }
    }
}

/// Every instant in `[from, until)` at a whole minute whose wall time matches, among the
/// occurrences `fold` keeps: with `first` an instant whose wall time came earlier (PEP 495
/// fold=1) is dropped; with `last`, one whose wall time comes again.
fn reference(zone: Zone, matches: &dyn Fn(NaiveDateTime) -> bool, fold: Fold, from: Timestamp, until: Timestamp) -> Vec<Timestamp> {
    let start = (from.ceil_to_second().secs_floor() + 59).div_euclid(60) * 60;
    let mut out = Vec::new();
    let mut s = start;
    while s < until.secs_floor() {
        let t = Timestamp::from_secs(s);
        let wall = zone.to_local(t);
        let kept = match fold {
            Fold::Both => true,
            Fold::First => !zone.fold_at(t),
            Fold::Last => zone.resolve_local(wall, true) == t,
        };
        if wall.second() == 0 && matches(wall) && kept {
            out.push(t);
        }
        s += 60;
    }
    out
}

/// A cron trigger, the wall times it matches, and a label.
type Case = (String, CronTrigger, Box<dyn Fn(NaiveDateTime) -> bool>);

#[test]
fn every_transition_against_brute_force() {
    let zones = ["America/New_York", "Europe/London", "Europe/Paris", "Australia/Lord_Howe", "Pacific/Chatham", "America/Santiago"];
    let (mut checked, mut folds_seen) = (0, 0);
    for name in zones {
        let zone = Zone::parse(name).unwrap();
        let mut t = ts("2023-01-01T00:00:00Z");
        while let Some(tr) = zone.segment_at(t).end.filter(|e| *e < ts("2025-01-01T00:00:00Z")) {
            t = tr;
            let before = zone.offset_at(plus(tr, -1)) as i64;
            let after = zone.offset_at(tr) as i64;
            let fold_len = before - after; // > 0 for a fall-back
            // a fixed wall time in the middle of the repeated (or skipped) stretch
            let mid = zone.to_local(plus(tr, fold_len.abs() / 2 - fold_len.max(0)));
            let (h, m) = (mid.hour(), mid.minute());
            let fields = |hour: Option<String>, minute: &str| CronFields { hour, minute: Some(minute.to_string()), ..CronFields::default() };
            for fold in Fold::ALL {
                let cron = |f: CronFields| CronTrigger::new(&f, None, None, zone, None).unwrap().with_fold(fold);
                let cases: Vec<Case> = vec![
                    ("hourly".into(), cron(fields(None, "0")), Box::new(|w| w.minute() == 0)),
                    ("*/15".into(), cron(fields(None, "*/15")), Box::new(|w| w.minute() % 15 == 0)),
                    ("7-59/7".into(), cron(fields(None, "7-59/7")), Box::new(|w| w.minute() >= 7 && w.minute() % 7 == 0)),
                    (format!("{h}:{m:02}"), cron(fields(Some(h.to_string()), &m.to_string())), Box::new(move |w| w.hour() == h && w.minute() == m)),
                ];
                for (label, trigger, matches) in cases {
                    let trigger = Trigger::Cron(trigger);
                    let (from, until) = (plus(tr, -3 * 3600), plus(tr, 3 * 3600));
                    let got = chain(&trigger, from, until);
                    let want = reference(zone, &*matches, fold, from, until);
                    assert_eq!(got, want, "{name} at {tr} {label} fold {fold:?}");
                    // a backlog across the transition: catch-up agrees with the chain
                    if let (Some(&first), true) = (got.first(), got.len() > 1) {
                        let now = plus(got[got.len() - 1], 1);
                        let caught = trigger.catch_up(first, now, 1);
                        assert_eq!(caught.last, got[got.len() - 1], "{name} at {tr} {label} fold {fold:?}: catch-up");
                    }
                    checked += 1;
                }
            }
            folds_seen += usize::from(fold_len > 0);
        }
    }
    assert!(folds_seen >= 12 && checked >= 288, "{folds_seen} folds, {checked} cases");
}

#[test]
fn the_json_key_and_the_spec() {
    let now = ts("2024-06-01T00:00:00Z");
    let spec = |extra: Value| {
        let mut v = json!({"type": "cron", "hour": "1", "minute": "30", "timezone": "America/New_York"});
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        v
    };
    let default = build(spec(json!({})), now).unwrap();
    let Trigger::Cron(c) = &default else { panic!() };
    assert_eq!(c.fold(), Fold::Both);
    // `both` and `null` are the default: the same trigger, and no key in its spec
    for same in [json!({"fold": "both"}), json!({"fold": null})] {
        let t = build(spec(same.clone()), now).unwrap();
        assert_eq!(t, default, "{same}");
        assert!(t.to_spec().to_json().get("fold").is_none(), "{same}");
    }
    for fold in [Fold::First, Fold::Last] {
        let t = build(spec(json!({"fold": fold.as_str()})), now).unwrap();
        assert_ne!(t, default);
        let Trigger::Cron(c) = &t else { panic!() };
        assert_eq!(c.fold(), fold);
        let written = t.to_spec().to_json();
        assert_eq!(written["fold"], json!(fold.as_str()));
        assert_eq!(build(written, ts("2030-01-01T00:00:00Z")).unwrap(), t, "the spec rebuilds the trigger");
        // crontab too
        let tab = build(json!({"type": "crontab", "expr": "30 1 * * *", "timezone": "UTC", "fold": fold.as_str()}), now).unwrap();
        assert_eq!(tab.to_spec().to_json(), json!({"v": 1, "type": "crontab", "expr": "30 1 * * *", "timezone": "UTC", "fold": fold.as_str()}));
    }
    // existing specs are written as before
    let tab = build(json!({"type": "crontab", "expr": "30 1 * * *", "timezone": "UTC"}), now).unwrap();
    assert_eq!(tab.to_spec().to_json(), json!({"v": 1, "type": "crontab", "expr": "30 1 * * *", "timezone": "UTC"}));
    assert_eq!(
        default.to_spec().to_json(),
        json!({"v": 1, "type": "cron", "hour": "1", "minute": "30", "timezone": "America/New_York"})
    );
    // the Rust API
    let fields = CronFields { hour: Some("1".into()), minute: Some("30".into()), ..CronFields::default() };
    let built = CronTrigger::new(&fields, None, None, Zone::parse("America/New_York").unwrap(), None).unwrap();
    assert_eq!(Trigger::Cron(built.clone()), default);
    assert_eq!(Trigger::Cron(built.with_fold(Fold::Last)), build(spec(json!({"fold": "last"})), now).unwrap());
    assert_eq!(Fold::default(), Fold::Both);
}

#[test]
fn bad_values_name_fold_and_list_the_three() {
    let now = ts("2024-06-01T00:00:00Z");
    for bad in [json!("sideways"), json!("First"), json!(" first"), json!(""), json!(1), json!(true), json!(["first"])] {
        for kind in [json!({"type": "cron", "hour": 1}), json!({"type": "crontab", "expr": "0 1 * * *"})] {
            let mut spec = kind.clone();
            spec["fold"] = bad.clone();
            let err = build(spec, now).unwrap_err();
            match &err {
                Error::InvalidArgument { field, reason, .. } => {
                    assert_eq!(field, "fold", "{bad}");
                    assert_eq!(reason, "expected one of both, first, last", "{bad}");
                }
                other => panic!("{bad}: {other:?}"),
            }
            assert_eq!(err.code(), "INVALID_ARGUMENT");
        }
    }
    let err = build(json!({"type": "cron", "hour": 1, "fold": "sideways"}), now).unwrap_err();
    assert_eq!(err.to_string(), "invalid fold \"sideways\": expected one of both, first, last");
    // only cron triggers have a fold
    for kind in ["interval", "date", "calendarinterval"] {
        let mut spec = match kind {
            "interval" => json!({"type": "interval", "hours": 1}),
            "date" => json!({"type": "date", "run_date": "2024-06-02 00:00:00"}),
            _ => json!({"type": "calendarinterval", "days": 1}),
        };
        spec["fold"] = json!("first");
        let err = build(spec, now).unwrap_err();
        assert!(matches!(&err, Error::InvalidArgument { field, .. } if field == "fold"), "{kind}: {err}");
        assert!(err.to_string().contains("unknown key"), "{kind}: {err}");
    }
    assert_eq!(Fold::parse("fold", "last").unwrap(), Fold::Last);
}

#[test]
fn str_and_repr_name_the_fold_unless_default() {
    let now = ts("2024-06-01T00:00:00Z");
    let cases = [
        (json!({"type": "cron", "hour": "1", "minute": "30", "timezone": "America/New_York"}),
         "cron[hour='1', minute='30']", "<CronTrigger (hour='1', minute='30', timezone='America/New_York')>"),
        (json!({"type": "cron", "hour": "1", "minute": "30", "timezone": "America/New_York", "fold": "both"}),
         "cron[hour='1', minute='30']", "<CronTrigger (hour='1', minute='30', timezone='America/New_York')>"),
        (json!({"type": "cron", "hour": "1", "minute": "30", "timezone": "America/New_York", "fold": "first", "jitter": 5}),
         "cron[hour='1', minute='30', fold='first']", "<CronTrigger (hour='1', minute='30', jitter=5, fold='first', timezone='America/New_York')>"),
        (json!({"type": "cron", "timezone": "UTC", "fold": "last"}),
         "cron[fold='last']", "<CronTrigger (fold='last', timezone='UTC')>"),
        (json!({"type": "crontab", "expr": "30 1 * * *", "timezone": "UTC", "fold": "last"}),
         "cron[month='*', day='*', day_of_week='*', hour='1', minute='30', fold='last']",
         "<CronTrigger (month='*', day='*', day_of_week='*', hour='1', minute='30', fold='last', timezone='UTC')>"),
    ];
    for (spec, display, repr) in cases {
        let t = build(spec.clone(), now).unwrap();
        assert_eq!(t.to_string(), display, "{spec}");
        assert_eq!(t.repr(), repr, "{spec}");
    }
    // a crontab whose day fields are ORed prints as an `or`: the fold closes the list
    let t = build(json!({"type": "crontab", "expr": "0 9 1 * mon", "timezone": "UTC", "fold": "first"}), now).unwrap();
    let plain = build(json!({"type": "crontab", "expr": "0 9 1 * mon", "timezone": "UTC"}), now).unwrap().to_string();
    assert!(plain.starts_with("or[") && plain.ends_with("]]"), "{plain}");
    assert_eq!(t.to_string(), format!("{}, fold='first']", &plain[..plain.len() - 1]));
}

#[test]
fn a_persistent_record_keeps_the_fold() {
    let t0 = ts("2024-11-02T12:00:00Z");
    let mut s = Scheduler::new(SchedulerConfig { seed: 3, ..SchedulerConfig::default() });
    s.add_jobstore("db", StoreKind::Persistent).unwrap();
    let trigger = json!({"type": "cron", "hour": 1, "minute": 30, "timezone": "America/New_York", "fold": "last"});
    let mut job = NewJob::new("job", TriggerInput::Json(trigger)).id("j");
    job.jobstore = "db".into();
    s.start(t0, false).unwrap();
    s.add_job(job, t0).unwrap();
    let record = loop {
        match s.poll_output() {
            Some(Output::StoreOps { ops, .. }) => match ops.into_iter().find_map(|op| if let StoreOp::Put { record, .. } = op { Some(record) } else { None }) {
                Some(record) => break record,
                None => continue,
            },
            Some(_) => continue,
            None => panic!("no record written"),
        }
    };
    assert_eq!(record.trigger["fold"], json!("last"));
    // the job's first run is the later 01:30
    assert_eq!(s.get_job("j", None).unwrap().next_run_time, Some(ts("2024-11-03T01:30:00-05:00")));
    // loaded back by another scheduler: the same trigger and next run time
    let mut other = Scheduler::new(SchedulerConfig { seed: 4, ..SchedulerConfig::default() });
    other.add_jobstore("db", StoreKind::Persistent).unwrap();
    assert!(other.load_jobs("db", &[record.to_json()], t0).unwrap().is_empty());
    other.start(t0, false).unwrap();
    let (a, b) = (s.get_job("j", None).unwrap(), other.get_job("j", None).unwrap());
    assert_eq!((&a.trigger, a.next_run_time), (&b.trigger, b.next_run_time));
    assert_eq!(b.trigger.repr(), "<CronTrigger (hour='1', minute='30', fold='last', timezone='America/New_York')>");
}
