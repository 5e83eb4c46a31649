//! Running a recorded vector graph: the plan (live nodes, one group per vector length, a
//! block slot per node, which adjoint writes assign and which accumulate) and the blocked
//! forward and backward sweeps.

use super::ops::{self, Bin, Un};
use super::{Graph, Input, SNode, Tape, VNode, VectorFn};

/// Elements per block: a few nodes' blocks of values and adjoints stay in L1/L2.
const BLOCK: usize = 512;

/// Where an operand's block lives: in the input at an offset, or in a node's block slot.
#[derive(Debug, Clone, Copy)]
enum Src {
    View(usize),
    Slot(usize),
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Un(Un),
    Bin(Bin),
}

/// One elementwise node of a group; `assign_*` say whether its backward step writes (first
/// contribution) or adds into each operand's adjoint block.
#[derive(Debug)]
struct Op {
    kind: Kind,
    out: usize,
    a: Src,
    b: Src,
    assign_a: bool,
    assign_b: bool,
    live: bool,
}

/// A reduction (`sum` when `b` is `None`, else `dot`) feeding scalar node `snode`; `map`:
/// the sum of `u(a)` for a unary node `u` whose only consumer is this sum (fused: its values
/// are never stored).
#[derive(Debug)]
struct Red {
    snode: usize,
    map: Option<Un>,
    a: Src,
    b: Option<Src>,
    assign_a: bool,
    assign_b: bool,
}

/// The vector nodes of one length, in recording order.
#[derive(Debug)]
struct Group {
    len: usize,
    /// The largest offset of a view in the group.
    max_offset: usize,
    slots: usize,
    ops: Vec<Op>,
    reds: Vec<Red>,
}

/// The reusable state of vector-tape evaluations: the tape, the plan and the block buffers.
/// Keep one per thread to evaluate many points without allocating.
#[derive(Debug, Default)]
pub struct Workspace {
    pub(super) tape: Tape,
    /// The graph the plan was made for: an identical recording reuses it.
    planned: Graph,
    groups: Vec<Group>,
    vals: Vec<f64>,
    adjs: Vec<f64>,
    sval: Vec<f64>,
    sadj: Vec<f64>,
    sums: Vec<f64>,
    seeds: Vec<f64>,
}

impl Workspace {
    /// Records `f` for an input of length `n` and plans its evaluation; returns the output's
    /// scalar node.
    fn record<F: VectorFn + ?Sized>(&mut self, f: &F, n: usize) -> usize {
        {
            let g = self.tape.graph.get_mut();
            g.n = n;
            g.vnodes.clear();
            g.snodes.clear();
        }
        let out = f
            .eval(Input {
                tape: &self.tape,
                n,
            })
            .id as usize;
        let g = self.tape.graph.get_mut();
        if *g == self.planned && !self.groups.is_empty() {
            return out;
        }
        self.planned.clone_from(g);
        self.groups = plan(g, out);
        let slots = self.groups.iter().map(|g| g.slots).max().unwrap_or(0);
        let ns = self.tape.graph.get_mut().snodes.len();
        for b in [&mut self.vals, &mut self.adjs] {
            b.clear();
            b.resize(slots * BLOCK, 0.0);
        }
        for b in [&mut self.sval, &mut self.sadj] {
            b.clear();
            b.resize(ns, 0.0);
        }
        out
    }

    /// `f(x)`: one forward sweep.
    pub fn value<F: VectorFn + ?Sized>(&mut self, f: &F, x: &[f64]) -> f64 {
        let out = self.record(f, x.len());
        self.sweep(x, None);
        self.scalar_forward();
        self.sval[out]
    }

    /// `f(x)`, and `∇f(x)` into `grad` (length `d`): one sweep forward and backward when the
    /// result is affine in its reductions, else a forward sweep for the reductions first.
    ///
    /// # Panics
    /// If `grad.len() != x.len()`, or on a slice or length mismatch inside `f`.
    pub fn gradient<F: VectorFn + ?Sized>(&mut self, f: &F, x: &[f64], grad: &mut [f64]) -> f64 {
        assert_eq!(grad.len(), x.len(), "gradient length");
        let out = self.record(f, x.len());
        let affine = degrees(&self.tape.graph.get_mut().snodes)[out] <= 1;
        if !affine {
            self.sweep(x, None);
        }
        self.scalar_forward();
        self.scalar_backward(out);
        self.sweep(x, Some(grad));
        self.scalar_forward();
        self.sval[out]
    }

    /// Runs every group block by block: forward, setting the reductions' values in `sval` (a
    /// backward sweep after a forward one recomputes the same bits), and, given `grad`,
    /// backward with the reductions' adjoints from `sadj`.
    ///
    /// The gradient is zeroed lazily, just ahead of the first block that writes each part of
    /// it (all of a block's writes fall below `start + max offset + block`), so that zeroing
    /// costs no separate pass over memory.
    fn sweep(&mut self, x: &[f64], mut grad: Option<&mut [f64]>) {
        let mut zeroed = 0;
        for g in &self.groups {
            self.sums.clear();
            self.sums.resize(g.reds.len(), 0.0);
            self.seeds.clear();
            self.seeds.extend(g.reds.iter().map(|r| self.sadj[r.snode]));
            for start in (0..g.len).step_by(BLOCK) {
                let bl = BLOCK.min(g.len - start);
                forward_block::<f64>(g, x, &mut self.vals, start, bl, &mut self.sums);
                if let Some(gr) = grad.as_deref_mut() {
                    let hi = (start + g.max_offset + bl).min(gr.len());
                    if hi > zeroed {
                        gr[zeroed..hi].fill(0.0);
                        zeroed = hi;
                    }
                    backward_block::<f64>(
                        g,
                        x,
                        &self.vals,
                        &mut self.adjs,
                        gr,
                        start,
                        bl,
                        &self.seeds,
                    );
                }
            }
            for (r, &s) in g.reds.iter().zip(&self.sums) {
                self.sval[r.snode] = s;
            }
        }
        if let Some(gr) = grad {
            let from = zeroed.min(gr.len());
            gr[from..].fill(0.0);
        }
    }

    fn scalar_forward(&mut self) {
        let snodes = &self.tape.graph.get_mut().snodes;
        let v = &mut self.sval;
        for (k, node) in snodes.iter().enumerate() {
            v[k] = match *node {
                SNode::Const(c) => c,
                SNode::Sum(_) | SNode::Dot(..) => v[k],
                SNode::Un(u, a) => u.f(v[a as usize]),
                SNode::Bin(b, p, q) => b.f(v[p as usize], v[q as usize]),
            };
        }
    }

    fn scalar_backward(&mut self, out: usize) {
        let snodes = &self.tape.graph.get_mut().snodes;
        let (v, adj) = (&self.sval, &mut self.sadj);
        adj.fill(0.0);
        adj[out] = 1.0;
        for k in (0..=out).rev() {
            let a = adj[k];
            if a == 0.0 {
                continue;
            }
            match snodes[k] {
                SNode::Un(u, p) => adj[p as usize] += a * u.d(v[p as usize], v[k]),
                SNode::Bin(b, p, q) => {
                    let (p, q) = (p as usize, q as usize);
                    let (da, db) = b.d(v[p], v[q], v[k]);
                    adj[p] += a * da;
                    adj[q] += a * db;
                }
                SNode::Const(_) | SNode::Sum(_) | SNode::Dot(..) => {}
            }
        }
    }
}

/// Degree of each scalar node in the reductions: 0 (constant), 1 (affine) or 2 (other).
pub(super) fn degrees(snodes: &[SNode]) -> Vec<u8> {
    let mut d = Vec::with_capacity(snodes.len());
    for node in snodes {
        let k = match *node {
            SNode::Const(_) => 0,
            SNode::Sum(_) | SNode::Dot(..) => 1,
            SNode::Un(u, a) => match d[a as usize] {
                0 => 0,
                x if u.affine() => x,
                _ => 2,
            },
            SNode::Bin(b, p, q) => {
                let (x, y): (u8, u8) = (d[p as usize], d[q as usize]);
                match b {
                    Bin::Add | Bin::Sub => x.max(y),
                    Bin::Mul if x == 0 || y == 0 => x.max(y),
                    Bin::Div if y == 0 => x,
                    _ => 2,
                }
            }
        };
        d.push(k);
    }
    d
}

/// The groups of live vector nodes reachable from scalar node `out`.
fn plan(g: &Graph, out: usize) -> Vec<Group> {
    let mut live_s = vec![false; g.snodes.len()];
    let mut live_v = vec![false; g.vnodes.len()];
    live_s[out] = true;
    for k in (0..=out).rev() {
        if !live_s[k] {
            continue;
        }
        match g.snodes[k] {
            SNode::Un(_, a) => live_s[a as usize] = true,
            SNode::Bin(_, a, b) => {
                live_s[a as usize] = true;
                live_s[b as usize] = true;
            }
            SNode::Sum(a) => live_v[a as usize] = true,
            SNode::Dot(a, b) => {
                live_v[a as usize] = true;
                live_v[b as usize] = true;
            }
            SNode::Const(_) => {}
        }
    }
    for k in (0..g.vnodes.len()).rev() {
        if live_v[k] {
            match g.vnodes[k].0 {
                VNode::Un(_, a) => live_v[a as usize] = true,
                VNode::Bin(_, a, b) => {
                    live_v[a as usize] = true;
                    live_v[b as usize] = true;
                }
                VNode::View(_) => {}
            }
        }
    }
    let mut uses = vec![0u32; g.vnodes.len()];
    for (k, &(node, _)) in g.vnodes.iter().enumerate() {
        if let (true, VNode::Un(_, a)) = (live_v[k], node) {
            uses[a as usize] += 1;
        } else if let (true, VNode::Bin(_, a, b)) = (live_v[k], node) {
            uses[a as usize] += 1;
            uses[b as usize] += 1;
        }
    }
    for (k, node) in g.snodes.iter().enumerate() {
        match (live_s[k], *node) {
            (true, SNode::Sum(a)) => uses[a as usize] += 1,
            (true, SNode::Dot(a, b)) => {
                uses[a as usize] += 1;
                uses[b as usize] += 1;
            }
            _ => {}
        }
    }
    // A unary node read only by one sum is fused into it.
    let mut fused = vec![false; g.vnodes.len()];
    for (k, node) in g.snodes.iter().enumerate() {
        if let (true, SNode::Sum(a)) = (live_s[k], *node) {
            let a = a as usize;
            fused[a] = uses[a] == 1 && matches!(g.vnodes[a].0, VNode::Un(..));
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut src = vec![Src::View(0); g.vnodes.len()];
    let group_of =
        |groups: &mut Vec<Group>, len: usize| match groups.iter().position(|gr| gr.len == len) {
            Some(i) => i,
            None => {
                groups.push(Group {
                    len,
                    max_offset: 0,
                    slots: 0,
                    ops: Vec::new(),
                    reds: Vec::new(),
                });
                groups.len() - 1
            }
        };
    for (k, &(node, len)) in g.vnodes.iter().enumerate() {
        if !live_v[k] || fused[k] {
            continue;
        }
        let (kind, a, b) = match node {
            VNode::View(off) => {
                src[k] = Src::View(off);
                let gi = group_of(&mut groups, len);
                groups[gi].max_offset = groups[gi].max_offset.max(off);
                continue;
            }
            VNode::Un(u, a) => (Kind::Un(u), a, a),
            VNode::Bin(op, a, b) => (Kind::Bin(op), a, b),
        };
        let gi = group_of(&mut groups, len);
        let gr = &mut groups[gi];
        src[k] = Src::Slot(gr.slots);
        gr.ops.push(Op {
            kind,
            out: gr.slots,
            a: src[a as usize],
            b: src[b as usize],
            assign_a: false,
            assign_b: false,
            live: false,
        });
        gr.slots += 1;
    }
    for (k, node) in g.snodes.iter().enumerate() {
        let (a, b) = match *node {
            SNode::Sum(a) if live_s[k] => (a, None),
            SNode::Dot(a, b) if live_s[k] => (a, Some(src[b as usize])),
            _ => continue,
        };
        let (node, len) = g.vnodes[a as usize];
        let (map, a) = match node {
            VNode::Un(u, p) if fused[a as usize] => (Some(u), src[p as usize]),
            _ => (None, src[a as usize]),
        };
        let gi = group_of(&mut groups, len);
        let gr = &mut groups[gi];
        gr.reds.push(Red {
            snode: k,
            map,
            a,
            b,
            assign_a: false,
            assign_b: false,
        });
    }
    for gr in &mut groups {
        let mut written = vec![false; gr.slots];
        let mut first = |s: Src| match s {
            Src::Slot(i) => !std::mem::replace(&mut written[i], true),
            Src::View(_) => false,
        };
        for r in &mut gr.reds {
            r.assign_a = first(r.a);
            if let Some(b) = r.b {
                r.assign_b = first(b);
            }
        }
        for op in gr.ops.iter_mut().rev() {
            // Live iff a consumer (processed before it) wrote its adjoint.
            op.live = !first(Src::Slot(op.out));
            if op.live {
                op.assign_a = first(op.a);
                if let Kind::Bin(_) = op.kind {
                    op.assign_b = first(op.b);
                }
            }
        }
    }
    groups
}

#[inline(always)]
fn block<'a>(s: Src, x: &'a [f64], vals: &'a [f64], start: usize, bl: usize) -> &'a [f64] {
    match s {
        Src::View(o) => &x[o + start..o + start + bl],
        Src::Slot(i) => &vals[i * BLOCK..i * BLOCK + bl],
    }
}

#[inline(always)]
fn block_mut<'a>(
    s: Src,
    grad: &'a mut [f64],
    adjs: &'a mut [f64],
    start: usize,
    bl: usize,
) -> &'a mut [f64] {
    match s {
        Src::View(o) => &mut grad[o + start..o + start + bl],
        Src::Slot(i) => &mut adjs[i * BLOCK..i * BLOCK + bl],
    }
}

crate::multiversion! {
    /// The forward pass of one block of a group: every op's block of values, and each
    /// reduction's block partial added into `sums`. (`T` only satisfies the macro.)
    #[allow(clippy::extra_unused_type_parameters)]
    fn forward_block<T: Float>(
        g: &Group,
        x: &[f64],
        vals: &mut [f64],
        start: usize,
        bl: usize,
        sums: &mut [f64],
    ) {
        for op in &g.ops {
            let (lo, hi) = vals.split_at_mut(op.out * BLOCK);
            let out = &mut hi[..bl];
            let a = block(op.a, x, lo, start, bl);
            match op.kind {
                Kind::Un(u) => u.map(out, a),
                Kind::Bin(b) => b.map(out, a, block(op.b, x, lo, start, bl)),
            }
        }
        for (r, s) in g.reds.iter().zip(sums.iter_mut()) {
            let a = block(r.a, x, vals, start, bl);
            *s += match (r.b, r.map) {
                (None, None) => ops::sum(a),
                (None, Some(u)) => ops::sum_map(u, a),
                (Some(b), _) => ops::dot(a, block(b, x, vals, start, bl)),
            };
        }
    }
}

crate::multiversion! {
    /// The backward pass of one block (its forward values in `vals`): the reductions' adjoints
    /// `seeds` into their operands, then every live op in reverse; views add into `grad`.
    #[allow(clippy::extra_unused_type_parameters, clippy::too_many_arguments)]
    fn backward_block<T: Float>(
        g: &Group,
        x: &[f64],
        vals: &[f64],
        adjs: &mut [f64],
        grad: &mut [f64],
        start: usize,
        bl: usize,
        seeds: &[f64],
    ) {
        for (r, &s) in g.reds.iter().zip(seeds) {
            if let Some(u) = r.map {
                let a = block(r.a, x, vals, start, bl);
                ops::seed_map(block_mut(r.a, grad, adjs, start, bl), s, u, a, r.assign_a);
                continue;
            }
            let b = r.b.map(|b| block(b, x, vals, start, bl));
            ops::seed(block_mut(r.a, grad, adjs, start, bl), s, b, r.assign_a);
            if let Some(b) = r.b {
                let a = block(r.a, x, vals, start, bl);
                ops::seed(block_mut(b, grad, adjs, start, bl), s, Some(a), r.assign_b);
            }
        }
        for op in g.ops.iter().rev().filter(|op| op.live) {
            let (lo, hi) = adjs.split_at_mut(op.out * BLOCK);
            let gout = &hi[..bl];
            let y = &vals[op.out * BLOCK..op.out * BLOCK + bl];
            let a = block(op.a, x, vals, start, bl);
            match op.kind {
                Kind::Un(u) => u.back(block_mut(op.a, grad, lo, start, bl), gout, a, y, op.assign_a),
                Kind::Bin(bop) => {
                    let b = block(op.b, x, vals, start, bl);
                    bop.back_a(block_mut(op.a, grad, lo, start, bl), gout, b, op.assign_a);
                    bop.back_b(block_mut(op.b, grad, lo, start, bl), gout, a, b, y, op.assign_b);
                }
            }
        }
    }
}
