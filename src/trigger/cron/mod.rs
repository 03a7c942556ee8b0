//! `CronTrigger`: fires when the wall-clock time in its zone matches every field
//! (APScheduler 3.11's `CronTrigger`, plus `from_crontab` with standard crontab meaning).
//!
//! # Fields
//!
//! `year, month, day, week, day_of_week, hour, minute, second`, evaluated in that order with
//! APScheduler's ranges (year 1970–9999, ISO week 1–53, `day_of_week` 0 = Monday) and its
//! defaults rule: unset fields after the least significant given one take their minimum
//! (`month`/`day` = 1, `hour`/`minute`/`second` = 0; `week`, `day_of_week`, `year` = `*`), unset
//! fields before or between given ones are `*`, and no fields at all fire every second.
//! Expressions (comma lists, spaces around commas allowed): `*`, `*/n`, `a`, `a-b`, `a-b/n`,
//! `a/n` (from `a` to the maximum); month names `jan`–`dec` and weekday names `mon`–`sun`
//! with ranges and an optional `/n`; in `day` also `last`, `1st`…`5th <weekday>` and
//! `last <weekday>`. Parsing is strict (deviation `strict-parse`): every expression must
//! match the whole grammar, and errors are [`Error::InvalidArgument`] naming the field and
//! the expression.
//!
//! # Next fire time
//!
//! The lower bound is `min(now, previous + 1 µs)` with a previous fire time (as APScheduler:
//! a clock that went back restarts the search from `now`), else `max(now, start_date)`,
//! rounded up to a whole second. The answer is the first instant at or after it whose
//! local wall time matches every field (a walk over the zone's constant-offset segments):
//! repeated wall times fire twice — or once, at the first or the last occurrence, with the
//! [`Fold`] option — wall times inside a gap never match, and no existing matching wall
//! time is skipped (deviation `no-skip`). Only when that walk steps over a spring-forward gap that holds a
//! matching wall time does a faithful port of APScheduler's field walk run as well; where
//! APScheduler returns a gap wall time with the pre-gap offset
//! (`hour=2, minute=30` in New York on spring-forward day gives 03:30 EDT) and that is
//! earlier, it wins. The end date is inclusive and, as in APScheduler, compared by wall
//! clock in the trigger's zone (it matters only in a repeated hour). Jitter is added to the
//! instant afterwards
//! ([`CronTrigger::apply_jitter`], deviation `jitter-absolute`).

mod apscheduler;
mod crontab;
mod field;
mod fold;
mod matcher;
mod search;
mod texts;
mod zone;

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::time::{format_in_zone, Timestamp, Zone};
use crate::trigger::{format_jitter, JitterRng};

use field::{parse_field, value_bits, Expr, Field, DAY, DEFAULT_VALUES, DOW, FIELD_NAMES, HOUR, MINUTE, MONTH, SECOND, WEEK, YEAR};
use matcher::{DaySpecials, Parts, Schedule};
use texts::Texts;
use zone::CronZone;

pub use fold::Fold;
pub(crate) use fold::EXPECTED as FOLD_EXPECTED;

/// Raw cron field expressions exactly as the user gave them (integers as decimal text).
/// `None` means the field was not given (the defaults rule applies).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CronFields {
    /// 4-digit year (1970–9999).
    pub year: Option<String>,
    /// Month (1–12, `jan`–`dec`).
    pub month: Option<String>,
    /// Day of the month (1–31, `last`, `2nd mon`, `last fri`).
    pub day: Option<String>,
    /// ISO week (1–53).
    pub week: Option<String>,
    /// Day of the week (0–6, 0 = Monday; `mon`–`sun`).
    pub day_of_week: Option<String>,
    /// Hour (0–23).
    pub hour: Option<String>,
    /// Minute (0–59).
    pub minute: Option<String>,
    /// Second (0–59).
    pub second: Option<String>,
}

impl CronFields {
    /// The fields in APScheduler's order (year … second).
    fn in_order(&self) -> [Option<&str>; 8] {
        [
            self.year.as_deref(),
            self.month.as_deref(),
            self.day.as_deref(),
            self.week.as_deref(),
            self.day_of_week.as_deref(),
            self.hour.as_deref(),
            self.minute.as_deref(),
            self.second.as_deref(),
        ]
    }
}

/// Fires when the wall-clock time in its zone matches every field.
#[derive(Clone, Debug, PartialEq)]
pub struct CronTrigger {
    start_date: Option<Timestamp>,
    end_date: Option<Timestamp>,
    timezone: Zone,
    jitter: Option<f64>,
    /// Which occurrences of a repeated wall time fire.
    fold: Fold,
    /// Everything derived from the expressions, shared between clones.
    compiled: Arc<Compiled>,
}

/// The parsed and compiled expressions of a trigger.
#[derive(Debug, PartialEq, Eq)]
struct Compiled {
    /// The fields as given, the crontab line and `str()` (computed once), in one allocation.
    texts: Texts,
    /// The compiled fields.
    schedule: Schedule,
    /// Equivalent APScheduler triggers for the gap emulation when they are not just
    /// `schedule` (the terms of a crontab's OR); empty otherwise.
    emulation: Box<[Schedule]>,
    /// The zone's offsets (one per zone, shared).
    zone: Arc<CronZone>,
}

/// Checks a jitter value: finite and `>= 0`.
fn check_jitter(jitter: Option<f64>) -> Result<Option<f64>> {
    match jitter {
        Some(j) if !j.is_finite() || j < 0.0 => Err(Error::invalid("jitter", j, "must be a finite number of seconds >= 0")),
        other => Ok(other),
    }
}

/// Compiles parsed fields (index order of [`FIELD_NAMES`]) into a schedule (AND of the days).
fn compile(fields: &[Field; 8]) -> Schedule {
    let mut dom_special = DaySpecials::default();
    for e in &fields[DAY].exprs {
        match *e {
            Expr::LastDay => dom_special.last_day = true,
            Expr::Nth { nth, weekday } => dom_special.nth[weekday as usize] |= 1 << (nth - 1),
            _ => {}
        }
    }
    Schedule::new(Parts {
        years: fields[YEAR].exprs.clone(),
        months: value_bits(MONTH, &fields[MONTH].exprs) as u16,
        dom: value_bits(DAY, &fields[DAY].exprs) as u32,
        dom_special,
        week: value_bits(WEEK, &fields[WEEK].exprs),
        dow: value_bits(DOW, &fields[DOW].exprs) as u8,
        dow_special: DaySpecials::default(),
        or_days: false,
        hours: value_bits(HOUR, &fields[HOUR].exprs) as u32,
        minutes: value_bits(MINUTE, &fields[MINUTE].exprs),
        seconds: value_bits(SECOND, &fields[SECOND].exprs),
    })
}

impl CronTrigger {
    /// A cron trigger from APScheduler's fields (see the module docs), with optional
    /// inclusive `start_date` / `end_date`, the `timezone` the fields are read in, and
    /// `jitter` in seconds (finite, `>= 0`). Bad expressions are
    /// [`Error::InvalidArgument`] naming the field and the expression. A repeated wall time
    /// fires at both occurrences ([`Fold::Both`]); see [`with_fold`](Self::with_fold).
    pub fn new(
        fields: &CronFields,
        start_date: Option<Timestamp>,
        end_date: Option<Timestamp>,
        timezone: Zone,
        jitter: Option<f64>,
    ) -> Result<CronTrigger> {
        let jitter = check_jitter(jitter)?;
        let given = fields.in_order();
        let last_given = given.iter().rposition(Option::is_some);
        let mut parsed: Vec<Field> = Vec::with_capacity(8);
        for (idx, g) in given.iter().enumerate() {
            let f = match g {
                Some(text) => parse_field(idx, text, true)?,
                None => {
                    let default = match last_given {
                        Some(l) if idx > l => DEFAULT_VALUES[idx].unwrap_or("*"),
                        _ => "*",
                    };
                    parse_field(idx, default, false)?
                }
            };
            parsed.push(f);
        }
        let parsed: [Field; 8] = match parsed.try_into() {
            Ok(p) => p,
            Err(_) => return Err(Error::invalid("fields", "", "internal: expected 8 fields")),
        };
        let field_list = parsed
            .iter()
            .enumerate()
            .filter(|(_, f)| f.given)
            .map(|(i, f)| format!("{}='{}'", FIELD_NAMES[i], f))
            .collect::<Vec<_>>();
        let field_list = crate::message_text::joined(&field_list, ", ");
        let compiled = Compiled {
            texts: Texts::new(fields, None, &format!("cron[{field_list}]"))?,
            schedule: compile(&parsed),
            emulation: Box::default(),
            zone: CronZone::shared(timezone),
        };
        Ok(CronTrigger { start_date, end_date, timezone, jitter, fold: Fold::Both, compiled: Arc::new(compiled) })
    }

    /// A trigger from a crontab line with its standard meaning (deviation
    /// `crontab-standard`):
    ///
    /// * 5 fields `minute hour day month day_of_week`, or 6 with a leading `second`,
    ///   separated by any whitespace; or a macro `@yearly`, `@annually`, `@monthly`,
    ///   `@weekly`, `@daily`, `@midnight`, `@hourly`;
    /// * day of week 0 and 7 = Sunday, 1 = Monday … 6 = Saturday (also in ranges and steps:
    ///   `1-5` is Monday to Friday, `*/2` Sunday, Tuesday, Thursday, Saturday), names as usual;
    /// * `?` = `*` in both day fields, `L` in the day field = last day of the month, `5L` /
    ///   `FRIL` = last Friday, `5#2` / `FRI#2` = second Friday; `W` is refused;
    /// * when both day fields are restricted (neither `*` nor `?`) a day matches if either
    ///   matches; otherwise both must.
    ///
    /// A wrong field count is an error on field `expr`; a bad field names that field.
    ///
    /// A wall time repeated when the clocks go back fires at both occurrences
    /// ([`Fold::Both`], APScheduler's behaviour), as for [`CronTrigger::new`]; the JS
    /// `CronTrigger.fromCrontab(expr, { timezone })` keeps that default too. Chain
    /// [`with_fold`](Self::with_fold) (JSON: `{"type": "crontab", "expr": …, "fold":
    /// "first"}`) to fire once.
    pub fn from_crontab(expr: &str, timezone: Zone) -> Result<CronTrigger> {
        let p = crontab::parse(expr)?;
        // a single APScheduler term equal to the schedule need not be kept twice
        let emulation = match p.emulation.as_slice() {
            [only] if *only == p.schedule => Box::default(),
            _ => p.emulation.into_boxed_slice(),
        };
        let compiled = Compiled {
            texts: Texts::new(&p.fields, Some(expr), &p.display)?,
            schedule: p.schedule,
            emulation,
            zone: CronZone::shared(timezone),
        };
        Ok(CronTrigger { start_date: None, end_date: None, timezone, jitter: None, fold: Fold::Both, compiled: Arc::new(compiled) })
    }

    /// The same trigger firing at the occurrences `fold` selects of a wall time repeated
    /// when the clocks go back (see [`Fold`]: both, the first, or the last).
    pub fn with_fold(mut self, fold: Fold) -> CronTrigger {
        self.fold = fold;
        self
    }

    /// APScheduler's `get_next_fire_time(previous, now)` without jitter (see the module
    /// docs); `None` when there is no further fire time.
    pub fn next_fire_time(&self, previous: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
        let lower = match previous {
            Some(p) if now < p => now,
            Some(p) => p.checked_add_micros(1)?,
            None => match self.start_date {
                Some(s) if s > now => s,
                _ => now,
            },
        };
        let start = lower.ceil_to_second().secs_floor();
        let c = &*self.compiled;
        // APScheduler checks the end date after every step of its walk, by wall clock
        // (Python compares two datetimes of one zone by their wall times). That differs from
        // an instant comparison only around a repeated hour: there its own walk decides.
        let end_wall_us = self.end_date.map(|e| e.as_micros() + c.zone.offset_at(e.secs_floor()) * 1_000_000);
        let end_wall = end_wall_us.map(|w| w.div_euclid(1_000_000));
        // segments past the end date can still hold a wall time before the end's
        let limit = self.end_date.map_or(i64::MAX, |e| e.secs_floor().saturating_add(86_400));
        let found = search::first_kept_match(&c.schedule, &c.zone, start, limit, self.fold);
        let (mut best, mut run_emulation, mut emulation_decides) = (None, found.crossed_matching_gap, false);
        if let Some(b) = found.secs {
            match (self.end_date, end_wall_us) {
                (Some(e), Some(w)) => {
                    let by_instant = b * 1_000_000 <= e.as_micros();
                    let by_wall = c.zone.to_wall(b) * 1_000_000 <= w;
                    if by_instant && by_wall {
                        best = Some(b);
                    } else if by_instant != by_wall {
                        run_emulation = true;
                        emulation_decides = true;
                    }
                }
                _ => best = Some(b),
            }
        }
        if run_emulation {
            // APScheduler knows no fold option: an occurrence the fold drops is not taken
            // from its walk either.
            let emulated = self.emulate(start, end_wall).filter(|&a| self.fold.keeps(&c.zone, a));
            best = if emulation_decides {
                emulated
            } else {
                match (best, emulated) {
                    (Some(b), Some(a)) => Some(a.min(b)),
                    (b, a) => b.or(a),
                }
            };
        }
        Timestamp::from_secs(0).checked_add_micros(best?.checked_mul(1_000_000)?)
    }

    /// APScheduler's own answer from instant `start` (seconds): the earliest over the
    /// equivalent APScheduler triggers, ignoring answers before `start`.
    fn emulate(&self, start: i64, end_wall: Option<i64>) -> Option<i64> {
        let c = &*self.compiled;
        let terms = if c.emulation.is_empty() { std::slice::from_ref(&c.schedule) } else { &c.emulation[..] };
        terms
            .iter()
            .filter_map(|s| apscheduler::next_fire_time(s, &c.zone, start, end_wall))
            .filter(|&a| a >= start)
            .min()
    }

    /// `t` plus a uniform draw of `[0, jitter]` seconds (added to the instant), clamped to
    /// the end date.
    pub fn apply_jitter(&self, t: Timestamp, rng: &mut JitterRng) -> Timestamp {
        let Some(j) = self.jitter.filter(|j| *j > 0.0) else { return t };
        let moved = t.checked_add_micros(rng.uniform_micros(j)).unwrap_or(Timestamp::MAX);
        match self.end_date {
            Some(e) if moved > e => e.max(t),
            _ => moved,
        }
    }

    /// The zone the fields are read in.
    pub fn timezone(&self) -> Zone {
        self.timezone
    }

    /// The fields as given (for a crontab: its tokens under their field names).
    pub fn fields(&self) -> CronFields {
        self.compiled.texts.fields()
    }

    /// The crontab line, when the trigger was built by [`CronTrigger::from_crontab`].
    pub fn crontab(&self) -> Option<&str> {
        self.compiled.texts.crontab()
    }

    /// The inclusive start date, if any.
    pub fn start_date(&self) -> Option<Timestamp> {
        self.start_date
    }

    /// The inclusive end date, if any.
    pub fn end_date(&self) -> Option<Timestamp> {
        self.end_date
    }

    /// The jitter in seconds, if any.
    pub fn jitter(&self) -> Option<f64> {
        self.jitter
    }

    /// Which occurrences of a repeated wall time fire ([`Fold::Both`] unless set with
    /// [`with_fold`](Self::with_fold)).
    pub fn fold(&self) -> Fold {
        self.fold
    }

    /// APScheduler's `repr()`: `<CronTrigger (hour='2', start_date='… CET', jitter=5,
    /// timezone='Europe/Berlin')>`, with `fold='first'` / `fold='last'` before the zone
    /// when the fold is not the default.
    pub fn repr(&self) -> String {
        let mut options = Vec::new();
        let field_list = self.compiled.texts.field_list();
        if !field_list.is_empty() {
            options.push(field_list.to_string());
        }
        if let Some(s) = self.start_date {
            options.push(format!("start_date='{}'", format_in_zone(s, self.timezone)));
        }
        if let Some(e) = self.end_date {
            options.push(format!("end_date='{}'", format_in_zone(e, self.timezone)));
        }
        if let Some(j) = self.jitter.filter(|j| *j != 0.0) {
            options.push(format!("jitter={}", format_jitter(j)));
        }
        if self.fold != Fold::Both {
            options.push(format!("fold='{}'", self.fold.as_str()));
        }
        let zone = match self.timezone {
            Zone::Fixed(0) => "UTC".to_string(),
            Zone::Fixed(_) => format!("UTC{}", self.timezone.name()),
            z => z.name(),
        };
        format!("<CronTrigger ({}, timezone='{zone}')>", crate::message_text::joined(&options, ", "))
    }
}

impl fmt::Display for CronTrigger {
    /// APScheduler's `str()`: `cron[month='6-8', day='*', hour='0-3', minute='*/5']`; a
    /// crontab whose day fields are ORed prints as `or[cron[…], cron[…]]`. A fold other
    /// than the default closes the list: `cron[hour='1', minute='30', fold='first']`,
    /// `or[cron[…], cron[…], fold='last']`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.compiled.texts.display();
        match (self.fold, text.strip_suffix(']')) {
            (Fold::Both, _) | (_, None) => f.write_str(text),
            (fold, Some(open)) => {
                let sep = if open.ends_with('[') { "" } else { ", " };
                write!(f, "{open}{sep}fold='{}']", fold.as_str())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random small expressions for the fields most affected by DST.
    fn random_fields(rng: &mut JitterRng) -> CronFields {
        let mut pick = |opts: &[&str]| -> Option<String> {
            let i = (rng.next_u64() % (opts.len() as u64 + 1)) as usize;
            opts.get(i).map(|s| s.to_string())
        };
        CronFields {
            day: pick(&["*", "1-7", "last", "2nd sun", "*/3"]),
            day_of_week: pick(&["*", "sun", "mon-fri", "6"]),
            hour: pick(&["*", "0", "1", "2", "3", "1-3", "*/2", "0,2,23"]),
            minute: pick(&["0", "*/15", "30", "45", "0,30", "5-50/15"]),
            ..CronFields::default()
        }
    }

    /// Against the port of APScheduler's walk alone: our answer is never later than
    /// APScheduler's, and whenever it is earlier it is an existing matching wall time that
    /// APScheduler skipped (deviation `no-skip`). APScheduler's gap wall times are kept
    /// unless such an existing time comes first (then the next call starts after it; the
    /// conformance README leaves that case open).
    #[test]
    fn never_later_than_apscheduler_and_keeps_its_gap_times() {
        let zones = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham", "America/Santiago", "Asia/Kathmandu"];
        let mut rng = JitterRng::new(2024);
        let (mut equal, mut earlier, mut gap_times, mut before_gap_time) = (0, 0, 0, 0);
        for i in 0..3000 {
            let zone = Zone::parse(zones[i % zones.len()]).unwrap();
            let t = CronTrigger::new(&random_fields(&mut rng), None, None, zone, None).unwrap();
            let c = &*t.compiled;
            // near a transition of 2023-2024 (Kathmandu: 1986)
            let base = if zones[i % zones.len()] == "Asia/Kathmandu" { 504_921_600 } else { 1_672_531_200 };
            let probe = base + (rng.next_u64() % (2 * 365 * 86_400)) as i64;
            let (_, end) = c.zone.segment(probe);
            let Some(tr) = end else { continue };
            let now = tr - 2 * 86_400 + (rng.next_u64() % (4 * 86_400)) as i64;
            let ours = t.next_fire_time(None, Timestamp::from_secs(now)).map(|x| x.secs_floor());
            let theirs = t.emulate(now, None);
            match (ours, theirs) {
                (Some(o), Some(a)) => {
                    assert!(o <= a, "{t} in {zone:?} from {now}: ours {o} after APScheduler's {a}");
                    let a_wall = c.zone.to_wall(a);
                    let a_matches = c.schedule.next_match(a_wall, a_wall + 1).is_some();
                    if !a_matches {
                        if o == a {
                            gap_times += 1;
                        } else {
                            before_gap_time += 1;
                        }
                    }
                    if o < a {
                        let w = c.zone.to_wall(o);
                        assert!(c.schedule.next_match(w, w + 1).is_some(), "{t}: {o} does not match");
                        earlier += 1;
                    } else {
                        equal += 1;
                    }
                }
                (o, a) => assert_eq!(o, a, "{t} in {zone:?} from {now}"),
            }
        }
        println!(
            "vs APScheduler's walk: {equal} equal, {earlier} earlier (no-skip), {gap_times} gap times kept, \
             {before_gap_time} existing times before a gap time"
        );
        assert!(equal > 1000 && gap_times > 0);
    }
}
