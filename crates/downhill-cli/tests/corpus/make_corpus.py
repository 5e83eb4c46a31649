#!/usr/bin/env python3
"""Writes the bad-input corpus files and expect.toml (run once; the files are committed).

Each case: file name, contents (str or bytes), command args ("{file}" = the file's path),
expected exit code, and a fragment the combined stdout+stderr must contain.
"""
import os

OPT_SGD = '[optimizer]\nname = "sgd"\nlr = 0.1\n'
PROB = '[problem]\nfunction = "sphere"\nx0 = [1.0, 2.0]\n'
RUN = '[run]\nsteps = 5\n'
BASE = PROB + OPT_SGD + RUN

def opt(name, extra):
    return PROB + f'[optimizer]\nname = "{name}"\n{extra}\n' + RUN

def sched(extra, optimizer=OPT_SGD):
    return PROB + optimizer + RUN + '[schedule]\n' + extra + '\n'

cases = []
def case(name, contents, exit, contains, args=("run", "{file}"), data=()):
    """`data`: (file name, contents) of the inputs the config names (CSV, .npy)."""
    cases.append((name, contents, list(args), exit, contains, list(data)))

# --- files that must work (exit 0) ---
case("ok_sgd.toml", BASE, 0, "sphere")
case("ok_schedule.toml", sched('name = "step_lr"\nstep_size = 2\ngamma = 0.5'), 0, "lr", ("schedule", "{file}"))
case("ok_crlf_bom.toml", "\ufeff".encode() + BASE.replace("\n", "\r\n").encode(), 0, "sphere")
# --- empty / garbage / encoding ---
case("empty.toml", "", 2, "missing table [problem]")
case("whitespace_only.toml", "   \n\n\t\n", 2, "missing table [problem]")
case("binary_garbage.toml", bytes(range(256)) * 4, 2, "not UTF-8")
case("nul_bytes.toml", b"\x00\x00\x00[problem]\x00", 2, "invalid TOML")
case("latin1.toml", BASE.replace("sphere", "sph\xe8re").encode("latin-1"), 2, "not UTF-8")
case("utf16.toml", BASE.encode("utf-16"), 2, "not UTF-8")
case("missing_file_placeholder", None, 2, "cannot read")
# --- malformed TOML ---
case("unclosed_table.toml", "[problem\nfunction = \"sphere\"\n", 2, "invalid TOML")
case("unclosed_string.toml", "[problem]\nfunction = \"sphere\n", 2, "invalid TOML")
case("duplicate_key.toml", BASE + "[run]\nsteps = 6\n", 2, "invalid TOML")
case("duplicate_key_inline.toml", PROB.replace("x0 = [1.0, 2.0]", "x0 = [1.0]\nx0 = [2.0]") + OPT_SGD + RUN, 2, "invalid TOML")
case("bare_value.toml", "= 3\n", 2, "invalid TOML")
case("unclosed_array.toml", "[problem]\nx0 = [1.0, 2.0\n", 2, "invalid TOML")
case("deep_arrays.toml", "[problem]\nx0 = " + "[" * 100000 + "]" * 100000 + "\n", 2, "invalid TOML")
case("deep_inline_tables.toml", "a = " + "{b = " * 50000 + "1" + "}" * 50000 + "\n", 2, "invalid TOML")
case("huge_integer.toml", BASE.replace("steps = 5", "steps = 99999999999999999999999"), 2, "key `steps`")
# --- unknown tables / keys / names ---
case("unknown_table.toml", BASE + "[extra]\na = 1\n", 2, "unknown table or key `extra`")
case("unknown_problem_key.toml", BASE.replace("x0 = [1.0, 2.0]", "x0 = [1.0, 2.0]\nstart = 3"), 2, "unknown field `start`")
case("unknown_optimizer_key.toml", opt("adam", "lr = 0.1\nbeta1 = 0.9"), 2, "unknown field `beta1`")
case("unknown_optimizer.toml", opt("adamm", "lr = 0.1"), 2, "adamm")
case("unknown_function.toml", BASE.replace('"sphere"', '"spher"'), 2, "unknown_function.toml:2:1: [problem] key `function`: unknown function `spher` (did you mean `sphere`?); known: sphere,")
case("unknown_function_compare.toml", PROB.replace('"sphere"', '"rosenbrok"') + RUN + '[[optimizers]]\nname = "sgd"\nlr = 0.1\n', 2, ":2:1: [problem] key `function`: unknown function `rosenbrok` (did you mean `rosenbrock`?)", ("compare", "{file}"))
case("x0_too_long.toml", BASE.replace('"sphere"', '"beale"').replace("[1.0, 2.0]", "[1.0, 2.0, 3.0]"), 2, "x0_too_long.toml:3:1: [problem] key `x0`: x0 has 3 values, but `beale` is 2-dimensional (did you mean x0 = [1.0, 2.0]?)")
case("x0_too_short.toml", BASE.replace('"sphere"', '"rosenbrock"').replace("[1.0, 2.0]", "[1.0]"), 2, "x0_too_short.toml:3:1: [problem] key `x0`: x0 has 1 value, but `rosenbrock` takes at least 2 values (did you mean x0 = [1.0, 0.0]?)")
case("x0_expression_length.toml", BASE.replace('function = "sphere"', 'expression = "x^2 + y^2 + z^2"\nvars = ["x", "y", "z"]'), 2, "x0_expression_length.toml:4:1: [problem] key `x0`: x0 has 2 values, but 3 variables (x, y, z) (did you mean x0 = [1.0, 2.0, 0.0]?)")
case("unknown_schedule.toml", sched('name = "step"'), 2, "step")
case("unknown_schedule_key.toml", sched('name = "step_lr"\nstep_size = 2\nstepsize = 3'), 2, "unknown field `stepsize`")
case("missing_optimizer.toml", PROB + RUN, 2, "missing table [optimizer]")
case("missing_name.toml", PROB + "[optimizer]\nlr = 0.1\n" + RUN, 2, "missing key `name`")
case("name_not_string.toml", PROB + "[optimizer]\nname = 3\n" + RUN, 2, "`name` must be a string")
case("optimizer_not_table.toml", PROB + 'optimizer = "sgd"\n' + RUN, 2, "unknown field `optimizer`")
# --- wrong types ---
case("x0_string.toml", BASE.replace("[1.0, 2.0]", '"1,2"'), 2, "x0")
case("steps_float.toml", BASE.replace("steps = 5", "steps = 5.5"), 2, "steps")
case("steps_negative.toml", BASE.replace("steps = 5", "steps = -1"), 2, "steps")
case("lr_string.toml", BASE.replace("lr = 0.1", 'lr = "0.1"'), 2, "lr")
case("x0_mixed.toml", BASE.replace("[1.0, 2.0]", '[1.0, "a"]'), 2, "x0")
case("precision_bad.toml", BASE + 'precision = "f16"\n', 2, "f16")
# --- non-finite / dimension ---
case("x0_nan.toml", BASE.replace("[1.0, 2.0]", "[nan, 1.0]"), 2, "x0")
case("x0_inf.toml", BASE.replace("[1.0, 2.0]", "[inf, 1.0]"), 2, "x0")
case("x0_f32_overflow.toml", BASE.replace("[1.0, 2.0]", "[1e39, 1.0]") + 'precision = "f32"\n', 2, "x0[0]")
case("x0_huge.toml", BASE.replace("[1.0, 2.0]", "[1e400, 1.0]"), 2, "x0")
case("x0_empty.toml", BASE.replace("[1.0, 2.0]", "[]"), 2, "x0")
case("x0_wrong_dim.toml", BASE.replace('"sphere"', '"booth"').replace("[1.0, 2.0]", "[1.0, 2.0, 3.0]"), 2, "x0")
case("rosenbrock_1d.toml", BASE.replace('"sphere"', '"rosenbrock"').replace("[1.0, 2.0]", "[1.0]"), 2, "x0")
case("lr_nan.toml", BASE.replace("lr = 0.1", "lr = nan"), 2, "`lr`")
case("lr_inf.toml", BASE.replace("lr = 0.1", "lr = inf"), 2, "`lr`")
case("h_zero.toml", BASE.replace("x0 = [1.0, 2.0]", 'x0 = [1.0, 2.0]\ngradient = "numeric"\nh = 0.0'), 2, "h")
case("tolerance_negative.toml", BASE + "tolerance = -1.0\n", 2, "tolerance")
# --- PyTorch's constructor checks ---
case("sgd_negative_lr.toml", opt("sgd", "lr = -0.1"), 2, "`lr`: -0.1 (must be >= 0)")
case("sgd_negative_momentum.toml", opt("sgd", "lr = 0.1\nmomentum = -0.5"), 2, "`momentum`")
case("sgd_negative_weight_decay.toml", opt("sgd", "lr = 0.1\nweight_decay = -1e-4"), 2, "`weight_decay`")
case("sgd_nesterov_dampening.toml", opt("sgd", "lr = 0.1\nmomentum = 0.9\nnesterov = true\ndampening = 0.1"), 2, "nesterov")
case("sgd_nesterov_no_momentum.toml", opt("sgd", "lr = 0.1\nnesterov = true"), 2, "nesterov")
case("adam_negative_eps.toml", opt("adam", "lr = 0.1\neps = -1e-8"), 2, "`eps`")
case("adam_beta1_one.toml", opt("adam", "betas = [1.0, 0.999]"), 2, "betas[0]")
case("adam_beta2_negative.toml", opt("adam", "betas = [0.9, -0.1]"), 2, "betas[1]")
case("adam_betas_len3.toml", opt("adam", "betas = [0.9, 0.99, 0.5]"), 2, "invalid length 3")
case("adam_betas_len1.toml", opt("adamw", "betas = [0.9]"), 2, "invalid length 1")
case("adamw_negative_wd.toml", opt("adamw", "weight_decay = -0.01"), 2, "`weight_decay`")
case("rmsprop_negative_alpha.toml", opt("rmsprop", "alpha = -0.9"), 2, "`alpha`")
case("rmsprop_negative_momentum.toml", opt("rmsprop", "momentum = -0.9"), 2, "`momentum`")
case("adagrad_negative_lr_decay.toml", opt("adagrad", "lr_decay = -1.0"), 2, "`lr_decay`")
case("adadelta_rho.toml", opt("adadelta", "rho = 1.5"), 2, "`rho`")
case("nadam_negative_momentum_decay.toml", opt("nadam", "momentum_decay = -1.0"), 2, "`momentum_decay`")
case("radam_beta.toml", opt("radam", "betas = [0.9, 1.0]"), 2, "betas[1]")
case("adamax_beta.toml", opt("adamax", "betas = [-0.1, 0.9]"), 2, "betas[0]")
case("lion_negative_lr.toml", opt("lion", "lr = -1e-4"), 2, "`lr`")
case("momentum_negative.toml", opt("momentum", "lr = 0.1\nmomentum = -0.1"), 2, "`momentum`")
case("lbfgs_negative_lr.toml", opt("lbfgs", "lr = -1.0"), 2, "`lr`")
# --- schedules ---
case("step_lr_zero_step.toml", sched('name = "step_lr"\nstep_size = 0'), 2, "step_size")
case("multistep_nonincreasing.toml", sched('name = "multi_step_lr"\nmilestones = [3, 2]'), 2, "milestones")
# PyTorch's MultiStepLR counts a repeated milestone (gamma applied twice); the hardening
# issue asks for strictly increasing milestones, so Downhill refuses it.
case("multistep_repeated.toml", sched('name = "multi_step_lr"\nmilestones = [2, 2]'), 2, "strictly increasing")
case("warm_restarts_t0_zero.toml", sched('name = "cosine_annealing_warm_restarts"\nt_0 = 0'), 2, "t_0")
case("warm_restarts_tmult_zero.toml", sched('name = "cosine_annealing_warm_restarts"\nt_0 = 2\nt_mult = 0'), 2, "t_mult")
case("one_cycle_total_zero.toml", sched('name = "one_cycle_lr"\nmax_lr = 0.1\ntotal_steps = 0'), 2, "total_steps")
case("one_cycle_pct_start.toml", sched('name = "one_cycle_lr"\nmax_lr = 0.1\ntotal_steps = 10\npct_start = 1.5'), 2, "pct_start")
case("one_cycle_pct_negative.toml", sched('name = "one_cycle_lr"\nmax_lr = 0.1\ntotal_steps = 10\npct_start = -0.1'), 2, "pct_start")
case("cosine_tmax_zero.toml", sched('name = "cosine_annealing_lr"\nt_max = 0'), 2, "t_max")
case("linear_start_factor.toml", sched('name = "linear_lr"\nstart_factor = 0.0'), 2, "start_factor")
case("constant_factor.toml", sched('name = "constant_lr"\nfactor = 1.5'), 2, "factor")
case("cyclic_step_zero.toml", sched('name = "cyclic_lr"\nbase_lr = 0.01\nmax_lr = 0.1\nstep_size_up = 0'), 2, "step_size_up")
case("exponential_gamma_nan.toml", sched('name = "exponential_lr"\ngamma = nan'), 2, "gamma")
case("sequential_empty.toml", sched('name = "sequential_lr"\nmilestones = []'), 2, "")
case("plateau_factor.toml", sched('name = "reduce_lr_on_plateau"\nfactor = 1.0'), 2, "factor")
case("schedule_on_solver.toml", sched('name = "step_lr"\nstep_size = 2', '[optimizer]\nname = "lbfgs"\n'), 2, "lbfgs")
case("schedule_huge_steps.toml", sched('name = "step_lr"\nstep_size = 2'), 2, "at most 10000000 steps", ("schedule", "{file}", "--steps", "100000000000000"))
# `downhill run` keeps x after every step: 1e11 steps would grow until memory runs out.
case("run_huge_steps.toml", BASE.replace("steps = 5", "steps = 100000000000"), 2, "[run] key `steps`: invalid value for `steps`: 100000000000 (at most")
case("schedule_huge_run_steps.toml", sched('name = "step_lr"\nstep_size = 2').replace("steps = 5", "steps = 18446744073709551615"), 2, "at most 10000000 steps", ("schedule", "{file}"))
# --- issue 29 item 7: per-group lists and resuming with last_epoch ---
case("schedule_group_list_length.toml", sched('name = "cyclic_lr"\nbase_lr = [0.01, 0.02]\nmax_lr = 0.1', '[optimizer]\nname = "sgd"\nlr = 0.1\nmomentum = 0.9\n'), 2, ":12:1: [schedule] key `base_lr`", ("schedule", "{file}"))
case("schedule_last_epoch_without_initial_lr.toml", sched('name = "step_lr"\nstep_size = 2\nlast_epoch = 4'), 2, ":12:1: [schedule] key `last_epoch`", ("schedule", "{file}"))
case("schedule_last_epoch_on_chained.toml", sched('name = "chained_scheduler"\nlast_epoch = 4\ninitial_lr = 0.1\n[[schedule.schedulers]]\nname = "exponential_lr"\ngamma = 0.9'), 2, "[schedule] key `last_epoch`", ("schedule", "{file}"))
case("ok_schedule_resume.toml", sched('name = "exponential_lr"\ngamma = 0.9\nlast_epoch = 4\ninitial_lr = 0.2'), 0, "lr", ("schedule", "{file}"))
# --- validation audit: the rest of PyTorch's constructor checks ---
case("adagrad_negative_initial_accumulator.toml", opt("adagrad", "initial_accumulator_value = -1.0"), 2, "`initial_accumulator_value`")
case("adagrad_negative_eps.toml", opt("adagrad", "eps = -1.0"), 2, "`eps`")
case("adadelta_negative_rho.toml", opt("adadelta", "rho = -0.1"), 2, "`rho`")
case("adamax_negative_eps.toml", opt("adamax", "eps = -1.0"), 2, "`eps`")
case("radam_negative_wd.toml", opt("radam", "weight_decay = -1.0"), 2, "`weight_decay`")
case("nadam_beta.toml", opt("nadam", "betas = [1.5, 0.9]"), 2, "betas[0]")
case("lion_beta.toml", opt("lion", "betas = [0.9, 1.0]"), 2, "betas[1]")
case("linear_end_factor.toml", sched('name = "linear_lr"\nend_factor = 1.5'), 2, "end_factor")
case("cyclic_bad_mode.toml", sched('name = "cyclic_lr"\nbase_lr = 0.01\nmax_lr = 0.1\nmode = "square"'), 2, "square")
case("plateau_bad_mode.toml", sched('name = "reduce_lr_on_plateau"\nmode = "median"'), 2, "median")
case("plateau_bad_threshold_mode.toml", sched('name = "reduce_lr_on_plateau"\nthreshold_mode = "pct"'), 2, "pct")
case("one_cycle_bad_strategy.toml", sched('name = "one_cycle_lr"\nmax_lr = 0.1\ntotal_steps = 10\nanneal_strategy = "exp"'), 2, "exp")
case("sequential_milestone_count.toml", sched('name = "sequential_lr"\nmilestones = [2, 4]\n[[schedule.schedulers]]\nname = "constant_lr"\n[[schedule.schedulers]]\nname = "exponential_lr"\ngamma = 0.9'), 2, "milestones")
# --- compare ---
CMP = PROB + RUN + '[[optimizers]]\nname = "sgd"\nlr = 0.1\n'
C = ("compare", "{file}")
case("ok_compare_hostile_label.toml", CMP + 'label = "<script>alert(1)</script>"\n', 0, "<script>alert(1)</script>", C)
case("compare_no_optimizers.toml", PROB + RUN, 2, "optimizers", C)
case("compare_empty_optimizers.toml", PROB + RUN + "optimizers = []\n", 2, "", C)
case("compare_label_number.toml", CMP + "label = 3\n", 2, "label", C)
case("compare_negative_lr.toml", CMP.replace("lr = 0.1", "lr = -0.1"), 2, "`lr`", C)
case("compare_x0_nan.toml", CMP.replace("[1.0, 2.0]", "[nan, 2.0]"), 2, "x0", C)
case("compare_wrong_dim.toml", CMP.replace('"sphere"', '"beale"').replace("[1.0, 2.0]", "[1.0]"), 2, "x0", C)
case("compare_bad_beta.toml", CMP + '[[optimizers]]\nname = "adam"\nbetas = [0.9, 1.0]\n', 2, "betas[1]", C)
case("compare_unknown_key.toml", CMP + "colour = 1\n", 2, "colour", C)
case("compare_bad_schedule.toml", CMP + '[schedule]\nname = "one_cycle_lr"\nmax_lr = 0.1\ntotal_steps = 0\n', 2, "total_steps", C)
case("plot_bad_json.json", "{not json", 2, "", ("plot", "{file}", "--out", "/nonexistent-dir/x.svg"))
case("plot_wrong_json.json", '{"x": [1, 2]}', 2, "", ("plot", "{file}", "--out", "/nonexistent-dir/x.svg"))
# --- expressions ---
def expr(e, x0="[1.0, 2.0]", vars='["x", "y"]'):
    return f'[problem]\nexpression = "{e}"\nvars = {vars}\nx0 = {x0}\n' + OPT_SGD + RUN
case("ok_expr.toml", expr("(1 - x)^2 + (y - x^2)^2"), 0, "")
case("expr_syntax.toml", expr("(x + * y"), 2, "expr")
case("expr_unclosed.toml", expr("(x + y"), 2, "expr")
case("expr_unknown_var.toml", expr("x + z"), 2, "z")
case("expr_unknown_func.toml", expr("foo(x) + y"), 2, "foo")
case("expr_empty.toml", expr(""), 2, "")
case("expr_deep_parens.toml", expr("(" * 100000 + "x" + ")" * 100000 + " + y"), 0, "")
case("expr_deep_unclosed.toml", expr("(" * 100000 + "x"), 2, "")
case("expr_deep_unary.toml", expr("-" * 100000 + "x + y"), 0, "")
case("expr_deep_power.toml", expr("x" + "^x" * 50000 + " + y", x0="[1.0, 2.0]"), 0, "")
case("expr_1mb.toml", expr("+".join(["x*y"] * 260000)), 0, "")
case("expr_1mb_garbage.toml", expr("x" + ")(" * 500000), 2, "")
case("expr_ln_negative.toml", expr("ln(x) + y", x0="[-1.0, 2.0]"), 2, "undefined at x0")
case("expr_div_zero.toml", expr("1/x + y", x0="[0.0, 2.0]"), 2, "undefined at x0")
case("expr_sqrt_negative.toml", expr("sqrt(x) + y", x0="[-4.0, 2.0]"), 2, "undefined at x0")
case("expr_empty_vars.toml", expr("x", vars="[]"), 2, "vars")
case("expr_duplicate_vars.toml", expr("x", vars='["x", "x"]', x0="[1.0, 1.0]"), 2, "`x`")
case("expr_reserved_var.toml", expr("sin", vars='["sin"]', x0="[1.0]"), 2, "sin")
case("expr_x0_dim.toml", expr("x + y", x0="[1.0]"), 2, "x0")
case("expr_and_function.toml", expr("x + y").replace("[problem]\n", '[problem]\nfunction = "sphere"\n'), 2, "")
case("expr_non_ascii.toml", expr("x + \u00e9 + y"), 2, "")
case("minimize_expr_syntax", None, 2, "", ("minimize", "--expr", "x +", "--vars", "x", "--x0", "1"))
case("minimize_expr_ln", None, 2, "undefined at x0", ("minimize", "--expr", "ln(x)", "--vars", "x", "--x0=-1"))
# --- downhill train: CSV, .npy, [model], [train] (paths relative to files/, the test's cwd) ---
import struct
def npy(shape, values, descr="<f8", fortran=False, cut=0):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", "".join(f"{d}," for d in shape) if len(shape) == 1 else ", ".join(map(str, shape)))
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    fmt = {"<f8": "<%dd", "<f4": "<%df", "<i8": "<%dq", ">f8": ">%dd"}[descr]
    data = struct.pack(fmt % len(values), *values)
    out = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data
    return out[: len(out) - cut] if cut else out

def train(data, model='kind = "linear"', train_extra=""):
    return ("[data]\n" + data + "\n[model]\n" + model + '\n[optimizer]\nname = "sgd"\nlr = 0.01\n'
            + "[train]\nepochs = 2\nbatch_size = 2\nseed = 1\n" + train_extra + "\n")
T = ("train", "{file}")
case("unknown_dataset.toml", train('source = "digts"'), 2, "unknown_dataset.toml:2:1: [data] key `source`: unknown dataset `digts` (did you mean `digits`?); known: csv, npy, synthetic_linreg,", T)
def csv_case(name, text, exit, contains):
    case(name + ".toml", train('source = "csv"\npath = "%s"\ntarget = "y"' % name), exit, contains, ("train", "{file}"), [(name, text)])
ROWS = "1,2,3\n4,5,6.5\n7,8,9\n1.5,2.5,4\n"
csv_case("ok_bom_crlf_quoted.csv", "\ufeff" + 'a,"b",y\r\n"1.5",2e-3,1E1\r\n3,-4.0e+0,0.5\r\n5,6,7\r\n8,9,10', 0, "")
csv_case("ok_columns_any_order.csv", "y,b,a\n" + ROWS + "2,3,4\n", 0, "")
csv_case("csv_text_cell.csv", "a,b,y\n1,2,3\n4,abc,6\n", 2, "csv_text_cell.csv")
csv_case("csv_ragged_row.csv", "a,b,y\n1,2,3\n4,5\n", 2, "csv_ragged_row.csv")
csv_case("csv_missing_target.csv", "a,b,z\n" + ROWS, 2, "`y`")
csv_case("csv_empty.csv", "", 2, "csv_empty.csv")
csv_case("csv_header_only.csv", "a,b,y\n", 2, "csv_header_only.csv")
csv_case("csv_duplicate_header.csv", "a,a,y\n" + ROWS, 2, "duplicate column name")
csv_case("csv_nan.csv", "a,b,y\n1,2,3\n4,NaN,6\n", 2, "csv_nan.csv")
csv_case("csv_inf.csv", "a,b,y\n1,2,3\n4,inf,6\n", 2, "csv_inf.csv")
csv_case("csv_binary.csv", bytes(range(256)), 2, "csv_binary.csv")
csv_case("csv_latin1.csv", "a,b\xe9,y\n1,2,3\n".encode("latin-1"), 2, "csv_latin1.csv")
case("csv_no_file.toml", train('source = "csv"\npath = "does-not-exist.csv"\ntarget = "y"'), 2, "does-not-exist.csv", T)
case("csv_feature_missing.toml", train('source = "csv"\npath = "ok_columns_any_order.csv"\ntarget = "y"\nfeatures = ["a", "c"]'), 2, "`c`", T)
case("csv_features_empty.toml", train('source = "csv"\npath = "ok_columns_any_order.csv"\ntarget = "y"\nfeatures = []'), 2, "no feature columns", T)
X = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
Y = [1.0, 2.0, 3.0, 4.0]
def npy_case(name, xbytes, ybytes, exit, contains):
    case(name + ".toml", train('source = "npy"\npath = "%s_x.npy"\ntarget_path = "%s_y.npy"' % (name, name)), exit, contains, T,
         [(name + "_x.npy", xbytes), (name + "_y.npy", ybytes)])
npy_case("ok_npy_f64", npy([4, 2], X), npy([4], Y), 0, "")
npy_case("ok_npy_f32", npy([4, 2], X, "<f4"), npy([4], Y, "<f4"), 0, "")
npy_case("npy_truncated", npy([4, 2], X, cut=9), npy([4], Y), 2, "npy_truncated_x.npy")
npy_case("npy_misshaped", npy([4, 2], X), npy([3], Y[:3]), 2, "shape")
npy_case("npy_fortran", npy([4, 2], X, fortran=True), npy([4], Y), 2, "Fortran")
npy_case("npy_int64", npy([4, 2], [int(v) for v in X], "<i8"), npy([4], Y), 2, "dtype")
npy_case("npy_garbage", b"\x93NUMPY garbage", npy([4], Y), 2, "npy_garbage_x.npy")
npy_case("npy_nan", npy([4, 2], [float("nan")] + X[1:]), npy([4], Y), 2, "non-finite")
npy_case("npy_huge_shape", npy([4, 2], X).replace(b"(4, 2)", b"(4000000000000, 2)"), npy([4], Y), 2, "npy_huge_shape_x.npy")
npy_case("npy_shape_beyond_payload", npy([10**15, 2], X), npy([4], Y), 2, "truncated .npy file")
# Found by the npy fuzzer (a timeout: nested braces in the header made its parser backtrack).
import base64
FUZZ_NPY = base64.b64decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYX9/f39/f39/f39/f39/f39/f39/f39/bl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoNCwpLCAgICAgICAgICAgICAgIHt7e3t7e3t7e3t7e3t7e3t7eyAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAACAgICAgICAgICAgCgAAAAAAAPA/AAAAAAAAAEAAAAAAAAAIQAAAAAAAABBA")
npy_case("fuzz_npy_nested_header", FUZZ_NPY, npy([4], Y), 2, "malformed or unsupported .npy header")
# Found by `cargo fuzz run npy` (out-of-memory): a version-3 header length of ~4 GB in a 29-byte file.
FUZZ_NPY_OOM = base64.b64decode("k05VTVBZAwANCpT/k05VTVBZAwCU/79zv3NjWQE=")
npy_case("fuzz_npy_header_len_oom", FUZZ_NPY_OOM, npy([4], Y), 2, "truncated .npy file")
# Found by the npy fuzzer (a panic, 2026-11-30): a shape whose element count overflows u64 made
# npyz's header parser overflow in `shape.iter().product()` (checked before it runs now).
FUZZ_NPY_SHAPE_OVERFLOW = base64.b64decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAwMDcwMDQwMDc1MzIsNDEwNDEzNzgzMjgwLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgHiAgAABAJhhAAAAlAABZAQ==")
npy_case("fuzz_npy_shape_overflow", FUZZ_NPY_SHAPE_OVERFLOW, npy([4], Y), 2, "overflows 64 bits")
# Found by the same fuzzer right after: a leading 0 keeps the count at 0, but npyz's strides
# (products of the other dimensions) overflowed.
FUZZ_NPY_STRIDE_OVERFLOW = base64.b64decode("k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsMjAwMDAwMDM3NjYsNDEwNDEzNzgzMjg3LCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAAAQCYYQAAAJQAAWQE=")
npy_case("fuzz_npy_stride_overflow", FUZZ_NPY_STRIDE_OVERFLOW, npy([4], Y), 2, "overflows 64 bits")
SYN = 'source = "synthetic_linreg"'
case("train_hidden_zero.toml", train(SYN, 'kind = "mlp"\nhidden = [8, 0]'), 2, "hidden", T)
case("train_epochs_zero.toml", train(SYN).replace("epochs = 2", "epochs = 0"), 2, "epochs", T)
case("train_batch_zero.toml", train(SYN).replace("batch_size = 2", "batch_size = 0"), 2, "batch_size", T)
case("train_val_fraction.toml", train(SYN + "\nvalidation_fraction = 1.5"), 2, "validation_fraction", T)
case("train_unknown_source.toml", train('source = "mnist_6m"'), 2, "mnist_6m", T)
case("train_unknown_key.toml", train(SYN, train_extra="epoch = 3"), 2, "epoch", T)
case("train_bad_lr.toml", train(SYN).replace("lr = 0.01", "lr = -0.01"), 2, "`lr`", T)
# --- issue 14: asgd, adafactor, muon ---
case("asgd_negative_lambd.toml", opt("asgd", "lambd = -1e-4"), 2, "lambd")
case("asgd_negative_alpha.toml", opt("asgd", "alpha = -0.75"), 2, "`alpha`")
case("asgd_negative_weight_decay.toml", opt("asgd", "weight_decay = -0.1"), 2, "weight_decay")
case("adafactor_positive_beta2_decay.toml", opt("adafactor", "beta2_decay = 0.5"), 2, "beta2_decay")
case("adafactor_negative_eps2.toml", opt("adafactor", 'eps = ["none", -1e-3]'), 2, "eps[1]")
case("adafactor_negative_eps1.toml", opt("adafactor", "eps = [-1e-30, 1e-3]"), 2, "eps[0]")
case("adafactor_bad_eps_word.toml", opt("adafactor", 'eps = ["auto", 1e-3]'), 2, "auto")
case("adafactor_d_below_one.toml", opt("adafactor", "d = 0.5"), 2, "`d`")
case("adafactor_negative_weight_decay.toml", opt("adafactor", "weight_decay = -0.1"), 2, "weight_decay")
case("muon_negative_momentum.toml", opt("muon", "momentum = -0.5"), 2, "momentum")
case("muon_negative_weight_decay.toml", opt("muon", "weight_decay = -0.1"), 2, "weight_decay")
case("muon_ns_steps_100.toml", opt("muon", "ns_steps = 100"), 2, "ns_steps")
case("muon_ns_coefficients_len2.toml", opt("muon", "ns_coefficients = [3.4, -4.7]"), 2, "invalid length 2")
case("muon_bad_adjust_lr_fn.toml", opt("muon", 'adjust_lr_fn = "sqrt"'), 2, "sqrt")
case("muon_on_a_vector.toml", opt("muon", ""), 2, "`x`")
case("muon_on_biases.toml", '[data]\nsource = "iris"\n[model]\nkind = "mlp"\nhidden = [4]\n'
     '[optimizer]\nname = "muon"\n[train]\nepochs = 1\n', 2, "layers.0.b", T)
case("ok_iris_seed.toml", '[data]\nsource = "iris"\nvalidation_fraction = 0.2\nseed = 3\n'
     '[model]\nkind = "softmax"\n[optimizer]\nname = "adam"\n[train]\nepochs = 1\n', 0, "val", T)
case("minimize_momentum_adagrad", None, 2, "momentum",
     ("minimize", "--function", "sphere", "--x0", "1,1", "--optimizer", "adagrad", "--momentum", "0.5"))
case("lambda_lr_bad_formula.toml", sched('name = "lambda_lr"\nlr_lambda = "0.95^"'), 2, "column 6", ("schedule", "{file}"))
case("multiplicative_lr_unknown_name.toml", sched('name = "multiplicative_lr"\nlr_lambda = "0.95^step"'), 2, "lr_lambda", ("schedule", "{file}"))
# --- issue 14: parameter groups, EMA ---
MLP = 'kind = "mlp"\nhidden = [3]'
GROUP = '\n[[optimizer.param_groups]]\nparams = %s\nlr = 0.05\n'
def grouped(*globs, train_extra=""):
    return train(SYN, MLP, train_extra).replace("[train]", "".join(GROUP % g for g in globs) + "[train]")
case("train_group_unmatched_glob.toml", grouped('["*.bias"]'), 2, "matches no parameter; the parameters are layers.0.W", T)
case("train_group_overlap.toml", grouped('["*.b"]', '["layers.1.*"]'), 2, "is already in param_groups[0]", T)
case("train_group_no_params.toml", grouped('[]'), 2, "param_groups[0].params", T)
case("train_group_bad_override.toml", grouped('["*.b"]').replace("lr = 0.05", "lr = -0.05"), 2, "[optimizer.param_groups] key `lr`", T)
case("train_group_unknown_optimizer.toml", grouped('["*.b"]').replace("lr = 0.05", 'name = "adamq"'), 2, "adamq", T)
case("run_param_groups.toml", BASE.replace(RUN, "") + GROUP % '["x"]' + RUN, 2, "`param_groups` apply to `downhill train`")
case("train_group_schedule_list_length.toml", grouped('["*.b"]') + '[schedule]\nname = "lambda_lr"\nlr_lambda = ["0.9^epoch", "0.95^epoch", "1"]\n', 2, "[schedule] key `lr_lambda`", T)
case("train_group_swa_lr_length.toml", grouped('["*.b"]', train_extra="swa = { swa_start = 1, swa_lr = [0.01, 0.02, 0.03] }"), 2, "[train] key `swa.swa_lr`", T)
case("ok_train_group_lists.toml", grouped('["*.b"]', train_extra="swa = { swa_start = 1, swa_lr = [0.01, 0.02] }") + '[schedule]\nname = "lambda_lr"\nlr_lambda = ["0.9^epoch", "0.95^epoch"]\nlast_epoch = 2\ninitial_lr = [0.01, 0.05]\n', 0, "", T)
# prodigy / D-Adaptation share one d across groups: their lrs must be equal or 0, as the packages
case("train_group_prodigy_lrs_differ.toml", grouped('["*.b"]').replace('name = "sgd"', 'name = "prodigy"'), 2, ":8:1: [optimizer] key `lr`: invalid value for `optimizer.lr`: 0.01 (the parameter groups of `prodigy` share one d", T)
case("train_group_dadapt_lr_below.toml", grouped('["*.b"]').replace('name = "sgd"', 'name = "dadapt_adam"').replace("lr = 0.05", "lr = 0.005"), 2, ":12:1: [optimizer.param_groups] key `lr`: invalid value for `param_groups[0].lr`: 0.005", T)
case("ok_train_group_prodigy_shared_d.toml", grouped('["*.b"]').replace('name = "sgd"', 'name = "prodigy"').replace("lr = 0.05", "weight_decay = 0.1"), 0, "", T)
case("train_group_prodigy_schedule_list.toml", grouped('["*.b"]').replace('name = "sgd"', 'name = "prodigy"').replace("lr = 0.05", "weight_decay = 0.1") + '[schedule]\nname = "reduce_lr_on_plateau"\nmin_lr = [0.5, 0.25]\n', 2, "[schedule] key `min_lr`: 0.5 for group 0 and 0.25 for group 1: the parameter groups of `prodigy` share one d", T)
case("ok_train_group_prodigy_sgd_schedule_list.toml", grouped('["*.b"]').replace('name = "sgd"', 'name = "prodigy"').replace("lr = 0.05", 'name = "sgd"\nlr = 0.05') + '[schedule]\nname = "reduce_lr_on_plateau"\nmin_lr = [0.5, 0.25]\n', 0, "", T)
case("train_ema_negative_decay.toml", train(SYN, train_extra="ema = { decay = -0.5 }"), 2, "ema.decay", T)
case("train_ema_with_swa.toml", train(SYN, train_extra="ema = { decay = 0.9 }\nswa = { swa_start = 1, swa_lr = 0.01 }"), 2, "choose one of `ema`, `swa`", T)
# --- issue 14: divergence threshold ---
case("train_divergence_threshold_below_one.toml", train(SYN, train_extra="divergence_threshold = 0.5"), 2, "[train] key `divergence_threshold`", T)
case("train_divergence_threshold_true.toml", train(SYN, train_extra="divergence_threshold = true"), 2, "`false` to switch it off", T)
case("run_divergence_threshold_nan.toml", BASE + "divergence_threshold = nan\n", 2, "[run] key `divergence_threshold`")
case("run_divergence_threshold_stops.toml", BASE.replace("lr = 0.1", "lr = 1.1").replace("steps = 5", "steps = 50") + "divergence_threshold = 10\n", 3, "divergence_threshold) at step 7")
# --- minimize flags ---
case("minimize_nan_x0", None, 2, "x0", ("minimize", "--function", "sphere", "--x0", "nan,1"))
case("minimize_negative_lr", None, 2, "`lr`", ("minimize", "--function", "sphere", "--x0", "1,1", "--lr=-1"))
case("minimize_wrong_dim", None, 2, "x0", ("minimize", "--function", "beale", "--x0", "1,1,1"))
case("minimize_bad_precision", None, 2, "f16", ("minimize", "--function", "sphere", "--x0", "1", "--precision", "f16"))
# --- bounds ---
def bounded(b, x0="[1.0, 2.0]", optimizer=OPT_SGD):
    return f'[problem]\nfunction = "sphere"\nx0 = {x0}\nbounds = {b}\n' + optimizer + RUN
case("bounds_lo_above_hi.toml", bounded("[[2.0, 1.0], [0.0, 3.0]]"), 2, "bounds[0]")
case("bounds_nan.toml", bounded("[[nan, 1.0], [0.0, 3.0]]"), 2, "bounds[0]")
case("bounds_wrong_count.toml", bounded("[[0.0, 3.0]]"), 2, "key `bounds`")
case("bounds_not_pairs.toml", bounded("[[0.0, 3.0], [1.0]]"), 2, "key `bounds`")
case("bounds_triple.toml", bounded("[[0.0, 3.0], [0.0, 1.0, 2.0]]"), 2, "bounds[1]")
case("bounds_not_numbers.toml", bounded('"0:3"'), 2, "key `bounds`")
case("bounds_x0_outside.toml", bounded("[[-inf, 0.5], [0.0, 3.0]]"), 2, "key `x0`: invalid value for `x0[0]`: 1 (must lie inside bounds[0]")
case("bounds_newton.toml", bounded("[[0.0, 3.0], [0.0, 3.0]]", optimizer='[optimizer]\nname = "newton"\n'), 2, "lbfgsb")
case("bounds_lbfgs.toml", bounded("[[0.0, 3.0], [0.0, 3.0]]", optimizer='[optimizer]\nname = "lbfgs"\n'), 2, "use `lbfgsb`")
case("minimize_bounds_lbfgs", None, 2, "use `lbfgsb`", ("minimize", "--function", "sphere", "--x0", "1,1", "--optimizer", "lbfgs", "--bounds=0:2,0:2"))
# --- SciPy's smooth solvers (bfgs, cg, trust_ncg) and Newton's globalisation ---
case("ok_bfgs_norm_inf.toml", opt("bfgs", "norm = inf\ngtol = 1e-8"), 0, "sphere")
case("bfgs_gtol_negative.toml", opt("bfgs", "gtol = -1.0"), 2, "key `gtol`")
case("bfgs_c2_below_c1.toml", opt("bfgs", "c1 = 0.5\nc2 = 0.4"), 2, "key `c2`")
case("bfgs_norm_zero.toml", opt("bfgs", "norm = 0.0"), 2, "key `norm`")
case("bfgs_norm_string.toml", opt("bfgs", 'norm = "two"'), 2, "norm")
case("bfgs_maxiter_zero.toml", opt("bfgs", "maxiter = 0"), 2, "key `maxiter`")
case("cg_unknown_key.toml", opt("cg", "xrtol = 0.1"), 2, "unknown field `xrtol`")
case("trust_ncg_eta.toml", opt("trust_ncg", "eta = 0.3"), 2, "key `eta`")
case("trust_ncg_radii.toml", opt("trust_ncg", "initial_trust_radius = 2000.0"), 2, "key `initial_trust_radius`")
case("newton_globalization.toml", opt("newton", 'globalization = "dogleg"'), 2, "dogleg")
case("bounds_bfgs.toml", bounded("[[0.0, 3.0], [0.0, 3.0]]", optimizer='[optimizer]\nname = "bfgs"\n'), 2, "lbfgsb")
case("minimize_bounds_wrong_count", None, 2, "bounds", ("minimize", "--function", "sphere", "--x0", "1,1", "--bounds=0:2"))
case("minimize_bounds_nan", None, 2, "bounds[0]", ("minimize", "--function", "sphere", "--x0", "1,1", "--bounds=nan:2,0:2"))
case("bounds_compare_outside.toml", CMP.replace("x0 = [1.0, 2.0]", "x0 = [1.0, 2.0]\nbounds = [[0.0, 0.5], [0.0, 3.0]]"), 2, "x0", C)
case("minimize_bounds_lo_above_hi", None, 2, "bounds[1]", ("minimize", "--function", "sphere", "--x0", "1,1", "--bounds=0:2,3:2"))
case("minimize_bounds_not_a_pair", None, 2, "--bounds", ("minimize", "--function", "sphere", "--x0", "1,1", "--bounds=0:2,3"))
case("minimize_bounds_x0_outside", None, 2, "bounds[1]", ("minimize", "--function", "sphere", "--x0", "1,5", "--bounds=0:2,-inf:3"))
case("ok_bounds.toml", bounded("[[-inf, 0.5], [1.5, inf]]", x0="[0.0, 2.0]"), 0, "x = [0.0, 1.5]")

# --- downhill landscape: a train config plus [landscape] ---
L = ("landscape", "{file}")
case("landscape_even_points.toml", train(SYN, train_extra="") + "[landscape]\nsurface_points = 40\n", 2, "`surface_points`", L)
case("landscape_alpha_range.toml", train(SYN) + "[landscape]\nalpha_range = [0.5, 1.5]\n", 2, "`alpha_range`", L)
case("landscape_unknown_key.toml", train(SYN) + "[landscape]\nsurface_pts = 5\n", 2, "surface_pts", L)
case("landscape_bad_directions.toml", train(SYN) + '[landscape]\ndirections = "hessian"\n', 2, "hessian", L)
case("landscape_not_a_model.toml", train(SYN) + "[landscape]\nsurface_points = 5\n", 2, "not a downhill model",
     ("landscape", "{file}", "--model", "landscape_not_a_model.json"), [("landscape_not_a_model.json", '{"format": "x"}')])
case("landscape_unknown_table.toml", train(SYN) + "[landscpe]\nseed = 1\n", 2, "landscape", L)
# --- sweep: bad keys and values name the key at file:line:column ---
SW = ("sweep", "{file}")
def sweep(body):
    return BASE + "[sweep]\n" + body + "\n"
case("sweep_missing.toml", BASE, 2, "missing table [sweep]", SW)
case("sweep_bad_path.toml", sweep('"optimzer.lr" = [0.1]'), 2, "sweep_bad_path.toml:10:1: [sweep] key `optimzer.lr`: no table `optimzer`", SW)
case("sweep_table_key.toml", sweep('"optimizer" = [0.1]'), 2, "`optimizer` is a table", SW)
case("sweep_into_value.toml", sweep('"optimizer.lr.x" = [0.1]'), 2, "`optimizer.lr` is a value, not a table", SW)
case("sweep_empty_list.toml", sweep('"optimizer.lr" = []'), 2, "the list of values is empty", SW)
case("sweep_scalar.toml", sweep('"optimizer.lr" = 0.1'), 2, "must be a list of values", SW)
case("sweep_log_range_zero.toml", sweep('"optimizer.lr" = { log_range = [0.0, 1.0], num = 3 }'), 2, "the ends must be > 0", SW)
case("sweep_num_zero.toml", sweep('"optimizer.lr" = { range = [0.0, 1.0], num = 0 }'), 2, "num = 0", SW)
case("sweep_spec_unknown.toml", sweep('"optimizer.lr" = { range = [0.0, 1.0], steps = 3 }'), 2, "steps", SW)
case("sweep_two_ranges.toml", sweep('"optimizer.lr" = { range = [0.1, 1.0], log_range = [0.1, 1.0], num = 3 }'), 2, "give one of `range` or `log_range`", SW)
case("sweep_itself.toml", sweep('"sweep.x" = [1]'), 2, "cannot sweep itself", SW)
case("sweep_no_keys.toml", sweep(""), 2, "has no keys", SW)
case("sweep_too_many.toml", sweep('"optimizer.lr" = { range = [0.1, 1.0], num = 5000 }\n"run.steps" = [1, 2, 3]'), 2, "more than 10000 points", SW)
case("sweep_not_a_table.toml", BASE.replace("[problem]", "sweep = 3\n[problem]"), 2, "write it as a `[sweep]` table", SW)
case("sweep_bad_value.toml", sweep('"optimizer.lr" = [0.1, -1.0]'), 2, "[sweep] at `optimizer.lr` = -1.0", SW)
case("sweep_unknown_param.toml", sweep('"optimizer.lrr" = [0.1]'), 2, "lrr", SW)
case("sweep_wrong_type.toml", sweep('"run.steps" = [2.5]'), 2, "[sweep] at `run.steps` = 2.5", SW)
case("sweep_bad_index.toml", BASE.replace(OPT_SGD, '[[optimizers]]\nname = "sgd"\nlr = 0.1\n') + '[sweep]\n"optimizers.3.lr" = [0.1]\n', 2, "`optimizers` has 1 entries (0..1), not 3", SW)
# --- lr-find ---
LF = ("lr-find", "{file}")
LF_BASE = '[data]\nsource = "synthetic_linreg"\n[model]\nkind = "linear"\n[optimizer]\nname = "sgd"\nlr = 0.01\n'
case("lr_find_end_below_start.toml", LF_BASE + "[lr_find]\nstart_lr = 1.0\nend_lr = 0.1\n", 2, "key `end_lr`", LF)
case("lr_find_num_it.toml", LF_BASE + "[lr_find]\nnum_it = 1\n", 2, "key `num_it`", LF)
case("lr_find_unknown_key.toml", LF_BASE + "[lr_find]\nstart = 1e-5\n", 2, "start", LF)
case("lr_find_negative_start.toml", LF_BASE + "[lr_find]\nstart_lr = -1.0\n", 2, "key `start_lr`", LF)

# --- issue 29: schedules, solvers, formulas, nested keys ---
case("one_cycle_no_total_steps.toml", sched('name = "one_cycle_lr"\nmax_lr = 0.1'), 2, ":10:1: [schedule] key `total_steps`")
case("ok_sequential_chained_first.toml", sched('name = "sequential_lr"\nmilestones = [3]\n[[schedule.schedulers]]\nname = "chained_scheduler"\n[[schedule.schedulers.schedulers]]\nname = "constant_lr"\n[[schedule.schedulers.schedulers]]\nname = "exponential_lr"\ngamma = 0.9\n[[schedule.schedulers]]\nname = "step_lr"\nstep_size = 2'), 0, "lr", ("schedule", "{file}"))
case("sequential_chained_second.toml", sched('name = "sequential_lr"\nmilestones = [3]\n[[schedule.schedulers]]\nname = "step_lr"\nstep_size = 2\n[[schedule.schedulers]]\nname = "chained_scheduler"\n[[schedule.schedulers.schedulers]]\nname = "exponential_lr"\ngamma = 0.9'), 2, "only as its first")
case("cyclic_bad_scale_fn.toml", sched('name = "cyclic_lr"\nbase_lr = 0.01\nmax_lr = 0.1\nscale_fn = "0.9^(x"', '[optimizer]\nname = "sgd"\nlr = 0.1\nmomentum = 0.9\n'), 2, "[schedule] key `scale_fn`")
# --- issue 27 item 2: transformers' schedules (each parser: a bad value exits 2 naming the key) ---
case("ok_wsd_schedule.toml", sched('name = "wsd_schedule"\nnum_warmup_steps = 2\nnum_decay_steps = 2\nnum_training_steps = 6\ndecay_type = "1-sqrt"'), 0, "lr", ("schedule", "{file}"))
case("linear_warmup_missing_training_steps.toml", sched('name = "linear_schedule_with_warmup"\nnum_warmup_steps = 2'), 2, "num_training_steps", ("schedule", "{file}"))
case("linear_warmup_negative_steps.toml", sched('name = "linear_schedule_with_warmup"\nnum_warmup_steps = -2\nnum_training_steps = 10'), 2, "num_warmup_steps", ("schedule", "{file}"))
case("cosine_warmup_nan_cycles.toml", sched('name = "cosine_schedule_with_warmup"\nnum_warmup_steps = 2\nnum_training_steps = 10\nnum_cycles = nan'), 2, ":13:1: [schedule] key `num_cycles`", ("schedule", "{file}"))
case("hard_restarts_negative_cycles.toml", sched('name = "cosine_with_hard_restarts_schedule_with_warmup"\nnum_warmup_steps = 2\nnum_training_steps = 10\nnum_cycles = -1'), 2, "num_cycles", ("schedule", "{file}"))
case("polynomial_decay_lr_end_above_lr.toml", sched('name = "polynomial_decay_schedule_with_warmup"\nnum_warmup_steps = 2\nnum_training_steps = 10\nlr_end = 0.5'), 2, ":13:1: [schedule] key `lr_end`", ("schedule", "{file}"))
case("polynomial_decay_no_decay_steps.toml", sched('name = "polynomial_decay_schedule_with_warmup"\nnum_warmup_steps = 10\nnum_training_steps = 10'), 2, ":12:1: [schedule] key `num_training_steps`", ("schedule", "{file}"))
case("inverse_sqrt_zero_timescale.toml", sched('name = "inverse_sqrt_schedule"\nnum_warmup_steps = 2\ntimescale = 0'), 2, ":12:1: [schedule] key `timescale`", ("schedule", "{file}"))
case("wsd_no_length.toml", sched('name = "wsd_schedule"\nnum_warmup_steps = 2\nnum_decay_steps = 2'), 2, "[schedule] key `num_training_steps`", ("schedule", "{file}"))
case("wsd_too_short.toml", sched('name = "wsd_schedule"\nnum_warmup_steps = 5\nnum_decay_steps = 5\nnum_training_steps = 8'), 2, ":13:1: [schedule] key `num_training_steps`", ("schedule", "{file}"))
case("wsd_bad_decay_type.toml", sched('name = "wsd_schedule"\nnum_warmup_steps = 2\nnum_decay_steps = 2\nnum_stable_steps = 2\ndecay_type = "exp"'), 2, "exp", ("schedule", "{file}"))
case("wsd_min_lr_ratio.toml", sched('name = "wsd_schedule"\nnum_warmup_steps = 2\nnum_decay_steps = 2\nnum_stable_steps = 2\nmin_lr_ratio = 1.5'), 2, ":14:1: [schedule] key `min_lr_ratio`", ("schedule", "{file}"))
case("train_swa_bad_anneal_epochs.toml", train(SYN, train_extra='swa = { swa_start = 1, swa_lr = 0.01, anneal_epochs = "x" }'), 2, "[train] key `swa.anneal_epochs`", T)
case("train_swa_negative_lr.toml", train(SYN, train_extra="swa = { swa_start = 1, swa_lr = -0.01 }"), 2, "[train] key `swa.swa_lr`", T)
case("nelder_mead_maxfev_zero.toml", opt("nelder_mead", "maxfev = 0"), 2, "maxfev")
case("ok_expr_new_functions.toml", expr("atan2(y, x)^2 + if(x > 0, sinh(x), cosh(y)) + max(asin(x/4), acos(y/4)) + sign(x)*atan(y)"), 0, "")
case("expr_atan2_one_argument.toml", expr("atan2(y) + x"), 2, "`atan2` takes 2 arguments, found 1")
case("expr_single_equals.toml", expr("if(x = y, 1, 2)"), 2, "comparisons are")

# --- issue 28: least-squares problems (residuals, or a model fitted to CSV data) ---
def lsq(problem, optimizer='[optimizer]\nname = "lm"\n'):
    return "[problem]\n" + problem + "\n" + optimizer + RUN

LSQ_R = 'residuals = ["x - 1", "10*(y - x^2)"]\nvars = ["x", "y"]\nx0 = [-1.2, 1.0]'
LSQ_CSV = ("lsq_points.csv", "t,obs\n0,1.0\n1,0.6\n2,0.37\n3,0.22\n")
LSQ_M = 'model = "a*exp(-b*t)"\nparams = ["a", "b"]\ndata = "lsq_points.csv"\nx_columns = ["t"]\ny_column = "obs"\nx0 = [1.0, 0.1]'
case("ok_lsq_residuals.toml", lsq(LSQ_R), 0, "least squares: 2 residuals in x, y")
case("ok_lsq_model.toml", lsq(LSQ_M), 0, "a = ", data=[LSQ_CSV])
case("ok_lsq_residuals_bfgs.toml", lsq(LSQ_R, '[optimizer]\nname = "bfgs"\n'), 0, "least squares: 2 residuals in x, y")
case("lsq_residual_does_not_parse.toml", lsq(LSQ_R.replace('"x - 1"', '"x - "')), 2, ":2:1: [problem] key `residuals`: invalid value for `residuals[0]`")
case("lsq_residual_unknown_var.toml", lsq(LSQ_R.replace('"x - 1"', '"z - 1"')), 2, ":2:1: [problem] key `residuals`")
case("lsq_residuals_empty.toml", lsq('residuals = []\nvars = ["x"]\nx0 = [1.0]'), 2, ":2:1: [problem] key `residuals`: invalid value for `residuals`: [] (needs at least one residual formula)")
case("lsq_residuals_without_vars.toml", lsq('residuals = ["x - 1"]\nx0 = [1.0]'), 2, "key `residuals`: invalid value for `residuals`: given (needs `vars`")
case("lsq_residuals_and_function.toml", lsq('function = "sphere"\n' + LSQ_R), 2, ":2:1: [problem] key `function`")
case("lsq_fewer_residuals_than_vars.toml", lsq('residuals = ["x - y"]\nvars = ["x", "y"]\nx0 = [1.0, 2.0]'), 2, ":2:1: [problem] key `residuals`: invalid value for `residuals`: 1 residuals (`lm` needs at least as many residuals as variables (2))")
case("lsq_numeric_gradient.toml", lsq(LSQ_R + '\ngradient = "numeric"'), 2, ":5:1: [problem] key `gradient`")
case("lm_without_residuals.toml", opt("lm", ""), 2, ":5:1: [optimizer] key `name`: invalid value for `name`: lm (works on residuals")
case("lm_on_expression.toml", lsq('expression = "x^2 + y^2"\nvars = ["x", "y"]\nx0 = [1.0, 2.0]'), 2, "[optimizer] key `name`: invalid value for `name`: lm (works on residuals")
case("compare_lm_without_residuals.toml", CMP + '[[optimizers]]\nname = "lm"\n', 2, "[[optimizers]] entry 2 (`lm`): works on residuals", C)
case("lsq_data_missing.toml", lsq(LSQ_M.replace("lsq_points.csv", "no_such_file.csv")), 2, ":4:1: [problem] key `data`: invalid value for `data`")
case("lsq_y_column_missing.toml", lsq(LSQ_M.replace('y_column = "obs"', 'y_column = "volume"')), 2, ":6:1: [problem] key `y_column`", data=[LSQ_CSV])
case("lsq_x_column_missing.toml", lsq(LSQ_M.replace('x_columns = ["t"]', 'x_columns = ["time"]')), 2, ":5:1: [problem] key `x_columns`", data=[LSQ_CSV])
case("lsq_model_does_not_parse.toml", lsq(LSQ_M.replace("a*exp(-b*t)", "a*exp(-b*time)")), 2, ":2:1: [problem] key `model`", data=[LSQ_CSV])
case("lsq_model_without_params.toml", lsq(LSQ_M.replace('params = ["a", "b"]\n', "")), 2, ":2:1: [problem] missing key `params`: a model needs `params`", data=[LSQ_CSV])
case("lsq_params_without_model.toml", lsq('params = ["a"]\nx0 = [1.0]'), 2, ":2:1: [problem] key `params`")
case("lsq_model_with_vars.toml", lsq(LSQ_M + '\nvars = ["a", "b"]'), 2, "key `vars`", data=[LSQ_CSV])
case("lsq_bad_cell.toml", lsq(LSQ_M.replace("lsq_points.csv", "lsq_bad_cell.csv")), 2, "[problem] key `data`", data=[("lsq_bad_cell.csv", "t,obs\n0,1.0\n1,abc\n")])
# --- issue 27: lars ---
case("ok_lars.toml", opt("lars", "lr = 0.5\ntrust_coefficient = 0.02"), 0, "sphere")
case("lars_negative_trust_coefficient.toml", opt("lars", "trust_coefficient = -0.001"), 2, "trust_coefficient")
case("lars_negative_momentum.toml", opt("lars", "momentum = -0.9"), 2, "momentum")
case("lars_negative_eps.toml", opt("lars", "eps = -1e-9"), 2, "`eps`")
case("lars_nesterov_string.toml", opt("lars", 'nesterov = "yes"'), 2, "nesterov")
case("lars_unknown_key.toml", opt("lars", "trust_ratio_mask = false"), 2, "unknown field `trust_ratio_mask`")
# --- issue 27: lamb ---
case("ok_lamb.toml", opt("lamb", "lr = 0.01"), 0, "sphere")
case("lamb_beta_one.toml", opt("lamb", "betas = [1.0, 0.999]"), 2, "betas[0]")
case("lamb_betas_len3.toml", opt("lamb", "betas = [0.9, 0.99, 0.9]"), 2, "invalid length 3")
case("lamb_negative_eps_root.toml", opt("lamb", "eps_root = -1e-12"), 2, "eps_root")
case("lamb_negative_weight_decay.toml", opt("lamb", "weight_decay = -0.01"), 2, "weight_decay")
# --- issue 27: yogi, adabelief, adan, novograd (optax's adaptive family) ---
case("ok_yogi.toml", opt("yogi", "lr = 0.01\nbetas = [0.9, 0.99]"), 0, "sphere")
case("yogi_beta_one.toml", opt("yogi", "betas = [0.9, 1.0]"), 2, "betas[1]")
case("yogi_negative_eps.toml", opt("yogi", "eps = -1e-3"), 2, "`eps`")
case("yogi_unknown_key.toml", opt("yogi", "initial_accumulator_value = 1e-6"), 2, "unknown field `initial_accumulator_value`")
case("ok_adabelief.toml", opt("adabelief", "lr = 0.01\nnesterov = true"), 0, "sphere")
case("adabelief_negative_eps_root.toml", opt("adabelief", "eps_root = -1e-16"), 2, "eps_root")
case("adabelief_nesterov_string.toml", opt("adabelief", 'nesterov = "yes"'), 2, "nesterov")
case("adabelief_weight_decay.toml", opt("adabelief", "weight_decay = 0.01"), 2, "unknown field `weight_decay`")
case("ok_adan.toml", opt("adan", "lr = 0.01\nbetas = [0.98, 0.92, 0.99]\nweight_decay = 0.02"), 0, "sphere")
case("adan_betas_pair.toml", opt("adan", "betas = [0.98, 0.92]"), 2, "invalid length 2")
case("adan_beta3_one.toml", opt("adan", "betas = [0.98, 0.92, 1.0]"), 2, "betas[2]")
case("adan_negative_weight_decay.toml", opt("adan", "weight_decay = -0.01"), 2, "weight_decay")
case("ok_novograd.toml", opt("novograd", "lr = 0.01\nweight_decay = 0.001"), 0, "sphere")
case("novograd_negative_beta.toml", opt("novograd", "betas = [-0.1, 0.25]"), 2, "betas[0]")
case("novograd_negative_eps_root.toml", opt("novograd", "eps_root = -1e-10"), 2, "eps_root")
case("novograd_unknown_key.toml", opt("novograd", 'mu_dtype = "float32"'), 2, "unknown field `mu_dtype`")
# --- issue 27: prodigy, dadapt_adam, dadapt_sgd ---
case("ok_prodigy.toml", opt("prodigy", "d_coef = 0.5\ngrowth_rate = inf\nslice_p = 2"), 0, "sphere")
case("prodigy_zero_lr.toml", opt("prodigy", "lr = 0.0"), 2, "`lr`")
case("prodigy_zero_d0.toml", opt("prodigy", "d0 = 0.0"), 2, "`d0`")
case("prodigy_negative_d_coef.toml", opt("prodigy", "d_coef = -1.0"), 2, "d_coef")
case("prodigy_beta3_above_one.toml", opt("prodigy", "beta3 = 1.5"), 2, "beta3")
case("prodigy_growth_rate_below_one.toml", opt("prodigy", "growth_rate = 0.5"), 2, "growth_rate")
case("prodigy_growth_rate_nan.toml", opt("prodigy", "growth_rate = nan"), 2, "growth_rate")
case("prodigy_zero_slice_p.toml", opt("prodigy", "slice_p = 0"), 2, "slice_p")
case("prodigy_zero_eps.toml", opt("prodigy", "eps = 0.0"), 2, "`eps`")
case("prodigy_unknown_key.toml", opt("prodigy", "fsdp_in_use = true"), 2, "unknown field `fsdp_in_use`")
case("ok_dadapt_adam.toml", opt("dadapt_adam", "use_bias_correction = true\ngrowth_rate = 1.02"), 0, "sphere")
case("dadapt_adam_beta_one.toml", opt("dadapt_adam", "betas = [0.9, 1.0]"), 2, "betas[1]")
case("dadapt_adam_negative_weight_decay.toml", opt("dadapt_adam", "weight_decay = -0.1"), 2, "weight_decay")
case("dadapt_adam_decouple_string.toml", opt("dadapt_adam", 'decouple = "yes"'), 2, "decouple")
case("ok_dadapt_sgd.toml", opt("dadapt_sgd", "momentum = 0.9"), 0, "sphere")
case("dadapt_sgd_momentum_one.toml", opt("dadapt_sgd", "momentum = 1.0"), 2, "momentum")
case("dadapt_sgd_negative_d0.toml", opt("dadapt_sgd", "d0 = -1e-6"), 2, "`d0`")
case("dadapt_sgd_unknown_key.toml", opt("dadapt_sgd", "log_every = 10"), 2, "unknown field `log_every`")
# --- issue 27: schedule-free ---
case("ok_sgd_schedule_free.toml", opt("sgd_schedule_free", "lr = 0.1\nwarmup_steps = 5\nr = 1.0"), 0, "sphere")
case("sgd_schedule_free_momentum_one.toml", opt("sgd_schedule_free", "momentum = 1.0"), 2, "momentum")
case("sgd_schedule_free_momentum_zero.toml", opt("sgd_schedule_free", "momentum = 0.0"), 2, "momentum")
case("sgd_schedule_free_negative_r.toml", opt("sgd_schedule_free", "r = -1.0"), 2, "`r`")
case("sgd_schedule_free_negative_warmup.toml", opt("sgd_schedule_free", "warmup_steps = -3"), 2, "warmup_steps")
case("sgd_schedule_free_fractional_warmup.toml", opt("sgd_schedule_free", "warmup_steps = 2.5"), 2, "warmup_steps")
case("sgd_schedule_free_unknown_key.toml", opt("sgd_schedule_free", "foreach = true"), 2, "unknown field `foreach`")
case("ok_adamw_schedule_free.toml", opt("adamw_schedule_free", "lr = 0.05\nweight_decay = 0.01"), 0, "sphere")
case("adamw_schedule_free_beta1_zero.toml", opt("adamw_schedule_free", "betas = [0.0, 0.999]"), 2, "betas[0]")
case("adamw_schedule_free_beta2_one.toml", opt("adamw_schedule_free", "betas = [0.9, 1.0]"), 2, "betas[1]")
case("adamw_schedule_free_negative_weight_lr_power.toml", opt("adamw_schedule_free", "weight_lr_power = -2.0"), 2, "weight_lr_power")
case("adamw_schedule_free_negative_eps.toml", opt("adamw_schedule_free", "eps = -1e-8"), 2, "`eps`")
case("adamw_schedule_free_negative_weight_decay.toml", opt("adamw_schedule_free", "weight_decay = -0.01"), 2, "weight_decay")
# --- sgld, polyak_sgd ---
case("ok_sgld.toml", opt("sgld", "lr = 0.01\ntemperature = 0.5\nseed = 3"), 0, "sphere")
case("sgld_negative_temperature.toml", opt("sgld", "temperature = -1.0"), 2, "key `temperature`")
case("sgld_seed_too_large.toml", opt("sgld", "seed = 18446744073709551615"), 2, "key `seed`")
case("ok_polyak_sgd.toml", opt("polyak_sgd", "max_lr = 0.5\nf_min = 0.0"), 0, "sphere")
case("polyak_sgd_bad_variant.toml", opt("polyak_sgd", "variant = \"sps++\""), 2, "key `variant`")
case("polyak_sgd_negative_max_lr.toml", opt("polyak_sgd", "max_learning_rate = -1.0"), 2, "key `max_learning_rate`")
# --- [wrappers] sam (SAM / ASAM) ---
case("ok_sam.toml", BASE + "[wrappers]\nsam = { rho = 0.05, adaptive = true }\n", 0, "sphere")
case("sam_bad_rho.toml", BASE + "[wrappers]\nsam = { rho = -0.1 }\n", 2, "sam_bad_rho.toml:10:9: [wrappers] key `sam.rho`")
case("sam_zero_rho.toml", BASE + "[wrappers]\nsam = { rho = 0.0 }\n", 2, "[wrappers] key `sam.rho`: invalid value for `sam.rho`: 0 (must be finite and > 0)")
case("sam_negative_eta.toml", BASE + "[wrappers]\nsam = { adaptive = true, eta = -1.0 }\n", 2, "key `sam.eta`")
case("sam_unknown_key.toml", BASE + "[wrappers]\nsam = { rho = 0.05, radius = 1.0 }\n", 2, "sam_unknown_key.toml:10:21: [wrappers] key `sam.radius`: unknown field `radius`")
case("sam_adaptive_not_bool.toml", BASE + "[wrappers]\nsam = { adaptive = \"yes\" }\n", 2, "[wrappers] key `sam.adaptive`: invalid type: string \"yes\", expected a boolean")
with open("expect.toml", "w") as out:
    out.write("# The bad-input corpus: generated by make_corpus.py, run by tests/corpus.rs.\n")
    out.write("# `file` is the input (absent: the command takes none), `args` the command line\n")
    out.write("# (\"{file}\" = the file's path; run in files/), `data` the inputs the config names,\n# `exit` the exit code, `contains` a fragment of\n")
    out.write("# stdout+stderr.\n")
    for name, contents, args, exit, contains, data in cases:
        out.write("\n[[case]]\n")
        for dname, dcontents in data:
            with open(os.path.join("files", dname), "wb") as f:
                f.write(dcontents.encode() if isinstance(dcontents, str) else dcontents)
        if data:
            out.write("data = [" + ", ".join(f'"{d}"' for d, _ in data) + "]\n")
        if contents is not None:
            data = contents.encode() if isinstance(contents, str) else contents
            with open(os.path.join("files", name), "wb") as f:
                f.write(data)
            out.write(f'file = "{name}"\n')
        elif "{file}" in args:
            out.write(f'file = "{name}"\n')
        else:
            out.write(f'name = "{name}"\n')
        argl = ", ".join('"' + a.replace("\\", "\\\\").replace('"', '\\"') + '"' for a in args)
        out.write(f"args = [{argl}]\n")
        out.write(f"exit = {exit}\n")
        out.write('contains = "' + contains.replace("\\", "\\\\").replace('"', '\\"') + '"\n')
print(len(cases), "cases")
