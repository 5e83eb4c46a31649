//! `downhill sweep` under `mpirun` (feature `mpi`): the ranks split the grid into contiguous,
//! balanced parts (`downhill_mpi::split::part`), each runs its part (in parallel with rayon),
//! and rank 0 gathers the results in rank order — so in grid order — and alone prints and
//! draws: the same output as one process. A bad config fails on every rank alike and is
//! reported once (`downhill_mpi::fault::agree`).

use downhill_mpi::comm::{Buf, BufMut, Communicator, MpiComm};
use downhill_mpi::fault::{abort, agree, Failure};
use downhill_mpi::split::part;
use serde_json::Value;

use downhill::spec::exec::sweep::{run_points, Point};
use downhill::spec::sweep::Sweep;

use crate::cli::SweepArgs;
use crate::exit::CliError;
use crate::exit::{CliResult, FAILURE};
use crate::present::sweep::finish;

/// Bytes per `f64` of a message: 6 bytes make an integer below 2⁴⁸, exact in an `f64`.
const PACK: usize = 6;

fn pack(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks(PACK)
        .map(|c| {
            c.iter()
                .rev()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)) as f64
        })
        .collect()
}

fn unpack(words: &[f64], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    for &w in words {
        let mut v = w as u64;
        for _ in 0..PACK {
            out.push((v & 0xff) as u8);
            v >>= 8;
        }
    }
    out.truncate(len);
    out
}

/// Entry point under `mpirun`: initialises MPI, runs this rank's part, gathers on rank 0.
pub fn cmd(a: &SweepArgs, sweep: &Sweep) -> CliResult {
    let Some(comm) = MpiComm::init() else {
        return Err(crate::exit::CliError::failure("MPI is already initialised"));
    };
    let code = run(&comm, a, sweep);
    drop(comm); // MPI_Finalize
    Ok(code)
}

fn run(comm: &MpiComm, a: &SweepArgs, sweep: &Sweep) -> u8 {
    let (rank, size) = (comm.rank(), comm.size());
    let mine = part(sweep.len(), size, rank);
    let local = run_points(sweep, mine, &|| {}).map_err(|e| {
        let e = CliError::from(e);
        Failure {
            code: e.code,
            message: e.message,
        }
    });
    let points = match agree(comm, local) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let results: Vec<&Value> = points.iter().map(|p| &p.result).collect();
    let text = match serde_json::to_vec(&results) {
        Ok(t) => t,
        Err(e) => abort(comm, FAILURE, &e.to_string()),
    };
    if rank != 0 {
        comm.send(0, Buf::F64(&[text.len() as f64]));
        comm.send(0, Buf::F64(&pack(&text)));
        return 0;
    }
    let mut all: Vec<Point> = points;
    for from in 1..size {
        let mut len = [0.0f64];
        comm.recv(from, BufMut::F64(&mut len));
        let n = len[0] as usize;
        let mut words = vec![0.0f64; n.div_ceil(PACK)];
        comm.recv(from, BufMut::F64(&mut words));
        let theirs: Vec<Value> = match serde_json::from_slice(&unpack(&words, n)) {
            Ok(v) => v,
            Err(e) => abort(comm, FAILURE, &format!("rank {from}: {e}")),
        };
        let start = part(sweep.len(), size, from).start;
        all.extend(theirs.into_iter().enumerate().map(|(i, result)| Point {
            values: sweep.values_json(start + i),
            result,
        }));
    }
    match finish(a, sweep, &all) {
        Ok(code) => code,
        Err(e) => abort(comm, e.code, &e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips_any_bytes() {
        for n in [0, 1, 5, 6, 7, 13, 300] {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            assert_eq!(unpack(&pack(&bytes), n), bytes);
        }
    }
}
