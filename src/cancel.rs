//! Cooperative cancellation of a computation, for every layer.
//!
//! The server runs each request on a worker thread with a [`CancelToken`]; the token is set
//! when the client sends `$/cancelRequest` or when the request's answer can no longer be
//! used. Long loops in the core (references over thousands of files, a warm-up of the
//! mention index, fuzzy completion over every name) call [`check`] every so often. When the
//! token is set, `check` unwinds with a [`Cancelled`] payload — the way salsa cancels
//! queries in rust-analyzer — so that no feature needs a `Result` on every return path.
//! [`run_cancellable`] at the edge catches exactly that payload; any other panic goes on to
//! the server's panic guard.
//!
//! Outside `run_cancellable` (tests, the command line) `check` never unwinds.
//!
//! On the parallel pool's threads, the same checks also hand the core over every half
//! millisecond ([`let_others_run`]). Linux's scheduler (EEVDF) lets a running thread finish
//! its time slice before a thread that just woke up gets the core, whatever their
//! priorities: with both cores busy scanning for a large request, each step of a
//! `$/cancelRequest`'s way through the server (the stdin reader, the transport, the writer)
//! waited up to a slice, and the cancelled answer came 5 to 9 ms after the cancel. Pool
//! threads that yield every half millisecond let them through at once, at the cost of one
//! system call per half millisecond, which returns at once when nobody waits. Only the
//! pool's threads yield: the server runs them at a lower priority, and a thread of normal
//! priority that yields to them gives its core away for a whole slice of theirs (a cold
//! index of 50,000 articles took 13 s instead of 3 when the thread merging files yielded).

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A flag shared between whoever may cancel a computation and the computation itself.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// True when both are clones of one token.
    pub fn is_same(&self, other: &CancelToken) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What a cancelled computation unwinds with, and what [`run_cancellable`] returns for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

thread_local! {
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// Runs `compute` on this thread with `token` as the token that [`check`] reads. Returns
/// `Err(Cancelled)` when the computation stopped at a check because the token was set.
pub fn run_cancellable<T>(token: &CancelToken, compute: impl FnOnce() -> T) -> Result<T, Cancelled> {
    let previous = CURRENT.with(|current| current.replace(Some(token.clone())));
    let outcome = catch_unwind(AssertUnwindSafe(compute));
    CURRENT.with(|current| *current.borrow_mut() = previous);
    match outcome {
        Ok(value) => Ok(value),
        Err(payload) if payload.is::<Cancelled>() => Err(Cancelled),
        Err(payload) => resume_unwind(payload),
    }
}

/// True when the computation running on this thread has been cancelled.
pub fn is_cancelled() -> bool {
    CURRENT.with(|current| current.borrow().as_ref().is_some_and(CancelToken::is_cancelled))
}

/// How long a computation keeps the core before [`let_others_run`] hands it over.
const KEEP_THE_CORE_FOR: Duration = Duration::from_micros(500);

thread_local! {
    /// When this thread last handed its core over (or first looked), and how many times it did.
    static LAST_YIELD: Cell<(Option<Instant>, u64)> = const { Cell::new((None, 0)) };
}

/// On a thread of the parallel pool, yields its core if it has kept it for half a millisecond
/// since it last did, so that a thread that woke up meanwhile (the transport with a
/// `$/cancelRequest`, a keystroke's diagnostics) runs now, not at the end of this thread's
/// time slice. Elsewhere, does nothing (see the module comment). Called by [`check`], by
/// [`parallel_map`] and by the long loops of the pool that do not check (reading files while
/// indexing).
pub fn let_others_run() {
    if rayon::current_thread_index().is_none() {
        return;
    }
    let now = Instant::now();
    LAST_YIELD.with(|last| match last.get() {
        (Some(at), yields) if now.duration_since(at) >= KEEP_THE_CORE_FOR => {
            std::thread::yield_now();
            last.set((Some(Instant::now()), yields + 1));
        }
        (Some(_), _) => {}
        (None, yields) => last.set((Some(now), yields)),
    });
}

/// How many times this thread has handed its core over.
#[cfg(test)]
fn yields_on_this_thread() -> u64 {
    LAST_YIELD.with(|last| last.get().1)
}

/// Stops the computation running on this thread if its token is set (see the module
/// comment), after handing the core over if it is time ([`let_others_run`]). Cheap: a
/// clock read, a thread-local read and an atomic load.
pub fn check() {
    let_others_run();
    if is_cancelled() {
        // `resume_unwind` skips the panic hook: a cancellation is not a crash to report.
        resume_unwind(Box::new(Cancelled));
    }
}

/// `map` over `items` on the parallel pool, in their order, as one parallel job that this
/// computation's cancellation still stops: once its token is set, the pool's threads (which
/// do not see this thread's token) skip the items left, and this thread stops at the
/// [`check`] after the job. One job rather than a check between chunks of a few hundred: each
/// chunk ended with the pool's threads waiting for the slowest and this thread woken again,
/// a hundred times over a references answer of 20,000 files.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], map: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    let token = CURRENT.with(|current| current.borrow().clone());
    let mapped: Vec<Option<R>> = items
        .par_iter()
        .map(|item| {
            let_others_run();
            if token.as_ref().is_some_and(CancelToken::is_cancelled) { None } else { Some(map(item)) }
        })
        .collect();
    check();
    // A token is never unset: past the check, nothing was skipped.
    mapped.into_iter().flatten().collect()
}

/// Runs `work` on a thread of the parallel pool, under this computation's token, and waits
/// for it: a long sequential computation then yields its core as the pool's threads do
/// ([`let_others_run`]) instead of keeping the transport waiting up to a time slice, and
/// runs below the keystrokes' priority. Its cancellation unwinds here as it would have
/// there. For workspace-wide requests that nobody waits for keystroke by keystroke (while
/// indexing, they queue behind its batches).
pub fn on_the_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    let token = CURRENT.with(|current| current.borrow().clone());
    let outcome = rayon::scope(|_| match &token {
        Some(token) => run_cancellable(token, work),
        None => Ok(work()),
    });
    match outcome {
        Ok(value) => value,
        Err(Cancelled) => resume_unwind(Box::new(Cancelled)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parallel_map_maps_every_item_in_order() {
        let items: Vec<u32> = (0..10_000).collect();
        let token = CancelToken::new();
        let mapped = run_cancellable(&token, || parallel_map(&items, |item| item * 2)).expect("not cancelled");
        assert_eq!(mapped, items.iter().map(|item| item * 2).collect::<Vec<_>>());
        assert_eq!(parallel_map(&items, |item| item + 1)[9_999], 10_000, "outside a cancellable run too");
    }

    #[test]
    fn a_parallel_map_stops_when_its_computation_is_cancelled() {
        let items: Vec<u32> = (0..100_000).collect();
        let token = CancelToken::new();
        let mapped = std::sync::atomic::AtomicUsize::new(0);
        let outcome = run_cancellable(&token, || {
            parallel_map(&items, |&item| {
                mapped.fetch_add(1, Ordering::Relaxed);
                if item == 10 {
                    token.cancel();
                }
                std::thread::sleep(std::time::Duration::from_micros(10));
            })
        });
        assert_eq!(outcome, Err(Cancelled));
        let mapped = mapped.load(Ordering::Relaxed);
        assert!(mapped < items.len() / 10, "{mapped} items mapped after the cancellation");
    }

    /// Runs `work` on a pool thread of its own.
    fn on_a_pool_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool").install(work)
    }

    #[test]
    fn a_long_computation_on_the_pool_hands_its_core_over_every_half_millisecond() {
        let (yields, elapsed) = on_a_pool_thread(|| {
            let token = CancelToken::new();
            let before = yields_on_this_thread();
            let started = Instant::now();
            run_cancellable(&token, || {
                while yields_on_this_thread() - before < 3 && started.elapsed() < Duration::from_secs(5) {
                    check();
                }
            })
            .expect("not cancelled");
            (yields_on_this_thread() - before, started.elapsed())
        });
        assert_eq!(yields, 3, "checks yield the core");
        assert!(elapsed >= 3 * KEEP_THE_CORE_FOR, "but only after half a millisecond each");
    }

    #[test]
    fn a_thread_outside_the_pool_keeps_its_core() {
        let token = CancelToken::new();
        let before = yields_on_this_thread();
        let started = Instant::now();
        run_cancellable(&token, || {
            while started.elapsed() < 4 * KEEP_THE_CORE_FOR {
                check();
            }
        })
        .expect("not cancelled");
        assert_eq!(yields_on_this_thread(), before);
    }

    #[test]
    fn a_parallel_map_hands_the_cores_over_too() {
        let items: Vec<u32> = (0..64).collect();
        let seen = parking_lot::Mutex::new(std::collections::HashMap::new());
        parallel_map(&items, |_| {
            let spin = Instant::now();
            while spin.elapsed() < KEEP_THE_CORE_FOR / 4 {
                std::hint::spin_loop();
            }
            let yields = yields_on_this_thread();
            seen.lock().entry(std::thread::current().id()).or_insert((yields, yields)).1 = yields;
        });
        // 8 ms of work: whichever threads did it handed their cores over on the way.
        let yielded: u64 = seen.into_inner().values().map(|(first, last)| last - first).sum();
        assert!(yielded >= 1, "no pool thread yielded");
    }

    #[test]
    fn work_sent_to_the_pool_runs_there_and_its_cancellation_comes_back() {
        assert!(on_the_pool(|| rayon::current_thread_index().is_some()), "on a pool thread");
        let token = CancelToken::new();
        let outcome = run_cancellable(&token, || {
            on_the_pool(|| {
                token.cancel();
                check();
                unreachable!("the check stops the work");
            })
        });
        assert_eq!(outcome, Err(Cancelled));
        assert_eq!(on_the_pool(|| 7), 7, "outside a cancellable run too");
    }

    #[test]
    fn a_set_token_stops_the_computation_at_its_next_check() {
        let token = CancelToken::new();
        let mut steps = 0;
        let outcome = run_cancellable(&token, || {
            for step in 0..100 {
                if step == 10 {
                    token.cancel();
                }
                check();
                steps += 1;
            }
            steps
        });
        assert_eq!(outcome, Err(Cancelled));
        assert_eq!(steps, 10);
    }

    #[test]
    fn an_unset_token_lets_the_computation_finish() {
        let token = CancelToken::new();
        assert_eq!(
            run_cancellable(&token, || {
                check();
                7
            }),
            Ok(7)
        );
    }

    #[test]
    fn outside_a_cancellable_run_check_never_stops() {
        let token = CancelToken::new();
        token.cancel();
        check();
        assert!(!is_cancelled());
    }

    #[test]
    fn other_panics_pass_through() {
        let token = CancelToken::new();
        let caught = catch_unwind(|| run_cancellable(&token, || panic!("a real bug")));
        let payload = caught.expect_err("the panic goes on");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"a real bug"));
        assert!(!is_cancelled(), "the thread's token is restored after the panic");
    }
}
