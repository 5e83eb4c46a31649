//! # downhill-mpi
//!
//! Synchronous data-parallel training for Downhill: K processes (ranks) — on one machine or
//! many, started by `mpirun` — train one model as if one process used a K-times larger batch.
//!
//! * Every rank draws the same global mini-batch from the shared seed (the library's
//!   [`downhill::data::Sampler`], whose order depends only on the seed and the epoch).
//! * [`DataParallel`] wraps any [`downhill::SampledObjective`]: each rank computes the
//!   count-weighted gradient of its contiguous part of the batch, the parts are summed across
//!   ranks, and every rank holds the mean gradient of the whole batch.
//! * The training loop is the library's own [`downhill::train::Trainer`], with the
//!   `DataParallel` as its `objective`: every rank applies the identical update, and only
//!   rank 0 writes checkpoints (`write_checkpoints`). `downhill train` with
//!   `[train] distributed = "mpi"` is this, driven by `mpirun`.
//! * The default [`Reduction::Ordered`] sums in a fixed order, so K = 1, 2, 4, … ranks give
//!   bit-identical parameters; [`Reduction::Allreduce`] uses `MPI_Allreduce` instead.
//! * A failure seen by every rank is agreed on and reported once ([`fault::agree`]); a failure
//!   seen by one rank stops the job through `MPI_Abort` ([`fault::abort`]).
//!
//! The MPI backend (`comm::MpiComm`) needs the `mpi` feature and a system MPI; without it the
//! crate still builds and its logic is tested with in-process ranks ([`comm::ThreadComm`]).
//!
//! ```
//! use downhill::data::{Dataset, Task};
//! use downhill::model::{Activation, Fit, ModelConfig, ModelKind, Network};
//! use downhill::optim::Sgd;
//! use downhill::train::{TrainConfig, Trainer};
//! use downhill_mpi::comm::{Communicator, ThreadComm};
//! use downhill_mpi::toy::synthetic_linreg;
//! use downhill_mpi::DataParallel;
//!
//! // Seed 001 on 2 in-process ranks: global batch 10, lr 0.03, 3 epochs.
//! let finals = ThreadComm::run(2, |comm| {
//!     let (x, y) = synthetic_linreg(1000, &[2.0, -3.4], 4.2, 0.01, 0);
//!     let data = Dataset::new(x, y, 2, Task::Regression).unwrap();
//!     let model = ModelConfig { kind: ModelKind::Linear, hidden: vec![],
//!                               activation: Activation::Relu, head: None };
//!     let net = Network::new(model.spec(&data).unwrap()).unwrap();
//!     let dp = DataParallel::new(comm, Fit { net: &net, data: &data });
//!     let cfg = TrainConfig { epochs: 3, batch_size: 10, ..Default::default() };
//!     let mut trainer = Trainer::new(&net, &data, cfg);
//!     trainer.objective = Some(&dp);
//!     trainer.write_checkpoints = comm.rank() == 0;
//!     let mut sgd = Sgd::with_lr(0.03).unwrap();
//!     trainer.run(&mut sgd, &[0.0; 3], None).unwrap().params
//! });
//! assert_eq!(finals[0], finals[1]);
//! assert!((finals[0][0] - 2.0).abs() < 1e-2 && (finals[0][2] - 4.2).abs() < 1e-2);
//! ```

pub mod comm;
pub mod fault;
pub mod parallel;
pub mod shard;
pub mod split;
pub mod toy;

pub use parallel::{CommStats, DataParallel, Reduction};
