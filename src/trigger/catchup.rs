//! Catching up a backlog of fire times without enumerating it.
//!
//! After a host sleep or a clock jump the scheduler needs, for a job whose next fire time
//! `first` is long past, the **last** fire time at or before `now` (the next run time is
//! computed from it, and a coalescing job runs only that one). APScheduler enumerates every
//! missed time; a year of a per-second job is 31 million trigger calls. [`Trigger::catch_up`]
//! lists at most `limit` times and finds the last one in a handful of calls:
//!
//! * **interval**: arithmetically, `first + k·interval` with `k = ⌊(now − first)/interval⌋`,
//!   checked against the trigger (an end date found by bisection on `k`);
//! * **cron**: a cron trigger's fire times form a fixed set of instants, so "the first fire
//!   time at or after `x`" ([`Trigger::first_at_or_after`]) is probed at `now − p`,
//!   `now − 2p`, `now − 4p`, … (`p` = the spacing of the first two times) until it lands at
//!   or before `now`, and the few remaining times are then stepped through;
//! * **date, and, or**: stepped through one by one (an `or` may hold an interval child, whose
//!   times depend on the previous fire time). That takes time linear in the backlog but
//!   constant memory.

use crate::time::Timestamp;
use crate::trigger::Trigger;

/// The most fire times one catch-up call steps through (triggers without arithmetic:
/// date, and, or, calendar intervals). A longer backlog ends the call early: its `last` is
/// then before the true last fire time and `after` is still at or before `now`.
pub const STEP_BUDGET: usize = 100_000;

/// The outcome of [`Trigger::catch_up`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatchUp {
    /// The first fire times of the backlog, oldest first (at most `limit`; all of them when
    /// `complete`).
    pub listed: Vec<Timestamp>,
    /// Whether `listed` holds the whole backlog.
    pub complete: bool,
    /// The last fire time at or before `now`.
    pub last: Timestamp,
    /// The next fire time after `last` (`next_fire_time(Some(last), now)`: later than
    /// `now`, unless the step budget ran out first), or `None` when the trigger is exhausted.
    pub after: Option<Timestamp>,
}

impl CatchUp {
    /// Whether `last` is the last fire time at or before `now` (false when the backlog is
    /// longer than [`STEP_BUDGET`] steps and the rest is left for the next call).
    pub fn reached(&self, now: Timestamp) -> bool {
        self.after.map_or(true, |a| a > now)
    }
}

impl Trigger {
    /// The backlog of fire times from `first` (a fire time `<= now`) up to `now`, following
    /// APScheduler's chain `t(k+1) = next_fire_time(Some(t(k)), now)`: the first `limit`
    /// times (at least one) and the last one.
    pub fn catch_up(&self, first: Timestamp, now: Timestamp, limit: usize) -> CatchUp {
        let mut listed = vec![first];
        let mut t = first;
        loop {
            match self.next_fire_time(Some(t), now) {
                Some(n) if n > t && n <= now => {
                    if listed.len() >= limit.max(1) {
                        let last = self.last_fire_time_at_or_before(n, now);
                        let after = self.next_fire_time(Some(last), now);
                        return CatchUp { listed, complete: false, last, after };
                    }
                    listed.push(n);
                    t = n;
                }
                other => return CatchUp { listed, complete: true, last: t, after: other },
            }
        }
    }

    /// The next chained fire time after `t` if it is at or before `now` (and after `t`).
    fn next_after(&self, t: Timestamp, now: Timestamp) -> Option<Timestamp> {
        self.next_fire_time(Some(t), now).filter(|n| *n > t && *n <= now)
    }

    /// The last fire time at or before `now` in the chain that passes through `from` (a
    /// fire time `<= now`).
    pub fn last_fire_time_at_or_before(&self, from: Timestamp, now: Timestamp) -> Timestamp {
        match self {
            Trigger::Interval(_) => self.interval_last(from, now),
            Trigger::Cron(_) => self.probe_last(from, now),
            _ => self.step_last(from, now),
        }
    }

    /// Steps the chain one fire time at a time, at most [`STEP_BUDGET`] of them: a backlog
    /// longer than that (an `or` of per-second crons asleep for years) is caught up over
    /// several calls, each returning how far it got, so no call runs unbounded.
    fn step_last(&self, mut t: Timestamp, now: Timestamp) -> Timestamp {
        for _ in 0..STEP_BUDGET {
            match self.next_after(t, now) {
                Some(n) => t = n,
                None => break,
            }
        }
        t
    }

    /// Interval arithmetic: the chain is `from + k·d`.
    fn interval_last(&self, from: Timestamp, now: Timestamp) -> Timestamp {
        let Some(second) = self.next_after(from, now) else { return from };
        let d = second.as_micros() - from.as_micros();
        if d <= 0 {
            return self.step_last(second, now);
        }
        let at = |k: i64| Timestamp::from_micros(from.as_micros() + k * d);
        // `valid(k)`: the chain really reaches from + k·d (an end date cuts it off).
        let valid = |k: i64| k == 0 || self.next_fire_time(Some(at(k - 1)), now) == Some(at(k));
        let k_max = (now.as_micros() - from.as_micros()) / d;
        if valid(k_max) {
            return at(k_max);
        }
        let (mut lo, mut hi) = (1_i64, k_max); // valid(lo), !valid(hi)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if valid(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        at(lo)
    }

    /// Cron: probe the fixed set of fire times backwards from `now` at doubling distances.
    fn probe_last(&self, from: Timestamp, now: Timestamp) -> Timestamp {
        let Some(second) = self.next_after(from, now) else { return from };
        let mut step = (second.as_micros() - from.as_micros()).max(1);
        loop {
            let x = now.as_micros().saturating_sub(step);
            if x <= second.as_micros() {
                return self.step_last(second, now);
            }
            if let Some(candidate) = self.first_at_or_after(Timestamp::from_micros(x)) {
                if candidate <= now && candidate > second {
                    return self.step_last(candidate, now);
                }
            }
            step = step.saturating_mul(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Zone;
    use crate::trigger::{IntervalTrigger, JitterRng};

    /// APScheduler's enumeration, step by step.
    fn enumerate(t: &Trigger, first: Timestamp, now: Timestamp) -> (Vec<Timestamp>, Option<Timestamp>) {
        let mut out = vec![first];
        loop {
            let last = *out.last().unwrap_or(&first);
            match t.next_fire_time(Some(last), now) {
                Some(n) if n <= now => out.push(n),
                other => return (out, other),
            }
        }
    }

    #[test]
    fn interval_catch_up_matches_enumeration() {
        let mut rng = JitterRng::new(77);
        for case in 0..400 {
            let interval = 1 + (rng.next_u64() % 5_000_000) as i64;
            let start = Timestamp::from_micros((rng.next_u64() % 1_000_000_000) as i64);
            let end = (rng.next_u64() % 2 == 0)
                .then(|| Timestamp::from_micros(start.as_micros() + (rng.next_u64() % 3_000_000_000) as i64));
            let trig = Trigger::Interval(IntervalTrigger::new(interval, start, end, Zone::Utc, None).unwrap());
            let now = Timestamp::from_micros(start.as_micros() + (rng.next_u64() % (interval as u64 * 3000)) as i64);
            let limit = 1 + (rng.next_u64() % 5) as usize;
            let (all, after) = enumerate(&trig, start, now);
            let got = trig.catch_up(start, now, limit);
            assert_eq!(got.last, *all.last().unwrap(), "case {case}");
            assert_eq!(got.after, after, "case {case}");
            assert_eq!(got.complete, all.len() <= limit, "case {case}");
            assert_eq!(got.listed, all[..all.len().min(limit)], "case {case}");
        }
    }

    #[test]
    fn a_year_of_seconds_is_not_enumerated() {
        let start = Timestamp::from_secs(1_767_225_600);
        let trig = Trigger::Interval(IntervalTrigger::new(1_000_000, start, None, Zone::Utc, None).unwrap());
        let now = Timestamp::from_secs(1_767_225_600 + 365 * 86_400);
        let got = trig.catch_up(start, now, 2);
        assert_eq!((got.last, got.after), (now, Some(Timestamp::from_secs(now.secs_floor() + 1))));
        assert_eq!(got.listed.len(), 2);
        assert!(!got.complete);
    }
}

#[cfg(test)]
mod cron_tests {
    use super::*;
    use crate::time::Zone;
    use crate::trigger::{BuildContext, JitterRng, TriggerSpec};

    fn cron(json: serde_json::Value, zone: &str, now: Timestamp) -> Trigger {
        let ctx = BuildContext { default_zone: Zone::parse(zone).unwrap(), now };
        TriggerSpec::from_json(&json).unwrap().build(&ctx).unwrap()
    }

    /// The last fire time found by probing equals APScheduler's step-by-step chain, also
    /// across DST changes (New York's hour, Lord Howe's half hour).
    #[test]
    fn cron_probe_matches_enumeration_across_dst() {
        let specs = [
            serde_json::json!({"type": "cron", "second": "*/7"}),
            serde_json::json!({"type": "cron", "minute": "*/13", "second": "5"}),
            serde_json::json!({"type": "cron", "hour": "1,2,3", "minute": "*/10"}),
            serde_json::json!({"type": "cron", "minute": "30"}),
            serde_json::json!({"type": "crontab", "expr": "*/5 * * * *"}),
        ];
        let mut rng = JitterRng::new(11);
        // Around the 2024 autumn fall-back (New York) and spring change (Lord Howe).
        for (zone, base) in [("America/New_York", 1_730_610_000_i64), ("Australia/Lord_Howe", 1_712_414_000_i64)] {
            for spec in &specs {
                for case in 0..6 {
                    let start = Timestamp::from_secs(base - 4000 + (rng.next_u64() % 3000) as i64);
                    let trig = cron(spec.clone(), zone, start);
                    let Some(first) = trig.next_fire_time(None, start) else { continue };
                    let now = Timestamp::from_secs(first.secs_floor() + (rng.next_u64() % 12_000) as i64);
                    let mut chain = vec![first];
                    let after = loop {
                        let last = chain[chain.len() - 1];
                        match trig.next_fire_time(Some(last), now) {
                            Some(n) if n <= now => chain.push(n),
                            other => break other,
                        }
                    };
                    let got = trig.catch_up(first, now, 1);
                    assert_eq!(got.last, chain[chain.len() - 1], "{zone} {spec} case {case}");
                    assert_eq!(got.after, after, "{zone} {spec} case {case}");
                }
            }
        }
    }

    #[test]
    fn a_year_of_cron_seconds_takes_a_few_calls() {
        let t0 = Timestamp::from_secs(1_767_225_600);
        let trig = cron(serde_json::json!({"type": "cron", "second": "*"}), "Europe/Berlin", t0);
        let now = Timestamp::from_micros(t0.as_micros() + 365 * 86_400 * 1_000_000 + 500_000);
        let got = trig.catch_up(t0, now, 1);
        assert_eq!(got.last, Timestamp::from_secs(now.secs_floor()));
        assert_eq!(got.after, Some(Timestamp::from_secs(now.secs_floor() + 1)));
    }
}
