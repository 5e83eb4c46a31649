//! Communicators: the few collective operations data-parallel training needs, behind one
//! trait so the reduction and the training step are tested without MPI ([`ThreadComm`]) and run
//! across processes and hosts with MPI (`MpiComm`, feature `mpi`).

mod threads;
#[cfg(feature = "mpi")]
mod world;

pub use threads::ThreadComm;
#[cfg(feature = "mpi")]
pub use world::MpiComm;

use downhill::Float;

/// A read-only message buffer of `f32` or `f64`.
#[derive(Debug, Clone, Copy)]
pub enum Buf<'a> {
    /// Single precision.
    F32(&'a [f32]),
    /// Double precision.
    F64(&'a [f64]),
}

/// A writable message buffer of `f32` or `f64`.
#[derive(Debug)]
pub enum BufMut<'a> {
    /// Single precision.
    F32(&'a mut [f32]),
    /// Double precision.
    F64(&'a mut [f64]),
}

/// A [`Float`] that can travel in a message (`f32` and `f64`, sent in their own width).
pub trait Wire: Float {
    /// Views a slice as a message.
    fn buf(s: &[Self]) -> Buf<'_>;
    /// Views a mutable slice as a message.
    fn buf_mut(s: &mut [Self]) -> BufMut<'_>;
}

impl Wire for f32 {
    fn buf(s: &[Self]) -> Buf<'_> {
        Buf::F32(s)
    }
    fn buf_mut(s: &mut [Self]) -> BufMut<'_> {
        BufMut::F32(s)
    }
}

impl Wire for f64 {
    fn buf(s: &[Self]) -> Buf<'_> {
        Buf::F64(s)
    }
    fn buf_mut(s: &mut [Self]) -> BufMut<'_> {
        BufMut::F64(s)
    }
}

/// A group of `size()` ranks that exchange messages. Every rank calls the collective operations
/// ([`broadcast`](Communicator::broadcast), [`all_reduce_sum`](Communicator::all_reduce_sum),
/// [`all_gather_f64`](Communicator::all_gather_f64)) in the same order with the same lengths.
pub trait Communicator {
    /// This process's rank, `0..size()`.
    fn rank(&self) -> usize;
    /// Number of ranks.
    fn size(&self) -> usize;
    /// Sends `buf` to rank `to` (blocking until it can be reused).
    fn send(&self, to: usize, buf: Buf<'_>);
    /// Receives a message of exactly `buf`'s length from rank `from`.
    fn recv(&self, from: usize, buf: BufMut<'_>);
    /// Copies `buf` of rank `root` into `buf` of every rank.
    fn broadcast(&self, root: usize, buf: BufMut<'_>);
    /// Replaces `buf` on every rank by the element-wise sum over ranks, in the backend's own
    /// order (MPI: ring or recursive doubling — not bit-reproducible across rank counts).
    fn all_reduce_sum(&self, buf: BufMut<'_>);
    /// Every rank's `mine`, in rank order.
    fn all_gather_f64(&self, mine: f64) -> Vec<f64>;
    /// Ends every rank of the job with exit code `code` (MPI_Abort). Never returns.
    fn abort(&self, code: i32) -> !;
    /// The backend's name (`"mpi"`, `"threads"`).
    fn backend(&self) -> &'static str;
}
