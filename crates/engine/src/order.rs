//! Stable sorting with one copy of the sorting code for the whole program.
//!
//! Each `sort_by` or `sort_by_key` on a new element type or closure makes the compiler emit the
//! standard library's sort again, about 3.5 KB of WebAssembly each, and the browser bundle had
//! eleven of them. These functions sort a list of indexes with a comparison behind `&dyn`, which
//! is one instantiation whatever is sorted, then move the items into place once. The cost is one
//! extra allocation per sort, on lists the size of what a CRM admin looks at.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping the order of items it calls equal.
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_indexes(items.len(), &|a, b| compare(&items[a], &items[b]));
    permute(items, order);
}

/// Sorts `items` by the key `key` gives each (computed once per item), keeping the order of items
/// with equal keys.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    let keys: Vec<K> = items.iter().map(key).collect();
    permute(
        items,
        sorted_indexes(keys.len(), &|a, b| keys[a].cmp(&keys[b])),
    );
}

fn sorted_indexes(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|a, b| compare(*a, *b));
    order
}

/// Rearranges `items` so that position `i` holds the item that was at `order[i]`.
fn permute<T>(items: &mut Vec<T>, order: Vec<usize>) {
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|index| slots[index].take()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_keys_keep_their_order() {
        let mut words = vec!["pear", "fig", "apple", "kiwi", "plum", "date"];
        sort_by_key(&mut words, |word| word.len());
        assert_eq!(words, ["fig", "pear", "kiwi", "plum", "date", "apple"]);
        sort_by(&mut words, |a, b| b.len().cmp(&a.len()));
        assert_eq!(words, ["apple", "pear", "kiwi", "plum", "date", "fig"]);
    }

    proptest! {
        #[test]
        fn sorts_as_the_standard_stable_sort_does(items in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut expected = items.clone();
            expected.sort_by_key(|item| item.0);
            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |item| item.0);
            prop_assert_eq!(&by_key, &expected);
            let mut by = items;
            sort_by(&mut by, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(by, expected);
        }
    }
}
