"""Long runs of schedule-free AdamW against the `schedulefree` package (not a reference generator).

The tour's seed001-lr-free experiment finds that at lr >= 20 a run of adamw_schedule_free can end
in a transient of its averaged point. This script checks that the package shows the same on a
copy of that problem (seed 001's regression, drawn here with NumPy), and how far downhill and the
package agree over 500-2000 steps: to 1e-15 at small lr; at large lr the iterates are chaotic and
last-bit differences grow (about 1e-3 relative after 1000 steps at lr 21.5).

    python compare_schedulefree_long.py    # needs numpy, torch, schedulefree and downhill
Printed with schedulefree 1.4.1, torch 2.15 (session 10).
"""
import numpy as np, torch, schedulefree, downhill
torch.set_default_dtype(torch.float64)
rng=np.random.default_rng(0)
X=rng.normal(size=(1000,2)); y=X@np.array([2,-3.4])+4.2+0.01*rng.normal(size=1000)
A=np.hstack([X,np.ones((1000,1))])
def grad(p): r=A@p-y; return A.T@r/1000
def loss(p): r=A@p-y; return 0.5*np.mean(r*r)
for lr in [0.1, 1.0, 21.5, 46.4, 100.0]:
    for T in [500,1000,2000]:
        # torch reference
        p=torch.zeros(3,requires_grad=True)
        opt=schedulefree.AdamWScheduleFree([p],lr=lr); opt.train()
        for t in range(T):
            opt.zero_grad(); p.grad=torch.tensor(grad(p.detach().numpy()))
            opt.step()
        opt.eval(); ref=p.detach().numpy().copy()
        o=downhill.optim.AdamWScheduleFree(lr=lr); q=np.zeros(3)
        for t in range(T): o.step(q, grad(q))
        ours=o.eval_point(q)
        print(f"lr {lr:6} T {T:5} ref loss {loss(ref):.4e} ours {loss(ours):.4e} max rel {np.max(np.abs(ours-ref)/np.abs(ref)):.1e}")
