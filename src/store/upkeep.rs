//! Upkeep: the work a write leaves behind, done on a thread of its own after the write has
//! returned, so a save from the form costs only its own rows.
//!
//! Two jobs, both of which SQLite and FTS5 would otherwise do in line, inside whichever commit
//! happens to cross a threshold:
//! - **Search segment merges.** Each write adds small FTS5 segments; FTS5's `automerge` merged
//!   them in the commit that crossed each 64 leaf pages written, so on the million-customer book
//!   about every 20th save wrote ≈2.7 MB of merged segments (p99 147 ms against p50 3.3 ms). The
//!   book's search tables have `automerge = 0` (set at open); this thread runs FTS5's own
//!   incremental `'merge'` command in small steps after commits, each step a transaction of its
//!   own on the writer connection, so a save that arrives waits at most for one step. FTS5 picks
//!   what to merge exactly as automerge would (levels holding `usermerge`, 4, segments or more);
//!   should this thread ever fall behind (a long import), FTS5's `crisismerge` still bounds the
//!   segments per level in line.
//! - **WAL checkpoints.** SQLite's autocheckpoint copies the WAL back into the database file in
//!   the commit that passes 1,000 frames (every ≈25 saves on that book, ≈20 ms each). The writer's
//!   WAL hook replaces it: it wakes this thread, which runs a passive checkpoint on a connection
//!   of its own (no write lock: saves go on while it copies). Past 50,000 frames (200 MB: this
//!   thread cannot keep up, or a reader pins the log) the commit checkpoints in line after all,
//!   so the WAL stays bounded as with SQLite's own.
//!
//! A crash or a kill at any moment leaves the book as the last commit left it: each merge step is
//! a transaction, a checkpoint copies only committed frames.

#[cfg(doc)]
use super::Store;
use super::{DbKey, Result, connect};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// The search tables whose segments the upkeep merges.
pub(super) const FTS_TABLES: [&str; 3] = ["customer_fts", "name_fts", "pinyin_fts"];

/// Pages written per merge step and table: how long a save can wait behind one step (a few ms).
const MERGE_STEP_PAGES: i64 = 16;

/// WAL frames after which the thread checkpoints (SQLite's own autocheckpoint default).
const CHECKPOINT_FRAMES: i32 = 1000;

/// WAL frames after which a commit checkpoints in line after all.
const CHECKPOINT_FRAMES_IN_LINE: i32 = 50 * CHECKPOINT_FRAMES;

#[derive(Default)]
struct State {
    /// Commits seen since the thread started.
    requested: u64,
    /// Commits whose upkeep is done.
    done: u64,
    stop: bool,
    /// Bulk writes under way (see [`Upkeep::pause`]).
    paused: u32,
    /// The thread is in a round (merging or checkpointing).
    busy: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled when `requested`, `done` or `stop` change.
    changed: Condvar,
    /// Set while the thread holds the writer: its own commits ask for no more upkeep.
    own_write: AtomicBool,
    /// WAL frames after the writer's last commit.
    wal_frames: AtomicI32,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running upkeep thread of an open store; stopping it (drop) finishes the step under way.
pub(super) struct Upkeep {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Upkeep {
    /// Starts the thread for the store whose writer is `write`, hooking the writer's commits (the
    /// hook replaces SQLite's autocheckpoint on that connection). Opening starts no work: a
    /// command-line process that only reads must not write or wait for the book's write lock;
    /// what an earlier process left unmerged is merged after this one's first commit.
    pub(super) fn start(write: &Arc<Mutex<Connection>>, path: &Path, key: Option<&DbKey>) -> Result<Upkeep> {
        let checkpointer = connect(path, key, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        checkpointer.execute_batch("PRAGMA cache_size = -1024;")?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            own_write: AtomicBool::new(false),
            wal_frames: AtomicI32::new(CHECKPOINT_FRAMES),
        });
        let hook = shared.clone();
        write.lock().unwrap_or_else(|e| e.into_inner()).wal_hook(Some(
            move |wal: &mut rusqlite::hooks::Wal, frames: i32| {
                hook.wal_frames.store(frames, Ordering::Release);
                // The transaction has committed when this runs: an error returned here would make
                // its COMMIT report failure ("SQL logic error") for a write that is in the book,
                // and the caller would take it back or retry it. A checkpoint that cannot run now
                // (the upkeep's own is copying, a reader pins the log) is tried at the next commit.
                if frames >= CHECKPOINT_FRAMES_IN_LINE {
                    let _ = wal.checkpoint();
                }
                if !hook.own_write.load(Ordering::Acquire) {
                    hook.lock().requested += 1;
                    hook.changed.notify_all();
                }
                Ok(())
            },
        ))?;
        let (run, writer) = (shared.clone(), write.clone());
        let thread = std::thread::Builder::new()
            .name("banyan-upkeep".into())
            .spawn(move || run_thread(&run, &writer, &checkpointer))?;
        Ok(Upkeep { shared, thread: Some(thread) })
    }

    /// Asks for a round now, for what earlier processes left unmerged (see [`Store::request_upkeep`]).
    pub(super) fn request(&self) {
        self.shared.lock().requested += 1;
        self.shared.changed.notify_all();
    }

    /// Waits until the upkeep of every commit so far is done (benchmarks and tests: a person
    /// saving from the form gives it seconds between saves). Returns at once while paused.
    pub(super) fn settle(&self) {
        let mut s = self.shared.lock();
        while s.done < s.requested && !s.stop && s.paused == 0 {
            s = self.shared.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Holds merges off while a bulk write runs (an import, an undo): merging segments between
    /// its chunks took the writer from it, for segments its next chunks merge anyway (FTS5's
    /// crisismerge still bounds them per level in line). The upkeep runs once the last pause ends.
    pub(super) fn pause(&self) -> UpkeepPause {
        self.shared.lock().paused += 1;
        UpkeepPause { shared: self.shared.clone() }
    }

    /// As [`Upkeep::pause`], and waits for the round under way to end: the database file then
    /// holds still while the guard lives. `PRAGMA cipher_integrity_check` reads the file's pages
    /// directly, and a page a checkpoint was writing at that moment read as a broken one (`banyan
    /// check` reported sound books after a crash as damaged).
    pub(super) fn pause_and_wait(&self) -> UpkeepPause {
        let pause = self.pause();
        let mut s = self.shared.lock();
        while s.busy {
            s = self.shared.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        pause
    }
}

/// See [`Upkeep::pause`].
pub(crate) struct UpkeepPause {
    shared: Arc<Shared>,
}

impl Drop for UpkeepPause {
    fn drop(&mut self) {
        let mut s = self.shared.lock();
        s.paused -= 1;
        s.requested += 1;
        drop(s);
        self.shared.changed.notify_all();
    }
}

impl Drop for Upkeep {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.changed.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run_thread(shared: &Shared, write: &Mutex<Connection>, checkpointer: &Connection) {
    loop {
        let target = {
            let mut s = shared.lock();
            while (s.done == s.requested || s.paused > 0) && !s.stop {
                s = shared.changed.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            if s.stop {
                return;
            }
            s.busy = true;
            s.requested
        };
        // Errors (a full disk, a busy file) leave the work for the next round: the next commit
        // asks again, and nothing here is needed for a later write to be right.
        if merge_all(shared, write).is_ok() && shared.wal_frames.load(Ordering::Acquire) >= CHECKPOINT_FRAMES {
            let _ = checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
        let mut s = shared.lock();
        s.done = s.done.max(target);
        s.busy = false;
        drop(s);
        shared.changed.notify_all();
    }
}

/// Merge steps, table by table, until FTS5 finds nothing left to merge, the store closes or a
/// bulk write pauses the upkeep. Returns `Err(())` when it stopped early.
fn merge_all(shared: &Shared, write: &Mutex<Connection>) -> std::result::Result<(), ()> {
    loop {
        let mut worked = false;
        for t in FTS_TABLES {
            let s = shared.lock();
            if s.stop || s.paused > 0 {
                return Err(());
            }
            drop(s);
            let mut conn = write.lock().unwrap_or_else(|e| e.into_inner());
            shared.own_write.store(true, Ordering::Release);
            // Another process writing (a command-line import) holds the book: this step gives up
            // at once instead of waiting the writer's 10 s, and the next commit asks again.
            let _ = conn.busy_timeout(std::time::Duration::ZERO);
            let before = conn.total_changes();
            let step = conn.execute(&format!("INSERT INTO {t} ({t}, rank) VALUES ('merge', ?1)"), [MERGE_STEP_PAGES]);
            // FTS5: a step that merged nothing changes fewer than two rows.
            let merged = conn.total_changes() - before >= 2;
            let _ = super::wait_for_locks(&mut conn);
            shared.own_write.store(false, Ordering::Release);
            drop(conn);
            // A save waiting for the writer gets it before the next step (std's mutex is not fair).
            std::thread::yield_now();
            if step.is_err() {
                return Err(());
            }
            worked |= merged;
        }
        if !worked {
            return Ok(());
        }
    }
}

/// Turns FTS5's in-line automerge off on the search tables (the upkeep merges instead); a write
/// only when a table still has another value, so opening a book normally writes nothing.
pub(super) fn hand_merges_to_upkeep(conn: &Connection) -> Result<()> {
    for t in FTS_TABLES {
        let v: Option<i64> = rusqlite::OptionalExtension::optional(conn.query_row(
            &format!("SELECT v FROM {t}_config WHERE k = 'automerge'"),
            [],
            |r| r.get(0),
        ))?;
        if v != Some(0) {
            conn.execute(&format!("INSERT INTO {t} ({t}, rank) VALUES ('automerge', 0)"), [])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ValidationContext;
    use crate::store::{Actor, SearchFilter, Store, unit_test_store};

    /// Whether FTS5 finds merge work left in `t` (one merge page, rolled back).
    fn merge_pending(conn: &Connection, t: &str) -> bool {
        conn.execute_batch("SAVEPOINT probe").unwrap();
        let before = conn.total_changes();
        conn.execute(&format!("INSERT INTO {t} ({t}, rank) VALUES ('merge', 1)"), []).unwrap();
        let pending = conn.total_changes() - before >= 2;
        conn.execute_batch("ROLLBACK TO probe; RELEASE probe").unwrap();
        pending
    }

    /// Segments a bulk write left (the upkeep held off meanwhile, as during an import) are still
    /// there for the next process that opens the book, which merges them once asked to (the
    /// desktop asks as it opens the book); opening alone writes nothing.
    #[test]
    fn what_a_paused_upkeep_left_is_merged_by_the_next_open_once_asked() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ValidationContext::default();
        let mut g = crate::demo::DemoGen::new(11);
        let actor = Actor::default();
        {
            let store = unit_test_store(dir.path());
            let bulk = store.pause_upkeep();
            for _ in 0..40 {
                store.add_customers(&actor, &[g.valid_customer(&ctx)]).unwrap();
            }
            // The process ends before the bulk write does.
            drop(store);
            drop(bulk);
        }
        let store = Store::open(
            &dir.path().join("b.db"),
            &crate::security::keys::Unlock::KeyFile { passphrase: Some("unit test passphrase".to_string().into()) },
            Default::default(),
        )
        .unwrap();
        store.settle();
        assert!(merge_pending(&store.writer(), "customer_fts"), "opening merged (wrote) by itself");
        store.request_upkeep();
        store.settle();
        for t in FTS_TABLES {
            assert!(!merge_pending(&store.writer(), t), "{t}: left unmerged after the upkeep ran");
        }
        assert_eq!(store.customer_count(&crate::store::Reach::All).unwrap(), 40);
    }

    /// Many small saves leave FTS5 no merge work once the upkeep has caught up, and every saved
    /// customer is found: the segments they made were merged, not lost, and no save merged in line.
    #[test]
    fn small_saves_leave_their_segments_to_the_upkeep_which_merges_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let store = unit_test_store(dir.path());
        let ctx = ValidationContext::default();
        let mut g = crate::demo::DemoGen::new(7);
        let actor = Actor::default();
        let mut names = Vec::new();
        for _ in 0..200 {
            let c = g.valid_customer(&ctx);
            names.push(c.name.clone());
            store.add_customers(&actor, std::slice::from_ref(&c)).unwrap();
        }
        store.settle();
        let conn = store.writer();
        for t in FTS_TABLES {
            let automerge: i64 =
                conn.query_row(&format!("SELECT v FROM {t}_config WHERE k = 'automerge'"), [], |r| r.get(0)).unwrap();
            assert_eq!(automerge, 0, "{t}: saves must not merge in line");
            assert!(!merge_pending(&conn, t), "{t}: merge work was left after the upkeep settled");
        }
        drop(conn);
        for name in &names {
            let hits = store.search(name, &SearchFilter::default(), 50, &crate::store::Reach::All).unwrap();
            assert!(hits.iter().any(|h| &h.customer.name == name), "{name} not found after the merges");
        }
    }
}
