//! [`Dataset::batches`]: all batches in order from a background thread, at most
//! `prefetch` batches ahead, with finished batches handed back ([`Batches::recycle`],
//! [`Recycler`]) so their memory is reused.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::thread::JoinHandle;

use super::{Batch, Dataset};
use crate::error::Result;

impl Dataset {
    /// All batches in order, decoded by a background thread (each batch in parallel on
    /// rayon's pool) at most [`DatasetOptions::prefetch`](super::DatasetOptions::prefetch)
    /// batches ahead. Hand finished batches back with [`Batches::recycle`] to reuse their
    /// memory.
    pub fn batches(&self) -> Batches {
        let prefetch = self.inner.opts.prefetch.max(1);
        let (tx, rx) = sync_channel::<Result<Batch>>(prefetch);
        let (free_tx, free_rx) = sync_channel::<Batch>(prefetch + 2);
        let ds = self.clone();
        let worker = std::thread::spawn(move || produce(ds, tx, free_rx));
        Batches {
            rx: Some(rx),
            free: free_tx,
            worker: Some(worker),
        }
    }
}

fn produce(ds: Dataset, tx: SyncSender<Result<Batch>>, free: Receiver<Batch>) {
    for i in 0..ds.num_batches() {
        let result = match free.try_recv() {
            Ok(mut b) => ds.fill_batch(i, &mut b).map(|()| b),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => ds.batch(i),
        };
        let failed = result.is_err();
        if tx.send(result).is_err() || failed {
            return;
        }
    }
}

/// Iterator over a dataset's batches with bounded prefetch (see [`Dataset::batches`]).
/// After an error the iterator ends.
pub struct Batches {
    rx: Option<Receiver<Result<Batch>>>,
    free: SyncSender<Batch>,
    worker: Option<JoinHandle<()>>,
}

impl Batches {
    /// Gives a consumed batch back so that its buffers are reused for a later batch.
    pub fn recycle(&self, batch: Batch) {
        let _ = self.free.try_send(batch);
    }

    /// A handle that recycles batches while the iterator is borrowed by a `for` loop.
    pub fn recycler(&self) -> Recycler {
        Recycler(self.free.clone())
    }
}

/// Hands consumed batches back to a [`Batches`] iterator (see [`Batches::recycler`]).
#[derive(Clone)]
pub struct Recycler(SyncSender<Batch>);

impl Recycler {
    /// Gives `batch` back for reuse (dropped if the iterator already holds enough spares).
    pub fn recycle(&self, batch: Batch) {
        let _ = self.0.try_send(batch);
    }
}

impl Iterator for Batches {
    type Item = Result<Batch>;
    fn next(&mut self) -> Option<Result<Batch>> {
        self.rx.as_ref()?.recv().ok()
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        // Closing the channel stops the producer after its current batch.
        self.rx.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
