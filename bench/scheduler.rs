//! Scheduler benchmark (`cargo bench --bench scheduler`; harness = false, hand-rolled
//! timing with `std::time::Instant`, which is fine outside `src/`).
//!
//! 1. Adds 100,000 jobs (half cron, half interval) and measures the heap bytes per job with
//!    a counting global allocator.
//! 2. Drives one simulated day through the shared fake host (`tests/common/host.rs`):
//!    `next_wakeup` → `tick` and its outputs → run reports, and reports the
//!    time per due run and per `next_wakeup` call.
//! 3. Jumps the clock by one year on 10,000 per-second coalescing jobs (half cron, half
//!    interval) and times that one `tick`.
//!
//! Goals (issue 3): ≤ 2 µs per due run, ≤ 1 KiB per job, the jump well under a second.
//!
//! `cargo test --all-targets` also runs this file (it has no test harness) but without the
//! `--bench` argument `cargo bench` passes: then every part runs at a tiny size (1,000
//! jobs, one simulated hour, 200 jobs for the jump) as a smoke test of the same code.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tickwerk::scheduler::{NewJob, Scheduler, SchedulerConfig, TriggerInput};
use tickwerk::trigger::JitterRng;
use tickwerk::Timestamp;

/// Counts live heap bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

/// The shared fake host of the scheduler tests (checks that no run precedes its store ops).
#[allow(dead_code)]
#[path = "../tests/common/host.rs"]
mod host;

use host::Host;

#[global_allocator]
static GLOBAL: Counting = Counting;

const T0: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const DAY: i64 = 86_400;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(T0 + secs)
}

fn iso(secs: i64) -> String {
    format!("{}", at(secs)).replace('Z', "+00:00")
}

/// Adds `n` jobs; even ones cron (`cron`), odd ones interval (`interval`).
fn add_jobs(s: &mut Scheduler, n: usize, cron: impl Fn(&mut JitterRng) -> serde_json::Value, interval: impl Fn(&mut JitterRng) -> serde_json::Value) -> usize {
    let mut rng = JitterRng::new(42);
    let mut cron_ok = 0;
    for i in 0..n {
        let spec = if i % 2 == 0 { cron(&mut rng) } else { interval(&mut rng) };
        let job = NewJob::new("task", TriggerInput::Json(spec)).id(format!("job-{i:06}"));
        match s.add_job(job, at(0)) {
            Ok(_) => cron_ok += usize::from(i % 2 == 0),
            Err(e) => {
                // The cron engine may be missing in this build: fall back to an interval.
                let job = NewJob::new("task", TriggerInput::Json(interval(&mut rng))).id(format!("job-{i:06}"));
                s.add_job(job, at(0)).unwrap_or_else(|e2| panic!("{e}; {e2}"));
            }
        }
    }
    cron_ok
}

/// CPU time of this thread in nanoseconds (Linux `schedstat`), so a busy shared machine
/// does not inflate the figures; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn started() -> Scheduler {
    let mut s = Scheduler::new(SchedulerConfig { seed: 7, ..SchedulerConfig::default() });
    s.start(at(0), false).unwrap();
    s
}

/// How big each part runs: full size under `cargo bench`, tiny otherwise.
struct Scale {
    /// Jobs in the memory and simulated-day parts.
    jobs: usize,
    /// Simulated seconds of the day part.
    span: i64,
    /// `next_wakeup` calls timed in isolation.
    wakeups: usize,
    /// Per-second jobs in the one-year jump.
    jump_jobs: usize,
}

fn day(scale: &Scale) {
    let n = scale.jobs;
    let mut s = started();
    let before = LIVE.load(Ordering::Relaxed);
    let crons = add_jobs(
        &mut s,
        n,
        |r| json!({"type": "cron", "minute": (r.next_u64() % 60).to_string(), "second": (r.next_u64() % 60).to_string()}),
        |r| json!({"type": "interval", "seconds": 300 + r.next_u64() % 7200, "start_date": iso((r.next_u64() % 3600) as i64)}),
    );
    while s.poll_output().is_some() {}
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    println!("jobs: {n} ({crons} cron, {} interval)", n - crons);
    println!("memory per job: {} bytes", bytes / n);
    drop(s);
    // The same, with every cron trigger distinct (no sharing of equal cron triggers).
    for (label, kind) in [("interval jobs only", 0), ("distinct cron jobs only", 1)] {
        let mut s = started();
        let before = LIVE.load(Ordering::Relaxed);
        let mut rng = JitterRng::new(3);
        for i in 0..n {
            let spec = if kind == 0 {
                json!({"type": "interval", "seconds": 300 + rng.next_u64() % 7200, "start_date": iso((rng.next_u64() % 3600) as i64)})
            } else {
                json!({"type": "cron", "minute": (rng.next_u64() % 60).to_string(), "second": (rng.next_u64() % 60).to_string(), "start_date": iso(i as i64)})
            };
            s.add_job(NewJob::new("task", TriggerInput::Json(spec)).id(format!("job-{i:06}")), at(0)).unwrap();
        }
        while s.poll_output().is_some() {}
        println!("  memory per job, {label}: {} bytes", (LIVE.load(Ordering::Relaxed) - before) / n);
    }
    let mut h = {
        let mut s = started();
        add_jobs(
            &mut s,
            n,
            |r| json!({"type": "cron", "minute": (r.next_u64() % 60).to_string(), "second": (r.next_u64() % 60).to_string()}),
            |r| json!({"type": "interval", "seconds": 300 + r.next_u64() % 7200, "start_date": iso((r.next_u64() % 3600) as i64)}),
        );
        while s.poll_output().is_some() {}
        Host::new(s, at(0))
    };
    // A simulated day of 100,000 jobs is some 3.2 million steps (ticks and run times).
    h.step_limit(50_000_000);
    let s = &mut h;

    let (mut runs, mut wakeups) = (0u64, 0u64);
    let (mut tick_time, mut wake_time, mut report_time) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let end = at(scale.span);
    let cpu0 = thread_cpu_ns();
    let wall0 = Instant::now();
    loop {
        let w0 = Instant::now();
        let next = s.s.next_wakeup();
        wake_time += w0.elapsed();
        wakeups += 1;
        let Some(now) = next.filter(|n| *n <= end) else { break };
        let t0 = Instant::now();
        // tick, and the host takes its outputs (the runs, the store ops, the events)
        let due = s.tick(now).runs.len();
        tick_time += t0.elapsed();
        let r0 = Instant::now();
        s.complete_unheld();
        s.drain();
        report_time += r0.elapsed();
        runs += due as u64;
    }
    let wall = wall0.elapsed();
    let simulated = if scale.span == DAY { "day".to_string() } else { format!("{} s", scale.span) };
    println!("simulated {simulated}: {runs} due runs, {wakeups} next_wakeup calls");
    assert!(runs > 0, "the simulated span has due runs");
    if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
        let cpu = Duration::from_nanos(b - a);
        println!(
            "  CPU time (whole loop: next_wakeup, tick, reports, events): {:.3} µs per due run ({:.2} s CPU, {:.2} s wall)",
            cpu.as_secs_f64() * 1e6 / runs as f64,
            cpu.as_secs_f64(),
            wall.as_secs_f64()
        );
        let share = tick_time.as_secs_f64() / wall.as_secs_f64();
        println!("  tick alone, CPU-scaled: {:.3} µs per due run", cpu.as_secs_f64() * share * 1e6 / runs as f64);
    }
    println!("  tick: {:.3} µs per due run", tick_time.as_secs_f64() * 1e6 / runs as f64);
    println!(
        "  tick + reports + events: {:.3} µs per due run",
        (tick_time + report_time).as_secs_f64() * 1e6 / runs as f64
    );
    println!("  next_wakeup: {:.3} µs per call", wake_time.as_secs_f64() * 1e6 / wakeups as f64);
    // next_wakeup in isolation, on the full index.
    let n = scale.wakeups;
    let w0 = Instant::now();
    let mut sink = 0i64;
    for _ in 0..n {
        sink ^= s.s.next_wakeup().map_or(0, |t| t.as_micros());
    }
    println!("  next_wakeup (isolated, {n} calls): {:.4} µs per call [{}]", w0.elapsed().as_secs_f64() * 1e6 / n as f64, sink & 1);
}

fn year_jump(scale: &Scale) {
    let mut s = started();
    let crons = add_jobs(
        &mut s,
        scale.jump_jobs,
        |_| json!({"type": "cron", "second": "*"}),
        |_| json!({"type": "interval", "seconds": 1, "start_date": iso(1)}),
    );
    let mut h = Host::new(s, at(0));
    let first = h.tick(at(1)).runs.len();
    for f in std::mem::take(&mut h.in_flight) {
        h.s.finish_run(f.id).unwrap();
    }
    let cpu0 = thread_cpu_ns();
    let t0 = Instant::now();
    let runs = h.tick(at(365 * DAY)).runs;
    let took = t0.elapsed();
    if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
        println!("one-year jump CPU time: {:.1} ms", (b - a) as f64 / 1e6);
    }
    println!("one-year jump, {} per-second coalescing jobs ({crons} cron): {} runs in {:.1} ms (first tick {first} runs)", scale.jump_jobs, runs.len(), took.as_secs_f64() * 1e3);
    assert!(runs.iter().all(|r| r.run_times.as_list() == Some(&[at(365 * DAY)][..])));
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (`cargo test --all-targets`) is a smoke run
    let scale = if std::env::args().any(|a| a == "--bench") {
        Scale { jobs: 100_000, span: DAY, wakeups: 1_000_000, jump_jobs: 10_000 }
    } else {
        println!("smoke run (not started by `cargo bench`): figures are meaningless");
        Scale { jobs: 1_000, span: 3_600, wakeups: 1_000, jump_jobs: 200 }
    };
    day(&scale);
    year_jump(&scale);
}
