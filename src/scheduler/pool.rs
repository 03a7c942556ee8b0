//! Pooling: one shared allocation for equal cron triggers, names and empty argument lists.
//!
//! A compiled cron trigger is the largest part of a job, and most jobs of a big scheduler
//! repeat a few triggers, function keys and executor names and have no arguments. The
//! pools hand out shared copies (`Arc`s), so 100 000 jobs cost one allocation per distinct
//! value. Entries no job uses any more are dropped by an amortised clean-up whenever a
//! pool has doubled since the last one.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::sync::{Arc, Weak};

use serde_json::Value;

use crate::trigger::Trigger;

use super::fnv::{Fnv, FnvBuild};

/// The shared triggers, names and empty argument lists of one scheduler.
#[derive(Debug)]
pub(crate) struct Pools {
    /// Cron triggers in use, by a hash of their `repr()`.
    triggers: HashMap<u64, Vec<Weak<Trigger>>, FnvBuild>,
    triggers_prune_at: usize,
    /// Function keys and executor names.
    names: HashSet<Arc<str>, FnvBuild>,
    names_prune_at: usize,
    /// The shared empty `args` (`[]`) and `kwargs` (`{}`).
    empty: (Arc<Value>, Arc<Value>),
}

impl Default for Pools {
    fn default() -> Pools {
        Pools {
            triggers: HashMap::default(),
            triggers_prune_at: 1024,
            names: HashSet::default(),
            names_prune_at: 1024,
            empty: (Arc::new(Value::Array(Vec::new())), Arc::new(Value::Object(Default::default()))),
        }
    }
}

impl Pools {
    /// The shared copy of an equal cron trigger already in use, or a new shared trigger
    /// (other kinds are small and not pooled).
    pub(crate) fn share_trigger(&mut self, trigger: Trigger) -> Arc<Trigger> {
        if !matches!(trigger, Trigger::Cron(_)) {
            return Arc::new(trigger);
        }
        if self.triggers.len() >= self.triggers_prune_at {
            // Amortised clean-up of triggers no job uses any more (frees their allocations).
            self.triggers.retain(|_, v| {
                v.retain(|w| w.strong_count() > 0);
                !v.is_empty()
            });
            self.triggers_prune_at = (2 * self.triggers.len()).max(1024);
        }
        let mut h = Fnv::default();
        h.write(trigger.repr().as_bytes());
        let slot = self.triggers.entry(h.finish()).or_default();
        slot.retain(|w| w.strong_count() > 0);
        if let Some(found) = slot.iter().filter_map(Weak::upgrade).find(|t| **t == trigger) {
            return found;
        }
        let shared = Arc::new(trigger);
        slot.push(Arc::downgrade(&shared));
        shared
    }

    /// The shared copy of a function key or executor name.
    pub(crate) fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.names.get(name) {
            return n.clone();
        }
        if self.names.len() >= self.names_prune_at {
            // Amortised clean-up of names no job uses any more.
            self.names.retain(|n| Arc::strong_count(n) > 1);
            self.names_prune_at = (2 * self.names.len()).max(1024);
        }
        let n: Arc<str> = Arc::from(name);
        self.names.insert(n.clone());
        n
    }

    /// Replaces an empty array / object by the shared one (most jobs have no arguments).
    pub(crate) fn share_empty(&self, v: Arc<Value>) -> Arc<Value> {
        match &*v {
            Value::Array(a) if a.is_empty() => self.empty.0.clone(),
            Value::Object(o) if o.is_empty() => self.empty.1.clone(),
            _ => v,
        }
    }
}
