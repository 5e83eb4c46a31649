//! [`MpiComm`]: the MPI world communicator (rsmpi).

use std::cell::RefCell;

use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator as _, CommunicatorCollectives, Destination, Root, Source};
use mpi::Rank;

use super::{Buf, BufMut, Communicator};

/// `MPI_COMM_WORLD`. Created once per process by [`MpiComm::init`]; dropping it finalises MPI.
pub struct MpiComm {
    world: SimpleCommunicator,
    // Send buffers of `all_reduce_sum` (rsmpi has no MPI_IN_PLACE); grown once, then reused.
    send32: RefCell<Vec<f32>>,
    send64: RefCell<Vec<f64>>,
    // Declared last: dropped (MPI_Finalize) after `world`.
    _universe: mpi::environment::Universe,
}

impl MpiComm {
    /// Initialises MPI (`MPI_Init`). `None` when MPI was already initialised in this process.
    pub fn init() -> Option<MpiComm> {
        let universe = mpi::initialize()?;
        let world = universe.world();
        Some(MpiComm {
            world,
            send32: RefCell::new(Vec::new()),
            send64: RefCell::new(Vec::new()),
            _universe: universe,
        })
    }

    /// The MPI library's version string (e.g. `Open MPI v4.1.4, …`).
    pub fn library_version() -> String {
        mpi::environment::library_version().unwrap_or_default()
    }
}

fn rank_of(r: usize) -> Rank {
    // Ranks come from `0..size()`, which MPI itself reports as an `int`.
    Rank::try_from(r).unwrap_or(Rank::MAX)
}

impl Communicator for MpiComm {
    fn rank(&self) -> usize {
        usize::try_from(self.world.rank()).unwrap_or(0)
    }
    fn size(&self) -> usize {
        usize::try_from(self.world.size()).unwrap_or(1)
    }
    fn send(&self, to: usize, buf: Buf<'_>) {
        let p = self.world.process_at_rank(rank_of(to));
        match buf {
            Buf::F32(s) => p.send(s),
            Buf::F64(s) => p.send(s),
        }
    }
    fn recv(&self, from: usize, buf: BufMut<'_>) {
        let p = self.world.process_at_rank(rank_of(from));
        match buf {
            BufMut::F32(s) => {
                p.receive_into(s);
            }
            BufMut::F64(s) => {
                p.receive_into(s);
            }
        }
    }
    fn broadcast(&self, root: usize, buf: BufMut<'_>) {
        let p = self.world.process_at_rank(rank_of(root));
        match buf {
            BufMut::F32(s) => p.broadcast_into(s),
            BufMut::F64(s) => p.broadcast_into(s),
        }
    }
    fn all_reduce_sum(&self, buf: BufMut<'_>) {
        use mpi::collective::SystemOperation;
        match buf {
            BufMut::F32(s) => {
                let mut send = self.send32.borrow_mut();
                send.clear();
                send.extend_from_slice(s);
                self.world
                    .all_reduce_into(&send[..], s, SystemOperation::sum());
            }
            BufMut::F64(s) => {
                let mut send = self.send64.borrow_mut();
                send.clear();
                send.extend_from_slice(s);
                self.world
                    .all_reduce_into(&send[..], s, SystemOperation::sum());
            }
        }
    }
    fn all_gather_f64(&self, mine: f64) -> Vec<f64> {
        let mut all = vec![0.0; self.size()];
        self.world.all_gather_into(&mine, &mut all[..]);
        all
    }
    fn abort(&self, code: i32) -> ! {
        self.world.abort(code)
    }
    fn backend(&self) -> &'static str {
        "mpi"
    }
}
