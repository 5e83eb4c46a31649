//! Stopping every rank with one clear error: agreement at points all ranks reach, MPI_Abort
//! for failures only one rank sees.

use crate::comm::Communicator;

/// Exit code for bad input (config, data, flags).
pub const BAD_INPUT: u8 = 2;
/// Exit code for a failure that is not the input's fault (e.g. writing a checkpoint).
pub const FAILURE: u8 = 1;

/// A failure on one rank: the exit code and the message to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Process exit code (2 bad input, 1 other).
    pub code: u8,
    /// The message, without the `error:` prefix.
    pub message: String,
}

impl Failure {
    /// A bad-input failure (exit 2).
    pub fn input(message: impl std::fmt::Display) -> Self {
        Failure {
            code: BAD_INPUT,
            message: message.to_string(),
        }
    }
}

impl From<downhill::Error> for Failure {
    fn from(e: downhill::Error) -> Self {
        Failure::input(e)
    }
}

/// The `error:` line a rank prints: the rank is named when there are several.
pub fn error_line<C: Communicator>(comm: &C, message: &str) -> String {
    if comm.size() > 1 {
        format!("error (rank {} of {}): {message}", comm.rank(), comm.size())
    } else {
        format!("error: {message}")
    }
}

/// Collective: every rank passes its own outcome of a phase all ranks reach (reading the config,
/// loading data or a shard, reading a checkpoint). If any rank failed, the lowest failing rank
/// prints its message (once for the whole job) and every rank gets `Err(code)` of that rank, to
/// finalise MPI and exit with it; otherwise every rank gets its value.
pub fn agree<C: Communicator, V>(comm: &C, local: Result<V, Failure>) -> Result<V, u8> {
    let mine = match &local {
        Ok(_) => 0.0,
        Err(f) => f64::from(f.code.max(1)),
    };
    let codes = comm.all_gather_f64(mine);
    let Some(first) = codes.iter().position(|&c| c != 0.0) else {
        return local.map_err(|f| f.code);
    };
    if let Err(f) = &local {
        if first == comm.rank() {
            eprintln!("{}", error_line(comm, &f.message));
        }
    }
    // Codes are small positive integers sent as f64, exactly.
    let code = codes[first] as u8;
    Err(code)
}

/// Unilateral: prints `message` on this rank and stops every rank with `code` (MPI_Abort).
/// For failures the other ranks cannot know about (e.g. rank 0 fails to write a checkpoint
/// while the others wait in the next reduction).
pub fn abort<C: Communicator>(comm: &C, code: u8, message: &str) -> ! {
    eprintln!("{}", error_line(comm, message));
    comm.abort(i32::from(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comm::ThreadComm;

    #[test]
    fn agreement_reports_the_lowest_failing_rank_everywhere() {
        let out = ThreadComm::run(4, |c| {
            let local = if c.rank() == 2 {
                Err(Failure::input("shard.csv:7:2: not a number"))
            } else if c.rank() == 3 {
                Err(Failure {
                    code: 1,
                    message: "other".into(),
                })
            } else {
                Ok(c.rank())
            };
            agree(c, local)
        });
        assert_eq!(out, vec![Err(2), Err(2), Err(2), Err(2)]);
        let ok = ThreadComm::run(3, |c| agree(c, Ok::<_, Failure>(c.rank())));
        assert_eq!(ok, vec![Ok(0), Ok(1), Ok(2)]);
    }
}
