//! Bounded memory for long backlogs, measured with a counting allocator (this test binary
//! only): a year-long backlog of a per-second job that does not coalesce is handed out as
//! a span and drained one run time at a time, never materialised.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use serde_json::json;
use tickwerk::scheduler::{NewJob, RunStart, RunTimes, Scheduler, SchedulerConfig, TriggerInput};
use tickwerk::Timestamp;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const T0: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const YEAR: i64 = 365 * 86_400;

#[test]
fn a_year_of_missed_seconds_is_drained_in_constant_memory() {
    for trigger in [
        json!({"type": "interval", "seconds": 1, "start_date": "2026-01-01 00:00:00"}),
        json!({"type": "cron", "second": "*"}),
    ] {
        let mut s = Scheduler::new(SchedulerConfig::default());
        s.start(Timestamp::from_secs(T0), false).unwrap();
        let mut job = NewJob::new("f", TriggerInput::Json(trigger.clone())).id("n");
        job.coalesce = Some(false);
        s.add_job(job, Timestamp::from_secs(T0)).unwrap();
        while s.poll_event().is_some() {}

        let now = Timestamp::from_secs(T0 + YEAR);
        let before = LIVE.load(Ordering::Relaxed);
        let runs = s.tick(now);
        let grown = LIVE.load(Ordering::Relaxed) - before;
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].run_times, RunTimes::Span { first: Timestamp::from_secs(T0), last: now }, "{trigger}");
        assert!(grown < 16 * 1024, "{trigger}: tick grew the heap by {grown} bytes");
        assert_eq!(s.next_wakeup(), Some(Timestamp::from_secs(T0 + YEAR + 1)));

        // Drain the first 100 000 run times: memory stays flat (events are polled as we go).
        let base = LIVE.load(Ordering::Relaxed);
        for expected in T0..T0 + 100_000 {
            match s.start_run_time(runs[0].id, now).unwrap() {
                Some(RunStart::Missed(t)) => assert_eq!(t, Timestamp::from_secs(expected)),
                other => panic!("{trigger}: {other:?}"),
            }
            while s.poll_event().is_some() {}
        }
        let drift = LIVE.load(Ordering::Relaxed) - base;
        assert!(drift.abs() < 4 * 1024, "{trigger}: draining changed the heap by {drift} bytes");
        s.finish_run(runs[0].id).unwrap();
    }
}
