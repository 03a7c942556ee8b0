//! Pooling: one shared allocation for equal cron triggers, names and empty argument lists.
//!
//! A compiled cron trigger is the largest part of a job, and most jobs of a big scheduler
//! repeat a few triggers, function keys and executor names and have no arguments. The
//! pools hand out shared copies (`Arc`s), so 100 000 jobs cost one allocation per distinct
//! value. Entries no job uses any more are dropped by an amortised clean-up whenever a
//! pool has doubled since the last one.

use std::hash::Hasher;
use std::sync::{Arc, Weak};

use serde_json::Value;

use crate::trigger::Trigger;

use super::fnv::Fnv;
use super::id_map::IdMap;

/// The shared triggers, names and empty argument lists of one scheduler.
#[derive(Debug)]
pub(crate) struct Pools {
    /// Cron triggers in use, by a hash of their `repr()` written as 16 hex digits (a short
    /// key: a repr is ~150 bytes). One trigger per hash: of two unequal triggers whose
    /// hashes collide (rare), the second is not pooled.
    triggers: IdMap<Weak<Trigger>>,
    triggers_prune_at: usize,
    /// Function keys and executor names.
    names: IdMap<()>,
    names_prune_at: usize,
    /// The shared empty `args` (`[]`) and `kwargs` (`{}`).
    empty: (Arc<Value>, Arc<Value>),
}

impl Default for Pools {
    fn default() -> Pools {
        Pools {
            triggers: IdMap::default(),
            triggers_prune_at: 1024,
            names: IdMap::default(),
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
            self.triggers.retain(|_, w| w.strong_count() > 0);
            self.triggers_prune_at = (2 * self.triggers.len()).max(1024);
        }
        let mut h = Fnv::default();
        h.write(trigger.repr().as_bytes());
        let key = format!("{:016x}", h.finish());
        match self.triggers.get(&key).and_then(Weak::upgrade) {
            Some(found) if *found == trigger => found,
            Some(_) => Arc::new(trigger),
            None => {
                let shared = Arc::new(trigger);
                self.triggers.insert(Arc::from(key.as_str()), Arc::downgrade(&shared));
                shared
            }
        }
    }

    /// The shared copy of a function key or executor name.
    pub(crate) fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.names.key(name) {
            return n.clone();
        }
        if self.names.len() >= self.names_prune_at {
            // Amortised clean-up of names no job uses any more.
            self.names.retain(|n, _| Arc::strong_count(n) > 1);
            self.names_prune_at = (2 * self.names.len()).max(1024);
        }
        let n: Arc<str> = Arc::from(name);
        self.names.insert(n.clone(), ());
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
