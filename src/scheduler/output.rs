//! The one ordered output queue of [`Scheduler`](super::Scheduler): store operations, runs
//! and events, in the order they happened.
//!
//! One queue is what makes "persist before run" hold by construction: `tick` queues its runs
//! after the store ops its reschedules produced, so a host that handles the outputs in order
//! (and waits for a batch of store ops to be stored before it starts a run that follows it)
//! can never start a run whose next run time is not yet recorded.

use std::collections::VecDeque;
use std::sync::Arc;

use super::event::Event;
use super::run::Run;
use super::store::StoreOp;

/// One item of [`Scheduler::poll_output`](super::Scheduler::poll_output).
// Queued and drained right away; runs and events are of similar size, so boxing would only
// add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Operations for one persistent store, in order: apply them as one atomic batch
    /// before handling anything that follows. Consecutive ops of one store are one batch.
    StoreOps {
        /// The store alias (every op of the batch names it too).
        jobstore: Arc<str>,
        /// The operations, oldest first (never empty).
        ops: Vec<StoreOp>,
    },
    /// A due run to start once every store batch before it is stored (see
    /// [`Scheduler::start_run_time`](super::Scheduler::start_run_time) for what follows).
    Run(Run),
    /// An event for the listeners whose mask matches ([`Event::matches`]).
    Event(Event),
}

/// The queue behind [`Scheduler::poll_output`](super::Scheduler::poll_output).
#[derive(Debug, Default)]
pub(crate) struct OutputQueue {
    items: VecDeque<Output>,
}

impl OutputQueue {
    /// Queues a store op for `jobstore`, joining the last item when that is a batch of the
    /// same store.
    pub(crate) fn store_op(&mut self, jobstore: &Arc<str>, op: StoreOp) {
        if let Some(Output::StoreOps { jobstore: last, ops }) = self.items.back_mut() {
            if **last == **jobstore {
                ops.push(op);
                return;
            }
        }
        self.items.push_back(Output::StoreOps { jobstore: jobstore.clone(), ops: vec![op] });
    }

    /// Queues a run.
    pub(crate) fn run(&mut self, run: Run) {
        self.items.push_back(Output::Run(run));
    }

    /// Queues an event.
    pub(crate) fn event(&mut self, event: Event) {
        self.items.push_back(Output::Event(event));
    }

    /// The oldest item.
    pub(crate) fn pop(&mut self) -> Option<Output> {
        self.items.pop_front()
    }
}
