//! # downhill-mpi
//!
//! Synchronous data-parallel training for Downhill: K processes (ranks) — on one machine or
//! many, started by `mpirun` — train one model as if one process used a K-times larger batch.
//!
//! * Every rank draws the same global mini-batch from the shared seed ([`fit::epoch_order`]).
//! * [`DataParallel`] wraps any [`downhill::SampledObjective`]: each rank computes the
//!   count-weighted gradient of its contiguous part of the batch, the parts are summed across
//!   ranks, and every rank holds the mean gradient of the whole batch.
//! * Every rank applies the identical update with any [`downhill::optim::Optimizer`] ([`fit()`]).
//! * The default [`Reduction::Ordered`] sums in a fixed order, so K = 1, 2, 4, … ranks give
//!   bit-identical parameters; [`Reduction::Allreduce`] uses `MPI_Allreduce` instead.
//! * A failure seen by every rank is agreed on and reported once ([`fault::agree`]); a failure
//!   seen by one rank stops the job through `MPI_Abort` ([`fault::abort`]).
//!
//! The MPI backend (`comm::MpiComm`) needs the `mpi` feature and a system MPI; without it the
//! crate still builds and its logic is tested with in-process ranks ([`comm::ThreadComm`]).
//!
//! ```
//! use downhill::optim::Sgd;
//! use downhill_mpi::comm::ThreadComm;
//! use downhill_mpi::toy::{synthetic_linreg, LinearRegression};
//! use downhill_mpi::{fit, DataParallel, FitOptions};
//!
//! // Seed 001 on 2 in-process ranks: global batch 10, lr 0.03, 3 epochs.
//! let finals = ThreadComm::run(2, |comm| {
//!     let (x, y) = synthetic_linreg(1000, &[2.0, -3.4], 4.2, 0.01, 0);
//!     let dp = DataParallel::new(comm, LinearRegression::new(x, y, 2).unwrap());
//!     let opts = FitOptions { epochs: 3, batch_size: 10, seed: 0, log_every: 0,
//!                             checkpoint_every: 0, checkpoint_path: None };
//!     let mut params = vec![0.0_f64; 3];
//!     fit(&dp, &mut Sgd::with_lr(0.03).unwrap(), &mut params, &opts, None, |_, _| {}).unwrap().params
//! });
//! assert_eq!(finals[0], finals[1]);
//! assert!((finals[0][0] - 2.0).abs() < 1e-2 && (finals[0][2] - 4.2).abs() < 1e-2);
//! ```

pub mod comm;
pub mod fault;
pub mod fit;
pub mod parallel;
pub mod shard;
pub mod split;
pub mod toy;

pub use fit::{fit, Checkpoint, FitOptions, FitReport};
pub use parallel::{CommStats, DataParallel, Reduction};
