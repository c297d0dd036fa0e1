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

/// A batch of at least this many values may be merged into the array (see
/// [`SortedSet::extend`]); smaller ones, and single changes, go to the B-trees.
const MIN_BATCH_TO_REBUILD: usize = 4096;

/// ... if that batch and the B-trees' values together are at least a `REBUILD_FRACTION`th of
/// the array.
const REBUILD_FRACTION: usize = 16;

/// The same two limits when no snapshot shares the array (a start's merges, done in place
/// while no document is open): the batch is then merged into the array where it lies, each
/// value of the array moved a few nanoseconds' worth, not cloned, while a B-tree insertion
/// compares its way down a path of nodes and copies them. With the limits of a shared array,
/// most of a 50,000-article start's batches went into the B-trees one value at a time.
const MIN_BATCH_TO_MOVE: usize = 512;
const MOVE_FRACTION: usize = 128;

#[derive(Debug, Clone)]
pub(crate) struct SortedSet<T: Ord + Clone> {
    /// Sorted, without duplicates. A `Vec` so that a merge into an array no snapshot shares
    /// moves its values instead of copying them.
    base: Arc<Vec<T>>,
    /// Entries not in `base`.
    added: imbl::OrdSet<T>,
    /// Entries of `base` taken out.
    removed: imbl::OrdSet<T>,
}

impl<T: Ord + Clone> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet { base: Arc::new(Vec::new()), added: imbl::OrdSet::new(), removed: imbl::OrdSet::new() }
    }
}

impl<T: Ord + Clone> SortedSet<T> {
    fn in_base(&self, value: &T) -> bool {
        self.base.binary_search(value).is_ok()
    }

    pub(crate) fn contains(&self, value: &T) -> bool {
        self.added.contains(value) || (self.in_base(value) && !self.removed.contains(value))
    }

    #[cfg(test)]
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

    /// Adds many values (in any order, duplicates allowed), sorted first. When a snapshot
    /// shares the array, a large batch (at least `MIN_BATCH_TO_REBUILD`, and with the
    /// B-trees' values at least a `REBUILD_FRACTION`th of the array) is merged with a copy of
    /// the array into a new one: a binary search per value into what is left of it, and the
    /// runs between copied, not a B-tree insertion each. The copies add up to
    /// `REBUILD_FRACTION` times the values batched in. An array no snapshot shares (a start's
    /// merges while no document is open) takes the batch where it lies
    /// ([`merge_in_place`]), from smaller batches on (`MIN_BATCH_TO_MOVE`, a `MOVE_FRACTION`th
    /// of it). Smaller batches go to the B-trees as single changes do; the next large batch
    /// takes them into the array.
    pub(crate) fn extend(&mut self, mut values: Vec<T>) {
        values.sort_unstable();
        values.dedup();
        let (min_batch, fraction) = match Arc::get_mut(&mut self.base) {
            Some(_) => (MIN_BATCH_TO_MOVE, MOVE_FRACTION),
            None => (MIN_BATCH_TO_REBUILD, REBUILD_FRACTION),
        };
        let small = values.len() < min_batch || (values.len() + self.added.len()) * fraction < self.base.len();
        if small {
            for value in values {
                self.insert(value);
            }
            return;
        }
        // The B-trees' additions (none is in the array) and the batch, as one sorted run.
        let added = std::mem::take(&mut self.added);
        let more = if added.is_empty() { values } else { merge_runs(values, added.into_iter(), true) };
        let removed = std::mem::take(&mut self.removed);
        match Arc::get_mut(&mut self.base) {
            Some(base) => {
                if !removed.is_empty() {
                    *base = merge_runs(std::mem::take(base), removed.iter().cloned(), false);
                }
                merge_in_place(base, more);
            }
            None => {
                let base = self.base.to_vec();
                let base = if removed.is_empty() { base } else { merge_runs(base, removed.iter().cloned(), false) };
                self.base = Arc::new(merge_runs(base, more.into_iter(), true));
            }
        }
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

/// `into` (sorted, without duplicates) with `values` (sorted) added (`add`) or taken out: a
/// binary search per value into what is left of `into`, and the runs between moved whole.
/// A value added that is there already, or taken out that is not, changes nothing.
fn merge_runs<T: Ord>(into: Vec<T>, values: impl Iterator<Item = T>, add: bool) -> Vec<T> {
    let mut rest = into.into_iter();
    let mut merged = Vec::with_capacity(rest.len() + if add { values.size_hint().0 } else { 0 });
    for value in values {
        let before = count_below(rest.as_slice(), &value);
        merged.extend(rest.by_ref().take(before));
        let present = rest.as_slice().first() == Some(&value);
        match (add, present) {
            (true, false) => merged.push(value),
            (false, true) => {
                rest.next();
            }
            _ => {}
        }
    }
    merged.extend(rest);
    merged
}

/// `values` (sorted, without duplicates) added to `into` (the same) where it lies: the values
/// it lacks go on its end as placeholders, then from the largest down each takes its place,
/// the larger values of `into` moved past it in one block (where is known from the search that
/// found it missing). Every value of `into` moves once, and no new array is allocated: a start's
/// batches merged into new arrays (several MB each, 108 times at 50,000 articles) cost more
/// in pages faulted in and given back than the B-tree insertions they saved.
fn merge_in_place<T: Ord + Clone>(into: &mut Vec<T>, values: Vec<T>) {
    // Each missing value, and how many values of `into` are below it.
    let mut new = Vec::with_capacity(values.len());
    let mut places = Vec::with_capacity(values.len());
    let mut from = 0;
    for value in values {
        from += count_below(&into[from..], &value);
        if into.get(from) != Some(&value) {
            new.push(value);
            places.push(from);
        }
    }
    let mut old = into.len();
    into.extend(new.iter().cloned());
    // `into[old..end]` holds nothing that stays: placeholders, or values moved out.
    let mut end = into.len();
    while let (Some(value), Some(below)) = (new.pop(), places.pop()) {
        // The values of `into` above this one move up past the slots that hold nothing, as a
        // block: swapped with as many of those slots when they do not overlap, rotated past
        // them when they do.
        let run = old - below;
        if run <= end - old {
            let (left, right) = into.split_at_mut(end - run);
            left[below..old].swap_with_slice(&mut right[..run]);
        } else {
            into[below..end].rotate_left(run);
        }
        old = below;
        end -= run + 1;
        into[end] = value;
    }
}

/// How many values of `sorted` are below `value`: a galloping search from the start, since
/// the next value of a sorted batch usually lands near the last.
fn count_below<T: Ord>(sorted: &[T], value: &T) -> usize {
    let mut bound = 1;
    while bound < sorted.len() && sorted[bound - 1] < *value {
        bound *= 2;
    }
    let start = bound / 2;
    let end = bound.min(sorted.len());
    start + sorted[start..end].partition_point(|probe| probe < value)
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
        /// A clone kept (then the array is shared, and a merge copies it instead of moving).
        Snapshot,
    }

    const DOMAIN: u16 = 12_000;

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => any::<u16>().prop_map(|value| Step::Insert(value % DOMAIN)),
            3 => any::<u16>().prop_map(|value| Step::Remove(value % DOMAIN)),
            1 => proptest::collection::vec(any::<u16>().prop_map(|value| value % DOMAIN), 0..9000).prop_map(Step::Extend),
            1 => Just(Step::Snapshot),
        ]
    }

    proptest! {
        /// Whatever mix of insertions, removals and batches (small ones go to the B-trees,
        /// large ones rebuild the array, moving it or copying it), the set answers as a
        /// `BTreeSet` does; and a clone taken on the way keeps answering as it did.
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
                    Step::Snapshot => snapshots.push((set.clone(), model.clone())),
                }
                prop_assert_eq!(set.len(), model.len());
            }
            snapshots.push((set, model));
            let from = from % DOMAIN;
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
        // No snapshot shares the array: a batch of `MIN_BATCH_TO_MOVE` values, a
        // `MOVE_FRACTION`th of it, is merged in where it lies.
        set.extend((6000..6300).collect());
        assert_eq!((set.base.len(), set.added.len()), (5000, 301), "under the least batch: in the B-tree");
        set.extend((6300..7000).collect());
        assert_eq!((set.base.len(), set.added.len(), set.removed.len()), (4999 + 1000 + 1, 0, 0), "moved in");
        set.extend((20_000..100_000).collect());
        assert_eq!((set.base.len(), set.added.len()), (86_000, 0));
        set.extend((200_000..200_600).collect());
        assert_eq!((set.base.len(), set.added.len()), (86_000, 600), "under a 128th of the array: in the B-tree");
        // A snapshot shares it: the array is copied, and only for larger batches.
        let shared = set.clone();
        set.extend((300_000..304_000).collect());
        assert_eq!((set.base.len(), set.added.len()), (86_000, 4600), "a shared array takes no batch this small");
        set.extend((400_000..405_000).collect());
        assert_eq!((set.base.len(), set.added.len()), (86_000 + 4600 + 5000, 0), "the B-tree's values go in too");
        assert_eq!(shared.len(), 86_600, "a snapshot's array is copied, never changed");
        assert!(shared.iter().copied().eq(
            (0..5000).filter(|&value| value != 10).chain(6000..7001).chain(20_000..100_000).chain(200_000..200_600)
        ));
        assert!(set.iter().copied().eq(shared.iter().copied().chain(300_000..304_000).chain(400_000..405_000)));
    }

    #[test]
    fn merging_runs_adds_and_takes_out_by_binary_search() {
        assert_eq!(merge_runs(vec![1, 3, 5, 7], [0, 3, 4, 9].into_iter(), true), [0, 1, 3, 4, 5, 7, 9]);
        assert_eq!(merge_runs(vec![1, 3, 5, 7], [0, 3, 4, 7].into_iter(), false), [1, 5]);
        assert_eq!(merge_runs(Vec::new(), [2, 4].into_iter(), true), [2, 4]);
        let merged_in_place = |mut into: Vec<String>, values: &[&str]| {
            merge_in_place(&mut into, values.iter().map(|value| value.to_string()).collect());
            into
        };
        let words = |values: &[&str]| values.iter().map(|value| value.to_string()).collect::<Vec<_>>();
        assert_eq!(
            merged_in_place(words(&["b", "d", "f", "h"]), &["a", "d", "e", "i"]),
            ["a", "b", "d", "e", "f", "h", "i"]
        );
        assert_eq!(merged_in_place(words(&["b", "d"]), &["e", "f"]), ["b", "d", "e", "f"]);
        assert_eq!(merged_in_place(words(&["e", "f"]), &["b", "d"]), ["b", "d", "e", "f"]);
        assert_eq!(merged_in_place(Vec::new(), &["b"]), ["b"]);
        assert_eq!(merged_in_place(words(&["b"]), &[]), ["b"]);
        assert_eq!(merged_in_place(words(&["b", "c"]), &["b", "c"]), ["b", "c"]);
        for length in 0..40 {
            let sorted: Vec<u32> = (0..length).map(|value| value * 2).collect();
            for value in 0..length * 2 + 2 {
                assert_eq!(count_below(&sorted, &value), sorted.iter().filter(|&&probe| probe < value).count());
            }
        }
    }
}
