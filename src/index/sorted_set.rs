//! An ordered set that loads in bulk: a sorted array shared by every snapshot, plus small
//! persistent B-trees of what was added and removed since.
//!
//! The word indexes of the name table (see `names`) hold some 200,000 entries each at 50,000
//! articles. As `imbl` B-trees alone they were filled one insertion at a time, and filing a
//! whole workspace's names that way was two thirds of merging it in one batch (0.47 of
//! 0.73 s on one core), which a warm start does. Here such a batch is one sort and one linear
//! merge, while a keystroke that adds a name still copies only a few B-tree nodes, and a
//! clone for a new snapshot is three pointer copies.

use std::cmp::Ordering;
use std::iter::Peekable;
use std::sync::Arc;

/// A batch of at least this many values (and at least as many as the array holds) is merged
/// into a new array; smaller ones, and single changes, go to the B-trees.
const MIN_BATCH_TO_REBUILD: usize = 4096;

#[derive(Debug, Clone)]
pub(crate) struct SortedSet<T: Ord + Clone> {
    /// Sorted, without duplicates.
    base: Arc<[T]>,
    /// Entries not in `base`.
    added: imbl::OrdSet<T>,
    /// Entries of `base` taken out.
    removed: imbl::OrdSet<T>,
}

impl<T: Ord + Clone> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet { base: Arc::from(Vec::new()), added: imbl::OrdSet::new(), removed: imbl::OrdSet::new() }
    }
}

impl<T: Ord + Clone> SortedSet<T> {
    fn in_base(&self, value: &T) -> bool {
        self.base.binary_search(value).is_ok()
    }

    pub(crate) fn contains(&self, value: &T) -> bool {
        self.added.contains(value) || (self.in_base(value) && !self.removed.contains(value))
    }

    pub(crate) fn len(&self) -> usize {
        self.base.len() - self.removed.len() + self.added.len()
    }

    /// Adds a value; true if it was not there.
    pub(crate) fn insert(&mut self, value: T) -> bool {
        if self.in_base(&value) { self.removed.remove(&value).is_some() } else { self.added.insert(value).is_none() }
    }

    /// Takes a value out; true if it was there.
    pub(crate) fn remove(&mut self, value: &T) -> bool {
        if self.added.remove(value).is_some() {
            true
        } else if self.in_base(value) {
            self.removed.insert(value.clone()).is_none()
        } else {
            false
        }
    }

    /// Adds many values (in any order, duplicates allowed). A batch at least as large as the
    /// array (a whole workspace's names, loaded at once) is merged with it into a new array:
    /// one sort and one pass, not a B-tree insertion each. Smaller batches (a cold start's
    /// slices of 512 files) go to the B-trees as single changes do, where they cost what
    /// they cost without the array; the array is only rebuilt by a batch, so that its
    /// copies add up to at most twice the values batched in.
    pub(crate) fn extend(&mut self, values: Vec<T>) {
        if values.len() < MIN_BATCH_TO_REBUILD.max(self.base.len()) {
            for value in values {
                self.insert(value);
            }
            return;
        }
        let mut values = values;
        values.sort_unstable();
        values.dedup();
        let mut merged = Vec::with_capacity(self.len() + values.len());
        let mut more = values.into_iter().peekable();
        for value in self.iter() {
            while let Some(next) = more.next_if(|next| next < value) {
                merged.push(next);
            }
            more.next_if(|next| next == value);
            merged.push(value.clone());
        }
        merged.extend(more);
        self.base = Arc::from(merged);
        self.added = imbl::OrdSet::new();
        self.removed = imbl::OrdSet::new();
    }

    /// The values from `from` on (inclusive), in order.
    pub(crate) fn range_from<'a>(&'a self, from: &T) -> impl Iterator<Item = &'a T> + use<'a, T> {
        let start = self.base.partition_point(|value| value < from);
        Merge {
            base: self.base[start..].iter().peekable(),
            added: self.added.range(from.clone()..).peekable(),
            removed: &self.removed,
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        Merge { base: self.base.iter().peekable(), added: self.added.iter().peekable(), removed: &self.removed }
    }
}

/// The base's values not removed and the added ones, in order (the two never share a value).
struct Merge<'a, T: Ord + Clone, B: Iterator<Item = &'a T>, A: Iterator<Item = &'a T>> {
    base: Peekable<B>,
    added: Peekable<A>,
    removed: &'a imbl::OrdSet<T>,
}

impl<'a, T: Ord + Clone, B: Iterator<Item = &'a T>, A: Iterator<Item = &'a T>> Iterator for Merge<'a, T, B, A> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        loop {
            let from_base = match (self.base.peek(), self.added.peek()) {
                (None, None) => return None,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(base), Some(added)) => base.cmp(added) == Ordering::Less,
            };
            if !from_base {
                return self.added.next();
            }
            let value = self.base.next()?;
            if self.removed.is_empty() || !self.removed.contains(value) {
                return Some(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Step {
        Insert(u16),
        Remove(u16),
        Extend(Vec<u16>),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => any::<u16>().prop_map(|value| Step::Insert(value % 3000)),
            3 => any::<u16>().prop_map(|value| Step::Remove(value % 3000)),
            1 => proptest::collection::vec(any::<u16>().prop_map(|value| value % 3000), 0..6000).prop_map(Step::Extend),
        ]
    }

    proptest! {
        /// Whatever mix of insertions, removals and batches (small ones go to the B-trees,
        /// large ones rebuild the array), the set answers as a `BTreeSet` does; and a clone
        /// taken on the way keeps answering as it did.
        #[test]
        fn answers_as_a_btree_set(steps in proptest::collection::vec(step(), 1..60), from in any::<u16>()) {
            let mut set = SortedSet::default();
            let mut model = BTreeSet::new();
            let mut snapshots = Vec::new();
            for step in steps {
                match step {
                    Step::Insert(value) => prop_assert_eq!(set.insert(value), model.insert(value)),
                    Step::Remove(value) => prop_assert_eq!(set.remove(&value), model.remove(&value)),
                    Step::Extend(values) => {
                        model.extend(values.iter().copied());
                        set.extend(values);
                    }
                }
                prop_assert_eq!(set.len(), model.len());
                snapshots.push((set.clone(), model.clone()));
            }
            let from = from % 3000;
            for (set, model) in snapshots {
            prop_assert_eq!(set.len(), model.len());
                prop_assert!(set.iter().copied().eq(model.iter().copied()));
                prop_assert!(set.range_from(&from).copied().eq(model.range(from..).copied()));
                prop_assert_eq!(set.contains(&from), model.contains(&from));
            }
        }
    }

    #[test]
    fn a_large_batch_is_built_into_the_array_and_small_changes_stay_beside_it() {
        let mut set = SortedSet::default();
        set.extend((0..100).collect());
        assert_eq!((set.base.len(), set.added.len()), (0, 100), "a small batch: in the B-tree");
        set.extend((0..5000).rev().collect());
        assert_eq!((set.base.len(), set.added.len()), (5000, 0), "a large one: one array, sorted");
        assert!(set.iter().copied().eq(0..5000));
        set.insert(7000);
        set.remove(&10);
        assert_eq!((set.base.len(), set.added.len(), set.removed.len()), (5000, 1, 1));
        let expected: Vec<u32> = (0..5000).filter(|&value| value != 10).chain([7000]).collect();
        assert!(set.iter().copied().eq(expected.iter().copied()));
        assert!(set.range_from(&9).copied().take(2).eq([9, 11]));
        set.extend((6000..7000).collect());
        assert_eq!(set.base.len(), 5000, "smaller than the array: in the B-tree");
        set.extend((8000..13_000).collect());
        assert_eq!((set.base.len(), set.added.len(), set.removed.len()), (4999 + 1000 + 1 + 5000, 0, 0));
    }
}
