//! Splits independent per-item work over the machine's cores (scoped threads, no extra dependency).
//! Threads take small blocks from a shared counter, so that a few heavy items (a coastal county with
//! hundreds of islands) do not leave one core idle.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many items the work runs on the calling thread: starting threads would cost more.
const MIN_PARALLEL: usize = 512;
const BLOCK: usize = 64;

/// `f` applied to every item, in order, on as many threads as there are cores.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < MIN_PARALLEL {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let blocks: Mutex<Vec<(usize, Vec<R>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut done = Vec::new();
                loop {
                    let start = next.fetch_add(BLOCK, Ordering::Relaxed);
                    if start >= items.len() {
                        break;
                    }
                    let end = (start + BLOCK).min(items.len());
                    done.push((start, items[start..end].iter().map(&f).collect::<Vec<R>>()));
                }
                blocks.lock().unwrap_or_else(|e| e.into_inner()).extend(done);
            });
        }
    });
    let mut blocks = blocks.into_inner().unwrap_or_else(|e| e.into_inner());
    blocks.sort_unstable_by_key(|(start, _)| *start);
    blocks.into_iter().flat_map(|(_, results)| results).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order() {
        let items: Vec<usize> = (0..10_000).collect();
        assert_eq!(super::map(&items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }
}
