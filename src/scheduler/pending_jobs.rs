//! The pending jobs: jobs added while the scheduler is stopped, stored at `start`.
//!
//! Kept in insertion order and indexed by id, so adding, finding, replacing and removing
//! one is O(1) however many are pending (removal amortised: holes are closed once they are
//! half the list).
//!
//! Several pending jobs may share an id when they target different job stores (the
//! conflict is then decided at `start`, as in APScheduler), so the index maps an id to the
//! slots of all its jobs. Removal leaves a hole that a later compaction closes; the order
//! of the remaining jobs never changes.

use super::id_map::IdMap;
use super::job::Job;

/// Pending jobs with their target store alias.
#[derive(Debug, Default)]
pub(super) struct PendingJobs {
    /// Insertion order; `None` is a removed job (closed by [`PendingJobs::compact`]).
    slots: Vec<Option<(Job, String)>>,
    /// For each id, the slots of its live jobs in insertion order.
    index: IdMap<Vec<usize>>,
    /// Number of live jobs.
    live: usize,
}

impl PendingJobs {
    /// Whether some pending job has id `id` (in any store).
    pub fn contains_id(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The slot of the first pending job `id` (targeting store `alias`, if given).
    fn slot_of(&self, id: &str, alias: Option<&str>) -> Option<usize> {
        self.index.get(id)?.iter().copied().find(|&i| match (&self.slots.get(i), alias) {
            (Some(Some(_)), None) => true,
            (Some(Some((_, a))), Some(want)) => a == want,
            _ => false,
        })
    }

    /// The first pending job `id` (targeting store `alias`, if given).
    pub fn get(&self, id: &str, alias: Option<&str>) -> Option<&Job> {
        let i = self.slot_of(id, alias)?;
        self.slots.get(i)?.as_ref().map(|(j, _)| j)
    }

    /// The first pending job `id` (targeting store `alias`, if given), for changing or
    /// replacing it in place.
    pub fn get_mut(&mut self, id: &str, alias: Option<&str>) -> Option<&mut Job> {
        let i = self.slot_of(id, alias)?;
        self.slots.get_mut(i)?.as_mut().map(|(j, _)| j)
    }

    /// Appends a job for store `alias`.
    pub fn push(&mut self, job: Job, alias: String) {
        self.index.get_or_insert_with(&job.id, Vec::new).push(self.slots.len());
        self.slots.push(Some((job, alias)));
        self.live += 1;
    }

    /// Removes and returns the first pending job `id` (targeting store `alias`, if given).
    pub fn remove(&mut self, id: &str, alias: Option<&str>) -> Option<(Job, String)> {
        let i = self.slot_of(id, alias)?;
        let taken = self.slots.get_mut(i)?.take()?;
        if let Some(list) = self.index.get_mut(id) {
            list.retain(|&s| s != i);
            if list.is_empty() {
                self.index.remove(id);
            }
        }
        self.live -= 1;
        if self.slots.len() > 64 && self.live < self.slots.len() / 2 {
            self.compact();
        }
        Some(taken)
    }

    /// Keeps only the jobs whose store alias satisfies `keep`.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|(_, a)| !keep(a)) {
                *slot = None;
            }
        }
        self.compact();
    }

    /// The live jobs with their store aliases, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Job, &str)> {
        self.slots.iter().flatten().map(|(j, a)| (j, a.as_str()))
    }

    /// Takes every job out, in insertion order.
    pub fn take_all(&mut self) -> Vec<(Job, String)> {
        let slots = std::mem::take(&mut self.slots);
        self.index.clear();
        self.live = 0;
        slots.into_iter().flatten().collect()
    }

    /// Closes the holes left by removals and rebuilds the index.
    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        self.index.clear();
        for (i, (job, _)) in self.slots.iter().flatten().enumerate() {
            self.index.get_or_insert_with(&job.id, Vec::new).push(i);
        }
        self.live = self.slots.len();
    }
}
