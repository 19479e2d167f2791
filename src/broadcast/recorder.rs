//! Group commit for delivery records. A delivery waits until its record is
//! committed, but deliveries that finish together share one transaction and
//! one trip to tokio's blocking pool: the first record starts a writer at
//! once (no added delay); records that arrive while it writes go into its
//! next transaction. Telegram's throttle releases messages in batches, so
//! records do arrive together.

use super::store::{Delivery, Store};
use crate::error::{Error, Result};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

type Waiter = oneshot::Sender<Result<()>>;

#[derive(Default)]
struct Queue {
    pending: Vec<(Delivery, Waiter)>,
    writing: bool,
}

/// Records deliveries in the store, batching those that arrive together.
#[derive(Default)]
pub struct Recorder {
    queue: Arc<Mutex<Queue>>,
}

impl Recorder {
    /// Records `delivery` and returns once it is committed (or failed).
    pub async fn record(&self, store: &Arc<Store>, delivery: Delivery) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut q = lock(&self.queue);
            q.pending.push((delivery, tx));
            !std::mem::replace(&mut q.writing, true)
        };
        if start {
            let queue = self.queue.clone();
            let store = store.clone();
            tokio::task::spawn_blocking(move || write(&queue, &store));
        }
        rx.await.unwrap_or_else(|_| {
            Err(Error::Invalid {
                path: store.path().to_path_buf(),
                message: "the delivery writer stopped before recording".into(),
            })
        })
    }
}

fn lock(queue: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    queue.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes batches until the queue is empty. If a write panics, the guard
/// lets the next record start a new writer (the waiters of the failed batch
/// and of the queue get an error).
fn write(queue: &Mutex<Queue>, store: &Store) {
    struct Done<'a>(&'a Mutex<Queue>);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            let mut q = lock(self.0);
            q.writing = false;
            // Only left non-empty by a panic: their senders drop here.
            q.pending.clear();
        }
    }
    let _done = Done(queue);
    loop {
        let batch = {
            let mut q = lock(queue);
            if q.pending.is_empty() {
                return;
            }
            std::mem::take(&mut q.pending)
        };
        let (deliveries, waiters): (Vec<Delivery>, Vec<Waiter>) = batch.into_iter().unzip();
        let result = store.record_all(&deliveries);
        for w in waiters {
            let r = match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(Error::Invalid {
                    path: store.path().to_path_buf(),
                    message: e.to_string(),
                }),
            };
            // A waiter that went away (shutdown) does not matter.
            let _ = w.send(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broadcast::store::NewSubscription;
    use chrono::{NaiveDate, NaiveTime, Utc};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_records_are_all_committed() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path().join("r.sqlite3"))?);
        let subs: Vec<NewSubscription> = (1..=200)
            .map(|chat_id| NewSubscription {
                chat_id,
                chat_type: "private".into(),
                time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                tz: chrono_tz::UTC,
                at: Utc::now(),
                by: None,
                by_name: None,
            })
            .collect();
        store.subscribe_all(&subs)?;
        let recorder = Arc::new(Recorder::default());
        let date = NaiveDate::from_ymd_opt(2025, 9, 15).unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for chat_id in 1..=200i64 {
            let (recorder, store) = (recorder.clone(), store.clone());
            tasks.spawn(async move {
                let d = Delivery {
                    chat_id,
                    date,
                    message_id: (chat_id % 2 == 0).then_some(chat_id as i32),
                    at: Utc::now(),
                };
                recorder.record(&store, d).await
            });
        }
        while let Some(r) = tasks.join_next().await {
            r.unwrap()?;
        }
        let all = store.active()?;
        assert!(all.iter().all(|s| s.last_delivered == Some(date)));
        assert_eq!(all.iter().filter(|s| s.last_message_id.is_none()).count(), 100);
        assert!(!lock(&recorder.queue).writing);
        Ok(())
    }
}
