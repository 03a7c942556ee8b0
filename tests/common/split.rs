//! Per-channel views of a scheduler's one output queue, for the API tests that check one
//! kind of output at a time (the driving tests use [`super::host::Host`]). Draining for one
//! kind keeps the others for their own call, per scheduler (by address), in order; the
//! ordering invariant is checked by the host, not here.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use tickwerk::scheduler::{Event, Output, Run, Scheduler, StoreOp};
use tickwerk::Timestamp;

#[derive(Default)]
struct Kept {
    runs: VecDeque<Run>,
    events: VecDeque<Event>,
    ops: VecDeque<StoreOp>,
}

thread_local! {
    static KEPT: RefCell<HashMap<usize, Kept>> = RefCell::new(HashMap::new());
}

fn with<R>(s: &mut Scheduler, f: impl FnOnce(&mut Kept) -> R) -> R {
    let key = s as *const Scheduler as usize;
    KEPT.with(|k| {
        let mut map = k.borrow_mut();
        let kept = map.entry(key).or_default();
        while let Some(item) = s.poll_output() {
            match item {
                Output::StoreOps { ops, .. } => kept.ops.extend(ops),
                Output::Run(run) => kept.runs.push_back(run),
                Output::Event(e) => kept.events.push_back(e),
            }
        }
        f(kept)
    })
}

/// `tick(now)`, then the runs queued so far (the other outputs are kept).
pub fn tick(s: &mut Scheduler, now: Timestamp) -> Vec<Run> {
    s.tick(now);
    with(s, |k| k.runs.drain(..).collect())
}

/// The oldest event queued and not yet taken.
pub fn poll_event(s: &mut Scheduler) -> Option<Event> {
    with(s, |k| k.events.pop_front())
}

/// The oldest store op queued and not yet taken.
pub fn poll_store_op(s: &mut Scheduler) -> Option<StoreOp> {
    with(s, |k| k.ops.pop_front())
}

/// Every event queued and not yet taken.
pub fn events(s: &mut Scheduler) -> Vec<Event> {
    with(s, |k| k.events.drain(..).collect())
}

/// Every store op queued and not yet taken.
pub fn store_ops(s: &mut Scheduler) -> Vec<StoreOp> {
    with(s, |k| k.ops.drain(..).collect())
}
