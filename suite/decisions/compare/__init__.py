"""`suite compare BASE CAND`: are two runs of one profile different, metric by metric? (issue 7)

core compares, render writes the answer, samples takes a run's samples, stats tests them. The package
imports none of them itself: suite.gates.compare reads samples' metric names while core reads the
gates, and a package that imported core would close that loop.
"""
