//! Cron field grammar (strict parse), defaults rule, `str()`/`repr()`, errors, and
//! crontab lines with their standard meaning (deviation `crontab-standard`).

use tickwerk::trigger::cron::CronFields;
use tickwerk::trigger::{CronTrigger, JitterRng};
use tickwerk::{Error, Timestamp, Zone};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339("t", s).unwrap()
}

fn fields(pairs: &[(&str, &str)]) -> CronFields {
    let mut f = CronFields::default();
    for (k, v) in pairs {
        let v = Some(v.to_string());
        match *k {
            "year" => f.year = v,
            "month" => f.month = v,
            "day" => f.day = v,
            "week" => f.week = v,
            "day_of_week" => f.day_of_week = v,
            "hour" => f.hour = v,
            "minute" => f.minute = v,
            "second" => f.second = v,
            other => panic!("{other}"),
        }
    }
    f
}

fn utc(pairs: &[(&str, &str)]) -> CronTrigger {
    CronTrigger::new(&fields(pairs), None, None, Zone::Utc, None).unwrap()
}

fn times(t: &CronTrigger, now: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev: Option<Timestamp> = None;
    let now = ts(now);
    for _ in 0..n {
        match t.next_fire_time(prev, prev.unwrap_or(now)) {
            Some(x) => {
                out.push(format!("{}", t.timezone().to_local(x).format("%Y-%m-%d %a %H:%M:%S")));
                prev = Some(x);
            }
            None => break,
        }
    }
    out
}

fn crontab(expr: &str) -> CronTrigger {
    CronTrigger::from_crontab(expr, Zone::Utc).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

fn err_field(r: Result<CronTrigger, Error>) -> (String, String) {
    match r {
        Err(Error::InvalidArgument { field, value, .. }) => (field, value),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn defaults_rule() {
    // day=15: 00:00:00 on the 15th
    assert_eq!(times(&utc(&[("day", "15")]), "2024-01-02T00:00:00Z", 2), ["2024-01-15 Mon 00:00:00", "2024-02-15 Thu 00:00:00"]);
    // month=6, hour=3: day is '*' (between given fields), minute/second 0
    assert_eq!(times(&utc(&[("month", "6"), ("hour", "3")]), "2024-05-30T00:00:00Z", 2), ["2024-06-01 Sat 03:00:00", "2024-06-02 Sun 03:00:00"]);
    // minute=*/5, second=30
    assert_eq!(times(&utc(&[("minute", "*/5"), ("second", "30")]), "2024-01-01T00:00:31Z", 2), ["2024-01-01 Mon 00:05:30", "2024-01-01 Mon 00:10:30"]);
    // no fields: every second
    assert_eq!(times(&utc(&[]), "2024-01-01T00:00:00.5Z", 2), ["2024-01-01 Mon 00:00:01", "2024-01-01 Mon 00:00:02"]);
}

#[test]
fn expressions() {
    let t = utc(&[("day", "*/10")]);
    assert_eq!(times(&t, "2024-01-21T00:00:01Z", 2), ["2024-01-31 Wed 00:00:00", "2024-02-01 Thu 00:00:00"]);
    let t = utc(&[("minute", "5-50/15")]);
    assert_eq!(times(&t, "2024-01-02T00:50:01Z", 2), ["2024-01-02 Tue 01:05:00", "2024-01-02 Tue 01:20:00"]);
    let t = utc(&[("minute", "50/4")]);
    assert_eq!(times(&t, "2024-01-02T00:55:00Z", 2), ["2024-01-02 Tue 00:58:00", "2024-01-02 Tue 01:50:00"]);
    let t = utc(&[("day", "last fri")]);
    assert_eq!(times(&t, "2024-01-02T00:00:00Z", 2), ["2024-01-26 Fri 00:00:00", "2024-02-23 Fri 00:00:00"]);
    let t = utc(&[("day", "5th mon")]);
    assert_eq!(times(&t, "2024-01-30T00:00:00Z", 1), ["2024-04-29 Mon 00:00:00"]);
    let t = utc(&[("day", "last")]);
    assert_eq!(times(&t, "2024-02-01T00:00:00Z", 2), ["2024-02-29 Thu 00:00:00", "2024-03-31 Sun 00:00:00"]);
    let t = utc(&[("day", "2nd mon, last")]);
    assert_eq!(times(&t, "2024-01-01T00:00:00Z", 3), ["2024-01-08 Mon 00:00:00", "2024-01-31 Wed 00:00:00", "2024-02-12 Mon 00:00:00"]);
    let t = utc(&[("week", "*/2")]);
    assert_eq!(times(&t, "2024-02-05T10:00:07Z", 1), ["2024-02-12 Mon 00:00:00"]);
    let t = utc(&[("month", "feb-dec/5"), ("day", "1")]);
    assert_eq!(times(&t, "2024-01-01T00:00:00Z", 3), ["2024-02-01 Thu 00:00:00", "2024-07-01 Mon 00:00:00", "2024-12-01 Sun 00:00:00"]);
    // strict-parse: a step after a name range is honoured
    let t = utc(&[("day_of_week", "mon-fri/2")]);
    assert_eq!(times(&t, "2024-01-01T00:00:00Z", 4), ["2024-01-01 Mon 00:00:00", "2024-01-03 Wed 00:00:00", "2024-01-05 Fri 00:00:00", "2024-01-08 Mon 00:00:00"]);
    let t = utc(&[("day_of_week", "mon/2")]);
    assert_eq!(times(&t, "2024-01-05T00:00:01Z", 2), ["2024-01-07 Sun 00:00:00", "2024-01-08 Mon 00:00:00"]);
    // day and day_of_week are ANDed in a cron trigger
    let t = utc(&[("day", "1-7"), ("day_of_week", "0")]);
    assert_eq!(times(&t, "2024-01-02T00:00:00Z", 2), ["2024-02-05 Mon 00:00:00", "2024-03-04 Mon 00:00:00"]);
    // years
    let t = utc(&[("year", "2009/2"), ("month", "1/3"), ("day", "5-13")]);
    assert_eq!(times(&t, "2009-10-14T00:00:00Z", 1), ["2011-01-05 Wed 00:00:00"]);
    let t = utc(&[("year", "2023"), ("month", "2"), ("day", "29")]);
    assert!(times(&t, "2000-01-01T00:00:00Z", 1).is_empty());
}

#[test]
fn strict_parse_and_validation_errors_name_field_and_value() {
    let cases: [(&str, &str); 18] = [
        ("day", "lastly"),
        ("day", "last-fri"),
        ("day", "2nd mon-fri"),
        ("day_of_week", "mon#2"),
        ("day", "2nd 1"),
        ("day", "*/31"),
        ("day", "4-6/3"),
        ("hour", "0-24"),
        ("day", "0-3"),
        ("year", "2009-fault"),
        ("day_of_week", "sun-mon"),
        ("minute", "*/0"),
        ("month", "jan-foo"),
        ("month", "13"),
        ("second", "1,,2"),
        ("week", "54"),
        ("hour", "1 - 2"),
        ("minute", "99999999999999999999"),
    ];
    for (field, value) in cases {
        let r = CronTrigger::new(&fields(&[(field, value)]), None, None, Zone::Utc, None);
        let (f, v) = err_field(r);
        assert_eq!(f, field, "{value}");
        assert!(value.contains(v.trim()), "{value}: reported {v}");
    }
    for bad in [f64::NAN, -1.0, f64::INFINITY] {
        let (f, _) = err_field(CronTrigger::new(&CronFields::default(), None, None, Zone::Utc, Some(bad)));
        assert_eq!(f, "jitter");
    }
}

#[test]
fn str_and_repr() {
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    let t = CronTrigger::new(&fields(&[("year", "2009/2"), ("month", "1/3"), ("day", "5-13")]), None, None, berlin, None).unwrap();
    assert_eq!(t.to_string(), "cron[year='2009/2', month='1/3', day='5-13']");
    assert_eq!(t.repr(), "<CronTrigger (year='2009/2', month='1/3', day='5-13', timezone='Europe/Berlin')>");
    let t = CronTrigger::new(&fields(&[("month", "6-8"), ("day", "*"), ("hour", "0-3"), ("minute", "*/5")]), None, None, berlin, None).unwrap();
    assert_eq!(t.to_string(), "cron[month='6-8', day='*', hour='0-3', minute='*/5']");
    let t = CronTrigger::new(&fields(&[("day", "1-2, 4-7"), ("day_of_week", "MON-Fri")]), None, None, berlin, None).unwrap();
    assert_eq!(t.to_string(), "cron[day='1-2,4-7', day_of_week='mon-fri']");
    let t = CronTrigger::new(&fields(&[("day", "LAST FRI,3rd Sun")]), None, None, berlin, None).unwrap();
    assert_eq!(t.to_string(), "cron[day='last fri,3rd sun']");
    let t = CronTrigger::new(&fields(&[("hour", "2")]), Some(ts("2009-02-03T10:00:00Z")), Some(ts("2009-07-03T10:00:00Z")), berlin, Some(5.0)).unwrap();
    assert_eq!(
        t.repr(),
        "<CronTrigger (hour='2', start_date='2009-02-03 11:00:00 CET', end_date='2009-07-03 12:00:00 CEST', jitter=5, timezone='Europe/Berlin')>"
    );
    assert_eq!(utc(&[]).repr(), "<CronTrigger (, timezone='UTC')>");
    assert_eq!(utc(&[]).to_string(), "cron[]");
    assert_eq!(CronTrigger::new(&fields(&[("hour", "1")]), None, None, Zone::Fixed(-5 * 3600), Some(2.5)).unwrap().repr(), "<CronTrigger (hour='1', jitter=2.5, timezone='UTC-05:00')>");
}

#[test]
fn start_end_and_jitter() {
    let start = ts("2024-01-10T00:00:00Z");
    let end = ts("2024-01-12T00:00:00Z");
    let t = CronTrigger::new(&fields(&[("hour", "0")]), Some(start), Some(end), Zone::Utc, Some(30.0)).unwrap();
    assert_eq!(t.next_fire_time(None, ts("2024-01-01T00:00:00Z")), Some(start));
    assert_eq!(t.next_fire_time(Some(start), start), Some(ts("2024-01-11T00:00:00Z")));
    // end date inclusive
    assert_eq!(t.next_fire_time(Some(ts("2024-01-11T00:00:00Z")), ts("2024-01-11T00:00:00Z")), Some(end));
    assert_eq!(t.next_fire_time(Some(end), end), None);
    // jitter: within [t, t + 30 s], clamped to the end date, never changes the schedule
    let mut rng = JitterRng::new(1);
    let base = ts("2024-01-11T00:00:00Z");
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..100 {
        let j = t.apply_jitter(base, &mut rng);
        assert!(j >= base && j.as_micros() <= base.as_micros() + 30_000_000);
        seen.insert(j);
        assert_eq!(t.apply_jitter(end, &mut rng), end);
    }
    assert!(seen.len() > 50);
    // previous in the future (clock went back): APScheduler restarts from now
    let daily = utc(&[("day", "*")]);
    assert_eq!(daily.next_fire_time(Some(ts("2015-11-23T00:00:00Z")), ts("2015-11-22T00:00:00Z")), Some(ts("2015-11-22T00:00:00Z")));
    assert_eq!(daily.next_fire_time(Some(ts("2015-11-23T00:00:00Z")), ts("2015-11-26T00:00:00Z")), Some(ts("2015-11-24T00:00:00Z")));
}

#[test]
fn crontab_weekday_numbering_is_standard() {
    // 2024-01-07 is a Sunday
    assert_eq!(times(&crontab("0 9 * * 1-5"), "2024-01-06T00:00:00Z", 2), ["2024-01-08 Mon 09:00:00", "2024-01-09 Tue 09:00:00"]);
    assert_eq!(times(&crontab("0 0 * * 0"), "2024-01-01T00:00:00Z", 1), ["2024-01-07 Sun 00:00:00"]);
    assert_eq!(times(&crontab("0 0 * * 7"), "2024-01-01T00:00:00Z", 1), ["2024-01-07 Sun 00:00:00"]);
    assert_eq!(times(&crontab("0 0 * * */2"), "2024-01-07T00:00:00Z", 4), ["2024-01-07 Sun 00:00:00", "2024-01-09 Tue 00:00:00", "2024-01-11 Thu 00:00:00", "2024-01-13 Sat 00:00:00"]);
    assert_eq!(times(&crontab("0 0 * * 5-7"), "2024-01-08T00:00:00Z", 3), ["2024-01-12 Fri 00:00:00", "2024-01-13 Sat 00:00:00", "2024-01-14 Sun 00:00:00"]);
    assert_eq!(times(&crontab("0 0 * * fri-sun"), "2024-01-08T00:00:00Z", 3), ["2024-01-12 Fri 00:00:00", "2024-01-13 Sat 00:00:00", "2024-01-14 Sun 00:00:00"]);
    assert_eq!(times(&crontab("0 0 ? * MON"), "2024-01-02T00:00:00Z", 1), ["2024-01-08 Mon 00:00:00"]);
}

#[test]
fn crontab_or_of_day_fields() {
    // the 1st, the 15th, and every Wednesday
    let t = crontab("0 0 1,15 * 3");
    assert_eq!(
        times(&t, "2024-01-01T00:00:00Z", 5),
        ["2024-01-01 Mon 00:00:00", "2024-01-03 Wed 00:00:00", "2024-01-10 Wed 00:00:00", "2024-01-15 Mon 00:00:00", "2024-01-17 Wed 00:00:00"]
    );
    assert_eq!(
        t.to_string(),
        "or[cron[month='*', day='1,15', day_of_week='*', hour='0', minute='0'], cron[month='*', day='*', day_of_week='wed', hour='0', minute='0']]"
    );
    // one of them unrestricted: AND as usual
    assert_eq!(times(&crontab("0 0 * * 3"), "2024-01-01T00:00:00Z", 1), ["2024-01-03 Wed 00:00:00"]);
    assert_eq!(times(&crontab("0 0 15 * ?"), "2024-01-01T00:00:00Z", 1), ["2024-01-15 Mon 00:00:00"]);
}

#[test]
fn crontab_extensions() {
    assert_eq!(times(&crontab("0 0 L * *"), "2024-02-01T00:00:00Z", 2), ["2024-02-29 Thu 00:00:00", "2024-03-31 Sun 00:00:00"]);
    for last_fri in ["0 0 * * 5L", "0 0 * * FRIL", "0 0 ? * friL"] {
        assert_eq!(times(&crontab(last_fri), "2024-01-01T00:00:00Z", 2), ["2024-01-26 Fri 00:00:00", "2024-02-23 Fri 00:00:00"], "{last_fri}");
    }
    for second_mon in ["0 0 * * 1#2", "0 0 * * MON#2"] {
        assert_eq!(times(&crontab(second_mon), "2024-01-01T00:00:00Z", 2), ["2024-01-08 Mon 00:00:00", "2024-02-12 Mon 00:00:00"], "{second_mon}");
    }
    // n-th weekday OR plain weekday
    assert_eq!(times(&crontab("0 0 * * 0#1,sat"), "2024-01-01T00:00:00Z", 3), ["2024-01-06 Sat 00:00:00", "2024-01-07 Sun 00:00:00", "2024-01-13 Sat 00:00:00"]);
    // six fields: leading seconds
    assert_eq!(times(&crontab("*/20 0 12 * * *"), "2024-01-01T00:00:00Z", 3), ["2024-01-01 Mon 12:00:00", "2024-01-01 Mon 12:00:20", "2024-01-01 Mon 12:00:40"]);
    // macros
    assert_eq!(times(&crontab("@yearly"), "2024-01-01T00:00:01Z", 1), ["2025-01-01 Wed 00:00:00"]);
    assert_eq!(times(&crontab("@annually"), "2024-01-01T00:00:01Z", 1), ["2025-01-01 Wed 00:00:00"]);
    assert_eq!(times(&crontab("@monthly"), "2024-01-01T00:00:01Z", 1), ["2024-02-01 Thu 00:00:00"]);
    assert_eq!(times(&crontab("@weekly"), "2024-01-01T00:00:01Z", 1), ["2024-01-07 Sun 00:00:00"]);
    assert_eq!(times(&crontab("@daily"), "2024-01-01T00:00:01Z", 1), ["2024-01-02 Tue 00:00:00"]);
    assert_eq!(times(&crontab("@midnight"), "2024-01-01T00:00:01Z", 1), ["2024-01-02 Tue 00:00:00"]);
    assert_eq!(times(&crontab("@hourly"), "2024-01-01T00:00:01Z", 1), ["2024-01-01 Mon 01:00:00"]);
    // whitespace of any kind between fields
    assert_eq!(crontab(" 0-14 \t *  14-28 jul\tfri ").crontab(), Some(" 0-14 \t *  14-28 jul\tfri "));
}

#[test]
fn crontab_str_and_fields() {
    let t = crontab("0 9 * * 0");
    assert_eq!(t.to_string(), "cron[month='*', day='*', day_of_week='0', hour='9', minute='0']");
    assert_eq!(t.repr(), "<CronTrigger (month='*', day='*', day_of_week='0', hour='9', minute='0', timezone='UTC')>");
    assert_eq!(t.fields().day_of_week.as_deref(), Some("0"));
    assert_eq!(t.fields().second, None);
    let t = crontab("* * * * *");
    assert_eq!(t.repr(), "<CronTrigger (month='*', day='*', day_of_week='*', hour='*', minute='*', timezone='UTC')>");
    assert_eq!(crontab("5 0 0 1 * *").to_string(), "cron[month='*', day='1', day_of_week='*', hour='0', minute='0', second='5']");
}

#[test]
fn crontab_errors() {
    let cases = [
        ("0 9 * *", "expr"),
        ("0 9 * * * * *", "expr"),
        ("", "expr"),
        ("@sometimes", "expr"),
        ("0 0 15W * *", "day"),
        ("0 0 LW * *", "day"),
        ("0 0 * * 8", "day_of_week"),
        ("0 0 * * MON#6", "day_of_week"),
        ("0 0 * * MON#", "day_of_week"),
        ("0 0 * * 5-1", "day_of_week"),
        ("0 0 * * */0", "day_of_week"),
        ("0 0 * * funday", "day_of_week"),
        ("60 0 * * *", "minute"),
        ("0 24 * * *", "hour"),
        ("0 0 32 * *", "day"),
        ("0 0 * 13 *", "month"),
        ("1/2x 0 * * *", "minute"),
        ("60 0 0 * * *", "second"),
    ];
    for (expr, field) in cases {
        let (f, _) = err_field(CronTrigger::from_crontab(expr, Zone::Utc));
        assert_eq!(f, field, "{expr:?}");
    }
}


#[test]
fn triggers_stay_small() {
    // the compiled schedule lives behind a shared pointer: a job list of cron triggers is cheap
    assert!(std::mem::size_of::<CronTrigger>() <= 96, "{}", std::mem::size_of::<CronTrigger>());
    let t = utc(&[("hour", "2")]);
    assert_eq!(t.clone(), t);
    assert_ne!(t, utc(&[("hour", "3")]));
}
