fn main() {
    let u = mpi::initialize().unwrap();
    use mpi::traits::*;
    println!("{} of {}", u.world().rank(), u.world().size());
}
