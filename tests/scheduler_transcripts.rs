//! Transcript tests (rustls style): each scenario is a constant list of steps
//! `(now, runs handed out, events)`, compared with what the core does. The fake executor
//! starts every run time at the tick's `now` and finishes the instance at once, unless
//! the job is *held* (then it finishes on an explicit `finish`). The executor is the shared
//! fake host (`tests/common/host.rs`), which also checks that no run comes out of the core
//! before the store ops that precede it.

#[allow(dead_code)]
mod common;

use common::host::Host;
use serde_json::json;
use tickwerk::scheduler::{Event, NewJob, RunStart, RunTimes, Scheduler, SchedulerConfig, SchedulerState};
use tickwerk::Timestamp;

/// `12:00:10` on 2026-01-05 (UTC) → the instant; another day is written in full
/// (`2027-01-05 12:00:10`).
fn t(hms: &str) -> Timestamp {
    match hms.split_once(' ') {
        Some((day, time)) => Timestamp::parse_rfc3339("t", &format!("{day}T{time}Z")).unwrap(),
        None => Timestamp::parse_rfc3339("t", &format!("2026-01-05T{hms}Z")).unwrap(),
    }
}

/// The time of day on 2026-01-05, else the date and time.
fn hms(ts: Timestamp) -> String {
    let naive = ts.to_utc_naive();
    if naive.format("%Y-%m-%d").to_string() == "2026-01-05" {
        naive.format("%H:%M:%S").to_string()
    } else {
        naive.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn times(r: &RunTimes) -> String {
    match r {
        RunTimes::List(v) => format!("[{}]", v.iter().map(|x| hms(*x)).collect::<Vec<_>>().join(" ")),
        RunTimes::Span { first, last } => format!("[{}..{}]", hms(*first), hms(*last)),
    }
}

fn event(e: &Event) -> String {
    let code = e.code.name().trim_start_matches("EVENT_").trim_start_matches("JOB_").to_string();
    let mut s = code;
    if let Some(id) = &e.job_id {
        s.push(' ');
        s.push_str(id);
    }
    if let Some(r) = &e.scheduled_run_times {
        s.push(' ');
        s.push_str(&times(r));
    }
    if let Some(r) = e.scheduled_run_time {
        s.push(' ');
        s.push_str(&hms(r));
    }
    s
}

struct Driver {
    h: Host,
}

impl Driver {
    fn new(defaults: serde_json::Value) -> Driver {
        let mut config = SchedulerConfig::from_json(&json!({ "tickwerk.jobDefaults": defaults })).unwrap();
        config.seed = 9;
        let mut s = Scheduler::new(config);
        s.start(t("11:00:00"), false).unwrap();
        Driver { h: Host::new(s, t("11:00:00")) }
    }

    fn add(&mut self, id: &str, trigger: serde_json::Value, opts: serde_json::Value, now: &str) {
        let mut o = opts.as_object().cloned().unwrap_or_default();
        o.insert("func".into(), json!("f"));
        o.insert("id".into(), json!(id));
        o.insert("trigger".into(), trigger);
        self.h.s.add_job(NewJob::from_json(&serde_json::Value::Object(o)).unwrap(), t(now)).unwrap();
        self.h.drain();
    }

    /// One step: an action at `now`, then the runs and events it produced.
    fn step(&mut self, now: &str, action: &str) -> (String, Vec<String>, Vec<String>) {
        let at = t(now);
        self.h.now = at;
        match action {
            "tick" => self.h.s.tick(at),
            "finish" => {
                if let Some(f) = self.h.in_flight.first() {
                    let job = f.job_id.to_string();
                    // The oldest held instance finishes now.
                    self.h.in_flight[0].at = at;
                    self.h.finish(&job);
                }
            }
            "pause" => self.h.s.pause().unwrap(),
            "resume" => self.h.s.resume().unwrap(),
            a if a.starts_with("pause_job ") => self.h.s.pause_job(&a[10..], None).unwrap(),
            a if a.starts_with("resume_job ") => {
                self.h.s.resume_job(&a[11..], None, at).unwrap();
            }
            other => panic!("unknown action {other}"),
        }
        let mut drained = self.h.drain();
        let runs = drained.runs.iter().map(|run| format!("{} {}", run.job_id, times(&run.run_times))).collect();
        self.h.complete_unheld();
        drained.events.extend(self.h.drain().events);
        let events = drained.events.iter().map(event).collect();
        (format!("{now} {action}"), runs, events)
    }

    /// Plays `script` and compares every step with it.
    fn play(&mut self, script: &[(&str, &str, &[&str], &[&str])]) {
        assert!(script.len() < 100, "transcripts are capped");
        for (now, action, runs, events) in script {
            let (label, got_runs, got_events) = self.step(now, action);
            assert_eq!(got_runs, *runs, "runs at {label}");
            assert_eq!(got_events, *events, "events at {label}");
        }
    }
}

fn every_10s() -> serde_json::Value {
    json!({"type": "interval", "seconds": 10, "start_date": "2026-01-05T12:00:00+00:00"})
}

#[test]
fn misfire_is_checked_per_run_time_at_start() {
    let mut d = Driver::new(json!({"coalesce": false, "misfireGraceTime": 10}));
    d.add("j", every_10s(), json!({}), "11:00:00");
    d.play(&[
        ("12:00:00", "tick", &["j [12:00:00]"], &["SUBMITTED j [12:00:00]", "EXECUTED j 12:00:00"]),
        // Host late by 35 s: three run times in one submission; 10 and 20 are > 10 s late.
        ("12:00:35", "tick", &["j [12:00:10 12:00:20 12:00:30]"], &[
            "SUBMITTED j [12:00:10 12:00:20 12:00:30]",
            "MISSED j 12:00:10",
            "MISSED j 12:00:20",
            "EXECUTED j 12:00:30",
        ]),
        // Exactly `grace` late still runs (strictly greater misses).
        ("12:00:50", "tick", &["j [12:00:40 12:00:50]"], &[
            "SUBMITTED j [12:00:40 12:00:50]",
            "EXECUTED j 12:00:40",
            "EXECUTED j 12:00:50",
        ]),
    ]);
    assert_eq!(d.h.s.next_wakeup(), Some(t("12:01:00")));
}

#[test]
fn coalesce_runs_only_the_latest_time_and_still_checks_grace() {
    let mut d = Driver::new(json!({"coalesce": true}));
    d.add("j", every_10s(), json!({}), "11:00:00");
    d.add("k", every_10s(), json!({"misfire_grace_time": null}), "11:00:00");
    d.play(&[
        ("12:00:35", "tick", &["j [12:00:30]", "k [12:00:30]"], &[
            "SUBMITTED j [12:00:30]",
            "SUBMITTED k [12:00:30]",
            "MISSED j 12:00:30",
            "EXECUTED k 12:00:30",
        ]),
        ("12:00:40", "tick", &["j [12:00:40]", "k [12:00:40]"], &[
            "SUBMITTED j [12:00:40]",
            "SUBMITTED k [12:00:40]",
            "EXECUTED j 12:00:40",
            "EXECUTED k 12:00:40",
        ]),
    ]);
}

#[test]
fn max_instances_skips_and_recovers_after_finish() {
    let mut d = Driver::new(json!({}));
    d.add("j", every_10s(), json!({}), "11:00:00");
    d.h.hold.insert("j".into());
    d.play(&[
        ("12:00:00", "tick", &["j [12:00:00]"], &["SUBMITTED j [12:00:00]"]),
        ("12:00:10", "tick", &[], &["MAX_INSTANCES j [12:00:10]"]),
        // The held instance only starts now, 15 s late: the misfire check is at start.
        ("12:00:15", "finish", &[], &["MISSED j 12:00:00"]),
        ("12:00:20", "tick", &["j [12:00:20]"], &["SUBMITTED j [12:00:20]"]),
    ]);
    assert_eq!(d.h.s.running_instances("j"), 1);
}

#[test]
fn pause_and_resume_scheduler_and_job() {
    let mut d = Driver::new(json!({"misfire_grace_time": null}));
    d.add("j", every_10s(), json!({}), "11:00:00");
    d.add("k", every_10s(), json!({}), "11:00:00");
    d.play(&[
        ("12:00:00", "pause", &[], &["SCHEDULER_PAUSED"]),
        ("12:00:25", "tick", &[], &[]),
        ("12:00:25", "resume", &[], &["SCHEDULER_RESUMED"]),
        // Coalesced backlog after resume.
        ("12:00:26", "tick", &["j [12:00:20]", "k [12:00:20]"], &[
            "SUBMITTED j [12:00:20]",
            "SUBMITTED k [12:00:20]",
            "EXECUTED j 12:00:20",
            "EXECUTED k 12:00:20",
        ]),
        ("12:00:27", "pause_job k", &[], &["MODIFIED k"]),
        ("12:00:50", "tick", &["j [12:00:50]"], &["SUBMITTED j [12:00:50]", "EXECUTED j 12:00:50"]),
        // resume_job: next time from now; the paused runs are not replayed.
        ("12:00:55", "resume_job k", &[], &["MODIFIED k"]),
        ("12:01:00", "tick", &["j [12:01:00]", "k [12:01:00]"], &[
            "SUBMITTED j [12:01:00]",
            "SUBMITTED k [12:01:00]",
            "EXECUTED j 12:01:00",
            "EXECUTED k 12:01:00",
        ]),
    ]);
    d.h.s.pause().unwrap();
    assert_eq!(d.h.s.next_wakeup(), None);
    assert_eq!(d.h.s.state(), SchedulerState::Paused);
}

#[test]
fn host_asleep_for_hours() {
    let mut d = Driver::new(json!({}));
    let every_second = json!({"type": "interval", "seconds": 1, "start_date": "2026-01-05T12:00:00+00:00"});
    d.add("c", every_second.clone(), json!({}), "11:00:00");
    d.add("n", every_second, json!({"coalesce": false}), "11:00:00");
    d.play(&[
        ("12:00:00", "tick", &["c [12:00:00]", "n [12:00:00]"], &[
            "SUBMITTED c [12:00:00]",
            "SUBMITTED n [12:00:00]",
            "EXECUTED c 12:00:00",
            "EXECUTED n 12:00:00",
        ]),
    ]);
    // Asleep for three hours: the coalescing job runs once (its latest time); the other
    // gets a span of 10 800 run times. All but the last two are missed at 15:00:00 (1 s
    // grace): one MISSED event covers them (deviation `missed-span`), then the two run.
    d.play(&[
        ("15:00:00", "tick", &["c [15:00:00]", "n [12:00:01..15:00:00]"], &[
            "SUBMITTED c [15:00:00]",
            "SUBMITTED n [12:00:01..15:00:00]",
            "EXECUTED c 15:00:00",
            "MISSED n [12:00:01..14:59:58] 12:00:01",
            "EXECUTED n 14:59:59",
            "EXECUTED n 15:00:00",
        ]),
    ]);
    assert_eq!(d.h.missed_starts, 1);
    assert_eq!(d.h.s.next_wakeup(), Some(t("15:00:01")));
}

/// Issue 8 defect 13: a per-second job that does not coalesce, after the host slept a
/// year. The tick hands out a span of 31 536 000 run times; draining it costs one MISSED
/// event and a few trigger queries, not one event and one trigger step per second.
#[test]
fn host_asleep_for_a_year_drains_a_span_in_one_missed_event() {
    for (trigger, grace) in [
        (json!({"type": "interval", "seconds": 1, "start_date": "2026-01-05T12:00:00+00:00"}), 1),
        (json!({"type": "cron", "second": "*"}), 1),
        (json!({"type": "interval", "seconds": 1, "start_date": "2026-01-05T12:00:00+00:00"}), 30),
    ] {
        let mut d = Driver::new(json!({"coalesce": false, "misfire_grace_time": grace}));
        d.add("n", trigger.clone(), json!({}), "12:00:00");
        d.play(&[("12:00:00", "tick", &["n [12:00:00]"], &["SUBMITTED n [12:00:00]", "EXECUTED n 12:00:00"])]);

        let now = t("2027-01-05 12:00:00");
        let started = std::time::Instant::now();
        d.h.s.tick(now);
        let first = d.h.drain();
        d.h.in_flight.clear(); // driven by hand below
        let runs = first.runs;
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(times(&run.run_times), "[12:00:01..2027-01-05 12:00:00]", "{trigger}");
        // The host drains the run at `now`, as a real host whose calls return at once. A
        // bounded loop: a regression must fail here, not queue 31 million events.
        let mut starts = Vec::new();
        while let Some(start) = d.h.s.start_run_time(run.id, now).unwrap() {
            starts.push(start);
            if let RunStart::Execute(x) = start {
                d.h.s.run_succeeded(run.id, x).unwrap();
            }
            assert!(starts.len() <= 100, "{trigger}: the span is drained time by time");
        }
        d.h.s.finish_run(run.id).unwrap();
        let elapsed = started.elapsed();
        let events: Vec<String> = first.events.iter().chain(&d.h.drain().events).map(event).collect();
        assert!(elapsed < std::time::Duration::from_millis(500), "{trigger}: drained in {elapsed:?}");

        // Missed: every time before now − grace; the rest run.
        let last_missed = hms(Timestamp::from_secs(now.secs_floor() - grace - 1));
        let mut expected = vec![
            "SUBMITTED n [12:00:01..2027-01-05 12:00:00]".to_string(),
            format!("MISSED n [12:00:01..{last_missed}] 12:00:01"),
        ];
        for k in (0..=grace).rev() {
            expected.push(format!("EXECUTED n {}", hms(Timestamp::from_secs(now.secs_floor() - k))));
        }
        assert_eq!(events, expected, "{trigger}");
        assert_eq!(starts.len() as i64, 1 + grace + 1, "{trigger}: one Missed, then the runs");
        assert_eq!(starts[0], RunStart::Missed(t("12:00:01")));
        assert_eq!(d.h.s.next_wakeup(), Some(t("2027-01-05 12:00:01")), "{trigger}");
    }
}

/// A backlog short enough to list keeps APScheduler's per-time events: one MISSED each.
#[test]
fn a_listed_backlog_still_reports_each_missed_time() {
    let mut d = Driver::new(json!({"coalesce": false}));
    d.add("n", json!({"type": "interval", "seconds": 1, "start_date": "2026-01-05T12:00:00+00:00"}), json!({}), "11:59:59");
    d.play(&[("12:00:00", "tick", &["n [12:00:00]"], &["SUBMITTED n [12:00:00]", "EXECUTED n 12:00:00"])]);
    // 12:17:04 is 1024 s later: exactly LIST_LIMIT run times, listed.
    let (_, runs, events) = d.step("12:17:04", "tick");
    assert_eq!(runs.len(), 1);
    assert!(runs[0].starts_with("n [12:00:01 12:00:02 "), "{}", runs[0]);
    assert_eq!(events.len(), 1 + 1022 + 2);
    assert_eq!(events[1], "MISSED n 12:00:01");
    assert_eq!(events[1022], "MISSED n 12:17:02");
    assert!(events[1..1023].iter().all(|e| e.starts_with("MISSED n ") && !e.contains('[')));
    assert_eq!(events[1023..], ["EXECUTED n 12:17:03", "EXECUTED n 12:17:04"]);
    assert_eq!(d.h.missed_starts, 1022);
}

#[test]
fn time_going_backwards_never_re_emits() {
    let mut d = Driver::new(json!({}));
    d.add("j", every_10s(), json!({}), "11:00:00");
    d.play(&[
        ("12:00:10", "tick", &["j [12:00:10]"], &["SUBMITTED j [12:00:10]", "EXECUTED j 12:00:10"]),
        ("12:00:05", "tick", &[], &[]),
        ("12:00:10", "tick", &[], &[]),
        ("12:00:10", "tick", &[], &[]),
        ("12:00:20", "tick", &["j [12:00:20]"], &["SUBMITTED j [12:00:20]", "EXECUTED j 12:00:20"]),
    ]);
}

#[test]
fn cron_jobs_after_a_long_sleep() {
    let mut d = Driver::new(json!({}));
    let quarter = json!({"type": "cron", "minute": "*/15"});
    d.add("c", quarter.clone(), json!({}), "11:50:00");
    d.add("n", quarter, json!({"coalesce": false, "misfire_grace_time": 600}), "11:50:00");
    d.play(&[
        ("12:00:00", "tick", &["c [12:00:00]", "n [12:00:00]"], &[
            "SUBMITTED c [12:00:00]",
            "SUBMITTED n [12:00:00]",
            "EXECUTED c 12:00:00",
            "EXECUTED n 12:00:00",
        ]),
        // Asleep until 13:07: "c" runs its latest time once (7 min late: missed with the
        // default 1 s grace); "n" gets every time, the last within its 10 min grace.
        ("13:07:00", "tick", &["c [13:00:00]", "n [12:15:00 12:30:00 12:45:00 13:00:00]"], &[
            "SUBMITTED c [13:00:00]",
            "SUBMITTED n [12:15:00 12:30:00 12:45:00 13:00:00]",
            "MISSED c 13:00:00",
            "MISSED n 12:15:00",
            "MISSED n 12:30:00",
            "MISSED n 12:45:00",
            "EXECUTED n 13:00:00",
        ]),
        ("13:15:00", "tick", &["c [13:15:00]", "n [13:15:00]"], &[
            "SUBMITTED c [13:15:00]",
            "SUBMITTED n [13:15:00]",
            "EXECUTED c 13:15:00",
            "EXECUTED n 13:15:00",
        ]),
    ]);
}
