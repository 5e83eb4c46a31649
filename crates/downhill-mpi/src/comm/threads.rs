//! [`ThreadComm`]: `k` ranks as threads of one process, talking over channels.

use std::sync::mpsc::{channel, Receiver, Sender};

use super::{Buf, BufMut, Communicator};

/// In-process ranks (one thread each) connected by channels: the test bed of the reduction and
/// the training step on machines without MPI. Messages travel as `f64` (exact for `f32`).
///
/// `all_reduce_sum` gathers to rank 0, sums in rank order and broadcasts (deterministic).
/// `abort` panics the calling thread; its peers then panic on the closed channels, so
/// [`ThreadComm::run`] panics instead of hanging.
pub struct ThreadComm {
    rank: usize,
    size: usize,
    /// `to[j]` sends to rank `j`.
    to: Vec<Sender<Vec<f64>>>,
    /// `from[j]` receives from rank `j`.
    from: Vec<Receiver<Vec<f64>>>,
}

impl ThreadComm {
    /// Runs `f` on `k` ranks, each on its own thread, and returns their results in rank order.
    ///
    /// # Panics
    /// When `k == 0`, or when a rank panics or aborts.
    pub fn run<R: Send>(k: usize, f: impl Fn(&ThreadComm) -> R + Sync) -> Vec<R> {
        assert!(k > 0, "ThreadComm::run needs at least one rank");
        // chan[i][j]: from rank i to rank j.
        let mut senders: Vec<Vec<Sender<Vec<f64>>>> = (0..k).map(|_| Vec::new()).collect();
        let mut receivers: Vec<Vec<Receiver<Vec<f64>>>> = (0..k).map(|_| Vec::new()).collect();
        for sender_row in senders.iter_mut() {
            for receiver_row in receivers.iter_mut() {
                let (tx, rx) = channel();
                sender_row.push(tx);
                receiver_row.push(rx);
            }
        }
        let comms: Vec<ThreadComm> = senders
            .into_iter()
            .zip(receivers)
            .enumerate()
            .map(|(rank, (to, from))| ThreadComm {
                rank,
                size: k,
                to,
                from,
            })
            .collect();
        let f = &f;
        std::thread::scope(|s| {
            let handles: Vec<_> = comms.into_iter().map(|c| s.spawn(move || f(&c))).collect();
            handles
                .into_iter()
                .map(|h| match h.join() {
                    Ok(r) => r,
                    Err(e) => std::panic::resume_unwind(e),
                })
                .collect()
        })
    }

    fn take(&self, from: usize) -> Vec<f64> {
        match self.from[from].recv() {
            Ok(v) => v,
            Err(_) => panic!("rank {}: rank {from} stopped (aborted)", self.rank),
        }
    }

    fn put(&self, to: usize, v: Vec<f64>) {
        if self.to[to].send(v).is_err() {
            panic!("rank {}: rank {to} stopped (aborted)", self.rank);
        }
    }
}

fn to_vec(buf: &Buf<'_>) -> Vec<f64> {
    match buf {
        Buf::F32(s) => s.iter().map(|&v| v as f64).collect(),
        Buf::F64(s) => s.to_vec(),
    }
}

fn fill(buf: &mut BufMut<'_>, v: &[f64]) {
    match buf {
        BufMut::F32(s) => {
            assert_eq!(s.len(), v.len(), "message length mismatch");
            s.iter_mut().zip(v).for_each(|(d, &x)| *d = x as f32);
        }
        BufMut::F64(s) => {
            assert_eq!(s.len(), v.len(), "message length mismatch");
            s.copy_from_slice(v);
        }
    }
}

fn view<'a>(buf: &'a BufMut<'_>) -> Buf<'a> {
    match buf {
        BufMut::F32(s) => Buf::F32(s),
        BufMut::F64(s) => Buf::F64(s),
    }
}

impl Communicator for ThreadComm {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.size
    }
    fn send(&self, to: usize, buf: Buf<'_>) {
        self.put(to, to_vec(&buf));
    }
    fn recv(&self, from: usize, mut buf: BufMut<'_>) {
        let v = self.take(from);
        fill(&mut buf, &v);
    }
    fn broadcast(&self, root: usize, mut buf: BufMut<'_>) {
        if self.rank == root {
            let v = to_vec(&view(&buf));
            for r in (0..self.size).filter(|&r| r != root) {
                self.put(r, v.clone());
            }
        } else {
            let v = self.take(root);
            fill(&mut buf, &v);
        }
    }
    fn all_reduce_sum(&self, mut buf: BufMut<'_>) {
        let mine = to_vec(&view(&buf));
        if self.rank == 0 {
            let mut acc = mine;
            for r in 1..self.size {
                let v = self.take(r);
                acc.iter_mut().zip(&v).for_each(|(a, b)| *a += b);
            }
            fill(&mut buf, &acc);
        } else {
            self.put(0, mine);
        }
        self.broadcast(0, buf);
    }
    fn all_gather_f64(&self, mine: f64) -> Vec<f64> {
        for r in (0..self.size).filter(|&r| r != self.rank) {
            self.put(r, vec![mine]);
        }
        (0..self.size)
            .map(|r| {
                if r == self.rank {
                    mine
                } else {
                    self.take(r)[0]
                }
            })
            .collect()
    }
    fn abort(&self, code: i32) -> ! {
        panic!("rank {} aborted the job with code {code}", self.rank)
    }
    fn backend(&self) -> &'static str {
        "threads"
    }
}
